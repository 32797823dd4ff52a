package images

import (
	"context"
	"fmt"
	"os"

	"go.podman.io/common/libimage"
	"go.podman.io/common/pkg/config"
	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/transports/alltransports"
	cstorage "go.podman.io/storage"

	"github.com/burrow-containers/burrow/errdefs"
)

// HasTransport tells whether ref names an image through a transport other
// than a registry's (docker-archive:PATH, oci-archive:PATH, oci:DIR,
// dir:DIR, ...): such an image is copied into the store from there, as
// podman's pull, run and create do, never looked up by that name.
func HasTransport(ref string) bool {
	r, err := alltransports.ParseImageName(ref)
	return err == nil && r.Transport().Name() != docker.Transport.Name()
}

// pullTransport copies the image ref names with its transport into the
// store, through libimage as podman does (its progress, without podman's
// "Trying to pull" of registries), and returns the stored image.
func pullTransport(ctx context.Context, store cstorage.Store, ref string, opts PullOptions) (*cstorage.Image, error) {
	rt, err := library(store, opts)
	if err != nil {
		return nil, err
	}
	pulled, err := rt.Pull(ctx, ref, config.PullPolicyAlways, &libimage.PullOptions{CopyOptions: opts.copyOptions()})
	if err != nil {
		if os.IsNotExist(err) {
			return nil, errdefs.NotFound(fmt.Errorf("pulling %s: %w", ref, err))
		}
		return nil, fmt.Errorf("pulling %s: %w", ref, err)
	}
	if len(pulled) == 0 {
		return nil, fmt.Errorf("pulling %s: no image was read", ref)
	}
	return store.Image(pulled[0].ID())
}

// pushTransport copies a stored image to the place dest names with its
// transport (dir:PATH, oci:PATH[:REF], docker-archive:PATH[:REF],
// oci-archive:PATH[:REF]), as podman's push does.
func pushTransport(ctx context.Context, store cstorage.Store, img *cstorage.Image, dest string, opts PullOptions) error {
	dst, err := alltransports.ParseImageName(dest)
	if err != nil {
		return errdefs.Invalid(fmt.Errorf("pushing to %q: %w", dest, err))
	}
	src, err := storeRef(store, img, nil)
	if err != nil {
		return err
	}
	return copyImage(ctx, dst, src, opts, fmt.Sprintf("pushing to %q", dest), nil)
}
