package tests

import (
	"archive/tar"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Tests of podman's flags and messages on the container commands, as
// podman's own system tests and the scripts written for podman use them.
// Every --all is narrowed by a name filter: tests share one store.

// wantFail runs burrow, requiring the exit code and stderr's last line.
func wantFail(t testing.TB, code int, msg string, args ...string) {
	t.Helper()
	r := burrow(t, args...)
	lines := nonEmptyLines(r.Stderr)
	if r.ExitCode != code || len(lines) == 0 || lines[len(lines)-1] != msg {
		t.Fatalf("burrow %s: want exit %d and %q, got:\n%s", strings.Join(args, " "), code, msg, describe(r))
	}
}

// createCtr runs `burrow create --name NAME OPTS... IMAGE CMD...` and
// removes the container when the test ends.
func createCtr(t testing.TB, name string, opts []string, cmd ...string) string {
	t.Helper()
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	args := append(append([]string{"create", "--name", name}, opts...), busyboxImage(t))
	return strings.TrimSpace(must(t, append(args, cmd...)...))
}

func TestPsSortFiltersAndNoheading(t *testing.T) {
	t.Parallel()
	base := ctrName(t)
	a, b, c := base+"-a", base+"-b", base+"-c"
	createCtr(t, c, nil, "true")
	createCtr(t, a, []string{"--restart", "always"}, "true")
	runDetached(t, b, nil, "sleep", "100")
	only := "name=^" + base
	if got := must(t, "ps", "-a", "--filter", only, "--sort", "names", "--format", "{{.Names}}"); got != a+"\n"+b+"\n"+c+"\n" {
		t.Errorf("ps --sort names:\n%s", got)
	}
	if got := must(t, "ps", "-a", "--filter", only, "--sort", "created", "--format", "{{.Names}}"); got != c+"\n"+a+"\n"+b+"\n" {
		t.Errorf("ps --sort created:\n%s", got)
	}
	if got := must(t, "ps", "-a", "--filter", only, "--filter", "restart-policy=always", "--format", "{{.Names}}"); got != a+"\n" {
		t.Errorf("ps --filter restart-policy=always:\n%s", got)
	}
	if got := must(t, "ps", "-a", "--filter", only, "--filter", "since="+a, "--format", "{{.Names}}"); got != b+"\n" {
		t.Errorf("ps --filter since=%s:\n%s", a, got)
	}
	// status=stopped is podman's other name of exited; created ones are not.
	must(t, "start", c)
	must(t, "wait", c)
	if got := must(t, "ps", "--filter", only, "--filter", "status=stopped", "--format", "{{.Names}}"); got != c+"\n" {
		t.Errorf("ps --filter status=stopped:\n%s", got)
	}
	out := must(t, "ps", "--noheading", "--filter", only)
	if lines := nonEmptyLines(out); len(lines) != 1 || !strings.HasPrefix(lines[0], "") || !strings.Contains(lines[0], b) {
		t.Errorf("ps --noheading: want one line, for %s:\n%s", b, out)
	}
	out = must(t, "ps", "--size", "--filter", only)
	if lines := nonEmptyLines(out); len(lines) != 2 || !strings.HasSuffix(lines[0], "SIZE") || !strings.Contains(lines[1], "(virtual ") {
		t.Errorf("ps --size: want a SIZE column with the virtual size:\n%s", out)
	}
	wantFail(t, 125, "Error: fakepolicy invalid restart policy", "ps", "--filter", "restart-policy=fakepolicy")
}

func TestStartAllAndFilter(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	id := createCtr(t, name, nil, "true")
	if got := must(t, "start", "--filter", "restart-policy=always", name); got != "" {
		t.Errorf("start of a container the filter leaves out printed %q", got)
	}
	if got := must(t, "start", "--filter", "restart-policy=none", name); got != name+"\n" {
		t.Errorf("start --filter restart-policy=none printed %q, want the name given", got)
	}
	must(t, "wait", name)
	// --all prints IDs, and leaves running containers alone.
	if got := must(t, "start", "--all", "--filter", "name=^"+name+"$"); got != id+"\n" {
		t.Errorf("start --all printed %q, want the ID", got)
	}
	wantFail(t, 125, "Error: either start all containers or the container(s) provided in the arguments", "start", "--all", name)
	wantFail(t, 125, "Error: fakepolicy invalid restart policy", "start", "--filter", "restart-policy=fakepolicy", name)
}

func TestStartFailureExits125(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	createCtr(t, name, nil, "/no/such/command")
	// A created container was never stopped: wait returns at once.
	if got := strings.TrimSpace(must(t, "wait", name)); got != "0" {
		t.Errorf("wait on a created container printed %q, want 0", got)
	}
	if r := burrow(t, "start", name); r.ExitCode != 125 {
		t.Errorf("start of a container whose command does not exist: want exit 125, got:\n%s", describe(r))
	}
}

func TestStopIgnoreTimeoutAndStopping(t *testing.T) {
	t.Parallel()
	missing := ctrName(t)
	wantFail(t, 125, `Error: no container with name or ID "`+missing+`" found: no such container`, "stop", missing)
	if r := burrow(t, "stop", "--ignore", missing); r.ExitCode != 0 || r.Stdout != "" {
		t.Errorf("stop --ignore of a missing container:\n%s", describe(r))
	}
	name := ctrName(t)
	runDetached(t, name, nil, "sh", "-c", "trap 'echo got TERM' TERM; echo READY; while :; do sleep 0.2; done")
	waitLog(t, name, "READY")
	// The stop waits (up to 20 s) for a process that ignores SIGTERM: the
	// container is stopping meanwhile.
	stop := exec.Command(burrowBin(t), "stop", "--timeout", "20", name)
	if err := stop.Start(); err != nil {
		t.Fatal(err)
	}
	defer stop.Wait()
	waitLog(t, name, "got TERM")
	if st := inspectField(t, name, "{{.State.Status}}"); st != "stopping" {
		t.Errorf("status while a stop waits: %q, want stopping", st)
	}
	must(t, "kill", name)
	if got := strings.TrimSpace(must(t, "wait", name)); got != "137" {
		t.Errorf("exit code after kill: %s, want 137", got)
	}
	if st := inspectField(t, name, "{{.State.Status}}"); st != "exited" {
		t.Errorf("status after the kill: %q, want exited", st)
	}
}

func TestKillRejectsBadSignals(t *testing.T) {
	t.Parallel()
	for s, msg := range map[string]string{
		"0": "invalid signal: 0", "-0": "invalid signal: 0", "SIGBADSIG": "invalid signal: SIGBADSIG",
		"65": "valid signals are 1 through 64", "-65": "valid signals are 1 through 64",
	} {
		wantFail(t, 125, "Error: "+msg, "kill", "-s", s, "nosuchcontainer")
	}
	wantFail(t, 125, "Error: valid signals are 1 through 64", "create", "--stop-signal", "99", busyboxImage(t))
}

// TestLatestWithNamesRefused: --latest beside names, or beside --all, is
// refused before anything is touched, with podman's messages.
func TestLatestWithNamesRefused(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"start", "-l", "nosuchcontainer"}, {"container", "inspect", "-l", "nosuchcontainer"}, {"inspect", "-l", "x"}} {
		wantFail(t, 125, "Error: --latest and containers cannot be used together", args...)
	}
	wantFail(t, 125, "Error: --all and --latest cannot be used together", "start", "--all", "--latest")
	for _, cmd := range []string{"stop", "rm", "kill", "inspect", "logs"} {
		wantFail(t, 125, "Error: --latest and pods cannot be used together", "pod", cmd, "-l", "nosuchpod")
	}
	wantFail(t, 125, "Error: --all and --latest cannot be used together", "pod", "stop", "--all", "--latest")
	wantFail(t, 125, "Error: --all and pods cannot be used together", "pod", "stop", "--all", "nosuchpod")
}

