package build

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	securejoin "github.com/cyphar/filepath-securejoin"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
)

// CopyOptions say how sources land in the destination.
type CopyOptions struct {
	// UID and GID own every copied file and every directory Copy creates
	// (docker: 0:0 without --chown). -1 leaves that id as the file was
	// created with.
	UID, GID int
	// Chmod is --chmod, applied to copied files and directories (not to
	// symlinks, nor to what an archive holds) when HasChmod is set or
	// Chmod is not 0. Both os.FileMode's special bits and the octal ones
	// (0o4000 setuid, 0o2000 setgid, 0o1000 sticky) are understood.
	Chmod    os.FileMode
	HasChmod bool
	// Extract is ADD: local tar archives (plain, gzip, bzip2, xz, zstd,
	// told by content) are unpacked into the destination directory.
	Extract bool
	// KeepArchiveOwners keeps the owners recorded in an extracted archive
	// (ADD without --chown) instead of UID:GID.
	KeepArchiveOwners bool
	// WorkDir is the image's working directory, for a relative destination.
	WorkDir string
	// Ignore applies the context's ignore rules to the sources: true for the
	// build context, false for COPY --from another stage.
	Ignore bool
}

// Copy copies srcs (paths relative to srcRoot, the build context or another
// stage's root filesystem; wildcards as filepath.Match, per component) to
// dest inside rootfs, with docker's COPY rules:
//
//   - dest is taken inside rootfs (relative to WorkDir when not absolute);
//     symlinks on the way are followed as if rootfs were "/", so none leads
//     out of it. Missing parents are created 0755, owned by UID:GID;
//   - dest is a directory when it ends in "/" (or is "." or ends in "/."),
//     when there are several sources after wildcard expansion, or when it is
//     an existing directory: a file source lands inside it under its own
//     name; otherwise a file source becomes dest;
//   - a source directory copies its contents, not itself, into dest;
//   - sources are resolved inside srcRoot the same way: a symlink on the
//     path (the last component included) cannot leave srcRoot, a path whose
//     lexical form leaves it ("../x") is refused as invalid, and an absolute
//     path is taken relative to srcRoot, as buildah does;
//   - within a copied tree symlinks are copied as symlinks, regular files
//     with their content, mode (or Chmod) and mtime, all owned by UID:GID;
//     hard links become separate files, sockets are skipped, pipes are
//     recreated and device nodes are refused;
//   - with opts.Ignore, files and directories the context ignores are left
//     out, "!" exceptions re-including files below an excluded directory;
//   - a source that matches nothing is a not-found error;
//   - with opts.Extract (ADD) a local tar archive is unpacked into dest,
//     confined to it: entries naming "../" paths are refused, and absolute
//     names and symlinks (from the archive or already there) resolve inside
//     dest. Owners are the archive's with KeepArchiveOwners, else UID:GID.
//     Remote URLs are refused as invalid.
func Copy(srcRoot, rootfs string, srcs []string, dest string, ctx *Context, opts CopyOptions) error {
	op := "COPY"
	if opts.Extract {
		op = "ADD"
	}
	if len(srcs) == 0 {
		return errdefs.Invalid(fmt.Errorf("%s: no source given", op))
	}
	if dest == "" {
		return errdefs.Invalid(fmt.Errorf("%s: no destination given", op))
	}
	if rootfs == "" {
		return errdefs.Invalid(fmt.Errorf("%s: no root filesystem given", op))
	}
	t, err := newSrcTree(srcRoot, ctx, opts.Ignore, op)
	if err != nil {
		return err
	}
	root, err := filepath.Abs(rootfs)
	if err != nil {
		return err
	}
	for _, src := range srcs {
		if isRemoteSource(src) {
			return t.remote(src)
		}
	}
	var items []srcItem
	for _, src := range srcs {
		found, err := t.expand(src)
		if err != nil {
			return err
		}
		items = append(items, found...)
	}

	destIsDir := strings.HasSuffix(dest, "/") || dest == "." || strings.HasSuffix(dest, "/.") || len(items) > 1
	destPath := filepath.ToSlash(dest)
	if !path.IsAbs(destPath) {
		wd := opts.WorkDir
		if !path.IsAbs(wd) {
			wd = "/" + wd
		}
		destPath = path.Join(wd, destPath)
	}
	destPath = path.Clean(destPath)
	real, err := securejoin.SecureJoin(root, destPath)
	if err != nil {
		return fmt.Errorf("%s: resolving %s: %w", op, destPath, err)
	}

	c := &fileCopier{root: root, opts: opts, op: op, tree: t}
	for _, it := range items {
		if err := c.copyItem(it, real, destIsDir); err != nil {
			return err
		}
	}
	return c.finish()
}

