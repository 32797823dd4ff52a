package engine

import (
	"context"
	"slices"
	"time"

	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"

	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	cstorage "go.podman.io/storage"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/images"
	"github.com/burrow-containers/burrow/storage"
)

// The engine's image operations: the CLI and the API reach the store's
// images only through these, so that each is written once.

// Image types, as the images package defines them.
type (
	// Image is an image of the store.
	Image = cstorage.Image
	// PullOptions tune pulls, pushes and the other registry operations.
	PullOptions = images.PullOptions
	// ImageSummary is an image as `images` lists it.
	ImageSummary = images.Summary
	// ImageFilter is one filter of an image list.
	ImageFilter = images.Filter
	// ImageInspect is what `image inspect` shows.
	ImageInspect = images.InspectData
	// ImageHistoryEntry is one line of `history`.
	ImageHistoryEntry = images.HistoryEntry
	// ImportOptions describe the image `import` makes.
	ImportOptions = images.ImportOptions
	// StoreInfo describes the store, for `info`.
	StoreInfo = storage.StoreInfo
)

// ParseImageFilters checks image list filters, as podman's images
// --filter takes them; before, after and since name images of list.
func ParseImageFilters(specs []string, list []ImageSummary) ([]ImageFilter, error) {
	return images.ParseFiltersIn(specs, list)
}

// MatchImageName tells whether an image name matches a reference filter:
// the name or its last components, with * wildcards.
func MatchImageName(pattern, name string) bool { return images.MatchReference(pattern, name) }

// ParseFilterTime reads the time of an until, since or before filter: a
// Unix time, an RFC 3339 time or date, or a duration before now.
func ParseFilterTime(key, v string) (time.Time, error) { return images.FilterTime(key, v) }

// MatchImage tells whether an image passes every filter.
func MatchImage(s ImageSummary, filters []ImageFilter) bool { return images.Match(s, filters) }

// Pull pulls ref into the store.
func (e *Engine) Pull(ctx context.Context, ref string, o PullOptions) (*Image, error) {
	s, o, err := e.imageStore(o)
	if err != nil {
		return nil, err
	}
	img, err := images.Pull(ctx, s, ref, o)
	if err == nil {
		// podman 4.3's pull event names what was pulled, not the ID.
		ev := e.imageEvent("pull", img, ref)
		ev.ID = ""
		e.recordEvents(ev)
	}
	return img, err
}

// Puller is the PullFunc that pulls a missing image with o.
func (e *Engine) Puller(o PullOptions) PullFunc {
	return func(ctx context.Context, ref string) error {
		_, err := e.Pull(ctx, ref, o)
		return err
	}
}

// Push pushes the store's image to dest (a reference, with a transport or
// a registry's).
func (e *Engine) Push(ctx context.Context, image, dest string, o PullOptions) error {
	s, o, err := e.imageStore(o)
	if err != nil {
		return err
	}
	if err := images.Push(ctx, s, image, dest, o); err != nil {
		return err
	}
	img, _ := images.Lookup(s, image)
	name := dest
	if name == "" {
		name = image
	}
	e.recordEvents(e.imageEvent("push", img, name))
	return nil
}

// LookupImage finds the image a name, an ID or a unique ID prefix names.
func (e *Engine) LookupImage(ref string) (*Image, error) {
	s, err := e.store()
	if err != nil {
		return nil, err
	}
	return images.Lookup(s, ref)
}

// Images lists the store's images, newest first.
func (e *Engine) Images(ctx context.Context) ([]ImageSummary, error) {
	s, err := e.store()
	if err != nil {
		return nil, err
	}
	return images.List(ctx, s)
}

// InspectImage describes the image ref names.
func (e *Engine) InspectImage(ctx context.Context, ref string) (*ImageInspect, error) {
	s, err := e.store()
	if err != nil {
		return nil, err
	}
	img, err := images.Lookup(s, ref)
	if err != nil {
		return nil, err
	}
	return images.Inspect(ctx, s, img)
}

// ImageConfig is an image's configuration, with Docker's extensions.
func (e *Engine) ImageConfig(ctx context.Context, img *Image) (*dockerspec.DockerOCIImage, error) {
	s, err := e.store()
	if err != nil {
		return nil, err
	}
	return images.DockerConfig(ctx, s, img)
}

// ImageHistory lists how the image ref names was made, newest first.
func (e *Engine) ImageHistory(ctx context.Context, ref string) ([]ImageHistoryEntry, error) {
	s, err := e.store()
	if err != nil {
		return nil, err
	}
	img, err := images.Lookup(s, ref)
	if err != nil {
		return nil, err
	}
	return images.History(ctx, s, img)
}

// Tag adds names to the image ref names.
func (e *Engine) Tag(ref string, names ...string) error {
	img, err := e.LookupImage(ref)
	if err != nil {
		return err
	}
	return e.TagImage(img, names...)
}

// TagImage adds names to img.
func (e *Engine) TagImage(img *Image, names ...string) error {
	s, err := e.store()
	if err != nil {
		return err
	}
	if err := images.Tag(s, img, names...); err != nil {
		return err
	}
	e.recordEvents(e.tagEvents(img, names)...)
	return nil
}