func TestRmDependAndExists(t *testing.T) {
	t.Parallel()
	name, dep := ctrName(t), ctrName(t)
	id := createCtr(t, name, nil, "true")
	depID := createCtr(t, dep, []string{"--network", "container:" + name}, "true")
	r := burrow(t, "rm", name)
	if r.ExitCode != 125 || !strings.Contains(r.Stderr, "container "+id+" has dependent containers which must be removed before it: "+depID) {
		t.Fatalf("rm of a container another depends on:\n%s", describe(r))
	}
	must(t, "container", "exists", name)
	out := must(t, "rm", "--depend", name)
	if out != depID+"\n"+name+"\n" {
		t.Errorf("rm --depend printed %q, want the dependent's ID then the name", out)
	}
	for _, n := range []string{name, dep} {
		if r := burrow(t, "container", "exists", n); r.ExitCode != 1 || r.Stdout != "" || r.Stderr != "" {
			t.Errorf("container exists %s after rm: want a silent exit 1, got:\n%s", n, describe(r))
		}
	}
	wantFail(t, 1, `Error: no container with name or ID "`+name+`" found: no such container`, "container", "rm", name)
	if r := burrow(t, "rm", "--force", name); r.ExitCode != 0 || r.Stdout != "" {
		t.Errorf("rm --force of a missing container:\n%s", describe(r))
	}
}

