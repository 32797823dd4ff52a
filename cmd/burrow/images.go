package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"text/template"
	"time"

	units "github.com/docker/go-units"
	"go.podman.io/storage/pkg/stringid"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// imageRow is an image as `burrow images` templates and JSON see it.
type imageRow struct {
	ID           string   `json:"Id"`
	Names        []string `json:"Names"`
	Digest       string   `json:"Digest"`
	Created      int64    `json:"Created"`
	CreatedAt    string   `json:"CreatedAt"`
	Size         int64    `json:"Size"`
	Dangling     bool     `json:"Dangling"`
	Repository   string   `json:"-"`
	Tag          string   `json:"-"`
	CreatedSince string   `json:"-"`
	SizeHuman    string   `json:"-"`
}

// ImagesCmd is `burrow images`.
type ImagesCmd struct {
	All     bool     `short:"a" help:"Show all images, the intermediate images of builds too."`
	Quiet   bool     `short:"q" help:"Print only the IDs."`
	NoTrunc bool     `name:"no-trunc" help:"Do not truncate IDs."`
	Filter  []string `sep:"none" help:"Filter: reference=PATTERN, dangling=true|false, intermediate=true|false, id=PREFIX (repeatable)."`
	Format  string   `help:"Go template (.ID .Repository .Tag .Digest .CreatedSince .Size ...) or json."`
}

