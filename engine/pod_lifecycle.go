package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
)

// StartPod starts the pod's infra, then its other containers that do not
// run.
func (e *Engine) StartPod(p *Pod) error {
	if infra := p.Infra(); infra != nil && !infra.Running() {
		if _, err := e.Start(infra, StartOptions{}); err != nil {
			return fmt.Errorf("starting the infra container of pod %s: %w", p.Name, err)
		}
	}
	var errs []error
	for _, c := range p.Members() {
		if c.Running() {
			continue
		}
		if _, err := e.Start(c, StartOptions{}); err != nil {
			errs = append(errs, fmt.Errorf("starting container %s of pod %s: %w", c.Name, p.Name, err))
		}
	}
	return e.podDone(p, "start", errors.Join(errs...))
}

// podDone records the pod's event of an operation that succeeded.
func (e *Engine) podDone(p *Pod, status string, err error) error {
	if err == nil {
		e.recordEvents(podEvent(status, p))
	}
	return err
}

// StopPod stops the pod's containers, all at once, then its infra;
// timeout nil is each container's stop timeout. It returns the warnings
// of containers that needed SIGKILL.
func (e *Engine) StopPod(ctx context.Context, p *Pod, timeout *time.Duration) ([]string, error) {
	warnings, err := e.stopAll(ctx, p.Members(), timeout)
	if infra := p.Infra(); infra != nil && err == nil {
		var w []string
		w, err = e.stopAll(ctx, []*Container{infra}, timeout)
		warnings = append(warnings, w...)
	}
	return warnings, e.podDone(p, "stop", err)
}

// stopAll stops the containers concurrently.
func (e *Engine) stopAll(ctx context.Context, ctrs []*Container, timeout *time.Duration) ([]string, error) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	var warnings []string
	var errs []error
	for _, c := range ctrs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := e.StopTimeout(c)
			if timeout != nil {
				t = *timeout
			}
			w, err := e.Stop(ctx, c, t)
			mu.Lock()
			defer mu.Unlock()
			if w != "" {
				warnings = append(warnings, w)
			}
			if err != nil {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	return warnings, errors.Join(errs...)
}

// KillPod sends sig to the pod's running containers.
func (e *Engine) KillPod(p *Pod, sig unix.Signal) error {
	var errs []error
	n := 0
	for _, c := range p.Containers {
		if c.Running() {
			n++
			errs = append(errs, e.Kill(c, sig))
		}
	}
	if n == 0 {
		return errdefs.Conflict(fmt.Errorf("pod %s has no running container to signal: start it first (burrow pod start %s)", p.Name, p.Name))
	}
	return e.podDone(p, "kill", errors.Join(errs...))
}

// PausePod pauses the pod's running containers; Unpause thaws them.
func (e *Engine) PausePod(p *Pod, pause bool) error {
	var errs []error
	for _, c := range p.Containers {
		switch {
		case pause && c.Running() && !c.Paused():
			errs = append(errs, e.Pause(c))
		case !pause && c.Paused():
			errs = append(errs, e.Unpause(c))
		}
	}
	return e.podDone(p, map[bool]string{true: "pause", false: "unpause"}[pause], errors.Join(errs...))
}

// PodRemoveOptions tune RemovePod.
type PodRemoveOptions struct {
	// Force stops running containers first.
	Force bool
	// Timeout of a forced stop (nil: each container's stop timeout).
	Timeout *time.Duration
}

