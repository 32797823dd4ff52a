package engine

import (
	"context"
	"errors"
	"fmt"
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
// container is refused unless o.Force, which stops it first.
func (e *Engine) Remove(ctx context.Context, ctr *Container, o RemoveOptions) error {
	if err := e.checkRemovable(ctr, o); err != nil {
		return err
	}
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
