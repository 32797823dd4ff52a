package monitor

// #cgo CFLAGS: -Wall -Wextra -Wno-unused-parameter
// #include "packets.h"
import "C"

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/burrow-containers/burrow/reap"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/roles"
	"github.com/burrow-containers/burrow/sandbox"
)

// Packet kinds of attach connections, the first byte of every packet, as
// packets.h defines them for the monitor.
const (
	pktStdin      = C.MON_PKT_STDIN
	pktResize     = C.MON_PKT_RESIZE
	pktCloseStdin = C.MON_PKT_CLOSE_STDIN
	pktStdout     = C.MON_PKT_STDOUT
	pktStderr     = C.MON_PKT_STDERR
	pktExit       = C.MON_PKT_EXIT
	pktCleaned    = C.MON_PKT_CLEANED
	pktCleaning   = C.MON_PKT_CLEANING
	// pktMax is the largest body of a packet.
	pktMax = C.MON_PKT_MAX
)

// Options describe the container to run. Its spec goes to the init
// through Pending.SendSpec.
type Options struct {
	ID  string     // container ID, passed to the cleanup command
	Dir string     // run directory: attach socket, pid and exit files
	Log LogOptions // where the output goes
	// CloneFlags are the namespaces to create (sandbox.CloneFlags).
	CloneFlags uintptr
	// UIDMap and GIDMap are the ID maps of the container's own user
	// namespace, with CLONE_NEWUSER in CloneFlags: container IDs to IDs
	// of burrow's namespace. NetNS is then the network namespace made
	// beforehand, which the monitor enters for the clone ("" for none).
	UIDMap, GIDMap []specs.LinuxIDMapping
	NetNS          string
	// Join are namespaces (their /proc/PID/ns files) the init is cloned
	// in instead of new ones: a pod's IPC, UTS, PID or cgroup namespace,
	// held by its infra container.
	Join []string
	// Hold are descriptors the monitor keeps open for the container's
	// life and closes when it ends (the exit descriptors of the
	// container's network helpers). The caller closes its own copies.
	Hold   []*os.File
	TTY    bool // the spec asks for a terminal
	Stdin  bool // keep the container's stdin open for attach clients
	Attach bool // return a connection attached from before the process starts
	// HealthInterval, when positive, has the monitor run `burrow
	// healthcheck run ID` that often while the container runs.
	HealthInterval time.Duration
	// Timeout kills the container once it has run this long (its exit
	// code is then -1); 0: never.
	Timeout time.Duration
}

// LogOptions say where a container's output goes: to a log in the
// k8s-file format (Path), to none (Path empty), or straight to the
// caller's own stdio (Passthrough).
type LogOptions struct {
	Path string
	// MaxSize, when positive, bounds the log: a record that would take
	// it past MaxSize bytes starts a new, empty log, as conmon's
	// log-size-max does.
	MaxSize int64
	// Passthrough gives the container the caller's stdin, stdout and
	// stderr; none of them may be a terminal (the container could type
	// into it with TIOCSTI).
	Passthrough bool
}

// Started is a running container under its monitor.
type Started struct {
	Pid        int     // the container's init, as seen from burrow's namespace
	MonitorPid int     // the monitor process
	Conn       *Client // set when Options.Attach was
}

// Pending is a monitor spawned and not yet reported.
type Pending struct {
	// spec is the socket the container's init (already starting) reads
	// its spec from: SendSpec.
	spec *os.File

	pid    int
	sync   *os.File
	rd     *bufio.Reader
	init   int
	client *Client
	early  string // a report read by Init in place of the init's PID
}

// Init returns the PID of the container's init, cloned and waiting for its
// spec: the moment to place it in a cgroup.
func (p *Pending) Init() (int, error) {
	if p.init > 0 {
		return p.init, nil
	}
	line, err := p.rd.ReadString('\n')
	line = strings.TrimSpace(line)
	if n, ok := strings.CutPrefix(line, "init "); ok {
		if pid, err := strconv.Atoi(n); err == nil && pid > 0 {
			p.init = pid
			return pid, nil
		}
	}
	if err == nil {
		p.early = line
	}
	return 0, fmt.Errorf("the container monitor did not start the container's init: %s", line)
}

