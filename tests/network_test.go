package tests

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// freePort returns a TCP (or UDP) port nothing listens on now.
func freePort(t testing.TB, proto string) int {
	t.Helper()
	if proto == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// httpGet fetches url, retrying while the server in the container starts.
func httpGet(t testing.TB, url string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	client := &http.Client{Timeout: 5 * time.Second}
	for {
		resp, err := client.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return string(b)
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %v", url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// webServer runs busybox httpd serving body on port inside a new container.
func webServer(t testing.TB, name, body string, port int, opts ...string) string {
	t.Helper()
	script := fmt.Sprintf("mkdir -p /www && echo %s > /www/index.html && exec httpd -f -p %d -h /www", body, port)
	return runDetached(t, name, opts, "sh", "-c", script)
}

func TestNetworkSlirp(t *testing.T) {
	t.Parallel()
	out := shOut(t, "ip -4 addr show tap0; echo --; ip route; echo --; cat /etc/resolv.conf; echo --; cat /etc/hosts", "--name", ctrName(t))
	sec := sections(out)
	if len(sec) != 4 {
		t.Fatalf("unexpected output:\n%s", out)
	}
	if !strings.Contains(sec[0], "inet 10.0.2.100/24") {
		t.Errorf("tap0 has no 10.0.2.100/24:\n%s", sec[0])
	}
	if !strings.Contains(sec[1], "default via 10.0.2.2") {
		t.Errorf("no default route via 10.0.2.2:\n%s", sec[1])
	}
	if !strings.Contains(sec[2], "nameserver 10.0.2.3") {
		t.Errorf("resolv.conf does not point at slirp4netns' DNS:\n%s", sec[2])
	}
	if !strings.Contains(sec[3], "10.0.2.100") {
		t.Errorf("/etc/hosts does not name the container:\n%s", sec[3])
	}
}

func TestNetworkHost(t *testing.T) {
	t.Parallel()
	ents, err := os.ReadDir("/sys/class/net")
	if err != nil {
		t.Fatal(err)
	}
	var host []string
	for _, e := range ents {
		host = append(host, e.Name())
	}
	sort.Strings(host)
	got := nonEmptyLines(shOut(t, "ls /sys/class/net", "--network", "host"))
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(host, " ") {
		t.Errorf("--network host sees interfaces %q, the host has %q", got, host)
	}
	// -p with host is dropped with podman's warning: TestRunHostUserAndPorts.
	requireBurrowError(t, burrow(t, "run", "--rm", "--network", "bogus", busyboxImage(t), "true"), true)
}

func TestPublishTCP(t *testing.T) {
	t.Parallel()
	name, other := ctrName(t), ctrName(t)
	hp := freePort(t, "tcp")
	webServer(t, name, "first", 8080, "-p", fmt.Sprintf("127.0.0.1:%d:8080", hp))
	// A second container at once, on a random host port (-p CTRPORT).
	webServer(t, other, "second", 8080, "-p", "8080")
	if got := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/", hp)); got != "first\n" {
		t.Errorf("through -p %d:8080: %q", hp, got)
	}
	line := strings.TrimSpace(must(t, "port", other))
	_, addr, ok := strings.Cut(line, " -> ")
	if !ok || !strings.HasPrefix(line, "8080/tcp") {
		t.Fatalf("port of -p 8080: %q", line)
	}
	_, rp, _ := net.SplitHostPort(addr)
	if got := httpGet(t, "http://127.0.0.1:"+rp+"/"); got != "second\n" {
		t.Errorf("through the random port %s: %q", rp, got)
	}
	if ps := must(t, "ps", "--filter", "name="+name, "--format", "{{.Ports}}"); !strings.Contains(ps, fmt.Sprintf("127.0.0.1:%d->8080/tcp", hp)) {
		t.Errorf("ps PORTS: %q", ps)
	}
	if got := inspectField(t, name, `{{index .NetworkSettings.Ports "8080/tcp"}}`); !strings.Contains(got, strconv.Itoa(hp)) {
		t.Errorf("inspect NetworkSettings.Ports: %q", got)
	}
}

func TestPublishUDP(t *testing.T) {
	t.Parallel()
	img := pulledImage(t, testRef(t, "nettest"))
	name := ctrName(t)
	hp := freePort(t, "udp")
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	must(t, "run", "-d", "--name", name, "-p", fmt.Sprintf("127.0.0.1:%d:9999/udp", hp), img, "nettest", "udpecho", "9999")
	c, err := net.Dial("udp", fmt.Sprintf("127.0.0.1:%d", hp))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	buf := make([]byte, 64)
	deadline := time.Now().Add(30 * time.Second)
	for {
		c.Write([]byte("ping-udp"))
		c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		n, err := c.Read(buf)
		if err == nil && string(buf[:n]) == "ping-udp" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no UDP echo through the published port: %v", err)
		}
	}
}

func TestPublishErrors(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	used := l.Addr().(*net.TCPAddr).Port
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	r := burrow(t, "run", "-d", "--name", name, "-p", fmt.Sprintf("127.0.0.1:%d:80", used), busyboxImage(t), "sleep", "100")
	requireStartFailure(t, r)
	if !strings.Contains(r.Stderr, "in use") {
		t.Errorf("a port in use: %s", r.Stderr)
	}
	if st := psStatus(t, name); st != "Created" {
		t.Errorf("a run whose start failed: %q, want Created as podman's", st)
	}
	b, _ := os.ReadFile("/proc/sys/net/ipv4/ip_unprivileged_port_start")
	start, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if start > 80 {
		r := burrow(t, "run", "--rm", "-p", "127.0.0.1:80:80", busyboxImage(t), "true")
		requireBurrowError(t, r, true)
		if !strings.Contains(r.Stderr, "ip_unprivileged_port_start") {
			t.Errorf("a privileged port: the error does not name the sysctl: %s", r.Stderr)
		}
	} else {
		t.Logf("net.ipv4.ip_unprivileged_port_start=%d: port 80 is not privileged here; not checked", start)
	}
	for _, bad := range []string{"80:", "abc", "1:2:3:4", "70000:80", "8080:80/sctp"} {
		requireBurrowError(t, burrow(t, "run", "--rm", "-p", bad, busyboxImage(t), "true"), true)
	}
}

func TestAllowHostLoopback(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "from the host\n") })}
	go srv.Serve(l)
	defer srv.Close()
	port := l.Addr().(*net.TCPAddr).Port
	url := fmt.Sprintf("http://10.0.2.2:%d/", port)
	got := shOut(t, "wget -q -O - "+url+"; grep host.containers.internal /etc/hosts", "--network", "slirp4netns:allow_host_loopback=true")
	if !strings.HasPrefix(got, "from the host\n") {
		t.Errorf("with allow_host_loopback: %q", got)
	}
	// As podman 4's: host.containers.internal is the host's own address
	// (reached through slirp4netns), not the gateway.
	if f := strings.Fields(strings.TrimPrefix(got, "from the host\n")); len(f) < 2 || !hostHasAddress(f[0]) {
		t.Errorf("host.containers.internal is not an address of the host: %q", got)
	}
	r := runRm(t, busyboxImage(t), nil, "wget", "-q", "-T", "3", "-O", "-", url)
	if r.ExitCode == 0 || strings.Contains(r.Stdout, "from the host") {
		t.Errorf("without allow_host_loopback the host's loopback is reachable: %s", describe(r))
	}
}

