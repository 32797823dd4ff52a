package images

import (
	"context"
	"fmt"

	"go.podman.io/common/libimage"
	cstorage "go.podman.io/storage"
)

// ImageUsage is what one name of an image takes, as podman's system df
// counts it (libimage's own count): its layers shared with other images,
// those only it has, and how many containers use it.
type ImageUsage = libimage.ImageDiskUsage

// DiskUsage is each image's usage, one per repository:tag (an unnamed
// image once, as <none>), and what all the images take together, each
// layer counted once.
func DiskUsage(ctx context.Context, store cstorage.Store) ([]ImageUsage, int64, error) {
	rt, err := libimage.RuntimeFromStore(store, nil)
	if err != nil {
		return nil, 0, err
	}
	usage, total, err := rt.DiskUsage(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("measuring the images: %w", err)
	}
	return usage, total, nil
}
