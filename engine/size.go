package engine

import (
	"io/fs"
	"path/filepath"
)

// ContainerSize is a container's disk use, as podman's ps --size shows it:
// RwSize is its own layer (what it changed), RootFsSize that and its image.
type ContainerSize struct {
	RwSize     int64 `json:"rwSize"`
	RootFsSize int64 `json:"rootFsSize"`
}

// Size measures the container's disk use; a --rootfs container's is its
// directory's.
func (e *Engine) Size(ctr *Container) (ContainerSize, error) {
	if !ctr.Stored {
		var n int64
		err := filepath.WalkDir(ctr.Config.Rootfs, func(_ string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if info, err := d.Info(); err == nil && info.Mode().IsRegular() {
				n += info.Size()
			}
			return nil
		})
		return ContainerSize{RwSize: n}, err
	}
	s, err := e.store()
	if err != nil {
		return ContainerSize{}, err
	}
	rw, err := s.ContainerSize(ctr.ID)
	if err != nil {
		return ContainerSize{}, err
	}
	size := ContainerSize{RwSize: rw, RootFsSize: rw}
	if ctr.ImageID != "" {
		if img, err := s.ImageSize(ctr.ImageID); err == nil {
			size.RootFsSize += img
		}
	}
	return size, nil
}
