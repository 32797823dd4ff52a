package engine

import (
	"errors"
	"fmt"

	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/stringid"

	"github.com/burrow-containers/burrow/errdefs"
)

// Rename gives a container a new, unused name.
func (e *Engine) Rename(ctr *Container, name string) error {
	if !validName(name) {
		return errdefs.Invalid(fmt.Errorf("invalid container name %q: use letters, digits and _.- (starting with a letter or digit)", name))
	}
	unlock, err := e.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if !e.namesValid() {
		if err := e.rebuildNames(); err != nil {
			return err
		}
	}
	if r := e.named(name); r != nil && r.ID != ctr.ID {
		return errdefs.Conflict(fmt.Errorf("renaming container %s: the name %q is in use by %s", ctr.Name, name, stringid.TruncateID(r.ID)))
	}
	r, err := e.readRecord(ctr.ID)
	if err != nil {
		return err
	}
	if r.Stored {
		s, err := e.store()
		if err != nil {
			return err
		}
		if err := s.SetNames(r.ID, []string{name}); err != nil {
			if errors.Is(err, cstorage.ErrDuplicateName) {
				return errdefs.Conflict(fmt.Errorf("renaming container %s: the name %q is in use in the store by another tool", ctr.Name, name))
			}
			return fmt.Errorf("renaming container %s: %w", ctr.Name, err)
		}
	}
	r.Name = name
	ctr.Name = name
	if err := e.writeRecord(r); err != nil {
		return err
	}
	e.recordEvents(recordEvent("rename", r))
	return nil
}
