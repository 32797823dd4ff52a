package limits

import (
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"
)

// containersConf is the part of containers.conf burrow reads.
type containersConf struct {
	Containers struct {
		Cgroups string `toml:"cgroups"`
	} `toml:"containers"`
	Engine struct {
		CgroupManager string `toml:"cgroup_manager"`
	} `toml:"engine"`
}

// ConfiguredCgroups is the `cgroups` setting of containers.conf, as podman
// reads it: "enabled" (limits asked for must apply), "disabled" (run without
// a cgroup, and warn about limits asked for), or "" when unset. The file is
// $CONTAINERS_CONF, else ~/.config/containers/containers.conf, else
// /etc/containers/containers.conf.
func ConfiguredCgroups(home string) string {
	return configured(home, func(c *containersConf) string { return c.Containers.Cgroups })
}

// ConfiguredCgroupManager is the `cgroup_manager` setting under [engine] in
// containers.conf (systemd or cgroupfs), "" when unset; the files are read
// as for ConfiguredCgroups.
func ConfiguredCgroupManager(home string) string {
	return configured(home, func(c *containersConf) string { return c.Engine.CgroupManager })
}

// configured is the first value pick finds set in the containers.conf files.
func configured(home string, pick func(*containersConf) string) string {
	paths := []string{os.Getenv("CONTAINERS_CONF")}
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" {
		paths = append(paths, filepath.Join(x, "containers", "containers.conf"))
	} else if home != "" {
		paths = append(paths, filepath.Join(home, ".config", "containers", "containers.conf"))
	}
	paths = append(paths, "/etc/containers/containers.conf")
	for _, p := range paths {
		if p == "" {
			continue
		}
		var conf containersConf
		if _, err := toml.DecodeFile(p, &conf); err != nil {
			continue
		}
		if v := pick(&conf); v != "" {
			return v
		}
	}
	return ""
}
