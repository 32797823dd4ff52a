package main

import (
	"os"
	"os/signal"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/console"
	"github.com/burrow-containers/burrow/engine"
)

// forwarded are the signals the CLI passes on to a foreground process, as
// podman's --sig-proxy does.
var forwarded = []os.Signal{
	unix.SIGINT, unix.SIGTERM, unix.SIGHUP, unix.SIGQUIT, unix.SIGUSR1, unix.SIGUSR2,
	unix.SIGALRM, unix.SIGCONT, unix.SIGPROF, unix.SIGVTALRM, unix.SIGXCPU, unix.SIGXFSZ,
}

// userStreams are the user's stdio for a foreground process; stdin only
// when it is to be attached.
func userStreams(stdin bool) engine.Attach {
	a := engine.Attach{Stdout: os.Stdout, Stderr: os.Stderr, ConsoleSize: consoleSize()}
	if stdin {
		a.Stdin = os.Stdin
	}
	return a
}

// consoleSize is the user's terminal size, nil when stdin is no terminal.
func consoleSize() *specs.Box {
	if rows, cols, ok := console.Size(os.Stdin); ok {
		return &specs.Box{Height: uint(rows), Width: uint(cols)}
	}
	return nil
}

// foreground connects the user's terminal and signals to p until it ends:
// raw mode and its size changes when p has a terminal, and the signals the
// CLI receives. It returns p's exit code.
func foreground(p engine.Attached, tty bool) (int, error) {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwarded...)
	defer signal.Stop(sigs)
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case s := <-sigs:
				p.Signal(s)
			case <-done:
				return
			}
		}
	}()
	restore := func() {}
	if tty {
		restore = console.Raw(os.Stdin, func(rows, cols uint16) { p.Resize(rows, cols) })
	}
	code, err := p.Wait()
	restore()
	return code, err
}
