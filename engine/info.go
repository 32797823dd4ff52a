package engine

import "github.com/burrow-containers/burrow/hostinfo"

// HostInfo is what `info` reports of the host.
type HostInfo = hostinfo.Host

// Host describes the host as containers made now would find it: kernel,
// cgroups and the manager new containers get, helpers, namespaces.
func (e *Engine) Host() HostInfo { return hostinfo.GatherHost(e.CgroupManager()) }
