package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Pods of these tests are named as containers are (ctrName) and removed,
// with their containers, when the test ends.

// createPod runs `pod create --name NAME OPTS...`, requires the pod's ID
// on stdout, and removes the pod when the test ends.
func createPod(t testing.TB, opts ...string) (name, id string) {
	t.Helper()
	name = ctrName(t)
	t.Cleanup(func() { burrow(t, "pod", "rm", "-f", "-t", "0", name) })
	id = strings.TrimSpace(must(t, append([]string{"pod", "create", "--name", name}, opts...)...))
	if !fullID.MatchString(id) {
		t.Fatalf("pod create printed %q, want the pod's full ID", id)
	}
	return name, id
}

// podInspect is the part of pod inspect the tests look at.
type podInspect struct {
	ID               string `json:"Id"`
	Name             string
	State            string
	Hostname         string
	Labels           map[string]string
	ExitPolicy       string
	InfraContainerID string
	SharedNamespaces []string
	NumContainers    int
	InfraConfig      struct {
		HostNetwork  bool
		PortBindings map[string][]struct{ HostIp, HostPort string }
	}
	Containers []struct {
		ID    string `json:"Id"`
		Name  string
		State string
	}
}

func inspectPod(t testing.TB, name string) podInspect {
	t.Helper()
	var p podInspect
	if err := json.Unmarshal([]byte(must(t, "pod", "inspect", name)), &p); err != nil {
		t.Fatalf("pod inspect %s: want one JSON object: %v", name, err)
	}
	return p
}

