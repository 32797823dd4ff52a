package api

import (
	"fmt"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"

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
	labels, specs := labelFilters(specs)
	filters, err := engine.ParseFilters(specs)
	if err != nil {
		writeError(w, err)
		return
	}
	all := boolParam(r, "all")
	for _, f := range specs {
		// As docker: a status or exited filter looks at stopped ones too.
		all = all || strings.HasPrefix(f, "status=") || strings.HasPrefix(f, "exited=")
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	out := []container.Summary{}
	now := time.Now()
	for i := len(ctrs) - 1; i >= 0; i-- { // newest first, as docker
		c := ctrs[i]
		if (!all && !c.Running()) || !c.Matches(filters) || !hasLabels(c.Config.Labels, labels) {
			continue
		}
		if limit > 0 && len(out) == limit {
			break
		}
		out = append(out, containerSummary(c, now, s.volumePath))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) containerInspect(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, inspectResponse(c.Inspect(), &c.Config, s.volumePath))
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
func containerSummary(c *engine.Container, now time.Time, volumePath func(string) string) container.Summary {
	sum := container.Summary{
		ID: c.ID, Names: []string{"/" + c.Name}, Image: c.Image, ImageID: "sha256:" + c.ImageID,
		Command: strings.Join(c.Args, " "), Created: c.Created.Unix(), State: dockerState(c.State.Status),
		Status: "Created", Ports: []container.PortSummary{}, Labels: labelsOf(c.Config.Labels),
		Mounts: mountPoints(c.Config.Mounts, volumePath),
	}
	sum.HostConfig.NetworkMode = "default"
	switch c.State.Status {
	case engine.StatusRunning:
		sum.Status = "Up " + humanDuration(now.Sub(c.State.StartedAt))
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
func inspectResponse(d engine.InspectData, c *engine.Config, volumePath func(string) string) inspectBody {
	ts := func(t time.Time) string {
		if t.IsZero() {
			return "0001-01-01T00:00:00Z"
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	ports := portMap(c.Ports)
	out := inspectBody{InspectResponse: container.InspectResponse{
		ID: d.ID, Created: ts(d.Created), Path: d.Path, Args: d.Args, Name: "/" + d.Name,
		Image: "sha256:" + d.Image, RestartCount: d.RestartCount, LogPath: d.LogPath, Driver: "overlay2",
		State: &container.State{
			Status: dockerState(d.State.Status), Running: d.State.Running, Paused: d.State.Paused,
			OOMKilled: d.State.OOMKilled, Pid: d.State.Pid, ExitCode: d.State.ExitCode,
			StartedAt: ts(d.State.StartedAt), FinishedAt: ts(d.State.FinishedAt),
		},
		Config: &container.Config{
			Hostname: d.Config.Hostname, User: d.Config.User, Env: d.Config.Env, Cmd: d.Config.Cmd,
			Image: d.Config.Image, WorkingDir: d.Config.WorkingDir, Entrypoint: d.Config.Entrypoint,
			Tty: d.Config.Tty, OpenStdin: d.Config.OpenStdin, AttachStdout: true, AttachStderr: true,
			StopSignal: d.Config.StopSignal, Labels: labelsOf(c.Labels),
		},
		HostConfig: &container.HostConfig{
			AutoRemove: d.HostConfig.AutoRemove, Privileged: d.HostConfig.Privileged, ReadonlyRootfs: d.HostConfig.ReadonlyRootfs,
			NetworkMode: container.NetworkMode(d.HostConfig.NetworkMode), PortBindings: ports,
			CapAdd: d.HostConfig.CapAdd, CapDrop: d.HostConfig.CapDrop,
			LogConfig: inspectLogConfig(c),
			Resources: container.Resources{Memory: d.HostConfig.Memory, NanoCPUs: d.HostConfig.NanoCpus},
		},
		Mounts: mountPoints(c.Mounts, volumePath),
	}}
	out.NetworkSettings = &inspectNetworkSettings{NetworkSettings: container.NetworkSettings{Ports: ports}}
	out.NetworkSettings.IPAddress, _ = d.NetworkSettings["IPAddress"].(string)
	out.NetworkSettings.Gateway, _ = d.NetworkSettings["Gateway"].(string)
	return out
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

// labelFilters takes the label filters (KEY or KEY=VALUE) out of specs.
func labelFilters(specs []string) (labels, rest []string) {
	for _, f := range specs {
		if l, ok := strings.CutPrefix(f, "label="); ok {
			labels = append(labels, l)
		} else {
			rest = append(rest, f)
		}
	}
	return labels, rest
}

// hasLabels tells whether labels match every filter, as docker's: KEY
// is present, KEY=VALUE has that value.
func hasLabels(labels map[string]string, filters []string) bool {
	for _, f := range filters {
		k, v, withValue := strings.Cut(f, "=")
		got, ok := labels[k]
		if !ok || (withValue && got != v) {
			return false
		}
	}
	return true
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