func TestExecSharesNetwork(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	hp := freePort(t, "tcp")
	webServer(t, name, "exec-net", 8080, "-p", fmt.Sprintf("127.0.0.1:%d:8080", hp))
	httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/", hp))
	if got := must(t, "exec", name, "wget", "-q", "-O", "-", "http://127.0.0.1:8080/"); got != "exec-net\n" {
		t.Errorf("exec does not share the container's network: %q", got)
	}
}

func TestDNSAndAddHost(t *testing.T) {
	t.Parallel()
	out := shOut(t, "cat /etc/resolv.conf; echo --; cat /etc/hosts", "--dns", "192.0.2.53", "--add-host", "db.test:192.0.2.10")
	sec := sections(out)
	if len(sec) != 2 || !strings.Contains(sec[0], "nameserver 192.0.2.53") || strings.Contains(sec[0], "10.0.2.3") {
		t.Errorf("--dns: resolv.conf:\n%s", out)
	}
	if len(sec) == 2 && !strings.Contains(sec[1], "192.0.2.10\tdb.test") {
		t.Errorf("--add-host: /etc/hosts:\n%s", sec[1])
	}
	requireBurrowError(t, burrow(t, "run", "--rm", "--add-host", "nohostip", busyboxImage(t), "true"), true)
	requireBurrowError(t, burrow(t, "run", "--rm", "--dns", "not-an-ip", busyboxImage(t), "true"), true)
}