func TestWaitCondition(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	runDetached(t, name, nil, "sleep", "100")
	done := make(chan result, 1)
	go func() { done <- burrow(t, "container", "wait", "--condition", "stopped", "--interval", "50ms", name) }()
	if got := strings.TrimSpace(must(t, "wait", "--condition", "running", name)); got == "" {
		t.Errorf("wait --condition running printed nothing")
	}
	select {
	case r := <-done:
		t.Fatalf("wait --condition stopped returned while the container runs:\n%s", describe(r))
	case <-time.After(500 * time.Millisecond):
	}
	must(t, "kill", name)
	if r := <-done; r.ExitCode != 0 || strings.TrimSpace(r.Stdout) != "137" {
		t.Errorf("wait --condition stopped after kill:\n%s", describe(r))
	}
	if got := must(t, "wait", "--ignore", ctrName(t)); got != "-1\n" {
		t.Errorf("wait --ignore of a missing container printed %q, want -1", got)
	}
	wantFail(t, 125, "Error: bogus: invalid condition: use configured, created, exited, initialized, paused, removing, running, stopped, stopping", "wait", "--condition", "bogus", name)
}

func TestRunPodmanEnvironment(t *testing.T) {
	t.Parallel()
	env := nonEmptyLines(shOut(t, "env"))
	for _, want := range []string{"TERM=xterm", "container=podman"} {
		if !slices.Contains(env, want) {
			t.Errorf("the environment lacks %s:\n%s", want, strings.Join(env, "\n"))
		}
	}
	if env := shOut(t, "env", "--unsetenv", "TERM"); strings.Contains(env, "TERM=") {
		t.Errorf("--unsetenv TERM left it:\n%s", env)
	}
	env = nonEmptyLines(mustRun(t, busyboxImage(t), []string{"--unsetenv-all", "-e", "ONLY=1"}, "/usr/bin/env"))
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k != "ONLY" && k != "HOSTNAME" && k != "HOME" {
			t.Errorf("--unsetenv-all left %s", kv)
		}
	}
	// /run/.containerenv: empty, but for a privileged container.
	if got := shOut(t, "stat -c %s /run/.containerenv"); got != "0\n" {
		t.Errorf("/run/.containerenv of a container: size %q, want 0", got)
	}
	name := ctrName(t)
	got := shOut(t, ". /run/.containerenv; echo $name; echo $rootless", "--privileged", "--name", name)
	if got != name+"\n1\n" {
		t.Errorf("/run/.containerenv of a privileged container: %q", got)
	}
}

func TestRunTimezone(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/usr/share/zoneinfo/Etc/GMT+5"); err != nil {
		t.Skip("the host has no time zone files (tzdata)")
	}
	if got := shOut(t, "date +%z", "--tz", "UTC", "--tz", "Etc/GMT+5"); got != "-0500\n" {
		t.Errorf("--tz Etc/GMT+5 (the last one given): date says %q", got)
	}
	r := runRm(t, busyboxImage(t), []string{"--tz", "Mars/Olympus"}, "true")
	requireBurrowError(t, r, true)
}

