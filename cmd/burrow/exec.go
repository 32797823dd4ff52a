package main

import (
	"github.com/burrow-containers/burrow/engine"
)

// ExecCmd is `burrow exec`.
type ExecCmd struct {
	Interactive bool     `short:"i" help:"Keep stdin attached."`
	TTY         bool     `short:"t" name:"tty" help:"Allocate a pseudo-terminal."`
	Detach      bool     `short:"d" help:"Run in the background."`
	Env         []string `short:"e" sep:"none" help:"Set an environment variable (K=V, or K to take it from the host)."`
	EnvFile     []string `name:"env-file" sep:"none" help:"Read environment variables from a file of K=V lines (before -e's)."`
	Latest      bool     `short:"l" help:"Run in the container created last (the arguments are then the command)."`
	User        string   `short:"u" help:"User to run as: UID[:GID] or name[:group]."`
	Workdir     string   `short:"w" help:"Working directory inside the container."`
	Privileged  bool     `help:"Give the process every capability (within the user namespace)."`
	Args        []string `arg:"" passthrough:"partial" help:"CONTAINER COMMAND [ARG...]"`
}

// Run runs the command and exits with its code.
func (x *ExecCmd) Run(g *globals) error {
	if err := refuseRuntimeFlags(); err != nil {
		return err
	}
	args := x.Args
	if x.Latest {
		args = append([]string{""}, args...)
	}
	if len(args) < 2 {
		return invalidf("burrow exec needs a container and a command: burrow exec CONTAINER COMMAND [ARG...]")
	}
	env := x.Env
	if len(x.EnvFile) > 0 {
		fromFiles, err := envFiles(x.EnvFile)
		if err != nil {
			return err
		}
		env = append(fromFiles, env...)
	}
	proxy := startSigProxy(!x.Detach)
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	ctr, err := oneContainer(eng, args[0], x.Latest)
	if err != nil {
		return err
	}
	p, err := eng.Exec(g.ctx, ctr, engine.ExecConfig{
		Command: args[1:], Env: env, User: x.User, Workdir: x.Workdir,
		TTY: x.TTY, Interactive: x.Interactive, Detach: x.Detach, Privileged: x.Privileged,
		Warn: func(s string) { warn("%s", s) },
	}, userStreams(true))
	if err != nil || x.Detach {
		return err
	}
	code, err := foreground(p, x.TTY, proxy)
	if err != nil {
		return err
	}
	return exitCode(code)
}
