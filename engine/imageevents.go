package engine

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/images"
)

// Image events. A container's changes can be read back from its record,
// but an image's pull, tag or removal leaves nothing to compare: so the
// image operations, whether the CLI or the API made them, append what they
// did to a journal in the run state, and the API's /events reads it. Like
// dockerd's buffer of past events it holds only the last few hundred and
// does not survive a reboot.

// ImageEvent is one image operation of the journal.
type ImageEvent struct {
	Time time.Time `json:"time"`
	// Action is dockerd's name of the operation: pull, push, tag, untag,
	// delete, import, load, save, or commit (a container's).
	Action string `json:"action"`
	// ImageID is the image's ID ("" when a push's image is unknown).
	ImageID string `json:"imageID,omitempty"`
	// Name is the image name the operation was about: the name pulled,
	// pushed, added or removed.
	Name string `json:"name,omitempty"`
	// Container is the ID of the container a commit was made of.
	Container string `json:"container,omitempty"`
	// Labels are the image's labels, when it still exists.
	Labels map[string]string `json:"labels,omitempty"`
}

// keepImageEvents is how many events the journal keeps once it is trimmed
// (dockerd keeps 256 in memory); it is trimmed when it grows past
// maxImageEventsBytes.
const (
	keepImageEvents     = 256
	maxImageEventsBytes = 128 << 10
)

func (e *Engine) imageEventsPath() string { return filepath.Join(e.stateDir(), "image-events.jsonl") }

// recordImageEvents appends events to the journal, stamped now. It is best
// effort: an operation that succeeded does not fail for its event.
func (e *Engine) recordImageEvents(evs ...ImageEvent) {
	if len(evs) == 0 {
		return
	}
	if err := e.appendImageEvents(evs); err != nil {
		logrus.Debugf("recording image events: %v", err)
	}
}

func (e *Engine) appendImageEvents(evs []ImageEvent) error {
	path := e.imageEventsPath()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	// A lock file of its own, not the journal: a trim replaces the journal,
	// and a writer waiting on the old file's lock would append to nothing.
	lk, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer lk.Close()
	if err := unix.Flock(int(lk.Fd()), unix.LOCK_EX); err != nil {
		return err
	}
	var buf bytes.Buffer
	now := time.Now() // under the lock, so the journal is in time order
	for _, ev := range evs {
		ev.Time = now
		b, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		buf.Write(append(b, '\n'))
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(buf.Bytes())
	st, serr := f.Stat()
	f.Close()
	if err != nil || serr != nil || st.Size() <= maxImageEventsBytes {
		return err
	}
	return trimImageEvents(path)
}

// trimImageEvents keeps the journal's last keepImageEvents lines.
func trimImageEvents(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	if len(lines) > keepImageEvents {
		lines = lines[len(lines)-keepImageEvents:]
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, bytes.Join(lines, nil), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// ImageEvents are the journal's events after a time, oldest first.
func (e *Engine) ImageEvents(after time.Time) ([]ImageEvent, error) {
	f, err := os.Open(e.imageEventsPath())
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []ImageEvent
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var ev ImageEvent
		if json.Unmarshal(sc.Bytes(), &ev) == nil && ev.Time.After(after) {
			out = append(out, ev)
		}
	}
	return out, sc.Err()
}

// imageEvent is an event about img, with its labels.
func (e *Engine) imageEvent(action string, img *Image, name string) ImageEvent {
	ev := ImageEvent{Action: action, Name: name}
	if img == nil {
		return ev
	}
	ev.ImageID = img.ID
	if s, err := e.store(); err == nil {
		if cfg, err := images.DockerConfig(context.Background(), s, img); err == nil {
			ev.Labels = cfg.Config.Labels
		}
	}
	return ev
}

// namesEvents are the events of the names img gained (tag) or lost
// (untag) between before and after.
func (e *Engine) namesEvents(action string, img *Image, before, after []string) []ImageEvent {
	var out []ImageEvent
	from, to := before, after
	if action == "untag" {
		from, to = after, before
	}
	for _, n := range to {
		if !slices.Contains(from, n) {
			out = append(out, e.imageEvent(action, img, n))
		}
	}
	return out
}

// pulledName is the name of img that ref pulled: ref itself when the image
// has it, else the first of its names that ref matches.
func pulledName(img *Image, ref string) string {
	if slices.Contains(img.Names, ref) {
		return ref
	}
	for _, n := range img.Names {
		if images.MatchReference(ref, n) {
			return n
		}
	}
	return ref
}
