package engine

import (
	"fmt"

	"go.podman.io/common/pkg/config"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/limits"
)

// conf is the user's containers.conf, read as podman reads it
// (go.podman.io/common/pkg/config: the system files, then the user's, then
// $CONTAINERS_CONF), on first use: most commands need none of it.
func (e *Engine) conf() (*config.Config, error) {
	e.confOnce.Do(func() {
		e.confVal, e.confErr = config.New(nil)
		if e.confErr != nil {
			e.confErr = errdefs.Invalid(fmt.Errorf("reading containers.conf: %w", e.confErr))
		}
	})
	return e.confVal, e.confErr
}

// cgroupManager is the cgroup manager new containers get: --cgroup-manager,
// else containers.conf's cgroup_manager (systemd by default).
func (e *Engine) cgroupManager() (string, error) {
	kind, from := e.settings.CgroupManager, "--cgroup-manager"
	if kind == "" {
		c, err := e.conf()
		if err != nil {
			return "", err
		}
		kind, from = c.Engine.CgroupManager, "cgroup_manager in containers.conf"
	}
	if kind == "" {
		kind = limits.Systemd
	}
	if !limits.ValidKind(kind) {
		return "", errdefs.Invalid(fmt.Errorf("%s: invalid cgroup manager %q: use systemd or cgroupfs", from, kind))
	}
	return kind, nil
}

// CgroupManager is the cgroup manager new containers get, for `info`;
// systemd when the setting cannot be read (create reports that error).
func (e *Engine) CgroupManager() string {
	kind, err := e.cgroupManager()
	if err != nil {
		return limits.Systemd
	}
	return kind
}

// applyCgroupsSetting settles c's cgroups (and records the outcome in c, so
// a second call changes nothing): --cgroups, else containers.conf's
// `cgroups`. Disabled, the container runs without a cgroup, and limits asked
// for are dropped with a warning that names the setting (podman warns so).
func (e *Engine) applyCgroupsSetting(c *Config) (warnings []string, err error) {
	setting, from := c.Cgroups, "--cgroups=disabled"
	if setting == "" {
		conf, err := e.conf()
		if err != nil {
			return nil, err
		}
		setting, from = conf.Containers.Cgroups, `cgroups = "disabled" in containers.conf`
	}
	switch setting {
	case "", "enabled":
		c.Cgroups = "enabled"
	case "disabled":
		c.Cgroups, c.CgroupsDisabled = "disabled", true
	default:
		return nil, errdefs.Invalid(fmt.Errorf("invalid cgroups setting %q: use enabled or disabled", setting))
	}
	if c.CgroupsDisabled && c.Limits.Requested() {
		warnings = append(warnings, from+": the resource limits given are not applied; remove it to apply them")
		c.Limits = limits.Limits{}
	}
	if c.CgroupManager == "" {
		if c.CgroupManager, err = e.cgroupManager(); err != nil {
			return nil, err
		}
	}
	return warnings, nil
}