func TestRunTimeoutKills(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	start := time.Now()
	r := burrow(t, "run", "--name", name, "--timeout", "2", busyboxImage(t), "sleep", "60")
	if d := time.Since(start); r.ExitCode != 255 || d > 20*time.Second {
		t.Fatalf("run --timeout 2 sleep 60: want exit 255 after about 2 s, got %v:\n%s", d, describe(r))
	}
	if got := inspectField(t, name, "{{.State.Status}} {{.State.ExitCode}}"); got != "exited -1" {
		t.Errorf("inspect after the timeout: %q, want exited -1", got)
	}
}

func TestRunCIDFileReplaceAndPull(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	cid := t.TempDir() + "/cid"
	id := runDetached(t, name, []string{"--cidfile", cid}, "sleep", "100")
	if b, _ := os.ReadFile(cid); string(b) != id {
		t.Errorf("--cidfile holds %q, want the ID %s", b, id)
	}
	r := burrow(t, "run", "--rm", "--cidfile", cid, busyboxImage(t), "true")
	if r.ExitCode != 125 || !strings.Contains(r.Stderr, "container id file exists. Ensure another container is not using it or delete "+cid) {
		t.Errorf("run with an existing --cidfile:\n%s", describe(r))
	}
	other := runDetached(t, name, []string{"--replace"}, "sleep", "100")
	if other == id || burrow(t, "container", "exists", id).ExitCode != 1 {
		t.Errorf("--replace did not remove the container of the same name")
	}
	missing := testRegistry(t) + "/no-such-image-" + randHex()[:8]
	wantFail(t, 125, "Error: "+missing+": image not known", "run", "--rm", "--pull", "never", missing, "true")
	if got := mustRun(t, busyboxImage(t), []string{"--pull", "never"}, "echo", "local"); got != "local\n" {
		t.Errorf("--pull never of a local image: %q", got)
	}
}

func TestRunAttachStreams(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	out := must(t, "run", "--name", name, "--attach", "stdin", busyboxImage(t), "echo", "hidden")
	if id := inspectField(t, name, "{{.Id}}"); out != id+"\n" {
		t.Errorf("run --attach stdin printed %q, want the container's ID", out)
	}
	r := burrow(t, "run", "--rm", "-a", "stderr", busyboxImage(t), "sh", "-c", "echo out; echo err >&2")
	if r.ExitCode != 0 || r.Stdout != "" || r.Stderr != "err\n" {
		t.Errorf("run -a stderr:\n%s", describe(r))
	}
}

func TestRunHostUserAndPorts(t *testing.T) {
	t.Parallel()
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	if got := shOut(t, "grep -c '^"+u.Username+":' /etc/passwd", "--hostuser", u.Username); got != "1\n" {
		t.Errorf("--hostuser %s: /etc/passwd has %q entries", u.Username, got)
	}
	if r := runRm(t, busyboxImage(t), []string{"--hostuser", "no-such-user-" + randHex()[:6]}, "true"); r.ExitCode != 126 {
		t.Errorf("--hostuser of a missing user: want exit 126 as podman, got:\n%s", describe(r))
	}
	// Ports are dropped with podman's warning where the network has none.
	r := runRm(t, busyboxImage(t), []string{"--network", "host", "-p", "8080"}, "echo", "ran")
	if r.ExitCode != 0 || r.Stdout != "ran\n" || r.Stderr != "Port mappings have been discarded as one of the Host, Container, Pod, and None network modes are in use\n" {
		t.Errorf("-p with --network host:\n%s", describe(r))
	}
}

func TestRunPortInUseLeavesContainer(t *testing.T) {
	t.Parallel()
	port := fmt.Sprint(freePort(t, "tcp"))
	ok, kept, gone := ctrName(t), ctrName(t), ctrName(t)
	runDetached(t, ok, []string{"-p", "127.0.0.1:" + port + ":80"}, "sleep", "100")
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", kept) })
	for _, n := range []string{kept, gone} {
		args := []string{"run", "-d", "--name", n, "-p", "127.0.0.1:" + port + ":80"}
		if n == gone {
			args = append(args, "--rm")
		}
		if r := burrow(t, append(args, busyboxImage(t), "sleep", "100")...); r.ExitCode != 126 {
			t.Errorf("run -d of a second container on port %s: want exit 126 as podman, got:\n%s", port, describe(r))
		}
	}
	if st := psStatus(t, kept); st != "Created" {
		t.Errorf("the container whose start failed: %q, want Created", st)
	}
	if st := psStatus(t, gone); st != "" {
		t.Errorf("the --rm container whose start failed is still listed: %q", st)
	}
}