func TestNetworkContainer(t *testing.T) {
	t.Parallel()
	web := ctrName(t)
	webServer(t, web, "shared-netns", 8081)
	// Another container in web's network namespace reaches it on lo.
	got := shOut(t, "for i in $(seq 50); do wget -q -O - http://127.0.0.1:8081/ && exit 0; sleep 0.2; done; exit 1", "--network", "container:"+web)
	if got != "shared-netns\n" {
		t.Errorf("--network container: %q", got)
	}
	stopped := ctrName(t)
	runDetached(t, stopped, nil, "true")
	must(t, "wait", stopped)
	requireStartFailure(t, burrow(t, "run", "--rm", "--network", "container:"+stopped, busyboxImage(t), "true"))
}

func TestNetworkRate(t *testing.T) {
	t.Parallel()
	const size = 5_000_000
	const rate = 1_000_000 // 8mbit
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	type upload struct {
		n   int64
		d   time.Duration
		err error
	}
	got := make(chan upload, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			got <- upload{err: err}
			return
		}
		defer c.Close()
		buf := make([]byte, 64*1024)
		var n int64
		var start time.Time
		for n < size {
			k, err := c.Read(buf)
			if k > 0 && n == 0 {
				start = time.Now()
			}
			n += int64(k)
			if err != nil {
				break
			}
		}
		got <- upload{n: n, d: time.Since(start)}
	}()
	port := l.Addr().(*net.TCPAddr).Port
	r := runRm(t, busyboxImage(t), []string{"--network", "slirp4netns:allow_host_loopback=true", "--network-rate", "8mbit"},
		"sh", "-c", fmt.Sprintf("head -c %d /dev/zero | nc 10.0.2.2 %d", size, port))
	if r.ExitCode != 0 {
		t.Fatalf("upload: %s", describe(r))
	}
	u := <-got
	if u.err != nil || u.n != size {
		t.Fatalf("the host received %d bytes (%v), want %d", u.n, u.err, size)
	}
	measured := float64(u.n) / u.d.Seconds()
	if measured < 0.8*rate || measured > 1.2*rate {
		t.Errorf("--network-rate 8mbit: %.0f bytes/s measured, want %d within 20%%", measured, rate)
	}
	t.Logf("--network-rate 8mbit: %.0f bytes/s", measured)
	requireBurrowError(t, burrow(t, "run", "--rm", "--network-rate", "fast", busyboxImage(t), "true"), true)
}

func TestPublishAll(t *testing.T) {
	t.Parallel()
	base := ctrName(t)
	runDetached(t, base, nil, "sh", "-c", "mkdir -p /www && echo exposed > /www/index.html")
	must(t, "wait", base)
	ref := "localhost/exposed-" + randHex()[:8] + ":v1"
	t.Cleanup(func() { burrow(t, "rmi", "-f", ref) })
	must(t, "commit", "-q", "--change", "EXPOSE 8080", "--change", `CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]`, base, ref)
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	must(t, "run", "-d", "-P", "--name", name, ref)
	line := strings.TrimSpace(must(t, "port", name, "8080"))
	_, hp, err := net.SplitHostPort(line)
	if err != nil {
		t.Fatalf("port NAME 8080 after -P: %q", line)
	}
	if got := httpGet(t, "http://127.0.0.1:"+hp+"/"); got != "exposed\n" {
		t.Errorf("through the -P port: %q", got)
	}
}

func TestNetworkPasta(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("pasta"); err != nil {
		msg := "pasta is not installed: the test bed installs it (apt-get install passt)"
		if testbedStrict() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	name := ctrName(t)
	hp := freePort(t, "tcp")
	webServer(t, name, "via-pasta", 8080, "--network", "pasta", "-p", fmt.Sprintf("127.0.0.1:%d:8080", hp))
	if got := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/", hp)); got != "via-pasta\n" {
		t.Errorf("a port published with --network pasta: %q", got)
	}
	out := must(t, "exec", name, "ip", "-4", "-o", "addr")
	if n := len(nonEmptyLines(out)); n < 2 {
		t.Errorf("with pasta the container has no address besides lo:\n%s", out)
	}
}

func TestSlirp4netnsMissing(t *testing.T) {
	t.Parallel()
	must(t, "info") // the user namespace exists: nothing else needs PATH
	run := func(args ...string) result {
		t.Helper()
		cmd := exec.Command(burrowBin(t), args...)
		cmd.Env = append(os.Environ(), "PATH=/nonexistent")
		return runCommand(t, cmd)
	}
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	r := run("run", "--rm", "--name", name, busyboxImage(t), "true")
	requireBurrowError(t, r, true)
	if !strings.Contains(r.Stderr, "apt-get install slirp4netns") || !strings.Contains(r.Stderr, "--network none") {
		t.Errorf("without slirp4netns the error does not name the package and the way out: %s", r.Stderr)
	}
	if st := psStatus(t, name); st != "" {
		t.Errorf("a run without slirp4netns left a container: %q", st)
	}
	if r := run("run", "--rm", "--network", "none", busyboxImage(t), "echo", "still works"); r.ExitCode != 0 || r.Stdout != "still works\n" {
		t.Errorf("--network none without slirp4netns: %s", describe(r))
	}
}

