package engine

import (
	"archive/tar"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.podman.io/storage/pkg/archive"
	"go.podman.io/storage/pkg/chrootarchive"
	"go.podman.io/storage/pkg/idtools"

	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
)

// CopyOptions are podman cp's flags.
type CopyOptions struct {
	// Archive chowns what lands in a container to the container's user
	// (podman's default); without it the IDs the source has are kept.
	Archive bool
	// Overwrite lets a directory replace a file and a file a directory
	// (--overwrite); without it such a copy is refused.
	Overwrite bool
}

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

// inContainer makes p, a path in the container, absolute: a relative one
// is relative to its working directory, as with podman cp. A trailing
// "/" or "/." is kept, as it tells how the copy is placed.
func inContainer(cwd, p string) string {
	if path.IsAbs(p) {
		return p
	}
	if cwd == "" {
		cwd = "/"
	}
	abs := path.Join(cwd, p)
	switch {
	case p == "." || strings.HasSuffix(p, "/."):
		return strings.TrimSuffix(abs, "/") + "/."
	case strings.HasSuffix(p, "/"):
		return strings.TrimSuffix(abs, "/") + "/"
	}
	return abs
}

// copySource is what a copy reads: a path on the host (root "") or in a
// container's root, already resolved.
type copySource struct {
	arg   string // as the user wrote it, for where the copy lands
	path  string // resolved, on the host
	root  string // the container's root the path is in; "" on the host
	isDir bool
}

// tar packs the source as name, or its contents when contents is set,
// reading a container's files chrooted in its root.
func (s *copySource) tar(contents bool, name string) (io.ReadCloser, error) {
	opts := &archive.TarOptions{}
	from := s.path
	if !contents {
		from = filepath.Dir(s.path)
		base := filepath.Base(s.path)
		opts.IncludeFiles = []string{base}
		opts.RebaseNames = map[string]string{base: name}
	}
	if s.root == "" {
		return archive.TarWithOptions(from, opts)
	}
	return chrootarchive.Tar(from, opts, s.root)
}

// withRoot runs fn with the container's root filesystem mounted. A
// running container's root is seen as its process sees it, through
// /proc: with its volumes, binds and tmpfs mounts, as docker cp and podman
// cp see them.
func (e *Engine) withRoot(ctr *Container, fn func(rootfs string) error) error {
	return e.withRootView(ctr, func(rootfs string, _ bool) error { return fn(rootfs) })
}