func TestLogsSeveralContainers(t *testing.T) {
	t.Parallel()
	a, b := ctrName(t), ctrName(t)
	ida := runDetached(t, a, nil, "sh", "-c", "echo a1; sleep 2; echo a2")
	idb := runDetached(t, b, nil, "sh", "-c", "sleep 1; echo b1")
	out := must(t, "logs", "-f", a, b)
	want := ida[:12] + " a1\n" + idb[:12] + " b1\n" + ida[:12] + " a2\n"
	if out != want {
		t.Errorf("logs -f of two containers:\n%s\nwant:\n%s", out, want)
	}
	if out := must(t, "logs", "--names", a, b); !strings.Contains(out, a+" a1\n") || !strings.Contains(out, b+" b1\n") {
		t.Errorf("logs --names:\n%s", out)
	}
	if out := must(t, "logs", "--names", "--color", a, b); !strings.Contains(out, a+" \033[0m") || !strings.Contains(out, "a1\n") || strings.Count(out, "\033[0;") != 3 {
		t.Errorf("logs --names --color: %q, want each prefix colored", out)
	}
	// One container: no prefix; podman's forms of --since.
	for _, since := range []string{"1000", "2000-01-02", "2000-01-02T03:04:05Z", "10m"} {
		if out := must(t, "logs", "--since", since, a); out != "a1\na2\n" {
			t.Errorf("logs --since %s: %q", since, out)
		}
	}
	if out := must(t, "logs", "--until", "1000", a); out != "" {
		t.Errorf("logs --until 1000: %q", out)
	}
}

func TestVolumeCLI(t *testing.T) {
	t.Parallel()
	base := "vcli-" + randHex()[:8]
	a, b, tm := base+"-a", base+"-b", base+"-tmpfs"
	t.Cleanup(func() { burrow(t, "volume", "rm", "-f", a, b, tm) })
	must(t, "volume", "create", "-l", "suite="+base, a)
	must(t, "volume", "create", "-l", "suite="+base, "-l", "kind=other", b)
	must(t, "volume", "create", "-o", "type=tmpfs", "-o", "o=size=1m", tm)
	only := "name=^" + base
	if got := must(t, "volume", "ls", "--filter", only, "--filter", "label=kind=other", "--noheading"); !strings.Contains(got, b) || strings.Contains(got, a) || strings.Contains(got, "DRIVER") {
		t.Errorf("volume ls --filter label=kind=other --noheading:\n%s", got)
	}
	if got := must(t, "volume", "ls", "--filter", only, "--filter", "opt=type=tmpfs", "--format", "{{.Name}}"); got != tm+"\n" {
		t.Errorf("volume ls --filter opt=type=tmpfs: %q", got)
	}
	if got := mustRun(t, busyboxImage(t), []string{"-v", tm + ":/t"}, "sh", "-c", "grep ' /t ' /proc/mounts | cut -d' ' -f3"); got != "tmpfs\n" {
		t.Errorf("a tmpfs volume is mounted as %q", got)
	}
	must(t, "volume", "exists", a)
	if r := burrow(t, "volume", "exists", base+"-none"); r.ExitCode != 1 || r.Stderr != "" {
		t.Errorf("volume exists of a missing volume: want exit 1 and nothing said, got:\n%s", describe(r))
	}
	wantFail(t, 125, `Error: cannot run command "burrow volume mount" in rootless mode, must execute `+"`burrow unshare`"+` first`, "volume", "mount", a)

	// export and import carry the files from one volume to another.
	mustRun(t, busyboxImage(t), []string{"-v", a + ":/v"}, "sh", "-c", "mkdir /v/d && echo hello > /v/d/f")
	tarFile := t.TempDir() + "/a.tar"
	must(t, "volume", "export", "-o", tarFile, a)
	must(t, "volume", "import", b, tarFile)
	if got := mustRun(t, busyboxImage(t), []string{"-v", b + ":/v"}, "cat", "/v/d/f"); got != "hello\n" {
		t.Errorf("the imported volume holds %q", got)
	}

	// prune --filter removes only the unused volumes that match.
	if got := must(t, "volume", "prune", "-f", "--filter", "label=suite="+base, "--filter", "label=kind=other"); got != b+"\n" {
		t.Errorf("volume prune --filter: %q", got)
	}
	if r := burrow(t, "volume", "rm", b); r.ExitCode != 1 {
		t.Errorf("volume rm of a pruned volume: want exit 1, got:\n%s", describe(r))
	}
	must(t, "volume", "rm", "-f", b)
	wantFail(t, 125, "Error: choose either one or more volumes or all", "volume", "rm")
}

