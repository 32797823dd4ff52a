package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/burrow-containers/burrow/build"
)

// BuildCmd is `burrow build` (podman build).
type BuildCmd struct {
	registryFlags
	Tag        []string `short:"t" name:"tag" sep:"none" help:"Name the image (repeatable)."`
	File       string   `short:"f" name:"file" help:"The Containerfile (default: CONTEXT/Containerfile, else CONTEXT/Dockerfile)."`
	BuildArg   []string `name:"build-arg" sep:"none" help:"An ARG value, K=V, or K to take it from the environment (repeatable)."`
	Target     string   `help:"Build up to this stage."`
	NoCache    bool     `name:"no-cache" help:"Run every step, taking nothing from the cache."`
	Pull       string   `default:"missing" enum:"missing,always,never,true,false" help:"Pull base images: missing, always or never (write --pull=always)."`
	Label      []string `sep:"none" help:"Add a label K=V to the image (repeatable)."`
	Layers     bool     `default:"true" negatable:"" help:"Keep each step's image for the cache (--no-layers keeps only the final one)."`
	Squash     bool     `help:"Squash the new layers into one."`
	Format     string   `default:"oci" enum:"oci,docker" help:"Image format: oci or docker."`
	Quiet      bool     `short:"q" help:"Print only the image ID."`
	Network    string   `help:"Network for RUN: slirp4netns (default), none or host."`
	ContextDir string   `arg:"" optional:"" name:"context" default:"." help:"The build context directory, or - to read the Containerfile from stdin (the context is then empty)."`
}

// Run builds the image and prints its ID.
func (c *BuildCmd) Run(g *globals) error {
	args := map[string]string{}
	for _, a := range c.BuildArg {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			if v, ok = os.LookupEnv(k); !ok {
				continue
			}
		}
		args[k] = v
	}
	for _, l := range c.Label {
		if !strings.Contains(l, "=") {
			return invalidf("invalid --label %q: use KEY=VALUE", l)
		}
	}
	pull := map[string]string{"true": "always", "false": "missing"}[c.Pull]
	if pull == "" {
		pull = c.Pull
	}
	network := c.Network
	if network == "slirp4netns" {
		network = ""
	}
	var out io.Writer = os.Stdout
	if c.Quiet {
		out = io.Discard
	}
	if c.ContextDir == "-" {
		dir, err := stdinContext()
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		c.ContextDir, c.File = filepath.Join(dir, "context"), filepath.Join(dir, "Containerfile")
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	res, err := build.Build(g.ctx, eng, build.Options{
		ContextDir: c.ContextDir, File: c.File, Tags: c.Tag, BuildArgs: args, Target: c.Target,
		NoCache: c.NoCache, Pull: pull, Labels: c.Label, Layers: c.Layers, Squash: c.Squash,
		Format: c.Format, Network: network, Out: out, Registry: c.options(c.Quiet),
	})
	var se *build.StepError
	if errors.As(err, &se) {
		return withExit(err, se.Code)
	}
	if err != nil {
		return err
	}
	fmt.Println(res.ID)
	return nil
}

// stdinContext makes the context of `build -`, as podman's: the
// Containerfile read from stdin beside an empty context directory (so COPY
// . finds nothing). The caller removes the directory it returns.
func stdinContext() (string, error) {
	dir, err := os.MkdirTemp("", "burrow-build-stdin-")
	if err != nil {
		return "", fmt.Errorf("making the build context: %w", err)
	}
	if err := os.Mkdir(filepath.Join(dir, "context"), 0o755); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("making the build context: %w", err)
	}
	f, err := os.Create(filepath.Join(dir, "Containerfile"))
	if err == nil {
		_, err = io.Copy(f, os.Stdin)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("reading the Containerfile from stdin: %w", err)
	}
	return dir, nil
}
