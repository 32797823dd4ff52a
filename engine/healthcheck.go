package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
)

// Health checks, as podman's and dockerd's: a command run in the
// container every Interval, whose exit code says whether it is healthy.
// burrow has no daemon to run them: the container's monitor runs
// `burrow healthcheck run ID` every Interval while the container runs
// (docs/monitor.md), as podman's systemd timer runs `podman healthcheck
// run`, and that command, or a user's, runs the check through the exec
// path and records the result in <container dir>/health.json.

// HealthConfig is a container's health check: --health-*, the API's
// Config.Healthcheck, or the image's HEALTHCHECK.
type HealthConfig struct {
	// Test is ["CMD", ARG...], ["CMD-SHELL", COMMAND] or ["NONE"].
	Test        []string      `json:",omitempty"`
	Interval    time.Duration `json:",omitempty"` // between checks; 0: 30s; negative: only when asked (healthcheck run)
	Timeout     time.Duration `json:",omitempty"` // of one check; 0: 30s
	StartPeriod time.Duration `json:",omitempty"` // after the start, failures do not count
	Retries     int           `json:",omitempty"` // failures in a row that make it unhealthy; 0: 3
	// OnFailure is what becoming unhealthy does (--health-on-failure):
	// "" or none, kill, restart, stop.
	OnFailure string `json:",omitempty"`
}

// Health check defaults, podman's and dockerd's.
const (
	DefaultHealthInterval = 30 * time.Second
	DefaultHealthTimeout  = 30 * time.Second
	DefaultHealthRetries  = 3
)

// Health statuses.
const (
	HealthStarting  = "starting"
	HealthHealthy   = "healthy"
	HealthUnhealthy = "unhealthy"
)

// Disabled tells a check that turns health checks off (["NONE"]).
func (h *HealthConfig) Disabled() bool { return len(h.Test) > 0 && h.Test[0] == "NONE" }

// interval is the time between two checks.
func (h *HealthConfig) interval() time.Duration {
	if h.Interval > 0 {
		return h.Interval
	}
	return DefaultHealthInterval
}

// healthInterval is how often the container's monitor runs its check
// (0: it has none).
func healthInterval(c *Config) time.Duration {
	if c.Healthcheck == nil || c.Healthcheck.Interval < 0 {
		return 0
	}
	return c.Healthcheck.interval()
}

func (h *HealthConfig) timeout() time.Duration {
	if h.Timeout > 0 {
		return h.Timeout
	}
	return DefaultHealthTimeout
}

func (h *HealthConfig) retries() int {
	if h.Retries > 0 {
		return h.Retries
	}
	return DefaultHealthRetries
}

// ParseHealthCmd reads --health-cmd as podman does: none disables the
// image's check, a JSON array is the command's arguments, a line that
// starts with CMD or NONE is split into words and one that starts with
// CMD-SHELL keeps the rest whole (compose's forms, as podman-compose
// passes them), anything else is a command for /bin/sh -c.
func ParseHealthCmd(s string) ([]string, error) {
	switch {
	case s == "":
		return nil, nil
	case strings.EqualFold(s, "none"):
		return []string{"NONE"}, nil
	case strings.HasPrefix(strings.TrimSpace(s), "["):
		var args []string
		if err := json.Unmarshal([]byte(s), &args); err != nil || len(args) == 0 {
			return nil, errdefs.Invalid(fmt.Errorf("invalid --health-cmd %s: a JSON array of the command and its arguments, or a shell command", s))
		}
		if args[0] == "CMD" || args[0] == "CMD-SHELL" || args[0] == "NONE" {
			return args, nil
		}
		return append([]string{"CMD"}, args...), nil
	}
	first, rest, _ := strings.Cut(strings.TrimSpace(s), " ")
	switch kw := strings.ToUpper(first); kw {
	case "CMD", "NONE":
		words := strings.Fields(s)
		words[0] = kw
		return words, nil
	case "CMD-SHELL":
		return []string{kw, strings.TrimSpace(rest)}, nil
	}
	return []string{"CMD-SHELL", s}, nil
}

