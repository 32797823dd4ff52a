package api

import (
	"strings"

	"github.com/distribution/reference"
	"github.com/moby/moby/api/types/events"

	"github.com/burrow-containers/burrow/engine"
)

// imageMessages are an image event of the journal as dockerd tells it: a
// pull's or push's actor is the image's name, a tag's carries the new
// name (as stored), the other operations name the image by ID; podman's
// remove is dockerd's delete, and its one loadfromarchive a load of each
// image the archive brought.
func (s *Server) imageMessages(ev engine.Event) []eventMessage {
	switch ev.Status {
	case "loadfromarchive":
		var out []eventMessage
		for _, id := range ev.Images {
			out = append(out, imageMessage(events.ActionLoad, "sha256:"+id, ev.Attributes, "", ev))
		}
		return out
	case "remove":
		return []eventMessage{imageMessage(events.ActionDelete, imageID(ev.ID), ev.Attributes, "", ev)}
	case "pull", "push":
		name := strings.TrimPrefix(ev.Name, "docker://")
		return []eventMessage{imageMessage(events.Action(ev.Status), familiar(name), ev.Attributes, familiarName(name), ev)}
	case "tag":
		return []eventMessage{imageMessage(events.ActionTag, imageID(ev.ID), ev.Attributes, familiar(engine.StoredImageName(ev.Name)), ev)}
	case "untag", "save", "import":
		return []eventMessage{imageMessage(events.Action(ev.Status), imageID(ev.ID), ev.Attributes, "", ev)}
	}
	return nil
}

// imageMessage is an image's event with its labels, and its name ("":
// the actor's ID).
func imageMessage(action events.Action, id string, labels map[string]string, name string, ev engine.Event) eventMessage {
	attrs := map[string]string{}
	for k, v := range labels {
		attrs[k] = v
	}
	if name == "" {
		name = id
	}
	attrs["name"] = name
	m := message(events.ImageEventType, action, id, attrs, ev.Time)
	m.Status, m.ID = string(action), id
	return m
}

func imageID(id string) string {
	if id == "" {
		return ""
	}
	return "sha256:" + id
}

// familiarName is a name without its tag or digest, as dockerd's pull
// and push events carry it.
func familiarName(name string) string {
	named, err := reference.ParseNormalizedNamed(name)
	if err != nil {
		return name
	}
	return reference.FamiliarName(named)
}