// Spawn starts the monitor; Wait reports how the container's start went.
func Spawn(o Options) (_ *Pending, err error) {
	stdio, err := monitorStdio(o.Log)
	if err != nil {
		return nil, err
	}
	defer closeAll(stdio)
	syncR, syncW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer syncW.Close()
	p := &Pending{sync: syncR, rd: bufio.NewReader(syncR)}
	var theirs []*os.File
	defer func() {
		closeAll(theirs)
		if err != nil {
			p.close()
		}
	}()
	// The monitor execs the container's init from its own binary: a
	// read-only one (sandbox.Executable).
	exe, err := sandbox.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Args = []string{"burrow-monitor"}
	cmd.Env = monitorEnv(o)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdio[0], stdio[1], stdio[2]
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.ExtraFiles = []*os.File{syncW}
	// pass hands the monitor a descriptor, named by a variable.
	pass := func(f *os.File, name string) {
		theirs = append(theirs, f)
		cmd.ExtraFiles = append(cmd.ExtraFiles, f)
		cmd.Env = append(cmd.Env, name+"="+strconv.Itoa(2+len(cmd.ExtraFiles)))
	}
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("creating the spec socket: %w", err)
	}
	p.spec = os.NewFile(uintptr(pair[0]), "spec")
	pass(os.NewFile(uintptr(pair[1]), "spec"), "_BURROW_MON_SPEC_FD")
	if o.Attach {
		var f *os.File
		if p.client, f, err = attachPair(); err != nil {
			return nil, err
		}
		pass(f, "_BURROW_MON_CLIENT_FD")
	}
	if len(o.Hold) > 0 {
		cmd.Env = append(cmd.Env, "_BURROW_MON_HOLD_FD="+strconv.Itoa(3+len(cmd.ExtraFiles)),
			"_BURROW_MON_HOLD_COUNT="+strconv.Itoa(len(o.Hold)))
		cmd.ExtraFiles = append(cmd.ExtraFiles, o.Hold...)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the container monitor: %w", err)
	}
	p.pid = cmd.Process.Pid
	// The monitor outlives us; Wait reaps it only when it fails.
	cmd.Process.Release()
	return p, nil
}

// monitorEnv is the monitor's environment: the caller's, without a
// monitor's own variables (a cleanup that restarts the container runs with
// them), and the inputs of docs/monitor.md.
func monitorEnv(o Options) []string {
	env := append(environWithout("_BURROW_MON_"),
		roles.Env+"="+roles.Monitor,
		"_BURROW_MON_ID="+o.ID,
		"_BURROW_MON_DIR="+o.Dir,
		"_BURROW_MON_LOG="+o.Log.Path,
		"_BURROW_MON_LOG_MAX="+strconv.FormatInt(max(o.Log.MaxSize, 0), 10),
		"_BURROW_MON_PASSTHROUGH="+boolEnv(o.Log.Passthrough),
		"_BURROW_MON_CLONEFLAGS="+strconv.FormatUint(uint64(o.CloneFlags), 10),
		"_BURROW_MON_TTY="+boolEnv(o.TTY),
		"_BURROW_MON_STDIN="+boolEnv(o.Stdin),
		"_BURROW_MON_HEALTH_MS="+strconv.FormatInt(o.HealthInterval.Milliseconds(), 10),
		"_BURROW_MON_TIMEOUT="+strconv.FormatInt(int64(o.Timeout/time.Second), 10),
	)
	if o.CloneFlags&unix.CLONE_NEWUSER != 0 {
		env = append(env, "_BURROW_MON_UIDMAP="+formatIDMap(o.UIDMap),
			"_BURROW_MON_GIDMAP="+formatIDMap(o.GIDMap), "_BURROW_MON_NETNS="+o.NetNS)
	}
	if len(o.Join) > 0 {
		env = append(env, "_BURROW_MON_JOIN="+strings.Join(o.Join, ","))
	}
	return env
}

// monitorStdio is what the monitor gets as stdin, stdout and stderr:
// /dev/null, or with the passthrough log driver the caller's own, which
// the monitor hands to the container. Those must not be a terminal: the
// container could type into it (TIOCSTI), as podman refuses too.
func monitorStdio(o LogOptions) ([]*os.File, error) {
	if o.Passthrough {
		var out []*os.File
		for _, f := range []*os.File{os.Stdin, os.Stdout, os.Stderr} {
			if _, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS); err == nil {
				closeAll(out)
				return nil, errdefs.Invalid(fmt.Errorf("the passthrough log driver cannot hand a terminal (%s) to the container: redirect it, or use --log-driver k8s-file", f.Name()))
			}
			d, err := unix.Dup(int(f.Fd()))
			if err != nil {
				closeAll(out)
				return nil, fmt.Errorf("passing %s to the container: %w", f.Name(), err)
			}
			unix.CloseOnExec(d)
			out = append(out, os.NewFile(uintptr(d), f.Name()))
		}
		return out, nil
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	return []*os.File{devnull, devnull, devnull}, nil
}

