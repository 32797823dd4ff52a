package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// CommitCmd is `burrow commit`.
type CommitCmd struct {
	Change    []string `short:"c" sep:"none" help:"Apply a Dockerfile instruction (CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE)."`
	Message   string   `short:"m" help:"Commit message."`
	Author    string   `short:"a" help:"Author of the image."`
	Quiet     bool     `short:"q" help:"No progress output."`
	Format    string   `short:"f" enum:"oci,docker," default:"" help:"Manifest type of the image: oci (the default) or docker."`
	IIDFile   string   `name:"iidfile" help:"Write the new image's ID to this file."`
	Volumes   bool     `name:"include-volumes" help:"Make the container's volumes the image's VOLUMEs."`
	Pause     bool     `short:"p" name:"pause" help:"Pause the container while it is committed (needs a cgroup of its own)."`
	Squash    bool     `short:"s" name:"squash" hidden:"" help:"Not supported: the image keeps its layers."`
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
	if c.Squash {
		return invalidf("--squash is not supported: commit without it (the image keeps its base layers)")
	}
	img, err := eng.Commit(g.ctx, ctr, c.Ref, engine.CommitOptions{Changes: c.Change, Message: c.Message, Author: c.Author, IncludeVolumes: c.Volumes, Pause: c.Pause},
		engine.PullOptions{Quiet: c.Quiet, Out: os.Stderr, ManifestType: c.Format})
	if err != nil {
		return err
	}
	if c.IIDFile != "" {
		if err := os.WriteFile(c.IIDFile, []byte(img.ID), 0o644); err != nil {
			return fmt.Errorf("writing --iidfile: %w", err)
		}
	}
	fmt.Println(img.ID)
	return nil
}

// DiffCmd is `burrow diff`.
type DiffCmd struct {
	Format string   `help:"json for JSON output."`
	Latest bool     `short:"l" help:"Diff the container created last."`
	Names  []string `arg:"" optional:"" name:"name" help:"Container or image whose changes to list, and one to compare it with instead of its parent layer."`
}

// Run lists the changes, as podman's diff: "KIND PATH" lines, or JSON
// lists of added, changed and deleted paths.
func (c *DiffCmd) Run(g *globals) error {
	if c.Format != "" && c.Format != "json" {
		return invalidf("--format %q: the only format diff knows is json", c.Format)
	}
	names := c.Names
	switch {
	case c.Latest && len(names) > 0:
		return invalidf("--latest and containers cannot be used together")
	case !c.Latest && (len(names) == 0 || len(names) > 2):
		return invalidf("diff takes a container or image (or --latest), and at most one to compare it with")
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	if c.Latest {
		ctrs, err := eng.List()
		if err != nil {
			return err
		}
		if len(ctrs) == 0 {
			return errdefs.NotFound(errors.New("no containers to diff"))
		}
		names = append([]string{ctrs[len(ctrs)-1].ID}, names...)
	}
	against := ""
	if len(names) == 2 {
		against = names[1]
	}
	changes, err := eng.DiffNamed(names[0], against)
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
