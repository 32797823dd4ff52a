package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	units "github.com/docker/go-units"
	"go.podman.io/common/pkg/report"

	"github.com/burrow-containers/burrow/engine"
)

// DfCmd is `burrow system df`, podman's.
type DfCmd struct {
	Verbose bool   `short:"v" help:"Show each image, container and volume."`
	Format  string `help:"Go template over .Type .Total .Active .Size .Reclaimable, or json."`
}

// Run prints the disk usage summary, or each item with -v.
func (c *DfCmd) Run(g *globals) error {
	if c.Format != "" && c.Verbose {
		return invalidf("cannot combine --format and --verbose flags")
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	du, err := eng.DiskUsage(g.ctx)
	if err != nil {
		return err
	}
	if c.Verbose {
		return printDfVerbose(du, time.Now())
	}
	rows := dfSummaries(du)
	if report.IsJSON(c.Format) {
		b, err := json.MarshalIndent(rows, "", "    ")
		if err != nil {
			return err
		}
		fmt.Println(string(b))
		return nil
	}
	rpt := report.New(os.Stdout, "df")
	defer rpt.Flush()
	origin, format := report.OriginUser, c.Format
	if format == "" {
		origin, format = report.OriginPodman, "{{range . }}{{.Type}}\t{{.Total}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}\n{{end -}}"
	}
	if _, err := rpt.Parse(origin, format); err != nil {
		return invalidf("template parsing error: %v", err)
	}
	return writeReport(rpt, report.Headers(dfSummary{}, map[string]string{"Size": "SIZE", "Reclaimable": "RECLAIMABLE"}), rows)
}

// writeReport prints the headings (when the format is a table) and rows.
func writeReport(rpt *report.Formatter, hdrs []map[string]string, rows any) error {
	if rpt.RenderHeaders {
		if err := rpt.Execute(hdrs); err != nil {
			return invalidf("template: %v", err)
		}
	}
	if err := rpt.Execute(rows); err != nil {
		return invalidf("template: %v", err)
	}
	return nil
}

// dfSummary is one line of `system df`: a kind of thing, how many there
// are, how many are in use, their size and what removing the unused
// would free.
type dfSummary struct {
	Type           string
	Total          int
	Active         int
	RawSize        int64
	RawReclaimable int64
}

// Size is RawSize for people.
func (d *dfSummary) Size() string { return units.HumanSize(float64(d.RawSize)) }

// Reclaimable is RawReclaimable and its share of the size, rounded.
func (d *dfSummary) Reclaimable() string {
	percent := 0
	if d.RawSize > 0 {
		percent = int(math.Round(float64(d.RawReclaimable) / float64(d.RawSize) * 100))
	}
	return fmt.Sprintf("%s (%d%%)", units.HumanSize(float64(d.RawReclaimable)), percent)
}

// MarshalJSON adds the human sizes, and Docker's TotalCount, as podman's
// JSON has them.
func (d *dfSummary) MarshalJSON() ([]byte, error) {
	type raw dfSummary
	return json.Marshal(struct {
		raw
		TotalCount  int
		Size        string
		Reclaimable string
	}{raw(*d), d.Total, d.Size(), d.Reclaimable()})
}

// dfSummaries are the three lines, counted as podman does: an image is in
// use when a container uses it, and only the layers of unused images are
// reclaimable; a container is active while it runs; a volume counts once
// for each container using it.
func dfSummaries(du *engine.DiskUsage) []*dfSummary {
	img := &dfSummary{Type: "Images", Total: len(du.Images), RawSize: du.ImagesSize}
	seen := map[string]bool{}
	var used int64
	for _, i := range du.Images {
		if seen[i.ID] {
			continue
		}
		seen[i.ID] = true
		if i.Containers > 0 {
			img.Active++
			used += i.UniqueSize
		}
	}
	img.RawReclaimable = du.ImagesSize - used
	ctr := &dfSummary{Type: "Containers", Total: len(du.Containers)}
	for _, u := range du.Containers {
		ctr.RawSize += u.Size
		if u.Container.Running() {
			ctr.Active++
		} else {
			ctr.RawReclaimable += u.Size
		}
	}
	vol := &dfSummary{Type: "Local Volumes", Total: len(du.Volumes)}
	for _, u := range du.Volumes {
		vol.Active += u.Users
		vol.RawSize += u.Size
		vol.RawReclaimable += u.Reclaimable()
	}
	return []*dfSummary{img, ctr, vol}
}

// dfImageRow, dfContainerRow and dfVolumeRow are the lines of `df -v`,
// with podman's columns.
type dfImageRow struct {
	Repository, Tag, ImageID, Created, Size, SharedSize, UniqueSize string
	Containers                                                      int
}

type dfContainerRow struct {
	ContainerID, Image, Command string
	LocalVolumes                int
	RWSize, Created, Status     string
	Names                       string
}

type dfVolumeRow struct {
	VolumeName string
	Links      int
	Size       string
}

// printDfVerbose lists each image, container and volume, a table each.
func printDfVerbose(du *engine.DiskUsage, now time.Time) error {
	var imgs []dfImageRow
	for _, i := range du.Images {
		imgs = append(imgs, dfImageRow{Repository: i.Repository, Tag: i.Tag, ImageID: shortID(i.ID),
			Created: units.HumanDuration(now.Sub(i.Created)), Size: units.HumanSize(float64(i.Size)),
			SharedSize: units.HumanSize(float64(i.SharedSize)), UniqueSize: units.HumanSize(float64(i.UniqueSize)), Containers: i.Containers})
	}
	var ctrs []dfContainerRow
	for _, u := range du.Containers {
		c := u.Container
		ctrs = append(ctrs, dfContainerRow{ContainerID: shortID(c.ID), Image: shortID(c.ImageID), Command: strings.Join(c.Args, " "),
			LocalVolumes: u.LocalVolumes(), RWSize: units.HumanSize(float64(u.Size)), Created: units.HumanDuration(now.Sub(c.Created)),
			Status: c.State.Status, Names: c.Name})
	}
	var vols []dfVolumeRow
	for _, u := range du.Volumes {
		vols = append(vols, dfVolumeRow{VolumeName: u.Volume.Name, Links: u.Users, Size: units.HumanSize(float64(u.Size))})
	}
	sections := []struct {
		title, row string
		hdrs       []map[string]string
		rows       any
	}{
		{"Images space usage:\n\n", "{{range .}}{{.Repository}}\t{{.Tag}}\t{{.ImageID}}\t{{.Created}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}\n{{end -}}",
			report.Headers(dfImageRow{}, map[string]string{"ImageID": "IMAGE ID", "SharedSize": "SHARED SIZE", "UniqueSize": "UNIQUE SIZE"}), imgs},
		{"\nContainers space usage:\n\n", "{{range .}}{{.ContainerID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.RWSize}}\t{{.Created}}\t{{.Status}}\t{{.Names}}\n{{end -}}",
			report.Headers(dfContainerRow{}, map[string]string{"ContainerID": "CONTAINER ID", "LocalVolumes": "LOCAL VOLUMES", "RWSize": "SIZE"}), ctrs},
		{"\nLocal Volumes space usage:\n\n", "{{range .}}{{.VolumeName}}\t{{.Links}}\t{{.Size}}\n{{end -}}",
			report.Headers(dfVolumeRow{}, map[string]string{"VolumeName": "VOLUME NAME"}), vols},
	}
	rpt := report.New(os.Stdout, "df")
	defer rpt.Flush()
	for _, s := range sections {
		fmt.Fprint(rpt.Writer(), s.title)
		if _, err := rpt.Parse(report.OriginPodman, s.row); err != nil {
			return err
		}
		if err := writeReport(rpt, s.hdrs, s.rows); err != nil {
			return err
		}
	}
	return nil
}

// shortID is an ID's first 12 characters, as the tables show IDs.
func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
