package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/shlex"

	"github.com/burrow-containers/burrow/errdefs"
)

// RunlabelOptions are container runlabel's settings.
type RunlabelOptions struct {
	// Name is the container's name the command gets for NAME (default:
	// the image's base name).
	Name string
	// Opt1, Opt2 and Opt3 are the values of $OPT1, $OPT2 and $OPT3.
	Opt1, Opt2, Opt3 string
	// Executable replaces a podman or docker program in the label: burrow's
	// own path.
	Executable string
	// Pull pulls the image when it is missing, with PullOptions.
	Pull bool
	PullOptions
}

// Runlabel is the command an image's label (INSTALL, RUN, ...) holds, as
// podman's container runlabel makes it: IMAGE and NAME (as words, or
// $IMAGE, ${NAME}) are the image's name and the container's, $OPT1..3 the
// options, $PWD the current directory; args are appended.
func (e *Engine) Runlabel(ctx context.Context, label, ref string, args []string, o RunlabelOptions) ([]string, error) {
	img, err := e.LookupImage(ref)
	if err != nil && o.Pull && errdefs.Is(err, errdefs.ClassNotFound) {
		img, err = e.Pull(ctx, ref, o.PullOptions)
	}
	if err != nil {
		return nil, err
	}
	cfg, err := e.ImageConfig(ctx, img)
	if err != nil {
		return nil, err
	}
	value, ok := cfg.Config.Labels[label]
	if !ok {
		value = cfg.Config.Labels[strings.ToUpper(label)]
	}
	if value == "" {
		return nil, errdefs.NotFound(fmt.Errorf("cannot find the value of label: %s in image: %s", label, ref))
	}
	imageName := img.ID
	if len(img.Names) > 0 {
		imageName = img.Names[0]
	}
	return runlabelCommand(value, imageName, args, o)
}

// runlabelCommand is the command of a label's value.
func runlabelCommand(value, imageName string, args []string, o RunlabelOptions) ([]string, error) {
	name := o.Name
	if name == "" {
		name = imageBaseName(imageName)
	}
	if len(args) > 0 {
		value += " " + strings.Join(args, " ")
	}
	words, err := shlex.Split(value)
	if err != nil || len(words) == 0 {
		return nil, errdefs.Invalid(fmt.Errorf("reading the label's command %q: %v", value, err))
	}
	for i, w := range words[1:] {
		switch w {
		case "IMAGE", "$IMAGE":
			words[i+1] = imageName
		case "IMAGE=IMAGE", "IMAGE=$IMAGE":
			words[i+1] = "IMAGE=" + imageName
		case "NAME", "$NAME":
			words[i+1] = name
		case "NAME=NAME", "NAME=$NAME":
			words[i+1] = "NAME=" + name
		}
	}
	vars := map[string]string{"OPT1": o.Opt1, "OPT2": o.Opt2, "OPT3": o.Opt3, "IMAGE": imageName, "NAME": name}
	expanded := os.Expand(strings.Join(words, " "), func(k string) string {
		if k == "PWD" {
			wd, _ := os.Getwd()
			return wd
		}
		return vars[k]
	})
	cmd, err := shlex.Split(expanded)
	if err != nil || len(cmd) == 0 {
		return nil, errdefs.Invalid(fmt.Errorf("reading the label's command %q: %v", expanded, err))
	}
	if base := filepath.Base(cmd[0]); base == "podman" || base == "docker" {
		cmd[0] = o.Executable
	}
	return cmd, nil
}

// imageBaseName is an image name's last path component without its tag or
// digest: the container's default name.
func imageBaseName(name string) string {
	name, _, _ = strings.Cut(name, "@")
	base := name[strings.LastIndex(name, "/")+1:]
	base, _, _ = strings.Cut(base, ":")
	return base
}
