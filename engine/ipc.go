package engine

import (
	"fmt"
	"os"
	"strings"

	units "github.com/docker/go-units"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/burrow-containers/burrow/errdefs"
)

// IPC namespace modes (--ipc, the API's HostConfig.IpcMode), as podman's:
//
//   - "" (podman's default, shown as shareable): an IPC namespace of the
//     container's own that others may join; its /dev/shm is its own.
//   - shareable: the same, and its /dev/shm is a tmpfs in burrow's mount
//     namespace (as a pod's), which a container joining it binds too, so
//     that POSIX shared memory (files of /dev/shm) is shared with System V
//     IPC and message queues.
//   - private: a namespace no other container may join.
//   - none: a namespace of its own and no /dev/shm at all.
//   - host: burrow's (the host's) IPC namespace, with the host's /dev/shm
//     and /dev/mqueue bound (none where the host has no /dev/mqueue): a
//     rootless user cannot mount a message queue filesystem for the
//     host's namespace, which podman tries (and fails).
//   - container:ID: the namespace of that running container, and its
//     /dev/shm when it is shareable.
const (
	IPCShareable = "shareable"
	IPCPrivate   = "private"
	IPCNone      = "none"
	IPCHost      = "host"
)

// ParseIPC checks --ipc and returns it as Config.IPC keeps it.
func ParseIPC(s string) (string, error) {
	switch s {
	case "", IPCShareable, IPCPrivate, IPCNone, IPCHost:
		return s, nil
	}
	if other, ok := strings.CutPrefix(s, nsContainer); ok && other != "" {
		return s, nil
	}
	return "", errdefs.Invalid(fmt.Errorf("invalid --ipc %q: use host, none, private, shareable or container:NAME", s))
}

// ipcDonor is the container whose IPC namespace c's joins ("": none).
func ipcDonor(c *Config) string { return nsDonor(c.IPC) }

// settleIPC checks c's --ipc at create: a container: mode names an
// existing container that allows it, kept by ID as podman's inspect shows
// it; a pod's member that shares the pod's IPC takes no mode of its own.
func (e *Engine) settleIPC(c *Config) error {
	if _, err := ParseIPC(c.IPC); err != nil {
		return err
	}
	if c.IPC != "" && c.Pod != "" && c.PodInfra == "" {
		if p, err := e.findPod(c.Pod); err == nil && p.shares("ipc") {
			return errdefs.Invalid(fmt.Errorf("--ipc %s: pod %s shares its IPC namespace with its containers; drop --ipc or make the pod with --share without ipc", c.IPC, p.Name))
		}
	}
	name := ipcDonor(c)
	if name == "" {
		return nil
	}
	other, err := e.Get(name)
	if err != nil {
		return fmt.Errorf("--ipc %s: %w", c.IPC, err)
	}
	if !ipcJoinable(&other.Config) {
		return errdefs.Invalid(fmt.Errorf("joining IPC of container %s is not allowed: non-shareable IPC (hint: use IpcMode:shareable for the donor container)", other.ID))
	}
	c.IPC = nsContainer + other.ID
	return nil
}

// ipcJoinable tells whether other containers may join the IPC namespace
// of a container of c: not a private one, nor one without /dev/shm.
func ipcJoinable(c *Config) bool {
	return c.IPC != IPCPrivate && c.IPC != IPCNone
}

// ipcMounts changes the default /dev/shm and /dev/mqueue for the IPC mode
// of c (id is the container's).
func (e *Engine) ipcMounts(id string, c *Config, mounts []specs.Mount) []specs.Mount {
	bind := func(dest, src string) specs.Mount {
		return specs.Mount{Destination: dest, Type: "bind", Source: src, Options: []string{"rbind", "nosuid", "nodev", "noexec"}}
	}
	var out []specs.Mount
	for _, m := range mounts {
		switch {
		case m.Destination == "/dev/shm" && c.IPC == IPCNone:
			continue
		case m.Destination == "/dev/shm" && c.IPC == IPCHost:
			m = bind("/dev/shm", "/dev/shm")
		case m.Destination == "/dev/mqueue" && c.IPC == IPCHost:
			if st, err := os.Stat("/dev/mqueue"); err != nil || !st.IsDir() {
				continue // the host has none to share
			}
			m = bind("/dev/mqueue", "/dev/mqueue")
		case m.Destination == "/dev/shm" && c.IPC == IPCShareable:
			m = bind("/dev/shm", e.podShmPath(id))
		case m.Destination == "/dev/shm" && ipcDonor(c) != "":
			if d, err := e.Get(ipcDonor(c)); err == nil && d.Config.IPC == IPCShareable {
				m = bind("/dev/shm", e.podShmPath(d.ID))
			}
		}
		out = append(out, m)
	}
	return out
}

// defaultShmSize is podman's /dev/shm where neither --shm-size nor
// containers.conf's shm_size says otherwise.
const defaultShmSize = 64 << 20

// ShmBytes is the size of a /dev/shm of size bytes (0: the default).
func ShmBytes(size int64) int64 {
	if size <= 0 {
		return defaultShmSize
	}
	return size
}

// settleShmSize gives c the size of its /dev/shm: --shm-size, else
// containers.conf's shm_size, else 64 MiB.
func (e *Engine) settleShmSize(c *Config) error {
	if c.ShmSize < 0 {
		return errdefs.Invalid(fmt.Errorf("invalid --shm-size %d: give a size, <number>[<unit>] with unit b, k, m or g", c.ShmSize))
	}
	if c.ShmSize > 0 {
		return nil
	}
	conf, err := e.conf()
	if err != nil {
		return err
	}
	if s := conf.Containers.ShmSize; s != "" {
		n, err := units.RAMInBytes(s)
		if err != nil || n < 0 {
			return errdefs.Invalid(fmt.Errorf("shm_size %q in containers.conf: give a size, <number>[<unit>] with unit b, k, m or g", s))
		}
		c.ShmSize = n
	}
	c.ShmSize = ShmBytes(c.ShmSize)
	return nil
}

// setupShareableShm mounts the /dev/shm of a shareable container when it
// starts; teardownNetwork releases it with a pod infra's.
func (e *Engine) setupShareableShm(r *Record) error {
	if r.Config.IPC != IPCShareable {
		return nil
	}
	return mountShm(e.podShmPath(r.ID), r.Config.ShmSize)
}

// ipcDependent tells whether the container of c joins the IPC namespace
// of ctr (named by ID, name or ID prefix).
func ipcDependent(c *Config, ctr *Container) bool {
	other := ipcDonor(c)
	return other != "" && (other == ctr.ID || other == ctr.Name || strings.HasPrefix(ctr.ID, other))
}

// InspectIpcMode is HostConfig.IpcMode as podman's inspect shows it.
func InspectIpcMode(c *Config) string {
	if c.IPC == "" {
		return IPCShareable
	}
	return c.IPC
}
