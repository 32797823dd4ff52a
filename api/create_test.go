package api

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	dockercontainer "github.com/docker/docker/api/types/container"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// createFrom runs a create request with body through readCreate and
// createPlan, for an image whose environment is imageEnv.
func createFrom(t *testing.T, query, body string, imageEnv ...string) (engine.Config, error) {
	t.Helper()
	p, err := planFrom(t, query, body, imageEnv...)
	if err != nil {
		return engine.Config{}, err
	}
	return p.config, nil
}

func planFrom(t *testing.T, query, body string, imageEnv ...string) (*plan, error) {
	t.Helper()
	r := httptest.NewRequest("POST", "/containers/create"+query, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	req, err := readCreate(r)
	if err != nil {
		return nil, err
	}
	return createPlan(r.URL.Query().Get("name"), req, imageEnv)
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
	if !reflect.DeepEqual(c.Limits, engine.Limits{Memory: 64 << 20, CPUs: 1.5, PidsLimit: 50}) {
		t.Errorf("-m 64m --cpus 1.5 --pids-limit 50: %+v", c.Limits)
	}
	var binds, tmpfs int
	for _, m := range c.Mounts {
		switch {
		case m.Type == "bind" && m.Source == "/srv" && m.Destination == "/srv" && m.ReadOnly():
			binds++
		case m.Type == "tmpfs" && m.Destination == "/run" && reflect.DeepEqual(m.Options, []string{"size=1m", "notmpcopyup"}): // empty, as dockerd's
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
		{"json-file with max-size", `{"Image":"i","HostConfig":{"LogConfig":{"Type":"json-file","Config":{"max-size":"10m"}}}}`, func(c engine.Config) bool {
			return c.LogDriver == engine.LogJSONFile && c.LogSizeMax == 10_000_000
		}},
		{"no log", `{"Image":"i","HostConfig":{"LogConfig":{"Type":"none"}}}`, func(c engine.Config) bool {
			return c.LogDriver == engine.LogNone
		}},
		{"health check", `{"Image":"i","Healthcheck":{"Test":["CMD-SHELL","wget -q localhost"],"Interval":1000000000,"Timeout":2000000000,"StartPeriod":3000000000,"Retries":4}}`, func(c engine.Config) bool {
			h := c.Healthcheck
			return h != nil && fmt.Sprint(h.Test) == "[CMD-SHELL wget -q localhost]" && h.Interval == time.Second && h.Timeout == 2*time.Second &&
				h.StartPeriod == 3*time.Second && h.Retries == 4
		}},
		{"stop signal, timeout, exposed ports", `{"Image":"i","StopSignal":"SIGUSR1","StopTimeout":3,"ExposedPorts":{"53/udp":{},"80/tcp":{}}}`, func(c engine.Config) bool {
			return c.StopSignal == "SIGUSR1" && c.StopTimeout != nil && *c.StopTimeout == 3 && fmt.Sprint(c.Expose) == "[53/udp 80/tcp]"
		}},
		{"image's health check off", `{"Image":"i","Healthcheck":{"Test":["NONE"]}}`, func(c engine.Config) bool {
			return c.Healthcheck != nil && c.Healthcheck.Disabled()
		}},
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
		{`{"Image":`, "create request"},
	} {
		_, err := createFrom(t, "", tc.body)
		if !errdefs.Is(err, errdefs.ClassInvalid) || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: want a 400 naming %s, got %v", tc.body, tc.field, err)
		}
	}
}

// A network by name, in NetworkMode or in EndpointsConfig alone (as
// testcontainers-go sends it), puts the container on it with its
// endpoint's aliases and address; the default mode stays burrow's own.
func TestCreateNetworks(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		mode       string
		nets       string
	}{
		{"default", `{"Image":"i","NetworkingConfig":{"EndpointsConfig":{"bridge":{}}}}`, "", "[]"},
		{"compose", `{"Image":"i","HostConfig":{"NetworkMode":"proj_default"},"NetworkingConfig":{"EndpointsConfig":{"proj_default":{"Aliases":["web","proj-web-1"]}}}}`,
			engine.NetworkBridge, "[{proj_default [web proj-web-1] [] }]"},
		{"testcontainers", `{"Image":"i","NetworkingConfig":{"EndpointsConfig":{"tcnet":{"Aliases":["db"],"NetworkID":"abc"}}}}`,
			engine.NetworkBridge, "[{tcnet [db] [] }]"},
		{"address", `{"Image":"i","HostConfig":{"NetworkMode":"a"},"NetworkingConfig":{"EndpointsConfig":{"b":{},"a":{"IPAMConfig":{"IPv4Address":"10.89.0.9"},"MacAddress":"02:00:00:00:00:01"}}}}`,
			engine.NetworkBridge, "[{a [] [10.89.0.9] 02:00:00:00:00:01} {b [] [] }]"},
		{"host", `{"Image":"i","HostConfig":{"NetworkMode":"host"},"NetworkingConfig":{"EndpointsConfig":{"host":{}}}}`, engine.NetworkHost, "[]"},
	} {
		c, err := createFrom(t, "", tc.body)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		var nets []string
		for _, a := range c.Networks {
			nets = append(nets, fmt.Sprintf("{%s %v %v %s}", a.Network, orNone(a.Aliases), orNone(a.IPs), a.MAC))
		}
		if c.Network != tc.mode || fmt.Sprint(orNone(nets)) != tc.nets {
			t.Errorf("%s: mode %q, networks %v; want %q, %s", tc.name, c.Network, nets, tc.mode, tc.nets)
		}
	}
}

