package images

import (
	"context"
	"fmt"

	"github.com/opencontainers/go-digest"
	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/image"
	"go.podman.io/image/v5/manifest"
	"go.podman.io/image/v5/types"
)

// RemoteDigest is the digest of the manifest a registry serves for name (a
// fully-qualified reference): what auto-update compares with the digests
// of the local image, without pulling anything.
func RemoteDigest(ctx context.Context, name string, o PullOptions) (digest.Digest, error) {
	d, _, err := RemoteManifest(ctx, name, o)
	return d.Digest, err
}

// RemoteManifest describes the manifest a registry serves for name, and
// the platforms it has images for (a list's, or the one image's), as the
// Docker API's distribution inspect: nothing is pulled but the manifest
// (and a single image's configuration).
func RemoteManifest(ctx context.Context, name string, o PullOptions) (imgspecv1.Descriptor, []imgspecv1.Platform, error) {
	var desc imgspecv1.Descriptor
	ref, sys, err := remoteRef(name, o)
	if err != nil {
		return desc, nil, err
	}
	src, err := ref.NewImageSource(ctx, sys)
	if err != nil {
		return desc, nil, classifyPullError(fmt.Errorf("reaching %q: %w", name, err), ref.DockerReference())
	}
	defer src.Close()
	raw, mime, err := src.GetManifest(ctx, nil)
	if err != nil {
		return desc, nil, fmt.Errorf("reading the manifest of %q: %w", name, err)
	}
	if desc.Digest, err = manifest.Digest(raw); err != nil {
		return desc, nil, err
	}
	desc.MediaType, desc.Size = mime, int64(len(raw))
	platforms, err := manifestPlatforms(ctx, sys, src, raw, mime)
	return desc, platforms, err
}

// manifestPlatforms are the platforms of a list's images, or of the one
// image a manifest describes (from its configuration).
func manifestPlatforms(ctx context.Context, sys *types.SystemContext, src types.ImageSource, raw []byte, mime string) ([]imgspecv1.Platform, error) {
	if manifest.MIMETypeIsMultiImage(mime) {
		list, err := manifest.ListFromBlob(raw, mime)
		if err != nil {
			return nil, err
		}
		var out []imgspecv1.Platform
		for _, d := range list.Instances() {
			inst, err := list.Instance(d)
			if err == nil && inst.ReadOnly.Platform != nil {
				out = append(out, *inst.ReadOnly.Platform)
			}
		}
		return out, nil
	}
	img, err := image.FromUnparsedImage(ctx, sys, image.UnparsedInstance(src, nil))
	if err != nil {
		return nil, err
	}
	info, err := img.Inspect(ctx)
	if err != nil {
		return nil, err
	}
	return []imgspecv1.Platform{{OS: info.Os, Architecture: info.Architecture, Variant: info.Variant}}, nil
}

// RemoteTags are the tags a registry has for name's repository (pull
// --all-tags).
func RemoteTags(ctx context.Context, name string, o PullOptions) ([]string, error) {
	ref, sys, err := remoteRef(name, o)
	if err != nil {
		return nil, err
	}
	tags, err := docker.GetRepositoryTags(ctx, sys, ref)
	if err != nil {
		return nil, classifyPullError(fmt.Errorf("listing the tags of %q: %w", name, err), ref.DockerReference())
	}
	return tags, nil
}

// remoteRef is the registry's reference of name (fully qualified), and the
// system context o asks for.
func remoteRef(name string, o PullOptions) (types.ImageReference, *types.SystemContext, error) {
	ref, err := docker.ParseReference("//" + name)
	if err != nil {
		return nil, nil, fmt.Errorf("parsing %q: %w", name, err)
	}
	sys, err := o.systemContext()
	return ref, sys, err
}
