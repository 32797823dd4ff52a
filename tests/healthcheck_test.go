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
	if got := psStatus(t, name); !strings.HasSuffix(got, " (healthy)") {
		t.Errorf("ps STATUS of a healthy container %q, want it to end in (healthy)", got)
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
	id := runDetached(t, noCheck, nil, "sleep", "300")
	r = burrow(t, "healthcheck", "run", noCheck)
	requireBurrowError(t, r, true)
	if want := "Error: container " + id + " has no defined healthcheck"; strings.TrimSpace(r.Stderr) != want {
		t.Errorf("healthcheck run without a check: want podman's %q, got %s", want, describe(r))
	}
	r = burrow(t, "healthcheck", "run", "no-such-container-hc")
	requireBurrowError(t, r, true)
	if !strings.HasPrefix(r.Stderr, "Error: unable to look up no-such-container-hc to perform a health check: ") {
		t.Errorf("healthcheck run of a missing container: %s", describe(r))
	}
	for _, bad := range [][]string{{"--health-interval", "often"}, {"--health-retries", "0"}, {"--health-cmd", "[broken"}} {
		r := burrow(t, append(append([]string{"create"}, bad...), busyboxImage(t))...)
		requireBurrowError(t, r, false)
	}
	// podman's messages for two mistakes.
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--no-healthcheck", "--health-cmd", "true"}, "Error: cannot specify both --no-healthcheck and --health-cmd"},
		{[]string{"--health-cmd", "true", "--health-on-failure", "bogus"}, `Error: invalid on-failure action "bogus" for health check: supported actions are none,kill,restart,stop`},
	} {
		r := burrow(t, append(append([]string{"create"}, c.args...), busyboxImage(t))...)
		requireBurrowError(t, r, true)
		if strings.TrimSpace(r.Stderr) != c.want {
			t.Errorf("create %v: want %q, got %s", c.args, c.want, describe(r))
		}
	}
}

// TestHealthcheckTimeout checks podman's answers for a check that has
// not run yet and for one that outlives its timeout: starting with no
// log, "(starting)" in ps; healthcheck run fails with exit 125 and
// podman's message, and the log records exit code -1 and no output; a
// JSON array --health-cmd is run as is (CMD), and the config shows the
// defaults it runs with.
func TestHealthcheckTimeout(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	runDetached(t, name, []string{"--health-cmd", `["sleep","5"]`, "--health-timeout", "1s",
		"--health-interval", "disable", "--health-start-period", "1m"}, "sleep", "300")
	if got := inspectField(t, name, "{{.State.Health.Status}} {{.State.Healthcheck.Status}} {{json .State.Health.Log}}"); got != "starting starting null" {
		t.Errorf("before any check: %q, want starting starting null", got)
	}
	if got := psStatus(t, name); !strings.HasSuffix(got, " (starting)") {
		t.Errorf("ps STATUS before any check %q, want it to end in (starting)", got)
	}
	if got := inspectField(t, name, "{{json .Config.Healthcheck.Test}} {{.Config.Healthcheck.Timeout}} {{.Config.Healthcheck.Retries}}"); got != `["CMD","sleep","5"] 1000000000 3` {
		t.Errorf("Config.Healthcheck: %q", got)
	}
	start := time.Now()
	r := burrow(t, "healthcheck", "run", name)
	requireBurrowError(t, r, true)
	if strings.TrimSpace(r.Stderr) != "Error: healthcheck command exceeded timeout of 1s" || r.Stdout != "" {
		t.Errorf("healthcheck run of a check that times out: %s", describe(r))
	}
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("healthcheck run took %s: the check was not stopped at its 1s timeout", took)
	}
	var h struct {
		Status        string
		FailingStreak int
		Log           []struct {
			ExitCode   int
			Output     string
			Start, End time.Time
		}
	}
	if err := json.Unmarshal([]byte(inspectField(t, name, "{{json .State.Health}}")), &h); err != nil {
		t.Fatalf("State.Health: %v", err)
	}
	if h.Status != "starting" || h.FailingStreak != 0 || len(h.Log) != 1 {
		t.Fatalf("after a timed-out check in the start period: %+v", h)
	}
	if l := h.Log[0]; l.ExitCode != -1 || l.Output != "" || l.End.Sub(l.Start) < time.Second {
		t.Errorf("the log of a timed-out check: %+v", l)
	}
}