func orNone(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// What the SDKs send for an empty HostConfig and NetworkingConfig passes.
// HostConfig.Init asks for the init as PID 1 (catatonit here, docker-init
// under dockerd); false and null for none.
func TestCreateInit(t *testing.T) {
	for body, want := range map[string]bool{
		`{"Image":"i","HostConfig":{"Init":true}}`:  true,
		`{"Image":"i","HostConfig":{"Init":false}}`: false,
		`{"Image":"i","HostConfig":{"Init":null}}`:  false,
		`{"Image":"i"}`: false,
	} {
		c, err := createFrom(t, "", body)
		if err != nil || c.Init != want {
			t.Errorf("%s: Init %v, %v; want %v", body, c.Init, err, want)
		}
	}
}

func TestCreateSDKZeroValues(t *testing.T) {
	for name, req := range map[string]any{
		"moby/moby client": container.CreateRequest{Config: &container.Config{Image: "i"}, HostConfig: &container.HostConfig{},
			NetworkingConfig: &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{"bridge": {}}}},
		"docker/docker v28": dockercontainer.CreateRequest{Config: &dockercontainer.Config{Image: "i"}, HostConfig: &dockercontainer.HostConfig{}},
	} {
		b, _ := json.Marshal(req)
		if _, err := createFrom(t, "", string(b)); err != nil {
			t.Errorf("%s, zero values: %v", name, err)
		}
	}
}

func TestCreateSecurityOpt(t *testing.T) {
	p, err := planFrom(t, "", testdata(t, "docker-create-security.json"))
	if err != nil {
		t.Fatalf("docker create --security-opt ...: %v", err)
	}
	c := p.config
	if !c.NoNewPrivileges || p.seccomp != `{"defaultAction":"SCMP_ACT_ALLOW"}` || !reflect.DeepEqual(c.Unmask, []string{"ALL"}) {
		t.Errorf("no-new-privileges, seccomp=FILE, systempaths=unconfined: %+v, seccomp %q", c, p.seccomp)
	}
	for _, tc := range []struct {
		opts  string
		check func(*plan) bool
	}{
		{`"seccomp=unconfined"`, func(p *plan) bool { return p.config.Seccomp == "unconfined" }},
		{`"seccomp:unconfined"`, func(p *plan) bool { return p.config.Seccomp == "unconfined" }},
		{`"no-new-privileges:true"`, func(p *plan) bool { return p.config.NoNewPrivileges }},
		{`"no-new-privileges=false"`, func(p *plan) bool { return !p.config.NoNewPrivileges }},
		{`"mask=/a:/b","unmask=/proc/kcore"`, func(p *plan) bool {
			return reflect.DeepEqual(p.config.Mask, []string{"/a", "/b"}) && reflect.DeepEqual(p.config.Unmask, []string{"/proc/kcore"})
		}},
		{`"label=disable","apparmor=unconfined"`, func(p *plan) bool { return len(p.config.Mask)+len(p.config.Unmask) == 0 }},
	} {
		p, err := planFrom(t, "", `{"Image":"i","HostConfig":{"SecurityOpt":[`+tc.opts+`]}}`)
		if err != nil || !tc.check(p) {
			t.Errorf("SecurityOpt [%s]: %+v %v", tc.opts, p, err)
		}
	}
	p, err = planFrom(t, "", `{"Image":"i","HostConfig":{"MaskedPaths":["/proc/kcore","/extra"]}}`)
	if err != nil || !reflect.DeepEqual(p.config.Mask, []string{"/extra"}) || len(p.config.Unmask) != len(engine.DefaultMaskedPaths)-1 {
		t.Errorf("MaskedPaths as a list: %+v %v", p, err)
	}
}

