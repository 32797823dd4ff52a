package extract

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"github.com/burrow-containers/burrow/errdefs"
)

// Options say how an archive lands.
type Options struct {
	// What names the operation and the archive in errors ("ADD a.tar").
	What string
	// UID and GID own the entries and the directories the archive
	// implies without entries of their own; -1 leaves an ID as created.
	UID, GID int
	// KeepOwners gives the entries the owners the archive records; the
	// implied directories are then left as created.
	KeepOwners bool
	// NoDirOverNonDir refuses to replace an existing non-directory with a
	// directory (docker cp's noOverwriteDirNonDir). A directory is never
	// replaced by a non-directory.
	NoDirOverNonDir bool
	// MaxBytes bounds the sum of the sizes of the archive's files (0:
	// no bound); sparse files count at their full size.
	MaxBytes int64
}

// ErrTooLarge is what Extract returns (wrapped) when the archive's files
// exceed Options.MaxBytes.
var ErrTooLarge = errors.New("the archive's files exceed the size limit")

// Extract unpacks the tar stream r into dir, a directory inside root
// ("/" for root itself), resolved inside root. Entry names are relative to
// dir: absolute ones are taken as relative, ones leaving dir lexically
// ("../x") are refused as invalid, and symlinks on the way (from the
// archive or already there) resolve inside root. An existing symlink in an
// entry's place is replaced, never written through. dir must exist
// (NotFound) and be a directory (Invalid).
func Extract(r io.Reader, root, dir string, o Options) error {
	t, err := openTree(root)
	if err != nil {
		return fmt.Errorf("%s: %w", o.What, err)
	}
	defer t.close()
	x := &extractor{t: t, o: o, base: strings.TrimPrefix(path.Clean("/"+dir), "/")}
	d, err := t.openDir(x.base)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return errdefs.NotFound(fmt.Errorf("%s: %s does not exist", o.What, dir))
		}
		if errors.Is(err, errNotDir) {
			return errdefs.Invalid(fmt.Errorf("%s: %s is not a directory", o.What, dir))
		}
		return fmt.Errorf("%s: %w", o.What, err)
	}
	d.Close()
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return x.finish()
		}
		// ErrInsecurePath (GODEBUG tarinsecurepath=0) comes with a usable
		// header; entry makes its own checks.
		if err != nil && !(hdr != nil && errors.Is(err, tar.ErrInsecurePath)) {
			return errdefs.Invalid(fmt.Errorf("%s: reading the archive: %w", o.What, err))
		}
		if err := x.entry(hdr, tr); err != nil {
			return err
		}
	}
}

// extractor carries out one Extract.
type extractor struct {
	t       *tree
	o       Options
	base    string // dir, relative to the root ("" for the root)
	written int64
	// dirs get their modes and mtimes once everything is inside them;
	// dirIndex finds a directory's entry, so that the last entry for a
	// directory sets its mode.
	dirs     []dirMeta
	dirIndex map[string]int
}

type dirMeta struct {
	rel   string
	mode  os.FileMode
	mtime time.Time
}

// entryName is an archive entry's name relative to the extraction
// directory, "" for the directory itself.
func (x *extractor) entryName(name string) (string, error) {
	n := path.Clean(name)
	if path.IsAbs(n) {
		n = strings.TrimPrefix(n, "/")
	} else if n == ".." || strings.HasPrefix(n, "../") {
		return "", errdefs.Invalid(fmt.Errorf("%s: archive entry %q points outside the destination", x.o.What, name))
	}
	if n == "." {
		n = ""
	}
	return n, nil
}

func (x *extractor) entry(hdr *tar.Header, r io.Reader) error {
	name, err := x.entryName(hdr.Name)
	if err != nil {
		return err
	}
	fi := hdr.FileInfo()
	mode := fi.Mode() & (os.ModePerm | os.ModeSetuid | os.ModeSetgid | os.ModeSticky)
	uid, gid := x.o.UID, x.o.GID
	implicitUID, implicitGID := x.o.UID, x.o.GID
	if x.o.KeepOwners {
		uid, gid = hdr.Uid, hdr.Gid
		implicitUID, implicitGID = -1, -1
	}
	if name == "" {
		if hdr.Typeflag != tar.TypeDir {
			return errdefs.Invalid(fmt.Errorf("%s: archive entry %q is not a directory but names the destination", x.o.What, hdr.Name))
		}
		if err := x.t.chown(x.base, uid, gid); err != nil {
			return fmt.Errorf("%s: %w", x.o.What, err)
		}
		x.later(dirMeta{rel: x.base, mode: mode, mtime: hdr.ModTime})
		return nil
	}
	rel := path.Join(x.base, name)
	parent, err := x.t.mkdirAll(path.Dir(rel), implicitUID, implicitGID)
	if err != nil {
		return fmt.Errorf("%s: extracting %q: %w", x.o.What, hdr.Name, err)
	}
	defer parent.Close()
	f := file{dir: parent, name: path.Base(rel)}
	switch hdr.Typeflag {
	case tar.TypeDir:
		err = x.dir(f, rel, uid, gid, mode, hdr.ModTime)
	case tar.TypeReg, tar.TypeGNUSparse, '\x00':
		if x.o.MaxBytes > 0 && x.written+hdr.Size > x.o.MaxBytes {
			return errdefs.Invalid(fmt.Errorf("%s: %w (%d bytes)", x.o.What, ErrTooLarge, x.o.MaxBytes))
		}
		x.written += hdr.Size
		if err = x.clear(f, hdr.Name); err == nil {
			err = f.writeNew(r, uid, gid, mode, hdr.ModTime)
		}
	case tar.TypeSymlink:
		if err = x.clear(f, hdr.Name); err == nil {
			err = f.symlink(hdr.Linkname, uid, gid, hdr.ModTime)
		}
	case tar.TypeLink:
		err = x.hardlink(f, hdr)
	case tar.TypeFifo:
		if err = x.clear(f, hdr.Name); err == nil {
			err = f.fifo(uid, gid, mode, hdr.ModTime)
		}
	case tar.TypeChar, tar.TypeBlock:
		// Device nodes cannot be made in a user namespace; like podman
		// without root, leave them out.
		return nil
	case tar.TypeXGlobalHeader:
		return nil
	default:
		return errdefs.Invalid(fmt.Errorf("%s: archive entry %q has unsupported type %q", x.o.What, hdr.Name, hdr.Typeflag))
	}
	if err != nil {
		if errdefs.ClassOf(err) != errdefs.Unknown {
			return err
		}
		return fmt.Errorf("%s: extracting %q: %w", x.o.What, hdr.Name, err)
	}
	return nil
}