// Untag removes names from the image ref names (every name without
// names), as podman's untag.
func (e *Engine) Untag(ref string, names ...string) error {
	img, err := e.LookupImage(ref)
	if err != nil {
		return err
	}
	s, err := e.store()
	if err != nil {
		return err
	}
	if err := images.Untag(s, img, names...); err != nil {
		return err
	}
	if now, err := s.Image(img.ID); err == nil {
		e.recordEvents(e.untagEvents(now, img.Names, now.Names)...)
	}
	return nil
}

// RemoveImage removes the image ref names as podman's rmi does: a name
// that is one of several only loses that name; an image that containers
// use is refused unless force, which removes those containers first. It
// returns the names untagged and the ID deleted ("" when none).
func (e *Engine) RemoveImage(ctx context.Context, ref string, force bool) (untagged []string, deleted string, err error) {
	untagged, deleted, _, err = e.removeImage(ctx, ref, force, false)
	return untagged, deleted, err
}

// RemoveImageAndParents removes the image ref names as dockerd's image
// removal does: as RemoveImage, and then the build steps it was made on
// that nothing else holds (podman's rmi keeps them, for image prune). It
// returns the names untagged and the IDs deleted, the image's first.
func (e *Engine) RemoveImageAndParents(ctx context.Context, ref string, force bool) (untagged, deleted []string, err error) {
	untagged, id, parents, err := e.removeImage(ctx, ref, force, true)
	if id != "" {
		deleted = append([]string{id}, parents...)
	}
	return untagged, deleted, err
}

func (e *Engine) removeImage(ctx context.Context, ref string, force, withParents bool) (untagged []string, deleted string, parents []string, err error) {
	s, err := e.store()
	if err != nil {
		return nil, "", nil, err
	}
	users := func(id string) ([]*Container, error) {
		ctrs, err := e.List()
		if err != nil {
			return nil, err
		}
		var out []*Container
		for _, c := range ctrs {
			if c.ImageID == id {
				out = append(out, c)
			}
		}
		return out, nil
	}
	inUse := func(id string) []string {
		var names []string
		ctrs, _ := users(id)
		for _, c := range ctrs {
			names = append(names, c.Name)
		}
		return names
	}
	removeUsers := func(id string) error {
		ctrs, err := users(id)
		if err != nil {
			return err
		}
		for _, c := range ctrs {
			if err := e.removeImageUser(ctx, c); err != nil {
				return err
			}
		}
		return nil
	}
	img, _ := images.Lookup(s, ref)
	var labels map[string]string
	var chain []string
	if img != nil {
		labels = e.imageEvent("", img, "").Attributes
		chain = layerChain(s, img.TopLayer)
	}
	untagged, deleted, err = images.Remove(s, ref, force, inUse, removeUsers)
	if deleted != "" && withParents {
		parents = e.removeBuildParents(s, chain)
	}
	if img != nil {
		// Oldest name first, as podman 4.3's untag events: the store
		// puts a new name first.
		var evs []Event
		names := slices.Clone(img.Names)
		slices.Reverse(names)
		for _, n := range append(names, untagged...) {
			if slices.Contains(untagged, n) && !slices.ContainsFunc(evs, func(ev Event) bool { return ev.Name == n }) {
				evs = append(evs, Event{Type: EventImage, Status: "untag", ID: img.ID, Name: n, Attributes: labels})
			}
		}
		for _, id := range append(nonEmpty(deleted), parents...) {
			evs = append(evs, Event{Type: EventImage, Status: "remove", ID: id, Name: id, Attributes: labels})
		}
		e.recordEvents(evs...)
	}
	if deleted != "" {
		e.pruneBuildCache()
	}
	return untagged, deleted, parents, err
}

// removeImageUser removes a container that uses an image rmi -f removes:
// an infra container goes with its whole pod, as podman's. A container an
// earlier pod removal took already is no error.
func (e *Engine) removeImageUser(ctx context.Context, c *Container) error {
	if c.Config.PodInfra != "" && c.Config.Pod != "" {
		p, err := e.GetPod(c.Config.Pod)
		if err == nil {
			_, err = e.RemovePod(ctx, p, PodRemoveOptions{Force: true})
			return err
		}
		if !errdefs.Is(err, errdefs.ClassNotFound) {
			return err
		}
	}
	err := e.Remove(ctx, c, RemoveOptions{Force: true})
	if errdefs.Is(err, errdefs.ClassNotFound) {
		return nil
	}
	return err
}

// DeleteImage deletes an image by ID, with no questions: for a build's
// own intermediate images.
func (e *Engine) DeleteImage(id string) error {
	s, err := e.store()
	if err != nil {
		return err
	}
	if _, err = s.DeleteImage(id, true); err == nil {
		e.pruneBuildCache()
	}
	return err
}

