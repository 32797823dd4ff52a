package api

import (
	"fmt"
	"testing"
	"time"

	"github.com/moby/moby/api/types/events"

	"github.com/burrow-containers/burrow/engine"
)

func ctrAt(id, name, status string, started time.Time, labels map[string]string) *engine.Container {
	c := &engine.Container{Record: engine.Record{ID: id, Name: name, Image: "docker.io/library/busybox:latest", Config: engine.Config{Labels: labels}}}
	c.State.Status, c.State.StartedAt = status, started
	return c
}

// What changed between two looks is reported as dockerd reports it, and
// the filters (label, type, event) select as dockerd's.
func TestEventsDiff(t *testing.T) {
	t0 := time.Unix(1000, 0)
	proj := map[string]string{"com.docker.compose.project": "shop"}
	prev := look{containers: map[string]seenContainer{
		"a": {ctr: ctrAt("a", "web", engine.StatusRunning, t0, proj), health: engine.HealthStarting},
		"b": {ctr: ctrAt("b", "old", engine.StatusRunning, t0, nil)},
	}, volumes: map[string]*engine.Volume{"gone": {}}}
	exited := ctrAt("b", "old", engine.StatusExited, t0, nil)
	exited.State.ExitCode = 3
	cur := look{containers: map[string]seenContainer{
		"a": {ctr: ctrAt("a", "web", engine.StatusRunning, t0, proj), health: engine.HealthHealthy},
		"b": {ctr: exited},
		"c": {ctr: ctrAt("c", "new", engine.StatusRunning, t0, proj)},
	}, volumes: map[string]*engine.Volume{"data": {}}}
	var got []string
	for _, m := range diff(prev, cur, time.Now()) {
		got = append(got, fmt.Sprintf("%s %s %s %s", m.Type, m.Action, m.Actor.Attributes["name"]+m.Actor.ID, m.Actor.Attributes["exitCode"]))
	}
	want := "[container health_status: healthy weba  container die oldb 3 container create newc  container start newc  volume create data  volume destroy gone ]"
	if fmt.Sprint(got) != want {
		t.Errorf("events:\n got %v\nwant %s", got, want)
	}
	ef, err := newEventFilter(map[string][]string{"label": {"com.docker.compose.project=shop"}, "event": {"start", "health_status"}})
	if err != nil {
		t.Fatal(err)
	}
	var passed []string
	for _, m := range diff(prev, cur, time.Now()) {
		if ef.match(m) {
			passed = append(passed, string(m.Action)+" "+m.Actor.ID)
		}
	}
	if fmt.Sprint(passed) != "[health_status: healthy a start c]" {
		t.Errorf("filtered by label and event: %v", passed)
	}
	if _, err := newEventFilter(map[string][]string{"type": {string(events.ImageEventType)}}); err == nil {
		t.Error("image events are promised")
	}
}
