package engine

import (
	"fmt"
	"strings"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/slirp"
)

// newNetNS makes the network namespace of a container at path with the
// network sysctls it gets: containers.conf's default_sysctls (podman's
// default net.ipv4.ping_group_range=0 0 lets root of the container ping
// without CAP_NET_RAW), then its own.
func (e *Engine) newNetNS(path string, c *Config) error {
	if err := slirp.NewNetNS(path); err != nil {
		return err
	}
	if err := slirp.SetNetSysctls(path, e.netSysctls(c)); err != nil {
		slirp.RemoveNetNS(path)
		return err
	}
	return nil
}

// netSysctls are the net.* sysctls of containers.conf's default_sysctls
// and the container's own.
func (e *Engine) netSysctls(c *Config) []string {
	var out []string
	if conf, err := e.conf(); err == nil {
		for _, kv := range conf.Sysctls() {
			if strings.HasPrefix(kv, "net.") {
				out = append(out, kv)
			}
		}
	}
	return append(out, c.Sysctls...)
}

// ParseSysctls checks --sysctl KEY=VALUE: burrow sets the sysctls of the
// network namespace (net.*).
func ParseSysctls(list []string) ([]string, error) {
	for _, kv := range list {
		k, _, ok := strings.Cut(kv, "=")
		if !ok || k == "" || strings.Contains(k, "..") || strings.ContainsAny(k, " /") {
			return nil, errdefs.Invalid(fmt.Errorf("invalid --sysctl %q: use KEY=VALUE", kv))
		}
		if !strings.HasPrefix(k, "net.") {
			return nil, errdefs.Invalid(fmt.Errorf("--sysctl %s: burrow sets only the network namespace's sysctls (net.*)", k))
		}
	}
	return list, nil
}

// checkSysctlsNetwork refuses net.* sysctls for a container that gets no
// network namespace of its own to set them in (host, none, container:),
// as podman refuses them with the host's network, instead of dropping
// them.
func checkSysctlsNetwork(c *Config) error {
	if mode := networkMode(c); len(c.Sysctls) > 0 && !userMode(mode) && mode != NetworkBridge {
		return errdefs.Invalid(fmt.Errorf("sysctl %s can't be set since the network namespace is %s: give the container a network of its own", c.Sysctls[0], c.Network))
	}
	return nil
}
