package engine

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	units "github.com/docker/go-units"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// InspectState is the State of `burrow inspect`, shaped as podman's.
type InspectState struct {
	// OciVersion is the version of the runtime spec burrow's runtime
	// implements, as podman shows its runtime's.
	OciVersion string    `json:"OciVersion"`
	Status     string    `json:"Status"`
	Running    bool      `json:"Running"`
	Paused     bool      `json:"Paused"`
	Restarting bool      `json:"Restarting"`
	OOMKilled  bool      `json:"OOMKilled"`
	Dead       bool      `json:"Dead"`
	Pid        int       `json:"Pid"`
	ConmonPid  int       `json:"ConmonPid"`
	ExitCode   int       `json:"ExitCode"`
	Error      string    `json:"Error"`
	StartedAt  time.Time `json:"StartedAt"`
	FinishedAt time.Time `json:"FinishedAt"`
	// CheckpointedAt and RestoredAt are podman's; burrow checkpoints
	// nothing, so they stay zero.
	CheckpointedAt time.Time `json:"CheckpointedAt"`
	RestoredAt     time.Time `json:"RestoredAt"`
	// Health is what the health checks found (podman 5's name; 4's
	// Healthcheck is the same), for a container with a check.
	Health      *HealthState `json:"Health,omitempty"`
	Healthcheck *HealthState `json:"Healthcheck,omitempty"`
}

// MonitorGoneMessage is inspect's State.Error for a container whose
// process outlived its monitor (State.MonitorGone).
const MonitorGoneMessage = "the container's monitor is gone (killed): its output is no longer logged, its network is down and its exit will not be recorded; stop or remove the container"

// InspectConfig is the Config of `burrow inspect`.
type InspectConfig struct {
	Hostname   string            `json:"Hostname"`
	User       string            `json:"User"`
	Env        []string          `json:"Env"`
	Cmd        []string          `json:"Cmd"`
	Image      string            `json:"Image"`
	WorkingDir string            `json:"WorkingDir"`
	Entrypoint string            `json:"Entrypoint"` // a string, as podman 4's: the words joined
	Tty        bool              `json:"Tty"`
	OpenStdin  bool              `json:"OpenStdin"`
	StopSignal string            `json:"StopSignal"`
	Labels     map[string]string `json:"Labels"`
	// Annotations are podman's of the container's settings and the user's.
	Annotations map[string]string `json:"Annotations"`
	// Healthcheck is the container's health check, in docker's shape
	// (durations in nanoseconds); HealthcheckOnFailureAction its
	// --health-on-failure.
	Healthcheck                *InspectHealthcheck `json:"Healthcheck,omitempty"`
	HealthcheckOnFailureAction string              `json:"HealthcheckOnFailureAction"`
	// ExposedPorts are the ports the container exposes ("80/tcp": {}).
	ExposedPorts map[string]struct{} `json:"ExposedPorts,omitempty"`
	// StopTimeout is how long a stop waits before killing, in seconds.
	StopTimeout uint `json:"StopTimeout"`
}

// InspectHealthcheck is Config.Healthcheck of inspect.
type InspectHealthcheck struct {
	Test        []string      `json:"Test"`
	Interval    time.Duration `json:"Interval,omitempty"`
	Timeout     time.Duration `json:"Timeout,omitempty"`
	StartPeriod time.Duration `json:"StartPeriod,omitempty"`
	Retries     int           `json:"Retries,omitempty"`
}

