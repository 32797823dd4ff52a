package tests

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// burrowEnv runs burrow with a changed environment and returns its result.
func burrowEnv(t *testing.T, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, burrowBin(t), args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running burrow: %v", err)
	}
	return result{Stdout: stdout.String(), Stderr: stderr.String(), ExitCode: code}
}

// freshRuntimeDir gives burrow a runtime directory of its own, so that it
// has no pause process to join and goes through creating one.
func freshRuntimeDir(t *testing.T) string {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

func withEnv(env []string, kv ...string) []string {
	out := []string{}
	for _, e := range env {
		k, _, _ := strings.Cut(e, "=")
		keep := true
		for _, o := range kv {
			if ok, _, _ := strings.Cut(o, "="); ok == k {
				keep = false
			}
		}
		if keep {
			out = append(out, e)
		}
	}
	return append(out, kv...)
}

func TestMissingNewuidmapNamesTheFix(t *testing.T) {
	burrowBin(t)
	if os.Getenv("BURROW_TEST_EXPECT_NOSUBUID") != "" {
		t.Skip("without a subuid range burrow needs no newuidmap")
	}
	xdg := freshRuntimeDir(t)
	// A PATH without newuidmap, as on a host without the uidmap package.
	env := withEnv(os.Environ(), "XDG_RUNTIME_DIR="+xdg, "PATH=/nonexistent")
	r := burrowEnv(t, env, "info")
	if r.ExitCode != 125 {
		t.Fatalf("exit %d, want 125; stderr %q", r.ExitCode, r.Stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.Stderr), "\n")
	if len(lines) != 1 || !strings.HasPrefix(lines[0], "Error: ") || !strings.Contains(lines[0], "apt-get install uidmap") {
		t.Fatalf("want one Error line naming `apt-get install uidmap`, got %q", r.Stderr)
	}
	if _, err := os.Stat(filepath.Join(xdg, "burrow", "pause.pid")); err == nil {
		t.Fatal("a pause process was recorded although its creation failed")
	}
}

func TestForeignStateDirIsRefused(t *testing.T) {
	burrowBin(t)
	// XDG_RUNTIME_DIR/burrow that others can write must not be trusted:
	// whoever can write it could name any process as the pause process.
	xdg := freshRuntimeDir(t)
	state := filepath.Join(xdg, "burrow")
	if err := os.Mkdir(state, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(state, 0o777); err != nil {
		t.Fatal(err)
	}
	r := burrowEnv(t, withEnv(os.Environ(), "XDG_RUNTIME_DIR="+xdg), "info")
	if r.ExitCode != 125 || !strings.Contains(r.Stderr, "mode 0700") {
		t.Fatalf("exit %d stderr %q; want 125 naming mode 0700", r.ExitCode, r.Stderr)
	}
}
