package engine

// WithContainerRoot runs fn with the container's root filesystem mounted
// at rootfs (a running container's own mount, or one made for the call),
// and the IDs its root user has in burrow's user namespace, who owns what
// is copied in. The API service streams archives from and into it.
func (e *Engine) WithContainerRoot(ctr *Container, fn func(rootfs string, uid, gid int) error) error {
	spec, err := e.loadSpec(ctr.ID)
	if err != nil {
		return err
	}
	uid, gid, err := specIDs(spec, 0, 0)
	if err != nil {
		return err
	}
	return e.withRoot(ctr, func(rootfs string) error { return fn(rootfs, uid, gid) })
}
