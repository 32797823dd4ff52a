package build

import (
	"archive/tar"
	"errors"
	"fmt"

	"go.podman.io/storage/pkg/archive"

	"github.com/burrow-containers/burrow/extract"
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

// extract unpacks the archive it into the directory dir with package
// extract, confined to dir: neither a name, nor a symlink from the archive
// or already there, leads a write out of it.
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
	return extract.Extract(rc, dir, "/", extract.Options{
		What: c.op + " " + it.name, UID: c.opts.UID, GID: c.opts.GID, KeepOwners: c.opts.KeepArchiveOwners,
	})
}
