package main

import (
	"encoding/json"
	"os"
	"strings"
	"time"
	"unicode"

	units "github.com/docker/go-units"
	"go.podman.io/common/pkg/report"

	"github.com/burrow-containers/burrow/engine"
)

// HistoryCmd is `burrow history`.
type HistoryCmd struct {
	Format    string `help:"Change the output to JSON or a Go template (fields: ID, Created, CreatedAt, CreatedSince, CreatedBy, Size, Comment, Tags)."`
	Human     bool   `name:"human" default:"true" negatable:"" help:"Show times for humans (default true); --human=false: as RFC 3339."`
	NoTrunc   bool   `name:"no-trunc" help:"Do not truncate the IDs and the commands."`
	Noheading bool   `short:"H" name:"noheading" help:"Do not print the column headings."`
	Quiet     bool   `short:"q" help:"Print only the IDs."`
	Image     string `arg:"" help:"Image whose history to show."`
}

// historyRow is one line of the history, with podman's template fields.
type historyRow struct {
	entry engine.ImageHistoryEntry
	human bool
	trunc bool
}

// ID is the layer's image ID (the image's own on the newest line,
// <missing> on the others), 12 digits unless --no-trunc.
func (h historyRow) ID() string {
	if h.trunc && len(h.entry.ID) >= 12 && h.entry.ID != "<missing>" {
		return h.entry.ID[:12]
	}
	return h.entry.ID
}

// Created is how long ago, or with --human=false the time in RFC 3339.
func (h historyRow) Created() string {
	if h.entry.Created.IsZero() {
		return "<unknown>"
	}
	if h.human {
		return units.HumanDuration(time.Since(h.entry.Created)) + " ago"
	}
	return h.entry.Created.Format(time.RFC3339)
}

func (h historyRow) CreatedSince() string { return h.Created() }

func (h historyRow) CreatedAt() string {
	return time.Unix(h.entry.Created.Unix(), 0).UTC().String()
}

// CreatedBy is the step's command, cut at 45 characters unless --no-trunc.
func (h historyRow) CreatedBy() string {
	if h.trunc && len(h.entry.CreatedBy) > 45 {
		return h.entry.CreatedBy[:42] + "..."
	}
	return h.entry.CreatedBy
}

// Size is podman's: a space between the number and the unit ("1.43 MB"),
// with --human=false too.
func (h historyRow) Size() string {
	s := units.HumanSizeWithPrecision(float64(h.entry.Size), 3)
	i := strings.LastIndexFunc(s, unicode.IsNumber)
	return s[:i+1] + " " + s[i+1:]
}

func (h historyRow) Comment() string { return h.entry.Comment }
func (h historyRow) Tags() []string  { return h.entry.Tags }

// historyJSON is one entry of podman's --format json.
type historyJSON struct {
	ID         string    `json:"id"`
	Created    time.Time `json:"created"`
	CreatedBy  string    `json:"CreatedBy,omitempty"`
	Tags       []string  `json:"tags,omitempty"`
	Size       int64     `json:"size"`
	Comment    string    `json:"comment,omitempty"`
	CreatedDup time.Time `json:"Created"` // podman 4.3 prints the time twice
}

// Run prints the history, newest step first.
func (c *HistoryCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	hist, err := eng.ImageHistory(g.ctx, c.Image)
	if err != nil {
		return err
	}
	if report.IsJSON(c.Format) {
		out := make([]historyJSON, 0, len(hist))
		for _, h := range hist {
			out = append(out, historyJSON{ID: h.ID, Created: h.Created, CreatedBy: h.CreatedBy, Tags: h.Tags, Size: h.Size, Comment: h.Comment, CreatedDup: h.Created})
		}
		return json.NewEncoder(os.Stdout).Encode(out)
	}
	rows := make([]historyRow, 0, len(hist))
	for _, h := range hist {
		rows = append(rows, historyRow{entry: h, human: c.Human, trunc: !c.NoTrunc})
	}
	format, origin := c.Format, report.OriginUser
	switch {
	case c.Quiet && format == "":
		format, origin = "{{range .}}{{.ID}}\n{{end -}}", report.OriginPodman
	case format == "":
		format, origin = "{{range .}}{{.ID}}\t{{.Created}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}\n{{end -}}", report.OriginPodman
	}
	rpt := report.New(os.Stdout, "history")
	defer rpt.Flush()
	if _, err := rpt.Parse(origin, format); err != nil {
		return invalidf("template parsing error: %v", err)
	}
	if rpt.RenderHeaders && !c.Noheading && !c.Quiet {
		// The fields are methods, which report.Headers does not see.
		hdrs := report.Headers(historyRow{}, map[string]string{"ID": "ID", "Created": "CREATED", "CreatedAt": "CREATED AT",
			"CreatedSince": "CREATED", "CreatedBy": "CREATED BY", "Size": "SIZE", "Comment": "COMMENT", "Tags": "TAGS"})
		if err := rpt.Execute(hdrs); err != nil {
			return invalidf("template: %v", err)
		}
	}
	if err := rpt.Execute(rows); err != nil {
		return invalidf("template: %v", err)
	}
	return nil
}
