package tests

import (
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// TestPIDAndUTSModes: --pid host shows the user's own processes, --pid
// container:NAME and --uts container:NAME join a running container's,
// --uts host has the host's hostname (and refuses --hostname), a joiner
// whose donor stopped does not start; inspect shows the modes.
func TestPIDAndUTSModes(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	marker := exec.Command("sleep", "300")
	if err := marker.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { marker.Process.Kill(); marker.Wait() })
	pid := strconv.Itoa(marker.Process.Pid)
	if out := must(t, "run", "--rm", "--pid", "host", img, "cat", "/proc/"+pid+"/cmdline"); !strings.HasPrefix(out, "sleep\x00300") {
		t.Errorf("--pid host: /proc/%s/cmdline is %q, want the host's sleep 300", pid, out)
	}
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(must(t, "run", "--rm", "--uts", "host", img, "sh", "-c", "hostname; cat /etc/hostname")); len(got) != 2 || got[0] != host || got[1] != host {
		t.Errorf("--uts host: hostname and /etc/hostname %q, want %s", got, host)
	}
	if r := burrow(t, "create", "--uts", "host", "--hostname", "x", img); r.ExitCode != 125 {
		t.Errorf("--uts host --hostname x: exit %d, %q; want 125", r.ExitCode, r.Stderr)
	}
	donor, joiner := ctrName(t), ctrName(t)+"-joiner"
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", joiner, donor) })
	must(t, "run", "-d", "--name", donor, "--hostname", "donorhost", img, "sleep", "300")
	if out := must(t, "run", "--rm", "--pid", "container:"+donor, "--uts", "container:"+donor, img, "sh", "-c", "hostname; cat /proc/1/cmdline"); !strings.HasPrefix(out, "donorhost\nsleep\x00300") {
		t.Errorf("--pid and --uts container:%s: %q, want its hostname and its sleep as PID 1", donor, out)
	}
	id := strings.TrimSpace(must(t, "inspect", "--format", "{{.Id}}", donor))
	must(t, "create", "--name", joiner, "--pid", "container:"+donor, img, "true")
	if got := strings.TrimSpace(must(t, "inspect", "--format", "{{.HostConfig.PidMode}} {{.HostConfig.UTSMode}}", joiner)); got != "container:"+id+" private" {
		t.Errorf("inspect: %q, want container:%s private", got, id)
	}
	must(t, "stop", "-t", "0", donor)
	if r := burrow(t, "start", joiner); r.ExitCode == 0 || !strings.Contains(r.Stderr, "not running") {
		t.Errorf("start with the donor stopped: exit %d, %q", r.ExitCode, r.Stderr)
	}
	if r := burrow(t, "create", "--pid", "bogus", img); r.ExitCode != 125 {
		t.Errorf("--pid bogus: exit %d", r.ExitCode)
	}
}

// TestDockerPIDAndUTSModes: the API's PidMode and UTSMode (docker run
// --pid, --uts; compose's pid: host) and Config.Domainname.
func TestDockerPIDAndUTSModes(t *testing.T) {
	t.Parallel()
	host := apiService(t)
	img := busyboxImage(t)
	hostname, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	out := mustDocker(t, host, "run", "--rm", "--pid", "host", "--uts", "host", img, "sh", "-c", "hostname; test -d /proc/"+strconv.Itoa(os.Getpid())+" && echo sees-host")
	if got := strings.Fields(out); len(got) != 2 || got[0] != hostname || got[1] != "sees-host" {
		t.Errorf("docker run --pid host --uts host: %q, want %s and the test's own process visible", out, hostname)
	}
	if got := strings.TrimSpace(mustDocker(t, host, "run", "--rm", "--domainname", "example.test", "--hostname", "box", img, "cat", "/proc/sys/kernel/domainname", "/proc/sys/kernel/hostname")); got != "example.test\nbox" {
		t.Errorf("docker run --domainname example.test --hostname box: %q", got)
	}
}

// TestPsNamespaces: ps --ns shows each running container's namespaces;
// a container that joins another's PID namespace shows the same one.
func TestPsNamespaces(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	donor, joiner := ctrName(t), ctrName(t)+"-joiner"
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", joiner, donor) })
	must(t, "run", "-d", "--name", donor, img, "sleep", "300")
	must(t, "run", "-d", "--name", joiner, "--pid", "container:"+donor, img, "sleep", "300")
	ns := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(must(t, "ps", "--ns", "--format", "{{.Names}} {{.Namespaces.PIDNS}} {{.Namespaces.NET}}")), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 {
			ns[f[0]] = f[1:]
		}
	}
	d, j := ns[donor], ns[joiner]
	if len(d) != 2 || len(j) != 2 || d[0] != j[0] || d[1] == j[1] {
		t.Fatalf("ps --ns: %s %q, %s %q; want the same PID namespace and two networks", donor, d, joiner, j)
	}
	if out := must(t, "ps", "--ns"); !strings.Contains(out, "PIDNS") || !strings.Contains(out, d[0]) {
		t.Errorf("ps --ns's table:\n%s", out)
	}
}