// fileCopier carries out one Copy.
type fileCopier struct {
	root string // rootfs: absolute
	opts CopyOptions
	op   string
	tree *srcTree
	// dirs get their modes and mtimes once everything is inside them;
	// dirIndex finds a directory's entry, so that the last source to copy
	// a directory sets its mode.
	dirs     []dirMeta
	dirIndex map[string]int
}

type dirMeta struct {
	path  string
	mode  os.FileMode
	mtime time.Time
}

// inImage is a host path under the root filesystem as the image sees it.
func (c *fileCopier) inImage(p string) string { return "/" + relInRoot(c.root, p) }

func (c *fileCopier) copyItem(it srcItem, real string, destIsDir bool) error {
	switch {
	case it.info.IsDir():
		dir, err := c.mkdirAll(real)
		if err != nil {
			return err
		}
		return c.copyTree(it, dir)
	case c.opts.Extract && it.info.Mode().IsRegular() && isTarArchive(it.path):
		dir, err := c.mkdirAll(real)
		if err != nil {
			return err
		}
		return c.extract(it, dir)
	}
	if err := c.tree.unsupported(it.name, it.info); err != nil {
		return err
	}
	if it.info.Mode()&os.ModeSocket != 0 {
		return nil
	}
	target := real
	if fi, err := os.Lstat(real); destIsDir || (err == nil && fi.IsDir()) {
		dir, err := c.mkdirAll(real)
		if err != nil {
			return err
		}
		target = filepath.Join(dir, path.Base(it.name))
	} else if _, err := c.mkdirAll(filepath.Dir(real)); err != nil {
		return err
	}
	return c.copyEntry(it.name, it.path, it.info, target)
}

// mkdirAll makes sure the directory p (resolved inside the root, see
// Copy) exists, creating what is missing 0755 and owned by UID:GID.
func (c *fileCopier) mkdirAll(p string) (string, error) {
	return p, mkdirAllIn(c.root, p, c.opts.UID, c.opts.GID)
}

// mkdirAllIn creates the missing directories from root down to p, which
// must be inside root with no symlink on the part that exists (as
// SecureJoin returns it).
func mkdirAllIn(root, p string, uid, gid int) error {
	rel := relInRoot(root, p)
	if rel == "" {
		return nil
	}
	cur := root
	for _, comp := range strings.Split(rel, "/") {
		cur = filepath.Join(cur, comp)
		fi, err := os.Lstat(cur)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("creating directory %s: %s is not a directory", "/"+rel, "/"+relInRoot(root, cur))
			}
			continue
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("creating directory %s: %w", "/"+rel, err)
		}
		if err := os.Mkdir(cur, 0o755); err != nil {
			return fmt.Errorf("creating directory %s: %w", "/"+rel, err)
		}
		if err := os.Lchown(cur, uid, gid); err != nil {
			return fmt.Errorf("creating directory %s: %w", "/"+rel, err)
		}
		if err := os.Chmod(cur, 0o755); err != nil { // whatever the umask
			return fmt.Errorf("creating directory %s: %w", "/"+rel, err)
		}
	}
	return nil
}

