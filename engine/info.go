package engine

import "github.com/burrow-containers/burrow/hostinfo"

// HostInfo is what `info` reports of the host.
type HostInfo = hostinfo.Host

// Host describes the host as containers made now would find it: kernel,
// cgroups and the manager new containers get, helpers, namespaces.
func (e *Engine) Host() HostInfo { return hostinfo.GatherHost(e.CgroupManager()) }

// Cgroups tells, without the rest of Host's probing, the cgroup version
// ("v1" or "v2") and how new containers get limits: the manager's name,
// or "none: WHY" where they cannot.
func (e *Engine) Cgroups() (version, manager string) {
	return hostinfo.CgroupVersion(), e.Limits(e.CgroupManager()).String()
}
