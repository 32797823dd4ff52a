package engine

import "testing"

func TestParseFilters(t *testing.T) {
	web := &Container{Record: Record{ID: "abc123", Name: "web-1", Image: "localhost/app:v1", ImageID: "fff111", State: State{Status: StatusRunning}}}
	job := &Container{Record: Record{ID: "def456", Name: "job", Image: "quay.io/x/busybox:latest", ImageID: "eee222", State: State{Status: StatusExited, ExitCode: 3}}}
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
	} {
		f, err := ParseFilters(tc.specs)
		if err != nil {
			t.Fatalf("%v: %v", tc.specs, err)
		}
		if web.Matches(f) != tc.web || job.Matches(f) != tc.job {
			t.Errorf("%v: web %v job %v, want %v %v", tc.specs, web.Matches(f), job.Matches(f), tc.web, tc.job)
		}
	}
	for _, bad := range []string{"status", "status=sleeping", "name=(", "exited=x", "colour=blue"} {
		if _, err := ParseFilters([]string{bad}); err == nil {
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