// PruneImages removes dangling images no container uses (with all, every
// unused image) and returns their IDs.
func (e *Engine) PruneImages(ctx context.Context, all bool) ([]string, error) {
	s, err := e.store()
	if err != nil {
		return nil, err
	}
	ids, err := images.Prune(ctx, s, all)
	var evs []Event
	for _, id := range ids {
		evs = append(evs, Event{Type: EventImage, Status: "remove", ID: id, Name: id})
	}
	e.recordEvents(evs...)
	if len(ids) > 0 {
		e.pruneBuildCache()
	}
	return ids, err
}

// Save writes the image to an archive at path (docker-archive or
// oci-archive format).
func (e *Engine) Save(ctx context.Context, image, path, format string, o PullOptions) error {
	s, o, err := e.imageStore(o)
	if err != nil {
		return err
	}
	if err := images.Save(ctx, s, image, path, format, o); err != nil {
		return err
	}
	e.recordSaved(s, []string{image}, path)
	return nil
}

// SaveImages writes images to an archive or directory at path, as podman's
// save (images.SaveImages).
func (e *Engine) SaveImages(ctx context.Context, names []string, path string, so images.SaveOptions, o PullOptions) error {
	s, o, err := e.imageStore(o)
	if err != nil {
		return err
	}
	if err := images.SaveImages(ctx, s, names, path, so, o); err != nil {
		return err
	}
	e.recordSaved(s, names, path)
	return nil
}

// recordSaved records the save of the images names name to path.
func (e *Engine) recordSaved(s cstorage.Store, names []string, path string) {
	var evs []Event
	for _, n := range names {
		if img, err := images.Lookup(s, n); err == nil {
			evs = append(evs, e.imageEvent("save", img, path))
		}
	}
	e.recordEvents(evs...)
}

// Load reads the images of an archive at path into the store and returns
// their names.
func (e *Engine) Load(ctx context.Context, path string, o PullOptions) ([]string, error) {
	s, o, err := e.imageStore(o)
	if err != nil {
		return nil, err
	}
	names, err := images.Load(ctx, s, path, o)
	if err == nil {
		// podman's one event names the archive; the IDs are burrow's,
		// for the Docker API's load event of each image.
		ev := Event{Type: EventImage, Status: "loadfromarchive", Name: path}
		for _, n := range names {
			if img, err := images.Lookup(s, n); err == nil && !slices.Contains(ev.Images, img.ID) {
				ev.Images = append(ev.Images, img.ID)
			}
		}
		e.recordEvents(ev)
	}
	return names, err
}

// Import makes an image of one layer from a root filesystem tarball ("-":
// stdin) and names it ref ("" for none).
func (e *Engine) Import(ctx context.Context, tarPath, ref string, io ImportOptions, o PullOptions) (*Image, error) {
	s, o, err := e.imageStore(o)
	if err != nil {
		return nil, err
	}
	img, err := images.Import(ctx, s, tarPath, ref, io, o)
	if err == nil {
		e.recordEvents(e.imageEvent("import", img, tarPath))
	}
	return img, err
}

// Login checks the credentials with the registry and stores them; it
// returns where they were stored.
func (e *Engine) Login(ctx context.Context, registry, username, password string, o PullOptions) (string, error) {
	return images.Login(ctx, registry, username, password, o)
}

// CheckLogin checks credentials with the registry without storing them.
func (e *Engine) CheckLogin(ctx context.Context, registry, username, password string, o PullOptions) error {
	return images.CheckLogin(ctx, registry, username, password, o)
}

// Logout forgets the stored credentials for registry (all: every one).
func (e *Engine) Logout(registry string, all bool, o PullOptions) error {
	return images.Logout(registry, all, o)
}

// StoreInfo describes the store: its driver, places and counts.
func (e *Engine) StoreInfo() (StoreInfo, error) {
	s, err := e.store()
	if err != nil {
		return StoreInfo{}, err
	}
	return storage.Info(s), nil
}

// nonEmpty is s as a list: none when it is "".
func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// Search's options and results, as package images defines them.
type (
	SearchOptions = images.SearchOptions
	SearchResult  = images.SearchResult
)

// Search looks term up in registries, as podman's search (images.Search).
func (e *Engine) Search(ctx context.Context, term string, so SearchOptions, o PullOptions) ([]SearchResult, error) {
	s, o, err := e.imageStore(o)
	if err != nil {
		return nil, err
	}
	return images.Search(ctx, s, term, so, o)
}

// Distribution describes the manifest a registry serves for ref and the
// platforms it has images for, pulling nothing (the Docker API's
// distribution inspect).
func (e *Engine) Distribution(ctx context.Context, ref string, o PullOptions) (imgspecv1.Descriptor, []imgspecv1.Platform, error) {
	o, err := e.imageOpts(o)
	if err != nil {
		return imgspecv1.Descriptor{}, nil, err
	}
	return images.RemoteManifest(ctx, ref, o)
}

// RemoteTags are the tags the registry of ref's repository has (pull
// --all-tags).
func (e *Engine) RemoteTags(ctx context.Context, ref string, o PullOptions) ([]string, error) {
	o, err := e.imageOpts(o)
	if err != nil {
		return nil, err
	}
	return images.RemoteTags(ctx, ref, o)
}
