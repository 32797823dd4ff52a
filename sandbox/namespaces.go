package sandbox

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func hasNamespace(spec *specs.Spec, t specs.LinuxNamespaceType) bool {
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == t {
			return true
		}
	}
	return false
}

// newNamespace tells whether the spec makes a namespace of type t (not one
// joined by path, whose hostname or cgroup root belong to its owner).
func newNamespace(spec *specs.Spec, t specs.LinuxNamespaceType) bool {
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == t && ns.Path == "" {
			return true
		}
	}
	return false
}

func fdPath(fd int) string { return fmt.Sprintf("/proc/self/fd/%d", fd) }
