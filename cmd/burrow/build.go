package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/burrow-containers/burrow/build"
)

// BuildCmd is `burrow build` (podman build).
type BuildCmd struct {
	registryFlags
	Tag      []string `short:"t" name:"tag" sep:"none" help:"Name the image (repeatable)."`
	File     string   `short:"f" name:"file" help:"The Containerfile, - for stdin (default: CONTEXT/Containerfile, else CONTEXT/Dockerfile)."`
	BuildArg []string `name:"build-arg" sep:"none" help:"An ARG value, K=V, or K to take it from the environment (repeatable)."`
	Target   string   `help:"Build up to this stage."`
	NoCache  bool     `name:"no-cache" help:"Run every step, taking nothing from the cache."`
	Pull     string   `default:"missing" enum:"missing,always,never,true,false" help:"Pull base images: missing, always or never (write --pull=always)."`
	Label    []string `sep:"none" help:"Add a label K=V to the image (repeatable)."`
	Layers   bool     `default:"true" negatable:"" help:"Keep each step's image for the cache (--no-layers keeps only the final one)."`
	Squash   bool     `help:"Squash the new layers into one."`
	Format   string   `default:"oci" enum:"oci,docker" help:"Image format: oci or docker."`
	Quiet    bool     `short:"q" help:"Print only the image ID."`
	Network  string   `help:"Network for RUN: slirp4netns (default), none or host."`
	buildRunFlags
	ContextDir string `arg:"" optional:"" name:"context" default:"." help:"The build context directory; - reads a tar archive of it, or a Containerfile alone, from stdin."`
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
	contextDir, file := c.ContextDir, c.File
	if contextDir == "-" || file == "-" {
		in, err := build.ReadStdin(os.Stdin, contextDir, file)
		if err != nil {
			return err
		}
		defer in.Remove()
		contextDir, file = in.ContextDir, in.File
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	// Killed (SIGTERM, ^C), the build stops its step and removes its
	// working containers before it exits.
	ctx, stop := signal.NotifyContext(g.ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	o := build.Options{
		ContextDir: contextDir, File: file, Tags: c.Tag, BuildArgs: args, Target: c.Target,
		NoCache: c.NoCache, Pull: pull, Labels: c.Label, Layers: c.Layers, Squash: c.Squash,
		Format: c.Format, Network: network, Out: out, Registry: c.options(c.Quiet),
	}
	var done func()
	if o.Out, done, err = c.buildRunFlags.apply(&o); err != nil {
		return err
	}
	defer done()
	res, err := build.Build(ctx, eng, o)
	if err == nil {
		err = c.writeIIDFile(res.ID)
	}
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
