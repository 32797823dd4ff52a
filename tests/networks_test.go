package tests

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Networks of these tests are named as containers are (ctrName), and
// carry the label burrow-test so that prune never touches another test's.

// createNetwork runs `network create OPTS... NAME` and removes the network
// (and what still uses it) when the test ends.
func createNetwork(t testing.TB, opts ...string) string {
	t.Helper()
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "network", "rm", "-f", "-t", "0", name) })
	args := append([]string{"network", "create", "--label", "burrow-test=1"}, opts...)
	if got := strings.TrimSpace(must(t, append(args, name)...)); got != name {
		t.Fatalf("network create printed %q, want the name %s", got, name)
	}
	return name
}

// freeSubnet is a /24 of 10.200.0.0/13 no other test asks for.
func freeSubnet() string {
	return fmt.Sprintf("10.%d.%d.0/24", 200+rand.IntN(8), rand.IntN(256))
}

// networkJSON is the part of podman's network file the tests look at.
type networkJSON struct {
	Name       string            `json:"name"`
	ID         string            `json:"id"`
	Driver     string            `json:"driver"`
	Interface  string            `json:"network_interface"`
	Internal   bool              `json:"internal"`
	DNSEnabled bool              `json:"dns_enabled"`
	Labels     map[string]string `json:"labels"`
	Subnets    []struct {
		Subnet     string `json:"subnet"`
		Gateway    string `json:"gateway"`
		LeaseRange *struct {
			StartIP string `json:"start_ip"`
			EndIP   string `json:"end_ip"`
		} `json:"lease_range"`
	} `json:"subnets"`
}

func inspectNetwork(t testing.TB, name string) networkJSON {
	t.Helper()
	var out []networkJSON
	if err := json.Unmarshal([]byte(must(t, "network", "inspect", name)), &out); err != nil || len(out) != 1 {
		t.Fatalf("network inspect %s: want a JSON array of one network (%v)", name, err)
	}
	return out[0]
}

// get is an HTTP GET of path from host:port inside a container on the
// given run options, by busybox nc; it returns the body's last line, or
// nc's complaint.
func getScript(host string, port int, path string) string {
	return fmt.Sprintf(`printf 'GET %s HTTP/1.0\r\n\r\n' | nc -w 3 %s %d 2>&1 | tail -n 1`, path, host, port)
}

