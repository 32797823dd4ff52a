package monitor

// #cgo CFLAGS: -Wall -Wextra -Wno-unused-parameter
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

	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
)

// Roles of the burrow binary that this package implements (docs/roles.md).
const (
	RoleMonitor = "monitor" // C only: monitor_linux.c
	RoleStart   = "start"   // StartMain
)

// Packet kinds of attach connections; the first byte of every packet.
const (
	pktStdin      = 0
	pktResize     = 1
	pktCloseStdin = 2
	pktStdout     = 3
	pktStderr     = 4
	pktExit       = 5
	pktStarted    = 6
)

// Options describe the container to run.
type Options struct {
	ID       string // container ID, passed to the cleanup command
	Dir      string // run directory: attach socket, pid and exit files
	LogPath  string // where the output goes, k8s-file format
	SpecPath string // the OCI spec the starter runs
	TTY      bool   // the spec asks for a terminal
	Stdin    bool   // keep the container's stdin open for attach clients
	Attach   bool   // return a connection attached from before the process starts
}

// Started is a running container under its monitor.
type Started struct {
	Pid        int     // the container's init, as seen from burrow's namespace
	MonitorPid int     // the monitor process
	Conn       *Client // set when Options.Attach was
}

// Start spawns the monitor and returns once the container's process runs or
// failed to start. Start errors keep their class (126, 127 for the command).
func Start(o Options) (*Started, error) {
	syncR, syncW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer syncR.Close()
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	defer devnull.Close()
	cmd := exec.Command("/proc/self/exe")
	cmd.Args = []string{"burrow-monitor"}
	cmd.Env = append(os.Environ(),
		"_BURROW_ROLE="+RoleMonitor,
		"_BURROW_MON_ID="+o.ID,
		"_BURROW_MON_DIR="+o.Dir,
		"_BURROW_MON_LOG="+o.LogPath,
		"_BURROW_MON_SPEC="+o.SpecPath,
		"_BURROW_MON_TTY="+boolEnv(o.TTY),
		"_BURROW_MON_STDIN="+boolEnv(o.Stdin),
	)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, devnull, devnull
	cmd.ExtraFiles = []*os.File{syncW}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var client *Client
	if o.Attach {
		pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			syncW.Close()
			return nil, fmt.Errorf("creating the attach connection: %w", err)
		}
		theirs := os.NewFile(uintptr(pair[1]), "attach")
		defer theirs.Close()
		ours := os.NewFile(uintptr(pair[0]), "attach")
		conn, err := net.FileConn(ours)
		ours.Close()
		if err != nil {
			syncW.Close()
			return nil, err
		}
		client = &Client{conn: conn.(*net.UnixConn)}
		cmd.ExtraFiles = append(cmd.ExtraFiles, theirs)
		cmd.Env = append(cmd.Env, "_BURROW_MON_CLIENT_FD=4")
	}
	if err := cmd.Start(); err != nil {
		syncW.Close()
		return nil, fmt.Errorf("starting the container monitor: %w", err)
	}
	syncW.Close()
	monPid := cmd.Process.Pid
	// The monitor outlives us; nobody here waits for it.
	cmd.Process.Release()

	line, rerr := bufio.NewReader(syncR).ReadString('\n')
	line = strings.TrimSpace(line)
	if pid, ok := strings.CutPrefix(line, "pid "); ok {
		n, err := strconv.Atoi(pid)
		if err == nil && n > 0 {
			return &Started{Pid: n, MonitorPid: monPid, Conn: client}, nil
		}
	}
	if client != nil {
		client.Close()
	}
	// The monitor exits after a failed start; reap it.
	var ws unix.WaitStatus
	unix.Wait4(monPid, &ws, 0, nil)
	if msg, ok := strings.CutPrefix(line, "error "); ok {
		return nil, decodeError(msg)
	}
	if rerr != nil && line == "" {
		return nil, errors.New("the container monitor exited without starting the container")
	}
	return nil, fmt.Errorf("unexpected report from the container monitor: %q", line)
}

func boolEnv(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// encodeError and decodeError carry an error class across the starter's
// report: "CLASS MESSAGE" with the class as a number.
func encodeError(err error) string {
	msg := strings.ReplaceAll(err.Error(), "\n", " ")
	return fmt.Sprintf("error %d %s\n", int(errdefs.ClassOf(err)), msg)
}

func decodeError(s string) error {
	num, msg, ok := strings.Cut(s, " ")
	n, err := strconv.Atoi(num)
	if !ok || err != nil {
		return errors.New(s)
	}
	return errdefs.WithClass(errdefs.Class(n), errors.New(msg))
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
		n := min(len(p), 32768)
		if _, err := c.conn.Write(append([]byte{pktStdin}, p[:n]...)); err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
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
	buf := make([]byte, 32768)
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
	buf := make([]byte, 32769)
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

// Exit reads the exit file a monitor leaves in dir: the exit code and when.
// ok is false while there is none (the container still runs, or its
// monitor died).
func Exit(dir string) (code int, at time.Time, ok bool) {
	b, err := os.ReadFile(filepath.Join(dir, "exit"))
	if err != nil {
		return 0, time.Time{}, false
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return 0, time.Time{}, false
	}
	code, err1 := strconv.Atoi(f[0])
	ns, err2 := strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, time.Time{}, false
	}
	return code, time.Unix(0, ns), true
}
