package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/moby/term"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/monitor"
	"github.com/burrow-containers/burrow/timing"
)

// Attach is the caller's side of a foreground process: its streams, and
// the size of its terminal when the process gets one.
type Attach struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// ConsoleSize is the terminal's size at the start (nil: unknown).
	ConsoleSize *specs.Box
	// PreserveFDs are descriptors of the caller that a container run in
	// the foreground gets as its 3, 4, ... (--preserve-fds).
	PreserveFDs []int
	// Env are variables the process gets for this start only
	// (StartOptions.Env).
	Env []string
	// DetachKeys, read on Stdin, end the attachment and leave the
	// container running (--detach-keys; nil: no sequence detaches).
	DetachKeys []byte
}

// ErrDetached is what Wait returns when the caller typed the detach keys:
// the container goes on, its exit recorded by its monitor.
var ErrDetached = errors.New("detached from the container")

// DefaultDetachKeys is containers.conf's detach_keys, else podman's
// ctrl-p,ctrl-q.
func (e *Engine) DefaultDetachKeys() string {
	if c, err := e.conf(); err == nil && c.Engine.DetachKeys != "" {
		return c.Engine.DetachKeys
	}
	return "ctrl-p,ctrl-q"
}

// ParseDetachKeys reads a --detach-keys sequence (ctrl-p,ctrl-q; "" for
// none) as the bytes to watch for.
func ParseDetachKeys(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	b, err := term.ToBytes(s)
	if err != nil {
		return nil, errdefs.Invalid(fmt.Errorf("invalid detach keys %q: %w: give keys such as ctrl-p,ctrl-q", s, err))
	}
	return b, nil
}

// Attached is a process the caller is attached to: a container run or
// started in the foreground, or an exec. The engine copies the streams;
// the caller owns the user's terminal (raw mode, its size) and the
// signals it receives, and passes them on through Resize and Signal.
type Attached interface {
	// Wait copies the streams until the process ends and returns its exit
	// code; for a container, once its exit is recorded.
	Wait() (int, error)
	// Signal sends sig to the process.
	Signal(sig os.Signal) error
	// Resize sets the size of the process's terminal, when it has one.
	Resize(rows, cols uint16) error
}

// RunAttached creates and starts a container in the foreground, connected
// to a. The caller then calls Wait on the result; on an error after the
// container was made, that container is returned too (removed already when
// it was to be removed).
func (e *Engine) RunAttached(ctx context.Context, c Config, a Attach, pull PullFunc) (*Container, Attached, error) {
	ctr, conn, err := e.Run(ctx, c, pull, StartOptions{Attach: true, ConsoleSize: a.ConsoleSize, PreserveFDs: a.PreserveFDs, Env: a.Env})
	if err != nil {
		if ctr != nil && c.Remove {
			e.Remove(ctx, ctr, RemoveOptions{Force: true, Timeout: new(time.Duration)})
		}
		return ctr, nil, err
	}
	return ctr, &attachedContainer{e: e, ctx: ctx, ctr: ctr, conn: conn, a: a}, nil
}

// StartAttached starts a container with the caller attached to it (`run`
// without -d, `start -a`); a container that runs already is attached to,
// as podman's start -a does.
func (e *Engine) StartAttached(ctx context.Context, ctr *Container, a Attach) (Attached, error) {
	conn, err := e.Start(ctr, StartOptions{Attach: true, ConsoleSize: a.ConsoleSize, PreserveFDs: a.PreserveFDs, Env: a.Env})
	if err != nil {
		return nil, err
	}
	if conn == nil {
		if conn, err = e.Attach(ctr); err != nil {
			return nil, err
		}
	}
	return &attachedContainer{e: e, ctx: ctx, ctr: ctr, conn: conn, a: a}, nil
}

// AttachRunning attaches the caller to a container that runs (`attach`):
// its output from now on, its stdin when it keeps one open.
func (e *Engine) AttachRunning(ctx context.Context, ctr *Container, a Attach) (Attached, error) {
	if !ctr.Running() {
		return nil, errdefs.Conflict(fmt.Errorf("you can only attach to running containers: %s is %s", ctr.Name, ctr.State.Status))
	}
	conn, err := e.Attach(ctr)
	if err != nil {
		return nil, err
	}
	return &attachedContainer{e: e, ctx: ctx, ctr: ctr, conn: conn, a: a}, nil
}

// attachedContainer is a started container's monitor connection.
type attachedContainer struct {
	e    *Engine
	ctx  context.Context
	ctr  *Container
	conn *monitor.Client
	a    Attach
}

func (p *attachedContainer) Wait() (int, error) {
	defer p.conn.Close()
	tty := p.ctr.Config.TTY
	var detached atomic.Bool
	if p.ctr.Config.Interactive && p.a.Stdin != nil {
		stdin := p.a.Stdin
		if len(p.a.DetachKeys) > 0 {
			stdin = &detachReader{r: term.NewEscapeProxy(stdin, p.a.DetachKeys), detach: func() {
				detached.Store(true)
				p.conn.Close() // Output returns; the monitor goes on alone
			}}
		}
		// Not waited for: reading the caller's stdin may block past the end.
		go p.conn.CopyStdin(stdin, !tty)
	}
	code, err := p.conn.Output(p.a.Stdout, p.a.Stderr)
	timing.Mark("container exited (its output copied)")
	if detached.Load() {
		return 0, ErrDetached
	}
	if errors.Is(err, monitor.ErrDetached) {
		// The monitor went away (killed): fall back to watching the process.
		code, err = p.e.Wait(p.ctx, p.ctr)
	}
	if err != nil {
		return code, err
	}
	if err := p.e.Cleanup(p.ctr.ID); err != nil {
		return code, err
	}
	timing.Mark("cleanup: exit recorded, container removed")
	p.conn.Cleaned()
	return code, nil
}

func (p *attachedContainer) Signal(sig os.Signal) error {
	s, ok := sig.(unix.Signal)
	if !ok {
		return errors.New("not a signal of this system")
	}
	return signalInit(&p.ctr.State, s)
}

func (p *attachedContainer) Resize(rows, cols uint16) error {
	return p.conn.Resize(rows, cols)
}

// detachReader calls detach when the escape proxy under it read the detach
// keys, before CopyStdin sees the error.
type detachReader struct {
	r      io.Reader
	detach func()
}

func (d *detachReader) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if errors.As(err, new(term.EscapeError)) {
		d.detach()
	}
	return n, err
}
