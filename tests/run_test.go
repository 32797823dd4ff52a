package tests

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// ---------------------------------------------------------------------------
// Shared helpers for the end-to-end tests (used by the other *_test.go files
// of this package as well).
// ---------------------------------------------------------------------------

// pullState remembers the outcome of pulling one reference, so that every
// test can ask for a pulled image while only the first one pays for it.
type pullState struct {
	once sync.Once
	res  result
}

var pulls sync.Map // image reference -> *pullState

// pulledImage makes sure ref is in the local store (pulling it once per test
// binary) and returns ref.
func pulledImage(t testing.TB, ref string) string {
	t.Helper()
	v, _ := pulls.LoadOrStore(ref, &pullState{})
	st := v.(*pullState)
	st.once.Do(func() { st.res = burrow(t, "pull", "--tls-verify=false", "-q", ref) })
	if st.res.ExitCode != 0 {
		t.Fatalf("burrow pull --tls-verify=false -q %s failed:\n%s", ref, describe(st.res))
	}
	return ref
}

// busyboxImage is the plain busybox test image, pulled.
func busyboxImage(t testing.TB) string { return pulledImage(t, testImage(t)) }

// configImage is the image with entrypoint/cmd/workdir/env set, pulled.
func configImage(t testing.TB) string { return pulledImage(t, configuredImage(t)) }

// describe renders a result for failure messages.
func describe(r result) string {
	return fmt.Sprintf("exit code %d\n--- stdout ---\n%s\n--- stderr ---\n%s", r.ExitCode, r.Stdout, r.Stderr)
}

// runRm runs `burrow run --rm OPTS... IMAGE CMD...`.
func runRm(t testing.TB, image string, opts []string, cmd ...string) result {
	t.Helper()
	args := append([]string{"run", "--rm"}, opts...)
	args = append(args, image)
	args = append(args, cmd...)
	return burrow(t, args...)
}

// mustRun is runRm that fails the test unless the container exits 0; it
// returns the container's stdout.
func mustRun(t testing.TB, image string, opts []string, cmd ...string) string {
	t.Helper()
	r := runRm(t, image, opts, cmd...)
	if r.ExitCode != 0 {
		t.Fatalf("burrow run --rm %s %s %s: want exit 0, got:\n%s",
			strings.Join(opts, " "), image, strings.Join(cmd, " "), describe(r))
	}
	return r.Stdout
}

// shOut runs `sh -c script` in a fresh busybox container (with the given
// extra run options), requires exit 0 and returns stdout.
func shOut(t testing.TB, script string, opts ...string) string {
	t.Helper()
	return mustRun(t, busyboxImage(t), opts, "sh", "-c", script)
}

// nonEmptyLines splits s into lines with surrounding blanks removed,
// dropping empty lines.
func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// sections splits output on lines consisting of exactly "--".
func sections(s string) []string {
	var out, cur []string
	for _, l := range strings.Split(s, "\n") {
		if l == "--" {
			out = append(out, strings.Join(cur, "\n"))
			cur = nil
			continue
		}
		cur = append(cur, l)
	}
	return append(out, strings.Join(cur, "\n"))
}

// normalizeIDMap turns the column-aligned content of /proc/PID/uid_map into
// lines of the form "0 1000 1".
func normalizeIDMap(s string) []string {
	var out []string
	for _, l := range nonEmptyLines(s) {
		out = append(out, strings.Join(strings.Fields(l), " "))
	}
	return out
}

type subIDRange struct{ Start, Size int }

// subIDRanges returns the current user's ranges from /etc/subuid or
// /etc/subgid (matched by user name or numeric uid), in file order.
func subIDRanges(t testing.TB, file string) []subIDRange {
	t.Helper()
	u, err := user.Current()
	if err != nil {
		t.Fatalf("looking up the current user: %v", err)
	}
	data, err := os.ReadFile(file)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("reading %s: %v", file, err)
	}
	var out []subIDRange
	for _, l := range strings.Split(string(data), "\n") {
		f := strings.Split(strings.TrimSpace(l), ":")
		if len(f) != 3 || (f[0] != u.Username && f[0] != u.Uid) {
			continue
		}
		start, err1 := strconv.Atoi(f[1])
		size, err2 := strconv.Atoi(f[2])
		if err1 != nil || err2 != nil {
			t.Fatalf("malformed line in %s: %q", file, l)
		}
		out = append(out, subIDRange{start, size})
	}
	return out
}

// firstSubIDRange is the user's first range in file; the test fails when the
// user has none (the main pass requires one).
func firstSubIDRange(t testing.TB, file string) subIDRange {
	t.Helper()
	rs := subIDRanges(t, file)
	if len(rs) == 0 {
		u, _ := user.Current()
		t.Fatalf("test bed: user %v has no range in %s", u, file)
	}
	return rs[0]
}

