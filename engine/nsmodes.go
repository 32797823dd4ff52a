package engine

import (
	"errors"
	"fmt"
	"os"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/burrow-containers/burrow/errdefs"
)

// The PID and UTS namespace modes (--pid, --uts, the API's PidMode and
// UTSMode), as podman's (ipc.go's IPC modes share their container: form and
// its donor's checks):
//
//   - "" or private: a namespace of the container's own.
//   - host: burrow's (the host's): no namespace is made. With the host's
//     PID namespace, /proc is the host's bound (a user namespace cannot
//     mount a procfs for a PID namespace it does not own), as crun does;
//     with the host's UTS namespace, the hostname is the host's.
//   - container:ID: the namespace of that running container.
//   - ns:PATH: the namespace file at PATH.
const (
	nsPrivate   = "private"
	nsHost      = "host"
	nsContainer = "container:"
	nsPath      = "ns:"
)

// ParseNamespaceMode checks flag's (--pid, --uts) mode s and returns it as
// Config keeps it.
func ParseNamespaceMode(flag, s string) (string, error) {
	switch {
	case s == "" || s == nsPrivate || s == nsHost:
		return s, nil
	case strings.HasPrefix(s, nsContainer) && len(s) > len(nsContainer):
		return s, nil
	case strings.HasPrefix(s, nsPath) && strings.HasPrefix(s[len(nsPath):], "/"):
		return s, nil
	}
	return "", errdefs.Invalid(fmt.Errorf("invalid %s %q: use host, private, container:NAME or ns:PATH", flag, s))
}

// nsDonor is the container whose namespace mode joins ("": none).
func nsDonor(mode string) string {
	other, ok := strings.CutPrefix(mode, nsContainer)
	if !ok {
		return ""
	}
	return other
}

// settleNamespaceModes checks c's --pid and --uts at create: a container:
// mode names an existing container, then kept by ID; a pod that shares
// the namespace leaves no choice; the host's UTS namespace brings the
// host's hostname, which --hostname cannot change.
func (e *Engine) settleNamespaceModes(c *Config) error {
	for _, m := range []struct {
		flag, share string
		mode        *string
	}{{"--pid", "pid", &c.PID}, {"--uts", "uts", &c.UTS}} {
		if _, err := ParseNamespaceMode(m.flag, *m.mode); err != nil {
			return err
		}
		if *m.mode != "" && *m.mode != nsPrivate && c.Pod != "" && c.PodInfra == "" {
			if p, err := e.findPod(c.Pod); err == nil && p.shares(m.share) {
				return errdefs.Invalid(fmt.Errorf("%s %s: pod %s shares its %s namespace with its containers; drop %s or make the pod with --share without %s", m.flag, *m.mode, p.Name, m.share, m.flag, m.share))
			}
		}
		if name := nsDonor(*m.mode); name != "" {
			other, err := e.Get(name)
			if err != nil {
				return fmt.Errorf("%s %s: %w", m.flag, *m.mode, err)
			}
			*m.mode = nsContainer + other.ID
		}
	}
	if c.UTS == nsHost {
		if c.Domainname != "" {
			return errdefs.Invalid(errors.New("cannot set the domain name when running in the host UTS namespace: drop one of them"))
		}
		if c.Hostname != "" {
			return errdefs.Invalid(errors.New("cannot set hostname when running in the host UTS namespace: drop --hostname or --uts host"))
		}
		host, err := os.Hostname()
		if err != nil {
			return err
		}
		c.Hostname = host
	}
	return nil
}

// modeNamespace is the namespace of typ for mode in a spec (false: none,
// the host's): a running donor's by /proc path for container:, which
// checkNamespaceDonors has checked before a start.
func (e *Engine) modeNamespace(typ specs.LinuxNamespaceType, file, mode string) (specs.LinuxNamespace, bool) {
	ns := specs.LinuxNamespace{Type: typ}
	switch {
	case mode == nsHost:
		return ns, false
	case strings.HasPrefix(mode, nsPath):
		ns.Path = mode[len(nsPath):]
	case nsDonor(mode) != "":
		if other, err := e.Get(nsDonor(mode)); err == nil && other.Running() {
			ns.Path = fmt.Sprintf("/proc/%d/ns/%s", other.State.Pid, file)
		}
	}
	return ns, true
}

// checkNamespaceDonors refuses to start a container that joins the IPC,
// PID or UTS namespace of one that is gone or not running.
func (e *Engine) checkNamespaceDonors(c *Config) error {
	for _, m := range []struct{ flag, mode string }{{"--ipc", c.IPC}, {"--pid", c.PID}, {"--uts", c.UTS}} {
		name := nsDonor(m.mode)
		if name == "" {
			continue
		}
		other, err := e.Get(name)
		if err != nil {
			return fmt.Errorf("%s %s: %w", m.flag, m.mode, err)
		}
		if !other.Running() {
			return errdefs.Conflict(fmt.Errorf("%s %s: container %s is not running: start it first", m.flag, m.mode, other.Name))
		}
	}
	return nil
}

// refreshModeNamespaces points a stored spec that joins another
// container's IPC, PID or UTS namespace at that container's process of now.
func (e *Engine) refreshModeNamespaces(spec *specs.Spec, c *Config) {
	modes := map[specs.LinuxNamespaceType]struct{ file, mode string }{
		specs.IPCNamespace: {"ipc", c.IPC}, specs.PIDNamespace: {"pid", c.PID}, specs.UTSNamespace: {"uts", c.UTS},
	}
	for i, n := range spec.Linux.Namespaces {
		if m, ok := modes[n.Type]; ok && nsDonor(m.mode) != "" {
			ns, _ := e.modeNamespace(n.Type, m.file, m.mode)
			spec.Linux.Namespaces[i].Path = ns.Path
		}
	}
}

// hostProc replaces the procfs mount of a container in the host's PID
// namespace by a bind of burrow's /proc.
func hostProc(c *Config, mounts []specs.Mount) {
	if c.PID != nsHost {
		return
	}
	for i, m := range mounts {
		if m.Destination == "/proc" && m.Type == "proc" {
			mounts[i] = specs.Mount{Destination: "/proc", Type: "bind", Source: "/proc", Options: []string{"rbind", "nosuid", "noexec", "nodev"}}
		}
	}
}

// inspectNamespaceMode is a mode as podman's inspect shows it: private
// for a namespace of the container's own.
func inspectNamespaceMode(mode string) string {
	if mode == "" {
		return nsPrivate
	}
	return mode
}
