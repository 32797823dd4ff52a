package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/network"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// roundTrip writes v as a response and decodes the body into out, as a
// client would; it returns the body as generic JSON too.
func roundTrip(t *testing.T, v any, out any) map[string]any {
	t.Helper()
	rec := httptest.NewRecorder()
	writeJSON(rec, http.StatusOK, v)
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
		t.Fatalf("decoding %s: %v", rec.Body, err)
	}
	var generic map[string]any
	json.Unmarshal(rec.Body.Bytes(), &generic)
	return generic
}

func TestErrorStatuses(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
	}{
		{errdefs.NotFound(errors.New("x")), 404},
		{errdefs.Conflict(errors.New("x")), 409},
		{errdefs.Invalid(errors.New("x")), 400},
		{errdefs.Unauthorized(errors.New("x")), 401},
		{fmt.Errorf("reading: %w", &http.MaxBytesError{Limit: 1}), 413},
		{errors.New("x"), 500},
	} {
		rec := httptest.NewRecorder()
		writeError(rec, tc.err)
		var body struct{ Message string }
		json.Unmarshal(rec.Body.Bytes(), &body)
		if rec.Code != tc.status || body.Message != tc.err.Error() {
			t.Errorf("%v: %d %q, want %d", tc.err, rec.Code, rec.Body, tc.status)
		}
	}
}

