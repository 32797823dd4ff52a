package engine

import (
	"context"
	"io/fs"
	"path/filepath"

	cstorage "go.podman.io/storage"

	"github.com/burrow-containers/burrow/images"
)

// DiskUsage is what the images, containers and volumes take: system df
// and the Docker API's GET /system/df both read it.
type DiskUsage struct {
	// Images is each image's usage, one per repository:tag, as podman
	// lists it.
	Images []ImageUsage
	// ImagesSize is what the images take together (podman's total): each
	// layer once, and the images' own data (manifests, configs).
	ImagesSize int64
	// LayersSize is what the images' layers hold, each counted once
	// (Docker's LayersSize).
	LayersSize int64
	Containers []ContainerUsage
	Volumes    []VolumeUsage
}

// ImageUsage is one name of an image: its size, the part of it other
// images share, and how many containers use it.
type ImageUsage = images.ImageUsage

// ContainerUsage is a container and the bytes its own layer holds.
type ContainerUsage struct {
	Container *Container
	Size      int64
}

// LocalVolumes counts the container's mounts (volumes, binds, tmpfs), as
// podman's user volumes.
func (u ContainerUsage) LocalVolumes() int { return len(u.Container.Config.Mounts) }

// VolumeUsage is a volume, the bytes its data holds and how many
// containers use it.
type VolumeUsage struct {
	Volume *Volume
	Size   int64
	Users  int
}

// Reclaimable is what removing the volume would free: all of it when no
// container uses it, else nothing.
func (u VolumeUsage) Reclaimable() int64 {
	if u.Users > 0 {
		return 0
	}
	return u.Size
}

// DiskUsage measures the images, the containers' layers and the volumes.
func (e *Engine) DiskUsage(ctx context.Context) (*DiskUsage, error) {
	s, err := e.store()
	if err != nil {
		return nil, err
	}
	out := &DiskUsage{LayersSize: imageLayersSize(s)}
	if out.Images, out.ImagesSize, err = images.DiskUsage(ctx, s); err != nil {
		return nil, err
	}
	ctrs, err := e.List()
	if err != nil {
		return nil, err
	}
	for _, c := range ctrs {
		u := ContainerUsage{Container: c}
		if c.Stored {
			if sc, err := s.Container(c.ID); err == nil {
				if n, err := s.DiffSize("", sc.LayerID); err == nil {
					u.Size = n
				}
			}
		}
		out.Containers = append(out.Containers, u)
	}
	vols, err := e.Volumes()
	if err != nil {
		return nil, err
	}
	for _, v := range vols {
		out.Volumes = append(out.Volumes, VolumeUsage{Volume: v, Size: VolumeSize(v), Users: len(e.VolumeUsers(v.Name))})
	}
	return out, nil
}

// imageLayersSize adds up the layers under the store's images, each once.
func imageLayersSize(s cstorage.Store) int64 {
	imgs, err := s.Images()
	if err != nil {
		return 0
	}
	seen := map[string]bool{}
	var n int64
	for _, img := range imgs {
		for id := img.TopLayer; id != "" && !seen[id]; {
			seen[id] = true
			l, err := s.Layer(id)
			if err != nil {
				break
			}
			n += max(l.UncompressedSize, 0)
			id = l.Parent
		}
	}
	return n
}

// VolumeSize is the bytes of the volume's files (what can be read of
// them).
func VolumeSize(v *Volume) int64 {
	var n int64
	filepath.WalkDir(v.Mountpoint, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}
