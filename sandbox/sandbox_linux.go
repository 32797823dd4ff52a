package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
)

// EnvRole is the variable that selects the burrow binary's role; the
// sandbox's child half runs as RoleInit.
const (
	EnvRole  = "_BURROW_ROLE"
	RoleInit = "init"
)

// Stdio is what the container's process reads and writes when the spec asks
// for no terminal. A nil Stdin gives it /dev/null. The container never gets
// the caller's own descriptors: everything goes through pipes, so that no
// host terminal or file is reachable from inside.
type Stdio struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// Options tune Start.
type Options struct {
	Stdio Stdio
	// BeforeStart, when set, runs once the namespaces and filesystem exist
	// and before the process execs; pid is the container's init as seen
	// from the caller. Networking and cgroups hook in here.
	BeforeStart func(pid int) error
}

// Container is a started container process.
type Container struct {
	// Pid is the container's PID 1 as seen from the caller.
	Pid int
	// Pty is the master side of the container's terminal when the spec
	// asked for one; the caller copies between it and the user.
	Pty *os.File

	cmd     *exec.Cmd
	copies  sync.WaitGroup
	waitErr error
	status  syscall.WaitStatus
	once    sync.Once
}

// CloneFlags returns the clone flags for the spec's new namespaces, for a
// parent half written elsewhere (the monitor's, in C). A namespace with a
// path (joining an existing one) is not supported yet, but for the network.
// A user namespace (CLONE_NEWUSER) is the container's own, nested in
// burrow's: the parent writes its ID maps (docs/userns.md).
func CloneFlags(spec *specs.Spec) (uintptr, error) { return namespaceFlags(spec) }

func namespaceFlags(spec *specs.Spec) (uintptr, error) {
	var flags uintptr
	if spec.Linux == nil {
		return 0, errdefs.Invalid(errors.New("spec has no linux section"))
	}
	for _, ns := range spec.Linux.Namespaces {
		if ns.Path != "" && ns.Type == specs.NetworkNamespace {
			continue // joined by init (setns), not created
		}
		if ns.Path != "" {
			return 0, errdefs.Invalid(fmt.Errorf("joining the %s namespace at %s is not supported", ns.Type, ns.Path))
		}
		switch ns.Type {
		case specs.PIDNamespace:
			flags |= unix.CLONE_NEWPID
		case specs.MountNamespace:
			flags |= unix.CLONE_NEWNS
		case specs.UTSNamespace:
			flags |= unix.CLONE_NEWUTS
		case specs.IPCNamespace:
			flags |= unix.CLONE_NEWIPC
		case specs.NetworkNamespace:
			flags |= unix.CLONE_NEWNET
		case specs.CgroupNamespace:
			// Made by init itself (unshare) once it has its spec, by
			// which time the caller has put it in its cgroup: the
			// namespace's root is then the container's own cgroup.
		case specs.UserNamespace:
			if len(spec.Linux.UIDMappings) == 0 || len(spec.Linux.GIDMappings) == 0 {
				return 0, errdefs.Invalid(errors.New("a user namespace needs UID and GID mappings"))
			}
			flags |= unix.CLONE_NEWUSER
		default:
			return 0, errdefs.Invalid(fmt.Errorf("unknown namespace type %q", ns.Type))
		}
	}
	if flags&unix.CLONE_NEWNS == 0 {
		return 0, errdefs.Invalid(errors.New("the spec must ask for a mount namespace"))
	}
	return flags, nil
}

