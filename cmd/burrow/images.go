package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// RmiCmd is `burrow rmi`.
type RmiCmd struct {
	Force  bool     `short:"f" help:"Remove images used by containers (removing those containers) and images with several names."`
	All    bool     `short:"a" help:"Remove all images."`
	Ignore bool     `short:"i" help:"Ignore errors if a specified image does not exist."`
	Images []string `arg:"" optional:"" name:"image" help:"Images to remove."`
}

// Run removes the images, printing each name untagged and each ID deleted,
// as podman: exit 1 when an image is not known (none with -f or --ignore),
// 2 when one is in use.
func (c *RmiCmd) Run(g *globals) error {
	if c.All && len(c.Images) > 0 {
		return invalidf("when using the --all switch, you may not pass any images names or IDs")
	}
	if !c.All && len(c.Images) == 0 {
		return invalidf("image name or ID must be specified")
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	refs := c.Images
	if c.All {
		if refs, err = allImageNames(g, eng); err != nil {
			return err
		}
	}
	// podman lists every name untagged, then every image deleted.
	var errs []error
	var allUntagged, allDeleted []string
	defer func() {
		for _, n := range allUntagged {
			fmt.Println("Untagged: " + n)
		}
		for _, id := range allDeleted {
			fmt.Println("Deleted: " + id)
		}
	}()
	for _, ref := range refs {
		untagged, deleted, err := eng.RemoveImage(g.ctx, ref, c.Force)
		if errdefs.Is(err, errdefs.ClassNotFound) {
			if c.Force || c.Ignore {
				continue
			}
			err = errdefs.NotFound(fmt.Errorf("%s: image not known", ref))
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		allUntagged = append(allUntagged, untagged...)
		if deleted != "" {
			allDeleted = append(allDeleted, deleted)
		}
	}
	return rmiResult(errs)
}

// allImageNames is what rmi --all removes: every name of every image (so
// that an image with several goes too), then each image by ID; the oldest
// image first, as podman goes through them.
func allImageNames(g *globals, eng *engine.Engine) ([]string, error) {
	list, err := eng.Images(g.ctx)
	if err != nil {
		return nil, err
	}
	slices.Reverse(list)
	var refs []string
	for _, s := range list {
		if len(s.Names) > 1 {
			refs = append(refs, s.Names[1:]...)
		}
		refs = append(refs, s.ID)
	}
	return refs, nil
}

// rmiResult is podman's rmi outcome of errs: several are listed in one
// error; the exit code is the last one's (1 not known, 2 in use).
func rmiResult(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	last := errs[len(errs)-1]
	err := last
	if len(errs) > 1 {
		var b strings.Builder
		fmt.Fprintf(&b, "%d errors occurred:", len(errs))
		for _, e := range errs {
			fmt.Fprintf(&b, "\n\t* %v", e)
		}
		err = errors.New(b.String())
	}
	switch {
	case errdefs.Is(last, errdefs.ClassNotFound):
		return withExit(err, 1)
	case errdefs.Is(last, errdefs.ClassConflict):
		return withExit(err, 2)
	}
	return err
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

// inspectImage is one image's inspect data.
func inspectImage(g *globals, eng *engine.Engine, ref string) (*engine.ImageInspect, error) {
	return eng.InspectImage(g.ctx, ref)
}

// ImageCmd groups `burrow image ...`.
type ImageCmd struct {
	Exists  ImageExistsCmd  `cmd:"" help:"Check if an image exists in local storage."`
	Inspect ImageInspectCmd `cmd:"" help:"Show images' details."`
	List    ImagesCmd       `cmd:"" aliases:"ls" help:"List images."`
	Rm      RmiCmd          `cmd:"" help:"Remove images."`
	Tag     TagCmd          `cmd:"" help:"Add names to an image."`
	Untag   UntagCmd        `cmd:"" help:"Remove a name from a local image."`
	History HistoryCmd      `cmd:"" help:"Show an image's history."`
	Pull    PullCmd         `cmd:"" help:"Pull an image."`
	Push    PushCmd         `cmd:"" help:"Push an image."`
	Save    SaveCmd         `cmd:"" help:"Write an image to an archive."`
	Load    LoadCmd         `cmd:"" help:"Read images from an archive."`
	Import  ImportCmd       `cmd:"" help:"Make an image from a root filesystem tarball."`
	Build   BuildCmd        `cmd:"" help:"Build an image from a Containerfile."`
	Prune   ImagePruneCmd   `cmd:"" help:"Remove unused images: dangling ones, or with -a all."`
	Trust   TrustCmd        `cmd:"" help:"Manage the image trust policy."`
	Sign    SignCmd         `cmd:"" help:"Sign images in a registry with a GPG key."`
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
