package engine

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/burrow-containers/burrow/errdefs"
)

// Systemd modes of --systemd: true (the default) runs a container in
// systemd mode when its command is an init, always runs it so, false
// never does.
const (
	SystemdTrue   = "true"
	SystemdFalse  = "false"
	SystemdAlways = "always"
)

// systemdInits are the commands that make --systemd=true's systemd mode.
var systemdInits = []string{"/sbin/init", "/usr/sbin/init", "/usr/local/sbin/init"}

// systemdModeMounts are the tmpfs systemd as PID 1 expects writable and
// empty at boot, as podman mounts them.
var systemdModeMounts = []string{"/run", "/run/lock", "/tmp", "/var/log/journal"}

// CheckSystemdMode refuses a --systemd value podman refuses.
func CheckSystemdMode(mode string) error {
	switch mode {
	case "", SystemdTrue, SystemdFalse, SystemdAlways:
		return nil
	}
	return errdefs.Invalid(fmt.Errorf("invalid systemd option requested: %s: use true, false or always", mode))
}

// usesSystemdMode tells whether the container runs in systemd mode, as
// podman decides: always, or (true) when its command is an init or
// systemd, possibly behind the /bin/sh -c a build adds.
func usesSystemdMode(mode string, args []string) bool {
	switch mode {
	case SystemdAlways:
		return true
	case SystemdFalse:
		return false
	}
	if len(args) > 2 && args[0] == "/bin/sh" && args[1] == "-c" {
		args = args[2:]
	}
	return len(args) > 0 && (slices.Contains(systemdInits, args[0]) || filepath.Base(args[0]) == "systemd")
}

// applySystemdMode sets a systemd-mode container up as podman does: the
// tmpfs systemd expects (where no mount of the user's is), its stop
// signal SIGRTMIN+3 (unless one is given) and container_uuid, the ID's
// first 32 digits, which systemd takes as the machine ID.
func (ctr *Container) applySystemdMode(args []string) {
	c := &ctr.Config
	if !usesSystemdMode(c.Systemd, args) {
		return
	}
	for _, dst := range systemdModeMounts {
		if !slices.ContainsFunc(c.Mounts, func(m MountSpec) bool { return m.Destination == dst }) {
			c.Mounts = append(c.Mounts, MountSpec{Type: "tmpfs", Destination: dst, Options: []string{"rw", "nosuid", "nodev"}})
		}
	}
	if c.StopSignal == "" {
		ctr.StopSignal = "SIGRTMIN+3"
	}
	c.Env = append([]string{"container_uuid=" + ctr.ID[:32]}, c.Env...)
}
