package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/burrow-containers/burrow/errdefs"
)

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
	// podRemoval: pod rm at work, which may remove the pod's infra.
	podRemoval bool
}

// Remove deletes a container: its storage, record and log. A running
// container is refused unless o.Force, which stops it first; one that
// others depend on (they share its network namespace), as podman's.
func (e *Engine) Remove(ctx context.Context, ctr *Container, o RemoveOptions) error {
	if err := e.checkRemovable(ctr, o); err != nil {
		return err
	}
	deps, err := e.Dependents(ctr)
	if err != nil {
		return err
	}
	if len(deps) > 0 {
		var ids []string
		for _, d := range deps {
			ids = append(ids, d.ID)
		}
		return fmt.Errorf("container %s has dependent containers which must be removed before it: %s: container already exists", ctr.ID, strings.Join(ids, ","))
	}
	if ctr.Running() {
		if !o.Force {
			return errdefs.Conflict(fmt.Errorf("cannot remove container %s as it is running - running or paused containers cannot be removed without force: container state improper", ctr.ID))
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
	// An exit the cleanup has not recorded yet (it will find no record)
	// gets its died event with the removal, once.
	exited := r.State.Status == StatusRunning && e.refresh(r)
	if err := e.removeFiles(r); err != nil {
		return fmt.Errorf("removing container %s: %w", ctr.Name, err)
	}
	evs := []Event{recordEvent("remove", r)}
	if exited {
		evs = append([]Event{diedEvent(r)}, evs...)
	}
	e.recordEvents(evs...)
	if o.Volumes {
		e.removeAnonymousVolumes(r)
	}
	return nil
}

// Dependents are the containers that use ctr's network or IPC namespace
// (--network or --ipc container:, by name, ID or ID prefix).
func (e *Engine) Dependents(ctr *Container) ([]*Container, error) {
	recs, err := e.records()
	if err != nil {
		return nil, err
	}
	var out []*Container
	for _, r := range recs {
		other, ok := strings.CutPrefix(r.Config.Network, "container:")
		if r.ID == ctr.ID || r.Config.Pod != "" && r.Config.Pod == ctr.Config.Pod {
			continue // a pod's members are the pod's to remove
		}
		if ok && (other == ctr.ID || other == ctr.Name || strings.HasPrefix(ctr.ID, other)) || ipcDependent(&r.Config, ctr) {
			if d, err := e.Get(r.ID); err == nil {
				out = append(out, d)
			}
		}
	}
	return out, nil
}

// Prune removes every container that is not running, but pods' infra
// containers (pod prune removes those), and returns their IDs.
func (e *Engine) Prune(ctx context.Context) ([]string, error) {
	ctrs, err := e.List()
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, c := range ctrs {
		if c.Running() || c.Config.PodInfra != "" {
			continue
		}
		if err := e.Remove(ctx, c, RemoveOptions{}); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, c.ID)
	}
	return removed, errors.Join(errs...)
}
