package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.podman.io/storage/pkg/stringid"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/monitor"
	"github.com/burrow-containers/burrow/sandbox"
)

// Container states, as podman names them.
const (
	StatusCreated = "created"
	StatusRunning = "running"
	StatusExited  = "exited"
)

// State is what burrow records of a container's life. The record is written
// under the engine lock; a reader reconciles it with the processes (see
// Engine.refresh) so that a dead monitor or a reboot never leaves a ghost.
type State struct {
	Status     string `json:"status"`
	Pid        int    `json:"pid,omitempty"`
	PidStart   uint64 `json:"pidStart,omitempty"` // start time of Pid, against PID reuse
	MonitorPid int    `json:"monitorPid,omitempty"`
	// MonitorStart is the monitor's start time; the monitor's PID runs
	// the cleanup after the exit, so it stays alive until that is done.
	MonitorStart uint64    `json:"monitorStart,omitempty"`
	BootID       string    `json:"bootId,omitempty"`
	ExitCode     int       `json:"exitCode"`
	StartedAt    time.Time `json:"startedAt,omitzero"`
	FinishedAt   time.Time `json:"finishedAt,omitzero"`
	// RestartCount counts restarts made by the restart policy.
	RestartCount int `json:"restartCount,omitempty"`
	// Cgroup is the container's cgroup directory (its systemd scope, or
	// the one burrow made with cgroupfs), when it has one; OOMKilled
	// tells that the kernel killed it for memory.
	Cgroup    string `json:"cgroup,omitempty"`
	OOMKilled bool   `json:"oomKilled,omitempty"`
	// StoppedByUser is set by stop: the restart policy leaves the
	// container alone then, as podman's does.
	StoppedByUser bool `json:"stoppedByUser,omitempty"`
	// Error is why the last start failed, until the next start succeeds;
	// ExitCode is then 127 (command not found) or 126 (cannot invoke), as
	// podman and dockerd record them.
	Error string `json:"error,omitempty"`
	// Stopper is the stop command waiting for the process to exit: while
	// it runs, the container shows as stopping, as podman's.
	Stopper *Launch `json:"stopper,omitempty"`
	// Launch is set while a command creates or starts the container
	// (reconcile.go).
	Launch *Launch `json:"launch,omitempty"`
	// MonitorGone, found by refresh and never stored, tells that the
	// container's process runs on while its monitor is dead (killed): its
	// output is no longer logged, its network helpers ended with the
	// monitor, and nothing will record its exit but stop or rm.
	MonitorGone bool `json:"-"`
}

// Record is a container as stored on disk, in
// <graph root>/burrow/containers/<ID>/container.json.
type Record struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Image   string `json:"image,omitempty"` // as the user gave it, resolved to a name
	ImageID string `json:"imageId,omitempty"`
	// ImageDigest is the digest of the image's manifest, as it was when
	// the container was made.
	ImageDigest string    `json:"imageDigest,omitempty"`
	Created     time.Time `json:"created"`
	Config      Config    `json:"config"`
	// Args is the process the container runs (entrypoint + command).
	Args []string `json:"args"`
	// StopSignal is the image's StopSignal, when it has one.
	StopSignal string `json:"stopSignal,omitempty"`
	// Stored tells that containers/storage holds a container (and layer)
	// of this ID.
	Stored bool  `json:"stored,omitempty"`
	State  State `json:"state"`
}

// GraphRoot is the store's graph root.
func (e *Engine) GraphRoot() string { return e.opts.GraphRoot }

func (e *Engine) burrowDir() string { return filepath.Join(e.opts.GraphRoot, "burrow") }

func (e *Engine) containersDir() string { return filepath.Join(e.burrowDir(), "containers") }

// ctrDir holds what survives a reboot: record, spec, log, /etc files.
func (e *Engine) ctrDir(id string) string { return filepath.Join(e.containersDir(), id) }

// runDir holds what a reboot should wipe: the monitor's socket, pid and
// exit files.
func (e *Engine) runDir(id string) string {
	return filepath.Join(e.stateDir(), id)
}

// stateDir holds the containers' run state: <run root>/burrow, or --tmpdir.
func (e *Engine) stateDir() string {
	if e.settings.TmpDir != "" {
		return e.settings.TmpDir
	}
	return filepath.Join(e.opts.RunRoot, "burrow")
}

// filterCache keeps the containers' compiled seccomp filters, in the run
// state: gone at a reboot, as a libseccomp upgrade may come with one.
func (e *Engine) filterCache() sandbox.FilterCache {
	return sandbox.FilterCache(filepath.Join(e.stateDir(), "seccomp"))
}

// LogPath is where a container's output is kept (k8s-file format).
func (e *Engine) LogPath(id string) string { return filepath.Join(e.ctrDir(id), "ctr.log") }

// lock takes the engine's lock, which serializes every change of a record.
// It is held for milliseconds, to read and write records, never across a
// pull, a network set-up or a container's start (reconcile.go says how a
// launch holds its container instead).
func (e *Engine) lock() (unlock func(), err error) {
	if err := os.MkdirAll(e.burrowDir(), 0o700); err != nil {
		return nil, fmt.Errorf("creating %s: %w", e.burrowDir(), err)
	}
	f, err := os.OpenFile(filepath.Join(e.burrowDir(), "lock"), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the engine lock: %w", err)
	}
	for {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("taking the engine lock: %w", err)
	}
	return func() { f.Close() }, nil
}