func TestNetworkCreateListInspectRemove(t *testing.T) {
	t.Parallel()
	subnet := freeSubnet()
	prefix := strings.TrimSuffix(subnet, "0/24")
	name := createNetwork(t, "--subnet", subnet, "--gateway", prefix+"254", "--ip-range", prefix+"128/25", "--internal", "--label", "tier=back")
	n := inspectNetwork(t, name)
	if n.Name != name || n.Driver != "bridge" || !n.Internal || !n.DNSEnabled || n.Labels["tier"] != "back" || len(n.ID) != 64 {
		t.Errorf("network inspect: %+v", n)
	}
	if len(n.Subnets) != 1 || n.Subnets[0].Subnet != subnet || n.Subnets[0].Gateway != prefix+"254" ||
		n.Subnets[0].LeaseRange == nil || n.Subnets[0].LeaseRange.StartIP != prefix+"129" {
		t.Errorf("network inspect subnets: %+v", n.Subnets)
	}
	// The file is podman's, where podman keeps it.
	info, _ := burrowInfo(t)
	if _, err := os.Stat(filepath.Join(info.Store.GraphRoot, "networks", name+".json")); err != nil {
		t.Errorf("no network file in the graph root: %v", err)
	}
	if got := inspectNetwork(t, n.ID[:12]).Name; got != name {
		t.Errorf("inspect by ID prefix: %q", got)
	}
	ls := must(t, "network", "ls")
	if !strings.HasPrefix(ls, "NETWORK ID") || !strings.Contains(ls, n.ID[:12]) || !strings.Contains(ls, name) {
		t.Errorf("network ls:\n%s", ls)
	}
	if got := must(t, "network", "ls", "-q", "--filter", "label=tier=back", "--filter", "name="+name); strings.TrimSpace(got) != name {
		t.Errorf("network ls -q --filter label= --filter name=: %q", got)
	}
	if got := must(t, "network", "ls", "--no-trunc", "--filter", "name="+name, "--format", "{{.ID}} {{.Name}} {{.Internal}} {{.Labels}}"); strings.TrimSpace(got) != n.ID+" "+name+" true burrow-test=1,tier=back" {
		t.Errorf("network ls --format: %q", got)
	}
	if got := must(t, "network", "inspect", "--format", "{{.Name}} {{.Driver}}", name); strings.TrimSpace(got) != name+" bridge" {
		t.Errorf("network inspect --format: %q", got)
	}
	if r := burrow(t, "network", "exists", name); r.ExitCode != 0 || r.Stdout != "" {
		t.Errorf("network exists of a network: %s", describe(r))
	}
	must(t, "network", "rm", name)
	if r := burrow(t, "network", "exists", name); r.ExitCode != 1 || r.Stdout+r.Stderr != "" {
		t.Errorf("network exists of a removed network: want exit 1 and no output, got %s", describe(r))
	}
	if r := burrow(t, "network", "rm", name); r.ExitCode != 1 || !strings.Contains(r.Stderr, "network not found") {
		t.Errorf("network rm of an unknown network: want exit 1 (as podman), got %s", describe(r))
	}
	requireBurrowError(t, burrow(t, "network", "inspect", name), true)
	requireBurrowError(t, burrow(t, "network", "rm", "podman"), true)
}

func TestNetworkCreateBadInput(t *testing.T) {
	t.Parallel()
	subnet := freeSubnet()
	name := createNetwork(t, "--subnet", subnet)
	other := ctrName(t)
	t.Cleanup(func() { burrow(t, "network", "rm", other) })
	for _, args := range [][]string{
		{name},                      // the name is in use
		{"--subnet", subnet, other}, // the subnet overlaps
		{"--subnet", strings.TrimSuffix(subnet, "0/24") + "128/25", other},
		{"--subnet", "10.199.1.0/24", "--gateway", "10.198.1.1", other},
		{"--gateway", "10.199.2.1", other}, // no subnet
		{"--subnet", "10.199.3.0", other},
		{"bad/name"},
		{"-d", "nosuchdriver", other},
	} {
		r := burrow(t, append([]string{"network", "create"}, args...)...)
		requireBurrowError(t, r, true)
		if strings.Contains(strings.Join(args, " "), subnet) && !strings.Contains(r.Stderr, "already used") {
			t.Errorf("network create %v: the error does not say the subnet is in use: %s", args, r.Stderr)
		}
	}
	if r := burrow(t, "network", "exists", other); r.ExitCode != 1 {
		t.Errorf("failed creates left network %s: %s", other, describe(r))
	}
	if got := inspectNetwork(t, name).Subnets[0].Subnet; got != subnet {
		t.Errorf("the first network changed: subnet %s", got)
	}
	// --ignore: the existing network, unchanged.
	if got := strings.TrimSpace(must(t, "network", "create", "--ignore", "--subnet", freeSubnet(), name)); got != name {
		t.Errorf("network create --ignore printed %q", got)
	}
}

