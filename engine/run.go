package engine

import (
	"context"
	"io"
	"os"
	"os/signal"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/console"
	"github.com/burrow-containers/burrow/sandbox"
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
	if c.TTY && a.Terminal != nil {
		if rows, cols, ok := console.Size(a.Terminal); ok {
			ctr.Spec.Process.ConsoleSize = &specs.Box{Height: uint(rows), Width: uint(cols)}
		}
	}
	var stdin io.Reader
	if c.Interactive {
		stdin = a.Stdin
	}
	opts := sandbox.Options{}
	if !c.TTY {
		opts.Stdio = sandbox.Stdio{Stdin: stdin, Stdout: a.Stdout, Stderr: a.Stderr}
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwarded...)
	defer signal.Stop(sigs)

	sb, err := ctr.Start(opts)
	if err != nil {
		ctr.Cleanup(c.Remove)
		return 0, err
	}
	var session *console.Session
	if sb.Pty != nil {
		session = console.Attach(sb.Pty, a.Terminal, stdin, a.Stdout)
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
	if session != nil {
		session.Close()
	}
	if cerr := ctr.Cleanup(c.Remove); err == nil {
		err = cerr
	}
	return code, err
}
