package api

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/moby/moby/api/types/blkiodev"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"

	"github.com/burrow-containers/burrow/engine"
)

// inspectConfig is Config of GET /containers/{id}/json: what the
// container runs and with what, as the create request gave it (and the
// image filled in).
func inspectConfig(d engine.InspectData, c *engine.Config) *container.Config {
	out := &container.Config{
		Hostname: d.Config.Hostname, Domainname: c.Domainname, User: d.Config.User, Env: d.Config.Env, Cmd: d.Config.Cmd,
		Image: familiar(d.Config.Image), WorkingDir: d.Config.WorkingDir,
		Tty: d.Config.Tty, OpenStdin: d.Config.OpenStdin, AttachStdin: d.Config.OpenStdin, AttachStdout: true, AttachStderr: true,
		StopSignal: d.Config.StopSignal, Labels: labelsOf(c.Labels), Healthcheck: healthConfigOf(c.Healthcheck),
	}
	if c.Entrypoint != nil {
		out.Entrypoint = []string{*c.Entrypoint}
	}
	if t := int(d.Config.StopTimeout); t > 0 {
		out.StopTimeout = &t
	}
	for p := range d.Config.ExposedPorts {
		if port, err := network.ParsePort(p); err == nil {
			if out.ExposedPorts == nil {
				out.ExposedPorts = network.PortSet{}
			}
			out.ExposedPorts[port] = struct{}{}
		}
	}
	for _, m := range c.Mounts {
		if m.Type == "volume" && m.Anonymous {
			if out.Volumes == nil {
				out.Volumes = map[string]struct{}{}
			}
			out.Volumes[m.Destination] = struct{}{}
		}
	}
	return out
}

// inspectHostConfig is HostConfig of GET /containers/{id}/json: how the
// container is set up on the host, in the create request's terms. Binds
// hold every bind and named volume (-v and --mount alike), Tmpfs the
// tmpfs mounts.
func inspectHostConfig(d engine.InspectData, c *engine.Config, ports network.PortMap) *container.HostConfig {
	hc := &container.HostConfig{
		AutoRemove: c.Remove, Privileged: c.Privileged, ReadonlyRootfs: c.ReadOnly,
		NetworkMode: container.NetworkMode(apiNetworkMode(c)), PortBindings: ports, PublishAllPorts: c.PublishAll,
		CapAdd: c.CapAdd, CapDrop: c.CapDrop, ExtraHosts: c.AddHosts, VolumesFrom: c.VolumesFrom,
		LogConfig: inspectLogConfig(c), SecurityOpt: d.HostConfig.SecurityOpt, UsernsMode: container.UsernsMode(c.UserNS),
		RestartPolicy: container.RestartPolicy{Name: container.RestartPolicyDisabled, MaximumRetryCount: c.RestartMax},
		IpcMode:       container.IpcMode(engine.InspectIpcMode(c)), PidMode: container.PidMode(c.PID), UTSMode: container.UTSMode(c.UTS), GroupAdd: c.GroupAdd, ShmSize: engine.ShmBytes(c.ShmSize), ConsoleSize: [2]uint{0, 0}, Resources: inspectResources(c.Limits),
	}
	if c.Restart != "" {
		hc.RestartPolicy.Name = container.RestartPolicyMode(c.Restart)
	}
	if c.OOMScoreAdj != nil {
		hc.OomScoreAdj = *c.OOMScoreAdj
	}
	hc.Annotations = c.Annotations
	for _, s := range c.Ulimits {
		if u, err := engine.ParseUlimit(s); err == nil && u != nil {
			hc.Ulimits = append(hc.Ulimits, u)
		}
	}
	if c.Init {
		hc.Init = &c.Init
	}
	for _, ip := range c.DNS {
		if a, err := netip.ParseAddr(ip); err == nil {
			hc.DNS = append(hc.DNS, a)
		}
	}
	hc.DNSSearch, hc.DNSOptions = c.DNSSearch, c.DNSOptions
	for _, kv := range c.Sysctls {
		if k, v, ok := strings.Cut(kv, "="); ok {
			if hc.Sysctls == nil {
				hc.Sysctls = map[string]string{}
			}
			hc.Sysctls[k] = v
		}
	}
	for _, m := range c.Mounts {
		switch {
		case m.Type == "tmpfs":
			if hc.Tmpfs == nil {
				hc.Tmpfs = map[string]string{}
			}
			hc.Tmpfs[m.Destination] = strings.Join(slices.DeleteFunc(slices.Clone(m.Options), func(o string) bool { return o == "notmpcopyup" }), ",")
		case m.Type == "bind" || m.Type == "volume" && !m.Anonymous:
			b := m.Source + ":" + m.Destination
			if len(m.Options) > 0 {
				b += ":" + strings.Join(m.Options, ",")
			}
			hc.Binds = append(hc.Binds, b)
		}
	}
	return hc
}

// inspectResources are the container's limits in the API's terms.
func inspectResources(l engine.Limits) container.Resources {
	r := container.Resources{
		Memory: l.Memory, MemorySwap: l.MemorySwap, MemoryReservation: l.MemoryReservation,
		NanoCPUs: int64(l.CPUs * 1e9), CPUShares: int64(l.CPUShares), CPUQuota: l.CPUQuota, CPUPeriod: int64(l.CPUPeriod),
		CpusetCpus: l.CpusetCpus, CpusetMems: l.CpusetMems, BlkioWeight: l.BlkioWeight,
	}
	if l.PidsLimit != 0 {
		n := l.PidsLimit
		r.PidsLimit = &n
	}
	for _, t := range []struct {
		in  []engine.Throttle
		out *[]*blkiodev.ThrottleDevice
	}{
		{l.DeviceReadBps, &r.BlkioDeviceReadBps}, {l.DeviceWriteBps, &r.BlkioDeviceWriteBps},
		{l.DeviceReadIOps, &r.BlkioDeviceReadIOps}, {l.DeviceWriteIOps, &r.BlkioDeviceWriteIOps},
	} {
		for _, d := range t.in {
			*t.out = append(*t.out, &blkiodev.ThrottleDevice{Path: d.Device, Rate: d.Rate})
		}
	}
	return r
}
