package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.podman.io/storage/pkg/stringid"

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
	l := r.State.Launch
	if l == nil || l.ownerAlive() {
		return r, nil
	}
	if e.runLocked(r.ID) && e.startedInit(r.ID) == 0 {
		if l.Kind == launchCreate {
			// A run cut off before its process started, whose monitor is
			// failing: it is going, and was never there for the user.
			return nil, errdefs.NotFound(fmt.Errorf("no container with ID %s", r.ID))
		}
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
		if orphanedStep(r) && r.State.Status != StatusRunning && e.removeOrphanedStep(r.ID) {
			continue
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

// AttachConn is a connection to a container's monitor: its output, its
// stdin, its terminal size.
type AttachConn = monitor.Client

// WaitConditions are the states podman's wait --condition takes.
var WaitConditions = []string{"configured", "created", "exited", "initialized", "paused", "removing", "running", "stopped", "stopping"}

// WaitFor blocks until the container is in one of the states conds names
// (podman's wait --condition; none: stopped) and returns its exit code.
// stopped and exited hold for every container not running, a created one
// too (exit code 0), as in podman; one removed meanwhile (--rm) gives
// the code it exited with.
func (e *Engine) WaitFor(ctx context.Context, ctr *Container, conds []string, interval time.Duration) (int, error) {
	want := map[string]bool{}
	for _, c := range conds {
		if !slices.Contains(WaitConditions, c) {
			return -1, errdefs.Invalid(fmt.Errorf("%s: invalid condition: use %s", c, strings.Join(WaitConditions, ", ")))
		}
		want[c] = true
	}
	if len(want) == 0 {
		want["stopped"] = true
	}
	if interval <= 0 {
		interval = 20 * time.Millisecond
	}
	for {
		r, err := e.readRecord(ctr.ID)
		if errdefs.Is(err, errdefs.ClassNotFound) {
			if code, ok := e.readTombstone(ctr.ID); ok {
				return code, nil
			}
			return ctr.State.ExitCode, nil
		}
		if err != nil {
			return -1, err
		}
		e.refresh(r)
		c := &Container{Record: *r, engine: e}
		ctr.Record = *r
		if waitMet(c, want) {
			return r.State.ExitCode, nil
		}
		select {
		case <-ctx.Done():
			return -1, ctx.Err()
		case <-time.After(interval):
		}
	}
}

// waitMet tells whether c is in one of the wanted states.
func waitMet(c *Container, want map[string]bool) bool {
	switch {
	case c.Paused():
		return want["paused"]
	case c.Stopping():
		return want["stopping"]
	case c.Running():
		return want["running"]
	case c.State.Status == StatusCreated:
		return want["created"] || want["configured"] || want["initialized"] || want["stopped"] || want["exited"]
	}
	return want["exited"] || want["stopped"]
}

// Attach connects to a running container's monitor (its output from now
// on, its stdin, its terminal size).
func (e *Engine) Attach(ctr *Container) (*AttachConn, error) {
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
