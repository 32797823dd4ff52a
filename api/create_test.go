package api

import (
	"net/http/httptest"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/limits"
)

// createFrom runs a create request with body through readCreate.
func createFrom(t *testing.T, query, body string) (engine.Config, error) {
	t.Helper()
	r := httptest.NewRequest("POST", "/containers/create"+query, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return readCreate(r)
}

func testdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// The bodies in testdata are what the docker CLI 28 sends (captured).
func TestCreateFromDockerCLI(t *testing.T) {
	c, err := createFrom(t, "", testdata(t, "docker-run-rm.json"))
	if err != nil {
		t.Fatalf("docker run --rm busybox true: %v", err)
	}
	if c.Image != "busybox" || !reflect.DeepEqual(c.Command, []string{"true"}) || !c.Remove || c.Entrypoint != nil ||
		c.Network != "" || len(c.Ports) != 0 || c.Restart != "" || c.Limits.Requested() {
		t.Errorf("docker run --rm busybox true: %+v", c)
	}

	c, err = createFrom(t, "?name=web", testdata(t, "docker-create-many.json"))
	if err != nil {
		t.Fatalf("docker create -it -p ... : %v", err)
	}
	if c.Name != "web" || !c.TTY || !c.Interactive {
		t.Errorf("name, -it: %+v", c)
	}
	if c.Entrypoint == nil || *c.Entrypoint != "sh" || !reflect.DeepEqual(c.Command, []string{"-c", "echo hi"}) {
		t.Errorf("--entrypoint sh ... -c 'echo hi': %v %q", c.Entrypoint, c.Command)
	}
	ports := append([]engine.PortMapping{}, c.Ports...)
	sort.Slice(ports, func(i, j int) bool { return ports[i].ContainerPort < ports[j].ContainerPort })
	want := []engine.PortMapping{
		{ContainerPort: 53, Protocol: "udp"},
		{HostIP: "127.0.0.1", HostPort: 8080, ContainerPort: 80, Protocol: "tcp"},
	}
	if !reflect.DeepEqual(ports, want) {
		t.Errorf("-p 127.0.0.1:8080:80 -p 53/udp: %+v", ports)
	}
	if c.Restart != "on-failure" || c.RestartMax != 3 {
		t.Errorf("--restart on-failure:3: %q %d", c.Restart, c.RestartMax)
	}
	if !reflect.DeepEqual(c.DNS, []string{"1.1.1.1"}) || !reflect.DeepEqual(c.AddHosts, []string{"h:1.2.3.4"}) {
		t.Errorf("--dns, --add-host: %v %v", c.DNS, c.AddHosts)
	}
	if !reflect.DeepEqual(c.Limits, limits.Limits{Memory: 64 << 20, CPUs: 1.5, PidsLimit: 50}) {
		t.Errorf("-m 64m --cpus 1.5 --pids-limit 50: %+v", c.Limits)
	}
	var binds, tmpfs int
	for _, m := range c.Mounts {
		switch {
		case m.Type == "bind" && m.Source == "/srv" && m.Destination == "/srv" && m.ReadOnly():
			binds++
		case m.Type == "tmpfs" && m.Destination == "/run" && reflect.DeepEqual(m.Options, []string{"size=1m"}):
			tmpfs++
		}
	}
	if binds != 1 || tmpfs != 1 {
		t.Errorf("-v /srv:/srv:ro --tmpfs /run:size=1m: %+v", c.Mounts)
	}
}

func TestCreateTranslation(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		check      func(engine.Config) bool
	}{
		{"entrypoint as one string", `{"Image":"i","Entrypoint":"/bin/sh","Cmd":"-x"}`, func(c engine.Config) bool {
			return *c.Entrypoint == "/bin/sh" && reflect.DeepEqual(c.Command, []string{"-x"})
		}},
		{"empty entrypoint clears the image's", `{"Image":"i","Entrypoint":[]}`, func(c engine.Config) bool {
			return c.Entrypoint != nil && *c.Entrypoint == ""
		}},
		{"null entrypoint keeps the image's", `{"Image":"i","Entrypoint":null}`, func(c engine.Config) bool {
			return c.Entrypoint == nil
		}},
		{"entrypoint arguments before the command", `{"Image":"i","Entrypoint":["a","b"],"Cmd":["c"]}`, func(c engine.Config) bool {
			return *c.Entrypoint == "a" && reflect.DeepEqual(c.Command, []string{"b", "c"})
		}},
		{"restart always", `{"Image":"i","HostConfig":{"RestartPolicy":{"Name":"always"}}}`, func(c engine.Config) bool {
			return c.Restart == "always" && c.RestartMax == 0
		}},
		{"restart no", `{"Image":"i","HostConfig":{"RestartPolicy":{"Name":"no"}}}`, func(c engine.Config) bool {
			return c.Restart == ""
		}},
		{"host network", `{"Image":"i","HostConfig":{"NetworkMode":"host"}}`, func(c engine.Config) bool {
			return c.Network == "host"
		}},
		{"bridge is the default network", `{"Image":"i","HostConfig":{"NetworkMode":"bridge"}}`, func(c engine.Config) bool {
			return c.Network == ""
		}},
		{"IPv6 host address", `{"Image":"i","HostConfig":{"PortBindings":{"80/tcp":[{"HostIp":"::1","HostPort":"81"}]}}}`, func(c engine.Config) bool {
			return len(c.Ports) == 1 && c.Ports[0] == engine.PortMapping{HostIP: "::1", HostPort: 81, ContainerPort: 80, Protocol: "tcp"}
		}},
		{"no HostConfig", `{"Image":"i"}`, func(c engine.Config) bool { return c.Image == "i" }},
	} {
		c, err := createFrom(t, "", tc.body)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !tc.check(c) {
			t.Errorf("%s: %+v", tc.name, c)
		}
	}
}

func TestCreateRefusesWhatItCannotHonour(t *testing.T) {
	for _, tc := range []struct{ body, field string }{
		{`{"Image":"i","HostConfig":{"PortBindings":{"80/tcp":[{"HostPort":"8000-8010"}]}}}`, "HostConfig.PortBindings"},
		{`{"Image":"i","HostConfig":{"PortBindings":{"80/sctp":[{"HostPort":"80"}]}}}`, "HostConfig.PortBindings"},
		{`{"Image":"i","HostConfig":{"RestartPolicy":{"Name":"always","MaximumRetryCount":2}}}`, "HostConfig.RestartPolicy"},
		{`{"Image":"i","HostConfig":{"RestartPolicy":{"Name":"sometimes"}}}`, "HostConfig.RestartPolicy"},
		{`{"Image":"i","HostConfig":{"NetworkMode":"mynet"}}`, "HostConfig.NetworkMode"},
		{`{"Image":`, "create request"},
	} {
		_, err := createFrom(t, "", tc.body)
		if !errdefs.Is(err, errdefs.ClassInvalid) || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: want a 400 naming %s, got %v", tc.body, tc.field, err)
		}
	}
}
