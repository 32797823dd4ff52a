package engine

import (
	"fmt"
	"testing"
	"time"
)

// TestImageEventsJournal checks that the journal returns the events after
// a time in order, and keeps its last events when it grows too big.
func TestImageEventsJournal(t *testing.T) {
	e := &Engine{settings: Options{TmpDir: t.TempDir()}}
	if evs, err := e.ImageEvents(time.Time{}); err != nil || len(evs) != 0 {
		t.Fatalf("an empty journal: %v, %v", evs, err)
	}
	e.recordImageEvents(ImageEvent{Action: "tag", ImageID: "a", Name: "x:1"}, ImageEvent{Action: "untag", ImageID: "a", Name: "x:1"})
	evs, err := e.ImageEvents(time.Time{})
	if err != nil || len(evs) != 2 || evs[0].Action != "tag" || evs[1].Action != "untag" || evs[0].Time.IsZero() {
		t.Fatalf("two events: %+v, %v", evs, err)
	}
	if later, _ := e.ImageEvents(evs[1].Time); len(later) != 0 {
		t.Errorf("events after the last: %+v", later)
	}
	const n = 2000
	for i := range n {
		e.recordImageEvents(ImageEvent{Action: "pull", Name: fmt.Sprintf("registry.example/some/long/name-%d:latest", i)})
	}
	evs, err = e.ImageEvents(time.Time{})
	if err != nil || len(evs) < keepImageEvents || len(evs) >= n {
		t.Fatalf("after %d events the journal holds %d (%v): want it trimmed to at least %d", n, len(evs), err, keepImageEvents)
	}
	if last := evs[len(evs)-1].Name; last != fmt.Sprintf("registry.example/some/long/name-%d:latest", n-1) {
		t.Errorf("the last event kept: %q", last)
	}
	for i := 1; i < len(evs); i++ {
		if evs[i].Time.Before(evs[i-1].Time) {
			t.Fatalf("the journal is out of time order at %d", i)
		}
	}
}
