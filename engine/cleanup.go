package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/burrow-containers/burrow/errdefs"
)

// Cleanup records the exit of a container whose process has ended,
// unmounts its root, and then removes it when it was run with --rm or
// restarts it as its restart policy says; the last container of a pod
// whose exit policy is stop stops the pod. It is what the monitor runs after
// the exit (as `burrow container cleanup ID`) and what an attached CLI runs
// itself; running it twice is harmless.
func (e *Engine) Cleanup(id string) error {
	pod := e.podOfMember(id) // read before a --rm takes the record
	restart, err := e.recordExit(id)
	// A container may exit before the command that started it has
	// recorded it running: that command's record comes first.
	for deadline := time.Now().Add(time.Minute); err == errLaunching && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		restart, err = e.recordExit(id)
	}
	if err == nil && restart == nil {
		e.applyExitPolicy(pod)
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
	r.State.Stopper = nil
	if r.State.Cgroup != "" {
		// Removes the cgroup burrow made (cgroupfs), or releases a failed
		// scope (systemd). A cgroup left behind is removed at the next
		// start; the exit is recorded whatever happens here.
		e.Limits(r.Config.CgroupManager).Exited(r.ID, r.State.Cgroup)
	}
	// The exit's events, once: only the command that finds the record
	// running, under the lock, gets here. They come after the record is
	// written, so a crash between the two loses them rather than doubles
	// them.
	exitEvents := []Event{diedEvent(r), recordEvent("cleanup", r)}
	if r.State.OOMKilled {
		exitEvents = append([]Event{recordEvent("oom", r)}, exitEvents...)
	}
	if r.Config.Remove || orphanedStep(r) {
		// The exit code outlives the container a little, for a Wait that
		// is still polling (docker run --rm asks for it after removal).
		e.writeTombstone(r.ID, r.State.ExitCode)
		err := e.removeFiles(r)
		e.recordEvents(append(exitEvents, recordEvent("remove", r))...)
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
	e.recordEvents(exitEvents...)
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

// Tombstones: the exit codes of containers removed at their exit (--rm),
// kept for a while for a wait that is still polling (docker run --rm asks
// for the code after the removal). One file for all, entries older than
// tombstoneAge dropped at each write, so that many runs leave no files.
const tombstoneAge = 10 * time.Minute

type tombstone struct {
	Code int       `json:"code"`
	At   time.Time `json:"at"`
}

func (e *Engine) tombstonePath() string {
	return filepath.Join(e.stateDir(), "exited.json")
}

func (e *Engine) readTombstones() map[string]tombstone {
	m := map[string]tombstone{}
	if b, err := os.ReadFile(e.tombstonePath()); err == nil {
		json.Unmarshal(b, &m)
	}
	return m
}

// writeTombstone records the exit code of a container removed at its
// exit; the caller holds the engine lock.
func (e *Engine) writeTombstone(id string, code int) {
	m := e.readTombstones()
	for k, t := range m {
		if time.Since(t.At) > tombstoneAge {
			delete(m, k)
		}
	}
	m[id] = tombstone{Code: code, At: time.Now()}
	writeJSON(e.tombstonePath(), m)
	os.RemoveAll(filepath.Join(e.stateDir(), "exited")) // a file per container, before

}

func (e *Engine) readTombstone(id string) (int, bool) {
	t, ok := e.readTombstones()[id]
	return t.Code, ok
}
