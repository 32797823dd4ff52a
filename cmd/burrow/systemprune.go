package main

import (
	"fmt"
	"strings"
)

// SystemPruneCmd is `burrow system prune`.
type SystemPruneCmd struct {
	All     bool `short:"a" help:"Remove every image no container uses, not only dangling ones."`
	Force   bool `short:"f" help:"Do not ask for confirmation."`
	Volumes bool `help:"Remove the volumes no container uses too."`
}

// Run removes the unused pods, containers, networks, images (and volumes),
// printing podman's sections of what went.
func (c *SystemPruneCmd) Run(g *globals) error {
	if !c.Force && !confirm(c.warning()) {
		return nil
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	r, err := eng.SystemPrune(g.ctx, c.All, c.Volumes)
	for _, sec := range []struct {
		title string
		ids   []string
	}{{"Pods", r.Pods}, {"Containers", r.Containers}, {"Networks", r.Networks}, {"Volumes", r.Volumes}, {"Images", r.Images}} {
		if len(sec.ids) > 0 {
			fmt.Printf("Deleted %s\n%s\n", sec.title, strings.Join(sec.ids, "\n"))
		}
	}
	return err
}

// warning is podman's list of what the prune removes.
func (c *SystemPruneCmd) warning() string {
	lines := []string{"WARNING! This command removes:", "\t- all stopped containers", "\t- all networks not used by at least one container"}
	if c.Volumes {
		lines = append(lines, "\t- all volumes not used by at least one container")
	}
	if c.All {
		lines = append(lines, "\t- all images without at least one container associated with them", "\t- all build cache")
	} else {
		lines = append(lines, "\t- all dangling images", "\t- all dangling build cache")
	}
	return strings.Join(lines, "\n") + "\n"
}

// SystemResetCmd is `burrow system reset`.
type SystemResetCmd struct {
	Force bool `short:"f" help:"Do not ask for confirmation."`
}

// Run removes everything burrow (and podman, sharing the store) keeps.
func (c *SystemResetCmd) Run(g *globals) error {
	if !c.Force && !confirm("WARNING! This will remove:\n\t- all containers\n\t- all pods\n\t- all images\n\t- all networks\n\t- all build cache\n\t- all volumes\n") {
		return nil
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	return eng.Reset(g.ctx)
}
