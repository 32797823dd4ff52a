package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"go.podman.io/common/pkg/signal"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/monitor"
)

// signalInit sends sig to the container's init, making sure through a
// pidfd that the PID still is that process.
func signalInit(s *State, sig unix.Signal) error {
	fd, err := unix.PidfdOpen(s.Pid, 0)
	if err != nil {
		if errors.Is(err, unix.ESRCH) {
			return nil
		}
		return fmt.Errorf("opening process %d: %w", s.Pid, err)
	}
	defer unix.Close(fd)
	if procStart(s.Pid) != s.PidStart {
		return nil // gone, and the PID reused
	}
	if err := unix.PidfdSendSignal(fd, sig, nil, 0); err != nil && !errors.Is(err, unix.ESRCH) {
		return fmt.Errorf("sending %v to process %d: %w", sig, s.Pid, err)
	}
	return nil
}

// ParseSignal accepts a number or a name (KILL, SIGKILL, kill, with or
// without a leading dash), with podman's errors: 0 and unknown names are
// invalid signals, numbers outside 1..64 out of range.
func ParseSignal(s string) (unix.Signal, error) {
	sig, err := signal.ParseSignalNameOrNumber(s)
	if err != nil {
		return 0, errdefs.Invalid(err)
	}
	if sig < 1 || sig > 64 {
		return 0, errdefs.Invalid(errors.New("valid signals are 1 through 64"))
	}
	return unix.Signal(sig), nil
}

// Kill sends sig to a running container's init.
func (e *Engine) Kill(ctr *Container, sig unix.Signal) error {
	if !ctr.Running() {
		return errdefs.Conflict(fmt.Errorf("can only kill running containers: %s is %s", ctr.Name, ctr.State.Status))
	}
	if err := signalInit(&ctr.State, sig); err != nil {
		return err
	}
	e.recordContainerEvents(ctr, "kill")
	return nil
}

// waitNotRunning polls until the container no longer runs, or the deadline.
func (e *Engine) waitNotRunning(ctx context.Context, ctr *Container, deadline time.Time) bool {
	for {
		r, err := e.readRecord(ctr.ID)
		if err != nil {
			return true // removed
		}
		e.refresh(r)
		ctr.Record = *r
		if r.State.Status != StatusRunning {
			return true
		}
		if !deadline.IsZero() && time.Now().After(deadline) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// Stop sends the container's stop signal (the image's StopSignal, or
// SIGTERM), then SIGKILL after timeout, and returns once it has exited and
// its exit is recorded. Stopping a container that is not running does
// nothing, as in podman.
func (e *Engine) Stop(ctx context.Context, ctr *Container, timeout time.Duration) (warning string, err error) {
	if ctr.State.Launch != nil {
		// Being started (by a user, or its restart policy): stop what
		// that start gives.
		if err := e.awaitLaunch(ctx, ctr); err != nil {
			return "", err
		}
	}
	if !ctr.Running() {
		if ctr.Config.Restart != "" && ctr.Config.Restart != "no" {
			// Between two runs of its restart policy: the user's stop
			// must keep it from coming back.
			return "", e.markStopped(ctr)
		}
		return "", nil
	}
	if err := e.markStopped(ctr); err != nil {
		return "", err
	}
	crashPoint("stopping")
	sig := unix.SIGTERM
	if ctr.StopSignal != "" {
		if s, err := ParseSignal(ctr.StopSignal); err == nil {
			sig = s
		}
	}
	w := e.watchExit(ctr)
	defer w.close()
	if timeout > 0 {
		if err := signalInit(&ctr.State, sig); err != nil {
			return "", err
		}
		if e.awaitExit(ctx, ctr, w, time.Now().Add(timeout)) {
			return "", e.stopped(ctr, w)
		}
		warning = fmt.Sprintf("StopSignal %s failed to stop container %s in %d seconds, resorting to SIGKILL", unix.SignalName(sig), ctr.Name, int(timeout.Seconds()))
	}
	if err := signalInit(&ctr.State, unix.SIGKILL); err != nil {
		return warning, err
	}
	if !e.awaitExit(ctx, ctr, w, time.Now().Add(30*time.Second)) {
		return warning, fmt.Errorf("container %s did not stop after SIGKILL", ctr.Name)
	}
	return warning, e.stopped(ctr, w)
}

// stopped records the exit of a container Stop stopped, and the stop, and
// tells the monitor watched (if any) that the cleanup is done.
func (e *Engine) stopped(ctr *Container, w *exitWatch) error {
	err := e.Cleanup(ctr.ID)
	e.recordContainerEvents(ctr, "stop")
	if w != nil && w.c != nil && err == nil {
		w.c.Cleaned()
	}
	return err
}

// exitWatch is a stop's connection to the container's monitor. The
// monitor wakes the stop with the exit packet instead of a poll of the
// exit file, and, told that the stop will clean up (Cleaning), waits for
// it instead of starting `burrow container cleanup` beside it: a second
// CLI's start at every stop and rm -f. Without it (no monitor to dial,
// its connection lost) the record is polled as before; if the stop dies
// before it says Cleaned, the monitor sees the connection go and runs the
// cleanup command.
type exitWatch struct {
	c *monitor.Client
}

// watchExit dials ctr's monitor; nil when there is none to dial.
func (e *Engine) watchExit(ctr *Container) *exitWatch {
	c, err := monitor.Dial(e.runDir(ctr.ID))
	if err != nil {
		return nil
	}
	if err := c.Cleaning(); err != nil {
		c.Close()
		return nil
	}
	return &exitWatch{c: c}
}

func (w *exitWatch) close() {
	if w != nil && w.c != nil {
		w.c.Close()
	}
}

// awaitExit is waitNotRunning, woken by w's exit packet when there is a
// connection; a connection that ends before the exit is dropped.
func (e *Engine) awaitExit(ctx context.Context, ctr *Container, w *exitWatch, deadline time.Time) bool {
	if w != nil && w.c != nil {
		c := w.c
		stop := context.AfterFunc(ctx, func() { c.Close() })
		_, err := c.WaitExit(deadline)
		stop()
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			c.Close()
			w.c = nil
		}
	}
	return e.waitNotRunning(ctx, ctr, deadline)
}

// markStopped records that the user stopped the container, so that its
// restart policy does not bring it back, and who is stopping it.
func (e *Engine) markStopped(ctr *Container) error {
	ctr.State.StoppedByUser = true
	return e.changeRecord(ctr.ID, func(r *Record) {
		r.State.StoppedByUser = true
		if r.State.Status == StatusRunning {
			r.State.Stopper = &Launch{Kind: "stop", Pid: os.Getpid(), Start: procStart(os.Getpid())}
		}
	})
}

// StopTimeout is how long a stop of the container waits for its stop
// signal before SIGKILL by default: its --stop-timeout, else
// containers.conf's stop_timeout (10 s).
func (e *Engine) StopTimeout(ctr *Container) time.Duration {
	if t := ctr.Config.StopTimeout; t != nil {
		return time.Duration(*t) * time.Second
	}
	if conf, err := e.conf(); err == nil && conf.Engine.StopTimeout > 0 {
		return time.Duration(conf.Engine.StopTimeout) * time.Second
	}
	return 10 * time.Second
}