func TestNetworkSharedWithPodman(t *testing.T) {
	podmanCmd(t)
	ours := createNetwork(t)
	r := podman(t, "network", "ls", "--format", "{{.Name}}")
	if r.ExitCode != 0 || !contains(nonEmptyLines(r.Stdout), ours) {
		t.Errorf("podman network ls does not list burrow's network %s: %s", ours, describe(r))
	}
	theirs := ctrName(t)
	t.Cleanup(func() { podman(t, "network", "rm", "-f", theirs) })
	if r := podman(t, "network", "create", "--label", "burrow-test=1", theirs); r.ExitCode != 0 {
		t.Fatalf("podman network create: %s", describe(r))
	}
	if !contains(nonEmptyLines(must(t, "network", "ls", "-q")), theirs) {
		t.Errorf("burrow network ls does not list podman's network %s", theirs)
	}
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	must(t, "run", "-d", "--name", name, "--network", theirs, busyboxImage(t), "sleep", "1000")
	if ip := inspectField(t, name, "{{(index .NetworkSettings.Networks \""+theirs+"\").IPAddress}}"); !strings.HasPrefix(ip, "10.") {
		t.Errorf("a container on podman's network has address %q", ip)
	}
}

func TestNetworkNamesAndAliases(t *testing.T) {
	t.Parallel()
	app, other := createNetwork(t), createNetwork(t)
	server := ctrName(t)
	webServer(t, server, "hello-"+server, 8080, "--network", app+":alias=web", "--network-alias", "www")
	// A container created, then started, is named too.
	late := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", late) })
	must(t, "create", "--name", late, "--network", app, busyboxImage(t), "sleep", "1000")
	must(t, "start", late)
	lateID := inspectField(t, late, "{{.Id}}")

	out := shOut(t, strings.Join([]string{
		getScript(server, 8080, "/"), getScript("web", 8080, "/"), getScript("www", 8080, "/"),
		"nslookup " + late + " >/dev/null && echo resolved-late", "nslookup " + lateID[:12] + " >/dev/null && echo resolved-short-id",
		"echo --", "cat /etc/resolv.conf", "echo --", "cat /etc/hosts", "echo --", "ip -4 addr show eth0",
	}, "; "), "--network", app)
	sec := sections(out)
	if len(sec) != 4 {
		t.Fatalf("unexpected output:\n%s", out)
	}
	want := "hello-" + server
	if got := nonEmptyLines(sec[0]); len(got) != 5 || got[0] != want || got[1] != want || got[2] != want || got[3] != "resolved-late" || got[4] != "resolved-short-id" {
		t.Errorf("by name, alias=, --network-alias, a started container, its short ID: want %s three times and two resolved, got %q", want, got)
	}
	gw := inspectNetwork(t, app).Subnets[0].Gateway
	if !strings.Contains(sec[1], "nameserver "+gw) || !strings.Contains(sec[1], "dns.podman") {
		t.Errorf("resolv.conf does not name the network's DNS at %s:\n%s", gw, sec[1])
	}
	addr := strings.Fields(strings.TrimSpace(sec[3][strings.Index(sec[3], "inet ")+5:]))[0]
	ip := strings.Split(addr, "/")[0]
	if !strings.Contains(sec[2], ip+"\t") {
		t.Errorf("/etc/hosts does not name the container's address %s:\n%s", ip, sec[2])
	}
	subnetOf := func(ip string) string { return ip[:strings.LastIndex(ip, ".")+1] }
	if got := inspectField(t, server, "{{(index .NetworkSettings.Networks \""+app+"\").IPAddress}}"); got == ip || subnetOf(got) != subnetOf(ip) {
		t.Errorf("inspect IPAddress of the server: %q, not another address of the client's subnet (%s)", got, ip)
	}
	// Not across networks: the other network's DNS does not know them.
	out = shOut(t, "for h in "+server+" web www; do nslookup $h >/dev/null 2>&1 && echo resolved-$h; done; echo done", "--network", other)
	if strings.Contains(out, "resolved") {
		t.Errorf("a container on another network resolves this network's names:\n%s", out)
	}
}

