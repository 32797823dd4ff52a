package main

import (
	"fmt"
	"sort"
	"time"

	units "github.com/docker/go-units"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// externalPsRows are the store's containers of other tools (buildah,
// podman), as `podman ps --external` shows them: state "storage", the
// builder as the command.
func externalPsRows(eng *engine.Engine, now time.Time) ([]psRow, error) {
	xs, err := eng.ExternalContainers()
	if err != nil {
		return nil, err
	}
	rows := make([]psRow, 0, len(xs))
	for _, x := range xs {
		rows = append(rows, psRow{
			ID: x.ID, Image: x.Image, ImageID: x.ImageID, Names: []string{x.Name},
			Command: []string{x.Builder}, State: "storage", Status: "Storage", Ports: []string{},
			Created: x.Created.Unix(), created: x.Created,
			CreatedAt: units.HumanDuration(now.Sub(x.Created)) + " ago",
		})
	}
	return rows, nil
}

// withExternal adds the external containers to ps's rows, all in order of
// creation as podman lists them.
func withExternal(eng *engine.Engine, rows []psRow, now time.Time) ([]psRow, error) {
	ext, err := externalPsRows(eng, now)
	if err != nil {
		return nil, err
	}
	rows = append(rows, ext...)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].created.Before(rows[j].created) })
	return rows, nil
}

// removeExternals removes those of names that name no container of
// burrow's but one of another tool in the store, printing each, and returns
// the rest.
func (r *RmCmd) removeExternals(eng *engine.Engine, names []string) ([]string, error) {
	var rest []string
	for _, n := range names {
		if _, err := eng.Get(n); !errdefs.Is(err, errdefs.ClassNotFound) {
			rest = append(rest, n)
			continue
		}
		x, err := eng.LookupExternal(n)
		if err == nil {
			err = eng.RemoveExternal(x, r.Force)
		}
		switch {
		case err == nil:
			fmt.Println(n)
		case errdefs.Is(err, errdefs.ClassNotFound):
			rest = append(rest, n) // reported as burrow's own: not found
		case errdefs.Is(err, errdefs.ClassConflict):
			return nil, withExit(err, 2)
		default:
			return nil, err
		}
	}
	return rest, nil
}
