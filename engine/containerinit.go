package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/burrow-containers/burrow/errdefs"
)

// ContainerInitPath is where a container's init (--init) is bound and
// run from, as podman binds catatonit: `ps` in the container shows it as
// PID 1, with the command after its "--".
const ContainerInitPath = "/run/podman-init"

// InitByDefault tells whether containers.conf gives every container an
// init (`init = true` under [containers]), as podman's --init defaults.
func (e *Engine) InitByDefault() bool {
	c, err := e.conf()
	return err == nil && c.Containers.Init
}

// settleInit finds, at create, the init of a container that asks for one:
// InitPath, else containers.conf's init_path, else catatonit where podman
// looks for it. Its starts bind that one.
func (e *Engine) settleInit(c *Config) error {
	if !c.Init {
		c.InitPath = ""
		return nil
	}
	path := c.InitPath
	if path == "" {
		conf, err := e.conf()
		if err != nil {
			return err
		}
		if path, err = conf.FindInitBinary(); err != nil {
			return errdefs.Unavailable(fmt.Errorf("--init: no init found on the host (install catatonit, or name one with --init-path): %w", err))
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return errdefs.Invalid(fmt.Errorf("container-init binary not found on the host: %w", err))
	}
	if !st.Mode().IsRegular() {
		return errdefs.Invalid(errors.New("container-init binary " + abs + " is not a regular file"))
	}
	c.InitPath = abs
	return nil
}

// withInit makes the init the container's process, with args as its
// command after "--", and binds it in read-only.
func withInit(c *Config, args []string, mounts []specs.Mount) ([]string, []specs.Mount) {
	if !c.Init {
		return args, mounts
	}
	args = append([]string{ContainerInitPath, "--"}, args...)
	return args, append(mounts, specs.Mount{Destination: ContainerInitPath, Type: "bind", Source: c.InitPath, Options: []string{"bind", "ro"}})
}

// commandArgs are the container's command as a user gave it (or the
// image has it): the spec's process without the init.
func commandArgs(c *Config, args []string) []string {
	if c.Init && len(args) >= 2 && args[0] == ContainerInitPath {
		return args[2:]
	}
	return args
}
