package engine

import (
	"testing"

	"github.com/burrow-containers/burrow/network"
)

func TestParseFilters(t *testing.T) {
	e := &Engine{}
	web := &Container{Record: Record{ID: "abc123", Name: "web-1", Image: "localhost/app:v1", ImageID: "fff111", State: State{Status: StatusRunning},
		Args: []string{"httpd", "-f"}, Config: Config{Labels: map[string]string{"tier": "front", "app": "shop"}, Restart: "always", Network: NetworkBridge, Networks: []network.Attachment{{Network: "shop_default"}},
			Mounts: []MountSpec{{Type: "volume", Source: "shopdata", Destination: "/data"}}}}}
	job := &Container{Record: Record{ID: "def456", Name: "job", Image: "127.0.0.1:5000/x/busybox:latest", ImageID: "eee222", State: State{Status: StatusExited, ExitCode: 3},
		Args: []string{"sh"}, Config: Config{Labels: map[string]string{"app": "batch"}, Network: NetworkHost,
			Mounts: []MountSpec{{Type: "bind", Source: "/tmp", Destination: "/scratch"}}}}}
	for _, tc := range []struct {
		specs    []string
		web, job bool
	}{
		{nil, true, true},
		{[]string{"status=running"}, true, false},
		{[]string{"status=running", "status=exited"}, true, true},
		{[]string{"name=^web"}, true, false},
		{[]string{"name=web", "status=exited"}, false, false},
		{[]string{"id=def"}, false, true},
		{[]string{"ancestor=app"}, true, false},
		{[]string{"ancestor=busybox"}, false, true},
		{[]string{"ancestor=localhost/app:v1"}, true, false},
		{[]string{"ancestor=eee2"}, false, true},
		{[]string{"exited=3"}, false, true},
		{[]string{"exited=0"}, false, false},
		{[]string{"ancestor=x/busybox:latest"}, false, true},
		{[]string{"label=app"}, true, true},
		{[]string{"label=app=shop"}, true, false},
		{[]string{"label=app=shop", "label=app=batch"}, false, false},
		{[]string{"label=app", "label=tier"}, true, false},
		{[]string{"label!=tier"}, false, true},
		{[]string{"volume=shopdata"}, true, false},
		{[]string{"volume=/data"}, true, false},
		{[]string{"network=shop_default"}, true, false},
		{[]string{"network=host"}, false, true},
		{[]string{"health=none"}, true, true},
		{[]string{"health=healthy"}, false, false},
		{[]string{"status=stopped"}, false, true},
		{[]string{"restart-policy=always"}, true, false},
		{[]string{"restart-policy=none"}, false, true},
		{[]string{"volume=/tmp:/scratch"}, false, true},
		{[]string{"volume=/tmp:/data"}, false, false},
		{[]string{"command=^httpd$"}, true, false},
	} {
		f, err := e.ParseFilters(tc.specs)
		if err != nil {
			t.Fatalf("%v: %v", tc.specs, err)
		}
		if web.Matches(f) != tc.web || job.Matches(f) != tc.job {
			t.Errorf("%v: web %v job %v, want %v %v", tc.specs, web.Matches(f), job.Matches(f), tc.web, tc.job)
		}
	}
	for _, bad := range []string{"status", "status=sleeping", "name=(", "exited=x", "colour=blue", "health=fine", "until=yesterday", "restart-policy=sometimes", "command=("} {
		if _, err := e.ParseFilters([]string{bad}); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

func TestImageName(t *testing.T) {
	names := []string{"localhost/tagged:v1", "127.0.0.1:5100/busybox:latest"}
	for ref, want := range map[string]string{
		"127.0.0.1:5100/busybox:latest": "127.0.0.1:5100/busybox:latest",
		"busybox":                       "127.0.0.1:5100/busybox:latest",
		"tagged:v1":                     "localhost/tagged:v1",
		"abc123":                        "localhost/tagged:v1", // an ID: the first name
	} {
		if got := imageName(ref, names); got != want {
			t.Errorf("imageName(%q) = %q, want %q", ref, got, want)
		}
	}
	if got := imageName("abc123", nil); got != "abc123" {
		t.Errorf("an image without names: %q", got)
	}
}