func TestNetworkStaticAddress(t *testing.T) {
	t.Parallel()
	subnet := freeSubnet()
	prefix := strings.TrimSuffix(subnet, "0/24")
	net := createNetwork(t, "--subnet", subnet)
	name := ctrName(t)
	runDetached(t, name, []string{"--network", net, "--ip", prefix + "77", "--mac-address", "02:00:00:a1:b2:c3"}, "sleep", "1000")
	out := must(t, "exec", name, "ip", "addr", "show", "eth0")
	if !strings.Contains(out, "inet "+prefix+"77/24") || !strings.Contains(out, "02:00:00:a1:b2:c3") {
		t.Errorf("--ip and --mac-address:\n%s", out)
	}
	// Restarted, it gets them again.
	must(t, "restart", "-t", "0", name)
	if out := must(t, "exec", name, "ip", "addr", "show", "eth0"); !strings.Contains(out, "inet "+prefix+"77/24") {
		t.Errorf("after restart:\n%s", out)
	}
	r := burrow(t, "run", "--rm", "--network", net, "--ip", prefix+"77", busyboxImage(t), "true")
	requireStartFailure(t, r)
}

func TestNetworkInternalHasNoWayOut(t *testing.T) {
	t.Parallel()
	internal, open := createNetwork(t, "--internal"), createNetwork(t)
	peer := ctrName(t)
	webServer(t, peer, "inside", 8080, "--network", internal)
	outside := ctrName(t)
	webServer(t, outside, "outside", 8080, "--network", open)
	outsideIP := inspectField(t, outside, "{{(index .NetworkSettings.Networks \""+open+"\").IPAddress}}")
	// 10.0.2.3 is slirp4netns' DNS forwarder, the way out of the rootless netns.
	script := strings.Join([]string{"ip route", "echo --", getScript(peer, 8080, "/"), "echo --", getScript(outsideIP, 8080, "/"), "echo --", "nslookup -timeout=2 example.com 10.0.2.3 2>&1; true"}, "; ")
	sec := sections(shOut(t, script, "--network", internal))
	if len(sec) != 4 {
		t.Fatalf("unexpected output: %q", sec)
	}
	if strings.Contains(sec[0], "default") {
		t.Errorf("a container on an --internal network has a default route:\n%s", sec[0])
	}
	if strings.TrimSpace(sec[1]) != "inside" {
		t.Errorf("containers of an internal network do not reach each other: %q", sec[1])
	}
	if strings.Contains(sec[2], "outside") || !strings.Contains(sec[2], "unreachable") {
		t.Errorf("a container on an internal network reached another network: %q", sec[2])
	}
	if !strings.Contains(sec[3], "unreachable") {
		t.Errorf("a container on an internal network reached slirp4netns: %q", sec[3])
	}
	// The same from the open network: a default route, and slirp4netns answers.
	sec = sections(shOut(t, "ip route; echo --; nslookup -timeout=2 example.com 10.0.2.3 2>&1; true", "--network", open))
	if !strings.Contains(sec[0], "default via") || strings.Contains(sec[1], "unreachable") {
		t.Errorf("a container on a network that is not internal has no way out:\n%s", strings.Join(sec, "--\n"))
	}
}

func TestNetworkPublish(t *testing.T) {
	t.Parallel()
	net := createNetwork(t)
	name := ctrName(t)
	hp := freePort(t, "tcp")
	webServer(t, name, "published", 8080, "--network", net, "-p", fmt.Sprintf("127.0.0.1:%d:8080", hp))
	if got := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/", hp)); got != "published\n" {
		t.Errorf("through -p %d:8080 into a container on a network: %q", hp, got)
	}
	if got := strings.TrimSpace(must(t, "port", name)); got != fmt.Sprintf("8080/tcp -> 127.0.0.1:%d", hp) {
		t.Errorf("port: %q", got)
	}
	// A port in use: the start fails (126) and, as podman's, the container
	// stays created; nothing is left attached or running.
	other := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", other) })
	r := burrow(t, "run", "-d", "--name", other, "--network", net, "-p", fmt.Sprintf("127.0.0.1:%d:8080", hp), busyboxImage(t), "sleep", "100")
	requireStartFailure(t, r)
	if st := psStatus(t, other); st != "Created" {
		t.Errorf("a run whose start failed: %q, want Created", st)
	}
	if n := attachments(t, burrowRunRoot(t)); contains(n, other) {
		t.Errorf("a failed run left an attachment")
	}
}

