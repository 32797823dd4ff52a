package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// PruneReport is what a system prune removed, by kind (podman's sections).
type PruneReport struct {
	Pods, Containers, Networks, Volumes, Images []string
}

// SystemPrune removes what podman's system prune does: the pods whose
// containers have all stopped, the containers that do not run, the
// networks no container uses, dangling images (with all, every image no
// container uses, build steps' too) and, with volumes, the volumes no
// container uses. It goes on past a failure and returns them all.
func (e *Engine) SystemPrune(ctx context.Context, all, volumes bool) (PruneReport, error) {
	var r PruneReport
	var errs []error
	var err error
	r.Pods, err = e.PrunePods(ctx)
	errs = append(errs, err)
	r.Containers, err = e.Prune(ctx)
	errs = append(errs, err)
	r.Networks, err = e.PruneNetworks(nil)
	errs = append(errs, err)
	if volumes {
		r.Volumes, err = e.PruneVolumes(nil)
		errs = append(errs, err)
	}
	r.Images, err = e.PruneImages(ctx, all)
	errs = append(errs, err)
	return r, errors.Join(errs...)
}

// Reset brings the store back to its first state, as podman's system
// reset: every container (stopped at once), pod, volume, network and
// image removed through their own paths (so that another tool's view of
// the store stays whole at every step), then the store's directories and
// burrow's own state deleted.
func (e *Engine) Reset(ctx context.Context) error {
	now := time.Duration(0)
	rm := func(c *Container) error {
		return e.Remove(ctx, c, RemoveOptions{Force: true, Timeout: &now, Volumes: true})
	}
	rmID := func(id string) error {
		c, err := e.Get(id)
		if err != nil {
			return nil // gone already
		}
		return rm(c)
	}
	var errs []error
	pods, err := e.ListPods()
	errs = append(errs, err)
	for _, p := range pods {
		_, err := e.RemovePod(ctx, p, PodRemoveOptions{Force: true, Timeout: &now})
		errs = append(errs, err)
	}
	ctrs, err := e.List()
	errs = append(errs, err)
	for _, c := range ctrs {
		errs = append(errs, rm(c))
	}
	vols, err := e.Volumes()
	errs = append(errs, err)
	for _, v := range vols {
		errs = append(errs, e.RemoveVolume(v.Name, true, rmID))
	}
	nets, err := e.ListNetworks(nil)
	errs = append(errs, err)
	for _, n := range nets {
		if n.Name != DefaultNetwork {
			_, err := e.RemoveNetwork(n.Name, true, rm)
			errs = append(errs, err)
		}
	}
	_, err = e.PruneImages(ctx, true)
	errs = append(errs, err)
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("resetting: %w", err)
	}
	// What is left: the store's own files and burrow's state.
	s, err := e.store()
	if err != nil {
		return err
	}
	graph, run := s.GraphRoot(), s.RunRoot()
	if _, err := s.Shutdown(true); err != nil {
		return fmt.Errorf("resetting: closing the store: %w", err)
	}
	e.opened = nil
	for _, dir := range []string{e.stateDir(), e.volumesDir(), graph, run} {
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("resetting: removing %s: %w", dir, err)
		}
	}
	return nil
}
