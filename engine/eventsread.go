package engine

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/burrow-containers/burrow/errdefs"
)

// EventsOptions say which events ReadEvents gives.
type EventsOptions struct {
	// Filters are podman's events --filter KEY=VALUE: the same key given
	// twice is either, different keys are all.
	Filters []string
	// Since and Until bound the events' times (zero: unbounded).
	Since, Until time.Time
	// Stream follows the log for new events until ctx ends or Until
	// passes; otherwise the read ends at the log's end.
	Stream bool
}

// eventFilter tells whether an event passes one filter.
type eventFilter func(ev *Event) bool

// EventFilters are parsed events filters, by key.
type EventFilters map[string][]eventFilter

// ParseEventFilters reads podman's events filters: container, event (or
// status), image, label, pod, type, volume and network.
func ParseEventFilters(specs []string) (EventFilters, error) {
	out := EventFilters{}
	for _, spec := range specs {
		key, v, ok := strings.Cut(spec, "=")
		if !ok || key == "" {
			return nil, errdefs.Invalid(fmt.Errorf("invalid filter %q: use KEY=VALUE", spec))
		}
		key = strings.ToLower(key)
		f, err := eventFilterFor(key, v)
		if err != nil {
			return nil, err
		}
		out[key] = append(out[key], f)
	}
	return out, nil
}

func eventFilterFor(key, v string) (eventFilter, error) {
	byNameOrID := func(typ string) eventFilter {
		return func(ev *Event) bool {
			return ev.Type == typ && (ev.Name == v || v != "" && strings.HasPrefix(ev.ID, v))
		}
	}
	switch key {
	case "container":
		return byNameOrID(EventContainer), nil
	case "event", "status":
		if v == "die" {
			v = "died"
		}
		return func(ev *Event) bool { return ev.Status == v }, nil
	case "image":
		img := byNameOrID(EventImage)
		return func(ev *Event) bool {
			return img(ev) || ev.Type == EventContainer && (ev.Image == v || MatchImageName(v, ev.Image))
		}, nil
	case "pod":
		pod := byNameOrID(EventPod)
		return func(ev *Event) bool { return pod(ev) || v != "" && strings.HasPrefix(ev.PodID, v) }, nil
	case "volume":
		return byNameOrID(EventVolume), nil
	case "network":
		return func(ev *Event) bool {
			return ev.Type == EventNetwork && (ev.Network == v || ev.Name == v || v != "" && strings.HasPrefix(ev.ID, v))
		}, nil
	case "type":
		return func(ev *Event) bool { return ev.Type == v }, nil
	case "label":
		lk, lv, withValue := strings.Cut(v, "=")
		return func(ev *Event) bool {
			got, has := ev.Attributes[lk]
			return has && (!withValue || got == lv)
		}, nil
	}
	return nil, errdefs.Invalid(fmt.Errorf("%s is an invalid filter: use container, event, image, label, network, pod, type or volume", key))
}

// Match tells whether an event passes the filters: one of each key's.
func (fs EventFilters) Match(ev *Event) bool {
	for _, alts := range fs {
		ok := false
		for _, f := range alts {
			if f(ev) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// eventsPoll is how often a stream looks for new lines.
const eventsPoll = 100 * time.Millisecond

// EventsReadable fails as ReadEvents would when the backend has nothing to
// read: for the API, which answers before it reads.
func (e *Engine) EventsReadable() error {
	s, err := e.eventsSettings()
	if err != nil {
		return err
	}
	switch s.backend {
	case EventsNone:
		return errdefs.Invalid(errors.New(`cannot read events with the "none" backend`))
	case EventsJournald:
		return errNoJournal
	}
	return nil
}

// ReadEvents gives fn the journal's events that pass o, oldest first,
// and then, with o.Stream, the new ones as they come. A line that does not
// parse (cut by a crash) is skipped. The "none" and "journald" backends
// have nothing to read.
func (e *Engine) ReadEvents(ctx context.Context, o EventsOptions, fn func(Event) error) error {
	if err := e.EventsReadable(); err != nil {
		return err
	}
	s, err := e.eventsSettings()
	if err != nil {
		return err
	}
	filters, err := ParseEventFilters(o.Filters)
	if err != nil {
		return err
	}
	r := &eventsTail{path: s.path}
	defer r.close()
	var last time.Time // of the last event read
	for {
		done := false
		err := r.lines(func(line []byte, rotated bool) error {
			var ev Event
			if json.Unmarshal(line, &ev) != nil {
				return nil
			}
			if rotated && !ev.Time.After(last) {
				return nil // read before the rotation kept it
			}
			last = ev.Time
			if !o.Until.IsZero() && ev.Time.After(o.Until) {
				done = true
				return nil
			}
			if !o.Since.IsZero() && !ev.Time.After(o.Since) || !filters.Match(&ev) {
				return nil
			}
			return fn(ev)
		})
		if err != nil || done || !o.Stream {
			return err
		}
		if !o.Until.IsZero() && time.Now().After(o.Until) {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(eventsPoll):
		}
	}
}

// eventsTail reads a log's whole lines as they are appended, and the new
// log a rotation puts in its place.
type eventsTail struct {
	path    string
	f       *os.File
	r       *bufio.Reader
	partial []byte // a line read without its newline yet
	rotated bool   // f replaced the log first read
}

// lines gives fn each whole line added since the last call, and whether
// it comes from a log that replaced the one first read (whose kept lines
// were read already).
func (t *eventsTail) lines(fn func(line []byte, rotated bool) error) error {
	if t.f == nil {
		f, err := os.Open(t.path)
		if os.IsNotExist(err) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading events: %w", err)
		}
		t.f, t.r = f, bufio.NewReaderSize(f, 64<<10)
	}
	for {
		if err := t.drain(fn); err != nil {
			return err
		}
		if !t.replaced() {
			return nil
		}
		// Rotated: what was left of the old file is read; the new one
		// is read from its start.
		t.close()
		f, err := os.Open(t.path)
		if err != nil {
			return nil
		}
		t.f, t.r, t.rotated = f, bufio.NewReaderSize(f, 64<<10), true
	}
}

func (t *eventsTail) drain(fn func([]byte, bool) error) error {
	for {
		b, err := t.r.ReadBytes('\n')
		if len(b) > 0 && b[len(b)-1] == '\n' {
			line := append(t.partial, b...)
			t.partial = nil
			if line = bytes.TrimSpace(line); len(line) > 0 {
				if err := fn(line, t.rotated); err != nil {
					return err
				}
			}
		} else {
			t.partial = append(t.partial, b...)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading events: %w", err)
		}
	}
}

// replaced tells whether the path now names another file than the one
// being read.
func (t *eventsTail) replaced() bool {
	st, err := os.Stat(t.path)
	if err != nil {
		return false
	}
	cur, err := t.f.Stat()
	return err == nil && !os.SameFile(st, cur)
}

func (t *eventsTail) close() {
	if t.f != nil {
		t.f.Close()
		t.f, t.r, t.partial = nil, nil, nil
	}
}
