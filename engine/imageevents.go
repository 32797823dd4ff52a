package engine

import (
	"context"
	"slices"

	"github.com/burrow-containers/burrow/images"
)

// Image events, as podman's libimage writes them: pull and push name what
// was pulled or pushed to, tag the name given, untag the name removed,
// save and loadfromarchive the archive, remove the image's ID. burrow adds
// the image's labels as the event's attributes, for the Docker API's
// events (which carry them) and the label filter.

// imageEvent is an event about img (nil when unknown), with its labels.
func (e *Engine) imageEvent(status string, img *Image, name string) Event {
	ev := Event{Type: EventImage, Status: status, Name: name}
	if img == nil {
		return ev
	}
	ev.ID = img.ID
	if s, err := e.store(); err == nil {
		if cfg, err := images.DockerConfig(context.Background(), s, img); err == nil && len(cfg.Config.Labels) > 0 {
			ev.Attributes = cfg.Config.Labels
		}
	}
	return ev
}

// tagEvents are the tag events of names given to img, as given.
func (e *Engine) tagEvents(img *Image, names []string) []Event {
	var out []Event
	for _, n := range names {
		out = append(out, e.imageEvent("tag", img, n))
	}
	return out
}

// untagEvents are the untag events of the names img lost between before
// and after.
func (e *Engine) untagEvents(img *Image, before, after []string) []Event {
	var out []Event
	for _, n := range before {
		if !slices.Contains(after, n) {
			out = append(out, e.imageEvent("untag", img, n))
		}
	}
	return out
}

// StoredImageName is the name a tag given as name is stored under
// (localhost/ for a short name, :latest for no tag), as the tag event
// names it as the user gave it; name itself when it is no image name.
func StoredImageName(name string) string {
	named, err := images.NormalizeName(name)
	if err != nil {
		return name
	}
	return named.String()
}
