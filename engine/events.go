package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
)

// The events journal: podman's file backend. burrow has no daemon to
// hear what happens, so every engine operation, whether the CLI or the
// API service made it, appends what it did to one JSON-lines log, in
// podman's record shape, and `burrow events` and the API's /events read
// it back. A container that exits while no CLI runs gets its died event
// from the cleanup its monitor runs (Cleanup), which records the exit once
// under the engine lock.

// Event types, podman's.
const (
	EventContainer = "container"
	EventImage     = "image"
	EventPod       = "pod"
	EventVolume    = "volume"
	EventNetwork   = "network"
	EventSystem    = "system"
)

// Event is one line of the journal, in podman 4.3's shape (libpod/events'
// Event with its Details inlined), so that podman's readers and burrow's
// read the same file.
type Event struct {
	// ContainerExitCode is a died event's exit code.
	ContainerExitCode int `json:",omitempty"`
	// ID is the container's, image's, pod's or volume's ID (a network
	// event's is the container's).
	ID string `json:",omitempty"`
	// Image is a container event's image, as the container names it.
	Image string `json:",omitempty"`
	// Name is the container's, pod's, volume's name, or what an image
	// event was about: the name pulled, tagged, pushed to, the archive.
	Name string `json:",omitempty"`
	// Network is a network event's network name.
	Network string `json:"network,omitempty"`
	// Status is what happened: create, start, died, pull, tag...
	Status string
	Time   time.Time
	Type   string
	// HealthStatus is a health_status event's result.
	HealthStatus string `json:"health_status,omitempty"`
	// PodID is the pod of a container's event.
	PodID string `json:",omitempty"`
	// Attributes are a container's labels (and an event's details).
	Attributes map[string]string
	// Images is burrow's own: the IDs a loadfromarchive brought in (podman's
	// event names only the archive), for the Docker API's load events.
	// podman's readers ignore it.
	Images []string `json:"images,omitempty"`
}

// Events backends, containers.conf's events_logger.
const (
	EventsFile     = "file"
	EventsJournald = "journald"
	EventsNone     = "none"
)

// eventsSettings is where events go: the backend, the log file and the
// size at which it is rotated (0: never).
type eventsSettings struct {
	backend string
	path    string
	maxSize uint64
}

// eventsSettings reads --events-backend and containers.conf's
// events_logger, events_logfile_path and events_logfile_max_size. The log
// is burrow's own by default, <burrow's run state>/events/events.log (the
// analogue of podman's <tmpdir>/events/events.log): podman's log would mix
// podman's containers, which burrow does not see, into burrow's events.
func (e *Engine) eventsSettings() (eventsSettings, error) {
	s := eventsSettings{backend: e.settings.EventsBackend, path: filepath.Join(e.stateDir(), "events", "events.log")}
	c, err := e.conf()
	if err != nil {
		return s, err
	}
	if s.backend == "" {
		s.backend = c.Engine.EventsLogger
	}
	if s.backend == "" {
		s.backend = EventsFile
	}
	if c.Engine.EventsLogFilePath != "" {
		s.path = c.Engine.EventsLogFilePath
	}
	s.maxSize = c.Engine.EventsLogMaxSize()
	switch s.backend {
	case EventsFile, EventsNone:
	case EventsJournald:
	default:
		return s, errdefs.Invalid(fmt.Errorf("unknown events backend %q: use file, journald or none", s.backend))
	}
	return s, nil
}

// ValidEventsBackend checks an --events-backend value.
func ValidEventsBackend(b string) error {
	switch b {
	case "", EventsFile, EventsJournald, EventsNone:
		return nil
	}
	return errdefs.Invalid(fmt.Errorf("unknown events backend %q: use file, journald or none", b))
}

// errNoJournal: burrow keeps no events in the systemd journal.
var errNoJournal = errdefs.Unavailable(errors.New(`the "journald" events backend is not available: burrow keeps events in a file; use --events-backend=file or events_logger="file" in containers.conf`))

// recordEvents appends events to the journal, stamped now. It is best
// effort: an operation that succeeded does not fail for its event.
func (e *Engine) recordEvents(evs ...Event) {
	if len(evs) == 0 {
		return
	}
	s, err := e.eventsSettings()
	if err != nil || s.backend == EventsNone {
		return
	}
	if s.backend == EventsJournald {
		logrus.Debugf("recording events: %v", errNoJournal)
		return
	}
	if err := appendEvents(s, evs); err != nil {
		logrus.Debugf("recording events: %v", err)
	}
}

// appendEvents writes events to the log under its lock. Each event is one
// write(2) of a whole line, so a writer killed between two leaves no part
// of a line; a line cut short anyway (a full disk, a power cut) is ended
// before the next is appended, and readers skip it.
func appendEvents(s eventsSettings, evs []Event) error {
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return err
	}
	// A lock file of its own, not the log: a rotation replaces the log,
	// and a writer waiting on the old file's lock would append to nothing.
	lk, err := os.OpenFile(s.path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer lk.Close()
	if err := flockRetry(lk); err != nil {
		return err
	}
	for _, ev := range evs {
		// Stamped under the lock, so the log is in time order, each
		// its own time, which a reader after a rotation goes by.
		now := time.Now()
		ev.Time = now
		line, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		line = append(line, '\n')
		rotated, err := rotateEvents(s.path, len(line), s.maxSize)
		if err != nil {
			return fmt.Errorf("rotating %s: %w", s.path, err)
		}
		if rotated {
			r, _ := json.Marshal(Event{Status: "log-rotation", Type: EventSystem, Name: s.path, Time: now.Add(-time.Nanosecond)})
			if err := appendLine(s.path, append(r, '\n')); err != nil {
				return err
			}
		}
		if err := appendLine(s.path, line); err != nil {
			return err
		}
	}
	return nil
}

func flockRetry(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX)
		if err != unix.EINTR {
			return err
		}
	}
}

// appendLine appends one line in one write, after a newline when the log
// ends in a cut line.
func appendLine(path string, line []byte) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			line = append([]byte{'\n'}, line...)
		}
	}
	_, err = f.Write(line)
	return err
}

// rotateEvents rotates the log as podman does when adding n bytes would
// reach max: it keeps the lines after the first half of the file (the
// line the half falls in goes too), in a file that replaces the log.
func rotateEvents(path string, n int, max uint64) (bool, error) {
	if max == 0 {
		return false, nil
	}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return false, err
	}
	if uint64(st.Size())+uint64(n) < max {
		return false, nil
	}
	rest := make([]byte, st.Size()-st.Size()/2)
	if _, err := f.ReadAt(rest, st.Size()/2); err != nil && err != io.EOF {
		return false, err
	}
	if i := bytes.IndexByte(rest, '\n'); i >= 0 {
		rest = rest[i+1:]
	} else {
		rest = nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".events-*")
	if err != nil {
		return false, err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(rest)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, err
	}
	return true, os.Rename(tmp.Name(), path)
}

// EventsBackend is where events go (file, journald or none), for info;
// file when containers.conf cannot be read.
func (e *Engine) EventsBackend() string {
	s, err := e.eventsSettings()
	if err != nil {
		return EventsFile
	}
	return s.backend
}
