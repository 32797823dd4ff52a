package main

import (
	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// ContainerExistsCmd is `burrow container exists`: exit 0 when the
// container exists, 1 when not, as podman's (with --external, containers
// of other tools in the store count too).
type ContainerExistsCmd struct {
	External  bool   `help:"Check external containers as well as burrow's."`
	Container string `arg:"" name:"container" help:"The container."`
}

// Run looks the container up.
func (c *ContainerExistsCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	_, err = eng.Get(c.Container)
	if errdefs.Is(err, errdefs.ClassNotFound) && c.External {
		_, err = eng.LookupExternal(c.Container)
	}
	return existsResult(err)
}

// ImageExistsCmd is `burrow image exists`: exit 0 when the image is in
// the store, 1 when not.
type ImageExistsCmd struct {
	Image string `arg:"" name:"image" help:"The image."`
}

// Run looks the image up.
func (c *ImageExistsCmd) Run(g *globals) error {
	return exists(func(eng *engine.Engine) error {
		_, err := eng.LookupImage(c.Image)
		return err
	})
}

// exists opens the engine and looks something up with lookup, for the
// exists commands: exit 0 when found, 1 when not (nothing printed).
func exists(lookup func(eng *engine.Engine) error) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	return existsResult(lookup(eng))
}

// existsResult is an exists command's outcome: nothing printed, exit 1
// for not found, other errors as they are.
func existsResult(err error) error {
	if errdefs.Is(err, errdefs.ClassNotFound) {
		return exitCode(1)
	}
	return err
}

// UntagCmd is `burrow untag`.
type UntagCmd struct {
	Image string   `arg:"" name:"image" help:"The image."`
	Names []string `arg:"" optional:"" name:"name" help:"Names to remove (default: all of them)."`
}

// Run removes the names.
func (c *UntagCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	return eng.Untag(c.Image, c.Names...)
}