func randHex() string { return fmt.Sprintf("%016x", rand.Uint64()) }

var hex64 = regexp.MustCompile(`^[0-9a-f]{64}$`)

// requireBurrowError checks exit code 125 and a one-line "Error: ..." message.
// When strict, stderr must consist of exactly that line; otherwise other
// lines (progress, warnings) may precede it, but the Error line must be the
// only one and the last one.
func requireBurrowError(t testing.TB, r result, strict bool) {
	t.Helper()
	if r.ExitCode != 125 {
		t.Errorf("want exit code 125, got:\n%s", describe(r))
	}
	lines := nonEmptyLines(r.Stderr)
	if strict {
		if len(lines) != 1 || !strings.HasPrefix(lines[0], "Error: ") {
			t.Errorf("want stderr to be exactly one line starting with %q, got:\n%s", "Error: ", r.Stderr)
		}
		return
	}
	n := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "Error: ") {
			n++
		}
	}
	if n != 1 || !strings.HasPrefix(lines[len(lines)-1], "Error: ") {
		t.Errorf("want exactly one %q line, as the last line of stderr, got:\n%s", "Error: ", r.Stderr)
	}
}

// requireStartFailure checks a run whose container was made but could not
// start: podman's exit code 126 and one error line, the last.
func requireStartFailure(t testing.TB, r result) {
	t.Helper()
	if r.ExitCode != 126 {
		t.Errorf("want exit code 126 (the start failed), got:\n%s", describe(r))
	}
	if lines := nonEmptyLines(r.Stderr); len(lines) == 0 || !strings.HasPrefix(lines[len(lines)-1], "Error: ") {
		t.Errorf("want an %q line last on stderr, got:\n%s", "Error: ", r.Stderr)
	}
}

// mountEntry is one line of /proc/mounts.
type mountEntry struct {
	Source, Target, FSType string
	Options                []string
}

func (m mountEntry) hasOption(o string) bool {
	for _, x := range m.Options {
		if x == o {
			return true
		}
	}
	return false
}

func parseMounts(s string) []mountEntry {
	var out []mountEntry
	for _, l := range nonEmptyLines(s) {
		f := strings.Fields(l)
		if len(f) < 4 {
			continue
		}
		out = append(out, mountEntry{f[0], f[1], f[2], strings.Split(f[3], ",")})
	}
	return out
}

// topMount returns the last (visible) mount on target.
func topMount(ms []mountEntry, target string) (mountEntry, bool) {
	for i := len(ms) - 1; i >= 0; i-- {
		if ms[i].Target == target {
			return ms[i], true
		}
	}
	return mountEntry{}, false
}

