package sandbox

// #cgo CFLAGS: -Wall -Wextra
import "C"

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"

	"github.com/burrow-containers/burrow/roles"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// ExecOptions tune Exec.
type ExecOptions struct {
	// Seccomp is the container's filter, loaded before the exec.
	Seccomp *specs.LinuxSeccomp
	// FilterCache keeps the compiled filter for the next exec.
	FilterCache FilterCache
	Stdio       Stdio
	// Detach starts the process in a session of its own with /dev/null
	// as stdio, for a caller that does not attach to it.
	Detach bool
	// Place, when set, puts the exec process (by its host PID) where it
	// belongs before it enters the container: the container's cgroup.
	Place func(pid int) error
}

// Exec runs process p inside the namespaces of the running container whose
// init is pid, and returns once it has been executed (or failed to be, with
// the classes of Start). Wait returns its exit code.
func Exec(pid int, p *specs.Process, opts ExecOptions) (*Container, error) {
	if p == nil || len(p.Args) == 0 {
		return nil, errors.New("no command given to exec")
	}
	config, err := EncodeExec(p, opts.Seccomp, opts.FilterCache)
	if err != nil {
		return nil, fmt.Errorf("preparing the process to exec: %w", err)
	}
	configR, configW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer configR.Close()
	defer configW.Close()
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("creating exec socket: %w", err)
	}
	parentSock := pair[0]
	childSock := os.NewFile(uintptr(pair[1]), "exec-socket")
	defer unix.Close(parentSock)
	defer childSock.Close()

	exe, err := Executable()
	if err != nil {
		return nil, err
	}
	c := &Container{}
	cmd := exec.Command(exe)
	cmd.Args = []string{"burrow-exec"}
	// The exec role is C and runs no package init; HOME is set all the
	// same, so that none ever asks the C library for the user's home (in
	// the container's mount namespace that reads the container's
	// /etc/passwd and /etc/nsswitch.conf, which may be a FIFO to hang on
	// or name an NSS module from the image). The container's process gets
	// its environment from the plan, not from this one.
	cmd.Env = []string{roles.Env + "=" + roles.Exec, "_BURROW_EXEC_PID=" + strconv.Itoa(pid), "HOME=/"}
	cmd.Dir = "/"
	cmd.ExtraFiles = []*os.File{configR, childSock}
	var closeAfterStart []*os.File
	if opts.Detach {
		cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	} else if !p.Terminal {
		if closeAfterStart, err = c.plumb(cmd, opts.Stdio); err != nil {
			return nil, err
		}
	}
	c.cmd = cmd
	err = cmd.Start()
	for _, f := range closeAfterStart {
		f.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("starting exec: %w", err)
	}
	c.Pid = cmd.Process.Pid
	configR.Close()
	childSock.Close()
	// The child waits for its configuration before it forks into the
	// container: placed now, the process it forks is placed too.
	if opts.Place != nil {
		if err := opts.Place(c.Pid); err != nil {
			return nil, c.abort(err)
		}
	}
	if _, err := configW.Write(config); err != nil {
		return nil, c.abort(fmt.Errorf("sending the process to exec: %w", err))
	}
	configW.Close()

	var execErr error
	for {
		m, fds, err := recvMsg(parentSock)
		if err != nil {
			return nil, c.abort(fmt.Errorf("reading from exec: %w", err))
		}
		if m.Type == msgPty && len(fds) == 1 {
			c.Pty = os.NewFile(uintptr(fds[0]), "pty-master")
			continue
		}
		if m.Type == msgError {
			execErr = classify(m)
			continue
		}
		break // end of stream: the process was executed, or exec died
	}
	if execErr != nil {
		c.Wait()
		if c.Pty != nil {
			c.Pty.Close()
		}
		return nil, execErr
	}
	// Detached too, the caller waits (or exits and leaves the relay, which
	// exits with the process, to whoever reaps orphans).
	return c, nil
}

// Stdio is what the container's process reads and writes when the spec asks
// for no terminal. A nil Stdin gives it /dev/null. The container never gets
// the caller's own descriptors: everything goes through pipes, so that no
// host terminal or file is reachable from inside.
type Stdio struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// Container is a process started in a running container (Exec).
type Container struct {
	// Pid is the exec relay's PID, as seen from the caller: signals sent
	// to it reach the process (the relay forwards them).
	Pid int
	// Pty is the master side of the process's terminal when it asked for
	// one; the caller copies between it and the user.
	Pty *os.File

	cmd     *exec.Cmd
	copies  sync.WaitGroup
	waitErr error
	status  syscall.WaitStatus
	once    sync.Once
}

// plumb connects the process's stdio through pipes.
func (c *Container) plumb(cmd *exec.Cmd, s Stdio) (closeAfterStart []*os.File, err error) {
	if s.Stdin != nil {
		r, w, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		cmd.Stdin = r
		closeAfterStart = append(closeAfterStart, r)
		// Not waited for: reading the user's stdin may block past the
		// container's end.
		go func() {
			io.Copy(w, s.Stdin)
			w.Close()
		}()
	}
	out := func(dst io.Writer) (*os.File, error) {
		if dst == nil {
			return nil, nil
		}
		r, w, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		closeAfterStart = append(closeAfterStart, w)
		c.copies.Add(1)
		go func() {
			defer c.copies.Done()
			io.Copy(dst, r)
			r.Close()
		}()
		return w, nil
	}
	if cmd.Stdout, err = out(s.Stdout); err != nil {
		return nil, err
	}
	if cmd.Stderr, err = out(s.Stderr); err != nil {
		return nil, err
	}
	if cmd.Stdout == (*os.File)(nil) {
		cmd.Stdout = nil
	}
	if cmd.Stderr == (*os.File)(nil) {
		cmd.Stderr = nil
	}
	return closeAfterStart, nil
}

func (c *Container) abort(err error) error {
	c.cmd.Process.Kill()
	c.Wait()
	if c.Pty != nil {
		c.Pty.Close()
	}
	return err
}

// Signal sends sig to the process, through the relay.
func (c *Container) Signal(sig os.Signal) error {
	return c.cmd.Process.Signal(sig)
}

// Wait waits for the process to exit and for its output to be copied, and
// returns podman's exit code for it: its own exit status, or 128+N when
// signal N killed it.
func (c *Container) Wait() (int, error) {
	c.once.Do(func() {
		ps, err := c.cmd.Process.Wait()
		if err != nil {
			c.waitErr = fmt.Errorf("waiting for container: %w", err)
			return
		}
		c.status = ps.Sys().(syscall.WaitStatus)
		c.copies.Wait()
	})
	if c.waitErr != nil {
		return -1, c.waitErr
	}
	if c.status.Signaled() {
		return 128 + int(c.status.Signal()), nil
	}
	return c.status.ExitStatus(), nil
}
