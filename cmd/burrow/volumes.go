package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"text/tabwriter"
	"text/template"

	"golang.org/x/sys/unix"

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
	Exists  VolumeExistsCmd  `cmd:"" help:"Exit 0 if the volume exists, 1 if not."`
	Export  VolumeExportCmd  `cmd:"" help:"Write a volume's files as a tar."`
	Import  VolumeImportCmd  `cmd:"" help:"Unpack a tar into a volume."`
	Mount   VolumeMountCmd   `cmd:"" help:"Mount a volume (not rootless: see burrow unshare)."`
	Unmount VolumeUnmountCmd `cmd:"" aliases:"umount" help:"Unmount a volume (not rootless: see burrow unshare)."`
}

// VolumeCreateCmd is `burrow volume create`.
type VolumeCreateCmd struct {
	Driver         string   `short:"d" default:"local" help:"Volume driver: local (the only one)."`
	Label          []string `short:"l" sep:"none" help:"Set a label K=V (repeatable)."`
	Opt            []string `short:"o" name:"opt" sep:"none" help:"Driver option: type=bind|tmpfs, device=DIR, o=MOUNT-OPTIONS, uid=UID, gid=GID (repeatable)."`
	IgnoreExisting bool     `name:"ignore" help:"Do nothing if the volume exists."`
	Name           string   `arg:"" optional:"" help:"Volume name (default: random)."`
}

