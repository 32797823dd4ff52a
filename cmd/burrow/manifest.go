package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// ManifestCmd is `burrow manifest`: manifest lists (image indexes), as
// podman's, through its image library.
type ManifestCmd struct {
	Add     ManifestAddCmd     `cmd:"" help:"Add images to a manifest list or image index."`
	Create  ManifestCreateCmd  `cmd:"" help:"Create manifest list or image index."`
	Exists  ManifestExistsCmd  `cmd:"" help:"Check if a manifest list exists in local storage."`
	Inspect ManifestInspectCmd `cmd:"" help:"Display the contents of a manifest list or image index."`
	Push    ManifestPushCmd    `cmd:"" help:"Push a manifest list or image index to a registry."`
	Remove  ManifestRemoveCmd  `cmd:"" help:"Remove an entry from a manifest list or image index."`
	Rm      ManifestRmCmd      `cmd:"" help:"Remove manifest list or image index from local storage."`
}

// instanceFlags describe an instance added to a list.
type instanceFlags struct {
	All        bool     `help:"Add all of the list's images if the image is a list."`
	Annotation []string `sep:"none" help:"Set an annotation for the specified image (KEY=VALUE)."`
	Arch       string   `help:"Override the architecture of the specified image."`
	OS         string   `name:"os" help:"Override the OS of the specified image."`
	Variant    string   `help:"Override the Variant of the specified image."`
}

func (f instanceFlags) options() (engine.ManifestOptions, error) {
	mo := engine.ManifestOptions{All: f.All, Arch: f.Arch, OS: f.OS, Variant: f.Variant}
	for _, a := range f.Annotation {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			return mo, invalidf("no value given for annotation %q: use KEY=VALUE", a)
		}
		if mo.Annotations == nil {
			mo.Annotations = map[string]string{}
		}
		mo.Annotations[k] = v
	}
	return mo, nil
}

// ManifestCreateCmd is `burrow manifest create`.
type ManifestCreateCmd struct {
	registryFlags
	All    bool     `help:"Add all of the lists' images if the images to add are lists."`
	List   string   `arg:"" name:"list" help:"Name of the list."`
	Images []string `arg:"" optional:"" name:"image" help:"Images to add."`
}

// Run makes the list and prints its ID.
func (c *ManifestCreateCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	id, err := eng.ManifestCreate(g.ctx, c.List, c.Images, engine.ManifestOptions{All: c.All}, c.options(true))
	if err != nil {
		return err
	}
	fmt.Println(id)
	return nil
}

// ManifestAddCmd is `burrow manifest add`.
type ManifestAddCmd struct {
	registryFlags
	instanceFlags
	List  string `arg:"" name:"list" help:"The manifest list."`
	Image string `arg:"" name:"image" help:"The image to add (local, or a registry's)."`
}

// Run adds the image and prints the list's ID.
func (c *ManifestAddCmd) Run(g *globals) error {
	mo, err := c.instanceFlags.options()
	if err != nil {
		return err
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	id, err := eng.ManifestAdd(g.ctx, c.List, c.Image, mo, c.registryFlags.options(true))
	if err != nil {
		return err
	}
	fmt.Println(id)
	return nil
}

// ManifestExistsCmd is `burrow manifest exists`: exit 0 or 1.
type ManifestExistsCmd struct {
	List string `arg:"" name:"manifest" help:"The manifest list."`
}

// Run looks the list up.
func (c *ManifestExistsCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	_, err = eng.ManifestInspect(c.List, engine.PullOptions{})
	if errdefs.Is(err, errdefs.ClassInvalid) {
		return exitCode(1) // an image, not a list
	}
	return existsResult(err)
}

// ManifestInspectCmd is `burrow manifest inspect`.
type ManifestInspectCmd struct {
	registryFlags
	List string `arg:"" name:"image" help:"The manifest list."`
}

// Run prints the list as JSON.
func (c *ManifestInspectCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	b, err := eng.ManifestInspect(c.List, c.options(true))
	if err != nil {
		return err
	}
	fmt.Println(string(b))
	return nil
}

// ManifestPushCmd is `burrow manifest push`.
type ManifestPushCmd struct {
	registryFlags
	All         bool   `default:"true" negatable:"" help:"Push all images of the list (default), or only this machine's."`
	Quiet       bool   `short:"q" help:"Don't output progress information when pushing lists."`
	Rm          bool   `help:"Remove the manifest list if push succeeds."`
	Source      string `arg:"" name:"source" help:"The manifest list."`
	Destination string `arg:"" optional:"" name:"destination" help:"Where to push it (default: the list's name)."`
}

// Run pushes the list.
func (c *ManifestPushCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	dest := c.Destination
	if dest == "" {
		dest = c.Source
	}
	o := c.options(c.Quiet)
	if _, err := eng.ManifestPush(g.ctx, c.Source, dest, c.All, o); err != nil {
		return err
	}
	if c.Rm {
		if _, _, err := eng.ManifestRemove(g.ctx, []string{c.Source}, o); err != nil {
			return err
		}
	}
	return nil
}

// ManifestRemoveCmd is `burrow manifest remove`.
type ManifestRemoveCmd struct {
	List   string `arg:"" name:"list" help:"The manifest list."`
	Digest string `arg:"" name:"digest" help:"The digest of the entry to remove."`
}

// Run drops the entry and prints the list's ID.
func (c *ManifestRemoveCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	id, err := eng.ManifestRemoveInstance(c.List, c.Digest, engine.PullOptions{})
	if err != nil {
		return err
	}
	fmt.Println(id)
	return nil
}

// ManifestRmCmd is `burrow manifest rm`.
type ManifestRmCmd struct {
	Lists []string `arg:"" name:"list" help:"Manifest lists to remove."`
}

// Run removes the lists, printing what rmi prints.
func (c *ManifestRmCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	untagged, deleted, err := eng.ManifestRemove(g.ctx, c.Lists, engine.PullOptions{Out: os.Stderr})
	for _, n := range untagged {
		fmt.Println("Untagged: " + n)
	}
	for _, id := range deleted {
		fmt.Println("Deleted: " + id)
	}
	if errdefs.Is(err, errdefs.ClassNotFound) {
		return withExit(err, 1)
	}
	return err
}
