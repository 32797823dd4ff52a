package api

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/burrow-containers/burrow/engine"
)

// told is the messages of journal events as "type action actorID name
// exitCode", one per message.
func told(s *Server, evs ...engine.Event) []string {
	var out []string
	for _, ev := range evs {
		for _, m := range s.dockerMessages(ev) {
			out = append(out, strings.TrimSpace(fmt.Sprintf("%s %s %s %s %s", m.Type, m.Action, m.Actor.ID, m.Actor.Attributes["name"], m.Actor.Attributes["exitCode"])))
		}
	}
	return out
}

// The journal's container and volume events read as dockerd's: died is
// die with its exit code, remove is destroy, health_status carries the
// status, podman's init and cleanup are left out; and the filters (label,
// type, event) select as dockerd's.
func TestContainerEventMessages(t *testing.T) {
	at := time.Unix(1000, 0)
	proj := map[string]string{"com.docker.compose.project": "shop"}
	ctr := func(status, id, name string, labels map[string]string) engine.Event {
		return engine.Event{Type: engine.EventContainer, Status: status, ID: id, Name: name, Image: "docker.io/library/busybox:latest", Attributes: labels, Time: at}
	}
	died := ctr("died", "b", "old", nil)
	died.ContainerExitCode = 3
	health := ctr("health_status", "a", "web", proj)
	health.HealthStatus = engine.HealthHealthy
	journal := []engine.Event{
		ctr("create", "c", "new", proj), ctr("init", "c", "new", proj), ctr("start", "c", "new", proj),
		health, died, ctr("cleanup", "b", "old", nil), ctr("remove", "b", "old", nil),
		{Type: engine.EventVolume, Status: "create", Name: "data", Time: at},
		{Type: engine.EventVolume, Status: "remove", Name: "gone", Time: at},
		{Type: engine.EventPod, Status: "create", Name: "pod", Time: at},
	}
	s := &Server{}
	want := "[container create c new container start c new container health_status: healthy a web container die b old 3 container destroy b old volume create data volume destroy gone]"
	if got := fmt.Sprint(told(s, journal...)); got != want {
		t.Errorf("events:\n got %v\nwant %s", got, want)
	}
	for _, m := range s.dockerMessages(died) {
		if m.Actor.Attributes["image"] != "busybox:latest" || m.From != "busybox:latest" || m.Status != "die" || m.TimeNano != at.UnixNano() {
			t.Errorf("a die message: %+v", m)
		}
	}
	ef, err := newEventFilter(map[string][]string{"label": {"com.docker.compose.project=shop"}, "event": {"start", "health_status"}})
	if err != nil {
		t.Fatal(err)
	}
	var passed []string
	for _, ev := range journal {
		for _, m := range s.dockerMessages(ev) {
			if ef.match(m) {
				passed = append(passed, string(m.Action)+" "+m.Actor.ID)
			}
		}
	}
	if fmt.Sprint(passed) != "[start c health_status: healthy a]" {
		t.Errorf("filtered by label and event: %v", passed)
	}
	if _, err := newEventFilter(map[string][]string{"type": {"plugin"}}); err == nil {
		t.Error("plugin events are promised")
	}
}

// The journal's image events read as dockerd's: a pull's actor is the
// name, a tag's carries the new name as stored, the rest name the image
// by ID, a load is one event per image; the image filter matches an ID, a
// name or a name without its tag.
func TestImageEventMessages(t *testing.T) {
	at := time.Unix(2000, 0)
	img := func(status, id, name string) engine.Event {
		return engine.Event{Type: engine.EventImage, Status: status, ID: id, Name: name, Time: at}
	}
	tagEv := img("tag", "abc", "docker.io/library/shop:v1")
	tagEv.Attributes = map[string]string{"team": "a"}
	load := img("loadfromarchive", "", "/tmp/x.tar")
	load.Images = []string{"abc", "def"}
	s := &Server{}
	got := told(s, img("pull", "abc", "docker.io/library/busybox:latest"), tagEv, img("tag", "abc", "app:v2"), img("remove", "abc", "abc"), load)
	want := "[image pull busybox:latest busybox image tag sha256:abc shop:v1 image tag sha256:abc localhost/app:v2 image delete sha256:abc sha256:abc image load sha256:abc sha256:abc image load sha256:def sha256:def]"
	if fmt.Sprint(got) != want {
		t.Errorf("image events:\n got %v\nwant %s", got, want)
	}
	msgs := append(append(s.dockerMessages(img("pull", "abc", "docker.io/library/busybox:latest")), s.dockerMessages(tagEv)...), s.dockerMessages(img("remove", "abc", "abc"))...)
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
		for _, m := range msgs {
			if ef.match(m) {
				passed = append(passed, string(m.Action))
			}
		}
		if got := strings.Join(passed, " "); got != c.want {
			t.Errorf("filters %v let %q through, want %q", c.filter, got, c.want)
		}
	}
}
