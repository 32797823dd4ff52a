package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"sync"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/console"
	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/limits"
	"github.com/burrow-containers/burrow/sandbox"
)

// ExecConfig is a process to run in a running container.
type ExecConfig struct {
	Command     []string
	Env         []string // K=V (or K from the host), after the container's
	User        string   // default: the container's
	Workdir     string   // default: the container's
	TTY         bool
	Interactive bool
	Detach      bool
	Privileged  bool
	// Warn receives a warning (with its fix) when the process cannot join
	// the container's cgroup and runs outside its limits; nil: not told.
	Warn func(string) `json:"-"`
}

// execProcess builds the process from the container's own (environment,
// user, capabilities) with the caller's overrides.
func (e *Engine) execProcess(ctr *Container, c ExecConfig) (*specs.Process, error) {
	if len(c.Command) == 0 {
		return nil, errdefs.Invalid(errors.New("no command given: burrow exec CONTAINER COMMAND [ARG...]"))
	}
	spec, err := e.loadSpec(ctr.ID)
	if err != nil {
		return nil, err
	}
	p := *spec.Process
	p.Args = c.Command
	p.Terminal = c.TTY
	p.ConsoleSize = nil
	p.Env = mergeEnv(p.Env, c.Env, os.LookupEnv)
	if c.TTY && !hasEnv(p.Env, "TERM") {
		p.Env = append(p.Env, "TERM=xterm")
	}
	if c.Workdir != "" {
		p.Cwd = c.Workdir
	}
	if c.User != "" {
		u, err := resolveUser("/proc/"+strconv.Itoa(ctr.State.Pid)+"/root", c.User)
		if err != nil {
			return nil, err
		}
		p.User = specs.User{UID: uint32(u.Uid), GID: uint32(u.Gid)}
		for _, g := range u.Sgids {
			p.User.AdditionalGids = append(p.User.AdditionalGids, uint32(g))
		}
	}
	caps := p.Capabilities.Bounding
	if c.Privileged {
		caps = sandbox.CapNames()
	}
	pc := &specs.LinuxCapabilities{Bounding: caps}
	if p.User.UID == 0 {
		pc.Effective, pc.Permitted = caps, caps
	} else if p.Capabilities != nil {
		pc.Effective, pc.Permitted, pc.Ambient, pc.Inheritable = p.Capabilities.Ambient, p.Capabilities.Ambient, p.Capabilities.Ambient, p.Capabilities.Ambient
	}
	p.Capabilities = pc
	return &p, nil
}

// execPlacement puts an exec process in the container's cgroup, so that
// the container's limits hold it as they hold the init. Where that cannot
// be (cgroupfs from outside the delegated cgroup) the process runs where
// it is: with limits asked for, the caller is warned.
func (e *Engine) execPlacement(ctr *Container, warn func(string)) func(pid int) error {
	if ctr.State.Cgroup == "" {
		return nil
	}
	return func(pid int) error {
		err := e.Limits(ctr.Config.CgroupManager).Join(ctr.ID, ctr.State.Cgroup, pid)
		if err != nil && warn != nil && ctr.Config.Limits.Requested() {
			fix := "run exec from a cgroup delegated to you (systemd-run --user --scope -p Delegate=yes)"
			if ctr.Config.CgroupManager != limits.Cgroupfs {
				fix = "check your systemd user instance (burrow system doctor)"
			}
			warn(fmt.Sprintf("the process runs outside the cgroup of %s, so its limits do not hold it (%v): %s", ctr.Name, err, fix))
		}
		return nil
	}
}

// Exec runs a command in a running container. Attached, it returns the
// command's exit code once it ends; with Detach it returns at once.
func (e *Engine) Exec(ctx context.Context, ctr *Container, c ExecConfig, a Attach) (int, error) {
	if !ctr.Running() {
		return 0, errdefs.Conflict(fmt.Errorf("can only exec in running containers: %s is %s: start it first", ctr.Name, ctr.State.Status))
	}
	p, err := e.execProcess(ctr, c)
	if err != nil {
		return 0, err
	}
	var filter *specs.LinuxSeccomp
	if spec, err := e.loadSpec(ctr.ID); err == nil && spec.Linux != nil && !c.Privileged {
		filter = spec.Linux.Seccomp
	}
	place := e.execPlacement(ctr, c.Warn)
	if c.Detach {
		_, err := sandbox.Exec(ctr.State.Pid, p, sandbox.ExecOptions{Detach: true, Seccomp: filter, Place: place})
		return 0, err
	}
	var stdin io.Reader
	if c.Interactive {
		stdin = a.Stdin
	}
	opts := sandbox.ExecOptions{Seccomp: filter, Place: place}
	if !c.TTY {
		opts.Stdio = sandbox.Stdio{Stdin: stdin, Stdout: a.Stdout, Stderr: a.Stderr}
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwarded...)
	defer signal.Stop(sigs)
	sb, err := sandbox.Exec(ctr.State.Pid, p, opts)
	if err != nil {
		return 0, err
	}
	var out sync.WaitGroup
	restore := func() {}
	if sb.Pty != nil {
		pty := sb.Pty
		restore = console.Raw(a.Terminal, func(rows, cols uint16) {
			unix.IoctlSetWinsize(int(pty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols})
		})
		if stdin != nil {
			go io.Copy(pty, stdin)
		}
		out.Add(1)
		go func() {
			defer out.Done()
			io.Copy(a.Stdout, pty) // ends with EIO once the process is gone
		}()
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				sb.Signal(s)
			case <-done:
				return
			}
		}
	}()
	code, err := sb.Wait()
	close(done)
	out.Wait()
	if sb.Pty != nil {
		sb.Pty.Close()
	}
	restore()
	return code, err
}
