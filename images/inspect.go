package images

import (
	"context"
	"strings"
	"time"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	istorage "go.podman.io/image/v5/storage"
	cstorage "go.podman.io/storage"
)

// InspectData is an image as `burrow image inspect` shows it, in the
// shape of podman's (the fields burrow has).
type InspectData struct {
	ID           string                          `json:"Id"`
	Digest       string                          `json:"Digest"`
	RepoTags     []string                        `json:"RepoTags"`
	RepoDigests  []string                        `json:"RepoDigests"`
	Created      *time.Time                      `json:"Created,omitempty"`
	Config       dockerspec.DockerOCIImageConfig `json:"Config"`
	Version      string                          `json:"Version"`
	Author       string                          `json:"Author"`
	Architecture string                          `json:"Architecture"`
	Os           string                          `json:"Os"`
	Size         int64                           `json:"Size"`
	VirtualSize  int64                           `json:"VirtualSize"`
	Labels       map[string]string               `json:"Labels"`
	RootFS       struct {
		Type   string   `json:"Type"`
		Layers []string `json:"Layers"`
	} `json:"RootFS"`
	History      []v1.History                  `json:"History"`
	ManifestType string                        `json:"ManifestType"`
	HealthCheck  *dockerspec.HealthcheckConfig `json:"HealthCheck,omitempty"`
}

// Inspect describes an image.
func Inspect(ctx context.Context, store cstorage.Store, img *cstorage.Image) (*InspectData, error) {
	cfg, err := DockerConfig(ctx, store, img)
	if err != nil {
		return nil, err
	}
	d := &InspectData{HealthCheck: cfg.Config.Healthcheck,
		ID: img.ID, Digest: img.Digest.String(), RepoTags: img.Names, RepoDigests: []string{},
		Created: cfg.Created, Config: cfg.Config, Author: cfg.Author,
		Architecture: cfg.Architecture, Os: cfg.OS, Labels: cfg.Config.Labels, History: cfg.History,
	}
	if d.RepoTags == nil {
		d.RepoTags = []string{}
	}
	for _, n := range img.Names {
		repo := n
		if i := strings.LastIndex(n, ":"); i > strings.LastIndex(n, "/") {
			repo = n[:i]
		}
		for _, dg := range img.Digests {
			d.RepoDigests = append(d.RepoDigests, repo+"@"+dg.String())
		}
	}
	d.RootFS.Type = cfg.RootFS.Type
	for _, l := range cfg.RootFS.DiffIDs {
		d.RootFS.Layers = append(d.RootFS.Layers, l.String())
	}
	if n, err := store.ImageSize(img.ID); err == nil {
		d.Size, d.VirtualSize = n, n
	}
	if ref, err := istorage.Transport.NewStoreReference(store, nil, img.ID); err == nil {
		if src, err := ref.NewImageSource(ctx, nil); err == nil {
			if _, mt, err := src.GetManifest(ctx, nil); err == nil {
				d.ManifestType = mt
			}
			src.Close()
		}
	}
	return d, nil
}

// HistoryEntry is one step of an image's history, as `burrow history`
// shows it.
type HistoryEntry struct {
	ID        string // the image ID for the newest entry, "<missing>" for others
	Created   time.Time
	CreatedBy string
	Size      int64
	Comment   string
	Tags      []string // the image's names, on the newest entry
}

// History lists the image's history with the size of each layer.
func History(ctx context.Context, store cstorage.Store, img *cstorage.Image) ([]HistoryEntry, error) {
	cfg, err := Config(ctx, store, img)
	if err != nil {
		return nil, err
	}
	// Layer sizes, bottom first, from the layer chain.
	var sizes []int64
	for id := img.TopLayer; id != ""; {
		l, err := store.Layer(id)
		if err != nil {
			break
		}
		sizes = append([]int64{l.UncompressedSize}, sizes...)
		id = l.Parent
	}
	var out []HistoryEntry
	li := 0
	for _, h := range cfg.History {
		e := HistoryEntry{ID: "<missing>", CreatedBy: h.CreatedBy, Comment: h.Comment}
		if h.Created != nil {
			e.Created = *h.Created
		}
		if !h.EmptyLayer && li < len(sizes) {
			e.Size = sizes[li]
			li++
		}
		out = append([]HistoryEntry{e}, out...)
	}
	if len(out) == 0 {
		// An image without history (built by hand): one entry per layer.
		for i := len(sizes) - 1; i >= 0; i-- {
			e := HistoryEntry{ID: "<missing>", Size: sizes[i]}
			if cfg.Created != nil {
				e.Created = *cfg.Created
			}
			out = append(out, e)
		}
	}
	if len(out) > 0 {
		out[0].ID = img.ID
		for _, n := range img.Names {
			if !strings.Contains(n, "@") {
				out[0].Tags = append(out[0].Tags, n)
			}
		}
	}
	return out, nil
}