// CheckHealthConfig checks a health check's settings, as podman does.
func CheckHealthConfig(h *HealthConfig) error {
	if h == nil {
		return nil
	}
	bad := func(format string, a ...any) error { return errdefs.Invalid(fmt.Errorf(format, a...)) }
	switch {
	case len(h.Test) > 0 && h.Test[0] != "NONE" && h.Test[0] != "CMD" && h.Test[0] != "CMD-SHELL":
		return bad("invalid health check %q: it starts with CMD, CMD-SHELL or NONE", h.Test)
	case len(h.Test) == 1 && h.Test[0] != "NONE":
		return bad("invalid health check %q: %s needs a command", h.Test, h.Test[0])
	case h.Interval > 0 && h.Interval < time.Millisecond:
		return bad("invalid health check interval %s: at least 1ms", h.Interval)
	case h.Timeout != 0 && h.Timeout < time.Millisecond:
		return bad("invalid health check timeout %s: at least 1ms", h.Timeout)
	case h.StartPeriod < 0:
		return bad("invalid health check start period %s: it cannot be negative", h.StartPeriod)
	case h.Retries < 0:
		return bad("invalid health check retries %d: it cannot be negative", h.Retries)
	}
	switch h.OnFailure {
	case "", "none", "kill", "restart", "stop":
	default:
		return bad("invalid on-failure action %q for health check: supported actions are none,kill,restart,stop", h.OnFailure)
	}
	if h.OnFailure != "" && h.OnFailure != "none" && h.Disabled() {
		return bad("cannot set on-failure action to %s without a health check", h.OnFailure)
	}
	return nil
}

// mergeHealth is the container's health check: the one asked for, with
// what it leaves out (no command, zero durations) from the image's, as
// dockerd merges them; nil when there is none or it is disabled.
func mergeHealth(asked *HealthConfig, img *dockerspec.HealthcheckConfig) (*HealthConfig, error) {
	h := HealthConfig{}
	if asked != nil {
		h = *asked
	}
	if img != nil {
		if len(h.Test) == 0 {
			h.Test = img.Test
		}
		if h.Interval == 0 {
			h.Interval = img.Interval
		}
		if h.Timeout == 0 {
			h.Timeout = img.Timeout
		}
		if h.StartPeriod == 0 {
			h.StartPeriod = img.StartPeriod
		}
		if h.Retries == 0 {
			h.Retries = img.Retries
		}
	}
	if len(h.Test) == 0 || h.Disabled() {
		if h.OnFailure != "" && h.OnFailure != "none" {
			return nil, errdefs.Invalid(fmt.Errorf("cannot set on-failure action to %s without a health check", h.OnFailure))
		}
		return nil, nil
	}
	return &h, nil
}

// HealthState is what the checks found: podman's State.Healthcheck,
// dockerd's State.Health.
type HealthState struct {
	Status        string         `json:"Status"`
	FailingStreak int            `json:"FailingStreak"`
	Log           []HealthResult `json:"Log"`
}

// HealthResult is one check.
type HealthResult struct {
	Start    time.Time `json:"Start"`
	End      time.Time `json:"End"`
	ExitCode int       `json:"ExitCode"`
	Output   string    `json:"Output"`
}

// Bounds of the kept results: podman's 5 entries of at most 500 bytes
// of output.
const (
	healthLogEntries = 5
	healthOutputMax  = 500
)

func (e *Engine) healthPath(id string) string { return filepath.Join(e.ctrDir(id), "health.json") }

// Health is what the checks of the container found; nil without a check.
func (e *Engine) Health(c *Container) *HealthState {
	if c.Config.Healthcheck == nil {
		return nil
	}
	st := &HealthState{Status: HealthStarting}
	if b, err := os.ReadFile(e.healthPath(c.ID)); err == nil {
		json.Unmarshal(b, st)
	}
	return st
}

// resetHealth starts a started container's checks over, as starting.
func (e *Engine) resetHealth(r *Record) error {
	if r.Config.Healthcheck == nil {
		return nil
	}
	return e.updateHealth(r.ID, func(st *HealthState) {
		*st = HealthState{Status: HealthStarting}
	})
}

// updateHealth changes the container's health state under a lock of its
// own: checks, the user's and the monitor's, may end at once.
func (e *Engine) updateHealth(id string, change func(*HealthState)) error {
	path := e.healthPath(id)
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("recording the health of container %s: %w", id, err)
	}
	defer f.Close()
	for {
		if err = unix.Flock(int(f.Fd()), unix.LOCK_EX); err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("recording the health of container %s: %w", id, err)
	}
	st := &HealthState{Status: HealthStarting}
	if b, err := os.ReadFile(path); err == nil {
		json.Unmarshal(b, st)
	}
	change(st)
	return writeJSON(path, st)
}

