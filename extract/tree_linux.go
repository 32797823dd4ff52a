package extract

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

var errNotDir = errors.New("not a directory")

// maxLinks bounds the symlinks followed while creating one directory, as
// the kernel's ELOOP does.
const maxLinks = 40

// tree is a root directory held open; every path below is relative to it.
type tree struct {
	root    *os.File
	rootDir string // the root as /proc/self/fd shows it, to find a descriptor's path in the root
}

func openTree(root string) (*tree, error) {
	f, err := os.OpenFile(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	dir, err := os.Readlink(fdPath(f))
	if err != nil {
		f.Close()
		return nil, err
	}
	return &tree{root: f, rootDir: dir}, nil
}

func (t *tree) close() { t.root.Close() }

func fdPath(f *os.File) string { return "/proc/self/fd/" + strconv.Itoa(int(f.Fd())) }

// resolve opens rel ("" for the root) with flags, every symlink on the way
// resolved as if the root were "/".
func (t *tree) resolve(rel string, flags uint64) (*os.File, error) {
	p := rel
	if p == "" {
		p = "."
	}
	how := unix.OpenHow{Flags: flags | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS}
	for tries := 0; ; tries++ {
		fd, err := unix.Openat2(int(t.root.Fd()), p, &how)
		// EAGAIN: a rename raced the resolution; the kernel asks to retry.
		if (err == unix.EAGAIN || err == unix.EINTR) && tries < 16 {
			continue
		}
		if err != nil {
			return nil, &os.PathError{Op: "open", Path: "/" + rel, Err: err}
		}
		return os.NewFile(uintptr(fd), "/"+rel), nil
	}
}

// openDir opens the directory rel, for the *at calls on its entries.
func (t *tree) openDir(rel string) (*os.File, error) {
	d, err := t.resolve(rel, unix.O_PATH|unix.O_DIRECTORY)
	if errors.Is(err, unix.ENOTDIR) {
		return nil, fmt.Errorf("/%s: %w", rel, errNotDir)
	}
	return d, err
}

// relOf is where the directory d is in the root.
func (t *tree) relOf(d *os.File) (string, error) {
	p, err := os.Readlink(fdPath(d))
	if err != nil {
		return "", err
	}
	if p == t.rootDir {
		return "", nil
	}
	rel, ok := strings.CutPrefix(p, strings.TrimSuffix(t.rootDir, "/")+"/")
	if !ok {
		return "", fmt.Errorf("%s is outside the root %s", p, t.rootDir)
	}
	return rel, nil
}

// mkdirAll opens the directory rel, creating what is missing 0755 and
// owned by uid:gid. A symlink on the way is followed inside the root,
// and what it points to is created when missing.
func (t *tree) mkdirAll(rel string, uid, gid int) (*os.File, error) {
	return t.mkdirAllLinks(rel, uid, gid, 0)
}

func (t *tree) mkdirAllLinks(rel string, uid, gid, links int) (*os.File, error) {
	if rel == "." {
		rel = ""
	}
	d, err := t.openDir(rel)
	if err == nil || rel == "" || !errors.Is(err, os.ErrNotExist) {
		return d, err
	}
	parent, err := t.mkdirAllLinks(path.Dir(rel), uid, gid, links)
	if err != nil {
		return nil, err
	}
	defer parent.Close()
	f := file{dir: parent, name: path.Base(rel)}
	err = f.mkdir()
	if err == nil {
		if err := f.chownChmodDir(uid, gid, 0o755); err != nil {
			return nil, err
		}
		return t.openDir(rel)
	}
	if !errors.Is(err, os.ErrExist) {
		return nil, err
	}
	// Something is there that does not resolve: a dangling symlink. Its
	// target is made, inside the root.
	target, err := f.readlink()
	if err != nil {
		return nil, fmt.Errorf("/%s: %w", rel, errNotDir)
	}
	if links >= maxLinks {
		return nil, &os.PathError{Op: "mkdir", Path: "/" + rel, Err: unix.ELOOP}
	}
	if !path.IsAbs(target) {
		prel, err := t.relOf(parent)
		if err != nil {
			return nil, err
		}
		target = path.Join("/", prel, target)
	}
	return t.mkdirAllLinks(strings.TrimPrefix(path.Clean("/"+target), "/"), uid, gid, links+1)
}

// chown gives the directory rel to uid:gid.
func (t *tree) chown(rel string, uid, gid int) error {
	d, err := t.resolve(rel, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Chown(uid, gid)
}

// setDirMeta gives the directory rel its mode and mtime.
func (t *tree) setDirMeta(rel string, mode os.FileMode, mtime time.Time) error {
	d, err := t.resolve(rel, unix.O_RDONLY|unix.O_DIRECTORY)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Chmod(mode); err != nil {
		return err
	}
	ts := unix.NsecToTimespec(mtime.UnixNano())
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, fdPath(d), []unix.Timespec{ts, ts}, 0); err != nil {
		return &os.PathError{Op: "utimes", Path: d.Name(), Err: err}
	}
	return nil
}

// file is an entry of an open directory: every call on it names it
// relative to that directory and follows no symlink in its place.
type file struct {
	dir  *os.File
	name string
}

func (f file) fd() int { return int(f.dir.Fd()) }

func (f file) err(op string, err error) error {
	if err == nil {
		return nil
	}
	return &os.PathError{Op: op, Path: path.Join(f.dir.Name(), f.name), Err: err}
}

// stat is what lstat tells of an entry.
type stat struct{ st unix.Stat_t }

func (s stat) IsDir() bool { return s.st.Mode&unix.S_IFMT == unix.S_IFDIR }

func (s stat) isSymlink() bool { return s.st.Mode&unix.S_IFMT == unix.S_IFLNK }

func (s stat) same(o stat) bool { return s.st.Dev == o.st.Dev && s.st.Ino == o.st.Ino }

func (f file) lstat() (stat, error) {
	var s stat
	return s, f.err("lstat", unix.Fstatat(f.fd(), f.name, &s.st, unix.AT_SYMLINK_NOFOLLOW))
}

func (f file) readlink() (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(f.fd(), f.name, buf)
	if err != nil {
		return "", f.err("readlink", err)
	}
	return string(buf[:n]), nil
}

// remove removes a non-directory.
func (f file) remove() error { return f.err("remove", unix.Unlinkat(f.fd(), f.name, 0)) }

func (f file) mkdir() error { return f.err("mkdir", unix.Mkdirat(f.fd(), f.name, 0o700)) }

// open opens the entry itself, never a symlink's target.
func (f file) open(flags int) (*os.File, error) {
	fd, err := unix.Openat(f.fd(), f.name, flags|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, f.err("open", err)
	}
	return os.NewFile(uintptr(fd), path.Join(f.dir.Name(), f.name)), nil
}

func (f file) chownChmodDir(uid, gid int, mode os.FileMode) error {
	d, err := f.open(unix.O_RDONLY | unix.O_DIRECTORY)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Chown(uid, gid); err != nil {
		return err
	}
	return d.Chmod(mode)
}

// writeNew creates the file (which must not exist) with the content of r.
func (f file) writeNew(r io.Reader, uid, gid int, mode os.FileMode, mtime time.Time) error {
	fd, err := unix.Openat(f.fd(), f.name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return f.err("create", err)
	}
	out := os.NewFile(uintptr(fd), path.Join(f.dir.Name(), f.name))
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		return err
	}
	// The owner first: chown clears the setuid and setgid bits.
	if err := out.Chown(uid, gid); err != nil {
		out.Close()
		return err
	}
	if err := out.Chmod(mode); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return f.setMtime(mtime)
}

