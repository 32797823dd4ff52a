package api

import (
	"time"

	"github.com/distribution/reference"
	"github.com/moby/moby/api/types/events"

	"github.com/burrow-containers/burrow/engine"
)

// journalReader follows the engine's journal of image operations for one
// /events stream: each look returns what was added since the last.
type journalReader struct {
	eng  *engine.Engine
	last time.Time
	on   bool
}

func newJournalReader(eng *engine.Engine, f *eventFilter) *journalReader {
	return &journalReader{eng: eng, last: time.Now(), on: f.wants(events.ImageEventType) || f.wants(events.ContainerEventType)}
}

// since is the journal's events from t on, for a replay.
func (j *journalReader) since(t time.Time) []eventMessage {
	return j.read(t.Add(-time.Nanosecond), false)
}

// next is the events added since the last look.
func (j *journalReader) next() []eventMessage { return j.read(j.last, true) }

func (j *journalReader) read(after time.Time, advance bool) []eventMessage {
	if !j.on {
		return nil
	}
	evs, _ := j.eng.ImageEvents(after)
	var out []eventMessage
	for _, ev := range evs {
		if advance && ev.Time.After(j.last) {
			j.last = ev.Time
		}
		out = append(out, j.message(ev))
	}
	return out
}

// message is a journal's event as dockerd reports it: a pull's or push's
// actor is the image's name, a tag's carries the new name, the other
// operations name the image by ID; a commit is the container's event.
func (j *journalReader) message(ev engine.ImageEvent) eventMessage {
	id := ""
	if ev.ImageID != "" {
		id = "sha256:" + ev.ImageID
	}
	attrs := map[string]string{}
	for k, v := range ev.Labels {
		attrs[k] = v
	}
	action := events.Action(ev.Action)
	switch action {
	case events.ActionCommit:
		return j.commit(ev, id)
	case events.ActionPull, events.ActionPush:
		attrs["name"] = familiarName(ev.Name)
		id = familiar(ev.Name)
	case events.ActionTag:
		attrs["name"] = familiar(ev.Name)
	default:
		attrs["name"] = id
	}
	m := message(events.ImageEventType, action, id, attrs, ev.Time)
	m.Status, m.ID = string(action), id
	return m
}

// commit is a commit's container event, with the new image's ID and name.
func (j *journalReader) commit(ev engine.ImageEvent, id string) eventMessage {
	extra := map[string]string{"imageID": id, "imageRef": ""}
	if ev.Name != "" {
		extra["imageRef"] = familiar(ev.Name)
	}
	c, err := j.eng.Get(ev.Container)
	if err != nil {
		m := message(events.ContainerEventType, events.ActionCommit, ev.Container, extra, ev.Time)
		m.Status, m.ID = string(events.ActionCommit), ev.Container
		return m
	}
	return containerEvent(events.ActionCommit, c, extra, ev.Time)
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