// podState polls pod inspect until the pod's state is want.
func waitPodState(t testing.TB, name, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := strings.TrimSpace(must(t, "pod", "inspect", "--format", "{{.State}}", name))
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("pod %s: state %q, want %q", name, got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// inPod runs `run --rm --pod POD IMAGE sh -c SCRIPT` and returns its
// output, requiring exit 0.
func inPod(t testing.TB, pod, script string, opts ...string) string {
	t.Helper()
	r := runRm(t, busyboxImage(t), append([]string{"--pod", pod}, opts...), "sh", "-c", script)
	if r.ExitCode != 0 {
		t.Fatalf("run --pod %s sh -c %q:\n%s", pod, script, describe(r))
	}
	return r.Stdout
}

func TestPodMembersShareNetworkIPCAndUTS(t *testing.T) {
	t.Parallel()
	port := freePort(t, "tcp")
	pod, podID := createPod(t, "-p", fmt.Sprintf("127.0.0.1:%d:8080", port), "--label", "tier=web")
	p := inspectPod(t, pod)
	if p.State != "Created" || p.NumContainers != 1 || p.Labels["tier"] != "web" || p.ExitPolicy != "continue" ||
		strings.Join(p.SharedNamespaces, ",") != "uts,ipc,net" || p.InfraConfig.HostNetwork ||
		len(p.InfraConfig.PortBindings["8080/tcp"]) != 1 || len(p.Containers) != 1 || p.Containers[0].ID != p.InfraContainerID {
		t.Errorf("pod inspect of a new pod: %+v", p)
	}
	// A server in one member, reached from another on 127.0.0.1 (one
	// network namespace), and from the host on the pod's published port.
	web := ctrName(t)
	webServer(t, web, "from-the-pod", 8080, "--pod", pod)
	if got := inPod(t, pod, "wget -q -O - http://127.0.0.1:8080/"); strings.TrimSpace(got) != "from-the-pod" {
		t.Errorf("a member reaching another on 127.0.0.1: %q", got)
	}
	if got := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/", port)); strings.TrimSpace(got) != "from-the-pod" {
		t.Errorf("the host reaching the pod's published port: %q", got)
	}
	// One UTS namespace (the pod's name as hostname), one /dev/shm, the
	// infra's /etc files with the member's own name.
	member := ctrName(t)
	out := inPod(t, pod, "hostname; cat /etc/hostname; touch /dev/shm/"+member+"; echo --; cat /etc/hosts", "--name", member)
	sec := sections(out)
	if len(sec) != 2 || sec[0] != pod+"\n"+pod {
		t.Fatalf("hostname and /etc/hostname of a member: %q", out)
	}
	if !strings.Contains(sec[1], "\t"+pod+" "+podID[:12]+"-infra\n") || !strings.Contains(sec[1], "127.0.0.1\t"+member+"\n") {
		t.Errorf("a member's /etc/hosts, want the pod's name and infra and its own name:\n%s", sec[1])
	}
	if got := inPod(t, pod, "ls /dev/shm"); !strings.Contains(got, member) {
		t.Errorf("a file another member left in /dev/shm is not there: %q", got)
	}
	// ps: the pod of each container, its ports for the members too.
	ps := must(t, "ps", "-a", "--pod", "--filter", "pod="+pod, "--format", "{{.Names}} {{.Pod}} {{.PodName}} {{.Ports}}")
	want := fmt.Sprintf("%s %s %s 127.0.0.1:%d->8080/tcp", web, podID[:12], pod, port)
	if !strings.Contains(ps, want+"\n") || !strings.Contains(ps, podID[:12]+"-infra "+podID[:12]) || len(nonEmptyLines(ps)) != 2 {
		t.Errorf("ps --pod --filter pod=, want the infra and %q:\n%s", want, ps)
	}
	if got := inspectField(t, web, "{{.Pod}}"); got != podID {
		t.Errorf("inspect .Pod of a member: %q", got)
	}
	if got := must(t, "pod", "ps", "--filter", "name=^"+pod+"$", "--format", "{{.ID}} {{.Name}} {{.Status}} {{.NumberOfContainers}} {{.Labels}}"); strings.TrimSpace(got) != podID[:12]+" "+pod+" Running 2 map[tier:web]" {
		t.Errorf("pod ps --format: %q", got)
	}
	if got := must(t, "pod", "ps", "-q", "--no-trunc", "--filter", "label=tier=web", "--filter", "id="+podID[:8]); strings.TrimSpace(got) != podID {
		t.Errorf("pod ps -q --no-trunc --filter: %q", got)
	}
}

func TestPodBuiltinInfra(t *testing.T) {
	t.Parallel()
	pod, _ := createPod(t, "--share", "+pid")
	infra := inspectPod(t, pod).InfraContainerID
	// Nothing pulled: the image is made here, with no file in it.
	image := inspectField(t, infra, "{{.ImageName}}")
	if !strings.HasPrefix(image, "localhost/podman-pause:") {
		t.Errorf("the built-in infra's image is %q, want localhost/podman-pause:VERSION", image)
	}
	sleeper := ctrName(t)
	runDetached(t, sleeper, []string{"--pod", pod}, "sleep", "1000")
	// With the PID namespace shared, the infra is PID 1 of every member:
	// burrow's binary as /pause, which a member can read but not change.
	out := inPod(t, pod, "ps -o pid,args; echo --; cat /proc/1/cmdline; echo; echo x 2>&1 >>/proc/1/exe; echo --; ls -l /proc/1/root/pause 2>&1 | head -1")
	sec := sections(out)
	if len(sec) != 3 || !strings.Contains(sec[0], "1 /pause") || !strings.Contains(sec[0], "sleep 1000") {
		t.Fatalf("processes a member of a PID-sharing pod sees:\n%s", out)
	}
	if !strings.Contains(sec[1], "Read-only file system") && !strings.Contains(sec[1], "Permission denied") {
		t.Errorf("a member could write to the infra's binary (burrow's own): %q", sec[1])
	}
	pid := atoi(inspectField(t, infra, "{{.State.Pid}}"))
	var want, got syscall.Stat_t
	if err := syscall.Stat(burrowBin(t), &want); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Stat(fmt.Sprintf("/proc/%d/exe", pid), &got); err != nil {
		t.Fatal(err)
	}
	if got.Ino != want.Ino || got.Dev != want.Dev {
		t.Errorf("the infra's process is not burrow's binary")
	}
	// C only: the Go runtime never started (it alone takes ~30 MiB).
	if rss := vmRSS(t, pid); rss > 8<<10 {
		t.Errorf("the infra's process takes %d kB of RSS: more than a pause process should", rss)
	}
	if top := must(t, "pod", "top", pod); !strings.Contains(top, "/pause") || !strings.Contains(top, "sleep 1000") {
		t.Errorf("pod top:\n%s", top)
	}
	// Podman's descriptors, one or several to an argument.
	top := must(t, "pod", "top", pod, "pid,comm", "state")
	if lines := nonEmptyLines(top); len(lines) != 3 || strings.Join(strings.Fields(lines[0]), " ") != "PID COMMAND STATE" ||
		!strings.Contains(top, "pause") || !regexp.MustCompile(`(?m)^\d+\s+sleep\s+S$`).MatchString(top) {
		t.Errorf("pod top POD pid,comm state:\n%s", top)
	}
	if r := burrow(t, "pod", "top", pod, "-eo", "pid"); r.ExitCode != 125 || !strings.Contains(r.Stderr, "'-eo pid': unknown descriptor") {
		t.Errorf("pod top with ps(1) options, want podman's unknown descriptor: %s", describe(r))
	}
	if ps := must(t, "pod", "ps", "--ns", "--filter", "name=^"+pod+"$"); !strings.HasPrefix(strings.Join(strings.Fields(nonEmptyLines(ps)[0]), " "), "POD ID NAME STATUS CREATED INFRA ID CGROUP NAMESPACES # OF CONTAINERS") {
		t.Errorf("pod ps --ns, want podman's CGROUP and NAMESPACES columns:\n%s", ps)
	}
	must(t, "pod", "stop", "-t", "3", pod)
	if st := inspectField(t, infra, "{{.State.Status}} {{.State.ExitCode}}"); st != "exited 0" {
		t.Errorf("the infra after pod stop: %s, want exited 0 (it ends at SIGTERM)", st)
	}
}

// vmRSS is the resident set of pid in kB.
func vmRSS(t testing.TB, pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			return atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
		}
	}
	return 0
}