// statusFields parses /proc/PID/status content into key -> value.
func statusFields(s string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(l, ":")
		if ok {
			m[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return m
}

func hexField(t testing.TB, fields map[string]string, key string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(fields[key], 16, 64)
	if err != nil {
		t.Fatalf("parsing %s %q from /proc/self/status: %v", key, fields[key], err)
	}
	return v
}

// hostSignalIgnored reports whether this test process inherited sig as
// ignored; a non-interactive sh cannot trap such a signal, so the tests
// that rely on trapping it skip.
func hostSignalIgnored(t testing.TB, sig syscall.Signal) bool {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	v, err := strconv.ParseUint(statusFields(string(data))["SigIgn"], 16, 64)
	if err != nil {
		t.Fatalf("parsing SigIgn: %v", err)
	}
	return v&(1<<(uint(sig)-1)) != 0
}

// lockedBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// liveBurrow is a burrow CLI process started in the background.
type liveBurrow struct {
	cmd     *exec.Cmd
	out     *lockedBuffer // stdout and stderr, interleaved
	done    chan struct{} // closed when the process has been waited for
	drained chan struct{} // closed when all output has been read
	waitErr error
}

func newLiveBurrow(t testing.TB, args ...string) *liveBurrow {
	cmd := exec.Command(burrowBin(t), args...)
	// If some helper process inherits our pipes, do not hang forever.
	cmd.WaitDelay = 2 * time.Second
	return &liveBurrow{cmd: cmd, out: &lockedBuffer{}, done: make(chan struct{}), drained: make(chan struct{})}
}

// afterStart begins waiting for the process and registers its cleanup.
func (p *liveBurrow) afterStart(t testing.TB) {
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
}

// startBurrow starts `burrow ARGS...` with stdin /dev/null and stdout+stderr
// captured together.
func startBurrow(t testing.TB, args ...string) *liveBurrow {
	t.Helper()
	p := newLiveBurrow(t, args...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting burrow: %v", err)
	}
	close(p.drained) // os/exec copies the pipes before Wait returns
	p.afterStart(t)
	return p
}

// waitFor waits until the output contains s.
func (p *liveBurrow) waitFor(t testing.TB, s string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(p.out.String(), s) {
		select {
		case <-p.done:
			if strings.Contains(p.out.String(), s) {
				return
			}
			t.Fatalf("burrow exited (%v) before printing %q; output:\n%s", p.waitErr, s, p.out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %q; output:\n%s", timeout, s, p.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// exitCode waits for the process to exit and returns its exit code (-1 when
// killed by a signal).
func (p *liveBurrow) exitCode(t testing.TB, timeout time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(timeout):
		t.Fatalf("burrow did not exit within %v; output:\n%s", timeout, p.out.String())
	}
	select {
	case <-p.drained:
	case <-time.After(2 * time.Second):
	}
	return p.cmd.ProcessState.ExitCode()
}

// hostNS returns the host's (this test process's) namespace link, e.g.
// "pid:[4026531836]".
func hostNS(t testing.TB, ns string) string {
	t.Helper()
	l, err := os.Readlink("/proc/self/ns/" + ns)
	if err != nil {
		t.Fatalf("reading host namespace %s: %v", ns, err)
	}
	return l
}

// findContainerInit finds, from the host, the process that runs as PID 1 of
// its PID namespace and whose command line contains marker.
func findContainerInit(marker string) (int, bool) {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || !bytes.Contains(cmdline, []byte(marker)) {
			continue
		}
		status, err := os.ReadFile(filepath.Join("/proc", e.Name(), "status"))
		if err != nil {
			continue
		}
		f := strings.Fields(statusFields(string(status))["NSpid"])
		if len(f) >= 2 && f[len(f)-1] == "1" {
			return pid, true
		}
	}
	return 0, false
}

// ---------------------------------------------------------------------------
// Namespaces
// ---------------------------------------------------------------------------

func TestRunUserNamespaceMapping(t *testing.T) {
	t.Parallel()
	uidRange := firstSubIDRange(t, "/etc/subuid")
	gidRange := firstSubIDRange(t, "/etc/subgid")
	out := shOut(t, "cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --; id -u; id -un")
	sec := sections(out)
	if len(sec) != 3 {
		t.Fatalf("unexpected output:\n%s", out)
	}
	check := func(what string, got []string, id int, r subIDRange) {
		t.Helper()
		want := []string{fmt.Sprintf("0 %d 1", id), fmt.Sprintf("1 %d %d", r.Start, r.Size)}
		if len(got) < 2 || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("%s inside the container = %q, want it to start with %q", what, got, want)
		}
	}
	check("uid_map", normalizeIDMap(sec[0]), os.Getuid(), uidRange)
	check("gid_map", normalizeIDMap(sec[1]), os.Getgid(), gidRange)
	if got := nonEmptyLines(sec[2]); len(got) != 2 || got[0] != "0" || got[1] != "root" {
		t.Errorf("id -u; id -un = %q, want [0 root]", got)
	}
}

func TestRunPIDNamespace(t *testing.T) {
	t.Parallel()
	out := nonEmptyLines(shOut(t, `echo $$; ls /proc | grep -c '^[0-9]'`))
	if len(out) != 2 {
		t.Fatalf("unexpected output %q", out)
	}
	if out[0] != "1" {
		t.Errorf("the container's command has PID %s, want 1", out[0])
	}
	// sh, ls and grep: the container must not see the host's processes.
	if n, err := strconv.Atoi(out[1]); err != nil || n < 1 || n > 3 {
		t.Errorf("the container sees %s processes in /proc, want 1..3", out[1])
	}
}

func TestRunNamespacesDifferFromHost(t *testing.T) {
	t.Parallel()
	nss := []string{"pid", "mnt", "uts", "net", "ipc", "user"}
	out := shOut(t, `for n in `+strings.Join(nss, " ")+`; do echo "$n $(readlink /proc/self/ns/$n)"; done`)
	got := map[string]string{}
	for _, l := range nonEmptyLines(out) {
		if k, v, ok := strings.Cut(l, " "); ok {
			got[k] = v
		}
	}
	for _, ns := range nss {
		host := hostNS(t, ns)
		switch g := got[ns]; {
		case !strings.HasPrefix(g, ns+":["):
			t.Errorf("readlink /proc/self/ns/%s in the container = %q", ns, g)
		case g == host:
			t.Errorf("the container shares the host's %s namespace (%s)", ns, g)
		}
	}
}

func TestRunHostname(t *testing.T) {
	t.Parallel()
	const script = `hostname; echo "$(cat /etc/hostname)"; echo --; cat /etc/hosts; echo --; test -f /etc/resolv.conf && echo resolv-ok; true`
	check := func(t *testing.T, out string) string {
		t.Helper()
		sec := sections(out)
		if len(sec) != 3 {
			t.Fatalf("unexpected output:\n%s", out)
		}
		names := nonEmptyLines(sec[0])
		if len(names) != 2 || names[0] != names[1] {
			t.Errorf("hostname and /etc/hostname differ or are empty: %q", names)
		}
		if len(names) == 0 {
			return ""
		}
		hostsWords := map[string]bool{}
		for _, l := range nonEmptyLines(sec[1]) {
			if strings.HasPrefix(l, "#") {
				continue
			}
			for _, w := range strings.Fields(l) {
				hostsWords[w] = true
			}
		}
		for _, w := range []string{names[0], "localhost"} {
			if !hostsWords[w] {
				t.Errorf("/etc/hosts does not contain %q:\n%s", w, sec[1])
			}
		}
		if strings.TrimSpace(sec[2]) != "resolv-ok" {
			t.Errorf("/etc/resolv.conf is missing in the container")
		}
		return names[0]
	}
	t.Run("explicit", func(t *testing.T) {
		t.Parallel()
		if got := check(t, shOut(t, script, "--hostname", "abc")); got != "abc" {
			t.Errorf("with --hostname abc the hostname is %q", got)
		}
	})
	t.Run("default", func(t *testing.T) {
		t.Parallel()
		got := check(t, shOut(t, script))
		host, err := os.Hostname()
		if err != nil {
			t.Fatal(err)
		}
		if got == host {
			t.Errorf("the container has the host's hostname %q", host)
		}
		// podman: the first 12 characters of the container ID.
		if !regexp.MustCompile(`^[0-9a-f]{12}$`).MatchString(got) {
			t.Errorf("default hostname %q is not a 12-character container ID prefix", got)
		}
	})
}

func TestRunMountNamespace(t *testing.T) {
	t.Parallel()
	src := "burrow-e2e-" + randHex()
	script := fmt.Sprintf(`mkdir -p /mnt && mount -t tmpfs %s /mnt && touch /mnt/x && ls /mnt && grep -c %s /proc/mounts`, src, src)

	t.Run("needs CAP_SYS_ADMIN", func(t *testing.T) {
		t.Parallel()
		// Not among the default capabilities, so mounting is refused.
		if r := runRm(t, busyboxImage(t), nil, "sh", "-c", script); r.ExitCode == 0 {
			t.Errorf("mount succeeded without CAP_SYS_ADMIN:\n%s", describe(r))
		}
	})
	t.Run("isolated", func(t *testing.T) {
		t.Parallel()
		out := shOut(t, script, "--cap-add", "SYS_ADMIN")
		if got := nonEmptyLines(out); len(got) != 2 || got[0] != "x" || got[1] != "1" {
			t.Errorf("tmpfs mount inside the container: got %q, want [x 1]", got)
		}
		mi, err := os.ReadFile("/proc/self/mountinfo")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(mi), src) {
			t.Errorf("the container's tmpfs %s shows up in the host's mount table", src)
		}
		if got := shOut(t, `ls -A /mnt 2>/dev/null; true`); strings.TrimSpace(got) != "" {
			t.Errorf("a second container sees %q in /mnt", got)
		}
	})
}

func TestRunNetworkOnlyLoopback(t *testing.T) {
	t.Parallel()
	out := shOut(t, `cat /proc/net/dev; echo --; ip link`, "--network", "none")
	sec := sections(out)
	if len(sec) != 2 {
		t.Fatalf("unexpected output:\n%s", out)
	}
	var ifaces []string
	for _, l := range nonEmptyLines(sec[0]) {
		if name, _, ok := strings.Cut(l, ":"); ok && !strings.Contains(name, "|") {
			ifaces = append(ifaces, strings.TrimSpace(name))
		}
	}
	if len(ifaces) != 1 || ifaces[0] != "lo" {
		t.Errorf("interfaces in /proc/net/dev = %q, want only lo", ifaces)
	}
	// "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 ..."
	loUp := regexp.MustCompile(`(?m)^\d+: lo: <[^>]*\bUP\b[^>]*>`)
	if !loUp.MatchString(sec[1]) {
		t.Errorf("lo is not UP:\n%s", sec[1])
	}
}

// ---------------------------------------------------------------------------
// Exit codes and signals
// ---------------------------------------------------------------------------

func TestRunExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		cmd      []string
		want     int
		inStderr string
	}{
		{"true", []string{"true"}, 0, ""},
		{"false", []string{"false"}, 1, ""},
		{"exit 3", []string{"sh", "-c", "exit 3"}, 3, ""},
		{"exit 255", []string{"sh", "-c", "exit 255"}, 255, ""},
		{"child killed", []string{"sh", "-c", "sleep 100 & kill -9 $!; wait $!"}, 137, ""},
		{"not executable", []string{"/etc/passwd"}, 126, "/etc/passwd"},
		{"no such file", []string{"/nonexistent"}, 127, "/nonexistent"},
		{"not in PATH", []string{"nonexistent-cmd"}, 127, "nonexistent-cmd"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := runRm(t, busyboxImage(t), nil, tc.cmd...)
			if r.ExitCode != tc.want {
				t.Errorf("run %q: want exit %d, got:\n%s", tc.cmd, tc.want, describe(r))
			}
			if tc.inStderr != "" && !strings.Contains(r.Stderr, tc.inStderr) {
				t.Errorf("stderr does not mention %q:\n%s", tc.inStderr, r.Stderr)
			}
		})
	}
}

