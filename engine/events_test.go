package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// eventsEngine is an engine whose containers.conf is conf (the engine
// table's lines) and whose run state is a temporary directory.
func eventsEngine(t *testing.T, conf string) *Engine {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "containers.conf")
	if err := os.WriteFile(path, []byte("[engine]\n"+conf+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CONTAINERS_CONF", path)
	return &Engine{settings: Options{TmpDir: filepath.Join(dir, "run")}}
}

// readAll is the events ReadEvents gives with o, not streaming.
func readAll(t *testing.T, e *Engine, o EventsOptions) []Event {
	t.Helper()
	var out []Event
	if err := e.ReadEvents(context.Background(), o, func(ev Event) error { out = append(out, ev); return nil }); err != nil {
		t.Fatalf("reading events: %v", err)
	}
	return out
}

func statuses(evs []Event) string {
	var s []string
	for _, ev := range evs {
		s = append(s, ev.Status+":"+ev.Name)
	}
	return strings.Join(s, " ")
}

// Events are read back in order, in podman's shape, at the default place
// in the run state; a missing log is no events.
func TestEventsAppendRead(t *testing.T) {
	e := eventsEngine(t, "")
	if evs := readAll(t, e, EventsOptions{}); len(evs) != 0 {
		t.Fatalf("a missing log: %v", evs)
	}
	r := &Record{ID: "0123456789abcdef", Name: "web", Image: "quay.io/x:1", Config: Config{Labels: map[string]string{"tier": "front"}}}
	r.State.ExitCode = 17
	e.recordEvents(recordEvent("start", r), diedEvent(r))
	b, err := os.ReadFile(filepath.Join(e.stateDir(), "events", "events.log"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[1], `"ContainerExitCode":17`) || !strings.Contains(lines[0], `"Attributes":{"tier":"front"}`) ||
		!strings.Contains(lines[0], `"Type":"container"`) || !strings.Contains(lines[0], `"Status":"start"`) {
		t.Fatalf("the log:\n%s", b)
	}
	evs := readAll(t, e, EventsOptions{})
	if statuses(evs) != "start:web died:web" || evs[1].ContainerExitCode != 17 || evs[0].Time.IsZero() || evs[0].Image != "quay.io/x:1" {
		t.Errorf("read back: %+v", evs)
	}
	if later := readAll(t, e, EventsOptions{Since: evs[1].Time}); len(later) != 0 {
		t.Errorf("since the last: %v", later)
	}
	if before := readAll(t, e, EventsOptions{Until: evs[0].Time.Add(-time.Second)}); len(before) != 0 {
		t.Errorf("until before the first: %v", before)
	}
}

// The same key given twice is either, different keys are all, as
// podman's; an unknown key is refused.
func TestEventFilters(t *testing.T) {
	evs := []Event{
		{Type: EventContainer, Status: "start", ID: "aaa111", Name: "foo", Image: "quay.io/libpod/testimage:20221018", Attributes: map[string]string{"l": "v 1"}},
		{Type: EventContainer, Status: "start", ID: "bbb222", Name: "bar"},
		{Type: EventContainer, Status: "died", ID: "aaa111", Name: "foo"},
		{Type: EventImage, Status: "pull", ID: "ccc333", Name: "foo"},
		{Type: EventVolume, Status: "create", Name: "data"},
		{Type: EventNetwork, Status: "connect", ID: "aaa111", Name: "foo", Network: "podman1"},
	}
	for _, c := range []struct {
		filters []string
		want    string
	}{
		{[]string{"container=foo", "container=bar", "event=start"}, "0 1"},
		{[]string{"container=aaa"}, "0 2"},
		{[]string{"status=die"}, "2"},
		{[]string{"type=container", "label=l=v 1"}, "0"},
		{[]string{"label=l"}, "0"},
		{[]string{"image=ccc"}, "3"},
		{[]string{"image=quay.io/libpod/testimage:20221018"}, "0"},
		{[]string{"volume=data"}, "4"},
		{[]string{"network=podman1"}, "5"},
		{[]string{"type=image", "type=volume"}, "3 4"},
	} {
		fs, err := ParseEventFilters(c.filters)
		if err != nil {
			t.Fatalf("%v: %v", c.filters, err)
		}
		var got []string
		for i := range evs {
			if fs.Match(&evs[i]) {
				got = append(got, fmt.Sprint(i))
			}
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("filters %q pass %v, want %s", c.filters, got, c.want)
		}
	}
	for _, bad := range []string{"nokey", "color=red"} {
		if _, err := ParseEventFilters([]string{bad}); err == nil {
			t.Errorf("filter %q accepted", bad)
		}
	}
}

// podman's log of 100 lines of 95 bytes, rotated at 4750 bytes (half the
// log): the second half but its first line is kept, then the rotation's
// event, then the new one. Without a size, nothing is rotated.
func TestEventsRotation(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "events.txt")
	populate := func() string {
		var b strings.Builder
		for i := range 100 {
			fmt.Fprintf(&b, `{"Name":"busybox","Status":"pull","Time":"2022-04-06T11:26:42.7236679%02d+02:00","Type":"image","Attributes":null}`+"\n", i)
		}
		if err := os.WriteFile(log, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	before := populate()
	e := eventsEngine(t, fmt.Sprintf("events_logger=\"file\"\nevents_logfile_path=%q\nevents_logfile_max_size=0", log))
	e.recordEvents(Event{Type: EventContainer, Status: "remove", ID: "x", Name: "y"})
	if b, _ := os.ReadFile(log); !strings.HasPrefix(string(b), before) {
		t.Fatal("rotated without a size limit")
	}
	lines := strings.SplitAfter(populate(), "\n")
	e = eventsEngine(t, fmt.Sprintf("events_logger=\"file\"\nevents_logfile_path=%q\nevents_logfile_max_size=4750", log))
	e.recordEvents(Event{Type: EventContainer, Status: "remove", ID: "x", Name: "y"})
	b, _ := os.ReadFile(log)
	got := strings.SplitAfter(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(got) != 51 || strings.Join(got[:49], "") != strings.Join(lines[51:100], "") ||
		!strings.Contains(got[49], `"Status":"log-rotation"`) || !strings.Contains(got[49], log) || !strings.Contains(got[50], `"Status":"remove"`) {
		t.Fatalf("the rotated log (%d lines):\n%s", len(got), b)
	}
	since, _ := time.Parse(time.RFC3339Nano, "2022-03-06T11:26:42.723667984+02:00")
	if evs := readAll(t, e, EventsOptions{Since: since}); len(evs) != 51 || evs[49].Status != "log-rotation" || evs[49].Type != EventSystem {
		t.Errorf("read after the rotation: %d events, %v", len(evs), statuses(evs))
	}
}

// A line cut by a crash is skipped by readers and ended before the next
// event, which stays readable.
func TestEventsTornLine(t *testing.T) {
	e := eventsEngine(t, "")
	e.recordEvents(Event{Type: EventVolume, Status: "create", Name: "a"})
	path := filepath.Join(e.stateDir(), "events", "events.log")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"Type":"volume","Status":"cre`)
	f.Close()
	if got := statuses(readAll(t, e, EventsOptions{})); got != "create:a" {
		t.Errorf("with a cut last line: %q", got)
	}
	e.recordEvents(Event{Type: EventVolume, Status: "remove", Name: "a"})
	if got := statuses(readAll(t, e, EventsOptions{})); got != "create:a remove:a" {
		t.Errorf("after the cut line: %q", got)
	}
}

// The none backend records nothing and refuses to read, as podman's.
func TestEventsNoneBackend(t *testing.T) {
	e := eventsEngine(t, `events_logger="none"`)
	e.recordEvents(Event{Type: EventVolume, Status: "create", Name: "a"})
	if _, err := os.Stat(filepath.Join(e.stateDir(), "events")); !os.IsNotExist(err) {
		t.Errorf("the none backend wrote: %v", err)
	}
	err := e.ReadEvents(context.Background(), EventsOptions{}, func(Event) error { return nil })
	if err == nil || err.Error() != `cannot read events with the "none" backend` {
		t.Errorf("reading with none: %v", err)
	}
	e = eventsEngine(t, "")
	e.settings.EventsBackend = EventsNone
	if err := e.EventsReadable(); err == nil {
		t.Error("--events-backend none is readable")
	}
}

// A stream gives the events written after it began, across a rotation,
// and ends with its context.
func TestEventsStream(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "events.log")
	e := eventsEngine(t, fmt.Sprintf("events_logfile_path=%q\nevents_logfile_max_size=2000", log))
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan Event, 100)
	done := make(chan error, 1)
	go func() {
		done <- e.ReadEvents(ctx, EventsOptions{Stream: true, Filters: []string{"type=volume"}}, func(ev Event) error { got <- ev; return nil })
	}()
	const n = 40 // about 4000 bytes: rotated on the way
	for i := range n {
		e.recordEvents(Event{Type: EventVolume, Status: "create", Name: fmt.Sprint(i)})
		time.Sleep(20 * time.Millisecond) // a rotation's kept lines are read before the next
	}
	for i := range n {
		select {
		case ev := <-got:
			if ev.Name != fmt.Sprint(i) {
				t.Fatalf("event %d is %q", i, ev.Name)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("the stream gave %d of %d events", i, n)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("the stream ended with %v", err)
	}
}
