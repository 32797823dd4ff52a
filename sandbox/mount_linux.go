package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// The container's filesystem is built through descriptors: every mount
// point is opened (or created) inside the root once, and the mount is made
// on that descriptor (move_mount), then given its flags on the mount itself
// (mount_setattr). No path is walked twice, so a container sharing a
// volume with this one cannot swap a directory for a link to a host path
// between the check and the mount.

// rootDir is the container's root filesystem while the init builds it.
type rootDir struct {
	path string   // for resolving links lexically (SecureJoin)
	fd   *os.File // every target is opened from here
}

func openRoot(path string) (*rootDir, error) {
	f, err := os.OpenFile(path, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	return &rootDir{path: path, fd: f}, nil
}

func (r *rootDir) Close() error { return r.fd.Close() }

// inRoot resolves dest inside the root as a path relative to it. SecureJoin
// follows links lexically, a dangling one included (an image's
// /etc/resolv.conf may point at a file that does not exist yet: it is made
// where the link points, inside the root). The result is only a name: the
// calls that use it resolve it again from the root's descriptor, so a tree
// changed since can make them fail, never lead them out.
func (r *rootDir) inRoot(dest string) (string, error) {
	p, err := securejoin.SecureJoin(r.path, dest)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(r.path, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("%s resolves outside the root filesystem", dest)
	}
	return rel, nil
}

// mkdirAll makes dest a directory inside the root, with its parents, and
// returns a handle on it.
func (r *rootDir) mkdirAll(dest string) (*os.File, error) {
	rel, err := r.inRoot(dest)
	if err != nil {
		return nil, err
	}
	return pathrs.MkdirAllHandle(r.fd, rel, 0o755)
}

// mkfile returns a handle on the file at dest inside the root, creating it
// (empty) and its directory when missing: a mount point for a file.
func (r *rootDir) mkfile(dest string) (*os.File, error) {
	rel, err := r.inRoot(dest)
	if err != nil {
		return nil, err
	}
	dir, err := pathrs.MkdirAllHandle(r.fd, filepath.Dir(rel), 0o755)
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	name := filepath.Base(rel)
	fd, err := unix.Openat(int(dir.Fd()), name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOENT) {
		fd, err = unix.Openat(int(dir.Fd()), name, unix.O_CREAT|unix.O_EXCL|unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	}
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), filepath.Join(r.path, rel))
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		f.Close()
		return nil, err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFLNK {
		// Resolved above, a link now: the tree changed under us.
		f.Close()
		return nil, fmt.Errorf("%s changed into a link while being mounted on", dest)
	}
	return f, nil
}

// mountOne makes mount m inside the root. A bind mount's source is the
// mount tree tree when it is not -1 (a container with its own user
// namespace), else its path.
func mountOne(root *rootDir, m specs.Mount, newNet bool, tree int) error {
	o := parseMountOptions(m.Options)
	if m.Type == "bind" || o.bind {
		return bindMount(root, m.Destination, m.Source, tree, o)
	}
	target, err := root.mkdirAll(m.Destination)
	if err != nil {
		return err
	}
	defer target.Close()
	// A new filesystem has its flags from fsmount: only the propagation
	// is left to set once attached.
	apply := mountOptions{propagation: o.propagation}
	mnt, err := newMount(m.Type, m.Source, o)
	if err != nil && m.Type == "sysfs" && (errors.Is(err, unix.EPERM) || !newNet) {
		// sysfs can only be mounted by the owner of the network
		// namespace; share the host's read-only instead, as podman does,
		// read-only all through (the host's cgroup hierarchies below
		// it included).
		mnt, err = cloneTree(unix.AT_FDCWD, "/sys", true)
		apply.flags = o.flags | unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC
	}
	if err != nil && m.Type == "devpts" {
		// A gid= option naming an unmapped group fails: retry without.
		var data []string
		for _, d := range o.data {
			if !strings.HasPrefix(d, "gid=") {
				data = append(data, d)
			}
		}
		o.data = data
		mnt, err = newMount(m.Type, m.Source, o)
	}
	if err != nil {
		return err
	}
	defer unix.Close(mnt)
	return attach(mnt, target, apply)
}

