package engine

import (
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/burrow-containers/burrow/limits"
	"github.com/burrow-containers/burrow/network"
)

// Resource limits, as package limits defines them.
type (
	// Limits are a container's cgroup limits.
	Limits = limits.Limits
	// Throttle is a device's I/O rate limit.
	Throttle = limits.Throttle
)

// Config is what a user asks of a container, CLI and API alike.
type Config struct {
	Image  string // image reference; empty with Rootfs
	Rootfs string // a plain directory used as root instead of an image

	Name       string
	Command    []string // replaces the image's Cmd when non-empty
	Entrypoint *string  // replaces the image's Entrypoint when set ("" clears it)
	Env        []string // K=V, after the image's
	Workdir    string
	User       string // uid[:gid] or name[:group]
	Hostname   string

	CapAdd, CapDrop []string
	NoNewPrivileges bool
	// Seccomp is "" (the default profile), "unconfined" or a profile path.
	Seccomp string `json:",omitempty"`
	// Mask and Unmask add to and take from the masked paths (ALL: every
	// default one), as podman's --security-opt mask=/unmask=.
	Mask   []string `json:",omitempty"`
	Unmask []string `json:",omitempty"`
	// Limits are the cgroup limits (-m, --cpus, --pids-limit, ...);
	// StopTimeout is --stop-timeout in seconds (nil: containers.conf's).
	StopTimeout *uint `json:",omitempty"`
	// Cgroups is --cgroups (enabled, disabled; "": containers.conf's),
	// settled at create.
	Cgroups string `json:",omitempty"`
	// CgroupsDisabled (--cgroups=disabled) runs without any.
	Limits          limits.Limits `json:",omitempty"`
	CgroupsDisabled bool          `json:",omitempty"`
	// CgroupManager is how the container gets its cgroup, chosen when it
	// is created and kept for its starts, updates and cleanups:
	// limits.Systemd, limits.Cgroupfs, or "" (systemd: older records).
	CgroupManager string `json:",omitempty"`
	OOMScoreAdj   *int   `json:",omitempty"`
	// ShmSize is the size of /dev/shm in bytes (--shm-size, the API's
	// ShmSize), settled at create: 0 there is containers.conf's shm_size
	// (64 MiB); 0 in a record made before it, 64 MiB.
	ShmSize int64 `json:",omitempty"`
	// PID and UTS are the PID and UTS namespace modes (--pid, --uts;
	// nsmodes.go): "", private, host, container:ID or ns:PATH.
	PID string `json:",omitempty"`
	UTS string `json:",omitempty"`
	// Annotations are the user's OCI annotations (--annotation, the API's
	// HostConfig.Annotations); podman's own are added (annotations).
	Annotations map[string]string `json:",omitempty"`
	// Domainname is the NIS domain name of the container's UTS namespace
	// (the API's Config.Domainname).
	Domainname string `json:",omitempty"`
	// NoHosts leaves the image's /etc/hosts alone (--no-hosts).
	NoHosts bool `json:",omitempty"`
	// Umask is the processes' umask, octal (--umask), settled at create
	// from containers.conf's umask (0022); "" in older records: 0022.
	Umask string `json:",omitempty"`
	// Ulimits are --ulimit's NAME=SOFT[:HARD] or host, after containers.conf's
	// default_ulimits (rlimits has the order).
	Ulimits    []string `json:",omitempty"`
	Privileged bool
	ReadOnly   bool
	// ReadOnlyTmpfs gives a ReadOnly container tmpfs mounts on /run, /tmp
	// and /var/tmp (podman's --read-only-tmpfs, on by default in the CLI;
	// the Docker API's ReadonlyRootfs has none).
	ReadOnlyTmpfs bool `json:",omitempty"`

	Interactive bool // keep stdin attached
	TTY         bool
	Remove      bool // remove the container when it exits
	// BuildBy is the build command whose RUN step the container is: it
	// reads the container's changes after the exit, then removes it. Once
	// that command is gone (killed), nobody will: the container is
	// removed at its exit, or by the next listing when it has exited.
	BuildBy *Launch `json:",omitempty"`
	// Restart is the restart policy: "", "no", "always", "unless-stopped"
	// or "on-failure", with RestartMax tries at most for on-failure (0:
	// no bound). ParseRestartPolicy checks it.
	Restart string `json:",omitempty"`
	// Network is the network mode: "" (slirp4netns), "none" or "host";
	// "bridge" with Networks.
	Network           string `json:",omitempty"`
	AllowHostLoopback bool   `json:",omitempty"`
	// NetworkOptions are slirp4netns' options besides
	// allow_host_loopback (--network slirp4netns:cidr=...,mtu=...).
	NetworkOptions []string `json:",omitempty"`

	// Networks are the networks made by network create that the
	// container joins, in interface order.
	Networks []network.Attachment `json:",omitempty"`

	// NetworkRate caps what the container sends, bytes per second (0: no cap).
	NetworkRate uint64   `json:",omitempty"`
	DNS         []string `json:",omitempty"` // --dns servers, instead of slirp4netns' forwarder
	AddHosts    []string `json:",omitempty"` // --add-host HOST:IP lines for /etc/hosts
	DNSSearch   []string `json:",omitempty"` // --dns-search domains, instead of the host's
	DNSOptions  []string `json:",omitempty"` // --dns-option lines, instead of the host's
	// Sysctls are net.KEY=VALUE sysctls of the container's network
	// namespace (pod create --sysctl), after containers.conf's default_sysctls.
	Sysctls []string `json:",omitempty"`
	// Devices are host devices bind-mounted into the container (--device).
	Devices []Device `json:",omitempty"`
	// Ports are the published ports (-p); a HostPort of 0 is a random one,
	// chosen at start. PublishAll (-P) adds the image's exposed ports.
	Ports      []PortMapping `json:",omitempty"`
	PublishAll bool          `json:",omitempty"`
	// Mounts are -v, --mount and --tmpfs (and image VOLUMEs, added at
	// create); VolumesFrom copies another container's.
	Mounts      []MountSpec `json:",omitempty"`
	VolumesFrom []string    `json:",omitempty"`
	RestartMax  int         `json:",omitempty"`
	// UserNS is the user namespace mode (--userns, ParseUserNS): ""
	// (burrow's own), keep-id[:uid=U,gid=G] or nomap. UIDMap and GIDMap
	// (--uidmap, --gidmap) map container IDs to IDs of burrow's user
	// namespace instead. Either gives the container a user namespace of
	// its own (docs/userns.md).
	UserNS string                 `json:",omitempty"`
	UIDMap []specs.LinuxIDMapping `json:",omitempty"`
	GIDMap []specs.LinuxIDMapping `json:",omitempty"`
	// LogDriver is where the output goes (--log-driver, ParseLogDriver):
	// LogK8sFile ("" in older records), LogNone or LogPassthrough.
	// LogSizeMax (--log-opt max-size) bounds the log in bytes; 0:
	// containers.conf's log_size_max, else no bound.
	LogDriver  string `json:",omitempty"`
	LogSizeMax int64  `json:",omitempty"`
	// Labels are the container's labels (the API's Config.Labels), kept
	// for inspect and list filters.
	Labels map[string]string `json:",omitempty"`
	// Timezone is --tz: a zone of the host's /usr/share/zoneinfo, or
	// local (the host's own), copied to the container's /etc/localtime.
	Timezone string `json:",omitempty"`
	// HostUsers are --hostuser: accounts of the host (names or UIDs)
	// added to the container's /etc/passwd.
	HostUsers []string `json:",omitempty"`
	// UnsetEnv are variables left out of the environment (--unsetenv);
	// UnsetEnvAll leaves out every default and image variable
	// (--unsetenv-all): only Env's remain.
	UnsetEnv    []string `json:",omitempty"`
	UnsetEnvAll bool     `json:",omitempty"`
	// ProxyEnv are the proxy variables of the creator's environment
	// (--http-proxy, on by default), defaults the image's override.
	ProxyEnv []string `json:",omitempty"`
	// Timeout is --timeout, in seconds: the container is killed once it
	// has run this long, its exit code -1 (0: no timeout).
	Timeout uint `json:",omitempty"`
	// ImageVolumes is --image-volume: what the image's VOLUMEs become,
	// bind (anonymous volumes), tmpfs or ignore ("": containers.conf's
	// image_volume_mode, else bind).
	ImageVolumes string `json:",omitempty"`
	// Runtime is --runtime as given: burrow's own runtime (docs: podman
	// compatibility), recorded for inspect's OCIRuntime.
	Runtime string `json:",omitempty"`
	// Pod is the ID of the pod the container belongs to (--pod; a name
	// is resolved at create); PodInfra marks the pod's infra container,
	// InfraBuiltin or InfraImage (pods.go).
	Pod      string `json:",omitempty"`
	PodInfra string `json:",omitempty"`
	// Healthcheck is the container's health check (--health-*, merged
	// with the image's at create; nil: none). healthcheck.go runs it.
	Healthcheck *HealthConfig `json:",omitempty"`
	// StopSignal replaces the image's STOPSIGNAL ("": the image's, else
	// SIGTERM).
	StopSignal string `json:",omitempty"`
	// Expose are the container's exposed ports, PORT/PROTO (--expose and
	// the API's ExposedPorts, with the image's EXPOSE added at create):
	// what it says it listens on; -P publishes them.
	Expose []string `json:",omitempty"`
	// WorkdirMustExist marks a Workdir given with podman's -w: it must
	// exist in the image or be on a mount, as podman's start checks
	// ("workdir ... does not exist on container"). The image's, and a
	// Docker client's, is made when missing.
	WorkdirMustExist bool `json:",omitempty"`
	// Init runs an init (catatonit, from InitPath) as the container's PID
	// 1 with the command as its child, as podman's --init and the API's
	// HostConfig.Init: it reaps orphans and passes signals on. InitPath
	// is settled at create (--init-path, else containers.conf's).
	Init     bool   `json:",omitempty"`
	InitPath string `json:",omitempty"`
	// CreateCommand is the command line that made the container (run or
	// create), argv[0] first: generate systemd --new runs it again.
	CreateCommand []string `json:",omitempty"`
	// Systemd is --systemd: true ("" too), false or always; systemd mode
	// (systemdmode.go) is settled at create.
	Systemd string `json:",omitempty"`
	// IPC is the IPC namespace mode (--ipc, ParseIPC; ipc.go): "",
	// shareable, private, none, host or container:ID.
	IPC string `json:",omitempty"`
	// GroupAdd are supplementary groups of the process (--group-add):
	// GIDs or group names of the container's /etc/group, or keep-groups
	// alone (groups.go).
	GroupAdd []string `json:",omitempty"`
	// Secrets are --secret: secrets of the store (secrets.go) the
	// container gets as files or variables.
	Secrets []SecretRef `json:",omitempty"`
}
