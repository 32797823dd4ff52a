package main

import (
	"fmt"
	"os"

	"go.podman.io/image/v5/types"

	"github.com/burrow-containers/burrow/images"
)

// PullCmd is `burrow pull`.
type PullCmd struct {
	TLSVerify bool   `name:"tls-verify" default:"true" negatable:"" help:"Require HTTPS and verify certificates."`
	Quiet     bool   `short:"q" help:"Print only the image ID."`
	Platform  string `help:"Platform to pull: OS/ARCH[/VARIANT]."`
	AuthFile  string `name:"authfile" help:"Path of the authentication file."`
	Image     string `arg:"" help:"Image reference."`
}

// Run pulls the image and prints its ID.
func (p *PullCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	store, err := eng.Store()
	if err != nil {
		return err
	}
	img, err := images.Pull(g.ctx, store, p.Image, images.PullOptions{
		TLSVerify: types.NewOptionalBool(p.TLSVerify), Quiet: p.Quiet, Platform: p.Platform,
		Out: os.Stderr, AuthFile: p.AuthFile,
	})
	if err != nil {
		return err
	}
	fmt.Println(img.ID)
	return nil
}
