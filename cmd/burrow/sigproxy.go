package main

import (
	"os"
	"os/signal"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/engine"
)

// sigProxy passes the signals the CLI receives on to the foreground
// process (--sig-proxy). Catching them is slow: os/signal hands each of
// the sixty-odd signals to the runtime's signal thread and back, some
// milliseconds on a machine busy starting a container, which in the
// foreground's own path held the container's first output back by up to
// 10 ms. So a command starts catching them as it starts, beside the
// container's start, and foreground waits for that only before it shows
// any output (a script that sees the container's first line may signal
// the CLI at once, and the signal must reach the container).
type sigProxy struct {
	sigs    chan os.Signal
	caught  chan struct{} // closed once every forwarded signal is caught
	ignored map[os.Signal]bool

	mu     sync.Mutex
	target engine.Attached // nil until the process runs, and after it ends
}

// startSigProxy starts catching the forwarded signals (nil when the
// command does not proxy them). A signal received before there is a
// process to pass it to does what it would have done uncaught.
func startSigProxy(on bool) *sigProxy {
	if !on {
		return nil
	}
	p := &sigProxy{sigs: make(chan os.Signal, 64), caught: make(chan struct{}), ignored: map[os.Signal]bool{}}
	for _, s := range forwarded {
		if signal.Ignored(s) {
			p.ignored[s] = true
		}
	}
	go func() {
		signal.Notify(p.sigs, forwarded...)
		close(p.caught)
	}()
	go p.relay()
	return p
}

// relay passes each signal on, or gives it its uncaught effect.
func (p *sigProxy) relay() {
	for s := range p.sigs {
		p.mu.Lock()
		t := p.target
		p.mu.Unlock()
		switch {
		case t != nil:
			t.Signal(s)
		case p.ignored[s]:
			// ignored from the start (a background job's SIGINT): still
			// nothing until there is a process to pass it to
		default:
			signal.Reset(s)
			unix.Kill(os.Getpid(), s.(unix.Signal))
		}
	}
}

// forward passes the signals on to t from now on, once they are all
// caught; the returned function ends that.
func (p *sigProxy) forward(t engine.Attached) (stop func()) {
	if p == nil {
		return func() {}
	}
	<-p.caught
	p.mu.Lock()
	p.target = t
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		p.target = nil
		p.mu.Unlock()
		signal.Stop(p.sigs)
	}
}
