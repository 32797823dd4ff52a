package engine

import "slices"

// readOnlyTmpfsMounts are where podman mounts a tmpfs in a --read-only
// container (--read-only-tmpfs, on by default): the places programs write
// to at run time. The image's content there is copied up, as for any
// tmpfs of the user's.
var readOnlyTmpfsMounts = []string{"/run", "/tmp", "/var/tmp"}

// applyReadOnlyTmpfs adds those mounts to a read-only container, where no
// mount of the user's is.
func (ctr *Container) applyReadOnlyTmpfs() {
	c := &ctr.Config
	if !c.ReadOnly || !c.ReadOnlyTmpfs {
		return
	}
	for _, dst := range readOnlyTmpfsMounts {
		if !slices.ContainsFunc(c.Mounts, func(m MountSpec) bool { return m.Destination == dst }) {
			c.Mounts = append(c.Mounts, MountSpec{Type: "tmpfs", Destination: dst})
		}
	}
}
