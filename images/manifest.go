package images

import (
	"go.podman.io/image/v5/manifest"
	cstorage "go.podman.io/storage"
)

// isManifestList tells an image that is a manifest list or an image index
// (what `manifest create` stores) from a runnable image.
func isManifestList(store cstorage.Store, img *cstorage.Image) bool {
	b, err := store.ImageBigData(img.ID, cstorage.ImageDigestBigDataKey)
	if err != nil {
		return false
	}
	return manifest.MIMETypeIsMultiImage(manifest.GuessMIMEType(b))
}