// bindMount binds source (or, when tree is not -1, that detached mount
// tree) on dest inside the root, made a directory or a file like the
// source, with o's flags on every mount of the tree.
func bindMount(root *rootDir, dest, source string, tree int, o mountOptions) error {
	if tree < 0 {
		t, err := cloneTree(unix.AT_FDCWD, source, o.recursive)
		if err != nil {
			return err
		}
		defer unix.Close(t)
		tree = t
	}
	var st unix.Stat_t
	if err := unix.Fstat(tree, &st); err != nil {
		return err
	}
	var target *os.File
	var err error
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		target, err = root.mkdirAll(dest)
	} else {
		target, err = root.mkfile(dest)
	}
	if err != nil {
		return err
	}
	defer target.Close()
	return attach(tree, target, o)
}

// cloneTree makes a detached copy of the mount at path from dir
// (open_tree; an empty path: dir itself), with the mounts below it when
// recursive.
func cloneTree(dir int, path string, recursive bool) (int, error) {
	flags := uint(unix.OPEN_TREE_CLONE | unix.OPEN_TREE_CLOEXEC)
	if recursive {
		flags |= unix.AT_RECURSIVE
	}
	if path == "" {
		flags |= unix.AT_EMPTY_PATH
	}
	return unix.OpenTree(dir, path, flags)
}

// newMount makes a detached mount of a new filesystem of type fstype
// (fsopen, fsmount) with o's options and flags.
func newMount(fstype, source string, o mountOptions) (int, error) {
	fs, err := unix.Fsopen(fstype, unix.FSOPEN_CLOEXEC)
	if err != nil {
		return -1, err
	}
	defer unix.Close(fs)
	if source != "" {
		if err := unix.FsconfigSetString(fs, "source", source); err != nil {
			return -1, err
		}
	}
	for _, key := range o.superFlags() {
		if err := unix.FsconfigSetFlag(fs, key); err != nil {
			return -1, fmt.Errorf("option %s: %w", key, err)
		}
	}
	for _, d := range o.data {
		k, v, ok := strings.Cut(d, "=")
		if ok {
			err = unix.FsconfigSetString(fs, k, v)
		} else {
			err = unix.FsconfigSetFlag(fs, k)
		}
		if err != nil {
			return -1, fmt.Errorf("option %s: %w", d, err)
		}
	}
	if err := unix.FsconfigCreate(fs); err != nil {
		return -1, err
	}
	a := o.attr()
	return unix.Fsmount(fs, unix.FSMOUNT_CLOEXEC, int(a.Attr_set))
}

// attach moves the detached mount mnt onto target and gives it o's flags,
// every mount below it included, and o's propagation.
func attach(mnt int, target *os.File, o mountOptions) error {
	if err := unix.MoveMount(mnt, "", int(target.Fd()), "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH); err != nil {
		return err
	}
	return setAttr(mnt, o)
}

// setAttr applies o's flags to the attached mount mnt and all mounts below
// it (a :ro bind is read-only all through), then o's propagation.
func setAttr(mnt int, o mountOptions) error {
	a := o.attr()
	if a.Attr_set|a.Attr_clr != 0 {
		err := unix.MountSetattr(mnt, "", unix.AT_EMPTY_PATH|unix.AT_RECURSIVE, &unix.MountAttr{Attr_set: a.Attr_set, Attr_clr: a.Attr_clr})
		if errors.Is(err, unix.ENOSYS) {
			err = remountTop(mnt, o.flags)
		}
		if err != nil {
			return err
		}
	}
	if o.propagation == 0 {
		return nil
	}
	flags := uint(unix.AT_EMPTY_PATH)
	if o.propagation&unix.MS_REC != 0 {
		flags |= unix.AT_RECURSIVE
	}
	err := unix.MountSetattr(mnt, "", flags, &unix.MountAttr{Propagation: uint64(o.propagation &^ unix.MS_REC)})
	if errors.Is(err, unix.ENOSYS) {
		err = unix.Mount("", fdPath(mnt), "", o.propagation, "")
	}
	return err
}

