package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/events"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// events streams events (GET /events). burrow has no daemon to see every
// change as it happens, so the service looks at the containers' records,
// the networks and the volumes every 250 ms and reports what changed
// between two looks, made by the API or by the CLI alike: containers'
// create, start, die (with the exit code), pause, unpause, rename,
// health_status, oom and destroy; networks' create, connect, disconnect
// and destroy; volumes' create and destroy. Images' pull, push, tag, untag,
// delete, import, load and save, and containers' commit, are read from the
// engine's journal of image operations. A since in the past replays what
// the containers' records tell of it (create, start, die) and the journal's
// events; an until ends the stream.
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
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	fl, _ := w.(http.Flusher)
	if fl != nil {
		fl.Flush()
	}
	enc := json.NewEncoder(w)
	send := func(msgs []eventMessage) {
		for _, m := range msgs {
			if ef.match(m) && (until.IsZero() || m.TimeNano <= until.UnixNano()) {
				enc.Encode(m)
			}
		}
		if fl != nil {
			fl.Flush()
		}
	}
	prev := s.snapshot(ef)
	journal := newJournalReader(s.Engine, ef)
	if !since.IsZero() {
		send(sortByTime(append(replay(prev, since), journal.since(since)...)))
	}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		if !until.IsZero() && time.Now().After(until) {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
		cur := s.snapshot(ef)
		send(append(journal.next(), diff(prev, cur, time.Now())...))
		prev = cur
	}
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

