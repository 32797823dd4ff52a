package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.podman.io/storage/pkg/stringid"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/monitor"
)

// Crash consistency. A command that creates or starts a container may be
// killed at any point; the record must never disagree with the processes.
//
// Before it makes anything, the command writes the record with
// State.Launch (what it is doing, and who it is) and takes the
// container's run lock (a flock on <run dir>/lock). It hands the lock to
// the monitor it spawns, which holds it for the container's life, and
// clears Launch when the record is complete: created (create), or running
// with its PIDs (run, start). So a record with Launch tells a reader:
//
//   - the lock is held: a command or a monitor is at work. If the monitor
//     already started the process (its pid file) the container runs.
//   - the lock is free: the command was cut off. repairLaunch then makes
//     the record true: a process that started is adopted (running, or
//     exited and cleaned up as at any exit); otherwise what the command
//     made is torn down, and a container that was still being created is
//     removed altogether.

// Launch kinds.
const (
	launchCreate = "create" // create or run: the container is being made
	launchStart  = "start"  // start or a restart of a made container
	// launchRestart is a start by the restart policy: a no-op once the
	// user has stopped the container.
	launchRestart = "restart"
)

// Launch is the command at work on a container's record.
type Launch struct {
	Kind  string `json:"kind"`
	Pid   int    `json:"pid"`
	Start uint64 `json:"start"` // Pid's start time, against PID reuse
}

// ownerAlive tells whether the command that set l still runs.
func (l *Launch) ownerAlive() bool {
	return l.Pid > 0 && procStart(l.Pid) == l.Start
}

// lease is a held run lock.
type lease struct{ f *os.File }

// release closes this process's copy of the lock; a monitor that got one
// keeps holding it.
func (l *lease) release() {
	if l != nil && l.f != nil {
		l.f.Close()
		l.f = nil
	}
}

func (e *Engine) runLockPath(id string) string { return filepath.Join(e.runDir(id), "lock") }

// takeRunLock takes the container's run lock and empties its run
// directory of what a previous run left (pid and exit files). It fails
// with errBusy while another command or a monitor holds the lock. The
// caller holds the engine lock.
func (e *Engine) takeRunLock(id string) (*lease, error) {
	run := e.runDir(id)
	if err := os.MkdirAll(run, 0o700); err != nil {
		return nil, fmt.Errorf("creating the run directory of container %s: %w", stringid.TruncateID(id), err)
	}
	f, err := os.OpenFile(e.runLockPath(id), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating the run lock of container %s: %w", stringid.TruncateID(id), err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		return nil, errBusy
	}
	ents, _ := os.ReadDir(run)
	for _, ent := range ents {
		if ent.Name() != "lock" {
			os.RemoveAll(filepath.Join(run, ent.Name()))
		}
	}
	return &lease{f: f}, nil
}

// errBusy: another command is launching the container, or its previous
// monitor has not let go yet.
var errBusy = errdefs.Conflict(errors.New("the container is being started by another command"))

// runLocked tells whether a command or a monitor holds the container's run
// lock.
func (e *Engine) runLocked(id string) bool {
	f, err := os.Open(e.runLockPath(id))
	if err != nil {
		return false // none: never started, or gone with a reboot
	}
	defer f.Close()
	err = unix.Flock(int(f.Fd()), unix.LOCK_SH|unix.LOCK_NB)
	return errors.Is(err, unix.EWOULDBLOCK)
}

