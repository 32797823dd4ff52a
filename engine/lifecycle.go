package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.podman.io/storage/pkg/stringid"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/monitor"
)

// Get returns the container a name, an ID or a unique ID prefix names,
// with its state reconciled with the machine.
func (e *Engine) Get(nameOrID string) (*Container, error) {
	r, err := e.find(nameOrID)
	if err != nil {
		return nil, err
	}
	if r, err = e.settled(r); err != nil {
		return nil, err
	}
	e.refresh(r)
	return &Container{Record: *r, engine: e}, nil
}

// settled is r once a launch of it that was cut off is repaired
// (reconcile.go).
func (e *Engine) settled(r *Record) (*Record, error) {
	if r.State.Launch == nil || (e.runLocked(r.ID) && r.State.Launch.ownerAlive()) {
		return r, nil
	}
	e.repairLaunch(r.ID)
	return e.readRecord(r.ID)
}

// List returns every container, oldest first, with states reconciled
// with the machine: in memory (refresh), except for a launch cut off,
// which is repaired on disk.
func (e *Engine) List() ([]*Container, error) {
	recs, err := e.records()
	if err != nil {
		return nil, err
	}
	out := make([]*Container, 0, len(recs))
	for _, r := range recs {
		if r, err = e.settled(r); err != nil {
			continue // removed: its creation was cut off
		}
		e.refresh(r)
		out = append(out, &Container{Record: *r, engine: e})
	}
	return out, nil
}

// Running tells whether the container's process runs.
func (c *Container) Running() bool { return c.State.Status == StatusRunning }

func (e *Engine) loadSpec(id string) (*specs.Spec, error) {
	b, err := os.ReadFile(filepath.Join(e.ctrDir(id), "spec.json"))
	if err != nil {
		return nil, fmt.Errorf("reading the spec of container %s: %w", stringid.TruncateID(id), err)
	}
	var s specs.Spec
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("reading the spec of container %s: %w", stringid.TruncateID(id), err)
	}
	return &s, nil
}

// Cleanup records the exit of a container whose process has ended,
// unmounts its root, and then removes it when it was run with --rm or
// restarts it as its restart policy says. It is what the monitor runs after
// the exit (as `burrow container cleanup ID`) and what an attached CLI runs
// itself; running it twice is harmless.
func (e *Engine) Cleanup(id string) error {
	restart, err := e.recordExit(id)
	// A container may exit before the command that started it has
	// recorded it running: that command's record comes first.
	for deadline := time.Now().Add(time.Minute); err == errLaunching && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		restart, err = e.recordExit(id)
	}
	if err != nil || restart == nil {
		return err
	}
	// Backoff as docker's: 100 ms, doubling with each restart, at most a
	// minute, so a container that fails at once does not spin.
	delay := 100 * time.Millisecond << min(restart.State.RestartCount-1, 10)
	time.Sleep(min(delay, time.Minute))
	c, err := e.Get(id)
	if err != nil || c.Running() || c.State.StoppedByUser {
		return nil // removed, started or stopped meanwhile
	}
	_, err = e.Start(c, StartOptions{byPolicy: true})
	return err
}

// errLaunching: the command that starts the container has not recorded
// it running yet.
var errLaunching = errors.New("the container's start is still being recorded")