// hostHasAddress tells whether ip is one of the host's addresses.
func hostHasAddress(ip string) bool {
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.String() == ip {
			return true
		}
	}
	return false
}

// The slirp4netns options of podman: cidr moves the container's address
// (.100), the DNS forwarder (.3) and /etc/hosts with it.
func TestSlirpCIDR(t *testing.T) {
	t.Parallel()
	prefix := fmt.Sprintf("10.%d.%d", 240+rand.IntN(8), rand.IntN(256))
	name := ctrName(t)
	out := shOut(t, "ip -4 -o addr show tap0; cat /sys/class/net/tap0/mtu; echo --; cat /etc/resolv.conf; echo --; cat /etc/hosts",
		"--network", "slirp4netns:cidr="+prefix+".0/24,mtu=1500", "--name", name, "--hostname", name)
	sec := sections(out)
	if len(sec) != 3 || !strings.Contains(sec[0], "inet "+prefix+".100/24") || !strings.HasSuffix(sec[0], "\n1500") {
		t.Fatalf("slirp4netns:cidr=%s.0/24,mtu=1500: interface:\n%s", prefix, out)
	}
	if !strings.HasPrefix(sec[1], "nameserver "+prefix+".3\n") {
		t.Errorf("resolv.conf does not name the forwarder %s.3 first:\n%s", prefix, sec[1])
	}
	if !strings.Contains(sec[2], prefix+".100\t"+name+" "+name) {
		t.Errorf("/etc/hosts does not name the container at %s.100:\n%s", prefix, sec[2])
	}
	for _, bad := range []string{"slirp4netns:cidr=fd00::/64", "slirp4netns:bogus=1", "slirp4netns:port_handler=x"} {
		requireBurrowError(t, burrow(t, "run", "--rm", "--network", bad, busyboxImage(t), "true"), true)
	}
}

// -p takes ranges, forwarded by the port helper or, with
// port_handler=slirp4netns, by slirp4netns itself.
func TestPublishRangeAndPortHandler(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"slirp4netns", "slirp4netns:port_handler=slirp4netns"} {
		name := ctrName(t)
		first := freePort(t, "tcp")
		for freePortAt(first+1) != nil {
			first = freePort(t, "tcp")
		}
		script := "mkdir -p /a /b && echo a > /a/index.html && echo b > /b/index.html && httpd -p 8080 -h /a && exec httpd -f -p 8081 -h /b"
		runDetached(t, name, []string{"--network", mode, "-p", fmt.Sprintf("127.0.0.1:%d-%d:8080-8081", first, first+1)}, "sh", "-c", script)
		if a, b := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/", first)), httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/", first+1)); a != "a\n" || b != "b\n" {
			t.Errorf("%s: the range %d-%d:8080-8081 gives %q and %q", mode, first, first+1, a, b)
		}
		if got := strings.TrimSpace(must(t, "port", name)); got != fmt.Sprintf("8080/tcp -> 127.0.0.1:%d\n8081/tcp -> 127.0.0.1:%d", first, first+1) {
			t.Errorf("%s: port: %q", mode, got)
		}
		r := burrow(t, "port", name, "99/tcp")
		if r.ExitCode != 125 || !strings.Contains(r.Stderr, `failed to find published port "99/tcp"`) {
			t.Errorf("port of a port not published: %s", describe(r))
		}
	}
	requireBurrowError(t, burrow(t, "run", "--rm", "-p", "8080-8082:80-81", busyboxImage(t), "true"), true)
}

// freePortAt is nil when nothing listens on 127.0.0.1:port.
func freePortAt(port int) error {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err == nil {
		l.Close()
	}
	return err
}

