package engine

import (
	"fmt"
	"io"

	"go.podman.io/storage/pkg/archive"
	"go.podman.io/storage/pkg/chrootarchive"

	"github.com/burrow-containers/burrow/errdefs"
)

// volumeData is the directory that holds a volume's files: its _data, or
// the directory a bind volume binds; a tmpfs volume holds none outside a
// running container.
func volumeData(v *Volume) (string, error) {
	switch {
	case volumeBinds(v.Options):
		return v.Options["device"], nil
	case v.Options["type"] == "tmpfs":
		return "", errdefs.Invalid(fmt.Errorf("volume %s is a tmpfs: its files live only in the containers that mount it", v.Name))
	}
	return v.Mountpoint, nil
}

// ExportVolume writes the volume's files to w as a tar (volume export),
// read inside the volume: links in it do not lead out.
func (e *Engine) ExportVolume(name string, w io.Writer) error {
	v, err := e.GetVolume(name)
	if err != nil {
		return err
	}
	dir, err := volumeData(v)
	if err != nil {
		return err
	}
	rd, err := chrootarchive.Tar(dir, &archive.TarOptions{}, dir)
	if err != nil {
		return fmt.Errorf("exporting volume %s: %w", name, err)
	}
	defer rd.Close()
	if _, err := io.Copy(w, rd); err != nil {
		return fmt.Errorf("exporting volume %s: %w", name, err)
	}
	return nil
}

// ImportVolume unpacks the tar r into the volume (volume import), inside
// a chroot of it, as a layer is unpacked: nothing in the archive reaches
// outside the volume.
func (e *Engine) ImportVolume(name string, r io.Reader) error {
	v, err := e.GetVolume(name)
	if err != nil {
		return err
	}
	dir, err := volumeData(v)
	if err != nil {
		return err
	}
	if err := chrootarchive.Untar(r, dir, &archive.TarOptions{}); err != nil {
		return fmt.Errorf("importing into volume %s: %w", name, err)
	}
	return nil
}