// Start runs spec's process in a new container and returns once it has been
// executed (or failed to be: the error then has class ClassCommandNotFound or
// ClassCannotInvoke as podman's 127 and 126).
func Start(spec *specs.Spec, opts Options) (*Container, error) {
	if spec.Process == nil || len(spec.Process.Args) == 0 {
		return nil, errdefs.Invalid(errors.New("no command given: the image has none and none was passed"))
	}
	flags, err := namespaceFlags(spec)
	if err != nil {
		return nil, err
	}
	if flags&unix.CLONE_NEWUSER != 0 {
		// The user namespace's maps and the mount trees it needs are the
		// monitor's business (monitor_linux.c, engine.Start).
		return nil, errdefs.Invalid(errors.New("a container with its own user namespace starts under the monitor only"))
	}
	config, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	configR, configW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer configR.Close()
	defer configW.Close()
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("creating init socket: %w", err)
	}
	parentSock := pair[0]
	childSock := os.NewFile(uintptr(pair[1]), "init-socket")
	defer unix.Close(parentSock)
	defer childSock.Close()

	c := &Container{}
	cmd := exec.Command("/proc/self/exe")
	cmd.Args = []string{"burrow-init"}
	cmd.Env = []string{EnvRole + "=" + RoleInit}
	cmd.Dir = "/"
	cmd.ExtraFiles = []*os.File{configR, childSock}
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: flags}
	var closeAfterStart []*os.File
	if !spec.Process.Terminal {
		closeAfterStart, err = c.plumb(cmd, opts.Stdio)
		if err != nil {
			return nil, err
		}
	}
	c.cmd = cmd
	err = cmd.Start()
	for _, f := range closeAfterStart {
		f.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("starting container init: %w", err)
	}
	c.Pid = cmd.Process.Pid
	configR.Close()
	childSock.Close()
	if _, err := configW.Write(config); err != nil {
		return nil, c.abort(fmt.Errorf("sending the spec to container init: %w", err))
	}
	configW.Close()

	var initErr error
	started := false
	for {
		m, fds, err := recvMsg(parentSock)
		if err != nil {
			return nil, c.abort(fmt.Errorf("reading from container init: %w", err))
		}
		switch m.Type {
		case msgPty:
			if len(fds) != 1 {
				return nil, c.abort(errors.New("container init sent no terminal"))
			}
			c.Pty = os.NewFile(uintptr(fds[0]), "pty-master")
			continue
		case msgReady:
			if opts.BeforeStart != nil {
				if err := opts.BeforeStart(c.Pid); err != nil {
					return nil, c.abort(err)
				}
			}
			if err := sendMsg(parentSock, message{Type: msgStart}); err != nil {
				return nil, c.abort(fmt.Errorf("starting container process: %w", err))
			}
			started = true
			continue
		case msgError:
			initErr = classify(m)
			continue
		case "":
			// End of stream: the process was executed, or init died.
		default:
			return nil, c.abort(fmt.Errorf("unexpected init message %q", m.Type))
		}
		break
	}
	if initErr == nil && !started {
		initErr = errors.New("container init exited during set-up")
	}
	if initErr != nil {
		c.Wait()
		if c.Pty != nil {
			c.Pty.Close()
		}
		return nil, initErr
	}
	return c, nil
}

func classify(m message) error { return ErrorOfKind(m.Kind, m.Message) }

// ErrorOfKind makes the error an init or exec "error" message of kind
// stands for: not found and cannot invoke carry the classes of podman's
// 127 and 126. A parent half written elsewhere reports kind and message.
func ErrorOfKind(kind, msg string) error {
	err := errors.New(msg)
	switch kind {
	case kindNotFound:
		return errdefs.WithClass(errdefs.ClassCommandNotFound, err)
	case kindCannotInvoke:
		return errdefs.WithClass(errdefs.ClassCannotInvoke, err)
	}
	return err
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

// Signal sends sig to the container's PID 1.
func (c *Container) Signal(sig os.Signal) error {
	return c.cmd.Process.Signal(sig)
}

// Wait waits for the container's PID 1 to exit and for its output to be
// copied, and returns podman's exit code for it: its own exit status, or
// 128+N when signal N killed it.
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
	return ExitCode(c.status), nil
}

// ExitCode maps a wait status to podman's exit code.
func ExitCode(ws syscall.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}
