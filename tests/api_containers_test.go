package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// TestAPIListFilters: docker ps and docker images with filters, as the CLI
// and the SDK send them.
func TestAPIListFilters(t *testing.T) {
	t.Parallel()
	host := apiService(t)
	img := busyboxImage(t)
	cli, ctx := sdkClient(t, host, 2*time.Minute)
	tag := randHex()[:8]
	running, exited := "filt-run-"+tag, "filt-exit-"+tag
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", running, exited) })
	runDetached(t, running, nil, "sleep", "1000")
	if r := burrow(t, "run", "--name", exited, img, "sh", "-c", "exit 3"); r.ExitCode != 3 {
		t.Fatalf("run ... exit 3: %s", describe(r))
	}

	names := func(f client.Filters, all bool) []string {
		t.Helper()
		list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: all, Filters: f})
		if err != nil {
			t.Fatalf("list with %v: %v", f, err)
		}
		var out []string
		for _, c := range list.Items {
			out = append(out, strings.TrimPrefix(c.Names[0], "/"))
		}
		return out
	}
	if got := names(make(client.Filters).Add("name", tag), true); len(got) != 2 {
		t.Errorf("name=%s, all: %v", tag, got)
	}
	if got := names(make(client.Filters).Add("name", tag), false); len(got) != 1 || got[0] != running {
		t.Errorf("name=%s, running only: %v", tag, got)
	}
	if got := names(make(client.Filters).Add("name", tag).Add("status", "exited"), false); len(got) != 1 || got[0] != exited {
		t.Errorf("name=%s status=exited: %v", tag, got)
	}
	if got := names(make(client.Filters).Add("name", tag).Add("exited", "3"), false); len(got) != 1 || got[0] != exited {
		t.Errorf("exited=3: %v", got)
	}
	if got := names(make(client.Filters).Add("name", tag).Add("status", "running", "exited"), false); len(got) != 2 {
		t.Errorf("two values of one key match either: %v", got)
	}
	// Labels given at create: kept, shown, filtered on.
	labelled := "filt-label-" + tag
	t.Cleanup(func() { burrow(t, "rm", "-f", labelled) })
	if _, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Name: labelled,
		Config: &container.Config{Image: img, Labels: map[string]string{"org.example.tag": tag}}}); err != nil {
		t.Fatalf("create with labels: %v", err)
	}
	if got := names(make(client.Filters).Add("label", "org.example.tag="+tag), true); len(got) != 1 || got[0] != labelled {
		t.Errorf("label=org.example.tag=%s: %v", tag, got)
	}
	if got := names(make(client.Filters).Add("label", "org.example.tag=other"), true); len(got) != 0 {
		t.Errorf("label=org.example.tag=other: %v", got)
	}
	if ins, err := cli.ContainerInspect(ctx, labelled, client.ContainerInspectOptions{}); err != nil || ins.Container.Config.Labels["org.example.tag"] != tag {
		t.Errorf("inspect's labels: %v", err)
	}
	if _, err := cli.ContainerList(ctx, client.ContainerListOptions{Filters: make(client.Filters).Add("colour", "blue")}); err == nil || !strings.Contains(err.Error(), "colour") {
		t.Errorf("an unknown filter: want an error naming it, got %v", err)
	}
	if _, err := exec.LookPath("docker"); err == nil {
		r := dockerCLI(t, host, "ps", "-a", "--filter", "name="+tag, "--filter", "status=exited", "--format", "{{.Names}}")
		if r.ExitCode != 0 || strings.TrimSpace(r.Stdout) != exited {
			t.Errorf("docker ps --filter: %s", describe(r))
		}
		ref := strings.TrimSuffix(img[strings.LastIndex(img, "/")+1:], ":latest")
		r = dockerCLI(t, host, "images", "--filter", "reference="+ref, "--format", "{{.Repository}}")
		if r.ExitCode != 0 || !strings.Contains(r.Stdout, ref) {
			t.Errorf("docker images --filter reference=%s: %s", ref, describe(r))
		}
		r = dockerCLI(t, host, "images", "--filter", "reference=no-such-image-"+tag, "-q")
		if r.ExitCode != 0 || strings.TrimSpace(r.Stdout) != "" {
			t.Errorf("docker images --filter on an unknown reference: %s", describe(r))
		}
	}
}

