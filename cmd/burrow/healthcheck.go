package main

import (
	"fmt"
	"time"

	"github.com/burrow-containers/burrow/engine"
)

// healthFlags are podman's health check flags of run and create. Unset,
// the image's HEALTHCHECK (if any) applies; set, a flag replaces its part
// of it.
type healthFlags struct {
	HealthCmd         string `name:"health-cmd" aliases:"healthcheck-command" help:"Health check: a command for /bin/sh -c, a JSON array of a command and its arguments, or none (turn the image's off)."`
	HealthInterval    string `name:"health-interval" aliases:"healthcheck-interval" help:"Time between health checks (default 30s; disable: only by healthcheck run)."`
	HealthRetries     *int   `name:"health-retries" aliases:"healthcheck-retries" help:"Failed checks in a row that make the container unhealthy (default 3)."`
	HealthStartPeriod string `name:"health-start-period" aliases:"healthcheck-start-period" help:"Time after the start during which failed checks do not count (default 0s)."`
	HealthTimeout     string `name:"health-timeout" aliases:"healthcheck-timeout" help:"Time a check may take before it counts as failed (default 30s)."`
	HealthOnFailure   string `name:"health-on-failure" help:"What becoming unhealthy does: none (default), kill, restart or stop."`
	NoHealthcheck     bool   `name:"no-healthcheck" help:"Run no health check, not even the image's."`
}

// health is the container's health check as the flags ask it (nil: the
// image's as it is).
func (f *healthFlags) health() (*engine.HealthConfig, error) {
	if f.NoHealthcheck {
		if f.HealthCmd != "" {
			return nil, invalidf("cannot specify both --no-healthcheck and --health-cmd")
		}
		return &engine.HealthConfig{Test: []string{"NONE"}}, nil
	}
	h := &engine.HealthConfig{OnFailure: f.HealthOnFailure}
	var err error
	if h.Test, err = engine.ParseHealthCmd(f.HealthCmd); err != nil {
		return nil, err
	}
	if f.HealthInterval == "disable" {
		h.Interval = -1
	} else if h.Interval, err = healthDuration("--health-interval", f.HealthInterval); err != nil {
		return nil, err
	}
	if h.Timeout, err = healthDuration("--health-timeout", f.HealthTimeout); err != nil {
		return nil, err
	}
	if h.StartPeriod, err = healthDuration("--health-start-period", f.HealthStartPeriod); err != nil {
		return nil, err
	}
	if f.HealthRetries != nil {
		if *f.HealthRetries < 1 {
			return nil, invalidf("invalid --health-retries %d: at least 1", *f.HealthRetries)
		}
		h.Retries = *f.HealthRetries
	}
	if h.Test == nil && h.Interval == 0 && h.Timeout == 0 && h.StartPeriod == 0 && h.Retries == 0 && h.OnFailure == "" {
		return nil, nil
	}
	return h, nil
}

func healthDuration(flag, v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, invalidf("invalid %s %q: a duration, as 30s or 1m", flag, v)
	}
	return d, nil
}

// HealthcheckCmd is `burrow healthcheck`.
type HealthcheckCmd struct {
	Run HealthcheckRunCmd `cmd:"" help:"Run a container's health check now."`
}

// HealthcheckRunCmd is `burrow healthcheck run`: as podman's, it prints
// nothing and exits 0 when the check passes, prints "unhealthy" and exits
// 1 when it fails. The container's monitor runs it every interval.
type HealthcheckRunCmd struct {
	Container string `arg:"" help:"The container."`
}

// Run runs the check.
func (h *HealthcheckRunCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	c, err := eng.Get(h.Container)
	if err != nil {
		return fmt.Errorf("unable to look up %s to perform a health check: %w", h.Container, err)
	}
	res, err := eng.HealthcheckRun(g.ctx, c)
	if err != nil {
		return err
	}
	if res.ExitCode != 0 {
		fmt.Println(engine.HealthUnhealthy)
		return exitCode(1)
	}
	return nil
}
