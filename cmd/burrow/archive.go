package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/images"
)

// SaveCmd is `burrow save`.
type SaveCmd struct {
	Output       string   `short:"o" help:"File to write (default: stdout, which must not be a terminal)."`
	Format       string   `default:"docker-archive" enum:"docker-archive,oci-archive,oci-dir,docker-dir" help:"Save image to oci-archive, oci-dir (directory with oci manifest type), docker-archive, docker-dir (directory with v2s2 manifest type)."`
	MultiImage   bool     `short:"m" name:"multi-image-archive" help:"Interpret additional arguments as images not tags and create a multi-image-archive (only for docker-archive)."`
	Uncompressed bool     `name:"uncompressed" help:"Accept uncompressed layers when copying OCI images."`
	Compress     bool     `name:"compress" help:"Compress tarball image layers when saving to a directory using the 'dir' transport (default: same compression as source)."`
	Quiet        bool     `short:"q" help:"No progress output."`
	Images       []string `arg:"" name:"image" help:"Image to save (and more names of it, or more images with -m)."`
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
	so := images.SaveOptions{Format: c.Format, MultiImage: c.MultiImage, Uncompressed: c.Uncompressed}
	if err := eng.SaveImages(g.ctx, c.Images, out, so, o); err != nil {
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
	if strings.HasPrefix(in, "http://") || strings.HasPrefix(in, "https://") {
		file, err := download(g.ctx, in)
		if err != nil {
			return err
		}
		defer os.Remove(file)
		in = file
	}
	if in == "" {
		if term.IsTerminal(int(os.Stdin.Fd())) {
			return invalidf("cannot read from terminal, use command-line redirection or the --input flag")
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

// download fetches an archive for load -i URL into a temporary file, as
// podman's load does; the caller removes the file.
func download(ctx context.Context, url string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", invalidf("loading %s: %v", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("downloading %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", errdefs.NotFound(fmt.Errorf("downloading %s: %s", url, resp.Status))
	}
	f, err := os.CreateTemp("", "burrow-load-")
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", fmt.Errorf("downloading %s: %w", url, err)
	}
	return f.Name(), f.Close()
}
