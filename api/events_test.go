package api

import (
	"fmt"
	"strings"
	"testing"
	"time"

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
	if _, err := newEventFilter(map[string][]string{"type": {"plugin"}}); err == nil {
		t.Error("plugin events are promised")
	}
}

// The journal's image events read as dockerd's: a pull's actor is the
// name, a tag's carries the new name, the rest name the image by ID; the
// image filter matches an ID, a name or a name without its tag.
func TestImageEventMessages(t *testing.T) {
	j := &journalReader{}
	at := time.Unix(2000, 0)
	pull := j.message(engine.ImageEvent{Time: at, Action: "pull", ImageID: "abc", Name: "docker.io/library/busybox:latest"})
	tag := j.message(engine.ImageEvent{Time: at, Action: "tag", ImageID: "abc", Name: "docker.io/library/shop:v1", Labels: map[string]string{"team": "a"}})
	del := j.message(engine.ImageEvent{Time: at, Action: "delete", ImageID: "abc"})
	for _, c := range []struct {
		m    eventMessage
		want string
	}{
		{pull, "image pull busybox:latest busybox"},
		{tag, "image tag sha256:abc shop:v1"},
		{del, "image delete sha256:abc sha256:abc"},
	} {
		if got := fmt.Sprintf("%s %s %s %s", c.m.Type, c.m.Action, c.m.Actor.ID, c.m.Actor.Attributes["name"]); got != c.want || c.m.TimeNano != at.UnixNano() {
			t.Errorf("got %q at %d, want %q", got, c.m.TimeNano, c.want)
		}
	}
	for _, c := range []struct {
		filter map[string][]string
		want   string
	}{
		{map[string][]string{"image": {"shop"}}, "tag"},
		{map[string][]string{"image": {"shop:v1"}}, "tag"},
		{map[string][]string{"image": {"busybox"}}, "pull"},
		{map[string][]string{"image": {"sha256:abc"}}, "tag delete"},
		{map[string][]string{"label": {"team=a"}}, "tag"},
		{map[string][]string{"type": {"image"}, "event": {"delete", "pull"}}, "pull delete"},
		{map[string][]string{"type": {"container"}}, ""},
	} {
		ef, err := newEventFilter(c.filter)
		if err != nil {
			t.Fatal(err)
		}
		var passed []string
		for _, m := range []eventMessage{pull, tag, del} {
			if ef.match(m) {
				passed = append(passed, string(m.Action))
			}
		}
		if got := strings.Join(passed, " "); got != c.want {
			t.Errorf("filters %v let %q through, want %q", c.filter, got, c.want)
		}
	}
}
