package sandbox

import (
	"errors"
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
)

// CloneFlags returns the clone flags for the spec's new namespaces, for the
// parent half of the init protocol (the monitor's, in C). A namespace with
// a path is joined, not created: the network's by the init (setns), an
// IPC, UTS, PID or cgroup one (a pod's) by the monitor before the clone.
// Mount and user namespaces are always the container's own. A user
// namespace (CLONE_NEWUSER) is nested in burrow's: the parent writes its
// ID maps (docs/userns.md).
func CloneFlags(spec *specs.Spec) (uintptr, error) {
	var flags uintptr
	if spec.Linux == nil {
		return 0, errdefs.Invalid(errors.New("spec has no linux section"))
	}
	for _, ns := range spec.Linux.Namespaces {
		switch {
		case ns.Path == "":
		case ns.Type == specs.NetworkNamespace, ns.Type == specs.IPCNamespace, ns.Type == specs.UTSNamespace,
			ns.Type == specs.PIDNamespace, ns.Type == specs.CgroupNamespace:
			continue // joined, not created
		}
		if ns.Path != "" {
			return 0, errdefs.Invalid(fmt.Errorf("joining the %s namespace at %s is not supported", ns.Type, ns.Path))
		}
		switch ns.Type {
		case specs.PIDNamespace:
			flags |= unix.CLONE_NEWPID
		case specs.MountNamespace:
			flags |= unix.CLONE_NEWNS
		case specs.UTSNamespace:
			flags |= unix.CLONE_NEWUTS
		case specs.IPCNamespace:
			flags |= unix.CLONE_NEWIPC
		case specs.NetworkNamespace:
			flags |= unix.CLONE_NEWNET
		case specs.CgroupNamespace:
			// Made by init itself (unshare) once it has its spec, by
			// which time the caller has put it in its cgroup: the
			// namespace's root is then the container's own cgroup.
		case specs.UserNamespace:
			if len(spec.Linux.UIDMappings) == 0 || len(spec.Linux.GIDMappings) == 0 {
				return 0, errdefs.Invalid(errors.New("a user namespace needs UID and GID mappings"))
			}
			flags |= unix.CLONE_NEWUSER
		default:
			return 0, errdefs.Invalid(fmt.Errorf("unknown namespace type %q", ns.Type))
		}
	}
	if flags&unix.CLONE_NEWNS == 0 {
		return 0, errdefs.Invalid(errors.New("the spec must ask for a mount namespace"))
	}
	return flags, nil
}

func classify(m message) error { return ErrorOfKind(m.Kind, m.Message) }

// ErrorOfKind makes the error an init or exec "error" message of kind
// stands for: not found and cannot invoke carry the classes of podman's
// 127 and 126. A parent half written elsewhere reports kind and message.
func ErrorOfKind(kind, msg string) error {
	err := errors.New(msg)
	switch kind {
	case kindNotFound:
		return errdefs.WithClass(errdefs.ClassCommandNotFound, err)
	case kindCannotInvoke:
		return errdefs.WithClass(errdefs.ClassCannotInvoke, err)
	}
	return err
}
