package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"go.podman.io/common/pkg/config"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/limits"
	"github.com/burrow-containers/burrow/userns"
)

// conf is the user's containers.conf, read as podman reads it
// (go.podman.io/common/pkg/config: the system files, then the user's, then
// $CONTAINERS_CONF), on first use: most commands need none of it. Whether
// a file names cgroup_manager is read with it.
func (e *Engine) conf() (*config.Config, error) {
	e.confOnce.Do(func() {
		e.confVal, e.confErr = config.New(nil)
		if e.confErr != nil {
			e.confErr = errdefs.Invalid(fmt.Errorf("reading containers.conf: %w", e.confErr))
		}
		e.confSetsCgroupManager = confNames("cgroup_manager")
	})
	return e.confVal, e.confErr
}

// cgroupManager is the cgroup manager new containers get: --cgroup-manager,
// else containers.conf's cgroup_manager, else podman's default.
func (e *Engine) cgroupManager() (string, error) {
	kind, from := e.settings.CgroupManager, "--cgroup-manager"
	if kind == "" {
		c, err := e.conf()
		if err != nil {
			return "", err
		}
		kind, from = c.Engine.CgroupManager, "cgroup_manager in containers.conf"
		if !e.confSetsCgroupManager {
			kind = defaultCgroupManager()
		}
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

// defaultCgroupManager is podman's default where containers.conf names
// none: systemd on a machine systemd runs, unless a rootless user has only
// cgroup v1; cgroupfs elsewhere. (go.podman.io/common decides so only when
// built with its systemd tag, which would also make journald the log
// driver; without it, its default is always cgroupfs.)
func defaultCgroupManager() string {
	if _, err := os.Stat("/run/systemd/system"); err != nil {
		return limits.Cgroupfs
	}
	if !limits.CgroupV2() && userns.HostUID() != 0 {
		return limits.Cgroupfs
	}
	return limits.Systemd
}

// confNames tells whether one of the containers.conf files podman reads
// (go.podman.io/common's search: the system's, the user's, their .d
// directories, $CONTAINERS_CONF and $CONTAINERS_CONF_OVERRIDE) sets key.
func confNames(key string) bool {
	set := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(key) + `\s*=`)
	var files []string
	if f := os.Getenv("CONTAINERS_CONF"); f != "" {
		files = append(files, f)
	} else {
		home := os.Getenv("XDG_CONFIG_HOME")
		if home == "" {
			home = filepath.Join(os.Getenv("HOME"), ".config")
		}
		for _, dir := range []string{"/usr/share/containers", "/etc/containers", filepath.Join(home, "containers")} {
			files = append(files, filepath.Join(dir, "containers.conf"))
			more, _ := filepath.Glob(filepath.Join(dir, "containers.conf.d", "*.conf"))
			files = append(files, more...)
		}
	}
	if f := os.Getenv("CONTAINERS_CONF_OVERRIDE"); f != "" {
		files = append(files, f)
	}
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil && set.Match(b) {
			return true
		}
	}
	return false
}