// attachPair is an attach connection made before the monitor starts: the
// caller's client, and the end the monitor gets.
func attachPair() (*Client, *os.File, error) {
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("creating the attach connection: %w", err)
	}
	theirs := os.NewFile(uintptr(pair[1]), "attach")
	ours := os.NewFile(uintptr(pair[0]), "attach")
	conn, err := net.FileConn(ours)
	ours.Close()
	if err != nil {
		theirs.Close()
		return nil, nil, err
	}
	return &Client{conn: conn.(*net.UnixConn)}, theirs, nil
}

// close lets go of what a Pending holds, when Spawn fails.
func (p *Pending) close() {
	p.sync.Close()
	if p.spec != nil {
		p.spec.Close()
		p.spec = nil
	}
	if p.client != nil {
		p.client.Close()
	}
}

func closeAll(files []*os.File) {
	seen := map[*os.File]bool{}
	for _, f := range files {
		if !seen[f] {
			seen[f] = true
			f.Close()
		}
	}
}

// formatIDMap is a map in the monitor's form: "C H S" entries joined by
// commas.
func formatIDMap(m []specs.LinuxIDMapping) string {
	var parts []string
	for _, e := range m {
		parts = append(parts, fmt.Sprintf("%d %d %d", e.ContainerID, e.HostID, e.Size))
	}
	return strings.Join(parts, ",")
}

// SendSpec sends the container's spec to its init, with trees: detached
// mount trees (open_tree) that the init attaches in its own mount
// namespace. Either the root filesystem's alone, made after the init's
// mount namespace was, or for a container with its own user namespace the
// root's and its bind sources' (sandbox.OpenTrees).
func (p *Pending) SendSpec(spec []byte, trees ...int) error {
	if p.spec == nil {
		return errors.New("the spec was sent already")
	}
	defer func() {
		p.spec.Close()
		p.spec = nil
	}()
	var oob []byte
	if len(trees) > 0 {
		oob = unix.UnixRights(trees...)
	}
	fd := int(p.spec.Fd())
	n, err := unix.SendmsgN(fd, spec, oob, nil, 0)
	for err == nil && n < len(spec) {
		spec = spec[n:]
		n, err = unix.Write(fd, spec)
	}
	return err
}

// Abort gives up on a pending start: the init gets no spec and exits, and
// so does the monitor.
func (p *Pending) Abort() {
	p.Wait()
}

// Wait returns once the container's process runs or failed to start.
func (p *Pending) Wait() (*Started, error) {
	if p.spec != nil {
		p.spec.Close() // whatever the caller did not send, it will not
		p.spec = nil
	}
	defer p.sync.Close()
	var line string
	var rerr error
	if p.early != "" {
		line = p.early
	} else {
		if p.init == 0 {
			p.Init() // the init line comes first
		}
		if p.early != "" {
			line = p.early
		} else {
			line, rerr = p.rd.ReadString('\n')
			line = strings.TrimSpace(line)
		}
	}
	if pid, ok := strings.CutPrefix(line, "pid "); ok {
		n, err := strconv.Atoi(pid)
		if err == nil && n > 0 {
			// A long-lived spawner (the API service) takes the
			// monitor's end, so that no zombie stays behind it.
			reap.Later(p.pid)
			return &Started{Pid: n, MonitorPid: p.pid, Conn: p.client}, nil
		}
	}
	if p.client != nil {
		p.client.Close()
	}
	// The monitor exits after a failed start; reap it.
	var ws unix.WaitStatus
	unix.Wait4(p.pid, &ws, 0, nil)
	if msg, ok := strings.CutPrefix(line, "error "); ok {
		return nil, decodeError(msg)
	}
	if rerr != nil && line == "" {
		return nil, errors.New("the container monitor exited without starting the container")
	}
	return nil, fmt.Errorf("unexpected report from the container monitor: %q", line)
}

// environWithout is the environment without variables of the prefix (a
// monitor's own, when its cleanup restarts the container).
func environWithout(prefix string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, prefix) {
			env = append(env, kv)
		}
	}
	return env
}

