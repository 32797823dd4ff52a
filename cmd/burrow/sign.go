package main

import (
	"github.com/burrow-containers/burrow/engine"
)

// SignCmd is `burrow image sign`, podman's.
type SignCmd struct {
	SignBy    string   `name:"sign-by" help:"The GPG key to sign with (fingerprint, key ID or e-mail address)."`
	Directory string   `short:"d" help:"Store the signatures here instead of registries.d's lookaside."`
	CertDir   string   `name:"cert-dir" help:"Directory of TLS certificates and keys for the registry."`
	Authfile  string   `help:"Path of the authentication file (default: REGISTRY_AUTH_FILE or auth.json)."`
	All       bool     `short:"a" help:"Sign each image of a multi-architecture image."`
	Images    []string `arg:"" name:"image" help:"Images to sign, TRANSPORT:NAME (docker://REGISTRY/NAME:TAG)."`
}

// Run signs the images.
func (c *SignCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	return eng.SignImages(g.ctx, c.Images, engine.SignOptions{SignBy: c.SignBy, Directory: c.Directory, CertDir: c.CertDir, AuthFile: c.Authfile, All: c.All})
}
