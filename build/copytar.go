package build

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"go.podman.io/storage/pkg/archive"

	"github.com/burrow-containers/burrow/errdefs"
)

// isTarArchive tells by content whether the regular file p is a tar
// archive, plain or compressed (gzip, bzip2, xz, zstd).
func isTarArchive(p string) bool {
	f, err := openNoFollow(p)
	if err != nil {
		return false
	}
	defer f.Close()
	rc, err := archive.DecompressStream(f)
	if err != nil {
		return false
	}
	defer rc.Close()
	hdr, err := tar.NewReader(rc).Next()
	return err == nil || (hdr != nil && errors.Is(err, tar.ErrInsecurePath))
}

// extract unpacks the archive it into the directory dir. Nothing lands
// outside dir: names leaving it lexically are refused, and every parent is
// resolved inside dir (SecureJoin with dir as the root), so neither an
// absolute name nor a symlink, from the archive or already there, leads
// out; an existing symlink in an entry's place is replaced, never written
// through.
func (c *fileCopier) extract(it srcItem, dir string) error {
	f, err := openNoFollow(it.path)
	if err != nil {
		return fmt.Errorf("extracting %q: %w", it.name, err)
	}
	defer f.Close()
	rc, err := archive.DecompressStream(f)
	if err != nil {
		return fmt.Errorf("extracting %q: %w", it.name, err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		// ErrInsecurePath (GODEBUG tarinsecurepath=0) comes with a usable
		// header; extractEntry makes its own checks.
		if err != nil && !(hdr != nil && errors.Is(err, tar.ErrInsecurePath)) {
			return fmt.Errorf("extracting %q: %w", it.name, err)
		}
		if err := c.extractEntry(it.name, dir, hdr, tr); err != nil {
			return err
		}
	}
}

// entryName is an archive entry's name relative to the extraction
// directory, "" for the directory itself.
func (c *fileCopier) entryName(archiveName, name string) (string, error) {
	n := path.Clean(name)
	if path.IsAbs(n) {
		n = strings.TrimPrefix(n, "/")
	} else if n == ".." || strings.HasPrefix(n, "../") {
		return "", errdefs.Invalid(fmt.Errorf("%s %s: archive entry %q points outside the destination", c.op, archiveName, name))
	}
	if n == "." {
		n = ""
	}
	return n, nil
}

func (c *fileCopier) extractEntry(archiveName, dir string, hdr *tar.Header, r io.Reader) error {
	name, err := c.entryName(archiveName, hdr.Name)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("extracting %q from %q", hdr.Name, archiveName)
	fi := hdr.FileInfo()
	mode := fi.Mode() & (os.ModePerm | os.ModeSetuid | os.ModeSetgid | os.ModeSticky)
	uid, gid := c.opts.UID, c.opts.GID
	// Directories the archive implies without entries of their own.
	implicitUID, implicitGID := c.opts.UID, c.opts.GID
	if c.opts.KeepArchiveOwners {
		uid, gid = hdr.Uid, hdr.Gid
		implicitUID, implicitGID = -1, -1
	}

	if name == "" {
		if hdr.Typeflag != tar.TypeDir {
			return errdefs.Invalid(fmt.Errorf("%s %s: archive entry %q is not a directory but names the destination", c.op, archiveName, hdr.Name))
		}
		if err := os.Lchown(dir, uid, gid); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		c.later(dirMeta{path: dir, mode: mode, mtime: hdr.ModTime})
		return nil
	}
	parent, err := securejoin.SecureJoin(dir, path.Dir(name))
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := mkdirAllIn(dir, parent, implicitUID, implicitGID); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	target := filepath.Join(parent, path.Base(name))

	switch hdr.Typeflag {
	case tar.TypeDir:
		_, err = c.subdir(target, fi, uid, gid, mode, dir)
	case tar.TypeReg, tar.TypeGNUSparse, '\x00':
		if err := c.clearTarget(hdr.Name, target); err != nil {
			return err
		}
		if err = writeNew(target, r, uid, gid, mode); err == nil {
			err = setMtime(target, hdr.ModTime)
		}
	case tar.TypeSymlink:
		if err := c.clearTarget(hdr.Name, target); err != nil {
			return err
		}
		if err = makeSymlink(hdr.Linkname, target, uid, gid); err == nil {
			err = setMtime(target, hdr.ModTime)
		}
	case tar.TypeLink:
		err = c.extractHardlink(archiveName, dir, hdr, target)
	case tar.TypeFifo:
		if err := c.clearTarget(hdr.Name, target); err != nil {
			return err
		}
		if err = makeFifo(target, uid, gid, mode); err == nil {
			err = setMtime(target, hdr.ModTime)
		}
	case tar.TypeChar, tar.TypeBlock:
		// Device nodes cannot be made in a user namespace; like podman
		// without root, leave them out.
		return nil
	case tar.TypeXGlobalHeader:
		return nil
	default:
		return errdefs.Invalid(fmt.Errorf("%s %s: archive entry %q has unsupported type %q", c.op, archiveName, hdr.Name, hdr.Typeflag))
	}
	if err != nil {
		if errdefs.ClassOf(err) != errdefs.Unknown {
			return err
		}
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// extractHardlink links target to an earlier entry, found inside dir.
func (c *fileCopier) extractHardlink(archiveName, dir string, hdr *tar.Header, target string) error {
	ln, err := c.entryName(archiveName, hdr.Linkname)
	if err != nil {
		return err
	}
	if ln == "" {
		return errdefs.Invalid(fmt.Errorf("%s %s: archive entry %q is a hard link to a directory", c.op, archiveName, hdr.Name))
	}
	lparent, err := securejoin.SecureJoin(dir, path.Dir(ln))
	if err != nil {
		return err
	}
	old := filepath.Join(lparent, path.Base(ln))
	ofi, err := os.Lstat(old)
	if err != nil {
		return fmt.Errorf("hard link target %q: %w", hdr.Linkname, err)
	}
	if ofi.IsDir() {
		return errdefs.Invalid(fmt.Errorf("%s %s: archive entry %q is a hard link to a directory", c.op, archiveName, hdr.Name))
	}
	if old == target {
		return nil
	}
	if err := c.clearTarget(hdr.Name, target); err != nil {
		return err
	}
	return os.Link(old, target)
}