func boolEnv(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// decodeError turns the monitor's "KIND MESSAGE" report into an error of
// the class sandbox gives that kind (126 and 127 for the command).
func decodeError(s string) error {
	kind, msg, _ := strings.Cut(s, " ")
	return sandbox.ErrorOfKind(kind, msg)
}

// Client is an attach connection to a monitor.
type Client struct {
	conn *net.UnixConn
}

// Dial attaches to the monitor of the container whose run directory is dir.
func Dial(dir string) (*Client, error) {
	// sun_path holds 108 bytes; reach the socket through a descriptor of
	// its directory so that a long run root does not matter.
	d, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	path := fmt.Sprintf("/proc/self/fd/%d/attach", d.Fd())
	conn, err := net.DialUnix("unixpacket", nil, &net.UnixAddr{Name: path, Net: "unixpacket"})
	if err != nil {
		if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
			return nil, errdefs.Conflict(errors.New("the container is not running"))
		}
		return nil, fmt.Errorf("attaching: %w", err)
	}
	return &Client{conn: conn}, nil
}

// Close ends the connection; the container goes on.
func (c *Client) Close() error { return c.conn.Close() }

// SendStdin passes bytes to the container's stdin.
func (c *Client) SendStdin(p []byte) error {
	for len(p) > 0 {
		n := min(len(p), pktMax)
		if _, err := c.conn.Write(append([]byte{pktStdin}, p[:n]...)); err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

// Cleaned tells the monitor, after the exit, that this client has run the
// cleanup (engine.Cleanup), so the monitor need not.
func (c *Client) Cleaned() error {
	_, err := c.conn.Write([]byte{pktCleaned})
	return err
}

// Cleaning tells the monitor that this client will run the cleanup after
// the exit and say Cleaned: the monitor waits for that instead of running
// the cleanup command beside it (a stop).
func (c *Client) Cleaning() error {
	_, err := c.conn.Write([]byte{pktCleaning})
	return err
}

// WaitExit reads until the exit packet, dropping the output, and returns
// the exit code; an error when the connection ends first, or at the
// deadline.
func (c *Client) WaitExit(deadline time.Time) (int, error) {
	if err := c.conn.SetReadDeadline(deadline); err != nil {
		return -1, err
	}
	return c.Output(nil, nil)
}

// CloseStdin closes the container's stdin (when it has no terminal).
func (c *Client) CloseStdin() error {
	_, err := c.conn.Write([]byte{pktCloseStdin})
	return err
}

// Resize sets the container's terminal size.
func (c *Client) Resize(rows, cols uint16) error {
	b := make([]byte, 5)
	b[0] = pktResize
	binary.NativeEndian.PutUint16(b[1:], rows)
	binary.NativeEndian.PutUint16(b[3:], cols)
	_, err := c.conn.Write(b)
	return err
}

// CopyStdin forwards r to the container until r ends, then closes the
// container's stdin when closeAtEOF is set.
func (c *Client) CopyStdin(r io.Reader, closeAtEOF bool) {
	buf := make([]byte, pktMax)
	for {
		n, err := r.Read(buf)
		if n > 0 && c.SendStdin(buf[:n]) != nil {
			return
		}
		if err != nil {
			if closeAtEOF {
				c.CloseStdin()
			}
			return
		}
	}
}

// ErrDetached is returned by Output when the connection ended before the
// container did.
var ErrDetached = errors.New("detached from the container")

// Output copies the container's output to stdout and stderr until it exits,
// and returns its exit code.
func (c *Client) Output(stdout, stderr io.Writer) (int, error) {
	buf := make([]byte, 1+pktMax)
	for {
		n, err := c.conn.Read(buf)
		if n == 0 || err != nil {
			if err == nil || errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
				return -1, ErrDetached
			}
			return -1, err
		}
		switch buf[0] {
		case pktStdout:
			if stdout != nil {
				stdout.Write(buf[1:n])
			}
		case pktStderr:
			if stderr != nil {
				stderr.Write(buf[1:n])
			}
		case pktExit:
			if n >= 5 {
				return int(int32(binary.NativeEndian.Uint32(buf[1:5]))), nil
			}
			return -1, nil
		}
	}
}

// ExitStatus is what a monitor recorded of its container's end.
type ExitStatus struct {
	Code      int       // the exit code, 128+N for signal N
	At        time.Time // when the monitor saw the exit
	OOMKilled bool      // the kernel OOM-killed a process of the container's cgroup
}

// ReadExit reads the exit file a monitor leaves in dir ("CODE UNIXNANO
// OOM"). ok is false while there is none: the container still runs, or its
// monitor died before it saw the end.
func ReadExit(dir string) (st ExitStatus, ok bool) {
	b, err := os.ReadFile(filepath.Join(dir, "exit"))
	if err != nil {
		return st, false
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return st, false
	}
	code, err1 := strconv.Atoi(f[0])
	ns, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil {
		return st, false
	}
	return ExitStatus{Code: code, At: time.Unix(0, ns), OOMKilled: len(f) > 2 && f[2] == "1"}, true
}