// RemovePod removes the pod: its containers, its infra, its record. A
// container of the pod that runs (but the infra, which is stopped) is
// refused unless o.Force. It returns the IDs of the containers removed.
func (e *Engine) RemovePod(ctx context.Context, p *Pod, o PodRemoveOptions) ([]string, error) {
	if !o.Force {
		var running []string
		for _, c := range p.Members() {
			if c.Running() {
				running = append(running, c.Name)
			}
		}
		if len(running) > 0 {
			return nil, errdefs.Conflict(fmt.Errorf("pod %s has running containers (%s): stop the pod first (burrow pod stop %s) or use pod rm -f", p.Name, strings.Join(running, ", "), p.Name))
		}
	}
	if err := e.markPodRemoving(p.ID); err != nil {
		return nil, err
	}
	crashPoint("pod-removing")
	ro := RemoveOptions{Force: true, Timeout: o.Timeout, podRemoval: true}
	var removed []string
	var errs []error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, c := range p.Members() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := e.Remove(ctx, c, ro)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			removed = append(removed, c.ID)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return removed, err
	}
	if infra := p.Infra(); infra != nil {
		// The anonymous volumes of pod create -v go with the pod: no name
		// could find them again.
		ro.Volumes = true
		if err := e.Remove(ctx, infra, ro); err != nil {
			return removed, err
		}
		removed = append(removed, infra.ID)
	}
	return removed, e.podDone(p, "remove", e.deletePod(p.ID))
}

// markPodRemoving records that pod rm is at work on the pod.
func (e *Engine) markPodRemoving(id string) error {
	unlock, err := e.lock()
	if err != nil {
		return err
	}
	defer unlock()
	rec, err := e.readPod(id)
	if err != nil {
		return err
	}
	rec.Removing = true
	return e.writePod(rec)
}

// deletePod removes the record of a pod whose containers are gone.
func (e *Engine) deletePod(id string) error {
	unlock, err := e.lock()
	if err != nil {
		return err
	}
	defer unlock()
	recs, err := e.records()
	if err != nil {
		return err
	}
	for _, r := range recs {
		if r.Config.Pod == id {
			return errdefs.Conflict(fmt.Errorf("pod %s still has container %s: remove it again (burrow pod rm -f)", id[:12], r.Name))
		}
	}
	return os.RemoveAll(e.podDir(id))
}

// PrunePods removes the pods whose containers have all stopped, and
// returns their IDs.
func (e *Engine) PrunePods(ctx context.Context) ([]string, error) {
	pods, err := e.ListPods()
	if err != nil {
		return nil, err
	}
	var out []string
	var errs []error
	for _, p := range pods {
		if s := p.State(); s != PodExited && s != PodStopped {
			continue
		}
		if _, err := e.RemovePod(ctx, p, PodRemoveOptions{}); err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, p.ID)
	}
	return out, errors.Join(errs...)
}

// checkRemovable refuses to remove a pod's infra container on its own: the
// pod's other containers live in its namespaces.
func (e *Engine) checkRemovable(ctr *Container, o RemoveOptions) error {
	if ctr.Config.PodInfra == "" || o.podRemoval {
		return nil
	}
	p, err := e.readPod(ctr.Config.Pod)
	if errdefs.Is(err, errdefs.ClassNotFound) {
		return nil // left by a pod rm cut off
	}
	if err != nil {
		return err
	}
	return errdefs.Invalid(fmt.Errorf("container %s is the infra container of pod %s and cannot be removed without removing the pod: use burrow pod rm %s", ctr.ID, p.ID, p.Name))
}

// applyExitPolicy stops the infra of a pod whose exit policy is stop once
// none of its other containers runs; id is a container of the pod that
// exited.
func (e *Engine) applyExitPolicy(podID string) {
	if podID == "" {
		return
	}
	p, err := e.GetPod(podID)
	if err != nil || p.ExitPolicy != ExitPolicyStop {
		return
	}
	for _, c := range p.Members() {
		if c.Running() {
			return
		}
	}
	if infra := p.Infra(); infra != nil && infra.Running() {
		e.Stop(context.Background(), infra, e.StopTimeout(infra))
	}
}

// podOfMember is the pod of a container that is not its pod's infra, ""
// for any other.
func (e *Engine) podOfMember(id string) string {
	r, err := e.readRecord(id)
	if err != nil || r.Config.PodInfra != "" {
		return ""
	}
	return r.Config.Pod
}
