package main

import (
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/console"
	"github.com/burrow-containers/burrow/engine"
)

// forwarded are the signals the CLI passes on to a foreground process, as
// podman's --sig-proxy does: every one it can catch but SIGCHLD and SIGPIPE
// (the CLI's own), SIGURG (the Go runtime's preemption), SIGWINCH (a
// terminal's size, passed as a resize) and the C library's 32 and 33.
// Catching SIGINT and SIGHUP also undoes their being ignored from the
// start, as bash does for a background job.
var forwarded = func() []os.Signal {
	var sigs []os.Signal
	for s := unix.Signal(1); s <= 64; s++ {
		switch s {
		case unix.SIGKILL, unix.SIGSTOP, unix.SIGCHLD, unix.SIGPIPE, unix.SIGURG, unix.SIGWINCH, 32, 33:
			continue
		}
		sigs = append(sigs, s)
	}
	return sigs
}()

// userStreams are the user's stdio for a foreground process; stdin only
// when it is to be attached.
func userStreams(stdin bool) engine.Attach {
	a := engine.Attach{Stdout: os.Stdout, Stderr: os.Stderr, ConsoleSize: consoleSize()}
	if stdin {
		a.Stdin = os.Stdin
	}
	return a
}

// detachFlag is --detach-keys of the commands that attach to a container.
type detachFlag struct {
	DetachKeys *string `name:"detach-keys" help:"Keys that detach from the container and leave it running: ctrl-<a-z@[\\]^_> or a-z, comma-separated, \"\" for none (default: containers.conf's detach_keys, ctrl-p,ctrl-q)."`
}

// detachKeys are the keys that detach, for the attach of a.
func (f detachFlag) detachKeys(eng *engine.Engine, a *engine.Attach) error {
	keys := eng.DefaultDetachKeys()
	if f.DetachKeys != nil {
		keys = *f.DetachKeys
	}
	var err error
	a.DetachKeys, err = engine.ParseDetachKeys(keys)
	return err
}

// consoleSize is the user's terminal size, nil when stdin is no terminal.
func consoleSize() *specs.Box {
	if rows, cols, ok := console.Size(os.Stdin); ok {
		return &specs.Box{Height: uint(rows), Width: uint(cols)}
	}
	return nil
}

// foreground connects the user's terminal and signals to p until it ends:
// raw mode and its size changes when p has a terminal, and, through
// proxy (nil: none), the signals the CLI receives. It returns p's exit
// code.
func foreground(p engine.Attached, tty bool, proxy *sigProxy) (int, error) {
	defer attachedGC()() // it stays as long as the container: Go's default heap bound
	defer proxy.forward(p)()
	restore := func() {}
	if tty {
		restore = console.Raw(os.Stdin, func(rows, cols uint16) { p.Resize(rows, cols) })
	}
	code, err := p.Wait()
	restore()
	return code, err
}
