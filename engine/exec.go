package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
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
			warn(fmt.Sprintf("the process runs outside the cgroup of %s, so its limits do not hold it: %v", ctr.Name, err))
		}
		return nil
	}
}

// Exec starts a command in a running container and returns it running.
// Attached, the caller's Wait copies the streams of a until it ends and
// returns its exit code; with Detach the process has no streams, and Wait
// only tells its end.
func (e *Engine) Exec(ctx context.Context, ctr *Container, c ExecConfig, a Attach) (*ExecProcess, error) {
	if !ctr.Running() {
		return nil, errdefs.Conflict(fmt.Errorf("can only exec in running containers: %s is %s: start it first", ctr.Name, ctr.State.Status))
	}
	p, err := e.execProcess(ctr, c)
	if err != nil {
		return nil, err
	}
	var filter *specs.LinuxSeccomp
	if spec, err := e.loadSpec(ctr.ID); err == nil && spec.Linux != nil && !c.Privileged {
		filter = spec.Linux.Seccomp
	}
	opts := sandbox.ExecOptions{Seccomp: filter, FilterCache: e.filterCache(), Place: e.execPlacement(ctr, c.Warn), Detach: c.Detach}
	ep := &ExecProcess{a: a, died: func(code int) {
		ev := e.containerEvent("exec_died", ctr)
		ev.ContainerExitCode = code
		e.recordEvents(ev)
	}}
	if c.Interactive && !c.Detach {
		ep.stdin = a.Stdin
	}
	if !c.TTY && !c.Detach {
		opts.Stdio = sandbox.Stdio{Stdin: ep.stdin, Stdout: a.Stdout, Stderr: a.Stderr}
	}
	if ep.sb, err = sandbox.Exec(ctr.State.Pid, p, opts); err != nil {
		return nil, err
	}
	if pty := ep.sb.Pty; pty != nil && a.ConsoleSize != nil {
		ep.Resize(uint16(a.ConsoleSize.Height), uint16(a.ConsoleSize.Width))
	}
	e.recordContainerEvents(ctr, "exec")
	return ep, nil
}

// ExecProcess is a process started by Exec.
type ExecProcess struct {
	sb    *sandbox.Container
	a     Attach
	stdin io.Reader
	died  func(code int) // records the exec_died event
}

// Pid is the process's PID as the caller sees it (the relay that joined
// the container and waits for the process).
func (p *ExecProcess) Pid() int { return p.sb.Pid }

// Wait copies a terminal's streams, when the process has one, and returns
// the process's exit code once it ends.
func (p *ExecProcess) Wait() (int, error) {
	var out sync.WaitGroup
	if pty := p.sb.Pty; pty != nil {
		if p.stdin != nil {
			go io.Copy(pty, p.stdin)
		}
		out.Add(1)
		go func() {
			defer out.Done()
			io.Copy(p.a.Stdout, pty) // ends with EIO once the process is gone
		}()
	}
	code, err := p.sb.Wait()
	if err == nil {
		p.died(code)
	}
	out.Wait()
	if p.sb.Pty != nil {
		p.sb.Pty.Close()
	}
	return code, err
}

// Signal sends sig to the process (through its relay).
func (p *ExecProcess) Signal(sig os.Signal) error { return p.sb.Signal(sig) }

// Resize sets the size of the process's terminal, when it has one.
func (p *ExecProcess) Resize(rows, cols uint16) error {
	if p.sb.Pty == nil {
		return nil
	}
	return unix.IoctlSetWinsize(int(p.sb.Pty.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols})
}