func TestNetworkBadInput(t *testing.T) {
	t.Parallel()
	runRoot := burrowRunRoot(t)
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	for _, args := range [][]string{
		{"run", "--rm", "--name", name, "--network", "nosuch-" + name},
		{"create", "--name", name, "--network", "nosuch-" + name},
		{"run", "-d", "--name", name, "--network", "bogus:opt=1"},
		{"run", "--rm", "--name", name, "--network", "host", "--network-alias", "x"},
	} {
		r := burrow(t, append(args, busyboxImage(t), "true")...)
		requireBurrowError(t, r, false)
		if st := psStatus(t, name); st != "" {
			t.Errorf("burrow %v left a container: %q", args, st)
		}
	}
	if r := burrow(t, "run", "--rm", "--network", "nosuch-"+name, busyboxImage(t), "true"); !strings.Contains(r.Stderr, "network not found") {
		t.Errorf("an unknown network: the error does not say so: %s", r.Stderr)
	}
	if contains(attachments(t, runRoot), name) {
		t.Errorf("failed runs left %s attached", name)
	}
	// A network in use: rm without -f is a conflict (exit 2, as podman's),
	// and leaves both; with -f both go.
	net := createNetwork(t)
	must(t, "create", "--name", name, "--network", net, busyboxImage(t), "true")
	r := burrow(t, "network", "rm", net)
	if r.ExitCode != 2 || !strings.Contains(r.Stderr, name) {
		t.Errorf("network rm of a network in use: want exit 2 naming the container, got %s", describe(r))
	}
	if psStatus(t, name) == "" || burrow(t, "network", "exists", net).ExitCode != 0 {
		t.Fatalf("a refused network rm removed something")
	}
	must(t, "network", "rm", "-f", net)
	if psStatus(t, name) != "" || burrow(t, "network", "exists", net).ExitCode != 1 {
		t.Errorf("network rm -f left the container or the network")
	}
}

func TestNetworkPrune(t *testing.T) {
	t.Parallel()
	label := "prune-" + randHex()[:8]
	unused := createNetwork(t, "--label", label)
	used := createNetwork(t, "--label", label)
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	must(t, "create", "--name", name, "--network", used, busyboxImage(t), "true")
	if got := nonEmptyLines(must(t, "network", "ls", "-q", "--filter", "label="+label, "--filter", "dangling=true")); len(got) != 1 || got[0] != unused {
		t.Errorf("network ls --filter dangling=true: %q", got)
	}
	if got := nonEmptyLines(must(t, "network", "prune", "-f", "--filter", "label="+label)); len(got) != 1 || got[0] != unused {
		t.Errorf("network prune printed %q, want %s", got, unused)
	}
	if burrow(t, "network", "exists", used).ExitCode != 0 || burrow(t, "network", "exists", unused).ExitCode != 1 {
		t.Errorf("prune removed a network in use or kept an unused one")
	}
}

// burrowRunRoot is the store's run root.
func burrowRunRoot(t testing.TB) string {
	t.Helper()
	info, _ := burrowInfo(t)
	return info.Store.RunRoot
}

// attachments are the containers burrow has on networks now, by name (as
// the records of their attachments name them).
func attachments(t testing.TB, runRoot string) []string {
	t.Helper()
	dir := filepath.Join(runRoot, "burrow", "networks", "containers")
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		var rec struct {
			Options struct {
				Name string `json:"container_name"`
			} `json:"options"`
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil || json.Unmarshal(b, &rec) != nil {
			continue // detached meanwhile
		}
		names = append(names, rec.Options.Name)
	}
	return names
}

