package tests

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBuildFromStdin: `build -` takes a Containerfile alone (empty
// context) or a tar archive of a context from stdin, `build -f - DIR` the
// Containerfile with DIR as the context, as podman's build.
func TestBuildFromStdin(t *testing.T) {
	t.Parallel()
	base := busyboxImage(t)
	tag := func() string {
		ref := "localhost/stdin-" + randHex()[:8] + ":latest"
		t.Cleanup(func() { burrow(t, "rmi", "-f", ref) })
		return ref
	}
	built := func(r result, what string) {
		t.Helper()
		if r.ExitCode != 0 {
			t.Fatalf("build %s: %s", what, describe(r))
		}
	}

	alone := tag()
	built(burrowStdin(t, "FROM "+base+"\nRUN echo alone > /from-stdin\n", "build", "-q", "-t", alone, "-"), "- with a Containerfile")
	if got := mustRun(t, alone, nil, "cat", "/from-stdin"); got != "alone\n" {
		t.Errorf("the image built from a Containerfile on stdin: %q", got)
	}

	dir := buildContext(t, map[string]string{"a.txt": "from the context\n", "Containerfile": "FROM scratch\n"})
	withDir := tag()
	built(burrowStdin(t, "FROM "+base+"\nCOPY a.txt /a.txt\n", "build", "-q", "-t", withDir, "-f", "-", dir), "-f - DIR")
	if got := mustRun(t, withDir, nil, "cat", "/a.txt"); got != "from the context\n" {
		t.Errorf("the image built with -f - and a context: %q", got)
	}

	archive := filepath.Join(t.TempDir(), "ctx.tar.gz")
	writeTarGz(t, archive, map[string]string{
		"Containerfile": "FROM " + base + "\nCOPY b.txt /b.txt\n",
		"b.txt":         "from the archive\n",
	})
	data, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	fromTar := tag()
	built(burrowStdin(t, string(data), "build", "-q", "-t", fromTar, "-"), "- with a context archive")
	if got := mustRun(t, fromTar, nil, "cat", "/b.txt"); got != "from the archive\n" {
		t.Errorf("the image built from a context archive on stdin: %q", got)
	}

	requireBurrowError(t, burrowStdin(t, "FROM "+base+"\n", "build", "-f", "-", "-"), true)
}

// TestBuildKilledStopsItsStep: a build killed with SIGTERM during a RUN
// (as `timeout` does) stops the step and removes its container before it
// exits: nothing is left running or listed.
func TestBuildKilledStopsItsStep(t *testing.T) {
	t.Parallel()
	secs := strconv.Itoa(70000 + rand.IntN(9999)) // a sleep of its own, to find it
	cmd := exec.Command(burrowBin(t), "build", "-t", "localhost/killed-"+randHex()[:8], "-")
	cmd.Stdin = strings.NewReader("FROM " + busyboxImage(t) + "\nLABEL run=" + randHex() + "\nRUN sleep " + secs + "\n")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	step := func() bool {
		return strings.Contains(must(t, "ps", "-a", "--no-trunc", "--format", "{{.Command}}"), "sleep "+secs)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for !step() || sleepPID(secs) == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the RUN step did not start:\n%s", out.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Errorf("a killed build exited 0:\n%s", out.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("the build did not exit within 15 s of SIGTERM:\n%s", out.String())
	}
	if step() {
		t.Errorf("ps -a lists the killed build's step")
	}
	if strings.Contains(must(t, "ps", "--external", "--no-trunc", "--format", "{{.Command}} {{.Names}}"), "sleep "+secs) {
		t.Errorf("ps --external lists the killed build's step")
	}
	if pid := sleepPID(secs); pid != 0 {
		t.Errorf("the killed build's RUN (pid %d) still runs", pid)
	}
}

// sleepPID is the PID of a `sleep SECS` process of the machine, 0 if none.
func sleepPID(secs string) int {
	want := "sleep\x00" + secs + "\x00"
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err == nil && strings.HasSuffix(string(b), want) {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
			return pid
		}
	}
	return 0
}
