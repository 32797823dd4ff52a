package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"text/tabwriter"
	"text/template"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// VolumeCmd groups `burrow volume ...`.
type VolumeCmd struct {
	Create  VolumeCreateCmd  `cmd:"" help:"Create a volume."`
	Ls      VolumeLsCmd      `cmd:"" aliases:"list" help:"List volumes."`
	Inspect VolumeInspectCmd `cmd:"" help:"Show volumes' details."`
	Rm      VolumeRmCmd      `cmd:"" aliases:"remove" help:"Remove volumes."`
	Prune   VolumePruneCmd   `cmd:"" help:"Remove the volumes no container uses."`
}

// VolumeCreateCmd is `burrow volume create`.
type VolumeCreateCmd struct {
	Label          []string `short:"l" sep:"none" help:"Set a label K=V."`
	IgnoreExisting bool     `name:"ignore" help:"Do nothing if the volume exists."`
	Name           string   `arg:"" optional:"" help:"Volume name (default: random)."`
}

// Run creates the volume and prints its name.
func (c *VolumeCreateCmd) Run(g *globals) error {
	labels := map[string]string{}
	for _, l := range c.Label {
		k, v, _ := strings.Cut(l, "=")
		labels[k] = v
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	v, err := eng.CreateVolume(c.Name, labels, c.IgnoreExisting)
	if err != nil {
		return err
	}
	fmt.Println(v.Name)
	return nil
}

// VolumeLsCmd is `burrow volume ls`.
type VolumeLsCmd struct {
	Quiet  bool   `short:"q" help:"Print only the names."`
	Format string `help:"Go template (.Name .Driver .Mountpoint) or json."`
}

// Run lists the volumes.
func (c *VolumeLsCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	vols, err := eng.Volumes()
	if err != nil {
		return err
	}
	switch {
	case c.Format == "json":
		b, _ := json.MarshalIndent(vols, "", "  ")
		if vols == nil {
			b = []byte("[]")
		}
		fmt.Println(string(b))
	case c.Format != "":
		tmpl, err := template.New("format").Funcs(templateFuncs).Parse(strings.TrimPrefix(c.Format, "table ") + "\n")
		if err != nil {
			return invalidf("invalid --format template: %v", err)
		}
		for _, v := range vols {
			if err := tmpl.Execute(os.Stdout, v); err != nil {
				return invalidf("--format: %v", err)
			}
		}
	case c.Quiet:
		for _, v := range vols {
			fmt.Println(v.Name)
		}
	default:
		w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(w, "DRIVER\tVOLUME NAME")
		for _, v := range vols {
			fmt.Fprintf(w, "%s\t%s\n", v.Driver, v.Name)
		}
		w.Flush()
	}
	return nil
}

// VolumeInspectCmd is `burrow volume inspect`.
type VolumeInspectCmd struct {
	Format string   `short:"f" help:"Go template, or json."`
	All    bool     `short:"a" help:"Inspect every volume."`
	Names  []string `arg:"" optional:"" name:"volume" help:"Volumes to inspect."`
}

// Run prints the volumes' details.
func (c *VolumeInspectCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	names := c.Names
	switch {
	case c.All && len(names) > 0:
		return invalidf("--all and volume names cannot be combined")
	case c.All:
		vols, err := eng.Volumes()
		if err != nil {
			return err
		}
		for _, v := range vols {
			names = append(names, v.Name)
		}
	case len(names) == 0:
		return invalidf("give at least one volume name, or --all")
	}
	var out []any
	var last error
	for _, n := range names {
		v, err := eng.GetVolume(n)
		if err != nil {
			if last != nil {
				fmt.Fprintf(os.Stderr, "Error: %v\n", last)
			}
			last = err
			continue
		}
		out = append(out, v)
	}
	if c.Format != "" && c.Format != "json" {
		tmpl, err := template.New("format").Funcs(templateFuncs).Parse(c.Format + "\n")
		if err != nil {
			return invalidf("invalid --format template: %v", err)
		}
		for _, v := range out {
			tmpl.Execute(os.Stdout, jsonView(v))
		}
		return last
	}
	if out == nil {
		out = []any{}
	}
	b, _ := json.MarshalIndent(out, "", "    ")
	fmt.Println(string(b))
	return last
}

// VolumeRmCmd is `burrow volume rm`.
type VolumeRmCmd struct {
	Force bool     `short:"f" help:"Remove the containers that use the volume first."`
	Names []string `arg:"" name:"volume" help:"Volumes to remove."`
}

// Run removes the volumes.
func (c *VolumeRmCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	var last error
	for _, n := range c.Names {
		err := eng.RemoveVolume(n, c.Force, func(name string) error {
			ctr, err := eng.Get(name)
			if err != nil {
				return err
			}
			return eng.Remove(g.ctx, ctr, engine.RemoveOptions{Force: true})
		})
		if err != nil {
			if last != nil {
				fmt.Fprintf(os.Stderr, "Error: %v\n", last)
			}
			last = err
			continue
		}
		fmt.Println(n)
	}
	if errdefs.Is(last, errdefs.ClassNotFound) {
		return withExit(last, 1)
	}
	if errdefs.Is(last, errdefs.ClassConflict) {
		return withExit(last, 2)
	}
	return last
}

// VolumePruneCmd is `burrow volume prune`.
type VolumePruneCmd struct {
	Force bool `short:"f" help:"Do not ask for confirmation."`
}

// Run removes unused volumes.
func (c *VolumePruneCmd) Run(g *globals) error {
	if !c.Force && !confirm("WARNING! This will remove all volumes not used by at least one container.") {
		return nil
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	names, err := eng.PruneVolumes()
	for _, n := range names {
		fmt.Println(n)
	}
	return err
}

// UnshareCmd is `burrow unshare`: a command in burrow's user namespace,
// as root there, to look at or clean files of subordinate IDs.
type UnshareCmd struct {
	Command []string `arg:"" optional:"" passthrough:"" help:"Command to run (default: $SHELL)."`
}

// Run replaces burrow with the command inside the namespace.
func (c *UnshareCmd) Run(g *globals) error {
	if err := enterUserNamespace(); err != nil {
		return err
	}
	args := c.Command
	if len(args) == 0 {
		sh := os.Getenv("SHELL")
		if sh == "" {
			sh = "/bin/sh"
		}
		args = []string{sh}
	}
	path := args[0]
	if !strings.Contains(path, "/") {
		p, err := exec.LookPath(path)
		if err != nil {
			return withExit(fmt.Errorf("%s: command not found", path), 127)
		}
		path = p
	}
	os.Setenv("CONTAINERS_UNSHARE", "1") // as podman unshare does
	err := syscall.Exec(path, args, os.Environ())
	return withExit(fmt.Errorf("running %s: %w", path, err), 126)
}