// withRootView is withRoot, telling fn whether rootfs is the running
// process's view (live) or the container's layer alone.
func (e *Engine) withRootView(ctr *Container, fn func(rootfs string, live bool) error) error {
	if ctr.Running() {
		if root, done, ok := liveRoot(&ctr.State); ok {
			defer done()
			return fn(root, true)
		}
	}
	if !ctr.Stored {
		return fn(ctr.Config.Rootfs, false)
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
	return fn(rootfs, false)
}

// withSource resolves src, a path in ctr (relative ones against its
// working directory), inside the container's root and runs fn with it.
func (e *Engine) withSource(ctr *Container, src string, fn func(*copySource) error) error {
	spec, err := e.loadSpec(ctr.ID)
	if err != nil {
		return err
	}
	abs := inContainer(specCwd(spec), src)
	return e.withCopyRoot(ctr, spec, func(c *copyRoot) error {
		root, inside, err := c.resolve(abs)
		if err != nil {
			return err
		}
		st, err := os.Lstat(inside)
		if err != nil {
			return notOnContainer(src, ctr)
		}
		if inside == root && root != c.rootfs {
			// The mount point itself: packed from its parent, as
			// itself alone (tar walks no link out of it).
			root = filepath.Dir(root)
		}
		return fn(&copySource{arg: abs, path: inside, root: root, isDir: st.IsDir()})
	})
}

// notOnContainer is podman's error for a path missing in a container,
// which names it as the user wrote it.
func notOnContainer(p string, ctr *Container) error {
	return errdefs.NotFound(fmt.Errorf("%q could not be found on container %s: no such file or directory", p, ctr.Name))
}

// notOnHost is podman's error for a host path that is missing.
func notOnHost(p string) error {
	return errdefs.NotFound(fmt.Errorf("%q could not be found on the host: no such file or directory", p))
}

// CopyFrom copies src, a path in the container, to dst on the host. The
// copies belong to the user, as with podman cp. Links in the container
// are resolved inside its root, never on the host.
func (e *Engine) CopyFrom(ctr *Container, src, dst string, opts CopyOptions) error {
	return e.withSource(ctr, src, func(s *copySource) error {
		dstSt, err := os.Stat(dst)
		dstIsDir := err == nil && dstSt.IsDir()
		if err == nil && !dstIsDir && !dstSt.Mode().IsRegular() {
			return errdefs.Invalid(fmt.Errorf("invalid destination: %q must be a directory or a regular file", dst))
		}
		if err == nil && !dstIsDir && s.isDir {
			return errdefs.Invalid(fmt.Errorf("destination must be a directory when copying a directory"))
		}
		dir, name, contents := copyTarget(s.arg, dstIsDir, dst)
		if _, err := os.Stat(dir); err != nil {
			return notOnHost(dst)
		}
		if contents && !s.isDir {
			return errdefs.Invalid(fmt.Errorf("copying %s:%s: not a directory", ctr.Name, src))
		}
		if contents {
			// The contents go into dst itself, made when missing.
			dir = dst
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
		}
		rd, err := s.tar(contents, name)
		if err != nil {
			return fmt.Errorf("copying %s:%s: %w", ctr.Name, src, err)
		}
		defer rd.Close()
		// Owned by whoever copies (root of burrow's user namespace: the user).
		uid, gid := os.Getuid(), os.Getgid()
		err = archive.Untar(rd, dir, &archive.TarOptions{ChownOpts: &idtools.IDPair{UID: uid, GID: gid}, NoOverwriteDirNonDir: !opts.Overwrite})
		if err != nil {
			return fmt.Errorf("copying %s:%s to %s: %w", ctr.Name, src, dst, err)
		}
		return nil
	})
}

// CopyFromTar writes src, a path in the container, to w as a tar
// archive, as `podman cp CTR:PATH -` does.
func (e *Engine) CopyFromTar(ctr *Container, src string, w io.Writer) error {
	return e.withSource(ctr, src, func(s *copySource) error {
		contents := strings.HasSuffix(s.arg, "/.")
		rd, err := s.tar(contents, filepath.Base(s.path))
		if err != nil {
			return fmt.Errorf("copying %s:%s: %w", ctr.Name, src, err)
		}
		defer rd.Close()
		_, err = io.Copy(w, rd)
		return err
	})
}

// CopyTo copies src on the host to dst, a path in the container; nothing
// is written through a link that leads out of the container's root.
func (e *Engine) CopyTo(ctr *Container, src, dst string, opts CopyOptions) error {
	st, err := os.Lstat(src)
	if err != nil {
		return notOnHost(src)
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		return err
	}
	return e.copyInto(ctr, &copySource{arg: src, path: abs, isDir: st.IsDir()}, dst, opts)
}

// CopyBetween copies src in the container from to dst in the container
// to, as `podman cp A:SRC B:DST` does.
func (e *Engine) CopyBetween(from *Container, src string, to *Container, dst string, opts CopyOptions) error {
	return e.withSource(from, src, func(s *copySource) error {
		return e.copyInto(to, s, dst, opts)
	})
}

// CopyTarTo unpacks the tar archive r into dst, a directory in the
// container, as `podman cp - CTR:DIR` does.
func (e *Engine) CopyTarTo(ctr *Container, r io.Reader, dst string, opts CopyOptions) error {
	spec, err := e.loadSpec(ctr.ID)
	if err != nil {
		return err
	}
	if r, err = tarStream(r); err != nil {
		return err
	}
	abs := inContainer(specCwd(spec), dst)
	return e.withCopyRoot(ctr, spec, func(c *copyRoot) error {
		root, inside, err := c.resolve(abs)
		if err != nil {
			return err
		}
		st, err := os.Stat(inside)
		if err != nil {
			return notOnContainer(dst, ctr)
		}
		if !st.IsDir() {
			return errdefs.Invalid(fmt.Errorf("destination must be a directory when copying from stdin"))
		}
		return e.unpack(ctr, spec, io.NopCloser(r), inside, root, opts)
	})
}

// tarStream is r, decompressed, once its start is seen to be a tar
// archive's: podman refuses anything else on cp's stdin before it writes.
func tarStream(r io.Reader) (io.Reader, error) {
	notTar := errdefs.Invalid(errors.New("source must be a (compressed) tar archive when copying from stdin"))
	dr, err := archive.DecompressStream(r)
	if err != nil {
		return nil, notTar
	}
	br := bufio.NewReaderSize(dr, 64<<10)
	head, _ := br.Peek(512)
	if len(head) == 0 {
		return nil, notTar
	}
	if _, err := tar.NewReader(bytes.NewReader(head)).Next(); err != nil && err != io.EOF {
		return nil, notTar
	}
	return br, nil
}

// copyInto copies s to dst, a path in the container (relative to its
// working directory), placed as podman cp places it.
func (e *Engine) copyInto(ctr *Container, s *copySource, dst string, opts CopyOptions) error {
	spec, err := e.loadSpec(ctr.ID)
	if err != nil {
		return err
	}
	arg := dst
	dst = inContainer(specCwd(spec), dst)
	return e.withCopyRoot(ctr, spec, func(c *copyRoot) error {
		root, inside, err := c.resolve(dst)
		if err != nil {
			return err
		}
		dstSt, err := os.Stat(inside)
		dstIsDir := err == nil && dstSt.IsDir()
		if err == nil && !dstIsDir && s.isDir {
			return errdefs.Invalid(fmt.Errorf("destination must be a directory when copying a directory"))
		}
		if !dstIsDir && (strings.HasSuffix(dst, "/") || strings.HasSuffix(dst, "/.")) {
			return notOnContainer(arg, ctr)
		}
		// Placed where dst leads in the container: a dangling link
		// gets its target written, as with podman cp.
		rel, err := filepath.Rel(root, inside)
		if err != nil {
			return err
		}
		dir, name, contents := copyTarget(s.arg, dstIsDir, filepath.Join("/", rel))
		dirInside, err := securejoin.SecureJoin(root, dir)
		if err != nil {
			return err
		}
		if st, err := os.Stat(dirInside); err != nil || !st.IsDir() {
			return notOnContainer(arg, ctr)
		}
		if contents && !s.isDir {
			return errdefs.Invalid(fmt.Errorf("copying %s: not a directory", s.arg))
		}
		if contents {
			// The contents go into dst itself, made when missing (the
			// parent was resolved inside the root above).
			dirInside = filepath.Join(dirInside, name)
			if dstIsDir {
				dirInside = inside
			} else if err := os.Mkdir(dirInside, 0o755); err != nil {
				return err
			}
		}
		rd, err := s.tar(contents, name)
		if err != nil {
			return fmt.Errorf("copying %s: %w", s.arg, err)
		}
		return e.unpack(ctr, spec, rd, dirInside, root, opts)
	})
}

// unpack unpacks rd into dir, chrooted in the container's root: links in
// it cannot lead the writes out. With opts.Archive what lands belongs to
// the container's user, as with podman cp; else it keeps the archive's
// IDs, as the container sees them.
func (e *Engine) unpack(ctr *Container, spec *specs.Spec, rd io.ReadCloser, dir, rootfs string, opts CopyOptions) error {
	defer rd.Close()
	topts := &archive.TarOptions{NoOverwriteDirNonDir: !opts.Overwrite}
	if opts.Archive {
		var uid, gid uint32
		if spec != nil && spec.Process != nil {
			uid, gid = spec.Process.User.UID, spec.Process.User.GID
		}
		u, g, err := specIDs(spec, uid, gid)
		if err != nil {
			return err
		}
		topts.ChownOpts = &idtools.IDPair{UID: u, GID: g}
	} else if spec != nil && spec.Linux != nil {
		topts.UIDMaps, topts.GIDMaps = idMaps(spec.Linux.UIDMappings), idMaps(spec.Linux.GIDMappings)
	}
	if err := chrootarchive.UntarWithRoot(rd, dir, topts, rootfs); err != nil {
		return fmt.Errorf("copying into %s: %w", ctr.Name, err)
	}
	return nil
}

// idMaps converts a spec's ID mappings to the archive package's.
func idMaps(m []specs.LinuxIDMapping) []idtools.IDMap {
	var out []idtools.IDMap
	for _, x := range m {
		out = append(out, idtools.IDMap{ContainerID: int(x.ContainerID), HostID: int(x.HostID), Size: int(x.Size)})
	}
	return out
}

// specCwd is the working directory of the container's process.
func specCwd(spec *specs.Spec) string {
	if spec == nil || spec.Process == nil {
		return "/"
	}
	return spec.Process.Cwd
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