// wants tells whether events of a type can pass the filters.
func (f *eventFilter) wants(t events.Type) bool {
	vs, ok := f.args["type"]
	return !ok || slices.Contains(vs, string(t))
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

// seenContainer is a container as one look saw it.
type seenContainer struct {
	ctr    *engine.Container
	paused bool
	health string
}

// seenNetwork is a network and the containers on it.
type seenNetwork struct {
	net        engine.Network
	containers map[string]bool
}

// look is what one look saw.
type look struct {
	containers map[string]seenContainer
	networks   map[string]seenNetwork
	volumes    map[string]*engine.Volume
}

// snapshot looks at what the filters can let through.
func (s *Server) snapshot(f *eventFilter) look {
	l := look{containers: map[string]seenContainer{}, networks: map[string]seenNetwork{}, volumes: map[string]*engine.Volume{}}
	ctrs, _ := s.Engine.List()
	if f.wants(events.ContainerEventType) {
		for _, c := range ctrs {
			sc := seenContainer{ctr: c, paused: c.Paused()}
			if h := s.Engine.Health(c); h != nil && c.Running() {
				sc.health = h.Status
			}
			l.containers[c.ID] = sc
		}
	}
	if f.wants(events.NetworkEventType) {
		nets, _ := s.Engine.ListNetworks(nil)
		for _, n := range nets {
			sn := seenNetwork{net: n, containers: map[string]bool{}}
			for _, c := range ctrs {
				for _, ep := range s.Engine.ContainerEndpoints(c) {
					if ep.Network == n.Name && c.Running() {
						sn.containers[c.ID] = true
					}
				}
			}
			l.networks[n.ID] = sn
		}
	}
	if f.wants(events.VolumeEventType) {
		vols, _ := s.Engine.Volumes()
		for _, v := range vols {
			l.volumes[v.Name] = v
		}
	}
	return l
}

// diff is the events between two looks, at now.
func diff(prev, cur look, now time.Time) []eventMessage {
	var out []eventMessage
	ctr := func(action events.Action, c *engine.Container, extra map[string]string) {
		out = append(out, containerEvent(action, c, extra, now))
	}
	for _, id := range sortedKeys(cur.containers) {
		c, p := cur.containers[id], prev.containers[id]
		known := p.ctr != nil
		st := c.ctr.State
		if !known {
			ctr(events.ActionCreate, c.ctr, nil)
		}
		restarted := known && p.ctr.Running() && !p.ctr.State.StartedAt.Equal(st.StartedAt)
		if restarted {
			ctr(events.ActionDie, p.ctr, map[string]string{"exitCode": "0"})
		}
		if c.ctr.Running() && (!known || !p.ctr.Running() || restarted) {
			ctr(events.ActionStart, c.ctr, nil)
		}
		if known && p.ctr.Name != c.ctr.Name {
			ctr(events.ActionRename, c.ctr, map[string]string{"oldName": "/" + p.ctr.Name})
		}
		if c.paused != p.paused && known {
			ctr(map[bool]events.Action{true: events.ActionPause, false: events.ActionUnPause}[c.paused], c.ctr, nil)
		}
		if c.health != "" && c.health != p.health {
			ctr(events.Action(string(events.ActionHealthStatus)+": "+c.health), c.ctr, nil)
		}
		if st.Status == engine.StatusExited && known && p.ctr.Running() {
			if st.OOMKilled {
				ctr(events.ActionOOM, c.ctr, nil)
			}
			ctr(events.ActionDie, c.ctr, map[string]string{"exitCode": strconv.Itoa(st.ExitCode)})
		}
	}
	for _, id := range sortedKeys(prev.containers) {
		if _, ok := cur.containers[id]; !ok {
			p := prev.containers[id]
			if p.ctr.Running() {
				ctr(events.ActionDie, p.ctr, map[string]string{"exitCode": "-1"})
			}
			ctr(events.ActionDestroy, p.ctr, nil)
		}
	}
	for _, id := range sortedKeys(cur.networks) {
		n, p := cur.networks[id], prev.networks[id]
		if p.containers == nil {
			out = append(out, networkEvent(events.ActionCreate, n.net, "", now))
		}
		for _, c := range sortedKeys(n.containers) {
			if !p.containers[c] {
				out = append(out, networkEvent(events.ActionConnect, n.net, c, now))
			}
		}
		for _, c := range sortedKeys(p.containers) {
			if !n.containers[c] {
				out = append(out, networkEvent(events.ActionDisconnect, n.net, c, now))
			}
		}
	}
	for _, id := range sortedKeys(prev.networks) {
		if _, ok := cur.networks[id]; !ok {
			out = append(out, networkEvent(events.ActionDestroy, prev.networks[id].net, "", now))
		}
	}
	for _, name := range sortedKeys(cur.volumes) {
		if prev.volumes[name] == nil {
			out = append(out, volumeEvent(events.ActionCreate, name, now))
		}
	}
	for _, name := range sortedKeys(prev.volumes) {
		if cur.volumes[name] == nil {
			out = append(out, volumeEvent(events.ActionDestroy, name, now))
		}
	}
	return out
}

// replay is what the containers' records tell of the time since: their
// creation, last start and exit.
func replay(l look, since time.Time) []eventMessage {
	var out []eventMessage
	for _, c := range l.containers {
		st := c.ctr.State
		for _, e := range []struct {
			action events.Action
			at     time.Time
			extra  map[string]string
		}{
			{events.ActionCreate, c.ctr.Created, nil},
			{events.ActionStart, st.StartedAt, nil},
			{events.ActionDie, st.FinishedAt, map[string]string{"exitCode": strconv.Itoa(st.ExitCode)}},
		} {
			if !e.at.IsZero() && !e.at.Before(since) && (e.action != events.ActionDie || st.Status == engine.StatusExited) {
				out = append(out, containerEvent(e.action, c.ctr, e.extra, e.at))
			}
		}
	}
	return sortByTime(out)
}

func sortByTime(msgs []eventMessage) []eventMessage {
	sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].TimeNano < msgs[j].TimeNano })
	return msgs
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

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// containerEvent is a container's event: its name, image and labels as
// attributes, as dockerd's.
func containerEvent(action events.Action, c *engine.Container, extra map[string]string, at time.Time) eventMessage {
	attrs := map[string]string{}
	for k, v := range c.Config.Labels {
		attrs[k] = v
	}
	attrs["name"], attrs["image"] = c.Name, familiar(c.Image)
	for k, v := range extra {
		attrs[k] = v
	}
	m := message(events.ContainerEventType, action, c.ID, attrs, at)
	m.Status, m.ID, m.From = string(action), c.ID, familiar(c.Image)
	return m
}

func networkEvent(action events.Action, n engine.Network, ctrID string, at time.Time) eventMessage {
	attrs := map[string]string{"name": n.Name, "type": n.Driver}
	if ctrID != "" {
		attrs["container"] = ctrID
	}
	return message(events.NetworkEventType, action, n.ID, attrs, at)
}

func volumeEvent(action events.Action, name string, at time.Time) eventMessage {
	return message(events.VolumeEventType, action, name, map[string]string{"driver": "local"}, at)
}

func message(t events.Type, action events.Action, id string, attrs map[string]string, at time.Time) eventMessage {
	return eventMessage{Message: events.Message{
		Type: t, Action: action, Scope: "local",
		Actor: events.Actor{ID: id, Attributes: attrs}, Time: at.Unix(), TimeNano: at.UnixNano(),
	}}
}
