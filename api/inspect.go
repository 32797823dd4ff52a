package api

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/storage"

	"github.com/burrow-containers/burrow/engine"
)

func (s *Server) containerList(w http.ResponseWriter, r *http.Request) {
	ctrs, err := s.Engine.List()
	if err != nil {
		writeError(w, err)
		return
	}
	specs, err := filterSpecs(r)
	if err != nil {
		writeError(w, err)
		return
	}
	for i, f := range specs {
		// dockerd's default bridge is burrow's default network mode.
		if f == "network=bridge" || f == "network=default" {
			specs[i] = "network=" + engine.NetworkSlirp
		}
	}
	filters, err := s.Engine.ParseFilters(specs)
	if err != nil {
		writeError(w, err)
		return
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	// As dockerd: a status or exited filter, or a limit, looks at stopped
	// ones too.
	all := boolParam(r, "all") || limit > 0
	for _, f := range specs {
		all = all || strings.HasPrefix(f, "status=") || strings.HasPrefix(f, "exited=")
	}
	out := []container.Summary{}
	now := time.Now()
	for i := len(ctrs) - 1; i >= 0; i-- { // newest first, as docker
		c := ctrs[i]
		if (!all && !c.Running()) || !c.Matches(filters) {
			continue
		}
		if limit > 0 && len(out) == limit {
			break
		}
		sum := containerSummary(c, now, s.volumePath, s.extra(c))
		if boolParam(r, "size") {
			if size, err := s.Engine.Size(c); err == nil {
				sum.SizeRw, sum.SizeRootFs = size.RwSize, size.RootFsSize
			}
		}
		out = append(out, sum)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) containerInspect(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	body := inspectResponse(c.Inspect(), c, s.volumePath, s.extra(c))
	if boolParam(r, "size") {
		if size, err := s.Engine.Size(c); err == nil {
			body.SizeRw, body.SizeRootFs = &size.RwSize, &size.RootFsSize
		}
	}
	writeJSON(w, http.StatusOK, body)
}

// ctrExtra is what a container's summary and inspection show beside its
// record: its places on its networks, and its health.
type ctrExtra struct {
	endpoints []engine.NetworkEndpoint
	health    *engine.HealthState
	execIDs   []string
}

func (s *Server) extra(c *engine.Container) ctrExtra {
	return ctrExtra{endpoints: s.Engine.ContainerEndpoints(c), health: s.Engine.Health(c), execIDs: s.execIDs(c.ID)}
}

// volumePath is where a named volume's data is on the host ("" when it is
// gone).
func (s *Server) volumePath(name string) string {
	v, err := s.Engine.GetVolume(name)
	if err != nil {
		return ""
	}
	return v.Mountpoint
}

// dockerState is a container's state as docker names it.
func dockerState(st string) container.ContainerState {
	if st == engine.StatusCreated {
		return container.StateCreated
	}
	return container.ContainerState(st)
}

// containerSummary is a container as GET /containers/json lists it.
func containerSummary(c *engine.Container, now time.Time, volumePath func(string) string, x ctrExtra) container.Summary {
	sum := container.Summary{
		ID: c.ID, Names: []string{"/" + c.Name}, Image: familiar(c.Image), ImageID: "sha256:" + c.ImageID,
		Command: strings.Join(c.Args, " "), Created: c.Created.Unix(), State: dockerState(c.State.Status),
		Status: "Created", Ports: []container.PortSummary{}, Labels: labelsOf(c.Config.Labels),
		Mounts: mountPoints(c.Config.Mounts, volumePath),
	}
	sum.HostConfig.NetworkMode = apiNetworkMode(&c.Config)
	sum.NetworkSettings = &container.NetworkSettingsSummary{Networks: networksOf(c, x.endpoints)}
	if x.health != nil {
		sum.Health = &container.HealthSummary{Status: container.HealthStatus(x.health.Status), FailingStreak: x.health.FailingStreak}
	}
	switch c.State.Status {
	case engine.StatusRunning:
		sum.Status = "Up " + humanDuration(now.Sub(c.State.StartedAt)) + healthSuffix(x.health)
	case engine.StatusExited:
		sum.Status = fmt.Sprintf("Exited (%d) %s ago", c.State.ExitCode, humanDuration(now.Sub(c.State.FinishedAt)))
	}
	for _, p := range c.Ports() {
		sum.Ports = append(sum.Ports, container.PortSummary{
			IP: hostAddr(p.HostIP), PrivatePort: p.ContainerPort, PublicPort: p.HostPort, Type: p.Protocol,
		})
	}
	return sum
}

// hostAddr is a published port's host address: every IPv4 one when the
// mapping names none, as docker shows it.
func hostAddr(ip string) netip.Addr {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return netip.IPv4Unspecified()
	}
	return a
}

func humanDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return "Less than a second"
	case d < time.Minute:
		return fmt.Sprintf("%d seconds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	}
	return fmt.Sprintf("%d hours", int(d.Hours()))
}

// inspectNetworkSettings adds to the SDK's NetworkSettings the container's
// address and gateway at the top, where API versions before 1.52 have
// them (and docker inspect templates look).
type inspectNetworkSettings struct {
	container.NetworkSettings
	IPAddress string
	Gateway   string
}

// inspectBody is GET /containers/{id}/json.
type inspectBody struct {
	container.InspectResponse
	NetworkSettings *inspectNetworkSettings
}

// inspectResponse is a container as GET /containers/{id}/json shows it,
// from the engine's inspection and the container's configuration.
func inspectResponse(d engine.InspectData, ctr *engine.Container, volumePath func(string) string, x ctrExtra) inspectBody {
	c := &ctr.Config
	ts := func(t time.Time) string {
		if t.IsZero() {
			return "0001-01-01T00:00:00Z"
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	ports := portMap(c.Ports)
	out := inspectBody{InspectResponse: container.InspectResponse{
		ID: d.ID, Created: ts(d.Created), Path: d.Path, Args: d.Args, Name: "/" + d.Name,
		Image: "sha256:" + d.Image, RestartCount: d.RestartCount, LogPath: d.LogPath, Driver: "overlay",
		ResolvConfPath: d.ResolvConfPath, HostnamePath: d.HostnamePath, HostsPath: d.HostsPath,
		Platform: "linux", ExecIDs: x.execIDs,
		GraphDriver: &storage.DriverData{Name: "overlay", Data: map[string]string{}},
		State: &container.State{
			Status: dockerState(d.State.Status), Running: d.State.Running, Paused: d.State.Paused,
			OOMKilled: d.State.OOMKilled, Pid: d.State.Pid, ExitCode: d.State.ExitCode, Error: d.State.Error,
			StartedAt: ts(d.State.StartedAt), FinishedAt: ts(d.State.FinishedAt),
		},
		Config:     inspectConfig(d, c),
		HostConfig: inspectHostConfig(d, c, ports),
		Mounts:     mountPoints(c.Mounts, volumePath),
	}}
	out.State.Health = healthOf(x.health)
	out.Config.Healthcheck = healthConfigOf(c.Healthcheck)
	out.NetworkSettings = &inspectNetworkSettings{NetworkSettings: container.NetworkSettings{Ports: ports, Networks: networksOf(ctr, x.endpoints)}}
	out.NetworkSettings.IPAddress, _ = d.NetworkSettings["IPAddress"].(string)
	out.NetworkSettings.Gateway, _ = d.NetworkSettings["Gateway"].(string)
	for _, ep := range out.NetworkSettings.Networks {
		if out.NetworkSettings.IPAddress == "" && ep.IPAddress.IsValid() {
			out.NetworkSettings.IPAddress, out.NetworkSettings.Gateway = ep.IPAddress.String(), ep.Gateway.String()
		}
	}
	return out
}

// healthSuffix is what a running container's Status says of its health,
// as dockerd's.
func healthSuffix(h *engine.HealthState) string {
	switch {
	case h == nil:
		return ""
	case h.Status == engine.HealthStarting:
		return " (health: starting)"
	}
	return " (" + h.Status + ")"
}

// healthOf is State.Health.
func healthOf(h *engine.HealthState) *container.Health {
	if h == nil {
		return nil
	}
	out := &container.Health{Status: container.HealthStatus(h.Status), FailingStreak: h.FailingStreak, Log: []*container.HealthcheckResult{}}
	for _, r := range h.Log {
		out.Log = append(out.Log, &container.HealthcheckResult{Start: r.Start, End: r.End, ExitCode: r.ExitCode, Output: r.Output})
	}
	return out
}

// healthConfigOf is Config.Healthcheck.
func healthConfigOf(h *engine.HealthConfig) *container.HealthConfig {
	if h == nil {
		return nil
	}
	return &container.HealthConfig{Test: h.Test, Interval: max(h.Interval, 0), Timeout: h.Timeout, StartPeriod: h.StartPeriod, Retries: h.Retries}
}

// apiNetworkMode is the container's NetworkMode as dockerd shows it:
// bridge for burrow's default network, the first network's name for a
// container on networks, else the engine's mode.
func apiNetworkMode(c *engine.Config) string {
	switch {
	case c.Network == "":
		return network.NetworkBridge
	case c.Network == engine.NetworkBridge && len(c.Networks) > 0:
		return c.Networks[0].Network
	}
	return c.Network
}

// networksOf is NetworkSettings.Networks: the container's networks, with
// their addresses while it runs; burrow's default network as bridge, and
// host and none under their names.
func networksOf(c *engine.Container, eps []engine.NetworkEndpoint) map[string]*network.EndpointSettings {
	out := map[string]*network.EndpointSettings{}
	switch c.Config.Network {
	case "":
		b, _ := builtin(network.NetworkBridge)
		es := &network.EndpointSettings{NetworkID: b.ID}
		if c.Running() {
			es.IPAddress, es.Gateway, es.IPPrefixLen = netip.MustParseAddr("10.0.2.100"), netip.MustParseAddr("10.0.2.2"), 24
			es.EndpointID = endpointID(c.ID, b.Name)
		}
		out[b.Name] = es
		return out
	case network.NetworkHost, network.NetworkNone:
		b, _ := builtin(c.Config.Network)
		out[b.Name] = &network.EndpointSettings{NetworkID: b.ID}
		return out
	}
	for _, ep := range eps {
		es := &network.EndpointSettings{
			NetworkID: ep.NetworkID, Aliases: append([]string{}, ep.Aliases...),
			DNSNames: append([]string{c.Name}, ep.Aliases...),
		}
		if mac, err := net.ParseMAC(ep.MAC); err == nil {
			es.MacAddress = network.HardwareAddr(mac)
		}
		for _, a := range ep.Addresses {
			p, err := netip.ParsePrefix(a)
			switch {
			case err != nil:
			case p.Addr().Is4() && !es.IPAddress.IsValid():
				es.IPAddress, es.IPPrefixLen = p.Addr(), p.Bits()
			case !p.Addr().Is4() && !es.GlobalIPv6Address.IsValid():
				es.GlobalIPv6Address, es.GlobalIPv6PrefixLen = p.Addr(), p.Bits()
			}
		}
		for _, g := range ep.Gateways {
			if a, err := netip.ParseAddr(g); err == nil && a.Is4() {
				es.Gateway = a
			} else if err == nil {
				es.IPv6Gateway = a
			}
		}
		if len(ep.Addresses) > 0 {
			es.EndpointID = endpointID(c.ID, ep.Network)
		}
		out[ep.Network] = es
	}
	return out
}

// endpointID names a container's attachment to a network, as dockerd's
// endpoint IDs (burrow keeps none of its own).
func endpointID(ctrID, network string) string {
	sum := sha256.Sum256([]byte(ctrID + "/" + network))
	return hex.EncodeToString(sum[:])
}

// portMap is the published ports in docker's shape: "80/tcp" to its
// bindings, every IPv4 address when the mapping names none.
func portMap(ports []engine.PortMapping) network.PortMap {
	out := network.PortMap{}
	for _, p := range ports {
		k, ok := network.PortFrom(p.ContainerPort, network.IPProtocol(p.Protocol))
		if !ok {
			continue
		}
		out[k] = append(out[k], network.PortBinding{HostIP: hostAddr(p.HostIP), HostPort: strconv.Itoa(int(p.HostPort))})
	}
	return out
}

// mountPoints are a container's mounts as docker shows them.
func mountPoints(specs []engine.MountSpec, volumePath func(string) string) []container.MountPoint {
	out := []container.MountPoint{}
	for _, m := range specs {
		if m.Type == "tmpfs" {
			continue // HostConfig.Tmpfs's, which dockerd lists in neither
		}
		mp := container.MountPoint{
			Type: mount.Type(m.Type), Destination: m.Destination, RW: !m.ReadOnly(),
			Mode: strings.Join(m.Options, ","),
		}
		switch m.Type {
		case "volume":
			mp.Name, mp.Source, mp.Driver = m.Source, volumePath(m.Source), "local"
		case "bind":
			mp.Source, mp.Propagation = m.Source, mount.PropagationRPrivate
		}
		out = append(out, mp)
	}
	return out
}

// labelsOf is a container's labels, {} when it has none.
func labelsOf(l map[string]string) map[string]string {
	if l == nil {
		return map[string]string{}
	}
	return l
}

// inspectLogConfig is the container's log driver as docker shows it.
func inspectLogConfig(c *engine.Config) container.LogConfig {
	lc := container.LogConfig{Type: c.LogDriver, Config: map[string]string{}}
	if lc.Type == "" {
		lc.Type = engine.LogK8sFile
	}
	if c.LogSizeMax > 0 {
		lc.Config["max-size"] = strconv.FormatInt(c.LogSizeMax, 10)
	}
	return lc
}
