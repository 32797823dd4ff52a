package engine

import (
	"fmt"
	"sort"

	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/archive"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/images"
)

// Change is one path a container (or an image's layer) changed against
// what it was made from.
type Change struct {
	Kind string // "A" added, "C" changed, "D" deleted
	Path string
}

// runMountPoints are the paths a container's run puts there (the files
// bound from its run directory, the kernel's filesystems): not the
// container's changes, as podman leaves them out of its diff.
var runMountPoints = map[string]bool{
	"/dev": true, "/proc": true, "/sys": true, "/run": true, "/run/.containerenv": true, "/run/secrets": true,
	"/etc/hostname": true, "/etc/hosts": true, "/etc/resolv.conf": true, "/etc/mtab": true,
}

// Diff lists what the container changed in its filesystem, without the
// mount points of its run.
func (e *Engine) Diff(ctr *Container) ([]Change, error) {
	s, sc, err := e.storageContainer(ctr, "diffing")
	if err != nil {
		return nil, err
	}
	skip := map[string]bool{}
	for p := range runMountPoints {
		skip[p] = true
	}
	if spec, err := e.loadSpec(ctr.ID); err == nil {
		for _, m := range spec.Mounts {
			skip[m.Destination] = true
		}
	}
	return layerChangesOf(s, "", sc.LayerID, skip)
}

// DiffNamed lists what name changed against its parent layer, or against
// the layer of against: each a container of burrow, a container of the
// store made by another tool (buildah's), or an image, as podman's diff
// takes them. A container's run mount points are left out, as podman
// leaves them out (buildah's runs make them too).
func (e *Engine) DiffNamed(name, against string) ([]Change, error) {
	if against == "" {
		if ctr, err := e.Get(name); err == nil {
			return e.Diff(ctr)
		}
	}
	s, err := e.store()
	if err != nil {
		return nil, err
	}
	to, isCtr, err := e.layerOf(s, name)
	if err != nil {
		return nil, err
	}
	from := ""
	if against != "" {
		if from, _, err = e.layerOf(s, against); err != nil {
			return nil, err
		}
	}
	var skip map[string]bool
	if isCtr {
		skip = runMountPoints
	}
	return layerChangesOf(s, from, to, skip)
}

// layerOf is the layer a container's or an image's filesystem is, and
// whether it is a container's.
func (e *Engine) layerOf(s cstorage.Store, name string) (string, bool, error) {
	if ctr, err := e.Get(name); err == nil {
		_, sc, err := e.storageContainer(ctr, "diffing")
		if err != nil {
			return "", false, err
		}
		return sc.LayerID, true, nil
	}
	if sc, err := s.Container(name); err == nil {
		return sc.LayerID, true, nil
	}
	if img, err := images.Lookup(s, name); err == nil {
		return img.TopLayer, false, nil
	}
	return "", false, errdefs.NotFound(fmt.Errorf("%s not found: no container or image of that name or ID", name))
}

// layerChangesOf lists the changes of layer to against from ("": its
// parent), sorted by path, without the paths in skip.
func layerChangesOf(s cstorage.Store, from, to string, skip map[string]bool) ([]Change, error) {
	changes, err := s.Changes(from, to)
	if err != nil {
		return nil, fmt.Errorf("diffing layer %s: %w", shortImageID(to), err)
	}
	out := make([]Change, 0, len(changes))
	for _, c := range changes {
		if skip[c.Path] {
			continue
		}
		k := "C"
		switch c.Kind {
		case archive.ChangeAdd:
			k = "A"
		case archive.ChangeDelete:
			k = "D"
		}
		out = append(out, Change{Kind: k, Path: c.Path})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}
