package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/burrow-containers/burrow/engine"
)

// PushCmd is `burrow push`.
type PushCmd struct {
	registryFlags
	Quiet            bool   `short:"q" help:"No progress output."`
	RemoveSignatures bool   `name:"remove-signatures" help:"Push without the image's signatures (needed when the image was pulled with some and its layers are compressed on the way)."`
	Image            string `arg:"" help:"Image to push."`
	Dest             string `arg:"" optional:"" help:"Where to push it (default: its name)."`
}

// Run pushes the image.
func (c *PushCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	o := c.options(c.Quiet)
	o.RemoveSignatures = c.RemoveSignatures
	return eng.Push(g.ctx, c.Image, c.Dest, o)
}

// LoginCmd is `burrow login`.
type LoginCmd struct {
	registryFlags
	Username      string `short:"u" help:"User name."`
	Password      string `short:"p" help:"Password (prefer --password-stdin)."`
	PasswordStdin bool   `name:"password-stdin" help:"Read the password from stdin."`
	Registry      string `arg:"" help:"Registry to log in to."`
}

// Run checks and stores the credentials.
func (c *LoginCmd) Run(g *globals) error {
	user, pass := c.Username, c.Password
	in := bufio.NewReader(os.Stdin)
	if c.PasswordStdin {
		if pass != "" {
			return invalidf("--password and --password-stdin cannot be combined")
		}
		b, err := io.ReadAll(in)
		if err != nil {
			return err
		}
		pass = strings.TrimRight(string(b), "\r\n")
	}
	if user == "" {
		if c.PasswordStdin {
			return invalidf("--password-stdin needs --username")
		}
		fmt.Fprint(os.Stderr, "Username: ")
		line, _ := in.ReadString('\n')
		user = strings.TrimSpace(line)
	}
	if pass == "" {
		fmt.Fprint(os.Stderr, "Password: ")
		if term.IsTerminal(int(os.Stdin.Fd())) {
			b, err := term.ReadPassword(int(os.Stdin.Fd()))
			fmt.Fprintln(os.Stderr)
			if err != nil {
				return err
			}
			pass = string(b)
		} else {
			line, _ := in.ReadString('\n')
			pass = strings.TrimRight(line, "\r\n")
		}
	}
	eng, err := openEngine() // the auth file's default place is the namespace's
	if err != nil {
		return err
	}
	defer eng.Close()
	if _, err := eng.Login(g.ctx, c.Registry, user, pass, c.options(true)); err != nil {
		return err
	}
	fmt.Println("Login Succeeded!")
	return nil
}

// LogoutCmd is `burrow logout`.
type LogoutCmd struct {
	AuthFile string `name:"authfile" help:"Path of the authentication file."`
	All      bool   `short:"a" help:"Remove the credentials of every registry."`
	Registry string `arg:"" optional:"" help:"Registry to log out of."`
}

// Run removes the credentials.
func (c *LogoutCmd) Run(g *globals) error {
	if !c.All && c.Registry == "" {
		return invalidf("give a registry, or --all")
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	if err := eng.Logout(c.Registry, c.All, engine.PullOptions{AuthFile: c.AuthFile}); err != nil {
		return err
	}
	if c.All {
		fmt.Println("Removed login credentials for all registries")
	} else {
		fmt.Printf("Removed login credentials for %s\n", c.Registry)
	}
	return nil
}
