package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	imgspec "github.com/opencontainers/image-spec/specs-go"
	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/manifest"
	"go.podman.io/image/v5/oci/layout"
	istorage "go.podman.io/image/v5/storage"
	"go.podman.io/image/v5/types"
	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/archive"
	"go.podman.io/storage/pkg/stringid"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/images"
)

// CommitOptions describe the image Commit makes.
type CommitOptions struct {
	Changes []string // --change, Dockerfile-style
	Message string
	Author  string
	// IncludeVolumes makes the container's volumes the image's VOLUMEs
	// (--include-volumes).
	IncludeVolumes bool
	// Pause freezes a running container while its layer is read (--pause).
	Pause bool
}

// storageContainer is the containers/storage side of a container made
// from an image.
func (e *Engine) storageContainer(ctr *Container, what string) (cstorage.Store, *cstorage.Container, error) {
	if !ctr.Stored {
		return nil, nil, errdefs.Invalid(fmt.Errorf("%s %s: the container runs on a --rootfs directory, not an image layer", what, ctr.Name))
	}
	s, err := e.store()
	if err != nil {
		return nil, nil, err
	}
	c, err := s.Container(ctr.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: %w", what, ctr.Name, err)
	}
	return s, c, nil
}

// Commit makes an image of the container: its image's layers plus one
// layer of the container's changes, its configuration with changes
// applied, named ref (none when empty).
func (e *Engine) Commit(ctx context.Context, ctr *Container, ref string, o CommitOptions, opts images.PullOptions) (*cstorage.Image, error) {
	opts, err := e.imageOpts(opts)
	if err != nil {
		return nil, err
	}
	s, sc, err := e.storageContainer(ctr, "committing")
	if err != nil {
		return nil, err
	}
	base, err := s.Image(sc.ImageID)
	if err != nil {
		return nil, fmt.Errorf("committing %s: its image %s is gone: %w", ctr.Name, stringid.TruncateID(sc.ImageID), err)
	}
	baseCfg, err := images.DockerConfig(ctx, s, base)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	cfg := *baseCfg
	cfg.Created = &now
	if o.Author != "" {
		cfg.Author = o.Author
	}
	var env []string
	drop := []string{"etc/mtab"} // the link made for a run (only a link to /proc/mounts is dropped)
	if spec, err := e.loadSpec(ctr.ID); err == nil {
		env = spec.Process.Env
		// The empty files the run's binds were mounted on are not the
		// container's changes: podman's commit has none of them.
		for _, m := range spec.Mounts {
			if p := strings.TrimPrefix(m.Destination, "/"); slices.Contains(etcMountPoints, p) {
				drop = append(drop, p)
			}
		}
	}
	containerConfig(&cfg.Config.ImageConfig, &ctr.Config, env)
	if o.IncludeVolumes {
		includeVolumes(&cfg.Config.ImageConfig, &ctr.Config)
	}
	if o.Pause && ctr.Running() && !ctr.Paused() {
		if err := e.Pause(ctr); err != nil {
			return nil, fmt.Errorf("committing %s with --pause: %w", ctr.Name, err)
		}
		defer e.Unpause(ctr)
	}
	if err := images.ApplyChanges(&cfg.Config.ImageConfig, o.Changes); err != nil {
		return nil, err
	}
	cfg.History = append(append([]imgspecv1.History{}, baseCfg.History...), imgspecv1.History{
		Created: &now, CreatedBy: "burrow commit " + ctr.Name, Comment: o.Message, Author: o.Author,
	})
	// The container's changes as the new layer.
	var img *cstorage.Image
	err = e.layerChanges(sc.ID, drop, func(layer io.Reader) (err error) {
		img, err = e.StoreImage(ctx, NewImage{Base: base, Layer: layer, Config: cfg, Ref: ref}, opts)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("committing %s: %w", ctr.Name, err)
	}
	// podman's commit is the container's event; burrow adds the new
	// image's ID, and its name's tag, for the Docker API's events.
	commit := e.containerEvent("commit", ctr)
	commit.Images = []string{img.ID}
	evs := []Event{commit}
	if ref != "" && len(img.Names) > 0 {
		evs = append(evs, e.imageEvent("tag", img, img.Names[0]))
	}
	e.recordEvents(evs...)
	return img, nil
}

// containerConfig makes img, the container's image's configuration, the
// committed container's, as podman's commit does: its entrypoint and
// command, its environment, working directory, user, labels and exposed
// ports where it set them. A variable the container took from the host
// (-e NAME) has the value it got, from its process's environment env.
func containerConfig(img *imgspecv1.ImageConfig, c *Config, env []string) {
	img.Entrypoint, img.Cmd = entrypointAndCmd(c, img)
	img.Env = mergeEnv(img.Env, c.Env, func(k string) (string, bool) {
		for _, kv := range slices.Backward(env) {
			if name, v, _ := strings.Cut(kv, "="); name == k {
				return v, true
			}
		}
		return "", false
	})
	if c.Workdir != "" {
		img.WorkingDir = c.Workdir
	}
	if c.User != "" {
		img.User = c.User
	}
	if len(c.Labels) > 0 && img.Labels == nil {
		img.Labels = map[string]string{}
	}
	maps.Copy(img.Labels, c.Labels)
	for _, p := range c.Expose {
		if img.ExposedPorts == nil {
			img.ExposedPorts = map[string]struct{}{}
		}
		img.ExposedPorts[p] = struct{}{}
	}
}

// includeVolumes adds the destinations of c's volumes, named and
// anonymous, to img's VOLUMEs.
func includeVolumes(img *imgspecv1.ImageConfig, c *Config) {
	for _, m := range c.Mounts {
		if m.Type != "volume" {
			continue
		}
		if img.Volumes == nil {
			img.Volumes = map[string]struct{}{}
		}
		img.Volumes[m.Destination] = struct{}{}
	}
}

// NewImage is an image for StoreImage to write.
type NewImage struct {
	// Base gives the image its layers; nil starts from scratch.
	Base *cstorage.Image
	// Layer is a new layer on top (an uncompressed tar); nil adds none.
	Layer io.Reader
	// Config is the image's configuration, history included; StoreImage
	// adds the new layer's diff ID to its root filesystem.
	Config dockerspec.DockerOCIImage
	// Ref names the image; none when empty.
	Ref string
}

// StoreImage writes an image made of a base's layers, an optional new
// layer and a configuration into the store. The configuration keeps
// Docker's extensions (healthcheck, onbuild, shell); opts.ManifestType
// "docker" stores a Docker schema 2 manifest instead of an OCI one.
func (e *Engine) StoreImage(ctx context.Context, n NewImage, opts images.PullOptions) (*cstorage.Image, error) {
	opts, err := e.imageOpts(opts)
	if err != nil {
		return nil, err
	}
	s, err := e.store()
	if err != nil {
		return nil, err
	}
	var baseLayers []imgspecv1.Descriptor
	if n.Base != nil {
		if baseLayers, err = baseLayerDescriptors(ctx, s, n.Base); err != nil {
			return nil, err
		}
	}
	// Beside the store, in this process's temporary directory: a commit
	// or a build killed here leaves nothing the next command keeps.
	dir, err := os.MkdirTemp(opts.TempDir, "commit-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	blobs := filepath.Join(dir, "blobs", "sha256")
	if err := os.MkdirAll(blobs, 0o700); err != nil {
		return nil, err
	}
	cfg := n.Config
	cfg.RootFS.Type = "layers"
	cfg.RootFS.DiffIDs = append([]digest.Digest{}, n.Config.RootFS.DiffIDs...)
	layers := baseLayers
	if n.Layer != nil {
		layerDesc, err := writeBlob(blobs, imgspecv1.MediaTypeImageLayer, n.Layer)
		if err != nil {
			return nil, fmt.Errorf("writing the new layer: %w", err)
		}
		layers = append(layers, layerDesc)
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, layerDesc.Digest)
	}
	if len(cfg.RootFS.DiffIDs) != len(layers) {
		return nil, fmt.Errorf("the configuration names %d layers, the image has %d", len(cfg.RootFS.DiffIDs), len(layers))
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	cfgDesc, err := writeBlob(blobs, imgspecv1.MediaTypeImageConfig, strings.NewReader(string(cfgJSON)))
	if err != nil {
		return nil, err
	}
	m := imgspecv1.Manifest{
		Versioned: imgspec.Versioned{SchemaVersion: 2}, MediaType: imgspecv1.MediaTypeImageManifest,
		Config: cfgDesc, Layers: layers,
	}
	if m.Layers == nil {
		m.Layers = []imgspecv1.Descriptor{}
	}
	mJSON, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	mDesc, err := writeBlob(blobs, imgspecv1.MediaTypeImageManifest, strings.NewReader(string(mJSON)))
	if err != nil {
		return nil, err
	}
	index := imgspecv1.Index{Versioned: imgspec.Versioned{SchemaVersion: 2}, MediaType: imgspecv1.MediaTypeImageIndex, Manifests: []imgspecv1.Descriptor{mDesc}}
	if err := writeFileJSON(filepath.Join(dir, "index.json"), index); err != nil {
		return nil, err
	}
	if err := writeFileJSON(filepath.Join(dir, imgspecv1.ImageLayoutFile), imgspecv1.ImageLayout{Version: imgspecv1.ImageLayoutVersion}); err != nil {
		return nil, err
	}

	crashPoint("committing")
	// The base's layers are in the store already: the copy reuses them by
	// digest and stores only the new one.
	src, err := layout.NewReference(dir, "")
	if err != nil {
		return nil, err
	}
	// An image without a name is stored under its configuration's digest,
	// the ID the store would give it anyway.
	dstRef, err := commitDestination(s, n.Ref, cfgDesc.Digest.Encoded())
	if err != nil {
		return nil, err
	}
	return images.CopyInto(ctx, dstRef, src, opts, "storing the image")
}

// commitDestination is the storage reference an image named ref (or, with
// none, of that ID) is stored under.
func commitDestination(s cstorage.Store, ref, id string) (types.ImageReference, error) {
	if ref == "" {
		return istorage.Transport.NewStoreReference(s, nil, id)
	}
	named, err := images.NormalizeName(ref)
	if err != nil {
		return nil, err
	}
	return istorage.Transport.NewStoreReference(s, named, "")
}

// baseLayerDescriptors are the layers of the image's manifest, as OCI
// descriptors (the digests the store knows them by).
func baseLayerDescriptors(ctx context.Context, s cstorage.Store, img *cstorage.Image) ([]imgspecv1.Descriptor, error) {
	ref, err := istorage.Transport.NewStoreReference(s, nil, img.ID)
	if err != nil {
		return nil, err
	}
	src, err := ref.NewImageSource(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	b, mt, err := src.GetManifest(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("reading the manifest of image %s: %w", stringid.TruncateID(img.ID), err)
	}
	m, err := manifest.FromBlob(b, manifest.NormalizedMIMEType(mt))
	if err != nil {
		return nil, fmt.Errorf("reading the manifest of image %s: %w", stringid.TruncateID(img.ID), err)
	}
	var out []imgspecv1.Descriptor
	for _, l := range m.LayerInfos() {
		if l.EmptyLayer {
			continue
		}
		out = append(out, imgspecv1.Descriptor{MediaType: ociLayerType(l.MediaType), Digest: l.Digest, Size: l.Size})
	}
	return out, nil
}

func ociLayerType(mt string) string {
	switch {
	case strings.HasSuffix(mt, "gzip"):
		return imgspecv1.MediaTypeImageLayerGzip
	case strings.HasSuffix(mt, "zstd"):
		return imgspecv1.MediaTypeImageLayerZstd
	}
	return imgspecv1.MediaTypeImageLayer
}

// writeBlob stores r in an OCI layout's blob directory.
func writeBlob(dir, mediaType string, r io.Reader) (imgspecv1.Descriptor, error) {
	f, err := os.CreateTemp(dir, ".blob-")
	if err != nil {
		return imgspecv1.Descriptor{}, err
	}
	defer os.Remove(f.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return imgspecv1.Descriptor{}, err
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if err := os.Rename(f.Name(), filepath.Join(dir, sum)); err != nil {
		return imgspecv1.Descriptor{}, err
	}
	return imgspecv1.Descriptor{MediaType: mediaType, Digest: digest.NewDigestFromEncoded(digest.SHA256, sum), Size: n}, nil
}

func writeFileJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// Export writes a tar of the container's whole filesystem to w.
func (e *Engine) Export(ctr *Container, w io.Writer) error {
	return e.withRoot(ctr, func(rootfs string) error {
		rd, err := archive.TarWithOptions(rootfs, &archive.TarOptions{})
		if err != nil {
			return fmt.Errorf("exporting %s: %w", ctr.Name, err)
		}
		defer rd.Close()
		if _, err := io.Copy(w, rd); err != nil {
			return fmt.Errorf("exporting %s: %w", ctr.Name, err)
		}
		return nil
	})
}
