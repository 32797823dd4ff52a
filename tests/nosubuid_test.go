package tests

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// requireNoSubuidPass skips unless this is the pass run as a user without
// /etc/subuid and /etc/subgid entries.
func requireNoSubuidPass(t *testing.T) {
	t.Helper()
	if os.Getenv("BURROW_TEST_EXPECT_NOSUBUID") != "1" {
		t.Skip("runs only in the pass as a user without a subuid range (BURROW_TEST_EXPECT_NOSUBUID=1)")
	}
	burrowBin(t)
	for _, f := range []string{"/etc/subuid", "/etc/subgid"} {
		if rs := subIDRanges(t, f); len(rs) != 0 {
			t.Fatalf("test bed: BURROW_TEST_EXPECT_NOSUBUID=1 but the user has ranges in %s: %v", f, rs)
		}
	}
}

// hasSubuidWarning reports whether stderr has a line that names the missing
// subuid range and the fix.
func hasSubuidWarning(stderr string) bool {
	for _, l := range strings.Split(stderr, "\n") {
		if strings.Contains(l, "subuid") && strings.Contains(l, "usermod --add-subuids") {
			return true
		}
	}
	return false
}

// burrowFreshRuntimeDir runs burrow with an XDG_RUNTIME_DIR of its own, so
// that it sets up its user namespace afresh (instead of joining the one an
// earlier command set up), and returns its result.
func burrowFreshRuntimeDir(t *testing.T, args ...string) result {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "XDG_RUNTIME_DIR=") {
			env = append(env, e)
		}
	}
	cmd := exec.Command(burrowBin(t), args...)
	cmd.Env = append(env, "XDG_RUNTIME_DIR="+dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 2 * time.Second
	t.Cleanup(func() { stopPauseProcess(t, dir) })
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("running burrow: %v", err)
	}
	return result{Stdout: stdout.String(), Stderr: stderr.String(), ExitCode: cmd.ProcessState.ExitCode()}
}

// stopPauseProcess ends the process that holds the user namespace burrow set
// up under the runtime directory dir, if it recorded one there: it was
// started by this test and would otherwise outlive it.
func stopPauseProcess(t *testing.T, dir string) {
	data, err := os.ReadFile(filepath.Join(dir, "burrow", "pause.pid"))
	if err != nil {
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 1 {
		return
	}
	if comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid)); err == nil && strings.TrimSpace(string(comm)) == "burrow-pause" {
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
			t.Logf("stopping pause process %d: %v", pid, err)
		}
	}
}

func TestNoSubuidWarning(t *testing.T) {
	requireNoSubuidPass(t)
	r := burrowFreshRuntimeDir(t, "info")
	if r.ExitCode != 0 {
		t.Fatalf("burrow info without a subuid range:\n%s", describe(r))
	}
	if !hasSubuidWarning(r.Stderr) {
		t.Errorf("no warning naming subuid and the fix %q on stderr:\n%s", "usermod --add-subuids", r.Stderr)
	}
}

func TestNoSubuidSingleMapping(t *testing.T) {
	requireNoSubuidPass(t)
	r := runRm(t, busyboxImage(t), nil, "sh", "-c", "cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --; id -u")
	if r.ExitCode != 0 {
		t.Fatalf("run without a subuid range:\n%s", describe(r))
	}
	sec := sections(r.Stdout)
	if len(sec) != 3 {
		t.Fatalf("unexpected output:\n%s", r.Stdout)
	}
	for i, want := range []string{fmt.Sprintf("0 %d 1", os.Getuid()), fmt.Sprintf("0 %d 1", os.Getgid())} {
		if got := normalizeIDMap(sec[i]); len(got) != 1 || got[0] != want {
			t.Errorf("%s inside = %q, want exactly [%q]", []string{"uid_map", "gid_map"}[i], got, want)
		}
	}
	if got := strings.TrimSpace(sec[2]); got != "0" {
		t.Errorf("id -u = %q, want 0", got)
	}
}

func TestNoSubuidRun(t *testing.T) {
	requireNoSubuidPass(t)
	img := busyboxImage(t)
	if r := runRm(t, img, nil, "true"); r.ExitCode != 0 {
		t.Errorf("run true:\n%s", describe(r))
	}
	if r := runRm(t, img, nil, "echo", "hello"); r.ExitCode != 0 || r.Stdout != "hello\n" {
		t.Errorf("run echo hello:\n%s", describe(r))
	}
	if r := runRm(t, img, nil, "sh", "-c", "exit 5"); r.ExitCode != 5 {
		t.Errorf("run sh -c 'exit 5': want exit 5, got:\n%s", describe(r))
	}
}

func TestNoSubuidInfo(t *testing.T) {
	requireNoSubuidPass(t)
	info, _ := burrowInfo(t)
	if !info.Host.Security.Rootless {
		t.Errorf("host.security.rootless = false")
	}
	if got, want := info.Host.IDMappings.UIDMap, []idMapping{{0, os.Getuid(), 1}}; len(got) != 1 || got[0] != want[0] {
		t.Errorf("host.idMappings.uidmap = %+v, want %+v", got, want)
	}
	if got, want := info.Host.IDMappings.GIDMap, []idMapping{{0, os.Getgid(), 1}}; len(got) != 1 || got[0] != want[0] {
		t.Errorf("host.idMappings.gidmap = %+v, want %+v", got, want)
	}
}