func TestPodStateAndExitPolicy(t *testing.T) {
	t.Parallel()
	pod, podID := createPod(t)
	waitPodState(t, pod, "Created")
	member := ctrName(t)
	runDetached(t, member, []string{"--pod", pod}, "sleep", "1000")
	waitPodState(t, pod, "Running")
	must(t, "stop", "-t", "0", member)
	waitPodState(t, pod, "Degraded") // the infra runs on: exit policy continue
	if out := must(t, "pod", "stop", pod); strings.TrimSpace(out) != podID {
		t.Errorf("pod stop printed %q, want the pod's ID", out)
	}
	waitPodState(t, pod, "Exited")
	if out := must(t, "pod", "start", pod); strings.TrimSpace(out) != podID {
		t.Errorf("pod start printed %q", out)
	}
	waitPodState(t, pod, "Running") // the infra, then the member
	must(t, "pod", "kill", pod)
	waitPodState(t, pod, "Exited")

	stopper, _ := createPod(t, "--exit-policy", "stop")
	if r := runRm(t, busyboxImage(t), []string{"--pod", stopper}, "true"); r.ExitCode != 0 {
		t.Fatalf("run in a pod: %s", describe(r))
	}
	waitPodState(t, stopper, "Exited") // the last container gone: the infra stops
	if got := inspectPod(t, stopper).ExitPolicy; got != "stop" {
		t.Errorf("exit policy %q", got)
	}
}

func TestPodBadInput(t *testing.T) {
	t.Parallel()
	pod, podID := createPod(t)
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	for _, c := range []struct {
		args []string
		why  string
	}{
		{[]string{"run", "--rm", "--name", name, "--pod", "no-such-pod-" + name, busyboxImage(t), "true"}, "no such pod"},
		{[]string{"run", "--rm", "--name", name, "--pod", pod, "-p", "8080:80", busyboxImage(t), "true"}, "published ports are the pod's"},
		{[]string{"create", "--name", name, "--pod", pod, "--add-host", "db:192.0.2.1", busyboxImage(t)}, "extra host entries must be specified on the pod"},
		{[]string{"pod", "create", "--name", name, "--sysctl", "kernel.msgmax=1"}, "only the network namespace's sysctls"},
		{[]string{"run", "--rm", "--name", name, "--pod", pod, "--hostname", "other", busyboxImage(t), "true"}, "cannot set hostname when joining the pod UTS namespace"},
		{[]string{"run", "--rm", "--name", name, "--pod", pod, "--userns", "keep-id", busyboxImage(t), "true"}, "cannot set user namespace mode when joining pod with infra container"},
		{[]string{"pod", "create", "--name", pod}, "in use"},
		{[]string{"pod", "create", "--name", name, "--share", "bogus"}, "invalid kernel namespace to share: bogus"},
		{[]string{"pod", "create", "--name", name, "--exit-policy", "never"}, "invalid pod exit policy"},
		{[]string{"pod", "create", "--name", name, "--infra=false", "-p", "8080:80"}, "no network of its own"},
		{[]string{"pod", "create", "--name", name, "--infra-image", testRegistry(t) + "/no-such-image:latest"}, "no-such-image"},
		{[]string{"rm", "-f", podID[:12] + "-infra"}, "cannot be removed without removing the pod"},
		{[]string{"pod", "ps", "-q", "--format", "{{.Name}}"}, "quiet and format cannot be used together"},
		{[]string{"pod", "stop", "--latest", pod}, "--latest and pods cannot be used together"},
		{[]string{"pod", "inspect"}, "give a pod name or ID, or --latest"},
	} {
		r := burrow(t, c.args...)
		requireBurrowError(t, r, false)
		if !strings.Contains(r.Stderr, c.why) {
			t.Errorf("burrow %s: the error does not say %q: %s", strings.Join(c.args, " "), c.why, r.Stderr)
		}
	}
	// Nothing half-made: no container, no second pod, the infra intact.
	if id := containerIDByName(t, name); id != "" {
		t.Errorf("a refused run or create left container %s", id)
	}
	if r := burrow(t, "pod", "exists", name); r.ExitCode != 1 {
		t.Errorf("a refused pod create left pod %s: %s", name, describe(r))
	}
	if p := inspectPod(t, pod); p.NumContainers != 1 || p.ID != podID {
		t.Errorf("the pod changed: %+v", p)
	}
	// As podman: pod rm of a missing pod exits 1, or 0 with -f.
	if r := burrow(t, "pod", "rm", "no-such-pod-"+name); r.ExitCode != 1 || !strings.Contains(r.Stderr, "no such pod") {
		t.Errorf("pod rm of a missing pod: %s", describe(r))
	}
	if r := burrow(t, "pod", "rm", "-f", "no-such-pod-"+name); r.ExitCode != 0 || r.Stdout+r.Stderr != "" {
		t.Errorf("pod rm -f of a missing pod: %s", describe(r))
	}
}

