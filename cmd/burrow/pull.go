package main

import (
	"fmt"
	"os"

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

// PullCmd is `burrow pull`.
type PullCmd struct {
	registryFlags
	Quiet    bool   `short:"q" help:"Print only the image ID."`
	Platform string `help:"Platform to pull: OS/ARCH[/VARIANT]."`
	Image    string `arg:"" help:"Image reference."`
}

// Run pulls the image and prints its ID.
func (p *PullCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	o := p.options(p.Quiet)
	o.Platform = p.Platform
	img, err := eng.Pull(g.ctx, p.Image, o)
	if err != nil {
		return err
	}
	fmt.Println(img.ID)
	return nil
}