// TestAPIStatsStream: stats stream one sample a second, with the CPU
// counters docker stats computes its percentage from.
func TestAPIStatsStream(t *testing.T) {
	t.Parallel()
	host := apiService(t)
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	runDetached(t, name, nil, "sleep", "1000")
	cli, ctx := sdkClient(t, host, time.Minute)
	res, err := cli.ContainerStats(ctx, name, client.ContainerStatsOptions{Stream: true})
	if err != nil {
		t.Fatalf("stats: %v", err)
	}
	defer res.Body.Close()
	dec := json.NewDecoder(res.Body)
	start := time.Now()
	var samples []container.StatsResponse
	for len(samples) < 3 {
		var s container.StatsResponse
		if err := dec.Decode(&s); err != nil {
			t.Fatalf("stats stream, sample %d: %v", len(samples)+1, err)
		}
		samples = append(samples, s)
	}
	if d := time.Since(start); d < 1500*time.Millisecond {
		t.Errorf("3 samples in %v: want about one a second", d)
	}
	last := samples[2]
	if last.CPUStats.SystemUsage == 0 || last.PreCPUStats.SystemUsage != samples[1].CPUStats.SystemUsage || last.CPUStats.OnlineCPUs == 0 {
		t.Errorf("stream sample CPU fields: cpu %+v precpu %+v", last.CPUStats, last.PreCPUStats)
	}
	if last.MemoryStats.Limit == 0 || !strings.HasSuffix(last.Name, name) {
		t.Errorf("stream sample: memory %+v name %q", last.MemoryStats, last.Name)
	}
	// The stream ends when the container does.
	must(t, "kill", name)
	done := make(chan error, 1)
	go func() {
		for {
			var s container.StatsResponse
			if err := dec.Decode(&s); err != nil {
				done <- err
				return
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Errorf("the stats stream went on after the container stopped")
	}
}

// UID, as --userns=keep-id does; a bad mode is a 400.
func TestAPIUsernsMode(t *testing.T) {
	t.Parallel()
	host := apiService(t)
	img := busyboxImage(t)
	cli, ctx := sdkClient(t, host, time.Minute)
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name: name, Config: &container.Config{Image: img, Cmd: []string{"id", "-u"}},
		HostConfig: &container.HostConfig{UsernsMode: "keep-id"},
	})
	if err != nil {
		t.Fatalf("create with UsernsMode keep-id: %v", err)
	}
	if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatalf("start: %v", err)
	}
	must(t, "wait", name)
	if got, want := strings.TrimSpace(must(t, "logs", name)), fmt.Sprint(os.Getuid()); got != want {
		t.Errorf("id -u with keep-id: %q, want %q", got, want)
	}
	_, err = cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{Image: img}, HostConfig: &container.HostConfig{UsernsMode: "sideways"},
	})
	if err == nil || !strings.Contains(err.Error(), "sideways") {
		t.Errorf("UsernsMode sideways: want an error naming it, got %v", err)
	}
}

// TestAPIDNSAndSysctls: HostConfig's DnsSearch, DnsOptions and net.*
// Sysctls reach the container (its resolv.conf, its network namespace) and
// inspect, as dockerd's; another sysctl is a 400 naming the field.
func TestAPIDNSAndSysctls(t *testing.T) {
	t.Parallel()
	cli, ctx := sdkClient(t, apiService(t), 2*time.Minute)
	img := busyboxImage(t)
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	_, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Name: name,
		Config: &container.Config{Image: img, Cmd: []string{"sh", "-c", "cat /etc/resolv.conf /proc/sys/net/ipv4/ping_group_range"}},
		HostConfig: &container.HostConfig{DNSSearch: []string{"example.test"}, DNSOptions: []string{"ndots:3"},
			Sysctls: map[string]string{"net.ipv4.ping_group_range": "0 1000"}}})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := cli.ContainerStart(ctx, name, client.ContainerStartOptions{}); err != nil {
		t.Fatalf("start: %v", err)
	}
	if r := burrow(t, "wait", name); strings.TrimSpace(r.Stdout) != "0" {
		t.Fatalf("wait: %s", describe(r))
	}
	out := burrow(t, "logs", name).Stdout
	for _, want := range []string{"search example.test", "options ndots:3", "0\t1000"} {
		if !strings.Contains(out, want) {
			t.Errorf("the container's output lacks %q:\n%s", want, out)
		}
	}
	insp, err := cli.ContainerInspect(ctx, name, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hc := insp.Container.HostConfig
	if fmt.Sprint(hc.DNSSearch, hc.DNSOptions, hc.Sysctls) != "[example.test] [ndots:3] map[net.ipv4.ping_group_range:0 1000]" {
		t.Errorf("inspect: DnsSearch %v, DnsOptions %v, Sysctls %v", hc.DNSSearch, hc.DNSOptions, hc.Sysctls)
	}
	_, err = cli.ContainerCreate(ctx, client.ContainerCreateOptions{Config: &container.Config{Image: img},
		HostConfig: &container.HostConfig{Sysctls: map[string]string{"kernel.shmmax": "1"}}})
	if err == nil || !strings.Contains(err.Error(), "HostConfig.Sysctls") {
		t.Errorf("a kernel.* sysctl: want a 400 naming HostConfig.Sysctls, got %v", err)
	}
}