// networkHelpers are this user's live processes that serve networks: the
// rootless netns' slirp4netns, aardvark-dns and port forwarders dialling
// into the rootless netns.
func networkHelpers(t testing.TB, runRoot string) []string {
	t.Helper()
	dir := filepath.Join(runRoot, "burrow", "networks")
	procs, _ := os.ReadDir("/proc")
	var out []string
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil || !pidAlive(pid) {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", p.Name(), "cmdline"))
		if err != nil {
			continue
		}
		env, _ := os.ReadFile(filepath.Join("/proc", p.Name(), "environ"))
		if strings.Contains(string(cmdline), dir) || strings.Contains(string(env), filepath.Join(dir, "rootless-netns")) {
			out = append(out, strings.ReplaceAll(string(cmdline), "\x00", " "))
		}
	}
	return out
}

// netnsMounts are the network namespaces burrow keeps mounted (in its
// mount namespace).
func netnsMounts(t testing.TB) []string {
	t.Helper()
	var out []string
	for _, l := range nonEmptyLines(must(t, "unshare", "cat", "/proc/self/mountinfo")) {
		if strings.Contains(l, "nsfs") || strings.Contains(l, "rootless-netns") {
			out = append(out, l)
		}
	}
	return out
}

// Not parallel: it looks at the rootless netns, which only this test may
// hold while it runs.
func TestNetworkLeavesNothingBehind(t *testing.T) {
	runRoot := burrowRunRoot(t)
	baseMounts := len(netnsMounts(t))
	if h := networkHelpers(t, runRoot); len(h) > 0 {
		t.Fatalf("network helpers run before the test: %q", h)
	}
	net, internal := createNetwork(t), createNetwork(t, "--internal")
	a, b := ctrName(t), ctrName(t)
	webServer(t, a, "a", 8080, "--network", net, "-p", fmt.Sprintf("127.0.0.1:%d:8080", freePort(t, "tcp")))
	runDetached(t, b, []string{"--network", net, "--network", internal}, "sleep", "1000")
	helpers := networkHelpers(t, runRoot)
	joined := strings.Join(helpers, "\n")
	if !strings.Contains(joined, "slirp4netns") || !strings.Contains(joined, "aardvark-dns") || !strings.Contains(joined, "burrow-port") {
		t.Errorf("while containers run, want the rootless netns' slirp4netns, aardvark-dns and a port forwarder, got:\n%s", joined)
	}
	if got := len(netnsMounts(t)); got <= baseMounts {
		t.Errorf("no network namespace mounted while containers run")
	}
	// A container stopped by itself is detached by its cleanup.
	if out := must(t, "exec", b, "ip", "-o", "link"); !strings.Contains(out, "eth1") {
		t.Errorf("a container on two networks has no eth1:\n%s", out)
	}
	must(t, "stop", "-t", "0", b)
	must(t, "rm", "-f", "-t", "0", a, b)
	deadline := time.Now().Add(10 * time.Second)
	for len(networkHelpers(t, runRoot)) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if h := networkHelpers(t, runRoot); len(h) > 0 {
		t.Errorf("after rm -f of every container on networks, helpers still run:\n%s", strings.Join(h, "\n"))
	}
	if m := netnsMounts(t); len(m) > baseMounts {
		t.Errorf("after rm -f, network namespaces are still mounted:\n%s", strings.Join(m, "\n"))
	}
	if _, err := os.Stat(filepath.Join(runRoot, "burrow", "networks", "rootless-netns", "rootless-netns")); err == nil {
		t.Errorf("the rootless netns is still there")
	}
	if n := attachments(t, runRoot); len(n) > 0 {
		t.Errorf("attachments left: %q", n)
	}
}