// InspectHostConfig is the HostConfig of `burrow inspect`.
type InspectHostConfig struct {
	AutoRemove     bool     `json:"AutoRemove"`
	Init           bool     `json:"Init"`
	Privileged     bool     `json:"Privileged"`
	ReadonlyRootfs bool     `json:"ReadonlyRootfs"`
	CapAdd         []string `json:"CapAdd"`
	CapDrop        []string `json:"CapDrop"`
	SecurityOpt    []string `json:"SecurityOpt"`
	NetworkMode    string   `json:"NetworkMode"`
	IpcMode        string   `json:"IpcMode"`
	PidMode        string   `json:"PidMode"`
	UTSMode        string   `json:"UTSMode"`
	GroupAdd       []string `json:"GroupAdd"`
	NetworkRate    uint64   `json:"NetworkRate,omitempty"` // bytes per second the container may send
	Memory         int64    `json:"Memory"`
	MemorySwap     int64    `json:"MemorySwap"`
	NanoCpus       int64    `json:"NanoCpus"`
	CpuShares      uint64   `json:"CpuShares"`
	CpusetCpus     string   `json:"CpusetCpus"`
	PidsLimit      int64    `json:"PidsLimit"`
	ShmSize        int64    `json:"ShmSize"`
	// Ulimits are the process's limits, RLIMIT_ names as podman shows them.
	Ulimits      []InspectUlimit `json:"Ulimits"`
	CgroupParent string          `json:"CgroupParent"`
	PortBindings map[string]any  `json:"PortBindings"`
	// UsernsMode is "" (burrow's own user namespace), keep-id[:...],
	// nomap, or private for --uidmap/--gidmap; IDMappings are then the
	// maps, container IDs to IDs of burrow's namespace, as podman shows.
	UsernsMode string             `json:"UsernsMode"`
	Devices    []Device           `json:"Devices"`
	IDMappings *InspectIDMappings `json:"IDMappings,omitempty"`
	LogConfig  InspectLogConfig   `json:"LogConfig"`
	// Tmpfs are the container's tmpfs mounts, destination to options as
	// podman shows them (they are not among Mounts).
	Tmpfs map[string]string `json:"Tmpfs"`
}

// InspectLogConfig is podman's HostConfig.LogConfig: the log driver, the
// log's path and its maximum size (--log-opt max-size, "0B" for none).
type InspectLogConfig struct {
	Type   string            `json:"Type"`
	Config map[string]string `json:"Config"`
	Path   string            `json:"Path"`
	Tag    string            `json:"Tag"`
	Size   string            `json:"Size"`
}

// InspectIDMappings are podman's HostConfig.IDMappings: CONTAINER:HOST:SIZE.
type InspectIDMappings struct {
	UidMap []string `json:"UidMap"`
	GidMap []string `json:"GidMap"`
}

// InspectData is one container as `burrow inspect` shows it: the fields
// and shape of podman's container inspect that burrow has.
type InspectData struct {
	ID      string       `json:"Id"`
	Created time.Time    `json:"Created"`
	Path    string       `json:"Path"`
	Args    []string     `json:"Args"`
	State   InspectState `json:"State"`
	Image   string       `json:"Image"`
	// SizeRw and SizeRootFs are the container's disk use (inspect --size
	// alone: measuring reads its layer).
	SizeRw          *int64            `json:"SizeRw,omitempty"`
	SizeRootFs      *int64            `json:"SizeRootFs,omitempty"`
	ImageDigest     string            `json:"ImageDigest"`
	ImageName       string            `json:"ImageName"`
	Rootfs          string            `json:"Rootfs"`
	Name            string            `json:"Name"`
	RestartCount    int               `json:"RestartCount"`
	LogPath         string            `json:"LogPath"`
	OCIRuntime      string            `json:"OCIRuntime"`
	Config          InspectConfig     `json:"Config"`
	HostConfig      InspectHostConfig `json:"HostConfig"`
	Mounts          []any             `json:"Mounts"`
	NetworkSettings map[string]any    `json:"NetworkSettings"`
	// Pod is the ID of the container's pod, "" for none; IsInfra marks
	// the pod's infra container.
	Pod     string `json:"Pod"`
	IsInfra bool   `json:"IsInfra"`
	// ResolvConfPath, HostnamePath and HostsPath are the files bound at
	// /etc/resolv.conf, /etc/hostname and /etc/hosts.
	ResolvConfPath string `json:"ResolvConfPath"`
	HostnamePath   string `json:"HostnamePath"`
	HostsPath      string `json:"HostsPath"`
}

// Stopping tells whether a stop command is waiting for the container's
// process to exit.
func (c *Container) Stopping() bool {
	return c.Running() && c.State.Stopper != nil && c.State.Stopper.ownerAlive()
}

