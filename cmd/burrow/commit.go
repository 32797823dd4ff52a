package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/burrow-containers/burrow/engine"
)

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
