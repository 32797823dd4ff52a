package tests

import (
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// startOnPty starts `burrow ARGS...` with a new pty of the given size as its
// controlling terminal and stdio. It returns the process and the pty master.
func startOnPty(t testing.TB, rows, cols uint16, args ...string) (*liveBurrow, ptyMaster) {
	t.Helper()
	p := newLiveBurrow(t, args...)
	ptmx, err := pty.StartWithSize(p.cmd, &pty.Winsize{Rows: rows, Cols: cols})
	if err != nil {
		t.Fatalf("starting burrow on a pty: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	go func() {
		_, _ = io.Copy(p.out, ptmx) // ends with EIO once burrow is gone
		close(p.drained)
	}()
	p.afterStart(t)
	return p, ptyMaster{t, ptmx}
}

// ptyMaster is the test's end of the terminal burrow runs on.
type ptyMaster struct {
	t testing.TB
	f *os.File
}

// send types s on the terminal.
func (m ptyMaster) send(s string) {
	m.t.Helper()
	if _, err := io.WriteString(m.f, s); err != nil {
		m.t.Fatalf("writing %q to the pty: %v", s, err)
	}
}

func (m ptyMaster) resize(rows, cols uint16) {
	m.t.Helper()
	if err := pty.Setsize(m.f, &pty.Winsize{Rows: rows, Cols: cols}); err != nil {
		m.t.Fatalf("resizing the pty: %v", err)
	}
}

// waitForPrompt waits for busybox sh's interactive root prompt ("# ").
func waitForPrompt(t testing.TB, p *liveBurrow) {
	t.Helper()
	p.waitFor(t, "# ", 30*time.Second)
}

func TestPtyInteractiveShell(t *testing.T) {
	t.Parallel()
	p, term := startOnPty(t, 40, 100, "run", "--rm", "-it", busyboxImage(t), "sh")
	waitForPrompt(t, p)
	term.send("stty size; tty; exit 7\n")
	code := p.exitCode(t, 20*time.Second)
	out := p.out.String()
	if code != 7 {
		t.Errorf("exit code %d, want 7; output:\n%s", code, out)
	}
	for _, want := range []string{"40 100", "/dev/pts/0"} {
		if !strings.Contains(out, want) {
			t.Errorf("output does not contain %q:\n%s", want, out)
		}
	}
}

func TestPtyCtrlC(t *testing.T) {
	t.Parallel()
	if hostSignalIgnored(t, syscall.SIGINT) {
		t.Skip("SIGINT is ignored by the test process, so a non-interactive sh cannot trap it")
	}
	p, term := startOnPty(t, 24, 80, "run", "--rm", "-it", busyboxImage(t),
		"sh", "-c", `trap "echo got-int; exit 9" INT; echo ready; while :; do sleep 0.1; done`)
	p.waitFor(t, "ready", 30*time.Second)
	term.send("\x03")
	code := p.exitCode(t, 20*time.Second)
	out := p.out.String()
	if code != 9 {
		t.Errorf("after ctrl-c: exit code %d, want 9; output:\n%s", code, out)
	}
	if !strings.Contains(out, "got-int") {
		t.Errorf("ctrl-c did not reach the container as SIGINT; output:\n%s", out)
	}
}

func TestPtyResize(t *testing.T) {
	t.Parallel()
	p, term := startOnPty(t, 40, 100, "run", "--rm", "-it", busyboxImage(t), "sh")
	waitForPrompt(t, p)
	term.resize(30, 90)
	// The new size reaches the container asynchronously (SIGWINCH); ask a
	// few times.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(p.out.String(), "30 90") {
		if time.Now().After(deadline) {
			t.Fatalf("the container's terminal never got the new size 30x90; output:\n%s", p.out.String())
		}
		term.send("stty size\n")
		time.Sleep(300 * time.Millisecond)
	}
	term.send("exit 0\n")
	if code := p.exitCode(t, 20*time.Second); code != 0 {
		t.Errorf("exit code %d, want 0; output:\n%s", code, p.out.String())
	}
}

// TestPtyDetachAndAttach: ctrl-p ctrl-q detaches a terminal from `run -it`
// (exit 0, the container runs on); attach gives the terminal back, and the
// container's exit code is attach's.
func TestPtyDetachAndAttach(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	p, term := startOnPty(t, 24, 80, "run", "-it", "--name", name, busyboxImage(t), "sh")
	waitForPrompt(t, p)
	term.send("\x10\x11")
	if code := p.exitCode(t, 20*time.Second); code != 0 {
		t.Fatalf("after ctrl-p ctrl-q: exit code %d, want 0; output:\n%s", code, p.out.String())
	}
	if st := psStatus(t, name); !strings.HasPrefix(st, "Up") {
		t.Fatalf("after the detach the container is %q, want running", st)
	}
	a, term2 := startOnPty(t, 24, 80, "attach", name)
	term2.send("echo back-$((40+2)); exit 5\n")
	if code := a.exitCode(t, 20*time.Second); code != 5 {
		t.Errorf("attach: exit code %d, want the container's 5; output:\n%s", code, a.out.String())
	}
	if !strings.Contains(a.out.String(), "back-42") {
		t.Errorf("attach did not reach the shell; output:\n%s", a.out.String())
	}
}
