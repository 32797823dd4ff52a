package main

import (
	"fmt"

	"github.com/burrow-containers/burrow/errdefs"
)

// InspectCmd is `burrow inspect`: containers, then images, as podman's.
type InspectCmd struct {
	Format  string   `short:"f" help:"Go template applied to each object, or json."`
	Type    string   `short:"t" default:"all" enum:"all,container,image" help:"What to look for: all, container or image."`
	Objects []string `arg:"" name:"name" help:"Containers or images to inspect."`
}

// Run prints the objects' details as a JSON array.
func (i *InspectCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	if i.Type == "image" {
		return inspectImages(g, eng, i.Objects, i.Format)
	}
	return printInspect(i.Objects, i.Format, func(name string) (any, error) {
		c, err := eng.Get(name)
		if err == nil {
			return c.Inspect(), nil
		}
		if errdefs.Is(err, errdefs.ClassNotFound) && i.Type == "all" {
			d, err := inspectImage(g, eng, name)
			if errdefs.Is(err, errdefs.ClassNotFound) {
				err = errdefs.NotFound(fmt.Errorf("no container or image %q: check `burrow ps -a` and `burrow images`", name))
			}
			return d, err
		}
		return nil, err
	})
}