func TestCreateEnvNeverFromTheService(t *testing.T) {
	t.Setenv("BURROW_API_SECRET", "from-the-service")
	c, err := createFrom(t, "", `{"Image":"i","Env":["BURROW_API_SECRET","A=1","EMPTY="]}`)
	if err != nil || !reflect.DeepEqual(c.Env, []string{"A=1", "EMPTY="}) {
		t.Errorf("a name without a value: %q %v", c.Env, err)
	}
	if _, err := createFrom(t, "", `{"Image":"i","Env":["HOME"]}`, "PATH=/bin", "HOME=/root"); !errdefs.Is(err, errdefs.ClassInvalid) || !strings.Contains(err.Error(), "Config.Env") {
		t.Errorf("unsetting the image's variable: %v", err)
	}
}

func TestCreateMountsLabelsPorts(t *testing.T) {
	p, err := planFrom(t, "", `{"Image":"i","Labels":{"a":"b"},"ExposedPorts":{"9000/tcp":{},"80/tcp":{}},"NetworkDisabled":true,
		"Volumes":{"/anon":{},"/v":{}},
		"HostConfig":{"PublishAllPorts":true,"PortBindings":{"80/tcp":[{"HostPort":"8080"}]},"OomScoreAdj":100,
		"Mounts":[{"Type":"volume","Source":"vol","Target":"/v"},{"Type":"bind","Source":"/srv/x","Target":"/x","ReadOnly":true,"BindOptions":{"CreateMountpoint":true}},
			{"Type":"tmpfs","Target":"/t","TmpfsOptions":{"SizeBytes":1000000,"Mode":1023}}],
		"CpuQuota":50000,"CpuPeriod":100000,"CpusetCpus":"0","MemoryReservation":1048576,"BlkioWeight":300,
		"BlkioDeviceReadBps":[{"Path":"/dev/vda","Rate":1024}]}}`)
	if err != nil {
		t.Fatal(err)
	}
	c := p.config
	if c.Labels["a"] != "b" || c.Network != engine.NetworkNone || *c.OOMScoreAdj != 100 {
		t.Errorf("labels, NetworkDisabled, OomScoreAdj: %+v", c)
	}
	if len(c.Ports) != 2 || c.Ports[1] != (engine.PortMapping{ContainerPort: 9000, Protocol: "tcp"}) {
		t.Errorf("PublishAllPorts adds the exposed ports not bound: %+v", c.Ports)
	}
	want := []engine.MountSpec{
		{Type: "volume", Source: "vol", Destination: "/v"},
		{Type: "bind", Source: "/srv/x", Destination: "/x", Options: []string{"ro"}},
		{Type: "tmpfs", Destination: "/t", Options: []string{"size=1000000", "mode=1777", "notmpcopyup"}},
		{Type: "volume", Destination: "/anon", Anonymous: true},
	}
	if !reflect.DeepEqual(c.Mounts, want) || !reflect.DeepEqual(p.makeDirs, []string{"/srv/x"}) {
		t.Errorf("mounts:\n%+v\nwant\n%+v\nmake %v", c.Mounts, want, p.makeDirs)
	}
	if c.Limits.CPUQuota != 50000 || c.Limits.CPUPeriod != 100000 || c.Limits.CpusetCpus != "0" || c.Limits.MemoryReservation != 1<<20 ||
		c.Limits.BlkioWeight != 300 || !reflect.DeepEqual(c.Limits.DeviceReadBps, []engine.Throttle{{Device: "/dev/vda", Rate: 1024}}) {
		t.Errorf("resources: %+v", c.Limits)
	}
}

