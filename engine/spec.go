package engine

import (
	"fmt"
	"strings"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/limits"
	"github.com/burrow-containers/burrow/network"
	"github.com/burrow-containers/burrow/sandbox"
)

// DefaultCapabilities is podman's default capability set.
var DefaultCapabilities = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
	"CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
	"CAP_SETUID", "CAP_SYS_CHROOT",
}

// DefaultMaskedPaths and DefaultReadonlyPaths are podman's.
var (
	DefaultMaskedPaths = []string{
		"/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/sched_debug", "/proc/scsi", "/proc/timer_list", "/proc/timer_stats",
		"/sys/dev/block", "/sys/devices/virtual/powercap", "/sys/firmware", "/sys/fs/selinux",
		"/proc/interrupts",
	}
	DefaultReadonlyPaths = []string{
		"/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
	}
)

// DefaultPath is the PATH a container gets when its image sets none.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

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
	Privileged    bool
	ReadOnly      bool

	Interactive bool // keep stdin attached
	TTY         bool
	Remove      bool // remove the container when it exits
	// Restart is the restart policy: "", "no", "always", "unless-stopped"
	// or "on-failure", with RestartMax tries at most for on-failure (0:
	// no bound). ParseRestartPolicy checks it.
	Restart string `json:",omitempty"`
	// Network is the network mode: "" (slirp4netns), "none" or "host";
	// "bridge" with Networks.
	Network           string `json:",omitempty"`
	AllowHostLoopback bool   `json:",omitempty"`

	// Networks are the networks made by network create that the
	// container joins, in interface order.
	Networks []network.Attachment `json:",omitempty"`

	// NetworkRate caps what the container sends, bytes per second (0: no cap).
	NetworkRate uint64   `json:",omitempty"`
	DNS         []string `json:",omitempty"` // --dns servers, instead of slirp4netns' forwarder
	AddHosts    []string `json:",omitempty"` // --add-host HOST:IP lines for /etc/hosts
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
}

// capabilities resolves the container's capability set from the defaults,
// --privileged, --cap-add and --cap-drop (both accepting ALL).
func capabilities(c *Config) ([]string, error) {
	set := map[string]bool{}
	base := DefaultCapabilities
	if c.Privileged {
		base = sandbox.CapNames()
	}
	for _, n := range base {
		set[n] = true
	}
	norm := func(n string) (string, error) {
		if strings.EqualFold(n, "ALL") {
			return "ALL", nil
		}
		if _, ok := sandbox.ParseCap(n); !ok {
			return "", errdefs.Invalid(fmt.Errorf("unknown capability %q: see capabilities(7) for the names", n))
		}
		n = strings.ToUpper(n)
		if !strings.HasPrefix(n, "CAP_") {
			n = "CAP_" + n
		}
		return n, nil
	}
	for _, n := range c.CapDrop {
		n, err := norm(n)
		if err != nil {
			return nil, err
		}
		if n == "ALL" {
			set = map[string]bool{}
			continue
		}
		delete(set, n)
	}
	for _, n := range c.CapAdd {
		n, err := norm(n)
		if err != nil {
			return nil, err
		}
		if n == "ALL" {
			for _, a := range sandbox.CapNames() {
				set[a] = true
			}
			continue
		}
		set[n] = true
	}
	var out []string
	for _, n := range sandbox.CapNames() {
		if set[n] {
			out = append(out, n)
		}
	}
	return out, nil
}

// processArgs combines the image's entrypoint and command with the user's
// overrides as podman does: a new entrypoint drops the image's Cmd.
func processArgs(c *Config, img *v1.ImageConfig) []string {
	var entry, cmd []string
	if img != nil {
		entry, cmd = img.Entrypoint, img.Cmd
	}
	if c.Entrypoint != nil {
		entry = nil
		if *c.Entrypoint != "" {
			entry = []string{*c.Entrypoint}
		}
		cmd = nil
	}
	if len(c.Command) > 0 {
		cmd = c.Command
	}
	return append(append([]string{}, entry...), cmd...)
}

// mergeEnv applies overrides (K=V, or K alone to take it from host) on base.
func mergeEnv(base, overrides []string, lookup func(string) (string, bool)) []string {
	out := append([]string{}, base...)
	index := map[string]int{}
	for i, kv := range out {
		k, _, _ := strings.Cut(kv, "=")
		index[k] = i
	}
	for _, kv := range overrides {
		k, _, hasValue := strings.Cut(kv, "=")
		if !hasValue {
			v, ok := lookup(k)
			if !ok {
				continue
			}
			kv = k + "=" + v
		}
		if i, ok := index[k]; ok {
			out[i] = kv
			continue
		}
		index[k] = len(out)
		out = append(out, kv)
	}
	return out
}

func hasEnv(env []string, key string) bool {
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			return true
		}
	}
	return false
}

// defaultMounts are the kernel filesystems every container gets, as podman's.
func defaultMounts(privileged bool) []specs.Mount {
	sysOpts := []string{"nosuid", "noexec", "nodev", "ro"}
	if privileged {
		sysOpts = []string{"nosuid", "noexec", "nodev"}
	}
	return []specs.Mount{
		{Destination: "/proc", Type: "proc", Source: "proc", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
		{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
		{Destination: "/dev/shm", Type: "tmpfs", Source: "shm", Options: []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
		{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: sysOpts},
	}
}

// defaultDevices are bound from the host: a user namespace cannot mknod.
func defaultDevices() []specs.LinuxDevice {
	var out []specs.LinuxDevice
	for _, n := range []string{"null", "zero", "full", "random", "urandom", "tty"} {
		out = append(out, specs.LinuxDevice{Path: "/dev/" + n, Type: "c"})
	}
	return out
}