func TestRunExitCodeWhenKilled(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	marker := "burrow-e2e-kill-" + randHex()
	p := startBurrow(t, "run", "--rm", img, "sh", "-c", "echo ready; while :; do sleep 1; done", marker)
	p.waitFor(t, "ready", 30*time.Second)
	pid, ok := findContainerInit(marker)
	if !ok {
		t.Fatalf("cannot find the container's PID 1 (with %q in its command line) from the host", marker)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("kill -9 %d: %v", pid, err)
	}
	if code := p.exitCode(t, 20*time.Second); code != 128+9 {
		t.Errorf("container killed by SIGKILL: burrow exited %d, want 137; output:\n%s", code, p.out.String())
	}
}

func TestRunForwardsSignals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sig  syscall.Signal
		trap string
		want int
	}{
		{syscall.SIGTERM, "TERM", 42},
		{syscall.SIGINT, "INT", 43},
	}
	for _, tc := range tests {
		t.Run(tc.trap, func(t *testing.T) {
			t.Parallel()
			if hostSignalIgnored(t, tc.sig) {
				t.Skipf("SIG%s is ignored by the test process, so a non-interactive sh cannot trap it", tc.trap)
			}
			script := fmt.Sprintf(`trap "exit %d" %s; echo ready; while :; do sleep 0.1; done`, tc.want, tc.trap)
			p := startBurrow(t, "run", "--rm", busyboxImage(t), "sh", "-c", script)
			p.waitFor(t, "ready", 30*time.Second)
			time.Sleep(500 * time.Millisecond) // let burrow settle after the start
			if err := p.cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			if code := p.exitCode(t, 20*time.Second); code != tc.want {
				t.Errorf("after SIG%s to burrow: exit %d, want %d (signal forwarded to the container); output:\n%s",
					tc.trap, code, tc.want, p.out.String())
			}
		})
	}
}

