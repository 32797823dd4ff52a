package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/moby/moby/api/types/events"

	"github.com/burrow-containers/burrow/engine"
)

// events streams container events (GET /events). burrow has no daemon to
// see every change as it happens, so the service watches the containers'
// records and reports what changed between two looks (every 250 ms):
// create, start, die (with the exit code), destroy - made by the API or
// by the CLI alike.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	var until time.Time
	if v := r.URL.Query().Get("until"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			until = time.Unix(n, 0)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	fl, _ := w.(http.Flusher)
	if fl != nil {
		fl.Flush()
	}
	enc := json.NewEncoder(w)
	type seen struct {
		status  string
		started time.Time
		ctr     *engine.Container
	}
	snapshot := func() map[string]seen {
		m := map[string]seen{}
		ctrs, _ := s.Engine.List()
		for _, c := range ctrs {
			m[c.ID] = seen{c.State.Status, c.State.StartedAt, c}
		}
		return m
	}
	emit := func(action events.Action, c *engine.Container, extra map[string]string) {
		enc.Encode(containerEvent(action, c, extra, time.Now()))
		if fl != nil {
			fl.Flush()
		}
	}
	prev := snapshot()
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
		if !until.IsZero() && time.Now().After(until) {
			return
		}
		cur := snapshot()
		for id, c := range cur {
			p, known := prev[id]
			if !known {
				emit(events.ActionCreate, c.ctr, nil)
			}
			if c.status == engine.StatusRunning && (!known || p.status != engine.StatusRunning || !p.started.Equal(c.started)) {
				if known && p.status == engine.StatusRunning {
					emit(events.ActionDie, p.ctr, map[string]string{"exitCode": "0"})
				}
				emit(events.ActionStart, c.ctr, nil)
			}
			if c.status == engine.StatusExited && known && p.status == engine.StatusRunning {
				emit(events.ActionDie, c.ctr, map[string]string{"exitCode": strconv.Itoa(c.ctr.State.ExitCode)})
			}
		}
		for id, p := range prev {
			if _, ok := cur[id]; !ok {
				if p.status == engine.StatusRunning {
					emit(events.ActionDie, p.ctr, map[string]string{"exitCode": "-1"})
				}
				emit(events.ActionDestroy, p.ctr, nil)
			}
		}
		prev = cur
	}
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

func containerEvent(action events.Action, c *engine.Container, extra map[string]string, now time.Time) eventMessage {
	attrs := map[string]string{"name": c.Name, "image": c.Image}
	for k, v := range extra {
		attrs[k] = v
	}
	return eventMessage{
		Message: events.Message{
			Type: events.ContainerEventType, Action: action, Scope: "local",
			Actor: events.Actor{ID: c.ID, Attributes: attrs}, Time: now.Unix(), TimeNano: now.UnixNano(),
		},
		Status: string(action), ID: c.ID, From: c.Image,
	}
}
