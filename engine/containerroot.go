package engine

import specs "github.com/opencontainers/runtime-spec/specs-go"

// WithContainerRoot runs fn with the container's root filesystem mounted
// at rootfs (a running container's own mount, or one made for the call),
// and the IDs its root user has in burrow's user namespace, who owns what
// is copied in. The API service streams archives from and into it.
func (e *Engine) WithContainerRoot(ctr *Container, fn func(rootfs string, uid, gid int) error) error {
	_, uid, gid, err := e.rootUser(ctr)
	if err != nil {
		return err
	}
	return e.withRoot(ctr, func(rootfs string) error { return fn(rootfs, uid, gid) })
}

// WithContainerPath is WithContainerRoot for one path p of the container:
// fn gets the root p lies in and p's path there. For a container that
// does not run, a path under one of its volumes or bind mounts lies in
// that mount's source (copyroot.go), as docker's archive finds it. read
// says p is read as one entry (GET), not written into (PUT).
func (e *Engine) WithContainerPath(ctr *Container, p string, read bool, fn func(root, p string, uid, gid int) error) error {
	spec, uid, gid, err := e.rootUser(ctr)
	if err != nil {
		return err
	}
	return e.withCopyRoot(ctr, spec, func(c *copyRoot) error {
		root, rel, err := c.locate(p, read)
		if err != nil {
			return err
		}
		return fn(root, rel, uid, gid)
	})
}

// rootUser is the container's spec and the IDs its root user has in
// burrow's user namespace.
func (e *Engine) rootUser(ctr *Container) (*specs.Spec, int, int, error) {
	spec, err := e.loadSpec(ctr.ID)
	if err != nil {
		return nil, 0, 0, err
	}
	uid, gid, err := specIDs(spec, 0, 0)
	return spec, uid, gid, err
}