// ---------------------------------------------------------------------------
// stdin
// ---------------------------------------------------------------------------

func TestRunStdin(t *testing.T) {
	t.Parallel()
	t.Run("attached with -i", func(t *testing.T) {
		t.Parallel()
		r := burrowStdin(t, "hi\nthere\n", "run", "--rm", "-i", busyboxImage(t), "cat")
		if r.ExitCode != 0 || r.Stdout != "hi\nthere\n" {
			t.Errorf("cat with -i: want stdout %q, got:\n%s", "hi\nthere\n", describe(r))
		}
	})
	t.Run("not attached without -i", func(t *testing.T) {
		t.Parallel()
		r := burrowStdin(t, "hi\n", "run", "--rm", busyboxImage(t), "cat")
		if r.ExitCode != 0 || r.Stdout != "" {
			t.Errorf("cat without -i: want exit 0 and empty stdout, got:\n%s", describe(r))
		}
	})
}

// ---------------------------------------------------------------------------
// Masked and read-only paths, /dev
// ---------------------------------------------------------------------------

// maskedFiles are files podman masks by default; each is checked only when
// it exists on the host.
var maskedFiles = []string{"/proc/kcore", "/proc/keys", "/proc/timer_list"}

func TestRunMaskedPaths(t *testing.T) {
	t.Parallel()
	out := shOut(t, `for f in `+strings.Join(maskedFiles, " ")+`; do echo "$f $(cat $f 2>/dev/null | wc -c)"; done; echo --; cat /proc/mounts`)
	sec := sections(out)
	if len(sec) != 2 {
		t.Fatalf("unexpected output:\n%s", out)
	}
	sizes := map[string]string{}
	for _, l := range nonEmptyLines(sec[0]) {
		if k, v, ok := strings.Cut(l, " "); ok {
			sizes[k] = v
		}
	}
	mounts := parseMounts(sec[1])
	checked := 0
	for _, f := range maskedFiles {
		if _, err := os.Stat(f); err != nil {
			t.Logf("%s does not exist on the host; not checked", f)
			continue
		}
		checked++
		if _, ok := topMount(mounts, f); !ok {
			t.Errorf("%s is not masked (no mount on it in /proc/mounts)", f)
		}
		if sizes[f] != "0" {
			t.Errorf("reading %s in the container gives %s bytes, want 0", f, sizes[f])
		}
	}
	if checked == 0 {
		t.Skip("none of the masked files exist on this host")
	}
}

