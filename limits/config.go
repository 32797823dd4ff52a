package limits

import (
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"
)

// ConfiguredCgroups is the `cgroups` setting of containers.conf, as podman
// reads it: "enabled" (limits asked for must apply), "disabled" (run without
// a cgroup, and warn about limits asked for), or "" when unset. The file is
// $CONTAINERS_CONF, else ~/.config/containers/containers.conf, else
// /etc/containers/containers.conf.
func ConfiguredCgroups(home string) string {
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
		var conf struct {
			Containers struct {
				Cgroups string `toml:"cgroups"`
			} `toml:"containers"`
		}
		if _, err := toml.DecodeFile(p, &conf); err != nil {
			continue
		}
		if conf.Containers.Cgroups != "" {
			return conf.Containers.Cgroups
		}
	}
	return ""
}