// HealthcheckRun runs the container's health check once and records it
// (healthcheck run, and the monitor's timer): it returns the check's
// result, and acts on the container when it has just become unhealthy and
// its on-failure action says so.
func (e *Engine) HealthcheckRun(ctx context.Context, c *Container) (HealthResult, error) {
	h := c.Config.Healthcheck
	if h == nil {
		return HealthResult{}, errdefs.Invalid(fmt.Errorf("container %s has no defined healthcheck", c.ID))
	}
	if !c.Running() {
		return HealthResult{}, errdefs.Conflict(fmt.Errorf("container %s is not running", c.ID))
	}
	res := e.runCheck(ctx, c, h)
	var became string
	err := e.updateHealth(c.ID, func(st *HealthState) {
		before := st.Status
		recordCheck(st, res, h, time.Since(c.State.StartedAt) < h.StartPeriod)
		if st.Status != before {
			became = st.Status
		}
	})
	if err != nil {
		return res, err
	}
	if became != "" {
		// On a change only, as dockerd's: a check every second would
		// fill the events log.
		ev := e.containerEvent("health_status", c)
		ev.HealthStatus = became
		e.recordEvents(ev)
	}
	if became == HealthUnhealthy {
		if err := e.healthFailed(ctx, c, h.OnFailure); err != nil {
			return res, fmt.Errorf("acting on the failed health check of %s (%s): %w", c.Name, h.OnFailure, err)
		}
	}
	if res.ExitCode == healthTimedOut {
		// podman's healthcheck run fails, not just reports unhealthy,
		// when the check outlived its timeout.
		return res, errdefs.Unavailable(fmt.Errorf("healthcheck command exceeded timeout of %s", h.timeout()))
	}
	return res, nil
}

// healthTimedOut is the ExitCode recorded for a check killed at its
// timeout, podman's.
const healthTimedOut = -1

// recordCheck adds a check's result to the state, as podman counts
// them: a success makes the container healthy; a failure counts toward
// Retries, except in the start period.
func recordCheck(st *HealthState, res HealthResult, h *HealthConfig, inStartPeriod bool) {
	st.Log = append(st.Log, res)
	if len(st.Log) > healthLogEntries {
		st.Log = st.Log[len(st.Log)-healthLogEntries:]
	}
	switch {
	case res.ExitCode == 0:
		st.Status, st.FailingStreak = HealthHealthy, 0
	case inStartPeriod:
	default:
		st.FailingStreak++
		if st.FailingStreak >= h.retries() {
			st.Status = HealthUnhealthy
		}
	}
}

// runCheck runs the check's command in the container, bounded by its
// timeout; its output, stdout and stderr together, is cut at
// healthOutputMax.
func (e *Engine) runCheck(ctx context.Context, c *Container, h *HealthConfig) HealthResult {
	res := HealthResult{Start: time.Now()}
	cmd := h.Test[1:]
	if h.Test[0] == "CMD-SHELL" {
		cmd = []string{"/bin/sh", "-c", strings.Join(h.Test[1:], " ")}
	}
	out := &boundedBuffer{max: healthOutputMax}
	p, err := e.Exec(ctx, c, ExecConfig{Command: cmd}, Attach{Stdout: out, Stderr: out})
	if err != nil {
		res.End, res.ExitCode, res.Output = time.Now(), 1, err.Error()
		return res
	}
	type waited struct {
		code int
		err  error
	}
	done := make(chan waited, 1)
	go func() {
		code, err := p.Wait()
		done <- waited{code, err}
	}()
	select {
	case w := <-done:
		res.ExitCode = w.code
		if w.err != nil && w.code == 0 {
			res.ExitCode = 1
		}
		res.Output = strings.TrimRight(out.String(), "\n")
	case <-time.After(h.timeout()):
		killCheck(p)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
		}
		// As podman's: no output, the error goes to healthcheck run.
		res.ExitCode, res.Output = healthTimedOut, ""
	}
	res.End = time.Now()
	return res
}

// killCheck kills a check at its timeout: SIGKILL reaches only the exec
// relay (it cannot forward it), so the relay's child, the check's
// command, is killed by its host PID first, or it would run on and keep
// its output open.
func killCheck(p *ExecProcess) {
	pid := p.Pid()
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid)); err == nil {
		for _, f := range strings.Fields(string(b)) {
			if child, err := strconv.Atoi(f); err == nil {
				unix.Kill(child, unix.SIGKILL)
			}
		}
	}
	p.Signal(unix.SIGKILL)
}

// healthFailed carries out --health-on-failure on a container that has
// just become unhealthy.
func (e *Engine) healthFailed(ctx context.Context, c *Container, action string) error {
	switch action {
	case "kill":
		return e.Kill(c, unix.SIGKILL)
	case "stop":
		_, err := e.Stop(ctx, c, e.StopTimeout(c))
		return err
	case "restart":
		if _, err := e.Stop(ctx, c, e.StopTimeout(c)); err != nil {
			return err
		}
		c, err := e.Get(c.ID)
		if err != nil {
			return err
		}
		_, err = e.Start(c, StartOptions{})
		return err
	}
	return nil
}

// boundedBuffer keeps the first max bytes written to it, from any number
// of writers at once.
type boundedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (b *boundedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *boundedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
