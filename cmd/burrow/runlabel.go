package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// ContainerRunlabelCmd is `burrow container runlabel`: runs the command an
// image's label (INSTALL, RUN, ...) holds, burrow in podman's place.
type ContainerRunlabelCmd struct {
	registryFlags
	Display bool   `help:"Preview the command that the label would run."`
	Name    string `short:"n" help:"Assign a name to the container (NAME in the label)."`
	Opt1    string `name:"opt1" hidden:"" help:"Optional parameter to pass for install ($OPT1)."`
	Opt2    string `name:"opt2" hidden:"" help:"Optional parameter to pass for install ($OPT2)."`
	Opt3    string `name:"opt3" hidden:"" help:"Optional parameter to pass for install ($OPT3)."`
	Pull    bool   `short:"p" default:"true" negatable:"" help:"Pull the image if it does not exist locally prior to executing the label contents."`
	Quiet   bool   `short:"q" help:"Suppress output information when pulling images."`
	Replace bool   `help:"Replace existing container with a new one from the image."`

	Label string   `arg:"" help:"The label whose command runs."`
	Image string   `arg:"" help:"The image."`
	Args  []string `arg:"" optional:"" passthrough:"" help:"Arguments appended to the label's command."`
}

// Run prints or runs the label's command.
func (c *ContainerRunlabelCmd) Run(g *globals) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding burrow's own path: %w", err)
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	o := engine.RunlabelOptions{Name: c.Name, Opt1: c.Opt1, Opt2: c.Opt2, Opt3: c.Opt3, Executable: exe, Pull: c.Pull, PullOptions: c.options(c.Quiet)}
	cmd, err := eng.Runlabel(g.ctx, c.Label, c.Image, c.Args, o)
	if err != nil {
		return err
	}
	if c.Display {
		// As podman: the program as this command was called.
		fmt.Printf("command: %s\n", strings.Join(append([]string{os.Args[0]}, cmd[1:]...), " "))
		return nil
	}
	if c.Replace {
		if err := replaceNamed(g, eng, cmd); err != nil {
			return err
		}
	}
	eng.Close()
	return c.exec(cmd)
}

// replaceNamed removes the container the command's --name names, if any.
func replaceNamed(g *globals, eng *engine.Engine, cmd []string) error {
	i := slices.Index(cmd, "--name")
	if i < 0 || i+1 >= len(cmd) {
		return nil
	}
	ctr, err := eng.Get(cmd[i+1])
	if errdefs.Is(err, errdefs.ClassNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return eng.Remove(g.ctx, ctr, engine.RemoveOptions{Force: true, Timeout: new(time.Duration)})
}

// exec runs the command with the user's streams (none with --quiet) and
// the options in its environment, as podman's.
func (c *ContainerRunlabelCmd) exec(cmd []string) error {
	run := exec.Command(cmd[0], cmd[1:]...)
	run.Env = append(os.Environ(), "PODMAN_RUNLABEL_NESTED=1")
	for k, v := range map[string]string{"OPT1": c.Opt1, "OPT2": c.Opt2, "OPT3": c.Opt3} {
		if v != "" {
			run.Env = append(run.Env, k+"="+v)
		}
	}
	if !c.Quiet {
		run.Stdin, run.Stdout, run.Stderr = os.Stdin, os.Stdout, os.Stderr
	}
	err := run.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return withExit(fmt.Errorf("the %s label's command: %w", c.Label, err), exit.ExitCode())
	}
	if err != nil {
		return fmt.Errorf("running the %s label's command: %w", c.Label, err)
	}
	return nil
}
