package engine

import (
	"context"

	"github.com/opencontainers/go-digest"

	"github.com/burrow-containers/burrow/images"
)

// ManifestOptions tune the manifest commands (images.ManifestOptions).
type ManifestOptions = images.ManifestOptions

// ManifestCreate makes a manifest list of the images given.
func (e *Engine) ManifestCreate(ctx context.Context, name string, add []string, mo ManifestOptions, o PullOptions) (string, error) {
	s, o, err := e.imageStore(o)
	if err != nil {
		return "", err
	}
	return images.ManifestCreate(ctx, s, name, add, mo, o)
}

// ManifestAdd adds an image to a manifest list.
func (e *Engine) ManifestAdd(ctx context.Context, list, image string, mo ManifestOptions, o PullOptions) (string, error) {
	s, o, err := e.imageStore(o)
	if err != nil {
		return "", err
	}
	return images.ManifestAdd(ctx, s, list, image, mo, o)
}

// ManifestInspect is a manifest list as JSON.
func (e *Engine) ManifestInspect(name string, o PullOptions) ([]byte, error) {
	s, err := e.store()
	if err != nil {
		return nil, err
	}
	return images.ManifestInspect(s, name, o)
}

// ManifestRemoveInstance drops an instance from a manifest list.
func (e *Engine) ManifestRemoveInstance(name, d string, o PullOptions) (string, error) {
	s, err := e.store()
	if err != nil {
		return "", err
	}
	return images.ManifestRemoveInstance(s, name, d, o)
}

// ManifestPush pushes a manifest list and its instances.
func (e *Engine) ManifestPush(ctx context.Context, name, dest string, all bool, o PullOptions) (digest.Digest, error) {
	s, o, err := e.imageStore(o)
	if err != nil {
		return "", err
	}
	return images.ManifestPush(ctx, s, name, dest, all, o)
}

// ManifestRemove removes manifest lists.
func (e *Engine) ManifestRemove(ctx context.Context, names []string, o PullOptions) (untagged, deleted []string, err error) {
	s, err := e.store()
	if err != nil {
		return nil, nil, err
	}
	return images.ManifestRemove(ctx, s, names, o)
}