// Inspect describes the container.
func (c *Container) Inspect() InspectData {
	e := c.engine
	d := InspectData{
		ID: c.ID, Created: c.Created, Args: []string{}, Image: c.ImageID, ImageName: c.Image, ImageDigest: c.ImageDigest,
		Rootfs: c.Config.Rootfs, Name: c.Name, RestartCount: c.State.RestartCount, Mounts: []any{},
		NetworkSettings: networkSettings(&c.Config), Pod: c.Config.Pod, IsInfra: c.Config.PodInfra != "",
		OCIRuntime: c.Config.Runtime,
	}
	if d.OCIRuntime == "" {
		d.OCIRuntime = RuntimeName
	}
	e.addNetworkSettings(c, d.NetworkSettings)
	etc := filepath.Join(e.ctrDir(c.ID), "etc")
	d.ResolvConfPath, d.HostnamePath, d.HostsPath = filepath.Join(etc, "resolv.conf"), filepath.Join(etc, "hostname"), filepath.Join(etc, "hosts")
	if len(c.Args) > 0 {
		d.Path, d.Args = c.Args[0], c.Args[1:]
	}
	if c.Config.Init {
		// As podman's: the init is the process, the command its arguments.
		d.Path, d.Args = ContainerInitPath, append([]string{"--"}, c.Args...)
	}
	tmpfs := map[string]string{}
	for _, m := range c.Config.Mounts {
		if m.Type == "tmpfs" {
			tmpfs[m.Destination] = inspectTmpfsOptions(m.Options)
			continue
		}
		im := map[string]any{"Type": m.Type, "Destination": m.Destination, "RW": !m.ReadOnly(), "Options": m.Options}
		switch m.Type {
		case "volume":
			im["Name"], im["Source"] = m.Source, filepath.Join(e.volumesDir(), m.Source, "_data")
		case "bind":
			im["Source"] = m.Source
		}
		d.Mounts = append(d.Mounts, im)
	}
	paused := c.Paused()
	d.State = InspectState{
		OciVersion: specs.Version, Status: c.State.Status, Running: c.Running(), Paused: paused, ExitCode: c.State.ExitCode, OOMKilled: c.State.OOMKilled,
		StartedAt: c.State.StartedAt, FinishedAt: c.State.FinishedAt, Error: c.State.Error,
	}
	switch {
	case paused:
		d.State.Status = "paused"
	case c.Stopping():
		d.State.Status = "stopping"
	}
	if c.Running() {
		d.State.Pid, d.State.ConmonPid = c.State.Pid, c.State.MonitorPid
	}
	if c.State.MonitorGone {
		d.State.ConmonPid = 0
		d.State.Error = MonitorGoneMessage
	}
	d.Config = InspectConfig{
		Image: c.Image, Tty: c.Config.TTY, OpenStdin: c.Config.Interactive,
		StopSignal: c.StopSignal, User: c.Config.User, Labels: map[string]string{},
		Cmd: c.Config.Command, Annotations: annotations(&c.Config),
	}
	maps.Copy(d.Config.Labels, c.Config.Labels)
	if c.StopSignal == "" {
		d.Config.StopSignal = "SIGTERM"
	}
	for _, p := range c.Config.Expose {
		if d.Config.ExposedPorts == nil {
			d.Config.ExposedPorts = map[string]struct{}{}
		}
		d.Config.ExposedPorts[p] = struct{}{}
	}
	d.Config.StopTimeout = uint(e.StopTimeout(c) / time.Second)
	d.Config.HealthcheckOnFailureAction = "none"
	if h := c.Config.Healthcheck; h != nil {
		// As podman's, with the defaults the check runs with.
		d.Config.Healthcheck = &InspectHealthcheck{Test: h.Test, Interval: max(h.Interval, 0), Timeout: h.timeout(), StartPeriod: h.StartPeriod, Retries: h.retries()}
		if h.Interval == 0 {
			d.Config.Healthcheck.Interval = DefaultHealthInterval
		}
		if h.OnFailure != "" {
			d.Config.HealthcheckOnFailureAction = h.OnFailure
		}
		d.State.Health = e.Health(c)
		d.State.Healthcheck = d.State.Health
	}
	if s, err := e.loadSpec(c.ID); err == nil {
		d.Config.Hostname = s.Hostname
		d.Config.Env = s.Process.Env
		d.Config.WorkingDir = s.Process.Cwd
	}
	if c.Config.Entrypoint != nil {
		d.Config.Entrypoint = *c.Config.Entrypoint
	}
	d.HostConfig = InspectHostConfig{
		AutoRemove: c.Config.Remove, Init: c.Config.Init, Privileged: c.Config.Privileged, ReadonlyRootfs: c.Config.ReadOnly,
		CapAdd: c.Config.CapAdd, CapDrop: c.Config.CapDrop, NetworkMode: networkMode(&c.Config),
		NetworkRate: c.Config.NetworkRate, Memory: c.Config.Limits.Memory, MemorySwap: c.Config.Limits.MemorySwap,
		NanoCpus: int64(c.Config.Limits.CPUs * 1e9), CpuShares: c.Config.Limits.CPUShares, CpusetCpus: c.Config.Limits.CpusetCpus,
		PidsLimit: c.Config.Limits.PidsLimit, CgroupParent: c.State.Cgroup, PortBindings: d.NetworkSettings["Ports"].(map[string]any),
		ShmSize: ShmBytes(c.Config.ShmSize), Ulimits: []InspectUlimit{},
	}
	if rl, err := e.rlimits(&c.Config); err == nil {
		for _, r := range rl {
			d.HostConfig.Ulimits = append(d.HostConfig.Ulimits, InspectUlimit{Name: r.Type, Soft: r.Soft, Hard: r.Hard})
		}
	}
	d.HostConfig.Devices = append([]Device{}, c.Config.Devices...)
	d.HostConfig.Tmpfs = tmpfs
	d.HostConfig.LogConfig = InspectLogConfig{Type: c.Config.logDriver(), Size: units.HumanSize(float64(max(c.Config.LogSizeMax, 0)))}
	if c.Config.keepsLog() {
		d.LogPath = e.LogPath(c.ID)
		d.HostConfig.LogConfig.Path = d.LogPath
	}
	if c.Config.NoNewPrivileges {
		d.HostConfig.SecurityOpt = []string{"no-new-privileges"}
	}
	d.HostConfig.IpcMode, d.HostConfig.GroupAdd = InspectIpcMode(&c.Config), append([]string{}, c.Config.GroupAdd...)
	d.HostConfig.PidMode, d.HostConfig.UTSMode = inspectNamespaceMode(c.Config.PID), inspectNamespaceMode(c.Config.UTS)
	d.HostConfig.UsernsMode = c.Config.UserNS
	if nestedUserNS(&c.Config) && (d.HostConfig.UsernsMode == "" || d.HostConfig.UsernsMode == UserNSAuto) {
		d.HostConfig.UsernsMode = "private"
	}
	if s, err := e.loadSpec(c.ID); err == nil && s.Linux != nil && len(s.Linux.UIDMappings) > 0 {
		m := &InspectIDMappings{}
		for _, e := range s.Linux.UIDMappings {
			m.UidMap = append(m.UidMap, fmt.Sprintf("%d:%d:%d", e.ContainerID, e.HostID, e.Size))
		}
		for _, e := range s.Linux.GIDMappings {
			m.GidMap = append(m.GidMap, fmt.Sprintf("%d:%d:%d", e.ContainerID, e.HostID, e.Size))
		}
		d.HostConfig.IDMappings = m
	}
	return d
}

