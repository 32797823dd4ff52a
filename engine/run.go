package engine

import (
	"context"
	"errors"
	"io"
	"os"
	"os/signal"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/console"
	"github.com/burrow-containers/burrow/monitor"
)

// Attach is the user's side of a foreground container.
type Attach struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Terminal is the user's terminal (for raw mode and its size) when the
	// container gets a tty.
	Terminal *os.File
}

// forwarded are the signals the CLI passes on to the container, as podman's
// --sig-proxy does.
var forwarded = []os.Signal{
	unix.SIGINT, unix.SIGTERM, unix.SIGHUP, unix.SIGQUIT, unix.SIGUSR1, unix.SIGUSR2,
	unix.SIGALRM, unix.SIGCONT, unix.SIGPROF, unix.SIGVTALRM, unix.SIGXCPU, unix.SIGXFSZ,
}

// RunAttached creates and starts a container in the foreground, connects it
// to the user, forwards signals and returns its exit code once it ends.
func (e *Engine) RunAttached(ctx context.Context, c Config, a Attach, pull PullFunc) (int, error) {
	ctr, conn, err := e.Run(ctx, c, pull, StartOptions{Attach: true, ConsoleSize: consoleSize(c.TTY, a)})
	if err != nil {
		if ctr != nil && c.Remove {
			e.Remove(ctx, ctr, true)
		}
		return 0, err
	}
	return e.attached(ctx, ctr, conn, a)
}

func consoleSize(tty bool, a Attach) *specs.Box {
	if tty && a.Terminal != nil {
		if rows, cols, ok := console.Size(a.Terminal); ok {
			return &specs.Box{Height: uint(rows), Width: uint(cols)}
		}
	}
	return nil
}

// StartAttached starts a container with the user attached to it (`run`
// without -d, `start -a`), and returns its exit code once it ends and its
// exit is recorded.
func (e *Engine) StartAttached(ctx context.Context, ctr *Container, a Attach) (int, error) {
	conn, err := e.Start(ctr, StartOptions{Attach: true, ConsoleSize: consoleSize(ctr.Config.TTY, a)})
	if err != nil {
		return 0, err
	}
	if conn == nil {
		return 0, errors.New("the container is already running: use burrow logs -f")
	}
	return e.attached(ctx, ctr, conn, a)
}

// attached connects the user to a started container until it exits.
func (e *Engine) attached(ctx context.Context, ctr *Container, conn *monitor.Client, a Attach) (int, error) {
	tty := ctr.Config.TTY
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwarded...)
	defer signal.Stop(sigs)
	defer conn.Close()
	restore := func() {}
	if tty {
		restore = console.Raw(a.Terminal, func(rows, cols uint16) { conn.Resize(rows, cols) })
	}
	defer restore()
	if ctr.Config.Interactive && a.Stdin != nil {
		// Not waited for: reading the user's stdin may block past the end.
		go conn.CopyStdin(a.Stdin, !tty)
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case s := <-sigs:
				signalInit(&ctr.State, s.(unix.Signal))
			case <-done:
				return
			}
		}
	}()
	stderr := a.Stderr
	code, err := conn.Output(a.Stdout, stderr)
	restore()
	if errors.Is(err, monitor.ErrDetached) {
		// The monitor went away (killed): fall back to watching the process.
		code, err = e.Wait(ctx, ctr)
	}
	if err != nil {
		return code, err
	}
	if err := e.Cleanup(ctr.ID); err != nil {
		return code, err
	}
	conn.Cleaned()
	return code, nil
}