func TestRunReadOnlyPaths(t *testing.T) {
	t.Parallel()
	// Writes are chosen to be harmless even if they succeeded. The hostname
	// sysctl belongs to the container's own UTS namespace, so only a
	// read-only /proc/sys stops container root from rewriting it; it gets
	// its current value. sysrq-trigger is only opened, never written.
	const script = `
v=$(cat /proc/sys/kernel/hostname)
(echo "$v" > /proc/sys/kernel/hostname) 2>/dev/null && echo writable:/proc/sys/kernel/hostname
(: > /proc/sysrq-trigger) 2>/dev/null && echo writable:/proc/sysrq-trigger
touch /sys/x 2>/dev/null && echo writable:/sys/x
echo --
cat /proc/mounts`
	out := shOut(t, script)
	sec := sections(out)
	if len(sec) != 2 {
		t.Fatalf("unexpected output:\n%s", out)
	}
	for _, l := range nonEmptyLines(sec[0]) {
		t.Errorf("container could write: %s", l)
	}
	mounts := parseMounts(sec[1])
	for _, p := range []string{"/proc/sys", "/proc/sysrq-trigger", "/sys"} {
		if _, err := os.Stat(p); err != nil {
			t.Logf("%s does not exist on the host; its mount is not checked", p)
			continue
		}
		m, ok := topMount(mounts, p)
		if !ok {
			t.Errorf("no mount on %s in the container", p)
			continue
		}
		if !m.hasOption("ro") {
			t.Errorf("%s is mounted %s, want ro", p, strings.Join(m.Options, ","))
		}
	}
}

func TestRunDevices(t *testing.T) {
	t.Parallel()
	devs := []string{"null", "zero", "full", "random", "urandom", "tty", "ptmx"}
	script := `for d in ` + strings.Join(devs, " ") + `; do test -c /dev/$d || echo "not a char device: /dev/$d"; done
echo x > /dev/null || echo "cannot write /dev/null"
echo "urandom $(head -c 4 /dev/urandom | wc -c)"
echo --
cat /proc/mounts`
	out := shOut(t, script)
	sec := sections(out)
	if len(sec) != 2 {
		t.Fatalf("unexpected output:\n%s", out)
	}
	lines := nonEmptyLines(sec[0])
	if len(lines) != 1 || lines[0] != "urandom 4" {
		t.Errorf("device checks in the container: got %q, want [%q]", lines, "urandom 4")
	}
	mounts := parseMounts(sec[1])
	for _, want := range []struct{ target, fstype string }{
		{"/dev/pts", "devpts"},
		{"/dev/shm", ""},
		{"/dev/mqueue", "mqueue"},
	} {
		m, ok := topMount(mounts, want.target)
		switch {
		case !ok:
			t.Errorf("nothing mounted on %s", want.target)
		case want.fstype != "" && m.FSType != want.fstype:
			t.Errorf("%s is a %s mount, want %s", want.target, m.FSType, want.fstype)
		}
	}
}

// --device gives the container a host device node (bind-mounted, as
// rootless podman does), where it asks; a path that is no device is
// refused before a container is made.
func TestRunDeviceFlag(t *testing.T) {
	t.Parallel()
	out := shOut(t, `stat -c '%t,%T %F' /dev/mynull; echo x > /dev/mynull && echo written; ls /dev/net`,
		"--device", "/dev/null:/dev/mynull:rw", "--device", "/dev/net")
	want := "1,3 character special file\nwritten\ntun\n"
	if out != want {
		t.Errorf("in the container: got %q, want %q", out, want)
	}
	name := ctrName(t)
	for _, bad := range []string{"/no/such/device", "/etc/hostname", "dev/null"} {
		r := burrow(t, "run", "--rm", "--name", name, "--device", bad, busyboxImage(t), "true")
		if r.ExitCode != 125 || !strings.Contains(r.Stderr, "Error: ") {
			t.Errorf("--device %s: want exit 125 and an error, got:\n%s", bad, describe(r))
		}
		if r := burrow(t, "container", "exists", name); r.ExitCode != 1 {
			t.Errorf("--device %s left a container %s behind", bad, name)
		}
	}
}

