package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Containers of these tests are named after the test with a random suffix,
// and every query filters by name: tests run in parallel in one store.

func ctrName(t testing.TB) string {
	n := strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-"))
	return strings.Trim(n, "-") + "-" + randHex()[:8]
}

var fullID = regexp.MustCompile(`^[0-9a-f]{64}$`)

// runDetached runs `burrow run -d --name NAME OPTS... IMAGE CMD...`,
// requires success and a full ID on stdout, and removes the container when
// the test ends.
func runDetached(t testing.TB, name string, opts []string, cmd ...string) string {
	t.Helper()
	args := append([]string{"run", "-d", "--name", name}, opts...)
	args = append(args, busyboxImage(t))
	args = append(args, cmd...)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	r := burrow(t, args...)
	id := strings.TrimSpace(r.Stdout)
	if r.ExitCode != 0 || !fullID.MatchString(id) {
		t.Fatalf("burrow %s: want exit 0 and a container ID, got:\n%s", strings.Join(args, " "), describe(r))
	}
	return id
}

// must runs burrow and requires exit 0; it returns stdout.
func must(t testing.TB, args ...string) string {
	t.Helper()
	r := burrow(t, args...)
	if r.ExitCode != 0 {
		t.Fatalf("burrow %s: want exit 0, got:\n%s", strings.Join(args, " "), describe(r))
	}
	return r.Stdout
}

// inspectField applies a Go template to `burrow inspect NAME`.
func inspectField(t testing.TB, name, tmpl string) string {
	t.Helper()
	return strings.TrimSpace(must(t, "inspect", "--format", tmpl, name))
}

// psStatus is the STATUS `burrow ps -a` shows for the container, "" when
// it is not listed.
func psStatus(t testing.TB, name string) string {
	t.Helper()
	out := must(t, "ps", "-a", "--filter", "name=^"+name+"$", "--format", "{{.Names}}|{{.Status}}")
	for _, l := range nonEmptyLines(out) {
		if n, st, _ := strings.Cut(l, "|"); n == name {
			return st
		}
	}
	return ""
}

