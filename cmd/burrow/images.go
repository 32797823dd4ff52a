package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"text/template"
	"time"

	units "github.com/docker/go-units"
	"go.podman.io/storage/pkg/stringid"
	"golang.org/x/term"

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

// printInspect prints what lookup finds for each name: a JSON array, or
// the --format template per object. A name not found is an error (the
// last one returned, earlier ones printed), as podman's inspect.
func printInspect(names []string, format string, lookup func(name string) (any, error)) error {
	var tmpl *template.Template
	if format != "" && format != "json" {
		var err error
		if tmpl, err = template.New("format").Funcs(templateFuncs).Parse(format + "\n"); err != nil {
			return invalidf("invalid --format template: %v", err)
		}
	}
	out := []any{}
	var last error
	for _, name := range names {
		d, err := lookup(name)
		if err != nil {
			if last != nil {
				fmt.Fprintf(os.Stderr, "Error: %v\n", last)
			}
			last = err
			continue
		}
		if tmpl != nil {
			if err := tmpl.Execute(os.Stdout, jsonView(d)); err != nil {
				return invalidf("--format: %v", err)
			}
			continue
		}
		out = append(out, d)
	}
	if tmpl == nil {
		b, _ := json.MarshalIndent(out, "", "    ")
		fmt.Println(string(b))
	}
	return last
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

// PushCmd is `burrow push`.
type PushCmd struct {
	registryFlags
	Quiet bool   `short:"q" help:"No progress output."`
	Image string `arg:"" help:"Image to push."`
	Dest  string `arg:"" optional:"" help:"Where to push it (default: its name)."`
}

// Run pushes the image.
func (c *PushCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	return eng.Push(g.ctx, c.Image, c.Dest, c.options(c.Quiet))
}

// SaveCmd is `burrow save`.
type SaveCmd struct {
	Output string `short:"o" help:"File to write (default: stdout, which must not be a terminal)."`
	Format string `default:"docker-archive" enum:"docker-archive,oci-archive" help:"Archive format: docker-archive or oci-archive."`
	Quiet  bool   `short:"q" help:"No progress output."`
	Image  string `arg:"" help:"Image to save."`
}

// Run writes the archive.
func (c *SaveCmd) Run(g *globals) error {
	out := c.Output
	if out == "" {
		if term.IsTerminal(int(os.Stdout.Fd())) {
			return invalidf("refusing to write an image archive to a terminal: use -o FILE or redirect stdout")
		}
		tmp, err := os.CreateTemp("", "burrow-save-")
		if err != nil {
			return err
		}
		tmp.Close()
		os.Remove(tmp.Name())
		defer os.Remove(tmp.Name())
		out = tmp.Name()
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	o := engine.PullOptions{Quiet: c.Quiet || c.Output == "", Out: os.Stderr}
	if err := eng.Save(g.ctx, c.Image, out, c.Format, o); err != nil {
		return err
	}
	if c.Output == "" {
		f, err := os.Open(out)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(os.Stdout, f)
		return err
	}
	return nil
}

// LoadCmd is `burrow load`.
type LoadCmd struct {
	Input string `short:"i" help:"Archive to read (default: stdin)."`
	Quiet bool   `short:"q" help:"No progress output."`
}

// Run loads the archive.
func (c *LoadCmd) Run(g *globals) error {
	in := c.Input
	if in == "" {
		if term.IsTerminal(int(os.Stdin.Fd())) {
			return invalidf("no archive given: use -i FILE or redirect stdin")
		}
		tmp, err := os.CreateTemp("", "burrow-load-")
		if err != nil {
			return err
		}
		defer os.Remove(tmp.Name())
		if _, err := io.Copy(tmp, bufio.NewReader(os.Stdin)); err != nil {
			tmp.Close()
			return err
		}
		tmp.Close()
		in = tmp.Name()
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	names, err := eng.Load(g.ctx, in, engine.PullOptions{Quiet: c.Quiet, Out: os.Stderr})
	if err != nil {
		return err
	}
	for _, n := range names {
		fmt.Println("Loaded image: " + n)
	}
	return nil
}

// ImportCmd is `burrow import`.
type ImportCmd struct {
	Change  []string `short:"c" sep:"none" help:"Apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE)."`
	Message string   `short:"m" help:"Commit message of the image's history."`
	Quiet   bool     `short:"q" help:"No progress output."`
	Tarball string   `arg:"" help:"Tarball of a root filesystem (- for stdin)."`
	Ref     string   `arg:"" optional:"" help:"Name of the new image."`
}

// Run imports the tarball and prints the image ID.
func (c *ImportCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	img, err := eng.Import(g.ctx, c.Tarball, c.Ref, engine.ImportOptions{Changes: c.Change, Message: c.Message}, engine.PullOptions{Quiet: c.Quiet, Out: os.Stderr})
	if err != nil {
		return err
	}
	fmt.Println(img.ID)
	return nil
}

// ExportCmd is `burrow export`.
type ExportCmd struct {
	Output    string `short:"o" help:"File to write (default: stdout, which must not be a terminal)."`
	Container string `arg:"" help:"Container to export."`
}

// Run writes the container's filesystem as a tar.
func (c *ExportCmd) Run(g *globals) error {
	w := io.Writer(os.Stdout)
	if c.Output == "" && term.IsTerminal(int(os.Stdout.Fd())) {
		return invalidf("refusing to write a tar to a terminal: use -o FILE or redirect stdout")
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	ctr, err := eng.Get(c.Container)
	if err != nil {
		return err
	}
	if c.Output != "" {
		f, err := os.Create(c.Output)
		if err != nil {
			return fmt.Errorf("exporting to %s: %w", c.Output, err)
		}
		defer f.Close()
		w = f
		if err := eng.Export(ctr, w); err != nil {
			os.Remove(c.Output)
			return err
		}
		return f.Close()
	}
	return eng.Export(ctr, w)
}

// CommitCmd is `burrow commit`.
type CommitCmd struct {
	Change    []string `short:"c" sep:"none" help:"Apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE)."`
	Message   string   `short:"m" help:"Commit message."`
	Author    string   `short:"a" help:"Author of the image."`
	Quiet     bool     `short:"q" help:"No progress output."`
	Container string   `arg:"" help:"Container to commit."`
	Ref       string   `arg:"" optional:"" help:"Name of the new image."`
}

// Run commits and prints the new image's ID.
func (c *CommitCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	ctr, err := eng.Get(c.Container)
	if err != nil {
		return err
	}
	img, err := eng.Commit(g.ctx, ctr, c.Ref, engine.CommitOptions{Changes: c.Change, Message: c.Message, Author: c.Author},
		engine.PullOptions{Quiet: c.Quiet, Out: os.Stderr})
	if err != nil {
		return err
	}
	fmt.Println(img.ID)
	return nil
}

// DiffCmd is `burrow diff`.
type DiffCmd struct {
	Format    string `help:"json for JSON output."`
	Container string `arg:"" help:"Container whose changes to list."`
}

// Run lists the changes.
func (c *DiffCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	ctr, err := eng.Get(c.Container)
	if err != nil {
		return err
	}
	changes, err := eng.Diff(ctr)
	if err != nil {
		return err
	}
	if c.Format == "json" {
		rep := map[string][]string{}
		for _, ch := range changes {
			key := map[string]string{"A": "added", "C": "changed", "D": "deleted"}[ch.Kind]
			rep[key] = append(rep[key], ch.Path)
		}
		b, _ := json.MarshalIndent(rep, "", "  ")
		fmt.Println(string(b))
		return nil
	}
	for _, ch := range changes {
		fmt.Println(ch.Kind + " " + ch.Path)
	}
	return nil
}

// LoginCmd is `burrow login`.
type LoginCmd struct {
	registryFlags
	Username      string `short:"u" help:"User name."`
	Password      string `short:"p" help:"Password (prefer --password-stdin)."`
	PasswordStdin bool   `name:"password-stdin" help:"Read the password from stdin."`
	Registry      string `arg:"" help:"Registry to log in to."`
}

// Run checks and stores the credentials.
func (c *LoginCmd) Run(g *globals) error {
	user, pass := c.Username, c.Password
	in := bufio.NewReader(os.Stdin)
	if c.PasswordStdin {
		if pass != "" {
			return invalidf("--password and --password-stdin cannot be combined")
		}
		b, err := io.ReadAll(in)
		if err != nil {
			return err
		}
		pass = strings.TrimRight(string(b), "\r\n")
	}
	if user == "" {
		if c.PasswordStdin {
			return invalidf("--password-stdin needs --username")
		}
		fmt.Fprint(os.Stderr, "Username: ")
		line, _ := in.ReadString('\n')
		user = strings.TrimSpace(line)
	}
	if pass == "" {
		fmt.Fprint(os.Stderr, "Password: ")
		if term.IsTerminal(int(os.Stdin.Fd())) {
			b, err := term.ReadPassword(int(os.Stdin.Fd()))
			fmt.Fprintln(os.Stderr)
			if err != nil {
				return err
			}
			pass = string(b)
		} else {
			line, _ := in.ReadString('\n')
			pass = strings.TrimRight(line, "\r\n")
		}
	}
	eng, err := openEngine() // the auth file's default place is the namespace's
	if err != nil {
		return err
	}
	defer eng.Close()
	if _, err := eng.Login(g.ctx, c.Registry, user, pass, c.options(true)); err != nil {
		return err
	}
	fmt.Println("Login Succeeded!")
	return nil
}

// LogoutCmd is `burrow logout`.
type LogoutCmd struct {
	AuthFile string `name:"authfile" help:"Path of the authentication file."`
	All      bool   `short:"a" help:"Remove the credentials of every registry."`
	Registry string `arg:"" optional:"" help:"Registry to log out of."`
}

// Run removes the credentials.
func (c *LogoutCmd) Run(g *globals) error {
	if !c.All && c.Registry == "" {
		return invalidf("give a registry, or --all")
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	if err := eng.Logout(c.Registry, c.All, engine.PullOptions{AuthFile: c.AuthFile}); err != nil {
		return err
	}
	if c.All {
		fmt.Println("Removed login credentials for all registries")
	} else {
		fmt.Printf("Removed login credentials for %s\n", c.Registry)
	}
	return nil
}

// ImageCmd groups `burrow image ...`.
type ImageCmd struct {
	Inspect ImageInspectCmd `cmd:"" help:"Show images' details."`
	Ls      ImagesCmd       `cmd:"" aliases:"list" help:"List images."`
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