// copyTree copies the contents of the directory it into dir.
func (c *fileCopier) copyTree(it srcItem, dir string) error {
	made := map[string]string{"": dir} // source-relative directory -> destination
	var ensure func(rel string) (string, error)
	ensure = func(rel string) (string, error) {
		if d, ok := made[rel]; ok {
			return d, nil
		}
		parent, err := ensure(relParent(rel))
		if err != nil {
			return "", err
		}
		// A directory reached only through an ignore exception is made
		// when the first file inside it is copied, with its own mode.
		fi, err := os.Lstat(filepath.Join(it.path, filepath.FromSlash(rel)))
		if err != nil {
			return "", fmt.Errorf("copying %q: %w", path.Join(it.name, rel), err)
		}
		d, err := c.subdir(filepath.Join(parent, path.Base(rel)), fi, c.opts.UID, c.opts.GID, c.mode(fi.Mode()), c.root)
		if err != nil {
			return "", fmt.Errorf("copying %q: %w", path.Join(it.name, rel), err)
		}
		made[rel] = d
		return d, nil
	}
	return c.tree.walk(it, func(rel, p string, fi fs.FileInfo) error {
		if fi.IsDir() {
			_, err := ensure(rel)
			return err
		}
		parent, err := ensure(relParent(rel))
		if err != nil {
			return err
		}
		return c.copyEntry(path.Join(it.name, rel), p, fi, filepath.Join(parent, path.Base(rel)))
	})
}

func relParent(rel string) string {
	if d := path.Dir(rel); d != "." {
		return d
	}
	return ""
}

// subdir makes p a directory for the source directory fi and returns where
// its contents go. An existing directory is merged into (and takes the
// owner and, at the end, the mode given); an existing symlink to a
// directory is followed inside confine and left as it is; anything else is
// replaced.
func (c *fileCopier) subdir(p string, fi fs.FileInfo, uid, gid int, mode os.FileMode, confine string) (string, error) {
	cur, err := os.Lstat(p)
	switch {
	case err == nil && cur.IsDir():
	case err == nil && cur.Mode()&os.ModeSymlink != 0:
		if r, err := securejoin.SecureJoin(confine, relInRoot(confine, p)); err == nil {
			if rfi, err := os.Lstat(r); err == nil && rfi.IsDir() {
				return r, nil
			}
		}
		fallthrough
	case err == nil:
		if err := os.Remove(p); err != nil {
			return "", err
		}
		if err := os.Mkdir(p, 0o700); err != nil {
			return "", err
		}
	case errors.Is(err, fs.ErrNotExist):
		if err := os.Mkdir(p, 0o700); err != nil {
			return "", err
		}
	default:
		return "", err
	}
	if err := os.Lchown(p, uid, gid); err != nil {
		return "", err
	}
	// Owner-writable until finish, so that a read-only source directory
	// can be filled.
	if err := os.Chmod(p, 0o700); err != nil {
		return "", err
	}
	c.later(dirMeta{path: p, mode: mode, mtime: fi.ModTime()})
	return p, nil
}

// later records the mode and mtime a directory gets in finish.
func (c *fileCopier) later(d dirMeta) {
	if i, ok := c.dirIndex[d.path]; ok {
		c.dirs[i] = d
		return
	}
	if c.dirIndex == nil {
		c.dirIndex = map[string]int{}
	}
	c.dirIndex[d.path] = len(c.dirs)
	c.dirs = append(c.dirs, d)
}

// mode is the mode a copied file or directory gets.
func (c *fileCopier) mode(m os.FileMode) os.FileMode {
	if c.opts.HasChmod || c.opts.Chmod != 0 {
		return chmodMode(c.opts.Chmod)
	}
	return m & (os.ModePerm | os.ModeSetuid | os.ModeSetgid | os.ModeSticky)
}

