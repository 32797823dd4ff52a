package engine

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"go.podman.io/storage/pkg/archive"
	"go.podman.io/storage/pkg/chrootarchive"
	"go.podman.io/storage/pkg/idtools"

	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
)

// copyTarget works out where a copy of src lands for dst, as docker cp
// does: into dst when it is an existing directory, else as dst. A src
// ending in "/." copies the directory's contents rather than itself.
func copyTarget(src string, dstIsDir bool, dst string) (dir, name string, contents bool) {
	contents = strings.HasSuffix(src, "/.") || src == "."
	if dstIsDir {
		return dst, filepath.Base(filepath.Clean(src)), contents
	}
	return filepath.Dir(dst), filepath.Base(dst), contents
}

// withRoot runs fn with the container's root filesystem mounted. A
// running container's root is seen as its process sees it, through
// /proc: with its volumes, binds and tmpfs mounts, as docker cp and podman
// cp see them.
func (e *Engine) withRoot(ctr *Container, fn func(rootfs string) error) error {
	if ctr.Running() {
		if root, done, ok := liveRoot(&ctr.State); ok {
			defer done()
			return fn(root)
		}
	}
	if !ctr.Stored {
		return fn(ctr.Config.Rootfs)
	}
	s, err := e.store()
	if err != nil {
		return err
	}
	rootfs, err := s.Mount(ctr.ID, "")
	if err != nil {
		return fmt.Errorf("mounting the root of container %s: %w", ctr.Name, err)
	}
	// Not forced: a running container keeps its mount.
	defer s.Unmount(ctr.ID, false)
	return fn(rootfs)
}

// CopyFrom copies src, a path in the container, to dst on the host. The
// copies belong to the user, as with docker cp. Links in the container
// are resolved inside its root, never on the host.
func (e *Engine) CopyFrom(ctr *Container, src, dst string) error {
	return e.withRoot(ctr, func(rootfs string) error {
		inside, err := securejoin.SecureJoin(rootfs, src)
		if err != nil {
			return err
		}
		st, err := os.Lstat(inside)
		if err != nil {
			return errdefs.NotFound(fmt.Errorf("copying %s:%s: no such file or directory in the container", ctr.Name, src))
		}
		dstSt, err := os.Stat(dst)
		dstIsDir := err == nil && dstSt.IsDir()
		dir, name, contents := copyTarget(src, dstIsDir, dst)
		if _, err := os.Stat(dir); err != nil {
			return errdefs.NotFound(fmt.Errorf("copying to %s: the directory %s does not exist", dst, dir))
		}
		if contents && !st.IsDir() {
			return errdefs.Invalid(fmt.Errorf("copying %s:%s: not a directory", ctr.Name, src))
		}
		opts := &archive.TarOptions{}
		from := inside
		if !contents {
			from = filepath.Dir(inside)
			opts.IncludeFiles = []string{filepath.Base(inside)}
			opts.RebaseNames = map[string]string{filepath.Base(inside): name}
		} else {
			// The contents go into dst itself, made when missing.
			dir = dst
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
		}
		rd, err := chrootarchive.Tar(from, opts, rootfs)
		if err != nil {
			return fmt.Errorf("copying %s:%s: %w", ctr.Name, src, err)
		}
		defer rd.Close()
		// Owned by whoever copies (root of burrow's user namespace: the user).
		uid, gid := os.Getuid(), os.Getgid()
		err = archive.Untar(rd, dir, &archive.TarOptions{ChownOpts: &idtools.IDPair{UID: uid, GID: gid}, NoOverwriteDirNonDir: true})
		if err != nil {
			return fmt.Errorf("copying %s:%s to %s: %w", ctr.Name, src, dst, err)
		}
		return nil
	})
}

// CopyTo copies src on the host to dst, a path in the container. The copies
// belong to the container's root, as with docker cp; nothing is written
// through a link that leads out of the container's root.
func (e *Engine) CopyTo(ctr *Container, src, dst string) error {
	st, err := os.Lstat(src)
	if err != nil {
		return errdefs.NotFound(fmt.Errorf("copying %s: %w", src, errors.Unwrap(err)))
	}
	return e.withRoot(ctr, func(rootfs string) error {
		inside, err := securejoin.SecureJoin(rootfs, dst)
		if err != nil {
			return err
		}
		dstSt, err := os.Stat(inside)
		dstIsDir := err == nil && dstSt.IsDir()
		dir, name, contents := copyTarget(src, dstIsDir, dst)
		dirInside, err := securejoin.SecureJoin(rootfs, dir)
		if err != nil {
			return err
		}
		if st, err := os.Stat(dirInside); err != nil || !st.IsDir() {
			return errdefs.NotFound(fmt.Errorf("copying to %s:%s: the directory %s does not exist in the container", ctr.Name, dst, dir))
		}
		if contents && !st.IsDir() {
			return errdefs.Invalid(fmt.Errorf("copying %s: not a directory", src))
		}
		opts := &archive.TarOptions{}
		from := src
		if !contents {
			from = filepath.Dir(src)
			opts.IncludeFiles = []string{filepath.Base(src)}
			opts.RebaseNames = map[string]string{filepath.Base(src): name}
		} else {
			// The contents go into dst itself, made when missing (the
			// parent was resolved inside the root above).
			dirInside = filepath.Join(dirInside, name)
			if dstIsDir {
				dirInside = inside
			} else if err := os.Mkdir(dirInside, 0o755); err != nil {
				return err
			}
		}
		var rd io.ReadCloser
		if rd, err = archive.TarWithOptions(from, opts); err != nil {
			return fmt.Errorf("copying %s: %w", src, err)
		}
		defer rd.Close()
		// Unpacked chrooted in the container's root: links in it
		// cannot lead the writes out. Owned by its root: with a user
		// namespace of its own, the IDs that root is in burrow's.
		spec, err := e.loadSpec(ctr.ID)
		if err != nil {
			return err
		}
		uid, gid, err := specIDs(spec, 0, 0)
		if err != nil {
			return err
		}
		err = chrootarchive.UntarWithRoot(rd, dirInside, &archive.TarOptions{ChownOpts: &idtools.IDPair{UID: uid, GID: gid}, NoOverwriteDirNonDir: true}, rootfs)
		if err != nil {
			return fmt.Errorf("copying %s to %s:%s: %w", src, ctr.Name, dst, err)
		}
		return nil
	})
}

// liveRoot is the root of the running init that st records, held open so
// that the path stays the container's even if the init exits and its PID
// is reused: a directory under /proc/self/fd of this process, which the
// chroot helpers that containers/storage re-executes can open too.
func liveRoot(st *State) (root string, done func(), ok bool) {
	if st.Pid <= 0 {
		return "", nil, false
	}
	fd, err := unix.Open(fmt.Sprintf("/proc/%d/root", st.Pid), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return "", nil, false
	}
	// Checked after the open: the fd is the recorded init's root.
	if !st.alive() {
		unix.Close(fd)
		return "", nil, false
	}
	return fmt.Sprintf("/proc/%d/fd/%d", os.Getpid(), fd), func() { unix.Close(fd) }, true
}
