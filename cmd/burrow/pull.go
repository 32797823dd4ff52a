package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"

	"go.podman.io/image/v5/docker/reference"

	"go.podman.io/image/v5/types"

	"github.com/burrow-containers/burrow/engine"
)

// registryFlags are the flags of every command that talks to a registry.
type registryFlags struct {
	TLSVerify *bool  `name:"tls-verify" negatable:"" help:"Require HTTPS and verify certificates (default: as registries.conf says, else true)."`
	AuthFile  string `name:"authfile" help:"Path of the authentication file (default: $XDG_RUNTIME_DIR/containers/auth.json)."`
}

// options are the images options for these flags; progress goes to stderr
// unless quiet.
func (r registryFlags) options(quiet bool) engine.PullOptions {
	o := engine.PullOptions{Quiet: quiet, Out: os.Stderr, AuthFile: r.AuthFile}
	if r.TLSVerify != nil {
		o.TLSVerify = types.NewOptionalBool(*r.TLSVerify)
	}
	return o
}

// platformFlags choose the image of a list to pull.
type platformFlags struct {
	Platform string `name:"platform" help:"Platform of the image to pull: OS/ARCH[/VARIANT]."`
	Arch     string `name:"arch" help:"Architecture of the image to pull (instead of the machine's)."`
	OS       string `name:"os" help:"Operating system of the image to pull (instead of linux)."`
	Variant  string `name:"variant" help:"Variant of the architecture of the image to pull (arm's v7, ...)."`
}

// platform is the platform --platform, --os, --arch and --variant ask
// pulls for ("" : the machine's).
func (f *platformFlags) platform() (string, error) {
	if f.Platform != "" {
		if f.OS != "" || f.Arch != "" || f.Variant != "" {
			return "", invalidf("--platform option can not be specified with --arch, --os or --variant")
		}
		return f.Platform, nil
	}
	if f.OS == "" && f.Arch == "" && f.Variant == "" {
		return "", nil
	}
	goos, arch := f.OS, f.Arch
	if goos == "" {
		goos = "linux"
	}
	if arch == "" {
		arch = runtime.GOARCH
	}
	p := goos + "/" + arch
	if f.Variant != "" {
		p += "/" + f.Variant
	}
	return p, nil
}

// PullCmd is `burrow pull`.
type PullCmd struct {
	registryFlags
	platformFlags
	Quiet               bool   `short:"q" help:"Print only the image ID."`
	Creds               string `name:"creds" help:"USER[:PASSWORD] for the registry, instead of auth.json's."`
	AllTags             bool   `short:"a" name:"all-tags" help:"Pull every tag of the repository named (which then names no tag)."`
	DisableContentTrust bool   `name:"disable-content-trust" hidden:"" help:"Docker's; ignored, as podman ignores it."`
	Image               string `arg:"" help:"Image reference."`
}

// Run pulls the image and prints its ID.
func (p *PullCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	o := p.options(p.Quiet)
	if o.Platform, err = p.platform(); err != nil {
		return err
	}
	if err := credsOption(p.Creds, &o); err != nil {
		return err
	}
	if p.AllTags {
		return p.allTags(g, eng, o)
	}
	img, err := eng.Pull(g.ctx, p.Image, o)
	if err != nil {
		return err
	}
	fmt.Println(img.ID)
	return nil
}

// credsOption sets --creds USER[:PASSWORD] in o, when given.
func credsOption(creds string, o *engine.PullOptions) error {
	if creds == "" {
		return nil
	}
	user, pass, _ := strings.Cut(creds, ":")
	if user == "" {
		return invalidf("--creds %q: give USER[:PASSWORD]", creds)
	}
	o.Credentials = &types.DockerAuthConfig{Username: user, Password: pass}
	return nil
}

// allTags pulls every tag of the repository, printing each image's ID.
func (p *PullCmd) allTags(g *globals, eng *engine.Engine, o engine.PullOptions) error {
	named, err := reference.ParseNormalizedNamed(p.Image)
	if err != nil {
		return invalidf("invalid image name %q: %v", p.Image, err)
	}
	if _, tagged := named.(reference.Tagged); tagged {
		return invalidf("--all-tags: %s names a tag: give the repository alone", p.Image)
	}
	if _, digested := named.(reference.Digested); digested {
		return invalidf("--all-tags: %s names a digest: give the repository alone", p.Image)
	}
	tags, err := eng.RemoteTags(g.ctx, named.Name(), o)
	if err != nil {
		return err
	}
	for _, tag := range tags {
		img, err := eng.Pull(g.ctx, named.Name()+":"+tag, o)
		if err != nil {
			return err
		}
		fmt.Println(img.ID)
	}
	return nil
}
