package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	cstorage "go.podman.io/storage"

	"github.com/burrow-containers/burrow/errdefs"
)

// ExternalContainer is a container of the store that burrow has no record
// of: made by buildah, podman, skopeo or another tool sharing the store (what
// `podman ps --external` lists, in state "storage").
type ExternalContainer struct {
	ID      string
	Name    string // the store's first name, "unknown" without one
	ImageID string
	// Image is the image's first name ever given (its names history), as
	// podman shows it; "scratch" for a buildah container of no image.
	Image   string
	Created time.Time
	// Builder is "buildah" for a buildah working container, else "storage":
	// what podman puts in the command column.
	Builder string
}

// ExternalContainers lists the store's containers burrow has no record of,
// oldest first.
func (e *Engine) ExternalContainers() ([]ExternalContainer, error) {
	s, err := e.store()
	if err != nil {
		return nil, err
	}
	ctrs, err := s.Containers()
	if err != nil {
		return nil, fmt.Errorf("listing the store's containers: %w", err)
	}
	var out []ExternalContainer
	for _, sc := range ctrs {
		if e.hasRecordDir(sc.ID) {
			continue
		}
		out = append(out, externalContainer(s, sc))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Created.Before(out[j].Created) })
	return out, nil
}

// hasRecordDir tells whether burrow keeps (or is making) a record of id: a
// create in progress has its directory before its storage container.
func (e *Engine) hasRecordDir(id string) bool {
	_, err := os.Stat(e.ctrDir(id))
	return err == nil
}

func externalContainer(s cstorage.Store, sc cstorage.Container) ExternalContainer {
	x := ExternalContainer{ID: sc.ID, Name: "unknown", ImageID: sc.ImageID, Created: sc.Created, Builder: "storage"}
	if len(sc.Names) > 0 {
		x.Name = sc.Names[0]
	}
	// buildah keeps its state of a working container in buildah.json in
	// the container's directory.
	if dir, err := s.ContainerDirectory(sc.ID); err == nil {
		if _, err := os.Stat(filepath.Join(dir, "buildah.json")); err == nil {
			x.Builder = "buildah"
		}
	}
	switch {
	case sc.ImageID != "":
		if img, err := s.Image(sc.ImageID); err == nil && len(img.NamesHistory) > 0 {
			x.Image = img.NamesHistory[0]
		}
	case x.Builder == "buildah":
		x.Image = "scratch"
	}
	return x
}

// LookupExternal finds a container of the store that burrow has no record
// of, by name, ID or unique ID prefix; not found when there is none.
func (e *Engine) LookupExternal(nameOrID string) (*ExternalContainer, error) {
	s, err := e.store()
	if err != nil {
		return nil, err
	}
	sc, err := s.Container(nameOrID)
	if err != nil || e.hasRecordDir(sc.ID) {
		return nil, errdefs.NotFound(fmt.Errorf("no container with name or ID %q found: no such container", nameOrID))
	}
	x := externalContainer(s, *sc)
	return &x, nil
}

// RemoveExternal removes a container of the store burrow has no record of,
// as `podman rm` does: a mounted one only with force (its user may be at
// work in it).
func (e *Engine) RemoveExternal(x *ExternalContainer, force bool) error {
	s, err := e.store()
	if err != nil {
		return err
	}
	if !force {
		if n, err := s.Mounted(x.ID); err == nil && n > 0 {
			return errdefs.Conflict(fmt.Errorf("container %q is mounted and cannot be removed without using force (rm -f)", x.Name))
		}
	}
	if err := s.DeleteContainer(x.ID); err != nil {
		if errors.Is(err, cstorage.ErrContainerUnknown) {
			return errdefs.NotFound(fmt.Errorf("no container with name or ID %q found: no such container", x.ID))
		}
		return fmt.Errorf("removing storage container %s: %w", x.ID, err)
	}
	return nil
}
