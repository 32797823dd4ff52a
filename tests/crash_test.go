package tests

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The fault-injection tests: a command killed (SIGKILL) at each named step
// of a launch, a stop or a removal (the engine's crash points, armed by
// _BURROW_CRASH_AT) must leave records that match the processes: the next
// command adopts the container or tears it down fully, no container runs
// twice, and nothing is left once it is removed.

// storePaths are the test user's graph and run roots.
func storePaths(t *testing.T) (graph, run string) {
	t.Helper()
	var info struct {
		Store struct{ GraphRoot, RunRoot string } `json:"store"`
	}
	if err := json.Unmarshal([]byte(must(t, "info", "--format", "json")), &info); err != nil {
		t.Fatalf("info: %v", err)
	}
	return info.Store.GraphRoot, info.Store.RunRoot
}

// burrowCrashing runs burrow with the crash point armed and requires that
// it was killed there (or, armed at a step it never reached, ran through).
func burrowCrashing(t *testing.T, step string, args ...string) result {
	t.Helper()
	cmd := exec.Command(burrowBin(t), args...)
	cmd.Env = append(os.Environ(), "_BURROW_CRASH_AT="+step)
	return runCommand(t, cmd)
}

// processesWith lists the user's processes whose command line or
// environment holds s. A child of one of them that holds s too is left
// out: it is the shell's fork on its way to exec another program (sh -c
// "sleep 1; ..." forks a copy of itself before it runs sleep).
func processesWith(s string) []string {
	found := map[string]string{}
	ents, _ := os.ReadDir("/proc")
	self := strconv.Itoa(os.Getpid())
	for _, ent := range ents {
		if _, err := strconv.Atoi(ent.Name()); err != nil || ent.Name() == self {
			continue
		}
		for _, f := range []string{"cmdline", "environ"} {
			b, err := os.ReadFile(filepath.Join("/proc", ent.Name(), f))
			if err == nil && strings.Contains(string(b), s) && pidAlive(atoi(ent.Name())) {
				found[ent.Name()] = strings.ReplaceAll(string(b), "\x00", " ")
				break
			}
		}
	}
	var out []string
	for pid, cmd := range found {
		if _, forked := found[parentPID(pid)]; !forked {
			out = append(out, pid+": "+cmd)
		}
	}
	sort.Strings(out)
	return out
}

// parentPID is pid's parent, from /proc/PID/stat ("" when gone).
func parentPID(pid string) string {
	b, err := os.ReadFile(filepath.Join("/proc", pid, "stat"))
	if err != nil {
		return ""
	}
	// The command name may hold spaces and parentheses: the fields
	// after it start past its last ')'.
	rest := string(b[bytes.LastIndexByte(b, ')')+1:])
	if f := strings.Fields(rest); len(f) > 1 {
		return f[1]
	}
	return ""
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

// leftovers lists what remains of container id: files, namespace, storage
// and processes.
func leftovers(t *testing.T, id string) []string {
	t.Helper()
	graph, run := storePaths(t)
	var out []string
	for _, p := range []string{
		filepath.Join(graph, "burrow", "containers", id),
		filepath.Join(run, "burrow", id),
		filepath.Join(run, "burrow", "netns", id),
	} {
		if _, err := os.Lstat(p); err == nil {
			out = append(out, p)
		}
	}
	for _, d := range []string{"overlay-containers", "vfs-containers"} {
		if b, err := os.ReadFile(filepath.Join(graph, d, "containers.json")); err == nil && strings.Contains(string(b), id) {
			out = append(out, "a storage container in "+d)
		}
	}
	if m, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(m), id) {
		out = append(out, "a mount naming it on the host")
	}
	return append(out, processesWith(id)...)
}

// containerIDByName is the ID of the container named name, "" when none.
func containerIDByName(t *testing.T, name string) string {
	t.Helper()
	for _, l := range nonEmptyLines(must(t, "ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Names}}")) {
		if id, n, _ := strings.Cut(l, " "); n == name {
			return id
		}
	}
	return ""
}

