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
	ctr, err := e.Create(ctx, c, pull)
	if err != nil {
		return 0, err
	}
	code, err := e.StartAttached(ctx, ctr, a)
	if err != nil && c.Remove {
		e.Remove(ctx, ctr, true)
	}
	return code, err
}

// StartAttached starts a container with the user attached to it (`run`
// without -d, `start -a`), and returns its exit code once it ends and its
// exit is recorded.
func (e *Engine) StartAttached(ctx context.Context, ctr *Container, a Attach) (int, error) {
	tty := ctr.Config.TTY
	opts := StartOptions{Attach: true}
	if tty && a.Terminal != nil {
		if rows, cols, ok := console.Size(a.Terminal); ok {
			opts.ConsoleSize = &specs.Box{Height: uint(rows), Width: uint(cols)}
		}
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwarded...)
	defer signal.Stop(sigs)

	conn, err := e.Start(ctr, opts)
	if err != nil {
		return 0, err
	}
	if conn == nil {
		return 0, errors.New("the container is already running: use burrow attach or burrow logs -f")
	}
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
	return code, e.Cleanup(ctr.ID)
}