// chmodMode reads a --chmod value given either with os.FileMode's special
// bits or with the octal ones.
func chmodMode(m os.FileMode) os.FileMode {
	out := m & (os.ModePerm | os.ModeSetuid | os.ModeSetgid | os.ModeSticky)
	if m&0o4000 != 0 {
		out |= os.ModeSetuid
	}
	if m&0o2000 != 0 {
		out |= os.ModeSetgid
	}
	if m&0o1000 != 0 {
		out |= os.ModeSticky
	}
	return out
}

// clearTarget makes room for a non-directory at p: an existing file or
// symlink is removed (never written through), a directory is an error.
func (c *fileCopier) clearTarget(name, p string) error {
	fi, err := os.Lstat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("copying %q: %w", name, err)
	}
	if fi.IsDir() {
		return errdefs.Conflict(fmt.Errorf("copying %q: cannot overwrite directory %s with a non-directory", name, c.inImage(p)))
	}
	if err := os.Remove(p); err != nil {
		return fmt.Errorf("copying %q: %w", name, err)
	}
	return nil
}

// copyEntry copies one non-directory src (described by fi) to target.
func (c *fileCopier) copyEntry(name, src string, fi fs.FileInfo, target string) error {
	if err := c.tree.unsupported(name, fi); err != nil {
		return err
	}
	m := fi.Mode()
	if m&os.ModeSocket != 0 {
		return nil
	}
	if err := c.clearTarget(name, target); err != nil {
		return err
	}
	uid, gid := c.opts.UID, c.opts.GID
	var err error
	switch {
	case m.IsRegular():
		err = copyRegular(src, target, uid, gid, c.mode(m))
	case m&os.ModeSymlink != 0:
		var link string
		if link, err = os.Readlink(src); err == nil {
			err = makeSymlink(link, target, uid, gid)
		}
	case m&os.ModeNamedPipe != 0:
		err = makeFifo(target, uid, gid, c.mode(m))
	default:
		err = fmt.Errorf("unsupported file type %s", m.Type())
	}
	if err == nil {
		err = setMtime(target, fi.ModTime())
	}
	if err != nil {
		return fmt.Errorf("copying %q: %w", name, err)
	}
	return nil
}

// copyRegular copies the regular file src to the new file target.
func copyRegular(src, target string, uid, gid int, mode os.FileMode) error {
	in, err := openNoFollow(src)
	if err != nil {
		return err
	}
	defer in.Close()
	return writeNew(target, in, uid, gid, mode)
}

// writeNew creates target (which must not exist) with the content of r.
func writeNew(target string, r io.Reader, uid, gid int, mode os.FileMode) error {
	out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return err
	}
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
	return out.Close()
}

func makeSymlink(link, target string, uid, gid int) error {
	if err := os.Symlink(link, target); err != nil {
		return err
	}
	return os.Lchown(target, uid, gid)
}

func makeFifo(target string, uid, gid int, mode os.FileMode) error {
	if err := unix.Mkfifo(target, 0o600); err != nil {
		return &os.PathError{Op: "mkfifo", Path: target, Err: err}
	}
	if err := os.Lchown(target, uid, gid); err != nil {
		return err
	}
	return os.Chmod(target, mode)
}

// setMtime sets p's times (atime too) to mtime, without following a symlink.
func setMtime(p string, mtime time.Time) error {
	ts := unix.NsecToTimespec(mtime.UnixNano())
	if err := unix.UtimesNanoAt(unix.AT_FDCWD, p, []unix.Timespec{ts, ts}, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return &os.PathError{Op: "utimes", Path: p, Err: err}
	}
	return nil
}

// finish gives the directories made or merged their modes and mtimes,
// deepest first.
func (c *fileCopier) finish() error {
	for i := len(c.dirs) - 1; i >= 0; i-- {
		d := c.dirs[i]
		if err := os.Chmod(d.path, d.mode); err != nil {
			return fmt.Errorf("%s: %w", c.op, err)
		}
		if err := setMtime(d.path, d.mtime); err != nil {
			return fmt.Errorf("%s: %w", c.op, err)
		}
	}
	c.dirs, c.dirIndex = nil, nil
	return nil
}
