package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/events"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// events streams events (GET /events) from the engine's events journal,
// the one `burrow events` reads: what the API and the CLI did alike,
// and the exits the containers' monitors recorded. Each journal event is
// told as dockerd tells it (eventmessages): podman's statuses that
// dockerd has no event for (init, cleanup, pods) are left out. A since
// replays the journal from then; an until ends the stream.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since, err := eventTime("since", q.Get("since"))
	if err != nil {
		writeError(w, err)
		return
	}
	until, err := eventTime("until", q.Get("until"))
	if err != nil {
		writeError(w, err)
		return
	}
	args, err := filterArgs(r)
	if err != nil {
		writeError(w, err)
		return
	}
	ef, err := newEventFilter(args)
	if err != nil {
		writeError(w, err)
		return
	}
	if err := s.Engine.EventsReadable(); err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	fl, _ := w.(http.Flusher)
	if fl != nil {
		fl.Flush()
	}
	enc := json.NewEncoder(w)
	// dockerd's stream without since starts now; since is inclusive.
	from := time.Now()
	if !since.IsZero() {
		from = since.Add(-time.Nanosecond)
	}
	o := engine.EventsOptions{Since: from, Until: until, Stream: true}
	s.Engine.ReadEvents(r.Context(), o, func(ev engine.Event) error {
		for _, m := range s.dockerMessages(ev) {
			if ef.match(m) {
				if err := enc.Encode(m); err != nil {
					return err
				}
			}
		}
		if fl != nil {
			fl.Flush()
		}
		return nil
	})
}

// eventTime reads since and until: a Unix time with an optional fraction,
// an RFC 3339 time, or a duration before now.
func eventTime(key, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := engine.ParseFilterTime(key, v)
	if err != nil {
		return time.Time{}, errdefs.Invalid(fmt.Errorf("invalid %s %q: a Unix time, an RFC 3339 time or a duration", key, v))
	}
	return t, nil
}

// eventMessage is one event of GET /events. Status, ID and From repeat
// the action, the container and its image where clients from before API
// 1.22 (and docker events --format {{.Status}}) read them.
type eventMessage struct {
	events.Message
	Status string `json:"status,omitempty"`
	ID     string `json:"id,omitempty"`
	From   string `json:"from,omitempty"`
}

// eventFilter is the filters of GET /events: type, event (the action),
// container, image, label, network and volume, as dockerd's.
type eventFilter struct {
	args map[string][]string
}

func newEventFilter(args map[string][]string) (*eventFilter, error) {
	for k, vs := range args {
		switch k {
		case "type":
			for _, v := range vs {
				switch events.Type(v) {
				case events.ContainerEventType, events.ImageEventType, events.NetworkEventType, events.VolumeEventType:
				default:
					return nil, errdefs.Invalid(fmt.Errorf("event type %q: burrow reports container, image, network and volume events", v))
				}
			}
		case "event", "container", "image", "label", "network", "volume", "scope":
		default:
			return nil, errdefs.Invalid(fmt.Errorf("unsupported event filter %q: burrow knows type, event, container, image, label, network, volume and scope", k))
		}
	}
	return &eventFilter{args: args}, nil
}