// Run creates the volume and prints its name.
func (c *VolumeCreateCmd) Run(g *globals) error {
	labels, err := keyValues(nil, c.Label, "--label")
	if err != nil {
		return err
	}
	opts, err := keyValues(nil, c.Opt, "--opt")
	if err != nil {
		return err
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	v, err := eng.CreateVolume(c.Name, engine.VolumeOptions{Driver: c.Driver, Labels: labels, Options: opts, IgnoreExisting: c.IgnoreExisting})
	if err != nil {
		return err
	}
	fmt.Println(v.Name)
	return nil
}

// VolumeLsCmd is `burrow volume ls`.
type VolumeLsCmd struct {
	Filter    []string `short:"f" sep:"none" help:"Filter: name=, driver=, scope=, label=, label!=, opt=, dangling=, until= (repeatable)."`
	Quiet     bool     `short:"q" help:"Print only the names."`
	Noheading bool     `name:"noheading" help:"Do not print the header line."`
	Format    string   `help:"Go template (.Name .Driver .Mountpoint .Labels .Scope ...) or json."`
}

// Run lists the volumes.
func (c *VolumeLsCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	filters, err := eng.ParseVolumeFilters(c.Filter)
	if err != nil {
		return err
	}
	all, err := eng.Volumes()
	if err != nil {
		return err
	}
	vols := []*engine.Volume{}
	for _, v := range all {
		if v.Matches(filters) {
			vols = append(vols, v)
		}
	}
	switch {
	case c.Format == "json":
		b, _ := json.MarshalIndent(vols, "", "  ")
		fmt.Println(string(b))
	case c.Format != "":
		tmpl, err := template.New("format").Funcs(templateFuncs).Parse(strings.TrimPrefix(c.Format, "table ") + "\n")
		if err != nil {
			return invalidf("invalid --format template: %v", err)
		}
		for _, v := range vols {
			if err := tmpl.Execute(os.Stdout, jsonView(v)); err != nil {
				return invalidf("--format: %v", err)
			}
		}
	case c.Quiet:
		for _, v := range vols {
			fmt.Println(v.Name)
		}
	default:
		w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
		if !c.Noheading {
			fmt.Fprintln(w, "DRIVER\tVOLUME NAME")
		}
		for _, v := range vols {
			fmt.Fprintf(w, "%s\t%s\n", v.Driver, v.Name)
		}
		w.Flush()
	}
	return nil
}

// VolumeInspectCmd is `burrow volume inspect`.
type VolumeInspectCmd struct {
	All    bool     `short:"a" help:"Inspect every volume."`
	Format string   `short:"f" help:"Go template, or json."`
	Names  []string `arg:"" optional:"" name:"volume" help:"Volumes to inspect."`
}

// Run prints the volumes' details.
func (c *VolumeInspectCmd) Run(g *globals) error {
	if c.All == (len(c.Names) > 0) {
		return invalidf("provide one or more volume names or use --all")
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	if c.All {
		vols, err := eng.Volumes()
		if err != nil {
			return err
		}
		for _, v := range vols {
			c.Names = append(c.Names, v.Name)
		}
	}
	return printInspect(c.Names, c.Format, func(n string) (any, error) { return eng.GetVolume(n) })
}

// VolumeRmCmd is `burrow volume rm`.
type VolumeRmCmd struct {
	All   bool     `short:"a" help:"Remove every volume."`
	Force bool     `short:"f" help:"Remove the containers that use the volume first; a missing volume is no error."`
	Time  *int     `short:"t" name:"time" help:"Seconds to wait for those containers' stop signal before SIGKILL (default: their stop timeout)."`
	Names []string `arg:"" optional:"" name:"volume" help:"Volumes to remove."`
}

// Run removes the volumes. Exit codes as podman's: 1 when a volume does
// not exist, 2 when a container uses one.
func (c *VolumeRmCmd) Run(g *globals) error {
	if c.All == (len(c.Names) > 0) {
		return invalidf("choose either one or more volumes or all")
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	if c.All {
		vols, err := eng.Volumes()
		if err != nil {
			return err
		}
		for _, v := range vols {
			c.Names = append(c.Names, v.Name)
		}
	}
	o := engine.RemoveOptions{Force: true}
	if c.Time != nil {
		t := secondsTimeout(*c.Time)
		o.Timeout = &t
	}
	var last error
	for _, n := range c.Names {
		err := eng.RemoveVolume(n, c.Force, func(id string) error {
			ctr, err := eng.Get(id)
			if err != nil {
				return err
			}
			return eng.Remove(g.ctx, ctr, o)
		})
		if err != nil {
			if c.Force && errdefs.Is(err, errdefs.ClassNotFound) {
				continue
			}
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
	Force  bool     `short:"f" help:"Do not ask for confirmation."`
	Filter []string `sep:"none" help:"Prune only the volumes that match: volume ls's filters (repeatable)."`
}

// Run removes unused volumes; without --force it lists them and asks
// first, as podman's.
func (c *VolumePruneCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	filters, err := eng.ParseVolumeFilters(c.Filter)
	if err != nil {
		return err
	}
	if !c.Force {
		vols, err := eng.PruneCandidates(filters)
		if err != nil {
			return err
		}
		fmt.Println("WARNING! This will remove all volumes not used by at least one container. The following volumes will be removed:")
		for _, v := range vols {
			fmt.Println(v.Name)
		}
		fmt.Print("Are you sure you want to continue? [y/N] ")
		var answer string
		fmt.Fscanln(os.Stdin, &answer)
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			return nil
		}
	}
	names, err := eng.PruneVolumes(filters)
	for _, n := range names {
		fmt.Println(n)
	}
	return err
}

// VolumeExistsCmd is `burrow volume exists`.
type VolumeExistsCmd struct {
	Name string `arg:"" help:"Volume name."`
}

// Run exits 0 when the volume exists, 1 when not, as podman's.
func (c *VolumeExistsCmd) Run(g *globals) error {
	return exists(func(eng *engine.Engine) error {
		_, err := eng.GetVolume(c.Name)
		return err
	})
}

// VolumeExportCmd is `burrow volume export`.
type VolumeExportCmd struct {
	Output string `short:"o" help:"Write to this file (default: stdout, which must not be a terminal)."`
	Name   string `arg:"" help:"Volume to export."`
}

// Run writes the volume's files as a tar.
func (c *VolumeExportCmd) Run(g *globals) error {
	out := os.Stdout
	if c.Output == "" {
		if _, err := unix.IoctlGetTermios(int(os.Stdout.Fd()), unix.TCGETS); err == nil {
			return invalidf("cannot write to terminal, use command-line redirection or the --output flag")
		}
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	if c.Output != "" {
		f, err := os.Create(c.Output)
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	return eng.ExportVolume(c.Name, out)
}

// VolumeImportCmd is `burrow volume import`.
type VolumeImportCmd struct {
	Name   string `arg:"" help:"Volume to unpack into."`
	Source string `arg:"" help:"A tar file, or - for stdin."`
}

// Run unpacks the tar into the volume.
func (c *VolumeImportCmd) Run(g *globals) error {
	in := os.Stdin
	if c.Source != "-" {
		f, err := os.Open(c.Source)
		if err != nil {
			return invalidf("opening %s: %v", c.Source, err)
		}
		defer f.Close()
		in = f
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	return eng.ImportVolume(c.Name, in)
}

// VolumeMountCmd is `burrow volume mount`: as podman's rootless one,
// refused, since a mount made in burrow's user namespace is seen by no
// process outside it.
type VolumeMountCmd struct {
	Names []string `arg:"" name:"volume" help:"Volumes."`
}

// Run refuses, naming burrow unshare, as podman does.
func (c *VolumeMountCmd) Run(g *globals) error { return rootlessMountError("mount") }

// VolumeUnmountCmd is `burrow volume unmount`, refused as mount is.
type VolumeUnmountCmd struct {
	Names []string `arg:"" name:"volume" help:"Volumes."`
}

// Run refuses, naming burrow unshare, as podman does.
func (c *VolumeUnmountCmd) Run(g *globals) error { return rootlessMountError("unmount") }

func rootlessMountError(cmd string) error {
	return invalidf("cannot run command %q in rootless mode, must execute `%s unshare` first", progName()+" volume "+cmd, progName())
}

// UnshareCmd is `burrow unshare`: a command in burrow's user namespace,
// as root there, to look at or clean files of subordinate IDs.
type UnshareCmd struct {
	RootlessNetns bool     `name:"rootless-netns" aliases:"rootless-cni" help:"Join the rootless network namespace of the containers on networks too (it exists while one runs)."`
	Command       []string `arg:"" optional:"" passthrough:"" help:"Command to run (default: $SHELL)."`
}

// joinRootlessNetNS moves the calling thread into the rootless network
// namespace.
func joinRootlessNetNS() error {
	eng, err := engine.New(engineOptions)
	if err != nil {
		return err
	}
	defer eng.Close()
	p, err := eng.RootlessNetNS()
	if err != nil {
		return err
	}
	fd, err := unix.Open(p, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("opening the rootless network namespace: %w", err)
	}
	defer unix.Close(fd)
	if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("joining the rootless network namespace: %w", err)
	}
	return nil
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
	if c.RootlessNetns {
		// The namespace is the thread's: join it on the one that execs.
		runtime.LockOSThread()
		if err := joinRootlessNetNS(); err != nil {
			return err
		}
	}
	err := syscall.Exec(path, args, os.Environ())
	return withExit(fmt.Errorf("running %s: %w", path, err), 126)
}
