package tests

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestHealthcheck follows podman's own health check test (220-
// healthcheck.bats): --health-cmd and its interval, retries and on-failure
// action; healthcheck run (silent and 0 when it passes, "unhealthy" and 1
// when it fails); the state in inspect; the monitor's timer turning the
// container unhealthy, and the kill it asks for; bad input refused.
func TestHealthcheck(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	runDetached(t, name, []string{"--health-cmd", "test ! -e /uh-oh && echo Life is Good", "--health-interval", "1s",
		"--health-retries", "3", "--health-on-failure", "kill"}, "sleep", "300")
	if got := inspectField(t, name, "{{.Config.HealthcheckOnFailureAction}}"); got != "kill" {
		t.Errorf("HealthcheckOnFailureAction %q, want kill", got)
	}
	if r := burrow(t, "healthcheck", "run", name); r.ExitCode != 0 || r.Stdout != "" {
		t.Errorf("healthcheck run of a healthy container: %s", describe(r))
	}
	type health struct {
		Status        string
		FailingStreak int
		Log           []struct {
			ExitCode int
			Output   string
		}
	}
	state := func() health {
		var h health
		if err := json.Unmarshal([]byte(inspectField(t, name, "{{json .State.Healthcheck}}")), &h); err != nil {
			t.Fatalf("State.Healthcheck: %v", err)
		}
		return h
	}
	if h := state(); h.Status != "healthy" || h.FailingStreak != 0 || len(h.Log) == 0 || h.Log[len(h.Log)-1].Output != "Life is Good" {
		t.Errorf("after a passing check: %+v", h)
	}
	if got := strings.TrimSpace(must(t, "ps", "-q", "--no-trunc", "--filter", "health=healthy", "--filter", "name="+name)); got == "" {
		t.Errorf("ps --filter health=healthy does not list the container")
	}
	must(t, "exec", name, "touch", "/uh-oh")
	if r := burrow(t, "healthcheck", "run", name); r.ExitCode != 1 || strings.TrimSpace(r.Stdout) != "unhealthy" {
		t.Errorf("healthcheck run of a failing check: %s", describe(r))
	}
	// The monitor's checks, every second, make it unhealthy after three
	// failures in a row; the on-failure action then kills it.
	var h health
	deadline := time.Now().Add(30 * time.Second)
	for ; time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if inspectField(t, name, "{{.State.Status}}") == "exited" {
			break
		}
	}
	if h = state(); h.Status != "unhealthy" || h.FailingStreak < 3 || h.Log[len(h.Log)-1].ExitCode != 1 {
		t.Errorf("after the monitor's checks failed: %+v", h)
	}
	if got := inspectField(t, name, "{{.State.Status}} {{.State.ExitCode}}"); got != "exited 137" {
		t.Errorf("--health-on-failure=kill: the container is %q, want exited 137", got)
	}

	r := burrow(t, "create", "--health-on-failure=kill", busyboxImage(t))
	requireBurrowError(t, r, false)
	if !strings.Contains(r.Stderr, "cannot set on-failure action to kill without a health check") {
		t.Errorf("on-failure without a check: %s", describe(r))
	}
	noCheck := ctrName(t)
	runDetached(t, noCheck, nil, "sleep", "300")
	r = burrow(t, "healthcheck", "run", noCheck)
	requireBurrowError(t, r, false)
	if !strings.Contains(r.Stderr, "has no defined healthcheck") {
		t.Errorf("healthcheck run without a check: %s", describe(r))
	}
	for _, bad := range [][]string{{"--health-interval", "often"}, {"--health-retries", "0"}, {"--health-cmd", "[broken"}} {
		r := burrow(t, append(append([]string{"create"}, bad...), busyboxImage(t))...)
		requireBurrowError(t, r, false)
	}
}