// startedInit is the init the monitor reported started (its pid file), 0
// when it got no further.
func (e *Engine) startedInit(id string) int {
	b, err := os.ReadFile(filepath.Join(e.runDir(id), "pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// reserve claims a container for a launch of kind: with launchCreate a new
// record (its name claimed as podman does), with launchStart the existing
// one, waiting for another command's launch of it to end. It returns the
// run lock, or nil when the container runs already.
func (e *Engine) reserve(ctr *Container, kind string) (*lease, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		l, busy, err := e.tryReserve(ctr, kind)
		if !busy || time.Now().After(deadline) {
			return l, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (e *Engine) tryReserve(ctr *Container, kind string) (_ *lease, busy bool, err error) {
	exited := false
	unlock, err := e.lock()
	if err != nil {
		return nil, false, err
	}
	defer unlock()
	if kind == launchCreate {
		if err := e.claimName(ctr); err != nil {
			return nil, false, err
		}
		if err := e.joinPodLocked(&ctr.Record); err != nil {
			return nil, false, err
		}
	} else {
		r, err := e.readRecord(ctr.ID)
		if err != nil {
			return nil, false, err
		}
		e.repairLaunchLocked(r)
		if r.State.Launch != nil {
			return nil, true, errdefs.Conflict(fmt.Errorf("container %s is being started by another command", ctr.Name))
		}
		// An exit no cleanup recorded (its monitor was killed) is
		// recorded by this write: its died event comes with it.
		exited = r.State.Status == StatusRunning && e.refresh(r)
		ctr.Record = *r
		if r.State.Status == StatusRunning || kind == launchRestart && r.State.StoppedByUser {
			return nil, false, nil
		}
		kind = launchStart
	}
	l, err := e.takeRunLock(ctr.ID)
	if err != nil {
		return nil, err == errBusy, err
	}
	ctr.State.Launch = &Launch{Kind: kind, Pid: os.Getpid(), Start: procStart(os.Getpid())}
	if err := e.writeRecord(&ctr.Record); err != nil {
		l.release()
		ctr.State.Launch = nil
		if kind == launchCreate {
			e.removeRecordDir(&ctr.Record)
			os.RemoveAll(e.runDir(ctr.ID))
		}
		return nil, false, err
	}
	if exited {
		e.recordEvents(diedEvent(&ctr.Record))
	}
	return l, false, nil
}

// endLaunch writes the record of a launch that ended without a running
// process (a create, or a start that failed): complete, created or as it
// was.
func (e *Engine) endLaunch(ctr *Container) error {
	ctr.State.Launch = nil
	return e.updateRecord(&ctr.Record)
}

// endFailedLaunch ends a launch whose start failed with err, and records
// why in the container's state, for inspect to show through either door.
func (e *Engine) endFailedLaunch(ctr *Container, err error) error {
	ctr.State.Error = err.Error()
	switch errdefs.ClassOf(err) {
	case errdefs.ClassCommandNotFound:
		ctr.State.ExitCode = 127
	case errdefs.ClassCannotInvoke:
		ctr.State.ExitCode = 126
	}
	return e.endLaunch(ctr)
}

// discard removes a container whose creation failed or was cut off:
// storage, anonymous volumes, network namespace, files and record.
func (e *Engine) discard(ctr *Container) error {
	unlock, err := e.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return e.discardLocked(&ctr.Record)
}

func (e *Engine) discardLocked(r *Record) error {
	// The storage container may exist before the record says so.
	r.Stored = r.Stored || r.Config.Rootfs == ""
	e.removeAnonymousVolumes(r)
	return e.removeFiles(r)
}

// repairLaunch makes the record of a container whose launch was cut off
// true (see the top of this file); a no-op for any other.
func (e *Engine) repairLaunch(id string) {
	unlock, err := e.lock()
	if err != nil {
		return
	}
	r, err := e.readRecord(id)
	var exited bool
	if err == nil {
		exited = e.repairLaunchLocked(r)
	}
	unlock()
	if exited {
		// The process ran and ended with nobody to record it: its exit is
		// recorded as the monitor's cleanup would have.
		e.Cleanup(id)
	}
}

// repairLaunchLocked is repairLaunch for a caller holding the engine
// lock, on a record it read; it reports a process adopted that has
// ended, for Cleanup to record.
func (e *Engine) repairLaunchLocked(r *Record) (ended bool) {
	l := r.State.Launch
	if l == nil {
		return false
	}
	locked := e.runLocked(r.ID)
	if locked && l.ownerAlive() {
		return false // at work
	}
	pid := e.startedInit(r.ID)
	if pid > 0 {
		// The process started: the container runs (or ran).
		r.State = State{
			Status: StatusRunning, Pid: pid, PidStart: procStart(pid), BootID: bootID(),
			StartedAt: time.Now(), RestartCount: r.State.RestartCount,
		}
		if r.State.PidStart != 0 {
			if ppid := parentOf(pid); ppid > 0 {
				r.State.MonitorPid, r.State.MonitorStart = ppid, procStart(ppid)
			}
		}
		e.writeRecord(r)
		_, hasExit := monitor.ReadExit(e.runDir(r.ID))
		return !locked && (hasExit || r.State.PidStart == 0)
	}
	if locked {
		return false // the monitor is still handing over to the process
	}
	// Cut off before the process ran.
	e.teardownNetwork(r.ID)
	if l.Kind == launchCreate {
		e.discardLocked(r)
		return false
	}
	e.unmountRoot(r)
	os.RemoveAll(e.runDir(r.ID))
	r.State.Launch = nil
	e.writeRecord(r)
	return false
}

// awaitLaunch waits until no command is launching ctr any more, and
// refreshes it.
func (e *Engine) awaitLaunch(ctx context.Context, ctr *Container) error {
	for {
		c, err := e.Get(ctr.ID)
		if err != nil {
			return err
		}
		*ctr = *c
		if ctr.State.Launch == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// launchView is how a reader sees a record some command is launching: as
// running once the monitor has started the process.
func (e *Engine) launchView(r *Record) {
	if r.State.Launch == nil {
		return
	}
	if pid := e.startedInit(r.ID); pid > 0 && procStart(pid) != 0 {
		r.State.Status, r.State.Pid, r.State.PidStart, r.State.BootID = StatusRunning, pid, procStart(pid), bootID()
	}
}

// parentOf is the parent PID of pid, 0 when unknown.
func parentOf(pid int) int {
	if st := readStat(pid); st != nil {
		return st.ppid
	}
	return 0
}
