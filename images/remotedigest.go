package images

import (
	"context"
	"fmt"

	"github.com/opencontainers/go-digest"
	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/manifest"
)

// RemoteDigest is the digest of the manifest a registry serves for name (a
// fully-qualified reference): what auto-update compares with the digests
// of the local image, without pulling anything.
func RemoteDigest(ctx context.Context, name string, o PullOptions) (digest.Digest, error) {
	ref, err := docker.ParseReference("//" + name)
	if err != nil {
		return "", fmt.Errorf("parsing %q: %w", name, err)
	}
	sys, err := o.systemContext()
	if err != nil {
		return "", err
	}
	src, err := ref.NewImageSource(ctx, sys)
	if err != nil {
		return "", fmt.Errorf("reaching %q: %w", name, err)
	}
	defer src.Close()
	raw, _, err := src.GetManifest(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("reading the manifest of %q: %w", name, err)
	}
	return manifest.Digest(raw)
}
