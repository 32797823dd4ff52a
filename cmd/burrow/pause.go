package main

import (
	"fmt"

	"github.com/burrow-containers/burrow/engine"
)

// PauseCmd is `burrow pause`.
type PauseCmd struct {
	Containers []string `arg:"" name:"container" help:"Containers to pause."`
}

// Run pauses the containers.
func (p *PauseCmd) Run(g *globals) error { return printEach(p.Containers, (*engine.Engine).Pause) }

// UnpauseCmd is `burrow unpause`.
type UnpauseCmd struct {
	Containers []string `arg:"" name:"container" help:"Containers to unpause."`
}

// Run unpauses the containers.
func (p *UnpauseCmd) Run(g *globals) error { return printEach(p.Containers, (*engine.Engine).Unpause) }

// printEach applies op to each container named and prints the names of
// those it succeeded on, as podman's pause and unpause do.
func printEach(names []string, op func(*engine.Engine, *engine.Container) error) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	return eachContainer(eng, names, func(c *engine.Container, given string) error {
		if err := op(eng, c); err != nil {
			return err
		}
		fmt.Println(given)
		return nil
	})
}
