package images

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"go.podman.io/common/libimage"
	cstorage "go.podman.io/storage"

	"github.com/burrow-containers/burrow/errdefs"
)

// SaveOptions tune Save.
type SaveOptions struct {
	// Format: docker-archive (the default), oci-archive, oci-dir or
	// docker-dir.
	Format string
	// MultiImage: names beyond the first are images of the archive
	// (docker-archive only), not more names of the first one.
	MultiImage bool
	// Uncompressed keeps the layers of an OCI archive or directory
	// uncompressed.
	Uncompressed bool
}

// library is podman's image library (libimage) over store, with opts'
// registry settings: save and load go through it, so that archives are
// read and written as podman reads and writes them.
func library(store cstorage.Store, opts PullOptions) (*libimage.Runtime, error) {
	sys, err := opts.systemContext()
	if err != nil {
		return nil, err
	}
	return libimage.RuntimeFromStore(store, &libimage.RuntimeOptions{SystemContext: sys})
}

// copyOptions are libimage's copy options for opts: progress to opts.Out
// unless quiet.
func (opts PullOptions) copyOptions() libimage.CopyOptions {
	var c libimage.CopyOptions
	if !opts.Quiet && opts.Out != nil {
		c.Writer = opts.Out
	}
	return c
}

// Save writes the stored image to an archive: format "docker-archive"
// (the default) or "oci-archive".
func Save(ctx context.Context, store cstorage.Store, image, path, format string, opts PullOptions) error {
	return SaveImages(ctx, store, []string{image}, path, SaveOptions{Format: format}, opts)
}

// SaveImages writes images to an archive or directory at path, as podman's
// save: a name by ID saves the image unnamed; without MultiImage the names
// after the first are more names of the first image in the archive. A failed
// save leaves no half archive behind.
func SaveImages(ctx context.Context, store cstorage.Store, names []string, path string, so SaveOptions, opts PullOptions) error {
	if so.Format == "" {
		so.Format = "docker-archive"
	}
	switch so.Format {
	case "docker-archive", "oci-archive", "oci-dir", "docker-dir":
	default:
		return errdefs.Invalid(fmt.Errorf("unknown format %q: use docker-archive, oci-archive, oci-dir or docker-dir", so.Format))
	}
	if len(names) > 1 && so.MultiImage && so.Format != "docker-archive" {
		return errdefs.Invalid(errors.New("--multi-image-archive (-m) is supported only with --format docker-archive"))
	}
	if !so.MultiImage {
		if _, err := Lookup(store, names[0]); err != nil {
			return err
		}
	}
	for _, n := range names {
		if _, err := Lookup(store, n); err != nil && so.MultiImage {
			return err
		}
	}
	rt, err := library(store, opts)
	if err != nil {
		return err
	}
	lo := &libimage.SaveOptions{CopyOptions: opts.copyOptions()}
	lo.OciAcceptUncompressedLayers = so.Uncompressed
	if !so.MultiImage {
		lo.AdditionalTags, names = names[1:], names[:1]
	}
	_, statErr := os.Stat(path)
	if err := rt.Save(ctx, names, so.Format, path, lo); err != nil {
		if statErr != nil && !strings.HasPrefix(path, "/dev/") {
			os.RemoveAll(path)
		}
		return fmt.Errorf("saving %s: %w", strings.Join(names, ", "), err)
	}
	return nil
}

// Load reads the images of an archive or directory at path (docker-archive,
// oci-archive, OCI layout, dir) into the store, as podman's load, and
// returns their names (IDs for unnamed ones).
func Load(ctx context.Context, store cstorage.Store, path string, opts PullOptions) ([]string, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, errdefs.NotFound(fmt.Errorf("loading %s: %w", path, errors.Unwrap(err)))
	}
	rt, err := library(store, opts)
	if err != nil {
		return nil, err
	}
	names, err := rt.Load(ctx, path, &libimage.LoadOptions{CopyOptions: opts.copyOptions()})
	if err != nil {
		return nil, loadError(path, err)
	}
	return names, nil
}

// loadError says in one line what a user can do about an archive that
// cannot be read: libimage lists each format it tried, on lines of their
// own. It keeps libimage's first words, which podman prints and scripts
// match ("payload does not match any of the supported image formats").
func loadError(path string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "unexpected EOF") {
		return errdefs.Invalid(fmt.Errorf("loading %s: payload does not match any of the supported image formats: the archive is truncated or not an image archive (oci-archive, docker-archive, oci-dir, docker-dir): save the image again", path))
	}
	if first, rest, ok := strings.Cut(msg, ":\n"); ok {
		var reasons []string
		for _, l := range strings.Split(rest, "\n") {
			if l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "*")); l != "" {
				reasons = append(reasons, l)
			}
		}
		msg = first + ": " + strings.Join(reasons, "; ")
	}
	return errdefs.Invalid(errors.New(msg))
}