// writeRecord stores r atomically: readers never see half a record. Its
// name's link is made first (nameindex.go). The caller holds the lock.
func (e *Engine) writeRecord(r *Record) error {
	dir := e.ctrDir(r.ID)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		valid := e.namesValid()
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		if valid {
			e.stampNames()
		}
	}
	if err := e.linkName(r.Name, r.ID); err != nil {
		return err
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, "container.json.tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("writing the record of container %s: %w", stringid.TruncateID(r.ID), err)
	}
	return os.Rename(tmp, filepath.Join(dir, "container.json"))
}

func (e *Engine) readRecord(id string) (*Record, error) {
	b, err := os.ReadFile(filepath.Join(e.ctrDir(id), "container.json"))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, errdefs.NotFound(fmt.Errorf("no container with ID %s", id))
		}
		return nil, err
	}
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("reading the record of container %s: %w", id, err)
	}
	return &r, nil
}

// records reads every container's record, oldest first. Directories
// without a record (a create cut off half-way) are skipped.
func (e *Engine) records() ([]*Record, error) {
	ents, err := os.ReadDir(e.containersDir())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	var out []*Record
	for _, ent := range ents {
		if !ent.IsDir() || strings.HasSuffix(ent.Name(), ".tmp") {
			continue
		}
		r, err := e.readRecord(ent.Name())
		if err != nil {
			continue
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}

// find resolves a name, a full ID or a unique ID prefix, as podman does:
// through the names' links and the directories' names, reading the
// records that match only.
func (e *Engine) find(nameOrID string) (*Record, error) {
	if nameOrID == "" {
		return nil, errdefs.Invalid(errors.New("no container name or ID given"))
	}
	if !e.namesValid() {
		return e.findByReading(nameOrID)
	}
	var byID *Record
	if validID(nameOrID) {
		byID, _ = e.readRecord(nameOrID)
	}
	byName := e.named(nameOrID)
	switch {
	case byID != nil && byName != nil && byName.Created.Before(byID.Created):
		return byName, nil // the older one, as reading them all in order
	case byID != nil:
		return byID, nil
	case byName != nil:
		return byName, nil
	}
	ids, err := e.recordIDs()
	if err != nil {
		return nil, err
	}
	var byPrefix []*Record
	for _, id := range ids {
		if strings.HasPrefix(id, nameOrID) {
			if r, err := e.readRecord(id); err == nil {
				byPrefix = append(byPrefix, r)
			}
		}
	}
	return oneByPrefix(nameOrID, byPrefix)
}

// validID tells a full container ID: 64 hex digits.
func validID(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// findByReading is find through every record, oldest first, for a store
// whose names' links are not there yet.
func (e *Engine) findByReading(nameOrID string) (*Record, error) {
	recs, err := e.records()
	if err != nil {
		return nil, err
	}
	var byPrefix []*Record
	for _, r := range recs {
		if r.ID == nameOrID || r.Name == nameOrID {
			return r, nil
		}
		if strings.HasPrefix(r.ID, nameOrID) {
			byPrefix = append(byPrefix, r)
		}
	}
	return oneByPrefix(nameOrID, byPrefix)
}

// oneByPrefix is the one record an ID prefix matches.
func oneByPrefix(nameOrID string, byPrefix []*Record) (*Record, error) {
	switch len(byPrefix) {
	case 0:
		return nil, errdefs.NotFound(fmt.Errorf("no container with name or ID %q found: no such container", nameOrID))
	case 1:
		return byPrefix[0], nil
	}
	return nil, errdefs.Invalid(fmt.Errorf("more than one container matches the ID prefix %q: give more of the ID or the name", nameOrID))
}

// bootID identifies this boot of the machine: a record made in an earlier
// boot cannot have a running process.
func bootID() string {
	b, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	return strings.TrimSpace(string(b))
}

// procStart returns the start time of pid (clock ticks since boot), or 0
// when there is no such process.
func procStart(pid int) uint64 {
	if pid <= 0 {
		return 0
	}
	st := readStat(pid)
	if st == nil || st.state == "Z" || st.state == "X" {
		return 0
	}
	return st.start
}

// alive tells whether the container's init recorded in s still runs.
func (s *State) alive() bool {
	return s.Pid > 0 && s.PidStart != 0 && procStart(s.Pid) == s.PidStart
}

// monitorAlive tells whether the container's monitor (or the cleanup it
// became) still runs.
func (s *State) monitorAlive() bool {
	return s.MonitorPid > 0 && s.MonitorStart != 0 && procStart(s.MonitorPid) == s.MonitorStart
}

// refresh reconciles a record's state with the machine, in memory only: a
// running container whose processes are gone is reported exited, with the
// code its monitor wrote if it got that far, -1 when it did not (monitor
// killed, machine rebooted); one whose process outlived its monitor is
// running with MonitorGone. It reports whether the status changed.
func (e *Engine) refresh(r *Record) bool {
	e.launchView(r)
	if r.State.Status != StatusRunning {
		return false
	}
	if x, ok := monitor.ReadExit(e.runDir(r.ID)); ok {
		r.State.Status, r.State.ExitCode, r.State.FinishedAt, r.State.OOMKilled = StatusExited, x.Code, x.At, x.OOMKilled
		return true
	}
	// A monitor holds the run lock for the container's life; a container
	// adopted after a cut-off launch knows its monitor by that alone.
	monitorAlive := r.State.monitorAlive() || r.State.MonitorPid == 0 && e.runLocked(r.ID)
	if r.State.BootID == bootID() {
		if monitorAlive {
			return false
		}
		if r.State.alive() {
			r.State.MonitorGone = true
			return false
		}
	}
	r.State.Status, r.State.ExitCode, r.State.FinishedAt = StatusExited, -1, time.Now()
	return true
}
