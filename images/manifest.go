package images

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/opencontainers/go-digest"
	"go.podman.io/common/libimage"
	imageCopy "go.podman.io/image/v5/copy"
	"go.podman.io/image/v5/manifest"
	"go.podman.io/image/v5/types"
	cstorage "go.podman.io/storage"

	"github.com/burrow-containers/burrow/errdefs"
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

// ManifestOptions tune the manifest commands: where images come from and
// go, and how an instance is described.
type ManifestOptions struct {
	// All: adding or pushing a manifest list takes every instance, not
	// only the one for this machine.
	All bool
	// Arch, OS, Variant and Annotations describe an added instance.
	Arch, OS, Variant string
	Annotations       map[string]string
}

// ManifestCreate makes an empty manifest list named name (podman's `manifest
// create`), adds the images given, and returns its ID.
func ManifestCreate(ctx context.Context, store cstorage.Store, name string, add []string, mo ManifestOptions, opts PullOptions) (string, error) {
	rt, err := library(store, opts)
	if err != nil {
		return "", err
	}
	if _, err := Lookup(store, name); err == nil {
		return "", errdefs.Conflict(fmt.Errorf("%s: a manifest list or image of this name exists already", name))
	}
	list, err := rt.CreateManifestList(name)
	if err != nil {
		return "", errdefs.Invalid(fmt.Errorf("creating manifest list %s: %w", name, err))
	}
	for _, img := range add {
		if _, err := manifestAdd(ctx, list, img, mo, opts); err != nil {
			return "", err
		}
	}
	return list.ID(), nil
}

// ManifestAdd adds image (a local name, or a registry's) to the manifest
// list named list and returns the list's ID.
func ManifestAdd(ctx context.Context, store cstorage.Store, listName, image string, mo ManifestOptions, opts PullOptions) (string, error) {
	list, err := lookupList(store, listName, opts)
	if err != nil {
		return "", err
	}
	if _, err := manifestAdd(ctx, list, image, mo, opts); err != nil {
		return "", err
	}
	return list.ID(), nil
}

func manifestAdd(ctx context.Context, list *libimage.ManifestList, image string, mo ManifestOptions, opts PullOptions) (digest.Digest, error) {
	d, err := list.Add(ctx, image, &libimage.ManifestListAddOptions{All: mo.All, AuthFilePath: opts.AuthFile, InsecureSkipTLSVerify: insecure(opts)})
	if err != nil {
		return "", classifyManifestError(fmt.Errorf("adding %s to the manifest list: %w", image, err))
	}
	if mo.Arch != "" || mo.OS != "" || mo.Variant != "" || len(mo.Annotations) > 0 {
		err := list.AnnotateInstance(d, &libimage.ManifestListAnnotateOptions{Architecture: mo.Arch, OS: mo.OS, Variant: mo.Variant, Annotations: mo.Annotations})
		if err != nil {
			return "", fmt.Errorf("describing %s in the manifest list: %w", image, err)
		}
	}
	return d, nil
}

// ManifestInspect is the manifest list named name, as JSON.
func ManifestInspect(store cstorage.Store, name string, opts PullOptions) ([]byte, error) {
	list, err := lookupList(store, name, opts)
	if err != nil {
		return nil, err
	}
	data, err := list.Inspect()
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(data, "", "    ")
}

// ManifestRemoveInstance drops the instance of digest d from a list.
func ManifestRemoveInstance(store cstorage.Store, name, d string, opts PullOptions) (string, error) {
	list, err := lookupList(store, name, opts)
	if err != nil {
		return "", err
	}
	dg, err := digest.Parse(d)
	if err != nil {
		return "", errdefs.Invalid(fmt.Errorf("%s is not a digest (sha256:...): %w", d, err))
	}
	if err := list.RemoveInstance(dg); err != nil {
		return "", errdefs.NotFound(fmt.Errorf("removing %s from %s: %w", d, name, err))
	}
	return list.ID(), nil
}

// ManifestPush pushes a manifest list and its instances to dest (a
// registry's reference, or with a transport) and returns its digest.
func ManifestPush(ctx context.Context, store cstorage.Store, name, dest string, all bool, opts PullOptions) (digest.Digest, error) {
	list, err := lookupList(store, name, opts)
	if err != nil {
		return "", err
	}
	po := &libimage.ManifestListPushOptions{CopyOptions: opts.copyOptions(), ImageListSelection: imageCopy.CopySystemImage}
	if all {
		po.ImageListSelection = imageCopy.CopyAllImages
	}
	po.AuthFilePath = opts.AuthFile
	po.InsecureSkipTLSVerify = insecure(opts)
	if !strings.Contains(dest, "://") && !strings.HasPrefix(dest, "docker:") {
		dest = "docker://" + dest
	}
	d, err := list.Push(ctx, dest, po)
	if err != nil {
		return "", classifyManifestError(fmt.Errorf("pushing manifest list %s: %w", name, err))
	}
	return d, nil
}

// ManifestRemove removes manifest lists (podman's `manifest rm`): the
// names untagged and the IDs deleted.
func ManifestRemove(ctx context.Context, store cstorage.Store, names []string, opts PullOptions) (untagged, deleted []string, err error) {
	for _, n := range names {
		if _, err := lookupList(store, n, opts); err != nil {
			return untagged, deleted, err
		}
	}
	rt, err := library(store, opts)
	if err != nil {
		return nil, nil, err
	}
	reports, errs := rt.RemoveImages(ctx, names, &libimage.RemoveImagesOptions{LookupManifest: true})
	for _, r := range reports {
		untagged = append(untagged, r.Untagged...)
		if r.Removed {
			deleted = append(deleted, r.ID)
		}
	}
	if len(errs) > 0 {
		return untagged, deleted, errs[len(errs)-1]
	}
	return untagged, deleted, nil
}

// lookupList finds a manifest list: not found when there is no image of
// the name, invalid when the image is not a list.
func lookupList(store cstorage.Store, name string, opts PullOptions) (*libimage.ManifestList, error) {
	rt, err := library(store, opts)
	if err != nil {
		return nil, err
	}
	list, err := rt.LookupManifestList(name)
	switch {
	case errors.Is(err, cstorage.ErrImageUnknown):
		return nil, errdefs.NotFound(fmt.Errorf("%s: image not known", name))
	case errors.Is(err, libimage.ErrNotAManifestList):
		return nil, errdefs.Invalid(fmt.Errorf("%s: image is not a manifest list", name))
	case err != nil:
		return nil, err
	}
	return list, nil
}

// insecure is opts' TLS setting as libimage takes it.
func insecure(opts PullOptions) types.OptionalBool {
	switch opts.TLSVerify {
	case types.OptionalBoolFalse:
		return types.OptionalBoolTrue
	case types.OptionalBoolTrue:
		return types.OptionalBoolFalse
	}
	return types.OptionalBoolUndefined
}

// classifyManifestError gives registry errors of the manifest commands
// their class.
func classifyManifestError(err error) error {
	if errors.Is(err, cstorage.ErrImageUnknown) {
		return errdefs.NotFound(err)
	}
	return err
}
