package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/moby/moby/api/types/blkiodev"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
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
	req, err := readCreate(r)
	if err != nil {
		writeError(w, err)
		return
	}
	if p := r.URL.Query().Get("platform"); p != "" && p != runtime.GOOS && p != runtime.GOOS+"/"+runtime.GOARCH {
		writeError(w, errdefs.Invalid(fmt.Errorf("platform %s: burrow runs %s/%s containers", p, runtime.GOOS, runtime.GOARCH)))
		return
	}
	req.Config.Image = s.resolveImage(req.Config.Image)
	var imageEnv []string
	if hasBareNames(req.Config.Env) {
		imageEnv = s.imageEnv(r.Context(), req)
	}
	plan, err := createPlan(r.URL.Query().Get("name"), req, imageEnv)
	if err != nil {
		writeError(w, err)
		return
	}
	ctr, err := s.create(r.Context(), plan)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, container.CreateResponse{ID: ctr.ID, Warnings: append([]string{}, ctr.Warnings...)})
}

// readCreate reads the body of a create request.
func readCreate(r *http.Request) (*createRequest, error) {
	var req createRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		return nil, errdefs.Invalid(fmt.Errorf("reading the create request: %w", err))
	}
	if req.Config == nil {
		req.Config = &container.Config{}
	}
	if req.HostConfig == nil {
		req.HostConfig = &container.HostConfig{}
	}
	return &req, nil
}

// imageEnv is the environment of the image a create request names, nil
// when it is not in the store (Create then says so).
func (s *Server) imageEnv(ctx context.Context, req *createRequest) []string {
	img, err := s.Engine.LookupImage(req.Config.Image)
	if err != nil {
		return nil
	}
	cfg, err := s.Engine.ImageConfig(ctx, img)
	if err != nil {
		return nil
	}
	return cfg.Config.Env
}

// create carries out a plan: the bind sources it asks for, the seccomp
// profile the request held, then the container.
func (s *Server) create(ctx context.Context, p *plan) (*engine.Container, error) {
	for _, d := range p.makeDirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("HostConfig.Mounts: creating %s: %w", d, err)
		}
	}
	c := p.config
	if p.seccomp != "" {
		dir, err := s.uploadDir("seccomp")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		// The engine reads the profile at Create only: the container's
		// spec keeps the filter.
		c.Seccomp = filepath.Join(dir, "profile.json")
		if err := os.WriteFile(c.Seccomp, []byte(p.seccomp), 0o600); err != nil {
			return nil, err
		}
	}
	ctr, err := s.Engine.Create(ctx, c, nil)
	if err != nil {
		return nil, err
	}
	if err := s.Engine.Release(ctr); err != nil {
		return nil, err
	}
	return ctr, nil
}

// plan is what a create request asks: the engine's Config, and what the
// service does before Create.
type plan struct {
	config engine.Config
	// makeDirs are bind sources to create (Mounts' CreateMountpoint).
	makeDirs []string
	// seccomp is a profile the request holds (SecurityOpt seccomp=JSON),
	// to hand the engine as a file.
	seccomp string
}

