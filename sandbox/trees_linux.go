package sandbox

import (
	"errors"
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// maxTrees bounds the descriptors sent with the spec: the kernel passes at
// most 253 in one SCM_RIGHTS message.
const maxTrees = 250

// NestedUserNS tells whether the spec asks for a user namespace of the
// container's own, nested in burrow's.
func NestedUserNS(spec *specs.Spec) bool {
	return spec.Linux != nil && hasNamespace(spec, specs.UserNamespace)
}

// isBind tells the mounts the init binds from a source path.
func isBind(m specs.Mount) bool {
	return m.Type == "bind" || parseMountOptions(m.Options).bind
}

// OpenTrees opens, for a container with a user namespace of its own, a
// detached copy (open_tree(OPEN_TREE_CLONE)) of its root and then of the
// source of each of its bind mounts, in the spec's order: the init takes
// them in that order in place of the paths. The init, root of the nested
// namespace only, may not be able to walk to these paths (a home directory
// of mode 0700 belongs to an ID the container may not map); the caller,
// who opens them here, is the user. The caller closes the descriptors.
func OpenTrees(spec *specs.Spec) (_ []int, err error) {
	var fds []int
	defer func() {
		if err != nil {
			for _, fd := range fds {
				unix.Close(fd)
			}
		}
	}()
	open := func(path string, recursive bool) error {
		if len(fds) >= maxTrees {
			return errors.New("too many bind mounts for a container with its own user namespace")
		}
		flags := uint(unix.OPEN_TREE_CLONE | unix.OPEN_TREE_CLOEXEC)
		if recursive {
			flags |= unix.AT_RECURSIVE
		}
		fd, err := unix.OpenTree(unix.AT_FDCWD, path, flags)
		if err != nil {
			return err
		}
		fds = append(fds, fd)
		return nil
	}
	if err := open(spec.Root.Path, true); err != nil {
		return nil, fmt.Errorf("cloning the root filesystem %s: %w", spec.Root.Path, err)
	}
	for _, m := range spec.Mounts {
		if !isBind(m) {
			continue
		}
		if err := open(m.Source, parseMountOptions(m.Options).recursive); err != nil {
			return nil, fmt.Errorf("cloning the source %s of the mount on %s: %w", m.Source, m.Destination, err)
		}
	}
	return fds, nil
}