func testContainer() *engine.Container {
	now := time.Now()
	c := &engine.Container{Record: engine.Record{
		ID: strings.Repeat("ab", 32), Name: "web", Image: "localhost/busybox:latest", ImageID: strings.Repeat("cd", 32),
		Created: now.Add(-time.Hour), Args: []string{"httpd", "-f"},
		Config: engine.Config{
			Ports: []engine.PortMapping{
				{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"},
				{HostIP: "127.0.0.1", HostPort: 5353, ContainerPort: 53, Protocol: "udp"},
			},
			Mounts: []engine.MountSpec{
				{Type: "bind", Source: "/srv", Destination: "/srv", Options: []string{"ro"}},
				{Type: "volume", Source: "data", Destination: "/data"},
			},
		},
	}}
	c.State.Status, c.State.StartedAt = engine.StatusRunning, now.Add(-3*time.Minute)
	return c
}

func volumeAt(name string) string { return "/vol/" + name + "/_data" }

func TestContainerSummary(t *testing.T) {
	var got container.Summary
	roundTrip(t, containerSummary(testContainer(), time.Now(), volumeAt, ctrExtra{}), &got)
	if got.ID != strings.Repeat("ab", 32) || got.Names[0] != "/web" || got.State != container.StateRunning ||
		got.Status != "Up 3 minutes" || got.Command != "httpd -f" || got.ImageID != "sha256:"+strings.Repeat("cd", 32) {
		t.Errorf("summary: %+v", got)
	}
	if len(got.Ports) != 2 || got.Ports[0].IP.String() != "0.0.0.0" || got.Ports[0].PublicPort != 8080 ||
		got.Ports[1].IP.String() != "127.0.0.1" || got.Ports[1].Type != "udp" {
		t.Errorf("ports: %+v", got.Ports)
	}
	if len(got.Mounts) != 2 || got.Mounts[0].RW || got.Mounts[1].Source != "/vol/data/_data" || got.Mounts[1].Name != "data" {
		t.Errorf("mounts: %+v", got.Mounts)
	}
}

func TestInspectResponse(t *testing.T) {
	c := testContainer()
	c.Config.Limits.Memory = 1 << 20
	d := engine.InspectData{
		ID: c.ID, Name: c.Name, Image: c.ImageID, Path: "httpd", Args: []string{"-f"},
		State:           engine.InspectState{Status: "running", Running: true, Pid: 42, StartedAt: c.State.StartedAt},
		Config:          engine.InspectConfig{Image: c.Image, Cmd: []string{"httpd", "-f"}, Env: []string{"A=1"}},
		HostConfig:      engine.InspectHostConfig{NetworkMode: "slirp4netns", Memory: 1 << 20},
		NetworkSettings: map[string]any{"IPAddress": "10.0.2.100", "Gateway": "10.0.2.2"},
	}
	var got container.InspectResponse
	generic := roundTrip(t, inspectResponse(d, c, volumeAt, ctrExtra{}), &got)
	if got.Name != "/web" || got.Image != "sha256:"+c.ImageID || got.State.Pid != 42 || got.State.Status != container.StateRunning ||
		got.Config.Env[0] != "A=1" || got.HostConfig.Memory != 1<<20 || got.HostConfig.NetworkMode != "bridge" {
		t.Errorf("inspect: %+v %+v %+v", got, got.State, got.HostConfig)
	}
	b := got.HostConfig.PortBindings
	if len(b) != 2 || fmt.Sprint(b[mustPort(t, "80/tcp")]) != "[{0.0.0.0 8080}]" || fmt.Sprint(b[mustPort(t, "53/udp")]) != "[{127.0.0.1 5353}]" {
		t.Errorf("PortBindings: %v", b)
	}
	if fmt.Sprint(got.NetworkSettings.Ports) != fmt.Sprint(b) {
		t.Errorf("NetworkSettings.Ports %v, HostConfig.PortBindings %v", got.NetworkSettings.Ports, b)
	}
	ns := generic["NetworkSettings"].(map[string]any)
	if ns["IPAddress"] != "10.0.2.100" || ns["Gateway"] != "10.0.2.2" {
		t.Errorf("NetworkSettings keeps the address where API 1.43 has it: %v", ns)
	}
}

func TestImageResponses(t *testing.T) {
	var sum image.Summary
	generic := roundTrip(t, newImageSummary(engine.ImageSummary{ID: "ee", Size: 7, Created: time.Unix(5, 0)}), &sum)
	if sum.ID != "sha256:ee" || sum.Size != 7 || sum.Created != 5 || sum.RepoTags == nil || generic["VirtualSize"] != 7.0 {
		t.Errorf("image summary: %+v %v", sum, generic)
	}
	hist := historyResponse([]engine.ImageHistoryEntry{{ID: "ff", CreatedBy: "RUN x", Size: 3}, {ID: "<missing>"}})
	if hist[0].ID != "sha256:ff" || hist[1].ID != "<missing>" || hist[0].CreatedBy != "RUN x" {
		t.Errorf("history: %+v", hist)
	}
}

func TestContainerResponses(t *testing.T) {
	changes := filesystemChanges([]engine.Change{{Kind: "A", Path: "/a"}, {Kind: "C", Path: "/c"}, {Kind: "D", Path: "/d"}})
	if changes[0].Kind != container.ChangeAdd || changes[1].Kind != container.ChangeModify || changes[2].Kind != container.ChangeDelete {
		t.Errorf("changes: %+v", changes)
	}
	top := topResponse([]engine.Process{{User: "root", PID: 1, Command: "sh"}})
	if len(top.Titles) != len(top.Processes[0]) || top.Processes[0][1] != "1" {
		t.Errorf("top: %+v", top)
	}
	c := testContainer()
	first := statsResponse(c, engine.Stat{CPUTotalNs: 10, MemUsage: 5, MemLimit: 100}, time.Unix(10, 0), hostCPU{systemNs: 1000, online: 2}, nil)
	second := statsResponse(c, engine.Stat{CPUTotalNs: 20}, time.Unix(11, 0), hostCPU{systemNs: 2000, online: 2}, first)
	var got container.StatsResponse
	roundTrip(t, second, &got)
	if got.PreCPUStats.CPUUsage.TotalUsage != 10 || got.PreCPUStats.SystemUsage != 1000 || got.CPUStats.SystemUsage != 2000 ||
		!got.PreRead.Equal(time.Unix(10, 0)) || got.Name != "/web" || got.CPUStats.OnlineCPUs != 2 {
		t.Errorf("stats: %+v", got)
	}
	if first.MemoryStats.Limit != 100 || !first.PreRead.IsZero() {
		t.Errorf("first stats sample: %+v", first)
	}
}

func mustPort(t *testing.T, s string) network.Port {
	t.Helper()
	p, err := network.ParsePort(s)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Names are stored as dockerd stores what API clients give (Docker Hub's
// for a short name) and shown as dockerd shows them.
func TestReferences(t *testing.T) {
	for in, want := range map[string]string{
		"busybox":                     "docker.io/library/busybox:latest",
		"app:v1":                      "docker.io/library/app:v1",
		"team/app":                    "docker.io/team/app:latest",
		"localhost/app:v1":            "localhost/app:v1",
		"127.0.0.1:5000/busybox":      "127.0.0.1:5000/busybox:latest",
		"quay.io/x/y@sha256:" + hex64: "quay.io/x/y@sha256:" + hex64,
	} {
		if got, err := dockerRef("repo", in); err != nil || got != want {
			t.Errorf("dockerRef(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := dockerRef("repo", "Upper/Case"); !errdefs.Is(err, errdefs.ClassInvalid) || !strings.Contains(err.Error(), "repo") {
		t.Errorf("an invalid name: %v", err)
	}
	for in, want := range map[string]string{
		"docker.io/library/busybox:latest": "busybox:latest",
		"docker.io/team/app:v1":            "team/app:v1",
		"localhost/app:v1":                 "localhost/app:v1",
		"127.0.0.1:5000/busybox:latest":    "127.0.0.1:5000/busybox:latest",
	} {
		if got := familiar(in); got != want {
			t.Errorf("familiar(%q) = %q, want %q", in, got, want)
		}
	}
	digests := repoDigests([]string{"docker.io/library/busybox:latest", "docker.io/library/busybox:1", "localhost/b:v1"}, "sha256:"+hex64)
	if fmt.Sprint(digests) != "[busybox@sha256:"+hex64+" localhost/b@sha256:"+hex64+"]" {
		t.Errorf("repoDigests: %v", digests)
	}
}

const hex64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestExecExpiry(t *testing.T) {
	now := time.Now()
	old, recent := now.Add(-execRetention-time.Second), now.Add(-time.Second)
	code := 0
	for _, tc := range []struct {
		name    string
		sess    execSession
		running bool
		want    bool
	}{
		{"ended long ago", execSession{ExitCode: &code, changed: old}, true, true},
		{"ended just now", execSession{ExitCode: &code, changed: recent}, true, false},
		{"never started, long ago", execSession{changed: old}, true, true},
		{"running", execSession{Running: true, changed: old}, true, false},
		{"container stopped", execSession{Running: true, changed: recent}, false, true},
	} {
		if got := tc.sess.expired(now, tc.running); got != tc.want {
			t.Errorf("%s: expired %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestErrorStatus(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{errdefs.NotFound(errors.New("x")), http.StatusNotFound},
		{errdefs.Conflict(errors.New("x")), http.StatusConflict},
		{errdefs.Invalid(errors.New("x")), http.StatusBadRequest},
		{errdefs.WithClass(errdefs.ClassCommandNotFound, errors.New("executing /nonexistent: no such file or directory")), http.StatusBadRequest},
		{errdefs.WithClass(errdefs.ClassCannotInvoke, errors.New("executing /etc: permission denied")), http.StatusBadRequest},
		{&http.MaxBytesError{Limit: 1}, http.StatusRequestEntityTooLarge},
		{errors.New("anything else"), http.StatusInternalServerError},
	} {
		if got := errorStatus(fmt.Errorf("starting: %w", tc.err)); got != tc.want {
			t.Errorf("errorStatus(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}