// createPlan translates a create request into what the engine takes,
// given the environment of its image. Every field burrow cannot honour is
// refused with a 400 naming it; the zero values and defaults the docker
// CLI, compose and the SDKs send pass.
func createPlan(name string, req *createRequest, imageEnv []string) (*plan, error) {
	if err := refuseUnsupported(req); err != nil {
		return nil, err
	}
	cfg, hc := req.Config, req.HostConfig
	p := &plan{}
	c := &p.config
	*c = engine.Config{
		Image: cfg.Image, Name: name, Command: req.Cmd, Workdir: cfg.WorkingDir,
		User: cfg.User, Hostname: cfg.Hostname, TTY: cfg.Tty, Interactive: cfg.OpenStdin,
		CapAdd: hc.CapAdd, CapDrop: hc.CapDrop, Privileged: hc.Privileged,
		ReadOnly: hc.ReadonlyRootfs, Remove: hc.AutoRemove, AddHosts: hc.ExtraHosts,
		Labels: cfg.Labels, VolumesFrom: hc.VolumesFrom,
	}
	if hc.OomScoreAdj != 0 {
		adj := hc.OomScoreAdj
		c.OOMScoreAdj = &adj
	}
	var err error
	if c.PID, err = engine.ParseNamespaceMode("HostConfig.PidMode", string(hc.PidMode)); err != nil {
		return nil, err
	}
	if c.UTS, err = engine.ParseNamespaceMode("HostConfig.UTSMode", string(hc.UTSMode)); err != nil {
		return nil, err
	}
	c.ShmSize, c.Domainname, c.Annotations = hc.ShmSize, cfg.Domainname, hc.Annotations
	if c.Ulimits, err = ulimitSpecs("HostConfig.Ulimits", hc.Ulimits); err != nil {
		return nil, err
	}
	if hc.Init != nil {
		// dockerd's docker-init is podman's catatonit here: the same
		// reaper and signal relay as PID 1.
		c.Init = *hc.Init
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
	if c.Env, err = envOverrides("Config.Env", cfg.Env, imageEnv); err != nil {
		return nil, err
	}
	for _, ip := range hc.DNS {
		c.DNS = append(c.DNS, ip.String())
	}
	c.DNSSearch, c.DNSOptions = hc.DNSSearch, hc.DNSOptions
	if c.Sysctls, err = sysctls(hc.Sysctls); err != nil {
		return nil, err
	}
	if c.Devices, err = devices(hc.Devices); err != nil {
		return nil, err
	}
	if c.UserNS, err = engine.ParseUserNS(string(hc.UsernsMode)); err != nil {
		return nil, fmt.Errorf("HostConfig.UsernsMode: %w", err)
	}
	if c.IPC, err = engine.ParseIPC(string(hc.IpcMode)); err != nil {
		return nil, fmt.Errorf("HostConfig.IpcMode: %w", err)
	}
	if err := engine.CheckGroupAdd(hc.GroupAdd); err != nil {
		return nil, fmt.Errorf("HostConfig.GroupAdd: %w", err)
	}
	c.GroupAdd = hc.GroupAdd
	if c.Network, c.AllowHostLoopback, c.Networks, err = networking(cfg, hc, req.NetworkingConfig); err != nil {
		return nil, err
	}
	if c.Ports, err = portMappings(hc.PortBindings); err != nil {
		return nil, err
	}
	if hc.PublishAllPorts {
		// The image's exposed ports and the request's, each on a random
		// host port unless bound already.
		c.PublishAll = true
		exposed, err := exposedPorts(cfg.ExposedPorts)
		if err != nil {
			return nil, err
		}
		c.Ports = engine.PublishExposed(c.Ports, exposed)
	}
	if err := p.mounts(req); err != nil {
		return nil, err
	}
	if c.Limits, err = resources(&hc.Resources); err != nil {
		return nil, err
	}
	if c.Restart, c.RestartMax, err = restartPolicy(hc.RestartPolicy); err != nil {
		return nil, err
	}
	if c.Remove && c.Restart != "" {
		return nil, errdefs.Invalid(errors.New("HostConfig.AutoRemove conflicts with HostConfig.RestartPolicy: choose one"))
	}
	if err := p.security(hc); err != nil {
		return nil, err
	}
	if c.LogDriver, c.LogSizeMax, err = logConfig(hc.LogConfig); err != nil {
		return nil, err
	}
	if c.Healthcheck, err = healthcheck(cfg.Healthcheck); err != nil {
		return nil, err
	}
	if c.StopSignal = cfg.StopSignal; c.StopSignal != "" {
		if _, err := engine.ParseSignal(c.StopSignal); err != nil {
			return nil, fmt.Errorf("Config.StopSignal: %w", err)
		}
	}
	if t := cfg.StopTimeout; t != nil {
		if *t < 0 {
			return nil, errdefs.Invalid(errors.New("Config.StopTimeout: burrow waits a number of seconds, 0 or more"))
		}
		st := uint(*t)
		c.StopTimeout = &st
	}
	for port := range cfg.ExposedPorts {
		c.Expose = append(c.Expose, port.String())
	}
	sort.Strings(c.Expose)
	return p, nil
}

// healthcheck is Config.Healthcheck for the engine, which merges it with
// the image's: an empty Test inherits the image's command, ["NONE"]
// turns it off.
func healthcheck(h *container.HealthConfig) (*engine.HealthConfig, error) {
	if h == nil {
		return nil, nil
	}
	if h.Interval < 0 || h.Timeout < 0 || h.StartPeriod < 0 || h.Retries < 0 {
		return nil, errdefs.Invalid(errors.New("Config.Healthcheck: Interval, Timeout, StartPeriod and Retries cannot be negative"))
	}
	if h.StartInterval != 0 {
		return nil, errdefs.Invalid(errors.New("Config.Healthcheck.StartInterval: burrow checks every Interval, in the start period too; leave it out"))
	}
	out := &engine.HealthConfig{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod, Retries: h.Retries}
	if err := engine.CheckHealthConfig(out); err != nil {
		return nil, fmt.Errorf("Config.Healthcheck: %w", err)
	}
	return out, nil
}

// networking is a create request's network mode and networks. The
// default mode ("", default, bridge) is burrow's default network, a
// user-mode one of the container's own, unless EndpointsConfig names
// networks: then the container is on those only, as dockerd connects it
// to the endpoints given. A NetworkMode that names a network puts the
// container on it first, with its endpoint's settings. host, none,
// container:NAME, slirp4netns and pasta are the engine's modes.
func networking(cfg *container.Config, hc *container.HostConfig, nc *network.NetworkingConfig) (mode string, loopback bool, nets []engine.NetworkAttachment, err error) {
	eps := map[string]*network.EndpointSettings{}
	if nc != nil && nc.EndpointsConfig != nil {
		eps = nc.EndpointsConfig
	}
	m := string(hc.NetworkMode)
	defaultMode := m == "" || m == network.NetworkDefault || m == network.NetworkBridge
	var names []string
	for name := range eps {
		if !isDefaultNetwork(name) && name != m {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	field := func(name string) string { return "NetworkingConfig.EndpointsConfig." + name }
	switch {
	case cfg.NetworkDisabled:
		if len(names) > 0 {
			return "", false, nil, errdefs.Invalid(fmt.Errorf("%s: Config.NetworkDisabled leaves the container without networks", field(names[0])))
		}
		return engine.NetworkNone, false, nil, nil
	case defaultMode && len(names) == 0:
		for name, ep := range eps {
			if err := onlyDefaults(field(name), ep, errBuiltinAlias); err != nil {
				return "", false, nil, err
			}
		}
		return "", false, nil, nil
	case defaultMode:
		for name := range eps {
			if isDefaultNetwork(name) && name != "" {
				return "", false, nil, errdefs.Invalid(fmt.Errorf("%s with other networks: burrow's default network is a user-mode one of the container's own; give the networks alone", field(name)))
			}
		}
	case engine.IsNetworkMode(m):
		if len(names) > 0 {
			return "", false, nil, errdefs.Invalid(fmt.Errorf("%s: a container with NetworkMode %s has no other networks", field(names[0]), m))
		}
		if err := onlyDefaults(field(m), eps[m], fmt.Errorf("NetworkMode %s has no network-scoped aliases", m)); err != nil {
			return "", false, nil, err
		}
		if mode, loopback, err = engine.ParseNetwork(m); err != nil {
			return "", false, nil, fmt.Errorf("HostConfig.NetworkMode: %w", err)
		}
		return mode, loopback, nil, nil
	default:
		names = append([]string{m}, names...)
	}
	for _, name := range names {
		a, err := endpointAttachment(name, field(name), eps[name])
		if err != nil {
			return "", false, nil, err
		}
		nets = append(nets, a)
	}
	return engine.NetworkBridge, false, nets, nil
}

// isDefaultNetwork tells the names of burrow's default network.
func isDefaultNetwork(name string) bool {
	return name == "" || name == network.NetworkDefault || name == network.NetworkBridge
}

// onlyDefaults refuses endpoint settings where there is no network to
// apply them to: aliases (aliasErr), addresses, links, options.
func onlyDefaults(field string, ep *network.EndpointSettings, aliasErr error) error {
	if ep == nil {
		return nil
	}
	a, err := endpointAttachment("", field, ep)
	switch {
	case err != nil:
		return err
	case len(a.Aliases) > 0:
		return errdefs.Invalid(fmt.Errorf("%s.Aliases: %w", field, aliasErr))
	case len(a.IPs) > 0 || a.MAC != "":
		return errdefs.Invalid(fmt.Errorf("%s: an address or MAC needs a network made with POST /networks/create", field))
	}
	return nil
}

// logConfig is HostConfig.LogConfig as the engine's log driver and size
// bound. docker's json-file and local are burrow's k8s-file (logs reads
// each); passthrough, which hands the container the service's own stdio,
// is refused.
func logConfig(lc container.LogConfig) (string, int64, error) {
	t := lc.Type
	if t == "local" {
		t = engine.LogK8sFile
	}
	if t == engine.LogPassthrough {
		return "", 0, errdefs.Invalid(errors.New("HostConfig.LogConfig.Type passthrough: a container of the API service keeps its log"))
	}
	driver, err := engine.ParseLogDriver(t)
	if err != nil {
		return "", 0, fmt.Errorf("HostConfig.LogConfig.Type: %w", err)
	}
	var max int64
	for k, v := range lc.Config {
		if max, err = engine.ParseLogOpt(k + "=" + v); err != nil {
			return "", 0, fmt.Errorf("HostConfig.LogConfig.Config: %w", err)
		}
	}
	return driver, max, nil
}

// hasBareNames tells whether env holds a name without a value, which
// envOverrides checks against the image's or container's environment.
func hasBareNames(env []string) bool {
	for _, kv := range env {
		if !strings.Contains(kv, "=") {
			return true
		}
	}
	return false
}

// envOverrides is a request's environment (field) for the engine, over
// base (the image's, or the container's for an exec). A name without a
// value is never taken from the service's own environment: as dockerd, it
// unsets the variable, which is nothing to do when base does not set it;
// burrow cannot unset one base sets, and says so.
func envOverrides(field string, env, base []string) ([]string, error) {
	var out []string
	for _, kv := range env {
		if strings.Contains(kv, "=") {
			out = append(out, kv)
			continue
		}
		for _, bkv := range base {
			if k, _, _ := strings.Cut(bkv, "="); k == kv {
				return nil, errdefs.Invalid(fmt.Errorf("%s %q: burrow cannot unset a variable the image or the container sets; give %s=VALUE", field, kv, kv))
			}
		}
	}
	return out, nil
}

// exposedPorts are ExposedPorts as PORT/PROTO, refused when one is of a
// protocol burrow does not publish (with PublishAllPorts).
func exposedPorts(exposed network.PortSet) ([]string, error) {
	var out []string
	for port := range exposed {
		proto := string(port.Proto())
		if proto != "tcp" && proto != "udp" {
			return nil, errdefs.Invalid(fmt.Errorf("Config.ExposedPorts %s with PublishAllPorts: burrow publishes tcp and udp ports", port))
		}
		out = append(out, fmt.Sprintf("%d/%s", port.Num(), proto))
	}
	return out, nil
}

// mounts adds Binds, Mounts, Tmpfs and the anonymous Volumes.
func (p *plan) mounts(req *createRequest) error {
	c, hc := &p.config, req.HostConfig
	for _, bind := range hc.Binds {
		if src, _, _ := strings.Cut(bind, ":"); strings.HasPrefix(src, ".") {
			return errdefs.Invalid(fmt.Errorf("HostConfig.Binds %q: the host path must be absolute", bind))
		}
		m, err := engine.ParseVolume(bind)
		if err != nil {
			return fmt.Errorf("HostConfig.Binds: %w", err)
		}
		c.Mounts = append(c.Mounts, m)
	}
	for i, m := range hc.Mounts {
		spec, create, err := mountSpec(m)
		if err != nil {
			return fmt.Errorf("HostConfig.Mounts[%d]: %w", i, err)
		}
		if create {
			p.makeDirs = append(p.makeDirs, spec.Source)
		}
		c.Mounts = append(c.Mounts, spec)
	}
	for dst, opts := range hc.Tmpfs {
		spec := dst
		if opts != "" {
			spec += ":" + opts
		}
		m, err := engine.ParseTmpfs(spec)
		if err != nil {
			return fmt.Errorf("HostConfig.Tmpfs: %w", err)
		}
		m.Options = emptyTmpfs(m.Options)
		c.Mounts = append(c.Mounts, m)
	}
	for dst := range req.Config.Volumes {
		if !path.IsAbs(dst) {
			return errdefs.Invalid(fmt.Errorf("Config.Volumes %q: the path must be absolute", dst))
		}
		mounted := false
		for _, m := range c.Mounts {
			mounted = mounted || m.Destination == path.Clean(dst)
		}
		if !mounted {
			c.Mounts = append(c.Mounts, engine.MountSpec{Type: "volume", Destination: path.Clean(dst), Anonymous: true})
		}
	}
	return nil
}

// mountSpec is one of HostConfig.Mounts for the engine, and whether its
// source is to be created.
func mountSpec(m mount.Mount) (engine.MountSpec, bool, error) {
	bad := func(format string, a ...any) (engine.MountSpec, bool, error) {
		return engine.MountSpec{}, false, errdefs.Invalid(fmt.Errorf(format, a...))
	}
	if !path.IsAbs(m.Target) {
		return bad("Target %q must be an absolute path", m.Target)
	}
	s := engine.MountSpec{Type: string(m.Type), Source: m.Source, Destination: path.Clean(m.Target)}
	if m.ReadOnly {
		s.Options = append(s.Options, "ro")
	}
	create := false
	if m.Type != mount.TypeBind && m.BindOptions != nil {
		return bad("BindOptions are for bind mounts")
	}
	if m.Type != mount.TypeVolume && m.VolumeOptions != nil {
		return bad("VolumeOptions are for volume mounts")
	}
	if m.Type != mount.TypeTmpfs && m.TmpfsOptions != nil {
		return bad("TmpfsOptions are for tmpfs mounts")
	}
	if m.ImageOptions != nil || m.ClusterOptions != nil {
		return bad("burrow mounts bind, volume and tmpfs")
	}
	switch m.Type {
	case mount.TypeBind:
		if !path.IsAbs(m.Source) {
			return bad("Source %q of a bind mount must be an absolute path", m.Source)
		}
		if o := m.BindOptions; o != nil {
			switch {
			case o.Propagation != "" && o.Propagation != mount.PropagationRPrivate && o.Propagation != mount.PropagationPrivate:
				return bad("BindOptions.Propagation %s: burrow's binds are private", o.Propagation)
			case o.NonRecursive:
				return bad("BindOptions.NonRecursive: burrow binds recursively")
			case o.ReadOnlyForceRecursive:
				return bad("BindOptions.ReadOnlyForceRecursive is not supported")
			}
			create = o.CreateMountpoint
		}
	case mount.TypeVolume:
		s.Anonymous = m.Source == ""
		if o := m.VolumeOptions; o != nil {
			switch {
			case o.NoCopy:
				return bad("VolumeOptions.NoCopy: burrow fills a new volume from the image")
			case len(o.Labels) > 0:
				return bad("VolumeOptions.Labels: create the volume first (burrow volume create --label)")
			case o.Subpath != "":
				return bad("VolumeOptions.Subpath is not supported")
			case o.DriverConfig != nil && (o.DriverConfig.Name != "" && o.DriverConfig.Name != "local" || len(o.DriverConfig.Options) > 0):
				return bad("VolumeOptions.DriverConfig: burrow's volumes are local, without options")
			}
		}
	case mount.TypeTmpfs:
		if m.Source != "" {
			return bad("a tmpfs mount takes no Source")
		}
		if o := m.TmpfsOptions; o != nil {
			if o.SizeBytes != 0 {
				s.Options = append(s.Options, fmt.Sprintf("size=%d", o.SizeBytes))
			}
			if o.Mode != 0 {
				s.Options = append(s.Options, fmt.Sprintf("mode=%o", unixMode(o.Mode)))
			}
			for _, kv := range o.Options {
				s.Options = append(s.Options, strings.Join(kv, "="))
			}
		}
		s.Options = emptyTmpfs(s.Options)
	default:
		return bad("Type %q: burrow mounts bind, volume and tmpfs", m.Type)
	}
	return s, create, nil
}

// resources are HostConfig's limits, for the engine.
func resources(r *container.Resources) (engine.Limits, error) {
	l := engine.Limits{
		Memory: r.Memory, MemorySwap: r.MemorySwap, MemoryReservation: r.MemoryReservation,
		CPUs: float64(r.NanoCPUs) / 1e9, CPUQuota: r.CPUQuota, CpusetCpus: r.CpusetCpus, CpusetMems: r.CpusetMems,
		BlkioWeight: r.BlkioWeight,
	}
	if r.PidsLimit != nil && *r.PidsLimit != 0 {
		l.PidsLimit = *r.PidsLimit
	}
	if r.CPUShares < 0 || r.CPUPeriod < 0 {
		return l, errdefs.Invalid(errors.New("HostConfig.CpuShares and CpuPeriod cannot be negative"))
	}
	l.CPUShares, l.CPUPeriod = uint64(r.CPUShares), uint64(r.CPUPeriod)
	for _, t := range []struct {
		field string
		in    []*blkiodev.ThrottleDevice
		out   *[]engine.Throttle
	}{
		{"BlkioDeviceReadBps", r.BlkioDeviceReadBps, &l.DeviceReadBps},
		{"BlkioDeviceWriteBps", r.BlkioDeviceWriteBps, &l.DeviceWriteBps},
		{"BlkioDeviceReadIOps", r.BlkioDeviceReadIOps, &l.DeviceReadIOps},
		{"BlkioDeviceWriteIOps", r.BlkioDeviceWriteIOps, &l.DeviceWriteIOps},
	} {
		for _, d := range t.in {
			if d == nil || !path.IsAbs(d.Path) {
				return l, errdefs.Invalid(fmt.Errorf("HostConfig.%s: each needs a device Path", t.field))
			}
			*t.out = append(*t.out, engine.Throttle{Device: d.Path, Rate: d.Rate})
		}
	}
	return l, nil
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

// unixMode is m as chmod(2) takes it: clients send the octal bits
// (tmpfs-mode=1777 is 0o1777), or os.FileMode's own special bits.
func unixMode(m os.FileMode) uint32 {
	out := uint32(m) & 0o7777
	for bit, u := range map[os.FileMode]uint32{os.ModeSetuid: 0o4000, os.ModeSetgid: 0o2000, os.ModeSticky: 0o1000} {
		if m&bit != 0 {
			out |= u
		}
	}
	return out
}

// sysctls are HostConfig.Sysctls as the CLI's --sysctl takes them: the
// network namespace's (net.*), which burrow sets; any other is refused
// naming the field.
func sysctls(m map[string]string) ([]string, error) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	list := make([]string, 0, len(keys))
	for _, k := range keys {
		list = append(list, k+"="+m[k])
	}
	if _, err := engine.ParseSysctls(list); err != nil {
		return nil, fmt.Errorf("HostConfig.Sysctls: %w", err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	return list, nil
}

// devices are HostConfig.Devices as the CLI's --device takes them (the
// container path defaults to the host's, the permissions to rwm).
func devices(list []container.DeviceMapping) ([]engine.Device, error) {
	var out []engine.Device
	for _, d := range list {
		spec := d.PathOnHost
		if d.PathInContainer != "" {
			spec += ":" + d.PathInContainer
		}
		if d.CgroupPermissions != "" {
			spec += ":" + d.CgroupPermissions
		}
		dev, err := engine.ParseDevice(spec)
		if err != nil {
			return nil, fmt.Errorf("HostConfig.Devices: %w", err)
		}
		out = append(out, dev)
	}
	return out, nil
}

// emptyTmpfs are a tmpfs mount's options with notmpcopyup unless they ask
// for tmpcopyup: dockerd's tmpfs mounts start empty, where podman's --tmpfs
// gets the image's files at the mount point.
func emptyTmpfs(opts []string) []string {
	if slices.Contains(opts, "tmpcopyup") || slices.Contains(opts, "notmpcopyup") {
		return opts
	}
	return append(opts, "notmpcopyup")
}

// ulimitSpecs are a request's ulimits (a create's HostConfig.Ulimits, a
// build's ulimits) as the CLI's --ulimit NAME=SOFT:HARD, checked.
func ulimitSpecs(field string, ulimits []*container.Ulimit) ([]string, error) {
	var out []string
	for _, u := range ulimits {
		if u == nil {
			continue
		}
		if _, err := engine.ParseUlimit(u.String()); err != nil {
			return nil, fmt.Errorf("%s: %w", field, err)
		}
		out = append(out, u.String())
	}
	return out, nil
}