// ---------------------------------------------------------------------------
// Capabilities, privileges, users
// ---------------------------------------------------------------------------

// podman's default capability set: CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL,
// NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT.
const defaultCaps uint64 = 0x00000000800405fb

const (
	capChown    = 0
	capNetAdmin = 12
)

// containerStatus returns the fields of /proc/self/status of a process in a
// busybox container run with opts.
func containerStatus(t testing.TB, opts ...string) map[string]string {
	t.Helper()
	return statusFields(mustRun(t, busyboxImage(t), opts, "cat", "/proc/self/status"))
}

func hostCapBnd(t testing.TB) uint64 {
	t.Helper()
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	return hexField(t, statusFields(string(data)), "CapBnd")
}

func TestRunCapabilities(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []string
		want uint64
	}{
		{"default", nil, defaultCaps},
		{"drop CHOWN", []string{"--cap-drop", "CHOWN"}, defaultCaps &^ (1 << capChown)},
		{"add NET_ADMIN", []string{"--cap-add", "NET_ADMIN"}, defaultCaps | 1<<capNetAdmin},
		{"drop ALL", []string{"--cap-drop", "ALL"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := containerStatus(t, tc.opts...)
			for _, k := range []string{"CapEff", "CapBnd"} {
				if got := hexField(t, st, k); got != tc.want {
					t.Errorf("%s = %016x, want %016x", k, got, tc.want)
				}
			}
		})
	}
}

func TestRunPrivileged(t *testing.T) {
	t.Parallel()
	// All capabilities the kernel knows (cap_last_cap); where the tests run
	// with a reduced bounding set, that set is accepted too.
	data, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err != nil {
		t.Fatal(err)
	}
	last, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	all := uint64(1)<<(last+1) - 1

	out := shOut(t, `cat /proc/self/status; echo --; cat /proc/mounts`, "--privileged")
	sec := sections(out)
	if len(sec) != 2 {
		t.Fatalf("unexpected output:\n%s", out)
	}
	st := statusFields(sec[0])
	if got := hexField(t, st, "CapEff"); got != all && got != all&hostCapBnd(t) {
		t.Errorf("--privileged: CapEff = %016x, want all capabilities %016x", got, all)
	}
	mounts := parseMounts(sec[1])
	for _, f := range maskedFiles {
		if m, ok := topMount(mounts, f); ok {
			t.Errorf("--privileged: %s is still masked (%s mounted on it)", f, m.FSType)
		}
	}
}

func TestRunNoNewPrivileges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		opts []string
		want string
	}{
		{nil, "0"},
		{[]string{"--security-opt", "no-new-privileges"}, "1"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.opts), func(t *testing.T) {
			t.Parallel()
			if got := containerStatus(t, tc.opts...)["NoNewPrivs"]; got != tc.want {
				t.Errorf("NoNewPrivs = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRunAsUser(t *testing.T) {
	t.Parallel()
	out := shOut(t, `id -u; id -g; grep '^CapEff:' /proc/self/status`, "-u", "1000:1000")
	got := nonEmptyLines(out)
	if len(got) != 3 || got[0] != "1000" || got[1] != "1000" {
		t.Fatalf("-u 1000:1000: id -u; id -g = %q, want 1000 1000", got)
	}
	if capEff := strings.Join(strings.Fields(got[2]), " "); capEff != "CapEff: 0000000000000000" {
		t.Errorf("-u 1000:1000: %q, want no effective capabilities", got[2])
	}
}

// ---------------------------------------------------------------------------
// Filesystem
// ---------------------------------------------------------------------------

func TestRunFilesystemIsolation(t *testing.T) {
	t.Parallel()
	marker := "/burrow-marker-" + randHex()
	if got := shOut(t, "touch "+marker+" && ls "+marker); strings.TrimSpace(got) != marker {
		t.Fatalf("creating %s in the container: got %q", marker, got)
	}
	if _, err := os.Lstat(marker); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s created in the container appeared on the host (stat: %v)", marker, err)
	}
	r := runRm(t, busyboxImage(t), nil, "test", "-e", marker)
	if r.ExitCode != 1 {
		t.Errorf("a second container from the same image: test -e %s: want exit 1, got:\n%s", marker, describe(r))
	}
}

func TestRunRootfs(t *testing.T) {
	t.Parallel()
	burrowBin(t) // skip early when there is nothing to test
	const busybox = "/bin/busybox"
	if f, err := elf.Open(busybox); err != nil {
		t.Skipf("no usable %s on the host (install busybox-static): %v", busybox, err)
	} else {
		dynamic := false
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				dynamic = true
			}
		}
		f.Close()
		if dynamic {
			t.Skipf("%s is dynamically linked; the test needs busybox-static", busybox)
		}
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, busybox, filepath.Join(dir, "bin", "busybox"), 0o755)
	if err := os.Symlink("busybox", filepath.Join(dir, "bin", "sh")); err != nil {
		t.Fatal(err)
	}

	r := burrow(t, "run", "--rm", "--rootfs", dir, "/bin/busybox", "echo", "ok")
	if r.ExitCode != 0 || r.Stdout != "ok\n" {
		t.Fatalf("run --rootfs DIR /bin/busybox echo ok: want stdout %q, got:\n%s", "ok\n", describe(r))
	}

	// The directory is used in place, as by podman: a file the container
	// creates is left in it.
	r = burrow(t, "run", "--rm", "--rootfs", dir, "/bin/sh", "-c", "echo $$; /bin/busybox touch /created-inside")
	if r.ExitCode != 0 || r.Stdout != "1\n" {
		t.Fatalf("run --rootfs DIR /bin/sh -c ...: want stdout %q, got:\n%s", "1\n", describe(r))
	}
	if _, err := os.Stat(filepath.Join(dir, "created-inside")); err != nil {
		t.Errorf("file created in the --rootfs container is not in the directory: %v", err)
	}
}

