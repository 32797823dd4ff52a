package engine

import (
	cstorage "go.podman.io/storage"
)

// storageHeadStart makes a container's storage (its layer and the storage
// container, mounted) while Run starts the network, the monitor and the
// init: most of those phases wait for other processes (slirp4netns, the
// monitor's exec, the init's clone), and the storage library's work is
// the CLI's largest (it loads the layer store whole, which grows with the
// containers in the store). The goroutine works on a copy of the
// container, so that launch may change the record meanwhile; take hands
// its results over.
//
// Crash consistency is as without it: the storage exists before the
// process starts, and a Run cut off at any point is undone by the
// reconcile of its record (which removes a storage container the record
// does not know of yet).
type storageHeadStart struct {
	done   chan struct{}
	name   string // the name storage took (a drawn name may be drawn again)
	rootfs string
	stored bool
	err    error
}

// startStorage starts the head start for ctr, reserved, from img; nil
// when there is nothing to head-start (a --rootfs container, or maps
// that storage picks, which the init's clone needs first).
func (e *Engine) startStorage(ctr *Container, img *cstorage.Image) *storageHeadStart {
	if img == nil || (ctr.idmaps != nil && ctr.idmaps.Auto) {
		return nil
	}
	h := &storageHeadStart{done: make(chan struct{})}
	cp := *ctr
	go func() {
		defer close(h.done)
		h.err = e.createStorage(&cp, img)
		h.name, h.stored = cp.Name, cp.Stored
		if h.err == nil {
			h.rootfs, h.err = e.mountRoot(&cp.Record)
		}
	}()
	return h
}

// wait waits for the head start to end; a nil head start has none.
func (h *storageHeadStart) wait() {
	if h != nil {
		<-h.done
	}
}

// take waits for the head start and gives ctr what it made: the storage
// container and its mounted root. Its error is the storage's. A container
// taken from keeps what it got: materialize neither makes nor mounts it
// again.
func (h *storageHeadStart) take(ctr *Container) error {
	if h == nil {
		return nil
	}
	h.wait()
	if h.stored {
		ctr.Name, ctr.Stored = h.name, true
	}
	if h.rootfs != "" {
		ctr.rootfs = h.rootfs
	}
	return h.err
}