// Every field burrow cannot honour is a 400 naming it.
func TestCreateRefusesUnsupportedFields(t *testing.T) {
	for _, tc := range []struct{ json, field string }{
		{`"Healthcheck":{"Test":["CMD"]}`, "Config.Healthcheck"},
		{`"Healthcheck":{"Test":["true"]}`, "Config.Healthcheck"},
		{`"Healthcheck":{"Test":["CMD","true"],"StartInterval":1000000}`, "Config.Healthcheck.StartInterval"},
		{`"Healthcheck":{"Test":["CMD","true"],"Interval":-1}`, "Config.Healthcheck"},
		{`"StopSignal":"SIGNOPE"`, "Config.StopSignal"},
		{`"StopTimeout":-2`, "Config.StopTimeout"},
		{`"Shell":["/bin/bash","-c"]`, "Config.Shell"},
		{`"HostConfig":{"Devices":[{"PathOnHost":"dev/null"}]}`, "HostConfig.Devices"},
		{`"HostConfig":{"Ulimits":[{"Name":"bogus","Soft":1,"Hard":2}]}`, "HostConfig.Ulimits"},
		{`"HostConfig":{"Ulimits":[{"Name":"nofile","Soft":3,"Hard":2}]}`, "HostConfig.Ulimits"},
		{`"HostConfig":{"GroupAdd":["keep-groups","10"]}`, "HostConfig.GroupAdd"},
		{`"HostConfig":{"PidMode":"bogus"}`, "HostConfig.PidMode"},
		{`"HostConfig":{"IpcMode":"bogus"}`, "HostConfig.IpcMode"},
		{`"HostConfig":{"UTSMode":"container:"}`, "HostConfig.UTSMode"},
		{`"HostConfig":{"CgroupnsMode":"host"}`, "HostConfig.CgroupnsMode"},
		{`"HostConfig":{"ShmSize":-1}`, "HostConfig.ShmSize"},
		{`"HostConfig":{"Runtime":"runsc"}`, "HostConfig.Runtime"},
		{`"HostConfig":{"Links":["a:b"]}`, "HostConfig.Links"},
		{`"HostConfig":{"LogConfig":{"Type":"syslog"}}`, "HostConfig.LogConfig.Type"},
		{`"HostConfig":{"LogConfig":{"Type":"json-file","Config":{"max-file":"3"}}}`, "HostConfig.LogConfig.Config"},
		{`"HostConfig":{"LogConfig":{"Type":"passthrough"}}`, "HostConfig.LogConfig.Type"},
		{`"HostConfig":{"MemorySwappiness":60}`, "HostConfig.MemorySwappiness"},
		{`"HostConfig":{"OomKillDisable":true}`, "HostConfig.OomKillDisable"},
		{`"HostConfig":{"CgroupParent":"x"}`, "HostConfig.CgroupParent"},
		{`"HostConfig":{"Sysctls":{"kernel.shmmax":"1"}}`, "HostConfig.Sysctls"},
		{`"HostConfig":{"SecurityOpt":["label=type:spc_t"]}`, "HostConfig.SecurityOpt"},
		{`"HostConfig":{"SecurityOpt":["apparmor=docker-default"]}`, "HostConfig.SecurityOpt"},
		{`"HostConfig":{"SecurityOpt":["seccomp=/etc/profile.json"]}`, "HostConfig.SecurityOpt"},
		{`"HostConfig":{"SecurityOpt":["proc-opts=x"]}`, "HostConfig.SecurityOpt"},
		{`"HostConfig":{"ReadonlyPaths":["/proc/sys"]}`, "HostConfig.ReadonlyPaths"},
		{`"HostConfig":{"Mounts":[{"Type":"npipe","Source":"x","Target":"/x"}]}`, "HostConfig.Mounts[0]"},
		{`"HostConfig":{"Mounts":[{"Type":"bind","Source":"rel","Target":"/x"}]}`, "HostConfig.Mounts[0]"},
		{`"HostConfig":{"Mounts":[{"Type":"volume","Target":"/x","VolumeOptions":{"NoCopy":true}}]}`, "HostConfig.Mounts[0]"},
		{`"HostConfig":{"Mounts":[{"Type":"bind","Source":"/x","Target":"/x","BindOptions":{"Propagation":"rshared"}}]}`, "HostConfig.Mounts[0]"},
		{`"HostConfig":{"Binds":["./rel:/x"]}`, "HostConfig.Binds"},
		{`"HostConfig":{"AutoRemove":true,"RestartPolicy":{"Name":"always"}}`, "HostConfig.AutoRemove"},
		{`"NetworkingConfig":{"EndpointsConfig":{"default":{"Aliases":["web"]}}}`, "Aliases"},
		{`"NetworkingConfig":{"EndpointsConfig":{"bridge":{},"other":{}}}`, "EndpointsConfig.bridge"},
		{`"HostConfig":{"NetworkMode":"host"},"NetworkingConfig":{"EndpointsConfig":{"other":{}}}`, "EndpointsConfig.other"},
		{`"HostConfig":{"NetworkMode":"app"},"NetworkingConfig":{"EndpointsConfig":{"app":{"Links":["db:d"]}}}`, "EndpointsConfig.app.Links"},
		{`"HostConfig":{"NetworkMode":"app"},"NetworkingConfig":{"EndpointsConfig":{"app":{"DriverOpts":{"a":"b"}}}}`, "EndpointsConfig.app.DriverOpts"},
		{`"NetworkingConfig":{"EndpointsConfig":{"bridge":{"IPAMConfig":{"IPv4Address":"10.0.2.9"}}}}`, "EndpointsConfig.bridge"},
		{`"ExposedPorts":{"9/sctp":{}},"HostConfig":{"PublishAllPorts":true}`, "Config.ExposedPorts"},
	} {
		_, err := createFrom(t, "", `{"Image":"i",`+tc.json+`}`)
		if !errdefs.Is(err, errdefs.ClassInvalid) || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: want a 400 naming %s, got %v", tc.json, tc.field, err)
		}
	}
}