func (f *eventFilter) match(m eventMessage) bool {
	a := m.Actor.Attributes
	for k, vs := range f.args {
		ok := false
		for _, v := range vs {
			switch k {
			case "type":
				ok = ok || string(m.Type) == v
			case "event":
				action, _, _ := strings.Cut(string(m.Action), ":")
				ok = ok || string(m.Action) == v || action == v
			case "container":
				ok = ok || m.Type == events.ContainerEventType && (strings.HasPrefix(m.Actor.ID, v) || a["name"] == v) || a["container"] == v
			case "image":
				ok = ok || matchEventImage(m, v)
			case "label":
				lk, lv, withValue := strings.Cut(v, "=")
				got, has := a[lk]
				ok = ok || has && (!withValue || got == lv)
			case "network":
				ok = ok || m.Type == events.NetworkEventType && (m.Actor.ID == v || a["name"] == v)
			case "volume":
				ok = ok || m.Type == events.VolumeEventType && m.Actor.ID == v
			case "scope":
				ok = ok || v == "local"
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// matchEventImage is dockerd's image filter: a container's image, or an
// image event's ID or name, with or without its tag.
func matchEventImage(m eventMessage, v string) bool {
	cands := []string{m.Actor.Attributes["image"]}
	if m.Type == events.ImageEventType {
		cands = []string{m.Actor.ID, m.Actor.Attributes["name"]}
	}
	for _, c := range cands {
		if c == "" {
			continue
		}
		if c == v || strings.TrimPrefix(c, "sha256:") == strings.TrimPrefix(v, "sha256:") ||
			engine.MatchImageName(v, c) || engine.MatchImageName(v, familiar(c)) {
			return true
		}
	}
	return false
}

// dockerMessages are a journal event as dockerd tells it: none, one, or
// (a load of several images) more.
func (s *Server) dockerMessages(ev engine.Event) []eventMessage {
	switch ev.Type {
	case engine.EventContainer:
		if m, ok := s.containerMessage(ev); ok {
			return []eventMessage{m}
		}
	case engine.EventImage:
		return s.imageMessages(ev)
	case engine.EventNetwork:
		if m, ok := s.networkMessage(ev); ok {
			return []eventMessage{m}
		}
	case engine.EventVolume:
		action, ok := map[string]events.Action{"create": events.ActionCreate, "remove": events.ActionDestroy}[ev.Status]
		if ok {
			return []eventMessage{message(events.VolumeEventType, action, ev.Name, map[string]string{"driver": "local"}, ev.Time)}
		}
	}
	return nil
}

// containerActions are dockerd's names of podman's container statuses;
// those not here pass as they are, unless dockerd has no such event.
var containerActions = map[string]events.Action{
	"died": events.ActionDie, "remove": events.ActionDestroy,
	"exec": events.ActionExecStart, "exec_died": events.ActionExecDie,
}

// noDockerEvent are podman's container statuses dockerd reports nothing
// for.
var noDockerEvent = []string{"init", "cleanup", "mount", "unmount", "sync", "prune"}

// containerMessage is a container's event: its name, image and labels as
// attributes, as dockerd's.
func (s *Server) containerMessage(ev engine.Event) (eventMessage, bool) {
	if slices.Contains(noDockerEvent, ev.Status) {
		return eventMessage{}, false
	}
	action, ok := containerActions[ev.Status]
	if !ok {
		action = events.Action(ev.Status)
	}
	attrs := map[string]string{}
	for k, v := range ev.Attributes {
		attrs[k] = v
	}
	attrs["name"], attrs["image"] = ev.Name, familiar(ev.Image)
	switch ev.Status {
	case "died", "exec_died":
		attrs["exitCode"] = strconv.Itoa(ev.ContainerExitCode)
	case "health_status":
		action = events.Action(string(events.ActionHealthStatus) + ": " + ev.HealthStatus)
	case "commit":
		if len(ev.Images) > 0 {
			attrs["imageID"], attrs["imageRef"] = "sha256:"+ev.Images[0], ""
			if img, err := s.Engine.LookupImage(ev.Images[0]); err == nil && len(img.Names) > 0 {
				attrs["imageRef"] = familiar(img.Names[0])
			}
		}
	}
	m := message(events.ContainerEventType, action, ev.ID, attrs, ev.Time)
	m.Status, m.ID, m.From = string(action), ev.ID, familiar(ev.Image)
	return m, true
}

// networkMessage is a network's event, named by the network's ID, with
// the container connected or disconnected.
func (s *Server) networkMessage(ev engine.Event) (eventMessage, bool) {
	action, ok := map[string]events.Action{
		"create": events.ActionCreate, "remove": events.ActionDestroy,
		"connect": events.ActionConnect, "disconnect": events.ActionDisconnect,
	}[ev.Status]
	if !ok {
		return eventMessage{}, false
	}
	attrs := map[string]string{"name": ev.Network, "type": "bridge"}
	id := ev.ID
	if ev.Status == "connect" || ev.Status == "disconnect" {
		attrs["container"] = ev.ID
		id = ev.Network
	}
	if n, err := s.Engine.InspectNetwork(ev.Network); err == nil {
		id, attrs["type"] = n.ID, n.Driver
	}
	return message(events.NetworkEventType, action, id, attrs, ev.Time), true
}

func message(t events.Type, action events.Action, id string, attrs map[string]string, at time.Time) eventMessage {
	return eventMessage{Message: events.Message{
		Type: t, Action: action, Scope: "local",
		Actor: events.Actor{ID: id, Attributes: attrs}, Time: at.Unix(), TimeNano: at.UnixNano(),
	}}
}
