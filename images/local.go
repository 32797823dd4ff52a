package images

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"
	"go.podman.io/image/v5/docker/reference"
	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/stringid"

	"github.com/burrow-containers/burrow/errdefs"
)

// Summary is an image as `burrow images` lists it.
type Summary struct {
	ID      string
	Names   []string // repository:tag, fully qualified
	Digest  string
	Created time.Time
	Size    int64
	// Dangling: no name left (a tag moved to another image), and not an
	// intermediate image.
	Dangling bool
	// Intermediate: no name, and its layers are part of another image (a
	// build step's image); listings hide these unless asked, as podman's.
	Intermediate bool
	// Labels are the image's configured labels.
	Labels map[string]string
	// History is every name the image has had, newest first (podman's
	// names history).
	History []string
	// Containers counts the store's containers made from the image.
	Containers int
	// ReadOnly: the image is in a read-only additional store.
	ReadOnly bool
	// ManifestList: the image is a manifest list (`manifest create`).
	ManifestList bool
}

// List returns the store's images, newest first.
func List(ctx context.Context, store cstorage.Store) ([]Summary, error) {
	imgs, err := store.Images()
	if err != nil {
		return nil, fmt.Errorf("listing images: %w", err)
	}
	// The layers other images build on: an unnamed image whose top layer
	// is one of them (or another image's top) is a build step.
	under := map[string]int{}
	for i := range imgs {
		if imgs[i].TopLayer == "" {
			continue
		}
		under[imgs[i].TopLayer]++
		for id := imgs[i].TopLayer; ; {
			l, err := store.Layer(id)
			if err != nil || l.Parent == "" {
				break
			}
			id = l.Parent
			under[id] += 2
		}
	}
	users := map[string]int{}
	if ctrs, err := store.Containers(); err == nil {
		for _, c := range ctrs {
			users[c.ImageID]++
		}
	}
	out := make([]Summary, 0, len(imgs))
	for i := range imgs {
		img := &imgs[i]
		s := Summary{ID: img.ID, Names: img.Names, Digest: img.Digest.String(), Created: img.Created,
			History: img.NamesHistory, Containers: users[img.ID], ReadOnly: img.ReadOnly, Labels: map[string]string{}}
		if len(img.Names) == 0 {
			s.Intermediate = img.TopLayer != "" && under[img.TopLayer] > 1
			s.Dangling = !s.Intermediate
		}
		if isManifestList(store, img) {
			s.ManifestList = true
		} else if cfg, err := Config(ctx, store, img); err == nil {
			if cfg.Created != nil {
				s.Created = *cfg.Created
			}
			if cfg.Config.Labels != nil {
				s.Labels = cfg.Config.Labels
			}
		}
		if n, err := store.ImageSize(img.ID); err == nil {
			s.Size = n
		}
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, nil
}

// NormalizeName turns a user's image name into the stored form as podman
// does: a name without a registry gets "localhost/", a name without a tag
// gets ":latest".
func NormalizeName(name string) (reference.Named, error) {
	name = strings.TrimPrefix(name, "docker://")
	first, _, hasSlash := strings.Cut(name, "/")
	if !hasSlash || (!strings.ContainsAny(first, ".:") && first != "localhost") {
		name = "localhost/" + name
	}
	named, err := reference.ParseNormalizedNamed(name)
	if err != nil {
		return nil, errdefs.Invalid(fmt.Errorf("invalid image name %q: %w", name, err))
	}
	if _, isDigested := named.(reference.Digested); isDigested {
		return nil, errdefs.Invalid(fmt.Errorf("invalid image name %q: a tag, not a digest, names a stored image", name))
	}
	return reference.TagNameOnly(named), nil
}

// Tag adds names to an image.
func Tag(store cstorage.Store, img *cstorage.Image, names ...string) error {
	var add []string
	for _, n := range names {
		named, err := NormalizeName(n)
		if err != nil {
			return err
		}
		add = append(add, named.String())
	}
	if err := store.AddNames(img.ID, add); err != nil {
		return fmt.Errorf("tagging image %s: %w", stringid.TruncateID(img.ID), err)
	}
	return nil
}

// InUseFunc tells which containers (names) use an image.
type InUseFunc func(imageID string) []string

// Remove removes an image named by ref as podman's rmi does: a name that is
// one of several only loses that name; an image that containers use is
// refused unless force, which removes those containers first (removeCtrs).
func Remove(store cstorage.Store, ref string, force bool, inUse InUseFunc, removeCtrs func(imageID string) error) (untagged []string, deleted string, err error) {
	img, err := Lookup(store, ref)
	if err != nil {
		return nil, "", err
	}
	byName := !strings.HasPrefix(img.ID, strings.TrimPrefix(ref, "sha256:"))
	if named, err := reference.ParseNormalizedNamed(ref); err == nil {
		if _, digested := named.(reference.Digested); digested && hasTag(img.Names) {
			// A reference by digest to an image that keeps a tag: podman
			// only drops that reference.
			if hasName(img, named.String()) {
				if err := store.RemoveNames(img.ID, []string{named.String()}); err != nil {
					return nil, "", err
				}
			}
			return []string{ref}, "", nil
		}
	}
	if byName && len(img.Names) > 1 {
		n := img.Names[0]
		for _, x := range img.Names {
			if x == ref || strings.HasSuffix(x, "/"+ref) || strings.HasSuffix(x, "/"+ref+":latest") {
				n = x
			}
		}
		if err := store.RemoveNames(img.ID, []string{n}); err != nil {
			return nil, "", err
		}
		return []string{n}, "", nil
	}
	if !byName && len(img.Names) > 1 && !force {
		return nil, "", errdefs.Conflict(fmt.Errorf("image %s has several names (%s): remove them one by one or use rmi -f", stringid.TruncateID(img.ID), strings.Join(img.Names, ", ")))
	}
	if users := inUse(img.ID); len(users) > 0 {
		if !force {
			return nil, "", imageInUse(img.ID)
		}
		if err := removeCtrs(img.ID); err != nil {
			return nil, "", err
		}
	}
	if _, err := store.DeleteImage(img.ID, true); err != nil {
		if errors.Is(err, cstorage.ErrImageUsedByContainer) {
			return nil, "", imageInUse(img.ID)
		}
		return nil, "", fmt.Errorf("removing image %s: %w", stringid.TruncateID(img.ID), err)
	}
	return img.Names, img.ID, nil
}

// imageInUse is podman's refusal to remove an image a container uses,
// burrow's or another tool's (ps --external lists those); scripts match
// its words.
func imageInUse(id string) error {
	return errdefs.Conflict(fmt.Errorf("image used by %s: %w: consider listing external containers and force-removing image", id, cstorage.ErrImageUsedByContainer))
}

// Prune removes images no container uses: dangling ones (no name, not a
// build step under another image), or with all every unused one, the
// intermediate images of builds too. Removing an image can leave the step
// images under it dangling, so it goes on until nothing more goes. It
// returns the IDs removed.
func Prune(ctx context.Context, store cstorage.Store, all bool) ([]string, error) {
	var removed []string
	for {
		ctrs, err := store.Containers()
		if err != nil {
			return removed, fmt.Errorf("listing the store's containers: %w", err)
		}
		used := map[string]bool{}
		for _, c := range ctrs {
			used[c.ImageID] = true
		}
		list, err := List(ctx, store)
		if err != nil {
			return removed, err
		}
		progress := false
		for _, s := range list {
			if used[s.ID] || !(s.Dangling || all) {
				continue
			}
			if _, err := store.DeleteImage(s.ID, true); err != nil {
				if errors.Is(err, cstorage.ErrImageUsedByContainer) {
					continue // a container made meanwhile
				}
				return removed, fmt.Errorf("removing image %s: %w", stringid.TruncateID(s.ID), err)
			}
			removed = append(removed, s.ID)
			progress = true
		}
		if !progress {
			return removed, nil
		}
	}
}

// hasTag tells whether one of names is by tag (not by digest).
func hasTag(names []string) bool {
	for _, n := range names {
		if !strings.Contains(n, "@") {
			return true
		}
	}
	return false
}

// Untag removes names from an image as podman's untag does: each name is
// normalized as tag normalizes it (a name with both a tag and a digest
// keeps the digest); a name the image does not have is an error. Without
// names, every name goes.
func Untag(store cstorage.Store, img *cstorage.Image, names ...string) error {
	if len(names) == 0 {
		if err := store.RemoveNames(img.ID, img.Names); err != nil {
			return fmt.Errorf("untagging image %s: %w", stringid.TruncateID(img.ID), err)
		}
		return nil
	}
	var drop []string
	for _, n := range names {
		named, err := normalizeAny(n)
		if err != nil {
			return err
		}
		if !hasName(img, named.String()) {
			return errdefs.Invalid(fmt.Errorf("%s: tag not known", named.String()))
		}
		drop = append(drop, named.String())
	}
	if err := store.RemoveNames(img.ID, drop); err != nil {
		return fmt.Errorf("untagging image %s: %w", stringid.TruncateID(img.ID), err)
	}
	return nil
}

// normalizeAny is NormalizeName for a name that may be by digest: one with
// both a tag and a digest keeps the digest alone, as podman's.
func normalizeAny(name string) (reference.Named, error) {
	base, dgst, byDigest := strings.Cut(name, "@")
	if !byDigest {
		return NormalizeName(name)
	}
	named, err := NormalizeName(base)
	if err != nil {
		return nil, err
	}
	d, err := digest.Parse(dgst)
	if err != nil {
		return nil, errdefs.Invalid(fmt.Errorf("invalid image name %q: %w", name, err))
	}
	return reference.WithDigest(reference.TrimNamed(named), d)
}