// recordExit does the recording part of Cleanup under the lock; it returns
// the record when the restart policy asks for a restart.
func (e *Engine) recordExit(id string) (*Record, error) {
	unlock, err := e.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	r, err := e.readRecord(id)
	if errdefs.Is(err, errdefs.ClassNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// The monitor of a container whose launching command was killed
	// comes here with the record still saying created.
	e.repairLaunchLocked(r)
	if l := r.State.Launch; l != nil && l.ownerAlive() {
		return nil, errLaunching
	}
	if r.State.Status != StatusRunning {
		return nil, nil
	}
	if !e.refresh(r) {
		return nil, nil // still running
	}
	if r.State.Cgroup != "" {
		// Removes the cgroup burrow made (cgroupfs), or releases a failed
		// scope (systemd). A cgroup left behind is removed at the next
		// start; the exit is recorded whatever happens here.
		e.Limits(r.Config.CgroupManager).Exited(r.ID, r.State.Cgroup)
	}
	if r.Config.Remove {
		// The exit code outlives the container a little, for a Wait that
		// is still polling (docker run --rm asks for it after removal).
		e.writeTombstone(r.ID, r.State.ExitCode)
		err := e.removeFiles(r)
		e.removeAnonymousVolumes(r)
		return nil, err
	}
	e.teardownNetwork(r.ID)
	restart := shouldRestart(r)
	if restart {
		r.State.RestartCount++
	}
	if err := e.writeRecord(r); err != nil {
		return nil, err
	}
	if err := e.unmountRoot(r); err != nil {
		return nil, err
	}
	if restart {
		return r, nil
	}
	return nil, nil
}

// shouldRestart applies the restart policy to an exited container.
func shouldRestart(r *Record) bool {
	if r.State.StoppedByUser || r.State.ExitCode == -1 && r.State.BootID != bootID() {
		return false // stopped by the user, or found exited after a reboot
	}
	switch r.Config.Restart {
	case "always", "unless-stopped":
		return true
	case "on-failure":
		return r.State.ExitCode != 0 && (r.Config.RestartMax == 0 || r.State.RestartCount < r.Config.RestartMax)
	}
	return false
}

// ParseRestartPolicy checks a --restart value: no, always,
// unless-stopped, on-failure[:N].
func ParseRestartPolicy(s string) (policy string, max int, err error) {
	name, n, hasN := strings.Cut(s, ":")
	switch name {
	case "", "no", "always", "unless-stopped":
		if hasN {
			return "", 0, errdefs.Invalid(fmt.Errorf("invalid restart policy %q: only on-failure takes a count", s))
		}
		return name, 0, nil
	case "on-failure":
		if hasN {
			if max, err = strconv.Atoi(n); err != nil || max < 0 {
				return "", 0, errdefs.Invalid(fmt.Errorf("invalid restart policy %q: the count must be a number (on-failure:3)", s))
			}
		}
		return name, max, nil
	}
	return "", 0, errdefs.Invalid(fmt.Errorf("invalid restart policy %q: use no, always, unless-stopped or on-failure[:N]", s))
}

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

// ParseSignal accepts a number or a name (KILL, SIGKILL, kill).
func ParseSignal(s string) (unix.Signal, error) {
	if n, err := strconv.Atoi(s); err == nil && n > 0 && n < 65 {
		return unix.Signal(n), nil
	}
	name := strings.ToUpper(s)
	if !strings.HasPrefix(name, "SIG") {
		name = "SIG" + name
	}
	if sig := unix.SignalNum(name); sig != 0 {
		return sig, nil
	}
	return 0, errdefs.Invalid(fmt.Errorf("invalid signal %q: use a name such as TERM or a number", s))
}

// Kill sends sig to a running container's init.
func (e *Engine) Kill(ctr *Container, sig unix.Signal) error {
	if !ctr.Running() {
		return errdefs.Conflict(fmt.Errorf("can only kill running containers: %s is %s", ctr.Name, ctr.State.Status))
	}
	return signalInit(&ctr.State, sig)
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
	if timeout > 0 {
		if err := signalInit(&ctr.State, sig); err != nil {
			return "", err
		}
		if e.waitNotRunning(ctx, ctr, time.Now().Add(timeout)) {
			return "", e.Cleanup(ctr.ID)
		}
		warning = fmt.Sprintf("StopSignal %s failed to stop container %s in %v, resorting to SIGKILL", unix.SignalName(sig), ctr.Name, timeout)
	}
	if err := signalInit(&ctr.State, unix.SIGKILL); err != nil {
		return warning, err
	}
	if !e.waitNotRunning(ctx, ctr, time.Now().Add(30*time.Second)) {
		return warning, fmt.Errorf("container %s did not stop after SIGKILL", ctr.Name)
	}
	return warning, e.Cleanup(ctr.ID)
}

// markStopped records that the user stopped the container, so that its
// restart policy does not bring it back.
func (e *Engine) markStopped(ctr *Container) error {
	unlock, err := e.lock()
	if err != nil {
		return err
	}
	defer unlock()
	r, err := e.readRecord(ctr.ID)
	if err != nil {
		return err
	}
	r.State.StoppedByUser = true
	ctr.State.StoppedByUser = true
	return e.writeRecord(r)
}

// RemoveOptions tune Remove.
type RemoveOptions struct {
	// Force stops a running container first.
	Force bool
	// Timeout is how long a forced stop waits for the stop signal before
	// SIGKILL; nil: the container's stop timeout, as podman's rm -f (the
	// Docker API asks for 0).
	Timeout *time.Duration
	// Volumes removes the container's anonymous volumes too (rm -v).
	Volumes bool
}

// Remove deletes a container: its storage, record and log. A running
// container is refused unless o.Force, which stops it first.
func (e *Engine) Remove(ctx context.Context, ctr *Container, o RemoveOptions) error {
	if ctr.Running() {
		if !o.Force {
			return errdefs.Conflict(fmt.Errorf("cannot remove container %s as it is running: stop it first or use rm -f", ctr.Name))
		}
		timeout := e.StopTimeout(ctr)
		if o.Timeout != nil {
			timeout = *o.Timeout
		}
		if _, err := e.Stop(ctx, ctr, timeout); err != nil {
			return err
		}
	}
	unlock, err := e.lock()
	if err != nil {
		return err
	}
	defer unlock()
	r, err := e.readRecord(ctr.ID)
	if errdefs.Is(err, errdefs.ClassNotFound) {
		return nil // removed meanwhile (--rm)
	}
	if err != nil {
		return err
	}
	crashPoint("removing")
	if err := e.removeFiles(r); err != nil {
		return fmt.Errorf("removing container %s: %w", ctr.Name, err)
	}
	if o.Volumes {
		e.removeAnonymousVolumes(r)
	}
	return nil
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

// Wait blocks until the container has exited and returns its exit code.
func (e *Engine) Wait(ctx context.Context, ctr *Container) (int, error) {
	for {
		r, err := e.readRecord(ctr.ID)
		if err != nil {
			if errdefs.Is(err, errdefs.ClassNotFound) {
				// Removed on exit (--rm): its tombstone has the code.
				if code, ok := e.readTombstone(ctr.ID); ok {
					return code, nil
				}
				return ctr.State.ExitCode, nil
			}
			return -1, err
		}
		e.refresh(r)
		ctr.Record = *r
		if r.State.Status == StatusExited {
			return r.State.ExitCode, nil
		}
		select {
		case <-ctx.Done():
			return -1, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Attach connects to a running container's monitor (its output from now
// on, its stdin, its terminal size).
func (e *Engine) Attach(ctr *Container) (*monitor.Client, error) {
	if !ctr.Running() {
		return nil, errdefs.Conflict(fmt.Errorf("can only attach to running containers: %s is %s", ctr.Name, ctr.State.Status))
	}
	return monitor.Dial(e.runDir(ctr.ID))
}

// Finish records the exit of a container a client was attached to, as an
// attached CLI does, and tells its monitor that it is done.
func (e *Engine) Finish(ctr *Container, conn *monitor.Client) error {
	if err := e.Cleanup(ctr.ID); err != nil {
		return err
	}
	conn.Cleaned()
	return nil
}

func (e *Engine) tombstoneDir() string { return filepath.Join(e.opts.RunRoot, "burrow", "exited") }

// writeTombstone keeps the exit code of a container removed at its exit,
// for an hour (tombstones are pruned as new ones are written).
func (e *Engine) writeTombstone(id string, code int) {
	dir := e.tombstoneDir()
	if os.MkdirAll(dir, 0o700) != nil {
		return
	}
	os.WriteFile(filepath.Join(dir, id), []byte(strconv.Itoa(code)), 0o600)
	ents, _ := os.ReadDir(dir)
	for _, ent := range ents {
		if info, err := ent.Info(); err == nil && time.Since(info.ModTime()) > time.Hour {
			os.Remove(filepath.Join(dir, ent.Name()))
		}
	}
}

func (e *Engine) readTombstone(id string) (int, bool) {
	b, err := os.ReadFile(filepath.Join(e.tombstoneDir(), id))
	if err != nil {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return n, err == nil
}
