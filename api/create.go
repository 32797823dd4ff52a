package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/limits"
)

// strOrList is a command as the API takes it: a list, or (from older
// clients) one string.
type strOrList []string

func (l *strOrList) UnmarshalJSON(b []byte) error {
	var list []string
	if err := json.Unmarshal(b, &list); err == nil {
		*l = list
		return nil
	}
	var one string
	if err := json.Unmarshal(b, &one); err != nil {
		return err
	}
	*l = strOrList{one}
	return nil
}

// createRequest is the body of POST /containers/create: the SDK's type,
// with Cmd and Entrypoint also taking the one-string form.
type createRequest struct {
	container.CreateRequest
	Cmd        strOrList
	Entrypoint strOrList
}

func (s *Server) containerCreate(w http.ResponseWriter, r *http.Request) {
	c, err := readCreate(r)
	if err != nil {
		writeError(w, err)
		return
	}
	ctr, err := s.Engine.Create(r.Context(), c, nil)
	if err != nil {
		writeError(w, err)
		return
	}
	if err := s.Engine.Release(ctr); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, container.CreateResponse{ID: ctr.ID, Warnings: append([]string{}, ctr.Warnings...)})
}

// readCreate reads a create request (?name= and the body) as the engine's
// Config.
func readCreate(r *http.Request) (engine.Config, error) {
	var req createRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		return engine.Config{}, errdefs.Invalid(fmt.Errorf("reading the create request: %w", err))
	}
	return createConfig(r.URL.Query().Get("name"), &req)
}

// createConfig translates a create request into what the engine takes.
func createConfig(name string, req *createRequest) (engine.Config, error) {
	cfg := req.Config
	if cfg == nil {
		cfg = &container.Config{}
	}
	hc := req.HostConfig
	if hc == nil {
		hc = &container.HostConfig{}
	}
	c := engine.Config{
		Image: cfg.Image, Name: name, Command: req.Cmd, Env: cfg.Env, Workdir: cfg.WorkingDir,
		User: cfg.User, Hostname: cfg.Hostname, TTY: cfg.Tty, Interactive: cfg.OpenStdin,
		CapAdd: hc.CapAdd, CapDrop: hc.CapDrop, Privileged: hc.Privileged,
		ReadOnly: hc.ReadonlyRootfs, Remove: hc.AutoRemove, AddHosts: hc.ExtraHosts,
		PublishAll: hc.PublishAllPorts,
	}
	if req.Entrypoint != nil {
		// The engine takes the entrypoint's program; its arguments go
		// before the command's.
		var e string
		if len(req.Entrypoint) > 0 {
			e = req.Entrypoint[0]
			c.Command = append(append([]string{}, req.Entrypoint[1:]...), c.Command...)
		}
		c.Entrypoint = &e
	}
	for _, ip := range hc.DNS {
		c.DNS = append(c.DNS, ip.String())
	}
	var err error
	if c.UserNS, err = engine.ParseUserNS(string(hc.UsernsMode)); err != nil {
		return c, fmt.Errorf("HostConfig.UsernsMode: %w", err)
	}
	switch hc.NetworkMode {
	case "", network.NetworkDefault, network.NetworkBridge:
	default:
		if c.Network, c.AllowHostLoopback, err = engine.ParseNetwork(string(hc.NetworkMode)); err != nil {
			return c, fmt.Errorf("HostConfig.NetworkMode: %w", err)
		}
	}
	if c.Ports, err = portMappings(hc.PortBindings); err != nil {
		return c, err
	}
	for _, bind := range hc.Binds {
		m, err := engine.ParseVolume(bind)
		if err != nil {
			return c, fmt.Errorf("HostConfig.Binds: %w", err)
		}
		c.Mounts = append(c.Mounts, m)
	}
	for dst, opts := range hc.Tmpfs {
		spec := dst
		if opts != "" {
			spec += ":" + opts
		}
		m, err := engine.ParseTmpfs(spec)
		if err != nil {
			return c, fmt.Errorf("HostConfig.Tmpfs: %w", err)
		}
		c.Mounts = append(c.Mounts, m)
	}
	c.Limits = limits.Limits{Memory: hc.Memory, MemorySwap: hc.MemorySwap, CPUs: float64(hc.NanoCPUs) / 1e9}
	if hc.PidsLimit != nil && *hc.PidsLimit != 0 {
		c.Limits.PidsLimit = *hc.PidsLimit
	}
	if hc.CPUShares > 0 {
		c.Limits.CPUShares = uint64(hc.CPUShares)
	}
	if c.Restart, c.RestartMax, err = restartPolicy(hc.RestartPolicy); err != nil {
		return c, err
	}
	return c, nil
}

// portMappings are the published ports of HostConfig.PortBindings: an
// empty HostIp is every address, an empty HostPort a random one.
func portMappings(bindings network.PortMap) ([]engine.PortMapping, error) {
	var out []engine.PortMapping
	for port, binds := range bindings {
		proto := string(port.Proto())
		if proto != "tcp" && proto != "udp" {
			return nil, errdefs.Invalid(fmt.Errorf("HostConfig.PortBindings %s: burrow publishes tcp and udp ports", port))
		}
		if port.Num() == 0 {
			return nil, errdefs.Invalid(fmt.Errorf("HostConfig.PortBindings %s: the container port must not be 0", port))
		}
		for _, b := range binds {
			m := engine.PortMapping{ContainerPort: port.Num(), Protocol: proto}
			if b.HostIP.IsValid() {
				m.HostIP = b.HostIP.String()
			}
			if b.HostPort != "" {
				n, err := strconv.ParseUint(b.HostPort, 10, 16)
				if err != nil {
					return nil, errdefs.Invalid(fmt.Errorf("HostConfig.PortBindings %s: host port %q: burrow takes one port number (no ranges)", port, b.HostPort))
				}
				m.HostPort = uint16(n)
			}
			out = append(out, m)
		}
	}
	return out, nil
}

// restartPolicy checks HostConfig.RestartPolicy and returns the engine's
// policy and retry bound.
func restartPolicy(p container.RestartPolicy) (string, int, error) {
	if err := container.ValidateRestartPolicy(p); err != nil {
		return "", 0, errdefs.Invalid(fmt.Errorf("HostConfig.RestartPolicy: %w", err))
	}
	if p.IsNone() {
		return "", 0, nil
	}
	return string(p.Name), p.MaximumRetryCount, nil
}