// Run lists the images.
func (c *ImagesCmd) Run(g *globals) error {
	filters, err := engine.ParseImageFilters(c.Filter)
	if err != nil {
		return err
	}
	var tmpl *template.Template
	if c.Format != "" && c.Format != "json" {
		if tmpl, err = template.New("format").Funcs(templateFuncs).Parse(strings.TrimPrefix(c.Format, "table ") + "\n"); err != nil {
			return invalidf("invalid --format template: %v", err)
		}
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	list, err := eng.Images(g.ctx)
	if err != nil {
		return err
	}
	var rows []imageRow
	now := time.Now()
	for _, s := range list {
		base := imageRow{ID: s.ID, Names: s.Names, Digest: s.Digest, Created: s.Created.Unix(),
			CreatedAt: s.Created.Format(time.RFC3339), Size: s.Size, Dangling: s.Dangling,
			CreatedSince: units.HumanDuration(now.Sub(s.Created)) + " ago", SizeHuman: units.HumanSizeWithPrecision(float64(s.Size), 3)}
		if base.Names == nil {
			base.Names = []string{}
		}
		if (s.Intermediate && !c.All) || !engine.MatchImage(s, filters) {
			continue
		}
		// One row per name, as podman's table; <none> for an unnamed image.
		names := s.Names
		if len(names) == 0 || c.Format == "json" {
			names = []string{""}
		}
		for _, n := range names {
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
	short := func(id string) string {
		if c.NoTrunc {
			return "sha256:" + id
		}
		return stringid.TruncateID(id)
	}
	switch {
	case c.Format == "json":
		if rows == nil {
			rows = []imageRow{}
		}
		b, _ := json.MarshalIndent(rows, "", "  ")
		fmt.Println(string(b))
	case c.Quiet:
		seen := map[string]bool{}
		for _, r := range rows {
			if !seen[r.ID] {
				seen[r.ID] = true
				fmt.Println(short(r.ID))
			}
		}
	case tmpl != nil:
		w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
		for _, r := range rows {
			r.ID = short(r.ID)
			if err := tmpl.Execute(w, r); err != nil {
				return invalidf("--format: %v", err)
			}
		}
		w.Flush()
	default:
		w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(w, "REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE")
		for _, r := range rows {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.Repository, r.Tag, short(r.ID), r.CreatedSince, r.SizeHuman)
		}
		w.Flush()
	}
	return nil
}

// RmiCmd is `burrow rmi`.
type RmiCmd struct {
	Force  bool     `short:"f" help:"Remove images used by containers (removing those containers) and images with several names."`
	All    bool     `short:"a" help:"Remove all images."`
	Images []string `arg:"" optional:"" name:"image" help:"Images to remove."`
}

// Run removes the images.
func (c *RmiCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	refs := c.Images
	if c.All {
		list, err := eng.Images(g.ctx)
		if err != nil {
			return err
		}
		for _, s := range list {
			refs = append(refs, s.ID)
		}
	} else if len(refs) == 0 {
		return invalidf("give at least one image, or --all")
	}
	var last error
	for i, ref := range refs {
		untagged, deleted, err := eng.RemoveImage(g.ctx, ref, c.Force)
		if err != nil {
			if i < len(refs)-1 || last != nil {
				fmt.Fprintf(os.Stderr, "Error: %v\n", err)
			}
			last = err
			continue
		}
		for _, n := range untagged {
			fmt.Println("Untagged: " + n)
		}
		if deleted != "" {
			fmt.Println("Deleted: " + deleted)
		}
	}
	switch {
	case last == nil:
		return nil
	case errdefs.Is(last, errdefs.ClassNotFound):
		return withExit(last, 1)
	case errdefs.Is(last, errdefs.ClassConflict):
		return withExit(last, 2)
	}
	return last
}

// TagCmd is `burrow tag`.
type TagCmd struct {
	Image string   `arg:"" help:"Image to tag."`
	Names []string `arg:"" help:"New names."`
}

// Run adds the names.
func (c *TagCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	return eng.Tag(c.Image, c.Names...)
}

// ImageInspectCmd is `burrow image inspect`.
type ImageInspectCmd struct {
	Format string   `short:"f" help:"Go template applied to each image, or json."`
	Images []string `arg:"" name:"image" help:"Images to inspect."`
}

// Run prints the images' details.
func (c *ImageInspectCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	return inspectImages(g, eng, c.Images, c.Format)
}

func inspectImages(g *globals, eng *engine.Engine, refs []string, format string) error {
	return printInspect(refs, format, func(ref string) (any, error) { return inspectImage(g, eng, ref) })
}

// inspectImage is one image's inspect data.
func inspectImage(g *globals, eng *engine.Engine, ref string) (*engine.ImageInspect, error) {
	return eng.InspectImage(g.ctx, ref)
}

// HistoryCmd is `burrow history`.
type HistoryCmd struct {
	NoTrunc bool   `name:"no-trunc" help:"Do not truncate."`
	Quiet   bool   `short:"q" help:"Print only the IDs."`
	Image   string `arg:"" help:"Image whose history to show."`
}

// Run prints the history.
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
	now := time.Now()
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	if !c.Quiet {
		fmt.Fprintln(w, "ID\tCREATED\tCREATED BY\tSIZE\tCOMMENT")
	}
	for _, h := range hist {
		id, by := h.ID, h.CreatedBy
		if !c.NoTrunc {
			id = stringid.TruncateID(id)
			if len(by) > 45 {
				by = by[:42] + "..."
			}
		}
		if c.Quiet {
			fmt.Fprintln(w, id)
			continue
		}
		created := "<unknown>"
		if !h.Created.IsZero() {
			created = units.HumanDuration(now.Sub(h.Created)) + " ago"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", id, created, by, units.HumanSizeWithPrecision(float64(h.Size), 3), h.Comment)
	}
	return w.Flush()
}

// ImageCmd groups `burrow image ...`.
type ImageCmd struct {
	Inspect ImageInspectCmd `cmd:"" help:"Show images' details."`
	List    ImagesCmd       `cmd:"" aliases:"ls" help:"List images."`
	Rm      RmiCmd          `cmd:"" help:"Remove images."`
	Tag     TagCmd          `cmd:"" help:"Add names to an image."`
	History HistoryCmd      `cmd:"" help:"Show an image's history."`
	Pull    PullCmd         `cmd:"" help:"Pull an image."`
	Push    PushCmd         `cmd:"" help:"Push an image."`
	Save    SaveCmd         `cmd:"" help:"Write an image to an archive."`
	Load    LoadCmd         `cmd:"" help:"Read images from an archive."`
	Import  ImportCmd       `cmd:"" help:"Make an image from a root filesystem tarball."`
	Build   BuildCmd        `cmd:"" help:"Build an image from a Containerfile."`
	Prune   ImagePruneCmd   `cmd:"" help:"Remove unused images: dangling ones, or with -a all."`
}

// ImagePruneCmd is `burrow image prune`.
type ImagePruneCmd struct {
	All   bool `short:"a" help:"Remove every image no container uses, not only dangling ones (build caches too)."`
	Force bool `short:"f" help:"Do not ask for confirmation."`
}

// Run removes the images and prints their IDs.
func (p *ImagePruneCmd) Run(g *globals) error {
	if !p.Force {
		what := "dangling images"
		if p.All {
			what = "all images without at least one container associated with them"
		}
		if !confirm("WARNING! This command removes all " + what + ".") {
			return nil
		}
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	ids, err := eng.PruneImages(g.ctx, p.All)
	for _, id := range ids {
		fmt.Println(id)
	}
	return err
}