// Not parallel, as TestNetworkLeavesNothingBehind.
func TestNetworkRemovedByPodmanLeavesNothingBehind(t *testing.T) {
	podmanCmd(t)
	runRoot := burrowRunRoot(t)
	if h := networkHelpers(t, runRoot); len(h) > 0 {
		t.Fatalf("network helpers run before the test: %q", h)
	}
	// podman does not know burrow's containers: it removes the network
	// under a running one, whose teardown then fails.
	net, name := createNetwork(t), ctrName(t)
	runDetached(t, name, []string{"--network", net}, "sleep", "1000")
	if r := podman(t, "network", "rm", net); r.ExitCode != 0 {
		t.Fatalf("podman network rm: %s", describe(r))
	}
	must(t, "rm", "-f", name)
	deadline := time.Now().Add(10 * time.Second)
	for len(networkHelpers(t, runRoot)) > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if h := networkHelpers(t, runRoot); len(h) > 0 {
		t.Errorf("helpers still run:\n%s", strings.Join(h, "\n"))
	}
	if _, err := os.Stat(filepath.Join(runRoot, "burrow", "networks", "rootless-netns", "rootless-netns")); err == nil {
		t.Errorf("the rootless netns is still there")
	}
}

func TestNetworkConnectDisconnectReload(t *testing.T) {
	t.Parallel()
	first, second := createNetwork(t), createNetwork(t)
	name := ctrName(t)
	runDetached(t, name, []string{"--network", first}, "sh", "-c", "mkdir /www; hostname > /www/index.html; exec httpd -f -p 8080 -h /www")
	must(t, "network", "connect", "--alias", "joined", second, name)
	requireBurrowError(t, burrow(t, "network", "connect", second, name), true)
	if out := must(t, "exec", name, "ip", "-o", "-4", "addr"); !strings.Contains(out, "eth1") {
		t.Fatalf("after network connect, no eth1:\n%s", out)
	}
	// The new network's containers reach it by its alias there.
	want := strings.TrimSpace(must(t, "exec", name, "hostname"))
	if got := strings.TrimSpace(shOut(t, getScript("joined", 8080, "/"), "--network", second)); got != want {
		t.Errorf("by the alias given to network connect: %q, want %q", got, want)
	}
	ip := inspectField(t, name, "{{(index .NetworkSettings.Networks \""+second+"\").IPAddress}}")
	if got := strings.TrimSpace(must(t, "network", "reload", name)); got != inspectField(t, name, "{{.Id}}") {
		t.Errorf("network reload printed %q", got)
	}
	if after := inspectField(t, name, "{{(index .NetworkSettings.Networks \""+second+"\").IPAddress}}"); after != ip {
		t.Errorf("network reload changed the address from %s to %s", ip, after)
	}
	must(t, "network", "disconnect", first, name)
	requireBurrowError(t, burrow(t, "network", "disconnect", first, name), true)
	if out := must(t, "exec", name, "ip", "-o", "link"); strings.Contains(out, "eth0") || !strings.Contains(out, "eth1") {
		t.Errorf("after disconnecting the first network, want eth1 only:\n%s", out)
	}
	if got := inspectField(t, name, "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}"); strings.TrimSpace(got) != second {
		t.Errorf("inspect after disconnect lists networks %q", got)
	}
	// A stopped container is connected at its next start.
	must(t, "stop", "-t", "0", name)
	must(t, "network", "connect", first, name)
	must(t, "start", name)
	if out := must(t, "exec", name, "ip", "-o", "-4", "addr"); !strings.Contains(out, "eth0") || !strings.Contains(out, "eth1") {
		t.Errorf("connected while stopped, then started: want eth0 and eth1:\n%s", out)
	}
	requireBurrowError(t, burrow(t, "network", "connect", "nosuch-"+name, name), true)
}

