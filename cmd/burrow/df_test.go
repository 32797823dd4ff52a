package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/burrow-containers/burrow/engine"
)

func ctrUsage(status string, size int64) engine.ContainerUsage {
	return engine.ContainerUsage{Container: &engine.Container{Record: engine.Record{State: engine.State{Status: status}}}, Size: size}
}

func TestDfSummaries(t *testing.T) {
	du := &engine.DiskUsage{
		ImagesSize: 1000,
		// One image under two names, used; another unused.
		Images: []engine.ImageUsage{
			{ID: "a", Repository: "r/a", Tag: "1", UniqueSize: 600, Size: 700, Containers: 2},
			{ID: "a", Repository: "r/a", Tag: "2", UniqueSize: 600, Size: 700, Containers: 2},
			{ID: "b", Repository: "r/b", Tag: "1", UniqueSize: 200, Size: 300},
		},
		Containers: []engine.ContainerUsage{ctrUsage(engine.StatusRunning, 100), ctrUsage(engine.StatusExited, 300), ctrUsage(engine.StatusCreated, 0)},
		Volumes: []engine.VolumeUsage{
			{Volume: &engine.Volume{Name: "used"}, Size: 50, Users: 2},
			{Volume: &engine.Volume{Name: "free"}, Size: 150},
		},
	}
	var got []string
	for _, s := range dfSummaries(du) {
		got = append(got, strings.Join([]string{s.Type, strconv.Itoa(s.Total), strconv.Itoa(s.Active), s.Size(), s.Reclaimable()}, "|"))
	}
	want := []string{
		// The layers shared by the names of a are counted once: 1000-600.
		"Images|3|1|1kB|400B (40%)",
		"Containers|3|1|400B|300B (75%)",
		// A volume counts once per container using it.
		"Local Volumes|2|2|200B|150B (75%)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("system df:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	empty := dfSummaries(&engine.DiskUsage{})
	if r := empty[0].Reclaimable(); r != "0B (0%)" {
		t.Errorf("nothing at all: %q", r)
	}
	b, _ := json.Marshal(dfSummaries(du)[1])
	if string(b) != `{"Type":"Containers","Total":3,"Active":1,"RawSize":400,"RawReclaimable":300,"TotalCount":3,"Size":"400B","Reclaimable":"300B (75%)"}` {
		t.Errorf("--format json: %s", b)
	}
}
