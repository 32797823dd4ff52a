package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"go.podman.io/common/pkg/report"
	"go.podman.io/storage/pkg/stringid"

	"github.com/burrow-containers/burrow/engine"
)

// EventsCmd is `burrow events`: the engine's events journal, as podman's
// events prints it.
type EventsCmd struct {
	Filter  []string `short:"f" sep:"none" help:"Filter the events: container, event (status), image, label, network, pod, type, volume, as KEY=VALUE (the same key twice is either, different keys all)."`
	Format  string   `help:"Print the events as json, or with a Go template ({{.Name}} {{.Status}} {{.Attributes}}...)."`
	Since   string   `help:"Show the events since this time: a timestamp or a duration before now (5m)."`
	Until   string   `help:"Show the events until this time: a timestamp or a duration before now."`
	Stream  bool     `default:"true" negatable:"" help:"Follow new events (the default); --stream=false prints those so far and ends."`
	NoTrunc bool     `name:"no-trunc" default:"true" negatable:"" help:"Print full IDs (the default); --no-trunc=false prints 12 characters."`
}

// Run prints the events.
func (c *EventsCmd) Run(g *globals) error {
	o := engine.EventsOptions{Filters: c.Filter, Stream: c.Stream}
	var err error
	if o.Since, err = eventsTime("since", c.Since); err != nil {
		return err
	}
	if o.Until, err = eventsTime("until", c.Until); err != nil {
		return err
	}
	if _, err := engine.ParseEventFilters(c.Filter); err != nil {
		return err
	}
	print, err := c.printer()
	if err != nil {
		return err
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	return eng.ReadEvents(g.ctx, o, print)
}

// eventsTime reads --since and --until.
func eventsTime(flag, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	t, err := engine.ParseFilterTime(flag, v)
	if err != nil {
		return time.Time{}, invalidf("--%s %q: give a timestamp (2006-01-02T15:04:05Z07:00, Unix seconds) or a duration (10m): %v", flag, v, err)
	}
	return t, nil
}

// printer is how each event is printed: as JSON, with the template, or
// in podman's human form.
func (c *EventsCmd) printer() (func(engine.Event) error, error) {
	switch {
	case report.IsJSON(c.Format):
		return func(ev engine.Event) error {
			b, err := json.Marshal(ev)
			if err != nil {
				return err
			}
			fmt.Println(string(b))
			return nil
		}, nil
	case c.Format != "":
		tmpl, err := report.NewTemplate("events").Parse(c.Format + "\n")
		if err != nil {
			return nil, invalidf("invalid --format template: %v", err)
		}
		return func(ev engine.Event) error {
			if err := tmpl.Execute(os.Stdout, ev); err != nil {
				return invalidf("--format: %v", err)
			}
			return nil
		}, nil
	}
	return func(ev engine.Event) error {
		fmt.Println(humanEvent(ev, !c.NoTrunc))
		return nil
	}, nil
}

// humanEvent is podman's line of an event: time, type, status, ID, and
// what the type has to say (a container's image, name and labels).
func humanEvent(ev engine.Event, trunc bool) string {
	id := ev.ID
	if trunc {
		id = stringid.TruncateID(id)
	}
	head := fmt.Sprintf("%s %s %s", ev.Time, ev.Type, ev.Status)
	switch ev.Type {
	case engine.EventContainer, engine.EventPod:
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s (image=%s, name=%s", head, id, ev.Image, ev.Name)
		if ev.PodID != "" {
			fmt.Fprintf(&b, ", pod_id=%s", ev.PodID)
		}
		keys := make([]string, 0, len(ev.Attributes))
		for k := range ev.Attributes {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, ", %s=%s", k, ev.Attributes[k])
		}
		return b.String() + ")"
	case engine.EventNetwork:
		return fmt.Sprintf("%s %s (container=%s, name=%s)", head, id, id, ev.Network)
	case engine.EventImage:
		return fmt.Sprintf("%s %s %s", head, id, ev.Name)
	case engine.EventSystem, engine.EventVolume:
		if ev.Name == "" {
			return head
		}
		return head + " " + ev.Name
	}
	return fmt.Sprintf("%s %s %s", head, id, ev.Name)
}