// storeHasName tells whether containers/storage holds a container named
// name.
func storeHasName(t *testing.T, name string) bool {
	t.Helper()
	graph, _ := storePaths(t)
	for _, d := range []string{"overlay-containers", "vfs-containers"} {
		if b, err := os.ReadFile(filepath.Join(graph, d, "containers.json")); err == nil && strings.Contains(string(b), `"`+name+`"`) {
			return true
		}
	}
	return false
}

// podLeftovers lists what remains of a pod and its containers: records,
// namespaces, its /dev/shm, processes.
func podLeftovers(t *testing.T, podID string, ctrIDs []string) []string {
	t.Helper()
	graph, run := storePaths(t)
	var out []string
	for _, p := range []string{filepath.Join(graph, "burrow", "pods", podID)} {
		if _, err := os.Lstat(p); err == nil {
			out = append(out, p)
		}
	}
	for _, id := range ctrIDs {
		out = append(out, leftovers(t, id)...)
		if _, err := os.Lstat(filepath.Join(run, "burrow", "shm", id)); err == nil {
			out = append(out, "the pod's /dev/shm "+id)
		}
	}
	return out
}

func TestPodRemoveLeavesNothing(t *testing.T) {
	t.Parallel()
	pod, podID := createPod(t, "-p", strconv.Itoa(freePort(t, "tcp"))+":80")
	member := ctrName(t)
	memberID := runDetached(t, member, []string{"--pod", pod}, "sleep", "1000")
	infra := inspectPod(t, pod).InfraContainerID
	r := burrow(t, "pod", "rm", pod)
	requireBurrowError(t, r, true)
	if !strings.Contains(r.Stderr, member) {
		t.Errorf("pod rm of a running pod does not name its running container: %s", r.Stderr)
	}
	if out := must(t, "pod", "rm", "-f", "-t", "0", pod); strings.TrimSpace(out) != podID {
		t.Errorf("pod rm printed %q, want the pod's ID", out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for left := podLeftovers(t, podID, []string{infra, memberID}); len(left) > 0; left = podLeftovers(t, podID, []string{infra, memberID}) {
		if time.Now().After(deadline) {
			t.Fatalf("after pod rm -f:\n%s", strings.Join(left, "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if r := burrow(t, "pod", "exists", podID); r.ExitCode != 1 {
		t.Errorf("pod exists after pod rm: %s", describe(r))
	}
}

func TestPodNewAndDepend(t *testing.T) {
	t.Parallel()
	pod := ctrName(t)
	t.Cleanup(func() { burrow(t, "pod", "rm", "-f", "-t", "0", pod) })
	// run --pod new:NAME makes the pod, with the container's hostname.
	if r := runRm(t, busyboxImage(t), []string{"--pod", "new:" + pod, "--hostname", "chosen"}, "hostname"); r.ExitCode != 0 || strings.TrimSpace(r.Stdout) != "chosen" {
		t.Fatalf("run --pod new: --hostname: %s", describe(r))
	}
	member := ctrName(t)
	id := strings.TrimSpace(must(t, "create", "--name", member, "--pod", pod, busyboxImage(t), "true"))
	infra := inspectPod(t, pod).InfraContainerID
	// rm --depend of the infra takes the whole pod.
	out := must(t, "rm", "--depend", infra)
	if !strings.Contains(out, id) || !strings.Contains(out, infra) {
		t.Errorf("rm --depend of the infra printed %q, want the member and the infra", out)
	}
	if r := burrow(t, "pod", "exists", pod); r.ExitCode != 1 {
		t.Errorf("the pod outlived rm --depend of its infra: %s", describe(r))
	}
	// A container that cannot be made takes its new pod with it.
	r := burrow(t, "create", "--pod", "new:"+pod, testRegistry(t)+"/no-such-image:latest")
	requireBurrowError(t, r, false)
	if r := burrow(t, "pod", "exists", pod); r.ExitCode != 1 {
		t.Errorf("a failed create --pod new: left its pod: %s", describe(r))
	}
}

func TestPodInfraImage(t *testing.T) {
	t.Parallel()
	pod, _ := createPod(t, "--infra-image", busyboxImage(t), "--infra-command", `["sleep","2000"]`, "--infra-name", ctrName(t))
	must(t, "pod", "start", pod)
	if top := must(t, "pod", "top", pod); !strings.Contains(top, "sleep 2000") {
		t.Errorf("pod top of a pod with --infra-image and --infra-command:\n%s", top)
	}
	// The pod's containers share its network: one sees the other's port.
	web := ctrName(t)
	webServer(t, web, "infra-image-pod", 8081, "--pod", pod)
	if got := inPod(t, pod, "wget -q -O - http://127.0.0.1:8081/"); strings.TrimSpace(got) != "infra-image-pod" {
		t.Errorf("a member reaching another: %q", got)
	}
}

// TestPodAllTheOptions is podman's 200-pod "AllTheOptions" as a user
// types it: an infra image built from stdin, its entrypoint replaced by
// --infra-command, and the pod's DNS, hosts and sysctls in every member.
func TestPodAllTheOptions(t *testing.T) {
	t.Parallel()
	image := "localhost/" + ctrName(t) + ":infra"
	t.Cleanup(func() { burrow(t, "rmi", "-f", image) })
	containerfile := "FROM " + busyboxImage(t) + "\n" +
		"RUN printf '#!/bin/sh\\necho pause as $0\\nexec sleep 1000\\n' >/mypause && chmod +x /mypause\n" +
		"ENTRYPOINT [\"/original-entrypoint-should-be-overridden\"]\n"
	if r := burrowStdin(t, containerfile, "build", "-q", "-t", image, "-"); r.ExitCode != 0 {
		t.Fatalf("build - with the Containerfile on stdin:\n%s", describe(r))
	}
	infraName := ctrName(t)
	pod, _ := createPod(t, "--infra-image", image, "--infra-command", "/mypause", "--infra-name", infraName,
		"--dns", "192.0.2.53", "--dns-search", "pods.abc", "--dns-option", "ndots:7", "--add-host", "db.test:192.0.2.10",
		"--sysctl", "net.ipv4.ip_unprivileged_port_start=77")
	infra := inspectPod(t, pod).InfraContainerID
	if got := inspectField(t, infra, "{{.Config.Entrypoint}} {{.Name}}"); got != "/mypause "+infraName {
		t.Errorf("the infra's entrypoint and name: %q, want /mypause %s", got, infraName)
	}
	out := inPod(t, pod, "cat /etc/resolv.conf; echo --; cat /etc/hosts; echo --; cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/net/ipv4/ping_group_range")
	sec := sections(out)
	if len(sec) != 3 || sec[0] != "search pods.abc\nnameserver 192.0.2.53\noptions ndots:7" {
		t.Fatalf("a member's /etc/resolv.conf, want the pod's search, server and options in podman's order:\n%s", out)
	}
	if !strings.Contains(sec[1], "192.0.2.10\tdb.test\n") {
		t.Errorf("a member's /etc/hosts lacks the pod's --add-host:\n%s", sec[1])
	}
	if strings.TrimSpace(sec[2]) != "77\n0\t0" {
		t.Errorf("the pod's --sysctl, and containers.conf's default ping_group_range (root of the container may ping without CAP_NET_RAW): %q", sec[2])
	}
	// As podman's, a member's own --dns is no error and changes nothing.
	if got := inPod(t, pod, "cat /etc/resolv.conf", "--dns", "192.0.2.99"); strings.Contains(got, "192.0.2.99") {
		t.Errorf("a member's --dns replaced the pod's:\n%s", got)
	}
	if got := must(t, "pod", "inspect", "--format", "{{.InfraConfig.DNSServer}} {{.InfraConfig.DNSSearch}} {{.InfraConfig.DNSOption}}", pod); strings.TrimSpace(got) != "[192.0.2.53] [pods.abc] [ndots:7]" {
		t.Errorf("pod inspect's DNS settings: %q", got)
	}
	if got := must(t, "logs", infra); strings.TrimSpace(got) != "pause as /mypause" {
		t.Errorf("the infra ran %q, want the --infra-command's output", got)
	}
}

// TestPodShmAndHosts: pod create --shm-size sizes the /dev/shm its
// members share, --no-hosts leaves them their image's /etc/hosts, and
// --label-file labels the pod, as podman's.
func TestPodShmAndHosts(t *testing.T) {
	t.Parallel()
	labels := filepath.Join(t.TempDir(), "labels")
	if err := os.WriteFile(labels, []byte("tier=db\n# a comment\nteam=core\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(filepath.Dir(labels), 0o755)
	pod, _ := createPod(t, "--shm-size", "3m", "--no-hosts", "--label-file", labels)
	// The image's /etc/hosts: no mount on it, no line of burrow's.
	out := inPod(t, pod, "df -k /dev/shm | tail -1; echo --; grep ' /etc/hosts ' /proc/self/mounts; cat /etc/hosts 2>/dev/null; true")
	sec := sections(out)
	if len(sec) != 2 || len(strings.Fields(sec[0])) < 2 || strings.Fields(sec[0])[1] != "3072" {
		t.Fatalf("a member's /dev/shm, want 3072 kB (--shm-size 3m):\n%s", out)
	}
	if strings.Contains(sec[1], "/etc/hosts") || strings.Contains(sec[1], pod) {
		t.Errorf("a member of a --no-hosts pod has burrow's /etc/hosts:\n%s", sec[1])
	}
	if got := must(t, "pod", "inspect", "--format", "{{.Labels}} {{.InfraConfig.NoManageHosts}} {{.CreateCgroup}}[{{.CgroupParent}}]", pod); strings.TrimSpace(got) != "map[team:core tier:db] true false[]" {
		t.Errorf("pod inspect of --label-file and --no-hosts: %q", got)
	}
	r := burrow(t, "pod", "create", "--no-hosts", "--add-host", "db:192.0.2.1")
	if r.ExitCode != 125 || !strings.Contains(r.Stderr, "--no-hosts and --add-host cannot be set together") {
		t.Errorf("pod create --no-hosts --add-host, want podman's refusal: %s", describe(r))
	}
}

func TestPodOnNetwork(t *testing.T) {
	t.Parallel()
	net := createNetwork(t, "--subnet", freeSubnet())
	pod, _ := createPod(t, "--network", net)
	server := ctrName(t)
	webServer(t, server, "on-the-network", 8082, "--network", net)
	// A member resolves a container of the pod's network by name.
	if got := inPod(t, pod, "wget -q -O - http://"+server+":8082/"); strings.TrimSpace(got) != "on-the-network" {
		t.Errorf("a pod member reaching %s on network %s: %q", server, net, got)
	}
	if got := must(t, "pod", "ps", "--filter", "network="+net, "--format", "{{.Name}} {{.Networks}}"); strings.TrimSpace(got) != pod+" "+net {
		t.Errorf("pod ps --filter network=: %q", got)
	}
}

func TestPodLogs(t *testing.T) {
	t.Parallel()
	pod, _ := createPod(t)
	a, b := ctrName(t), ctrName(t)
	aID := runDetached(t, a, []string{"--pod", pod}, "echo", "hello-from-a")
	runDetached(t, b, []string{"--pod", pod}, "echo", "hello-from-b")
	must(t, "wait", a, b)
	out := must(t, "pod", "logs", pod)
	if !strings.Contains(out, aID[:12]+" hello-from-a\n") || !strings.Contains(out, " hello-from-b\n") {
		t.Errorf("pod logs, want each line after its container's ID:\n%s", out)
	}
	if out := must(t, "pod", "logs", "--names", "-c", b, pod); strings.TrimSpace(out) != b+" hello-from-b" {
		t.Errorf("pod logs --names -c: %q", out)
	}
	// -n is --names, as podman's (not --tail, as container logs's).
	if out := must(t, "pod", "logs", "-n", "--tail", "1", "-c", a, pod); strings.TrimSpace(out) != a+" hello-from-a" {
		t.Errorf("pod logs -n --tail 1 -c: %q", out)
	}
}

// pod create -v mounts into every member, as podman's: a host directory,
// a named volume the members share, and an anonymous volume that goes
// with the pod (a named one stays).
func TestPodVolumes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), []byte("from-the-host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	vol := ctrName(t) + "-vol"
	t.Cleanup(func() { burrow(t, "volume", "rm", "-f", vol) })
	pod, _ := createPod(t, "-v", dir+":/data:ro", "-v", vol+":/shared", "-v", "/scratch")
	got := inPod(t, pod, "cat /data/f; touch /data/g 2>/dev/null && echo writable; echo a > /shared/a; echo b > /scratch/b")
	if got != "from-the-host\n" {
		t.Errorf("a member of a pod made with -v %s:/data:ro: %q, want the host's file, read-only", dir, got)
	}
	if got := inPod(t, pod, "cat /shared/a /scratch/b"); got != "a\nb\n" {
		t.Errorf("the next member sees %q in the pod's volumes, want what the first wrote", got)
	}
	r := burrow(t, "run", "--rm", "--pod", pod, "-v", dir+":/data", busyboxImage(t), "true")
	requireBurrowError(t, r, false)
	if !strings.Contains(r.Stderr, `"/data": duplicate mount destination`) {
		t.Errorf("a member's own mount where the pod mounts: %s", describe(r))
	}
	anon := strings.TrimSpace(must(t, "inspect", "--format", `{{range .Mounts}}{{if eq .Destination "/scratch"}}{{.Name}}{{end}}{{end}}`, inspectPod(t, pod).InfraContainerID))
	if anon == "" {
		t.Fatalf("the infra has no volume at /scratch")
	}
	must(t, "pod", "rm", "-f", "-t", "0", pod)
	if r := burrow(t, "volume", "inspect", anon); r.ExitCode == 0 {
		t.Errorf("pod rm left the pod's anonymous volume %s: %s", anon, describe(r))
	}
	if r := burrow(t, "volume", "inspect", vol); r.ExitCode != 0 {
		t.Errorf("pod rm removed the named volume %s: %s", vol, describe(r))
	}
}

// --latest, which podman users type for the pod they just made, picks the
// pod created last for every pod command. Not parallel: the other pod
// tests make pods all the time.
// TestPodVolumesFrom: pod create --volumes-from gives every member the
// other container's volumes; an unknown container leaves no pod.
func TestPodVolumesFrom(t *testing.T) {
	t.Parallel()
	vol, src := ctrName(t)+"-vol", ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", src); burrow(t, "volume", "rm", "-f", vol) })
	must(t, "run", "--name", src, "-v", vol+":/data", busyboxImage(t), "sh", "-c", "echo from-src > /data/f")
	pod, _ := createPod(t, "--volumes-from", src)
	if got := inPod(t, pod, "cat /data/f"); got != "from-src\n" {
		t.Errorf("a member of a pod made with --volumes-from %s reads %q, want the volume's file", src, got)
	}
	missing := ctrName(t)
	r := burrow(t, "pod", "create", "--name", missing, "--volumes-from", "no-such-"+missing)
	requireBurrowError(t, r, false)
	if !strings.Contains(r.Stderr, "no-such-"+missing) {
		t.Errorf("pod create --volumes-from of a missing container: %s", describe(r))
	}
	if r := burrow(t, "pod", "exists", missing); r.ExitCode != 1 {
		t.Errorf("a refused pod create --volumes-from left pod %s", missing)
	}
}

func TestPodLatest(t *testing.T) {
	_, olderID := createPod(t)
	pod, podID := createPod(t)
	idFile := filepath.Join(t.TempDir(), "pod-id")
	if err := os.WriteFile(idFile, []byte(olderID+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := must(t, "pod", "inspect", "-l", "--format", "{{.Name}}"); strings.TrimSpace(got) != pod {
		t.Errorf("pod inspect -l: %q, want the pod made last, %s", got, pod)
	}
	if got := must(t, "pod", "start", "-l"); strings.TrimSpace(got) != podID {
		t.Errorf("pod start -l printed %q, want %s", got, podID)
	}
	if got := must(t, "pod", "top", "-l"); !strings.Contains(got, "/pause") {
		t.Errorf("pod top -l, want the built-in infra's /pause:\n%s", got)
	}
	if got := must(t, "pod", "stats", "-l", "--no-stream", "--no-reset"); !strings.Contains(got, podID[:12]+"-infra") {
		t.Errorf("pod stats -l, want the infra of %s:\n%s", pod, got)
	}
	// pod stats's JSON and templates are podman's PodStatsReport.
	var stats []struct{ Pod, CID, Name, CPU, MemUsage, PIDS string }
	if err := json.Unmarshal([]byte(must(t, "pod", "stats", "-l", "--no-stream", "--format", "json")), &stats); err != nil || len(stats) != 1 || stats[0].Pod != podID[:12] || stats[0].Name != podID[:12]+"-infra" || stats[0].MemUsage == "" {
		t.Errorf("pod stats --format json, want the infra of %s as podman's report: %+v (%v)", podID[:12], stats, err)
	}
	if got := strings.Fields(must(t, "pod", "stats", "-l", "--no-stream", "--format", `table {{.Pod}}\t{{.Name}}`)); strings.Join(got, " ") != "POD NAME "+podID[:12]+" "+podID[:12]+"-infra" {
		t.Errorf("pod stats --format 'table {{.Pod}}\\t{{.Name}}': %q", got)
	}
	if got := must(t, "pod", "ps", "--filter", "id="+podID, "--format", "{{.Id}} {{.InfraId}} {{.Status}}"); strings.TrimSpace(got) != podID[:12]+" "+inspectPod(t, pod).InfraContainerID[:12]+" Running" {
		t.Errorf("pod ps with podman's .Id and .InfraId: %q", got)
	}
	// --pod-id-file names the older pod; the one made last is untouched.
	if got := must(t, "pod", "start", "--pod-id-file", idFile); strings.TrimSpace(got) != olderID {
		t.Errorf("pod start --pod-id-file printed %q, want %s", got, olderID)
	}
	if got := must(t, "pod", "stop", "-t", "0", "--pod-id-file", idFile); strings.TrimSpace(got) != olderID {
		t.Errorf("pod stop --pod-id-file printed %q, want %s", got, olderID)
	}
	waitPodState(t, pod, "Running")
	if got := must(t, "pod", "rm", "-f", "-t", "0", "-l"); strings.TrimSpace(got) != podID {
		t.Errorf("pod rm -f -l printed %q, want %s", got, podID)
	}
	if r := burrow(t, "pod", "exists", pod); r.ExitCode != 1 {
		t.Errorf("pod rm -l left %s: %s", pod, describe(r))
	}
}

// The crash tests of pods: a pod create or pod rm killed at each step
// leaves a pod that is whole, or nothing.
func TestPodCrashConsistency(t *testing.T) {
	t.Parallel()
	// Killed after its record is written, and while it makes its infra.
	for _, step := range []string{"pod", "storage"} {
		name := ctrName(t) + "-" + step
		t.Cleanup(func() { burrow(t, "pod", "rm", "-f", "-t", "0", name) })
		r := burrowCrashing(t, step, "pod", "create", "--name", name, "--infra-name", name+"-infra")
		if r.ExitCode != -1 {
			t.Fatalf("pod create with a crash at %s: %s", step, describe(r))
		}
		// The next reader finds the pod's creator gone and removes it.
		if r := burrow(t, "pod", "exists", name); r.ExitCode != 1 {
			t.Errorf("a pod create killed at %s left a pod: %s", step, describe(r))
		}
		if id := containerIDByName(t, name+"-infra"); id != "" {
			t.Errorf("a pod create killed at %s left its infra %s", step, id)
		}
		if storeHasName(t, name+"-infra") {
			t.Errorf("a pod create killed at %s left its infra's storage", step)
		}
		must(t, "pod", "create", "--name", name, "--infra-name", name+"-infra") // both names free again
	}
	pod, podID := createPod(t)
	member := ctrName(t)
	memberID := runDetached(t, member, []string{"--pod", pod}, "sleep", "1000")
	infra := inspectPod(t, pod).InfraContainerID
	if r := burrowCrashing(t, "pod-removing", "pod", "rm", "-f", "-t", "0", pod); r.ExitCode != -1 {
		t.Fatalf("pod rm with a crash: %s", describe(r))
	}
	// Cut off after it started: no container joins it, pod rm finishes.
	r := burrow(t, "run", "--rm", "--pod", pod, busyboxImage(t), "true")
	requireBurrowError(t, r, false)
	if !strings.Contains(r.Stderr, "being removed") {
		t.Errorf("run in a pod being removed: %s", r.Stderr)
	}
	must(t, "pod", "rm", "-f", "-t", "0", pod)
	if left := podLeftovers(t, podID, []string{infra, memberID}); len(left) > 0 {
		t.Errorf("after pod rm of a pod rm cut off:\n%s", strings.Join(left, "\n"))
	}
}