// lockedFlags are the flags a mount made in a less privileged user namespace
// must keep on remount (the kernel locks them).
const lockedFlags = unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC |
	unix.MS_NOATIME | unix.MS_NODIRATIME | unix.MS_RELATIME

// remountTop adds flags to the attached mount mnt by remounting it, keeping
// those it has: before Linux 5.12 (no mount_setattr) only the top mount of
// a tree can be changed.
func remountTop(mnt int, flags uintptr) error {
	var st unix.Statfs_t
	if err := unix.Fstatfs(mnt, &st); err != nil {
		return err
	}
	keep := uintptr(st.Flags) & lockedFlags
	return unix.Mount("", fdPath(mnt), "", unix.MS_BIND|unix.MS_REMOUNT|keep|(flags&^unix.MS_REC), "")
}

// readonlyRoot makes the container's root mount read-only, and only it:
// volumes, /dev and the others keep their flags (--read-only).
func readonlyRoot() error {
	err := unix.MountSetattr(unix.AT_FDCWD, "/", 0, &unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY})
	if !errors.Is(err, unix.ENOSYS) {
		return err
	}
	root, err := unix.Open("/", unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(root)
	return remountTop(root, unix.MS_RDONLY)
}

func fdPath(fd int) string { return fmt.Sprintf("/proc/self/fd/%d", fd) }

// createDevices binds the host's device nodes into the container's /dev (a
// user namespace may not create device nodes) and makes /dev's usual links.
func createDevices(root *rootDir, devices []specs.LinuxDevice) error {
	for _, d := range devices {
		if err := bindMount(root, d.Path, d.Path, -1, mountOptions{}); err != nil {
			return fmt.Errorf("%s: %w", d.Path, err)
		}
	}
	dev, err := root.mkdirAll("/dev")
	if err != nil {
		return err
	}
	defer dev.Close()
	for name, dest := range map[string]string{
		"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0", "stdout": "/proc/self/fd/1",
		"stderr": "/proc/self/fd/2", "ptmx": "pts/ptmx", "core": "/proc/kcore",
	} {
		if err := unix.Symlinkat(dest, int(dev.Fd()), name); err != nil && !errors.Is(err, unix.EEXIST) {
			return err
		}
	}
	return nil
}

// maskPath hides p (after pivot_root, so inside the container) under an
// empty read-only tmpfs, or /dev/null for a file.
func maskPath(p string) error {
	target, err := os.OpenFile(p, unix.O_PATH|unix.O_CLOEXEC, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer target.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(target.Fd()), &st); err != nil {
		return err
	}
	var mnt int
	o := mountOptions{flags: unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		mnt, err = newMount("tmpfs", "tmpfs", mountOptions{flags: o.flags, data: []string{"size=0k"}})
	} else {
		mnt, err = cloneTree(unix.AT_FDCWD, "/dev/null", false)
		o = mountOptions{}
	}
	if err != nil {
		return err
	}
	defer unix.Close(mnt)
	return attach(mnt, target, o)
}

// readonlyPath makes p (inside the container) read-only, every mount below
// it included, by binding it over itself.
func readonlyPath(p string) error {
	target, err := os.OpenFile(p, unix.O_PATH|unix.O_CLOEXEC, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer target.Close()
	mnt, err := cloneTree(int(target.Fd()), "", true)
	if err != nil {
		return err
	}
	defer unix.Close(mnt)
	return attach(mnt, target, mountOptions{flags: unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC})
}
