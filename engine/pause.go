package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/burrow-containers/burrow/errdefs"
)

// Pause freezes a running container with the cgroup v2 freezer of its
// own cgroup (a container gets one with a cgroup manager: systemd or
// cgroupfs); without one it says why it cannot.
func (e *Engine) Pause(ctr *Container) error {
	if !ctr.Running() {
		return errdefs.Conflict(fmt.Errorf("can only pause running containers: %s is %s", ctr.Name, ctr.State.Status))
	}
	if ctr.Paused() {
		return errdefs.Conflict(fmt.Errorf("%s is already paused", ctr.Name))
	}
	if ctr.State.Cgroup == "" {
		why := e.Limits(ctr.Config.CgroupManager).Why()
		if ctr.Config.CgroupsDisabled {
			why = "it was started with --cgroups=disabled"
		} else if why == "" {
			why = "it was started without one"
		}
		return errdefs.Unavailable(fmt.Errorf("pausing %s needs the cgroup v2 freezer of a cgroup of its own: %s; see burrow info (cgroup version and manager)", ctr.Name, why))
	}
	if err := freeze(ctr, true); err != nil {
		return err
	}
	e.recordContainerEvents(ctr, "pause")
	return nil
}

// Unpause thaws a paused container; see Pause.
func (e *Engine) Unpause(ctr *Container) error {
	if !ctr.Paused() {
		return errdefs.Conflict(fmt.Errorf("%s is not paused", ctr.Name))
	}
	if err := freeze(ctr, false); err != nil {
		return err
	}
	e.recordContainerEvents(ctr, "unpause")
	return nil
}

// Paused tells whether the container's cgroup is frozen.
func (c *Container) Paused() bool {
	if !c.Running() || c.State.Cgroup == "" {
		return false
	}
	b, err := os.ReadFile(filepath.Join(c.State.Cgroup, "cgroup.freeze"))
	return err == nil && strings.TrimSpace(string(b)) == "1"
}

// freeze writes the container's cgroup.freeze and waits until the kernel
// reports the cgroup (un)frozen in cgroup.events.
func freeze(ctr *Container, on bool) error {
	what, v := "unpausing", "0"
	if on {
		what, v = "pausing", "1"
	}
	if err := os.WriteFile(filepath.Join(ctr.State.Cgroup, "cgroup.freeze"), []byte(v), 0); err != nil {
		return fmt.Errorf("%s %s: %w", what, ctr.Name, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(filepath.Join(ctr.State.Cgroup, "cgroup.events"))
		if err != nil {
			return fmt.Errorf("%s %s: %w", what, ctr.Name, err)
		}
		if strings.Contains(string(b), "frozen "+v) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s %s: the cgroup did not settle within 10 s", what, ctr.Name)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