func copyFile(t testing.TB, src, dst string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// ---------------------------------------------------------------------------
// Image configuration and run options
// ---------------------------------------------------------------------------

func TestRunImageConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []string
		cmd  []string
		want string
	}{
		{"entrypoint and cmd", nil, nil, "from-entrypoint default-cmd"},
		{"cmd replaced", nil, []string{"x", "y"}, "from-entrypoint x y"},
		{"entrypoint replaced, workdir", []string{"--entrypoint", "/bin/pwd"}, nil, "/srv"},
		{"-w", []string{"-w", "/tmp", "--entrypoint", "/bin/pwd"}, nil, "/tmp"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := strings.TrimSpace(mustRun(t, configImage(t), tc.opts, tc.cmd...)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRunEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []string
		want map[string]string
	}{
		{"image env", nil, map[string]string{"FOO": "bar"}},
		{"override", []string{"-e", "FOO=baz"}, map[string]string{"FOO": "baz"}},
		{"add", []string{"-e", "NEW=1"}, map[string]string{"FOO": "bar", "NEW": "1"}},
		{"several", []string{"-e", "A=1", "-e", "B=x=y"}, map[string]string{"FOO": "bar", "A": "1", "B": "x=y"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := append([]string{"--entrypoint", "/bin/sh"}, tc.opts...)
			out := mustRun(t, configImage(t), opts, "-c", "env")
			env := map[string]string{}
			for _, l := range nonEmptyLines(out) {
				if k, v, ok := strings.Cut(l, "="); ok {
					env[k] = v
				}
			}
			for k, v := range tc.want {
				if got, ok := env[k]; !ok || got != v {
					t.Errorf("%s in the container = %q (set: %v), want %q", k, got, ok, v)
				}
			}
			if !strings.Contains(env["PATH"], "/bin") {
				t.Errorf("PATH in the container = %q", env["PATH"])
			}
		})
	}
}

func TestRunName(t *testing.T) {
	t.Parallel()
	name := "burrow-e2e-" + randHex()
	// With --rm the name is released, so it can be used again right away.
	for i := 0; i < 2; i++ {
		if got := mustRun(t, busyboxImage(t), []string{"--name", name}, "echo", "named"); got != "named\n" {
			t.Errorf("run %d with --name: stdout %q", i+1, got)
		}
	}
}

// ---------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------

func TestRunBadInput(t *testing.T) {
	t.Parallel()
	t.Run("unreachable registry", func(t *testing.T) {
		t.Parallel()
		// Nothing listens on port 1.
		r := burrow(t, "run", "--rm", "--tls-verify=false", "127.0.0.1:1/nope:latest", "true")
		requireBurrowError(t, r, false)
	})
	t.Run("no image", func(t *testing.T) {
		t.Parallel()
		requireBurrowError(t, burrow(t, "run"), true)
	})
	t.Run("unknown flag", func(t *testing.T) {
		t.Parallel()
		r := burrow(t, "run", "--no-such-flag", busyboxImage(t), "true")
		if r.ExitCode != 125 || !strings.Contains(r.Stderr, "Error: ") || !strings.Contains(r.Stderr, "no-such-flag") {
			t.Errorf("want exit 125 and an Error naming the flag, got:\n%s", describe(r))
		}
	})
}