// As podman's: the published ports follow a container through network
// disconnect and connect (its new address), and a second network.
func TestNetworkConnectMovesPorts(t *testing.T) {
	t.Parallel()
	first, second := createNetwork(t), createNetwork(t)
	name := ctrName(t)
	hp := freePort(t, "tcp")
	webServer(t, name, "moved", 8080, "--network", first, "-p", fmt.Sprintf("127.0.0.1:%d:8080", hp))
	url := fmt.Sprintf("http://127.0.0.1:%d/", hp)
	httpGet(t, url)
	ip := inspectField(t, name, "{{(index .NetworkSettings.Networks \""+first+"\").IPAddress}}")
	must(t, "network", "disconnect", first, name)
	if hosts := must(t, "exec", name, "cat", "/etc/hosts"); strings.Contains(hosts, ip) {
		t.Errorf("after disconnect /etc/hosts still names %s:\n%s", ip, hosts)
	}
	must(t, "network", "connect", first, name)
	if got := httpGet(t, url); got != "moved\n" {
		t.Errorf("after disconnect and connect: %q", got)
	}
	if now := inspectField(t, name, "{{(index .NetworkSettings.Networks \""+first+"\").IPAddress}}"); now == ip {
		t.Logf("the address %s came back the same: the move is not exercised", ip)
	}
	must(t, "network", "connect", second, name)
	must(t, "network", "disconnect", first, name)
	if got := httpGet(t, url); got != "moved\n" {
		t.Errorf("on the second network only: %q", got)
	}
}

// podman 4 refuses network connect and disconnect for a container whose
// namespace is not netavark's: exit 125, its message.
func TestNetworkConnectRefusedForSlirp4netns(t *testing.T) {
	t.Parallel()
	net := createNetwork(t)
	name := ctrName(t)
	runDetached(t, name, nil, "sleep", "100")
	for _, verb := range []string{"connect", "disconnect"} {
		r := burrow(t, "network", verb, net, name)
		if r.ExitCode != 125 || !strings.Contains(r.Stderr, `"slirp4netns" is not supported: invalid network mode`) {
			t.Errorf("network %s of a slirp4netns container: %s", verb, describe(r))
		}
	}
	if out := must(t, "exec", name, "ip", "-o", "link"); strings.Contains(out, "eth0") {
		t.Errorf("a refused connect changed the container's interfaces:\n%s", out)
	}
	// network rm -f of a network that is not there: nothing, exit 0.
	if r := burrow(t, "network", "rm", "-f", "nosuch-"+name); r.ExitCode != 0 || r.Stdout != "" || r.Stderr != "" {
		t.Errorf("network rm -f of a missing network: %s", describe(r))
	}
}

// unshare --rootless-netns (podman's, alias --rootless-cni) runs a command
// in the namespace that holds the bridges.
func TestUnshareRootlessNetns(t *testing.T) {
	t.Parallel()
	net := createNetwork(t, "--subnet", freeSubnet())
	name := ctrName(t)
	webServer(t, name, "in-netns", 8080, "--network", net)
	gw := inspectNetwork(t, net).Subnets[0].Gateway
	if out := must(t, "unshare", "--rootless-cni", "ip", "-o", "-4", "addr"); !strings.Contains(out, "inet "+gw+"/") {
		t.Errorf("unshare --rootless-cni: no bridge with the gateway %s:\n%s", gw, out)
	}
}

// TestDockerNetworkSubnetAndGateway: docker network create --subnet
// --gateway (without --ip-range, which the CLI sends empty) makes the
// network as asked.
func TestDockerNetworkSubnetAndGateway(t *testing.T) {
	t.Parallel()
	host := apiService(t)
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "network", "rm", "-f", name) })
	subnet := freeSubnet()
	gateway := strings.TrimSuffix(subnet, "0/24") + "1"
	mustDocker(t, host, "network", "create", "--subnet", subnet, "--gateway", gateway, "--internal", "--label", "burrow-test=1", name)
	if got := strings.TrimSpace(mustDocker(t, host, "network", "inspect", "-f", "{{.Internal}} {{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}", name)); got != "true "+subnet+" "+gateway {
		t.Errorf("docker network inspect: %q, want true %s %s", got, subnet, gateway)
	}
}