// ShmSize and Ulimits become the container's --shm-size and --ulimit.
func TestCreateShmSizeAndUlimits(t *testing.T) {
	c, err := createFrom(t, "", `{"Image":"i","HostConfig":{"ShmSize":134217728,"Ulimits":[{"Name":"nofile","Soft":10,"Hard":20},{"Name":"core","Soft":0,"Hard":0}]}}`)
	if err != nil {
		t.Fatal(err)
	}
	if c.ShmSize != 128<<20 {
		t.Errorf("ShmSize %d, want 128 MiB", c.ShmSize)
	}
	if want := []string{"nofile=10:20", "core=0:0"}; !slices.Equal(c.Ulimits, want) {
		t.Errorf("Ulimits %q, want %q", c.Ulimits, want)
	}
}

// What docker create --domainname --pid host --uts host --shm-size
// --ulimit sends (a capture of the docker CLI) reaches the engine; the
// engine refuses the hostname and domain name with the host's UTS
// namespace, as podman does.
func TestCreateNamespaceModesFromDockerCLI(t *testing.T) {
	c, err := createFrom(t, "", testdata(t, "docker-create-modes.json"))
	if err != nil {
		t.Fatal(err)
	}
	if c.PID != "host" || c.UTS != "host" || c.Domainname != "dom" || c.ShmSize != 128<<20 || !slices.Equal(c.Ulimits, []string{"nofile=10:20"}) {
		t.Errorf("PID %q UTS %q Domainname %q ShmSize %d Ulimits %q", c.PID, c.UTS, c.Domainname, c.ShmSize, c.Ulimits)
	}
}
