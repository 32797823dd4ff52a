package main

import (
	"errors"
	"fmt"

	"github.com/burrow-containers/burrow/errdefs"
)

// InspectCmd is `burrow inspect`: containers, then images, as podman's.
type InspectCmd struct {
	Format  string   `short:"f" help:"Go template applied to each object, or json."`
	Type    string   `short:"t" default:"all" enum:"all,container,image" help:"What to look for: all, container or image."`
	Latest  bool     `short:"l" help:"Inspect the container created last."`
	Size    bool     `short:"s" help:"Show the containers' disk use (SizeRw, SizeRootFs)."`
	Objects []string `arg:"" optional:"" name:"name" help:"Containers or images to inspect."`
}

// Run prints the objects' details as a JSON array.
func (i *InspectCmd) Run(g *globals) error {
	if i.Latest && len(i.Objects) > 0 {
		return invalidf("--latest and containers cannot be used together")
	}
	if !i.Latest && len(i.Objects) == 0 {
		return invalidf("specify the containers or images to inspect, or --latest")
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	if i.Latest {
		ctrs, err := eng.List()
		if err != nil {
			return err
		}
		if len(ctrs) == 0 {
			return errdefs.NotFound(errors.New("no containers to inspect"))
		}
		i.Objects = []string{ctrs[len(ctrs)-1].ID}
	}
	if i.Type == "image" {
		return inspectImages(g, eng, i.Objects, i.Format)
	}
	return printInspect(i.Objects, i.Format, func(name string) (any, error) {
		c, err := eng.Get(name)
		if err == nil {
			d := c.Inspect()
			if i.Size {
				size, err := eng.Size(c)
				if err != nil {
					return nil, err
				}
				d.SizeRw, d.SizeRootFs = &size.RwSize, &size.RootFsSize
			}
			return d, nil
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