// networkSettings is inspect's NetworkSettings: addresses and ports in
// docker's shape ("8080/tcp": [{"HostIp": ..., "HostPort": ...}]).
func networkSettings(c *Config) map[string]any {
	ports := map[string]any{}
	for _, p := range c.Ports {
		ip := p.HostIP
		if ip == "" {
			ip = "0.0.0.0"
		}
		k := p.ContainerPortProto()
		list, _ := ports[k].([]map[string]string)
		ports[k] = append(list, map[string]string{"HostIp": ip, "HostPort": strconv.Itoa(int(p.HostPort))})
	}
	ns := map[string]any{"Ports": ports, "IPAddress": "", "Gateway": "", "NetworkMode": networkMode(c)}
	if networkMode(c) == NetworkSlirp {
		ns["IPAddress"], ns["Gateway"], _ = slirpOptions(c).Addresses()
	}
	return ns
}

// inspectTmpfsOptions are a tmpfs mount's options as podman's inspect
// shows them: the user's, then the defaults the user did not set (rw,
// rprivate, nosuid, nodev), then tmpcopyup unless notmpcopyup.
func inspectTmpfsOptions(user []string) string {
	out, copyUp := splitCopyUp(user)
	has := map[string]bool{}
	for _, o := range out {
		has[o] = true
	}
	if !has["rw"] && !has["ro"] {
		out = append(out, "rw")
	}
	if !slices.ContainsFunc([]string{"private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable"}, func(p string) bool { return has[p] }) {
		out = append(out, "rprivate")
	}
	if !has["suid"] && !has["nosuid"] {
		out = append(out, "nosuid")
	}
	if !has["dev"] && !has["nodev"] {
		out = append(out, "nodev")
	}
	if copyUp {
		out = append(out, "tmpcopyup")
	}
	return strings.Join(out, ",")
}