// An archive given to volume import reaches nothing outside the volume,
// neither by ../ nor through a link it carries (a guard: import is new,
// written on chrootarchive from the start).
func TestVolumeImportStaysInside(t *testing.T) {
	t.Parallel()
	vol := "vimp-" + randHex()[:8]
	t.Cleanup(func() { burrow(t, "volume", "rm", "-f", vol) })
	must(t, "volume", "create", vol)
	outside := t.TempDir()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range []*tar.Header{
		{Name: "inside", Typeflag: tar.TypeReg, Mode: 0o644, Size: 1},
		{Name: strings.Repeat("../", 12) + outside[1:] + "/dotdot", Typeflag: tar.TypeReg, Mode: 0o644, Size: 1},
		{Name: "out", Typeflag: tar.TypeSymlink, Linkname: outside},
		{Name: "out/through-link", Typeflag: tar.TypeReg, Mode: 0o644, Size: 1},
	} {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			tw.Write([]byte("x"))
		}
	}
	tw.Close()
	burrowStdin(t, buf.String(), "volume", "import", vol, "-")
	if got := mustRun(t, busyboxImage(t), []string{"-v", vol + ":/v"}, "cat", "/v/inside"); got != "x" {
		t.Errorf("volume import did not unpack the archive's first file: %q", got)
	}
	if ents, _ := os.ReadDir(outside); len(ents) > 0 {
		t.Errorf("volume import wrote %s outside the volume", ents[0].Name())
	}
}

// system prune removes what is not in use and keeps what is; system reset
// empties the store (one of the test's own: reset takes everything).
func TestSystemPruneAndReset(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	g := []string{"--root", filepath.Join(dir, "root"), "--runroot", filepath.Join(dir, "run")}
	b := func(args ...string) result { return burrow(t, append(append([]string{}, g...), args...)...) }
	mustB := func(args ...string) string {
		t.Helper()
		r := b(args...)
		if r.ExitCode != 0 {
			t.Fatalf("burrow %s: %s", strings.Join(args, " "), describe(r))
		}
		return r.Stdout
	}
	img := testImage(t)
	mustB("pull", "-q", "--tls-verify=false", img)
	mustB("run", "--name", "exited", img, "true")
	mustB("run", "-d", "--name", "running", img, "sleep", "300")
	t.Cleanup(func() { b("rm", "-f", "-t", "0", "running") })
	mustB("volume", "create", "unused")
	mustB("network", "create", "unusednet")
	out := mustB("system", "prune", "-f", "--volumes")
	for _, want := range []string{"Deleted Containers\n", "Deleted Networks\nunusednet\n", "Deleted Volumes\nunused\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("system prune: output lacks %q:\n%s", want, out)
		}
	}
	if names := mustB("ps", "-a", "--format", "{{.Names}}"); names != "running\n" {
		t.Errorf("after system prune, containers %q, want the running one alone", names)
	}
	mustB("system", "reset", "-f")
	for _, args := range [][]string{{"ps", "-aq"}, {"images", "-q"}, {"volume", "ls", "-q"}} {
		if out := mustB(args...); out != "" {
			t.Errorf("after system reset, %s lists %q", strings.Join(args, " "), out)
		}
	}
	if out := mustB("network", "ls", "--format", "{{.Name}}"); out != "podman\n" {
		t.Errorf("after system reset, networks %q, want the default alone", out)
	}
}