// dir makes f, at rel, a directory for an archive entry. An existing
// directory is merged into (and takes the owner and, at the end, the mode
// given); an existing symlink to a directory is followed inside the root
// and left as it is; anything else is replaced.
func (x *extractor) dir(f file, rel string, uid, gid int, mode os.FileMode, mtime time.Time) error {
	st, err := f.lstat()
	switch {
	case err == nil && st.IsDir():
	case err == nil && st.isSymlink():
		if d, err := x.t.openDir(rel); err == nil {
			d.Close()
			return nil
		}
		if err := f.remove(); err != nil {
			return err
		}
		if err := f.mkdir(); err != nil {
			return err
		}
	case err == nil:
		if x.o.NoDirOverNonDir {
			return errdefs.Conflict(fmt.Errorf("%s: cannot overwrite non-directory /%s with a directory", x.o.What, rel))
		}
		if err := f.remove(); err != nil {
			return err
		}
		if err := f.mkdir(); err != nil {
			return err
		}
	case errors.Is(err, os.ErrNotExist):
		if err := f.mkdir(); err != nil {
			return err
		}
	default:
		return err
	}
	// Owner-writable until finish, so that a read-only directory can be
	// filled.
	if err := f.chownChmodDir(uid, gid, 0o700); err != nil {
		return err
	}
	x.later(dirMeta{rel: rel, mode: mode, mtime: mtime})
	return nil
}

// clear makes room for a non-directory at f: an existing file or symlink
// is removed (never written through), a directory is a conflict.
func (x *extractor) clear(f file, name string) error {
	st, err := f.lstat()
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if st.IsDir() {
		return errdefs.Conflict(fmt.Errorf("%s: extracting %q: cannot overwrite a directory with a non-directory", x.o.What, name))
	}
	return f.remove()
}

// hardlink links f to an earlier entry, found inside the root.
func (x *extractor) hardlink(f file, hdr *tar.Header) error {
	ln, err := x.entryName(hdr.Linkname)
	if err != nil {
		return err
	}
	if ln == "" {
		return errdefs.Invalid(fmt.Errorf("%s: archive entry %q is a hard link to a directory", x.o.What, hdr.Name))
	}
	lrel := path.Join(x.base, ln)
	lparent, err := x.t.openDir(path.Dir(lrel))
	if err != nil {
		return fmt.Errorf("hard link target %q: %w", hdr.Linkname, err)
	}
	defer lparent.Close()
	old := file{dir: lparent, name: path.Base(lrel)}
	ost, err := old.lstat()
	if err != nil {
		return fmt.Errorf("hard link target %q: %w", hdr.Linkname, err)
	}
	if ost.IsDir() {
		return errdefs.Invalid(fmt.Errorf("%s: archive entry %q is a hard link to a directory", x.o.What, hdr.Name))
	}
	if st, err := f.lstat(); err == nil && st.same(ost) {
		return nil
	}
	if err := x.clear(f, hdr.Name); err != nil {
		return err
	}
	return old.linkTo(f)
}

// later records the mode and mtime a directory gets in finish.
func (x *extractor) later(d dirMeta) {
	if i, ok := x.dirIndex[d.rel]; ok {
		x.dirs[i] = d
		return
	}
	if x.dirIndex == nil {
		x.dirIndex = map[string]int{}
	}
	x.dirIndex[d.rel] = len(x.dirs)
	x.dirs = append(x.dirs, d)
}

// finish gives the directories made or merged their modes and mtimes,
// deepest first.
func (x *extractor) finish() error {
	for i := len(x.dirs) - 1; i >= 0; i-- {
		d := x.dirs[i]
		if err := x.t.setDirMeta(d.rel, d.mode, d.mtime); err != nil {
			return fmt.Errorf("%s: %w", x.o.What, err)
		}
	}
	return nil
}
