package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	units "github.com/docker/go-units"
	"go.podman.io/common/pkg/report"
	"go.podman.io/storage/pkg/stringid"

	"github.com/burrow-containers/burrow/images"
)

// ImagesCmd is `burrow images`, podman's.
type ImagesCmd struct {
	All       bool     `short:"a" help:"Show all images, the intermediate images of builds too."`
	Digests   bool     `help:"Show digests."`
	Filter    []string `short:"f" sep:"none" help:"Filter output based on conditions given: reference=, before=, after=, since=, label=, dangling=, intermediate=, id=, readonly=, containers=, manifest=, until=."`
	Format    string   `help:"Change the output format to JSON or a Go template."`
	NoTrunc   bool     `name:"no-trunc" help:"Do not truncate output."`
	Noheading bool     `short:"n" name:"noheading" help:"Do not print column headings."`
	Quiet     bool     `short:"q" help:"Display only image IDs."`
	Sort      string   `default:"created" enum:"created,id,repository,size,tag" help:"Sort by created, id, repository, size or tag."`
	History   bool     `help:"Display the image name history."`
	Image     string   `arg:"" optional:"" name:"image" help:"List only images of this name."`
}

// imageJSON is an image as `images --format json` prints it (podman's
// ImageSummary).
type imageJSON struct {
	ID          string            `json:"Id"`
	ParentID    string            `json:"ParentId"`
	RepoTags    []string          `json:"RepoTags"`
	RepoDigests []string          `json:"RepoDigests"`
	Size        int64             `json:"Size"`
	SharedSize  int64             `json:"SharedSize"`
	VirtualSize int64             `json:"VirtualSize"`
	Labels      map[string]string `json:"Labels"`
	Containers  int               `json:"Containers"`
	Names       []string          `json:"Names"`
	Digest      string            `json:"Digest"`
	History     []string          `json:"History"`
	Created     int64             `json:"Created"`
	CreatedAt   string            `json:"CreatedAt"`
	Dangling    bool              `json:"Dangling,omitempty"`
	ReadOnly    bool              `json:"ReadOnly,omitempty"`
}

// imageRow is one line of the listing, for templates: podman's field names.
type imageRow struct {
	images.Summary
	ID, Repository, Tag, CreatedSince, CreatedAt, Size, History string
	Digest                                                      string
	noTrunc                                                     bool
}

// IsReadOnly is podman's template name for ReadOnly.
func (r imageRow) IsReadOnly() bool { return r.ReadOnly }

// Run lists the images.
func (c *ImagesCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	list, err := eng.Images(g.ctx)
	if err != nil {
		return err
	}
	specs := c.Filter
	if c.Image != "" {
		specs = append(specs, "reference="+c.Image)
	}
	filters, err := images.ParseFiltersIn(specs, list)
	if err != nil {
		return err
	}
	var sel []images.Summary
	for _, s := range list {
		if (s.Intermediate && !c.All) || !images.Match(s, filters) {
			continue
		}
		sel = append(sel, s)
	}
	if report.IsJSON(c.Format) {
		return printImagesJSON(sel)
	}
	rows := c.rows(sel)
	if c.Quiet && c.Format == "" {
		seen := map[string]bool{}
		for _, r := range rows {
			if !seen[r.ID] {
				seen[r.ID] = true
				fmt.Println(r.ID)
			}
		}
		return nil
	}
	return c.printTable(rows)
}

// rows are the listing's lines: one per repository:tag as podman's (names
// by digest only are not lines of their own), "<none>" for an image
// without one; sorted as --sort says.
func (c *ImagesCmd) rows(sel []images.Summary) []imageRow {
	now := time.Now()
	var rows []imageRow
	for _, s := range sel {
		base := imageRow{Summary: s, ID: stringid.TruncateID(s.ID), CreatedSince: units.HumanDuration(now.Sub(s.Created)) + " ago",
			CreatedAt: s.Created.String(), Size: units.HumanSizeWithPrecision(float64(s.Size), 3),
			History: strings.Join(s.History, ", "), Digest: s.Digest, noTrunc: c.NoTrunc}
		if c.NoTrunc {
			base.ID = "sha256:" + s.ID
		}
		var tagged []string
		for _, n := range s.Names {
			if !strings.Contains(n, "@") {
				tagged = append(tagged, n)
			}
		}
		if len(tagged) == 0 {
			tagged = []string{""}
		}
		for _, n := range tagged {
			r := base
			r.Repository, r.Tag = "<none>", "<none>"
			if n != "" {
				if i := strings.LastIndex(n, ":"); i > strings.LastIndex(n, "/") {
					r.Repository, r.Tag = n[:i], n[i+1:]
				} else {
					r.Repository = n
				}
			}
			rows = append(rows, r)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		switch c.Sort {
		case "id":
			return a.ID < b.ID
		case "repository":
			return a.Repository < b.Repository
		case "size":
			return a.Summary.Size < b.Summary.Size
		case "tag":
			return a.Tag < b.Tag
		}
		return a.Created.After(b.Created)
	})
	return rows
}

// printTable prints rows with the user's template, or podman's columns.
func (c *ImagesCmd) printTable(rows []imageRow) error {
	rpt := report.New(os.Stdout, "images")
	defer rpt.Flush()
	format := c.Format
	origin := report.OriginUser
	if format == "" {
		origin = report.OriginPodman
		cols := []string{"{{.Repository}}", "{{.Tag}}", "{{.ID}}"}
		if c.Digests {
			cols = append(cols, "{{.Digest}}")
		}
		cols = append(cols, "{{.CreatedSince}}", "{{.Size}}")
		if c.History {
			cols = append(cols, "{{.History}}")
		}
		format = "{{range . }}" + strings.Join(cols, "\t") + "\n{{end -}}"
	}
	if _, err := rpt.Parse(origin, format); err != nil {
		return invalidf("template parsing error: %v", err)
	}
	if rpt.RenderHeaders && !c.Noheading {
		hdrs := report.Headers(imageRow{}, map[string]string{"ID": "IMAGE ID", "CreatedSince": "CREATED", "ReadOnly": "R/O"})
		if err := rpt.Execute(hdrs); err != nil {
			return invalidf("template: %v", err)
		}
	}
	if err := rpt.Execute(rows); err != nil {
		return invalidf("template: %v", err)
	}
	return nil
}

// printImagesJSON prints one object per image, as podman's --format json.
func printImagesJSON(sel []images.Summary) error {
	out := make([]imageJSON, 0, len(sel))
	for _, s := range sel {
		j := imageJSON{ID: s.ID, RepoTags: []string{}, RepoDigests: []string{}, Size: s.Size, VirtualSize: s.Size,
			Labels: s.Labels, Containers: s.Containers, Names: s.Names, Digest: s.Digest, History: s.History,
			Created: s.Created.Unix(), CreatedAt: s.Created.UTC().Format(time.RFC3339Nano), Dangling: s.Dangling, ReadOnly: s.ReadOnly}
		for _, n := range s.Names {
			if strings.Contains(n, "@") {
				j.RepoDigests = append(j.RepoDigests, n)
			} else {
				j.RepoTags = append(j.RepoTags, n)
				if i := strings.LastIndex(n, ":"); i > 0 && s.Digest != "" {
					j.RepoDigests = append(j.RepoDigests, n[:i]+"@"+s.Digest)
				}
			}
		}
		if j.Names == nil {
			j.Names = []string{}
		}
		out = append(out, j)
	}
	b, err := json.MarshalIndent(out, "", "    ")
	if err != nil {
		return err
	}
	fmt.Println(string(b))
	return nil
}