func (f file) symlink(target string, uid, gid int, mtime time.Time) error {
	if err := unix.Symlinkat(target, f.fd(), f.name); err != nil {
		return f.err("symlink", err)
	}
	if err := unix.Fchownat(f.fd(), f.name, uid, gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return f.err("lchown", err)
	}
	return f.setMtime(mtime)
}

func (f file) fifo(uid, gid int, mode os.FileMode, mtime time.Time) error {
	if err := unix.Mknodat(f.fd(), f.name, unix.S_IFIFO|0o600, 0); err != nil {
		return f.err("mkfifo", err)
	}
	// Opened for reading without blocking, to change it by descriptor.
	p, err := f.open(unix.O_RDONLY | unix.O_NONBLOCK)
	if err != nil {
		return err
	}
	defer p.Close()
	if err := p.Chown(uid, gid); err != nil {
		return err
	}
	if err := p.Chmod(mode); err != nil {
		return err
	}
	return f.setMtime(mtime)
}

// linkTo makes dst a hard link to f.
func (f file) linkTo(dst file) error {
	return dst.err("link", unix.Linkat(f.fd(), f.name, dst.fd(), dst.name, 0))
}

// setMtime sets the entry's times (atime too) to mtime.
func (f file) setMtime(mtime time.Time) error {
	ts := unix.NsecToTimespec(mtime.UnixNano())
	return f.err("utimes", unix.UtimesNanoAt(f.fd(), f.name, []unix.Timespec{ts, ts}, unix.AT_SYMLINK_NOFOLLOW))
}