// checkTruth asserts that what ps says of the container comes to match
// its processes (a monitor the killed command spawned may still be
// handing over for a moment), and that inspect names a live process; it
// returns the ID ("" when the container is gone).
func checkTruth(t *testing.T, name, token string) string {
	t.Helper()
	var id, st string
	var procs []string
	for deadline := time.Now().Add(5 * time.Second); ; {
		id = containerIDByName(t, name)
		st = ""
		if id != "" {
			st = psStatus(t, name)
		}
		procs = processesWith(token)
		running := strings.HasPrefix(st, "Up")
		if len(procs) <= 1 && running == (len(procs) == 1) && (id != "" || len(procs) == 0) {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("ps says %q (listed: %v), but %d process(es) run:\n%s", st, id != "", len(procs), strings.Join(procs, "\n"))
			return id
		}
		time.Sleep(50 * time.Millisecond)
	}
	if strings.HasPrefix(st, "Up") {
		pid := atoi(inspectField(t, name, "{{.State.Pid}}"))
		if !pidAlive(pid) {
			t.Errorf("inspect names PID %d, which does not run", pid)
		}
	}
	return id
}

// removeAndCheck removes the container (if listed) and requires that
// nothing of it is left.
func removeAndCheck(t *testing.T, name, id, token string) {
	t.Helper()
	if id != "" {
		must(t, "rm", "-f", "-t", "0", name)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		left := processesWith(token)
		if id != "" {
			left = append(left, leftovers(t, id)...)
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after rm -f, left:\n%s", strings.Join(left, "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var launchSteps = []string{"reserved", "storage", "network", "monitor", "ready", "sent", "started"}

func TestCrashRunDetached(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	for _, step := range launchSteps {
		t.Run(step, func(t *testing.T) {
			name := ctrName(t)
			token := "crash-" + randHex()[:10]
			t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
			r := burrowCrashing(t, step, "run", "-d", "--name", name, img, "sh", "-c", "sleep 1000; : "+token)
			if r.ExitCode != -1 && r.ExitCode != 137 {
				t.Fatalf("the crash point %s was not reached:\n%s", step, describe(r))
			}
			id := checkTruth(t, name, token)
			if id != "" && strings.HasPrefix(psStatus(t, name), "Up") {
				// Adopted: stop, kill and wait work on it.
				must(t, "kill", name)
				if code := strings.TrimSpace(must(t, "wait", name)); code != "137" {
					t.Errorf("wait after kill: %q, want 137", code)
				}
			} else if id != "" {
				// Kept as created: it starts, once.
				must(t, "start", name)
				checkTruth(t, name, token)
			}
			removeAndCheck(t, name, id, token)
		})
	}
}

func TestCrashRunRm(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	for _, step := range launchSteps {
		t.Run(step, func(t *testing.T) {
			name := ctrName(t)
			token := "crash-" + randHex()[:10]
			t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
			r := burrowCrashing(t, step, "run", "--rm", "--name", name, img, "sh", "-c", "sleep 1; : "+token)
			if r.ExitCode != -1 && r.ExitCode != 137 {
				t.Fatalf("the crash point %s was not reached:\n%s", step, describe(r))
			}
			if procs := processesWith(token); len(procs) > 1 {
				t.Errorf("the container's process runs %d times:\n%s", len(procs), strings.Join(procs, "\n"))
			}
			// Whatever the step, the container goes away by itself once
			// its process ends (or at once, when it never started).
			deadline := time.Now().Add(15 * time.Second)
			for containerIDByName(t, name) != "" {
				if time.Now().After(deadline) {
					t.Fatalf("run --rm killed at %s: the container is still there: %q", step, psStatus(t, name))
				}
				time.Sleep(200 * time.Millisecond)
			}
			if left := processesWith(token); len(left) > 0 {
				t.Errorf("left running: %v", left)
			}
		})
	}
}

func TestCrashStart(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	for _, step := range []string{"reserved", "network", "monitor", "ready", "sent", "started"} {
		t.Run(step, func(t *testing.T) {
			name := ctrName(t)
			token := "crash-" + randHex()[:10]
			t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
			must(t, "create", "--name", name, img, "sh", "-c", "sleep 1000; : "+token)
			r := burrowCrashing(t, step, "start", name)
			if r.ExitCode != -1 && r.ExitCode != 137 {
				t.Fatalf("the crash point %s was not reached:\n%s", step, describe(r))
			}
			id := checkTruth(t, name, token)
			if id == "" {
				t.Fatalf("a start killed at %s removed the container", step)
			}
			must(t, "start", name) // a no-op when it was adopted: never a second copy
			checkTruth(t, name, token)
			removeAndCheck(t, name, id, token)
		})
	}
}

func TestCrashStopAndRemove(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	for _, c := range []struct{ step, cmd string }{{"stopping", "stop"}, {"stopping", "rm"}, {"removing", "rm"}} {
		t.Run(c.cmd+"/"+c.step, func(t *testing.T) {
			name := ctrName(t)
			token := "crash-" + randHex()[:10]
			t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
			must(t, "run", "-d", "--name", name, img, "sh", "-c", "sleep 1000; : "+token)
			args := []string{c.cmd, "-t", "1", name}
			if c.cmd == "rm" {
				args = []string{"rm", "-f", "-t", "0", name}
			}
			r := burrowCrashing(t, c.step, args...)
			if r.ExitCode != -1 && r.ExitCode != 137 {
				t.Fatalf("the crash point %s was not reached:\n%s", c.step, describe(r))
			}
			id := checkTruth(t, name, token)
			removeAndCheck(t, name, id, token)
		})
	}
}

// TestCrashCommitAndBuild: a commit or a build killed while it stores the
// new image leaves no image, no step container, no temporary directory the
// next image command keeps, and a store that passes its check.
func TestCrashCommitAndBuild(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	graph, _ := storePaths(t)
	t.Run("commit", func(t *testing.T) {
		name := ctrName(t)
		ref := "localhost/crash-commit-" + randHex()[:8]
		t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name); burrow(t, "rmi", "-f", ref) })
		must(t, "run", "--name", name, img, "sh", "-c", "echo committed > /made")
		r := burrowCrashing(t, "committing", "commit", name, ref)
		if r.ExitCode != -1 && r.ExitCode != 137 {
			t.Fatalf("the crash point was not reached:\n%s", describe(r))
		}
		if r := burrow(t, "image", "exists", ref); r.ExitCode != 1 {
			t.Errorf("a commit killed before it stored the image left one named %s: %s", ref, describe(r))
		}
		must(t, "commit", "-q", name, ref)
		if got := mustRun(t, ref, nil, "cat", "/made"); got != "committed\n" {
			t.Errorf("the commit after the killed one holds %q", got)
		}
		requireNoDeadTemp(t, graph)
		requireStoreConsistent(t)
	})
	t.Run("build", func(t *testing.T) {
		token := "crash-" + randHex()[:10]
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "Containerfile"), []byte("FROM "+img+"\nRUN echo "+token+" > /built\n"), 0o644)
		tag := "localhost/crash-build-" + randHex()[:8]
		t.Cleanup(func() { burrow(t, "rmi", "-f", tag) })
		r := burrowCrashing(t, "committing", "build", "-t", tag, dir)
		if r.ExitCode != -1 && r.ExitCode != 137 {
			t.Fatalf("the crash point was not reached:\n%s", describe(r))
		}
		// The RUN step's container ended; the build that would have read
		// and removed it is gone: the next listing removes it.
		if out := must(t, "ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Command}}"); strings.Contains(out, token) {
			t.Errorf("the killed build's step container is still listed:\n%s", out)
		}
		if r := burrow(t, "image", "exists", tag); r.ExitCode != 1 {
			t.Errorf("a killed build left an image named %s", tag)
		}
		must(t, "build", "-q", "-t", tag, dir)
		if got := mustRun(t, tag, nil, "cat", "/built"); got != token+"\n" {
			t.Errorf("the build after the killed one holds %q", got)
		}
		requireNoDeadTemp(t, graph)
		requireStoreConsistent(t)
	})
}

// requireNoDeadTemp requires that no temporary directory of a process that
// is gone is left beside the store (named PID-START). A process removes
// its own before it exits: one seen in the listing whose process has ended
// since is left only if it is still there after that end (another test's
// command may have ended between the two looks).
func requireNoDeadTemp(t *testing.T, graph string) {
	t.Helper()
	root := filepath.Join(graph, "burrow", "tmp")
	ents, _ := os.ReadDir(root)
	for _, e := range ents {
		pid, _, _ := strings.Cut(e.Name(), "-")
		if _, err := os.Stat("/proc/" + pid); err == nil {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, e.Name())); err == nil {
			t.Errorf("a temporary directory of a process that is gone is left: %s", e.Name())
		}
	}
}

// requireStoreConsistent requires doctor's store check to pass.
func requireStoreConsistent(t *testing.T) {
	t.Helper()
	out := burrow(t, "system", "doctor").Stdout
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "store consistency") && !strings.HasPrefix(line, "OK") {
			t.Errorf("doctor finds the store damaged:\n%s", out)
		}
	}
}