// waitPs polls `ps -a` until the container's status starts with prefix.
func waitPs(t testing.TB, name, prefix string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		st := psStatus(t, name)
		if strings.HasPrefix(st, prefix) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("container %s: status %q after %v, want %q...", name, st, timeout, prefix)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pidAlive tells whether pid runs; a zombie (killed, not yet reaped by
// whoever inherited it) does not.
func pidAlive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if pid <= 0 || err != nil {
		return false
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

func TestDetachedRunKeepsRunning(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	// Started on a terminal that is then hung up, as when an ssh session
	// closes: the container must not notice.
	p, m := startOnPty(t, 24, 80, "run", "-d", "--name", name, busyboxImage(t), "sh", "-c", "echo started; sleep 1000")
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	if code := p.exitCode(t, time.Minute); code != 0 {
		t.Fatalf("run -d: exit %d, output:\n%s", code, p.out.String())
	}
	id := strings.TrimSpace(p.out.String())
	if !fullID.MatchString(id) {
		t.Fatalf("run -d printed %q, want the container's full ID", id)
	}
	m.f.Close()
	time.Sleep(300 * time.Millisecond)
	if st := psStatus(t, name); !strings.HasPrefix(st, "Up ") {
		t.Fatalf("after the CLI and its terminal are gone, ps shows %q, want Up ...", st)
	}
	if out := must(t, "ps", "-q", "--no-trunc", "--filter", "name="+name); strings.TrimSpace(out) != id {
		t.Errorf("ps -q --no-trunc = %q, want %s", out, id)
	}
	if got := must(t, "ps", "-q", "--filter", "id="+id[:10]); strings.TrimSpace(got) != id[:12] {
		t.Errorf("ps -q --filter id= printed %q, want %s", got, id[:12])
	}
	waitLog(t, name, "started")
	if got := inspectField(t, id[:8], "{{.Name}} {{.State.Status}} {{.State.Running}}"); got != name+" running true" {
		t.Errorf("inspect by ID prefix: %q", got)
	}
}

// waitLog waits until the container's log holds s.
func waitLog(t testing.TB, name, s string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := burrow(t, "logs", name)
		if strings.Contains(r.Stdout+r.Stderr, s) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("log of %s never showed %q:\n%s", name, s, describe(r))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestLogs(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	runDetached(t, name, nil, "sh", "-c", "echo out1; echo err1 >&2; echo out2; printf partial")
	if got := strings.TrimSpace(must(t, "wait", name)); got != "0" {
		t.Fatalf("wait printed %q, want 0", got)
	}
	r := burrow(t, "logs", name)
	if r.ExitCode != 0 || r.Stdout != "out1\nout2\npartial" || r.Stderr != "err1\n" {
		t.Errorf("logs: want stdout %q and stderr %q, got:\n%s", "out1\nout2\npartial", "err1\n", describe(r))
	}
	// The two streams are separate pipes, so their relative order is
	// not defined (as in podman): --tail is checked on one stream.
	tail := ctrName(t)
	runDetached(t, tail, nil, "sh", "-c", "echo a; echo b; echo c; printf d")
	must(t, "wait", tail)
	if r := burrow(t, "logs", "--tail", "2", tail); r.Stdout != "c\nd" {
		t.Errorf("logs --tail 2: got:\n%s", describe(r))
	}
	ts := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d) out1$`)
	if r := burrow(t, "logs", "-t", name); !ts.MatchString(nonEmptyLines(r.Stdout)[0]) {
		t.Errorf("logs -t: first line %q has no timestamp", nonEmptyLines(r.Stdout)[0])
	}
	if r := burrow(t, "logs", "--since", time.Now().Add(time.Hour).Format(time.RFC3339), name); r.Stdout != "" || r.Stderr != "" {
		t.Errorf("logs --since (future) printed:\n%s", describe(r))
	}
}

func TestLogsFollow(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	runDetached(t, name, nil, "sh", "-c", "sleep 0.5; for i in 1 2 3; do echo line$i; sleep 0.2; done; exit 4")
	start := time.Now()
	r := burrow(t, "logs", "-f", name)
	if r.ExitCode != 0 || r.Stdout != "line1\nline2\nline3\n" {
		t.Fatalf("logs -f: want the three lines, got:\n%s", describe(r))
	}
	if time.Since(start) < 600*time.Millisecond {
		t.Errorf("logs -f returned before the container ended")
	}
	if got := psStatus(t, name); !strings.HasPrefix(got, "Exited (4)") {
		t.Errorf("ps after exit 4: %q", got)
	}
}

func TestStopKillWait(t *testing.T) {
	t.Parallel()
	t.Run("sigkill after timeout", func(t *testing.T) {
		t.Parallel()
		name := ctrName(t)
		runDetached(t, name, nil, "sleep", "1000")
		// sleep as PID 1 has no handler: SIGTERM is ignored, as in podman.
		r := burrow(t, "stop", "-t", "1", name)
		if r.ExitCode != 0 || strings.TrimSpace(r.Stdout) != name {
			t.Fatalf("stop: %s", describe(r))
		}
		if got := strings.TrimSpace(must(t, "wait", name)); got != "137" {
			t.Errorf("wait after SIGKILL printed %q, want 137", got)
		}
		if st := psStatus(t, name); !strings.HasPrefix(st, "Exited (137)") {
			t.Errorf("ps: %q, want Exited (137) ...", st)
		}
		if r := burrow(t, "stop", name); r.ExitCode != 0 {
			t.Errorf("stopping a stopped container: want exit 0 as podman, got:\n%s", describe(r))
		}
		r = burrow(t, "kill", name)
		requireBurrowError(t, r, true)
	})
	t.Run("stop signal handled", func(t *testing.T) {
		t.Parallel()
		name := ctrName(t)
		runDetached(t, name, nil, "sh", "-c", `trap "exit 42" TERM; echo ready; while true; do sleep 0.1; done`)
		waitLog(t, name, "ready")
		start := time.Now()
		must(t, "stop", "-t", "20", name)
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("stop took %v: SIGTERM was not delivered", d)
		}
		if got := inspectField(t, name, "{{.State.Status}} {{.State.ExitCode}}"); got != "exited 42" {
			t.Errorf("inspect after stop: %q, want exited 42", got)
		}
	})
	t.Run("kill with signal", func(t *testing.T) {
		t.Parallel()
		name := ctrName(t)
		runDetached(t, name, nil, "sh", "-c", `trap "exit 10" USR1; echo ready; while true; do sleep 0.1; done`)
		waitLog(t, name, "ready")
		must(t, "kill", "-s", "USR1", name)
		if got := strings.TrimSpace(must(t, "wait", name)); got != "10" {
			t.Errorf("wait after kill -s USR1 printed %q, want 10", got)
		}
	})
}

func TestRm(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	id := runDetached(t, name, nil, "sleep", "1000")
	r := burrow(t, "rm", name)
	if r.ExitCode != 2 || len(nonEmptyLines(r.Stderr)) != 1 {
		t.Errorf("rm of a running container: want exit 2 and one error line as podman, got:\n%s", describe(r))
	}
	if st := psStatus(t, name); !strings.HasPrefix(st, "Up ") {
		t.Fatalf("a refused rm changed the container: %q", st)
	}
	pid, _ := strconv.Atoi(inspectField(t, name, "{{.State.Pid}}"))
	if r := burrow(t, "rm", "-f", "-t", "0", id[:12]); r.ExitCode != 0 || strings.TrimSpace(r.Stdout) != id[:12] {
		t.Fatalf("rm -f: %s", describe(r))
	}
	if st := psStatus(t, name); st != "" {
		t.Errorf("after rm -f, ps -a still lists it: %q", st)
	}
	if pidAlive(pid) {
		t.Errorf("after rm -f, the container's process %d still runs", pid)
	}
	if r := burrow(t, "rm", name); r.ExitCode != 1 {
		t.Errorf("rm of an unknown container: want exit 1 as podman, got:\n%s", describe(r))
	}
	if r := burrow(t, "rm", "-f", "-t", "0", name); r.ExitCode != 0 {
		t.Errorf("rm -f of an unknown container: want exit 0 as podman, got:\n%s", describe(r))
	}
}

func TestUnknownContainer(t *testing.T) {
	t.Parallel()
	name := "no-such-container-" + randHex()
	for _, args := range [][]string{
		{"stop", name}, {"kill", name}, {"logs", name}, {"wait", name}, {"start", name},
		{"inspect", name}, {"exec", name, "true"}, {"restart", name}, {"port", name},
		{"top", name}, {"rename", name, name + "-x"}, {"cp", name + ":/etc/hostname", "x"},
	} {
		r := burrow(t, args...)
		requireBurrowError(t, r, true)
		if !strings.Contains(r.Stderr, name) {
			t.Errorf("burrow %s: the error does not name the container:\n%s", args[0], r.Stderr)
		}
	}
}

func TestNameConflict(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	runDetached(t, name, nil, "sleep", "1000")
	r := burrow(t, "run", "-d", "--name", name, busyboxImage(t), "true")
	requireBurrowError(t, r, true)
	out := must(t, "ps", "-a", "--filter", "name="+name, "-q")
	if n := len(nonEmptyLines(out)); n != 1 {
		t.Errorf("after a refused duplicate name, %d containers match the name, want 1", n)
	}
	requireBurrowError(t, burrow(t, "create", "--name", "bad/name", busyboxImage(t)), true)
}

func TestAmbiguousPrefix(t *testing.T) {
	t.Parallel()
	// 17 IDs share a first hex digit with another, by pigeonhole.
	byDigit := map[byte][]string{}
	var clash byte
	found := false
	for i := 0; i < 17 && !found; i++ {
		name := ctrName(t)
		t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
		id := strings.TrimSpace(must(t, "create", "--name", name, busyboxImage(t), "true"))
		byDigit[id[0]] = append(byDigit[id[0]], name)
		if len(byDigit[id[0]]) == 2 {
			clash, found = id[0], true
		}
	}
	if !found {
		t.Fatal("17 containers with distinct first hex digits: impossible")
	}
	// The digit alone may match containers of other tests too: still
	// ambiguous, which is the point.
	r := burrow(t, "inspect", string(clash))
	requireBurrowError(t, r, false)
	if !strings.Contains(r.Stderr, "more than one") {
		t.Errorf("ambiguous prefix: %s", r.Stderr)
	}
}

func TestCreateStart(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	must(t, "create", "--name", name, busyboxImage(t), "sh", "-c", "echo hello from start; exit 5")
	if st := psStatus(t, name); st != "Created" {
		t.Errorf("after create, ps shows %q, want Created", st)
	}
	if out := must(t, "ps", "--filter", "name="+name, "-q"); out != "" {
		t.Errorf("ps without -a lists a created container: %q", out)
	}
	r := burrow(t, "start", "-a", name)
	if r.ExitCode != 5 || r.Stdout != "hello from start\n" {
		t.Errorf("start -a: want exit 5 and the output, got:\n%s", describe(r))
	}
	// Restarting an exited container runs it again; its log grows.
	must(t, "start", name)
	must(t, "wait", name)
	if out := must(t, "logs", name); strings.Count(out, "hello from start") != 2 {
		t.Errorf("log after two runs: %q", out)
	}
}

func TestRestart(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	runDetached(t, name, nil, "sleep", "1000")
	pid1 := inspectField(t, name, "{{.State.Pid}}")
	must(t, "restart", "-t", "0", name)
	pid2 := inspectField(t, name, "{{.State.Pid}}")
	if pid1 == pid2 || pid2 == "0" {
		t.Errorf("restart: pid %s before, %s after", pid1, pid2)
	}
	if st := psStatus(t, name); !strings.HasPrefix(st, "Up ") {
		t.Errorf("after restart: %q", st)
	}
}

func TestRunRmDetached(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	runDetached(t, name, []string{"--rm"}, "sh", "-c", "exit 0")
	deadline := time.Now().Add(30 * time.Second)
	for psStatus(t, name) != "" {
		if time.Now().After(deadline) {
			t.Fatalf("run -d --rm: the container is still listed after it exited: %q", psStatus(t, name))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestRunForegroundIsListed(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	p := startBurrow(t, "run", "--name", name, busyboxImage(t), "sh", "-c", "echo running; sleep 1000")
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	p.waitFor(t, "running", time.Minute)
	if st := psStatus(t, name); !strings.HasPrefix(st, "Up ") {
		t.Errorf("a foreground container is not listed as running: %q", st)
	}
	// kill -9 of the CLI: the container goes on under its monitor.
	p.cmd.Process.Signal(syscall.SIGKILL)
	p.exitCode(t, 10*time.Second)
	time.Sleep(200 * time.Millisecond)
	if st := psStatus(t, name); !strings.HasPrefix(st, "Up ") {
		t.Errorf("after kill -9 of the CLI, ps shows %q, want Up ...", st)
	}
	must(t, "rm", "-f", "-t", "0", name)
	if st := psStatus(t, name); st != "" {
		t.Errorf("rm -f left %q", st)
	}
}

func TestMonitorKilled(t *testing.T) {
	t.Parallel()
	t.Run("container goes on", func(t *testing.T) {
		t.Parallel()
		name := ctrName(t)
		runDetached(t, name, nil, "sleep", "1000")
		mon, _ := strconv.Atoi(inspectField(t, name, "{{.State.ConmonPid}}"))
		pid, _ := strconv.Atoi(inspectField(t, name, "{{.State.Pid}}"))
		if mon <= 0 || pid <= 0 {
			t.Fatalf("inspect shows no monitor (%d) or process (%d)", mon, pid)
		}
		if err := syscall.Kill(mon, syscall.SIGKILL); err != nil {
			t.Fatalf("killing the monitor %d: %v", mon, err)
		}
		time.Sleep(200 * time.Millisecond)
		if st := psStatus(t, name); !strings.HasPrefix(st, "Up ") {
			t.Errorf("the container still runs without its monitor, but ps shows %q", st)
		}
		must(t, "rm", "-f", "-t", "0", name)
		if st := psStatus(t, name); st != "" {
			t.Errorf("rm -f left %q", st)
		}
		time.Sleep(100 * time.Millisecond)
		if pidAlive(pid) {
			t.Errorf("rm -f left the container's process %d running", pid)
		}
	})
	t.Run("ps and inspect say so, stop and rm clean up", func(t *testing.T) {
		t.Parallel()
		name := ctrName(t)
		id := runDetached(t, name, nil, "sleep", "1000")
		mon, _ := strconv.Atoi(inspectField(t, name, "{{.State.ConmonPid}}"))
		pid, _ := strconv.Atoi(inspectField(t, name, "{{.State.Pid}}"))
		// The root's overlay, as the container sees it: its upper
		// directory names the layer's mount in burrow's namespace.
		upper := regexp.MustCompile(`upperdir=([^,]+)/diff`).FindStringSubmatch(must(t, "exec", name, "cat", "/proc/self/mountinfo"))
		if upper == nil {
			t.Fatalf("no overlay root in the container's mountinfo")
		}
		info, _ := burrowInfo(t)
		if !strings.Contains(must(t, "unshare", "cat", "/proc/self/mountinfo"), upper[1]+"/merged") {
			t.Fatalf("the container's root is not at %s/merged in burrow's namespace", upper[1])
		}
		netns := filepath.Join(info.Store.RunRoot, "burrow", "netns", id)
		if _, err := os.Stat(netns); err != nil {
			t.Fatalf("the container's network namespace file: %v", err)
		}
		syscall.Kill(mon, syscall.SIGKILL)
		time.Sleep(200 * time.Millisecond)
		if st := psStatus(t, name); !strings.HasPrefix(st, "Up ") || !strings.Contains(st, "monitor gone") {
			t.Errorf("ps of a container whose monitor was killed: %q, want Up ... (monitor gone)", st)
		}
		got := inspectField(t, name, "{{.State.Status}}|{{.State.Pid}}|{{.State.ConmonPid}}|{{.State.Error}}")
		if f := strings.Split(got, "|"); f[0] != "running" || f[1] != strconv.Itoa(pid) || f[2] != "0" || !strings.Contains(f[3], "monitor is gone") {
			t.Errorf("inspect of a container whose monitor was killed: %q, want running, its PID, no monitor and why", got)
		}
		must(t, "stop", "-t", "1", name)
		// No monitor saw the exit: its code is unknown, -1.
		if st := psStatus(t, name); !strings.HasPrefix(st, "Exited (-1)") {
			t.Errorf("ps after stop: %q", st)
		}
		time.Sleep(100 * time.Millisecond)
		if pidAlive(pid) {
			t.Errorf("stop left the container's process %d running", pid)
		}
		mounts := must(t, "unshare", "cat", "/proc/self/mountinfo")
		if strings.Contains(mounts, upper[1]+"/merged") {
			t.Errorf("stop left the container's root mounted (%s/merged)", upper[1])
		}
		if _, err := os.Stat(netns); !os.IsNotExist(err) {
			t.Errorf("stop left the network namespace %s: %v", netns, err)
		}
		must(t, "rm", name)
		if st := psStatus(t, name); st != "" {
			t.Errorf("rm left %q", st)
		}
	})
	t.Run("container ends unobserved", func(t *testing.T) {
		t.Parallel()
		name := ctrName(t)
		runDetached(t, name, nil, "sleep", "1000")
		mon, _ := strconv.Atoi(inspectField(t, name, "{{.State.ConmonPid}}"))
		pid, _ := strconv.Atoi(inspectField(t, name, "{{.State.Pid}}"))
		syscall.Kill(mon, syscall.SIGKILL)
		time.Sleep(100 * time.Millisecond)
		syscall.Kill(pid, syscall.SIGKILL)
		waitPs(t, name, "Exited", 10*time.Second)
		must(t, "rm", name)
	})
}

func TestConcurrentDetachedRuns(t *testing.T) {
	t.Parallel()
	prefix := ctrName(t)
	const n = 30
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("%s-%02d", prefix, i)
		t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := burrow(t, "run", "-d", "--name", name, busyboxImage(t), "sleep", "1000"); r.ExitCode != 0 {
				errs <- describe(r)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("a concurrent run -d failed:\n%s", e)
	}
	ids := nonEmptyLines(must(t, "ps", "-a", "-q", "--filter", "name=^"+prefix+"-"))
	if len(ids) != n {
		t.Fatalf("ps -a lists %d of the %d containers", len(ids), n)
	}
	running := nonEmptyLines(must(t, "ps", "-q", "--filter", "name=^"+prefix+"-", "--filter", "status=running"))
	if len(running) != n {
		t.Errorf("%d of %d containers run", len(running), n)
	}
	must(t, append([]string{"rm", "-f", "-t", "0"}, ids...)...)
	if left := must(t, "ps", "-a", "-q", "--filter", "name=^"+prefix+"-"); left != "" {
		t.Errorf("rm -f left: %q", left)
	}
}

func TestPsFormats(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	id := runDetached(t, name, nil, "sh", "-c", "exit 3")
	must(t, "wait", name)
	out := must(t, "ps", "-a", "--filter", "name="+name)
	lines := nonEmptyLines(out)
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "CONTAINER ID") || !strings.Contains(lines[0], "NAMES") {
		t.Fatalf("ps -a: want a header and one row, got:\n%s", out)
	}
	for _, want := range []string{id[:12], "sh -c exit 3", "Exited (3)", name, busyboxImage(t)} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("ps row %q lacks %q", lines[1], want)
		}
	}
	var rows []struct {
		ID       string   `json:"Id"`
		Names    []string `json:"Names"`
		State    string   `json:"State"`
		ExitCode int      `json:"ExitCode"`
		Command  []string `json:"Command"`
	}
	if err := json.Unmarshal([]byte(must(t, "ps", "-a", "--format", "json", "--filter", "name="+name)), &rows); err != nil {
		t.Fatalf("ps --format json: %v", err)
	}
	if len(rows) != 1 || rows[0].ID != id || rows[0].State != "exited" || rows[0].ExitCode != 3 || rows[0].Names[0] != name {
		t.Errorf("ps --format json: %+v", rows)
	}
	if got := must(t, "ps", "-a", "--filter", "name="+name, "--filter", "status=running", "-q"); got != "" {
		t.Errorf("status=running matched an exited container: %q", got)
	}
	if got := strings.TrimSpace(must(t, "ps", "-a", "--filter", "name="+name, "--format", "{{.Names}}:{{.State}}")); got != name+":exited" {
		t.Errorf("ps --format template: %q", got)
	}
	if got := nonEmptyLines(must(t, "ps", "-a", "--filter", "ancestor="+busyboxImage(t), "-q", "--no-trunc")); !contains(got, id) {
		t.Errorf("ancestor filter did not match")
	}
	requireBurrowError(t, burrow(t, "ps", "--filter", "bogus=1"), true)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestInspect(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	id := runDetached(t, name, []string{"-e", "K=v"}, "sleep", "1000")
	var data []struct {
		ID    string `json:"Id"`
		Name  string `json:"Name"`
		Path  string `json:"Path"`
		Args  []string
		State struct {
			Status  string
			Running bool
			Pid     int
		}
		Config struct {
			Env []string
		}
	}
	if err := json.Unmarshal([]byte(must(t, "inspect", name)), &data); err != nil {
		t.Fatalf("inspect is not JSON: %v", err)
	}
	if len(data) != 1 {
		t.Fatalf("inspect: %d entries", len(data))
	}
	d := data[0]
	if d.ID != id || d.Name != name || d.Path != "sleep" || len(d.Args) != 1 || !d.State.Running || d.State.Status != "running" || !pidAlive(d.State.Pid) {
		t.Errorf("inspect: %+v", d)
	}
	if !contains(d.Config.Env, "K=v") {
		t.Errorf("inspect Config.Env lacks K=v: %v", d.Config.Env)
	}
	// No port is published without networking: port lists none.
	if r := burrow(t, "port", name); r.ExitCode != 0 || r.Stdout != "" {
		t.Errorf("port of a container without published ports: %s", describe(r))
	}
}

func TestExec(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	runDetached(t, name, []string{"-e", "FROMRUN=yes", "--hostname", "exechost"}, "sh", "-c", "echo $$ > /tmp/pid1; sleep 1000")
	waitFile := func() {
		for i := 0; i < 200; i++ {
			if r := burrow(t, "exec", name, "test", "-s", "/tmp/pid1"); r.ExitCode == 0 {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatal("the container never wrote /tmp/pid1")
	}
	waitFile()
	out := must(t, "exec", name, "sh", "-c", "cat /tmp/pid1; hostname; echo $FROMRUN; id -u; cat /proc/1/cmdline | tr '\\0' ' '")
	lines := nonEmptyLines(out)
	if len(lines) != 5 || lines[0] != "1" || lines[1] != "exechost" || lines[2] != "yes" || lines[3] != "0" || !strings.Contains(lines[4], "sleep 1000") {
		t.Errorf("exec sees (pid 1 of the container, hostname, env, uid, init cmdline): %q", lines)
	}
	if r := burrow(t, "exec", name, "sh", "-c", "exit 7"); r.ExitCode != 7 {
		t.Errorf("exec exit code: %s", describe(r))
	}
	if r := burrow(t, "exec", name, "no-such-command"); r.ExitCode != 127 {
		t.Errorf("exec of a missing command: want 127, got:\n%s", describe(r))
	}
	if r := burrow(t, "exec", name, "/etc/passwd"); r.ExitCode != 126 {
		t.Errorf("exec of a non-executable: want 126, got:\n%s", describe(r))
	}
	if r := burrowStdin(t, "piped\n", "exec", "-i", name, "cat"); r.ExitCode != 0 || r.Stdout != "piped\n" {
		t.Errorf("exec -i: %s", describe(r))
	}
	if got := nonEmptyLines(must(t, "exec", "-u", "1000", "-w", "/tmp", "-e", "X=1", name, "sh", "-c", "id -u; pwd; echo $X")); strings.Join(got, ",") != "1000,/tmp,1" {
		t.Errorf("exec -u -w -e: %q", got)
	}
	must(t, "exec", "-d", name, "sh", "-c", "sleep 0.2; echo later > /tmp/detached")
	deadline := time.Now().Add(10 * time.Second)
	for burrow(t, "exec", name, "cat", "/tmp/detached").Stdout != "later\n" {
		if time.Now().After(deadline) {
			t.Fatal("exec -d never ran its command")
		}
		time.Sleep(100 * time.Millisecond)
	}
	// The exec'd process has the container's capability set, not more.
	capRun := hexField(t, statusFields(shOut(t, "cat /proc/self/status")), "CapEff")
	capExec := hexField(t, statusFields(must(t, "exec", name, "cat", "/proc/self/status")), "CapEff")
	if capRun != capExec {
		t.Errorf("exec CapEff %x differs from run's %x", capExec, capRun)
	}
	must(t, "stop", "-t", "0", name)
	requireBurrowError(t, burrow(t, "exec", name, "true"), true)
}

func TestExecTTY(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	runDetached(t, name, nil, "sleep", "1000")
	p, m := startOnPty(t, 30, 100, "exec", "-it", name, "sh")
	waitForPrompt(t, p)
	m.send("stty size; echo $((6*7))\r")
	p.waitFor(t, "30 100", 20*time.Second)
	p.waitFor(t, "42", 20*time.Second)
	m.send("exit 3\r")
	if code := p.exitCode(t, 20*time.Second); code != 3 {
		t.Errorf("exec -it: exit %d, want 3; output:\n%s", code, p.out.String())
	}
}

func TestCp(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	runDetached(t, name, nil, "sh", "-c", "mkdir -p /data/sub; echo hi > /data/a.txt; echo deep > /data/sub/b.txt; ln -s /etc /data/etclink; touch /ready; sleep 1000")
	for i := 0; burrow(t, "exec", name, "test", "-e", "/ready").ExitCode != 0; i++ {
		if i > 200 {
			t.Fatal("the container never got ready")
		}
		time.Sleep(50 * time.Millisecond)
	}
	dir := t.TempDir()
	// Relative host paths are relative to where burrow runs.
	cmd := func(args ...string) result {
		t.Helper()
		return burrowIn(t, dir, args...)
	}
	if r := cmd("cp", name+":/data/a.txt", "a.txt"); r.ExitCode != 0 {
		t.Fatalf("cp out of a file: %s", describe(r))
	}
	b, err := os.ReadFile(dir + "/a.txt")
	if err != nil || string(b) != "hi\n" {
		t.Fatalf("copied file: %q, %v", b, err)
	}
	var st syscall.Stat_t
	syscall.Stat(dir+"/a.txt", &st)
	if int(st.Uid) != os.Getuid() {
		t.Errorf("a file copied out belongs to uid %d, want the user's %d", st.Uid, os.Getuid())
	}
	if r := cmd("cp", name+":/data", "."); r.ExitCode != 0 {
		t.Fatalf("cp out of a directory: %s", describe(r))
	}
	if b, _ := os.ReadFile(dir + "/data/sub/b.txt"); string(b) != "deep\n" {
		t.Errorf("directory copy: data/sub/b.txt = %q", b)
	}
	if l, err := os.Readlink(dir + "/data/etclink"); err != nil || l != "/etc" {
		t.Errorf("a link in the container is copied as a link: %q, %v", l, err)
	}
	os.WriteFile(dir+"/host.txt", []byte("from host\n"), 0o644)
	if r := cmd("cp", "host.txt", name+":/tmp/"); r.ExitCode != 0 {
		t.Fatalf("cp into a directory: %s", describe(r))
	}
	if got := must(t, "exec", name, "sh", "-c", "cat /tmp/host.txt; stat -c %u /tmp/host.txt"); got != "from host\n0\n" {
		t.Errorf("copied in: %q, want the content owned by root", got)
	}
	// A link in the container pointing at a host path must not lead the
	// copy out: /data/etclink is /etc inside the container.
	if r := cmd("cp", "host.txt", name+":/data/etclink/burrow-cp-test"); r.ExitCode != 0 {
		t.Fatalf("cp through a link: %s", describe(r))
	}
	if _, err := os.Stat("/etc/burrow-cp-test"); err == nil {
		t.Fatal("cp through a link in the container wrote on the host's /etc")
	}
	if got := must(t, "exec", name, "cat", "/etc/burrow-cp-test"); got != "from host\n" {
		t.Errorf("cp through a link: %q in the container's /etc", got)
	}
	requireBurrowError(t, cmd("cp", name+":/no/such/file", "x"), true)
	requireBurrowError(t, cmd("cp", "a.txt", "b.txt"), true)
}

// burrowIn runs burrow in directory dir.
func burrowIn(t testing.TB, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(burrowBin(t), args...)
	cmd.Dir = dir
	return runCommand(t, cmd)
}

func TestRenameTopPrune(t *testing.T) {
	t.Parallel()
	name, other := ctrName(t), ctrName(t)
	runDetached(t, name, nil, "sh", "-c", "sleep 1000 & wait")
	runDetached(t, other, nil, "true")
	requireBurrowError(t, burrow(t, "rename", name, other), true)
	renamed := name + "-new"
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", renamed) })
	must(t, "rename", name, renamed)
	if psStatus(t, renamed) == "" || psStatus(t, name) != "" {
		t.Fatalf("after rename, ps shows old %q, new %q", psStatus(t, name), psStatus(t, renamed))
	}
	lines := nonEmptyLines(must(t, "top", renamed))
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "USER") {
		t.Fatalf("top: want a header and two processes, got:\n%s", strings.Join(lines, "\n"))
	}
	if f := strings.Fields(lines[1]); f[1] != "1" || !strings.Contains(lines[1], "sh -c") {
		t.Errorf("top: the first process is not the container's PID 1: %q", lines[1])
	}
	if f := strings.Fields(lines[2]); f[2] != "1" || !strings.Contains(lines[2], "sleep 1000") {
		t.Errorf("top: the second process is not a child of PID 1: %q", lines[2])
	}
}

// TestContainerPrune is not parallel: prune removes every exited
// container of the user, other tests' too.
func TestContainerPrune(t *testing.T) {
	running, exited := ctrName(t), ctrName(t)
	runningID := runDetached(t, running, nil, "sleep", "1000")
	exitedID := runDetached(t, exited, nil, "true")
	must(t, "wait", exited)
	out := must(t, "container", "prune", "-f")
	if psStatus(t, exited) != "" || !strings.Contains(out, exitedID) {
		t.Errorf("container prune did not remove the exited %s (output %q)", exited, out)
	}
	if !strings.HasPrefix(psStatus(t, running), "Up ") || strings.Contains(out, runningID) {
		t.Errorf("container prune touched the running %s (output %q)", running, out)
	}
}

func TestPauseSaysWhy(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	runDetached(t, name, nil, "sleep", "1000")
	r := burrow(t, "pause", name)
	// Here (no cgroup of the container's own) pausing cannot work: it
	// must say so, and leave the container running.
	requireBurrowError(t, r, true)
	if !strings.Contains(r.Stderr, "cgroup") {
		t.Errorf("pause error does not say why: %s", r.Stderr)
	}
	if !strings.HasPrefix(psStatus(t, name), "Up ") {
		t.Errorf("a refused pause changed the container: %q", psStatus(t, name))
	}
}

func TestRestartPolicy(t *testing.T) {
	t.Parallel()
	t.Run("on-failure with a bound", func(t *testing.T) {
		t.Parallel()
		name := ctrName(t)
		runDetached(t, name, []string{"--restart", "on-failure:2"}, "sh", "-c", "echo run; exit 3")
		deadline := time.Now().Add(30 * time.Second)
		for inspectField(t, name, "{{.RestartCount}}") != "2" || psStatus(t, name) == "" || !strings.HasPrefix(psStatus(t, name), "Exited (3)") {
			if time.Now().After(deadline) {
				t.Fatalf("after 30 s: restarts %s, status %q", inspectField(t, name, "{{.RestartCount}}"), psStatus(t, name))
			}
			time.Sleep(100 * time.Millisecond)
		}
		time.Sleep(time.Second)
		if n := strings.Count(must(t, "logs", name), "run"); n != 3 {
			t.Errorf("on-failure:2 ran the container %d times, want 3", n)
		}
	})
	t.Run("always, until stopped", func(t *testing.T) {
		t.Parallel()
		name := ctrName(t)
		runDetached(t, name, []string{"--restart", "always"}, "sh", "-c", "sleep 0.2")
		deadline := time.Now().Add(30 * time.Second)
		for n, _ := strconv.Atoi(inspectField(t, name, "{{.RestartCount}}")); n < 2; n, _ = strconv.Atoi(inspectField(t, name, "{{.RestartCount}}")) {
			if time.Now().After(deadline) {
				t.Fatal("--restart always did not restart the container twice in 30 s")
			}
			time.Sleep(100 * time.Millisecond)
		}
		must(t, "stop", "-t", "0", name)
		time.Sleep(1500 * time.Millisecond)
		if st := psStatus(t, name); !strings.HasPrefix(st, "Exited") {
			t.Errorf("a stopped --restart always container came back: %q", st)
		}
	})
	requireBurrowError(t, burrow(t, "run", "--rm", "--restart", "always", busyboxImage(t), "true"), true)
	requireBurrowError(t, burrow(t, "run", "--restart", "sometimes", busyboxImage(t), "true"), true)
}

func TestPsLatest(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	runDetached(t, name, nil, "sleep", "1000")
	// Other tests create containers concurrently: the latest is ours or
	// newer, never older.
	got := strings.TrimSpace(must(t, "ps", "-l", "--format", "{{.Names}} {{.CreatedAt}}"))
	if n := len(nonEmptyLines(got)); n != 1 {
		t.Fatalf("ps -l printed %d lines: %q", n, got)
	}
}

func TestAfterRebootNoGhosts(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	id := runDetached(t, name, nil, "sleep", "1000")
	mon, _ := strconv.Atoi(inspectField(t, name, "{{.State.ConmonPid}}"))
	pid, _ := strconv.Atoi(inspectField(t, name, "{{.State.Pid}}"))
	t.Cleanup(func() {
		syscall.Kill(mon, syscall.SIGKILL)
		syscall.Kill(pid, syscall.SIGKILL)
	})
	// What a reboot leaves: the record says running, from another boot,
	// and the run directory is gone. The processes here are still alive,
	// which a reboot would not leave: burrow must trust the boot ID over
	// a PID that may have been reused.
	var info struct {
		Store struct {
			GraphRoot string `json:"graphRoot"`
			RunRoot   string `json:"runRoot"`
		} `json:"store"`
	}
	if err := json.Unmarshal([]byte(must(t, "info", "--format", "json")), &info); err != nil {
		t.Fatal(err)
	}
	recPath := info.Store.GraphRoot + "/burrow/containers/" + id + "/container.json"
	b, err := os.ReadFile(recPath)
	if err != nil {
		t.Fatalf("reading the record: %v", err)
	}
	var rec map[string]any
	json.Unmarshal(b, &rec)
	rec["state"].(map[string]any)["bootId"] = "00000000-0000-0000-0000-000000000000"
	b, _ = json.Marshal(rec)
	if err := os.WriteFile(recPath, b, 0o600); err != nil {
		t.Fatalf("writing the record: %v", err)
	}
	os.RemoveAll(info.Store.RunRoot + "/burrow/" + id)
	if st := psStatus(t, name); !strings.HasPrefix(st, "Exited") {
		t.Errorf("a container of an earlier boot shows as %q, want Exited", st)
	}
	if out := must(t, "ps", "-q", "--filter", "name="+name); out != "" {
		t.Errorf("ps (running only) lists a container of an earlier boot: %q", out)
	}
	must(t, "rm", name)
}