// --dns-search and --dns-option, and containers.conf's dns_* and
// /etc/hosts settings, as podman writes them.
func TestDNSOptionsAndContainersConf(t *testing.T) {
	t.Parallel()
	out := shOut(t, "cat /etc/resolv.conf", "--dns-search", "example.com", "--dns-option", "ndots:3", "--dns-opt", "timeout:2")
	if !strings.HasPrefix(out, "search example.com\n") || !strings.Contains(out, "options ndots:3 timeout:2") {
		t.Errorf("--dns-search, --dns-option: resolv.conf:\n%s", out)
	}
	dir := t.TempDir()
	base := filepath.Join(dir, "hosts")
	conf := filepath.Join(dir, "containers.conf")
	os.WriteFile(base, []byte("192.0.2.7 base.test\n"), 0o644)
	os.WriteFile(conf, []byte(fmt.Sprintf("[containers]\ndns_servers = [\"192.0.2.53\"]\ndns_searches = [\"conf.test\"]\nbase_hosts_file = %q\nhost_containers_internal_ip = \"192.0.2.9\"\n", base)), 0o644)
	r := burrowEnv(t, withEnv(os.Environ(), "CONTAINERS_CONF="+conf), "run", "--rm", busyboxImage(t), "sh", "-c", "cat /etc/resolv.conf; echo --; cat /etc/hosts")
	sec := sections(r.Stdout)
	if r.ExitCode != 0 || len(sec) != 2 {
		t.Fatalf("with containers.conf: %s", describe(r))
	}
	if sec[0] != "search conf.test\nnameserver 192.0.2.53" {
		t.Errorf("containers.conf dns_servers, dns_searches: resolv.conf:\n%s", sec[0])
	}
	for _, want := range []string{"192.0.2.7\tbase.test", "192.0.2.9\thost.containers.internal", "127.0.0.1\tlocalhost", "10.0.2.100\t"} {
		if !strings.Contains(sec[1], want) {
			t.Errorf("containers.conf base_hosts_file, host_containers_internal_ip: /etc/hosts lacks %q:\n%s", want, sec[1])
		}
	}
}

// --sysctl sets a sysctl of the container's own network namespace; one
// outside it, or a container without a network namespace of its own, is
// refused with podman's exit code.
func TestRunSysctl(t *testing.T) {
	t.Parallel()
	out := shOut(t, "cat /proc/sys/net/ipv4/ip_unprivileged_port_start", "--sysctl", "net.ipv4.ip_unprivileged_port_start=77")
	if out != "77\n" {
		t.Errorf("--sysctl net.ipv4.ip_unprivileged_port_start=77: the container reads %q", out)
	}
	for _, args := range [][]string{
		{"--sysctl", "kernel.msgmax=1"},
		{"--sysctl", "net.ipv4.ip_forward=1", "--network", "none"},
	} {
		r := burrow(t, append(append([]string{"run", "--rm"}, args...), busyboxImage(t), "true")...)
		if r.ExitCode != 125 || !strings.Contains(r.Stderr, "sysctl") {
			t.Errorf("burrow run %s: want exit 125 and an error naming the sysctl, got:\n%s", strings.Join(args, " "), describe(r))
		}
	}
}

// --http-proxy (on by default, as podman's) passes the proxy variables of
// the caller's environment into the container; =false does not.
func TestHTTPProxy(t *testing.T) {
	t.Parallel()
	env := withEnv(os.Environ(), "http_proxy=http://192.0.2.80:3128", "NO_PROXY=.test")
	r := burrowEnv(t, env, "run", "--rm", busyboxImage(t), "env")
	if r.ExitCode != 0 || !strings.Contains(r.Stdout, "http_proxy=http://192.0.2.80:3128\n") || !strings.Contains(r.Stdout, "NO_PROXY=.test\n") {
		t.Errorf("the proxy variables are not passed on: %s", describe(r))
	}
	r = burrowEnv(t, env, "run", "--rm", "--http-proxy=false", busyboxImage(t), "env")
	if r.ExitCode != 0 || strings.Contains(r.Stdout, "proxy=") || strings.Contains(r.Stdout, "PROXY=") {
		t.Errorf("--http-proxy=false passes proxy variables: %s", describe(r))
	}
	// containers.conf's http_proxy = false is the default the flag overrides.
	conf := filepath.Join(t.TempDir(), "containers.conf")
	if err := os.WriteFile(conf, []byte("[containers]\nhttp_proxy = false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env = append(env, "CONTAINERS_CONF="+conf)
	r = burrowEnv(t, env, "run", "--rm", busyboxImage(t), "env")
	if r.ExitCode != 0 || strings.Contains(r.Stdout, "proxy=") || strings.Contains(r.Stdout, "PROXY=") {
		t.Errorf("containers.conf http_proxy = false: proxy variables passed: %s", describe(r))
	}
	r = burrowEnv(t, env, "run", "--rm", "--http-proxy", busyboxImage(t), "env")
	if r.ExitCode != 0 || !strings.Contains(r.Stdout, "http_proxy=http://192.0.2.80:3128\n") {
		t.Errorf("--http-proxy over containers.conf's false: not passed: %s", describe(r))
	}
}
