package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// eachContainer runs fn on every named container, printing an error line
// for each failure as podman does; the returned error is the last one.
func eachContainer(eng *engine.Engine, names []string, fn func(c *engine.Container, given string) error) error {
	var last error
	for i, n := range names {
		c, err := eng.Get(n)
		if err == nil {
			err = fn(c, n)
		}
		if err != nil {
			if i < len(names)-1 || last != nil {
				fmt.Fprintf(os.Stderr, "Error: %v\n", err)
			}
			last = err
		}
	}
	return last
}

// CreateCmd is `burrow create`.
type CreateCmd struct {
	RunCmd
}

// Run creates the container and prints its ID.
func (c *CreateCmd) Run(g *globals) error {
	cfg, err := c.config()
	if err != nil {
		return err
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	ctr, err := eng.Create(g.ctx, cfg, c.puller(eng))
	if err != nil {
		return err
	}
	if err := eng.Release(ctr); err != nil {
		return err
	}
	printWarnings(ctr.Warnings)
	fmt.Println(ctr.ID)
	return nil
}

// StartCmd is `burrow start`.
type StartCmd struct {
	Attach      bool     `short:"a" help:"Attach to the container's output and wait for it."`
	Interactive bool     `short:"i" help:"Attach the container's stdin."`
	Containers  []string `arg:"" name:"container" help:"Containers to start."`
}

// Run starts the containers.
func (s *StartCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	if s.Attach {
		if len(s.Containers) != 1 {
			return invalidf("start -a takes one container")
		}
		ctr, err := eng.Get(s.Containers[0])
		if err != nil {
			return err
		}
		p, err := eng.StartAttached(g.ctx, ctr, userStreams(s.Interactive))
		if err != nil {
			return err
		}
		code, err := foreground(p, ctr.Config.TTY)
		if err != nil {
			return err
		}
		return exitCode(code)
	}
	return eachContainer(eng, s.Containers, func(c *engine.Container, given string) error {
		if _, err := eng.Start(c, engine.StartOptions{}); err != nil {
			return err
		}
		fmt.Println(given)
		return nil
	})
}

// StopCmd is `burrow stop`.
type StopCmd struct {
	All        bool     `short:"a" help:"Stop all running containers."`
	Time       int      `short:"t" default:"10" help:"Seconds to wait for the stop signal to work before SIGKILL."`
	Containers []string `arg:"" optional:"" name:"container" help:"Containers to stop."`
}

// Run stops the containers.
func (s *StopCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	names, err := selectNames(eng, s.All, s.Containers, true)
	if err != nil {
		return err
	}
	return eachContainer(eng, names, func(c *engine.Container, given string) error {
		w, err := eng.Stop(g.ctx, c, time.Duration(s.Time)*time.Second)
		if w != "" {
			warn("%s", w)
		}
		if err != nil {
			return err
		}
		fmt.Println(given)
		return nil
	})
}

// selectNames returns the given names, or with all every container's
// (only running ones when runningOnly).
func selectNames(eng *engine.Engine, all bool, given []string, runningOnly bool) ([]string, error) {
	if !all {
		if len(given) == 0 {
			return nil, invalidf("give at least one container name or ID, or --all")
		}
		return given, nil
	}
	if len(given) > 0 {
		return nil, invalidf("--all and container names cannot be combined")
	}
	ctrs, err := eng.List()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, c := range ctrs {
		if !runningOnly || c.Running() {
			out = append(out, c.ID)
		}
	}
	return out, nil
}

// KillCmd is `burrow kill`.
type KillCmd struct {
	All        bool     `short:"a" help:"Signal all running containers."`
	Signal     string   `short:"s" default:"KILL" help:"Signal to send (name or number)."`
	Containers []string `arg:"" optional:"" name:"container" help:"Containers to signal."`
}

// Run signals the containers.
func (k *KillCmd) Run(g *globals) error {
	sig, err := engine.ParseSignal(k.Signal)
	if err != nil {
		return err
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	names, err := selectNames(eng, k.All, k.Containers, true)
	if err != nil {
		return err
	}
	return eachContainer(eng, names, func(c *engine.Container, given string) error {
		if err := eng.Kill(c, sig); err != nil {
			return err
		}
		fmt.Println(given)
		return nil
	})
}

// RmCmd is `burrow rm`.
type RmCmd struct {
	All        bool     `short:"a" help:"Remove all containers."`
	Force      bool     `short:"f" help:"Stop running containers first (SIGKILL)."`
	Volumes    bool     `short:"v" help:"Remove the container's anonymous volumes too."`
	Containers []string `arg:"" optional:"" name:"container" help:"Containers to remove."`
}

// Run removes the containers. Exit codes as podman's: 1 when a container
// does not exist, 2 when one runs (without -f).
func (r *RmCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	names, err := selectNames(eng, r.All, r.Containers, false)
	if err != nil {
		return err
	}
	err = eachContainer(eng, names, func(c *engine.Container, given string) error {
		remove := eng.Remove
		if r.Volumes {
			remove = eng.RemoveVolumes
		}
		if err := remove(g.ctx, c, r.Force); err != nil {
			return err
		}
		fmt.Println(given)
		return nil
	})
	switch {
	case err == nil:
		return nil
	case errdefs.Is(err, errdefs.ClassNotFound):
		if r.Force {
			return nil // podman: rm -f of a missing container is fine
		}
		return withExit(err, 1)
	case errdefs.Is(err, errdefs.ClassConflict):
		return withExit(err, 2)
	}
	return err
}

// WaitCmd is `burrow wait`.
type WaitCmd struct {
	Containers []string `arg:"" name:"container" help:"Containers to wait for."`
}

// Run prints each container's exit code once it has exited.
func (w *WaitCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	return eachContainer(eng, w.Containers, func(c *engine.Container, given string) error {
		code, err := eng.Wait(g.ctx, c)
		if err != nil {
			return err
		}
		fmt.Println(code)
		return nil
	})
}

// RestartCmd is `burrow restart`.
type RestartCmd struct {
	Time       int      `short:"t" default:"10" help:"Seconds to wait for the stop signal before SIGKILL."`
	Containers []string `arg:"" name:"container" help:"Containers to restart."`
}

// Run stops and starts the containers.
func (r *RestartCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	return eachContainer(eng, r.Containers, func(c *engine.Container, given string) error {
		w, err := eng.Stop(g.ctx, c, time.Duration(r.Time)*time.Second)
		if w != "" {
			warn("%s", w)
		}
		if err != nil {
			return err
		}
		if _, err := eng.Start(c, engine.StartOptions{}); err != nil {
			return err
		}
		fmt.Println(c.ID)
		return nil
	})
}

// LogsCmd is `burrow logs`.
type LogsCmd struct {
	Follow     bool   `short:"f" help:"Follow the output until the container exits."`
	Tail       int    `short:"n" default:"-1" help:"Only the last N lines (-1: all)."`
	Since      string `help:"Only lines since this time (RFC 3339, Unix seconds, or a duration such as 10m)."`
	Until      string `help:"Only lines before this time (same forms as --since)."`
	Timestamps bool   `short:"t" help:"Show the time of each line."`
	Container  string `arg:"" help:"Container whose log to show."`
}

// Run prints the log.
func (l *LogsCmd) Run(g *globals) error {
	o := engine.LogOptions{Follow: l.Follow, Tail: l.Tail, Timestamps: l.Timestamps}
	var err error
	if o.Since, err = parseTime(l.Since); err != nil {
		return err
	}
	if o.Until, err = parseTime(l.Until); err != nil {
		return err
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	c, err := eng.Get(l.Container)
	if err != nil {
		return err
	}
	return eng.Logs(g.ctx, c, o, os.Stdout, os.Stderr)
}

// parseTime accepts RFC 3339, Unix seconds or a duration back from now.
func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return time.Now().Add(-d), nil
	}
	var secs float64
	if _, err := fmt.Sscanf(s, "%f", &secs); err == nil {
		return time.Unix(0, int64(secs*1e9)), nil
	}
	return time.Time{}, invalidf("invalid time %q: use RFC 3339 (2006-01-02T15:04:05Z), Unix seconds or a duration (10m)", s)
}

// InspectCmd is `burrow inspect`: containers, then images, as podman's.
type InspectCmd struct {
	Format  string   `short:"f" help:"Go template applied to each object, or json."`
	Type    string   `short:"t" default:"all" enum:"all,container,image" help:"What to look for: all, container or image."`
	Objects []string `arg:"" name:"name" help:"Containers or images to inspect."`
}

// Run prints the objects' details as a JSON array.
func (i *InspectCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	if i.Type == "image" {
		return inspectImages(g, eng, i.Objects, i.Format)
	}
	return printInspect(i.Objects, i.Format, func(name string) (any, error) {
		c, err := eng.Get(name)
		if err == nil {
			return c.Inspect(), nil
		}
		if errdefs.Is(err, errdefs.ClassNotFound) && i.Type == "all" {
			d, err := inspectImage(g, eng, name)
			if errdefs.Is(err, errdefs.ClassNotFound) {
				err = errdefs.NotFound(fmt.Errorf("no container or image %q: check `burrow ps -a` and `burrow images`", name))
			}
			return d, err
		}
		return nil, err
	})
}

// ContainerCmd groups `burrow container ...`.
type ContainerCmd struct {
	Cleanup ContainerCleanupCmd `cmd:"" hidden:"" help:"Record a container's exit (run by its monitor)."`
	Inspect InspectCmd          `cmd:"" help:"Show a container's details."`
	Ls      PsCmd               `cmd:"" aliases:"list,ps" help:"List containers."`
	Prune   ContainerPruneCmd   `cmd:"" help:"Remove all containers that are not running."`
	Rm      RmCmd               `cmd:"" help:"Remove containers."`
}

// ContainerCleanupCmd is what a monitor execs once the container's init has
// exited: it records the exit and unmounts (and removes with --rm).
type ContainerCleanupCmd struct {
	ID string `arg:""`
}

// Run cleans up.
func (c *ContainerCleanupCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	return eng.Cleanup(c.ID)
}

// ExecCmd is `burrow exec`.
type ExecCmd struct {
	Interactive bool     `short:"i" help:"Keep stdin attached."`
	TTY         bool     `short:"t" name:"tty" help:"Allocate a pseudo-terminal."`
	Detach      bool     `short:"d" help:"Run in the background."`
	Env         []string `short:"e" sep:"none" help:"Set an environment variable (K=V, or K to take it from the host)."`
	User        string   `short:"u" help:"User to run as: UID[:GID] or name[:group]."`
	Workdir     string   `short:"w" help:"Working directory inside the container."`
	Privileged  bool     `help:"Give the process every capability (within the user namespace)."`
	Args        []string `arg:"" passthrough:"partial" help:"CONTAINER COMMAND [ARG...]"`
}

// Run runs the command and exits with its code.
func (x *ExecCmd) Run(g *globals) error {
	if len(x.Args) < 2 {
		return invalidf("burrow exec needs a container and a command: burrow exec CONTAINER COMMAND [ARG...]")
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	ctr, err := eng.Get(x.Args[0])
	if err != nil {
		return err
	}
	p, err := eng.Exec(g.ctx, ctr, engine.ExecConfig{
		Command: x.Args[1:], Env: x.Env, User: x.User, Workdir: x.Workdir,
		TTY: x.TTY, Interactive: x.Interactive, Detach: x.Detach, Privileged: x.Privileged,
		Warn: func(s string) { warn("%s", s) },
	}, userStreams(true))
	if err != nil || x.Detach {
		return err
	}
	code, err := foreground(p, x.TTY)
	if err != nil {
		return err
	}
	return exitCode(code)
}

// RenameCmd is `burrow rename`.
type RenameCmd struct {
	Container string `arg:"" help:"Container to rename."`
	Name      string `arg:"" help:"Its new name."`
}

// Run renames the container.
func (r *RenameCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	c, err := eng.Get(r.Container)
	if err != nil {
		return err
	}
	return eng.Rename(c, r.Name)
}

// TopCmd is `burrow top`.
type TopCmd struct {
	Container string `arg:"" help:"Container whose processes to list."`
}

// Run lists the processes.
func (t *TopCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	c, err := eng.Get(t.Container)
	if err != nil {
		return err
	}
	procs, err := eng.Top(c)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "USER\tPID\tPPID\t%CPU\tELAPSED\tTTY\tTIME\tCOMMAND")
	for _, p := range procs {
		fmt.Fprintf(w, "%s\t%d\t%d\t%.3f\t%v\t%s\t%v\t%s\n", p.User, p.PID, p.PPID, p.CPU, p.Elapsed, p.TTY, p.Time, p.Command)
	}
	return w.Flush()
}

// PauseCmd is `burrow pause`.
type PauseCmd struct {
	Containers []string `arg:"" name:"container" help:"Containers to pause."`
}

// Run pauses the containers.
func (p *PauseCmd) Run(g *globals) error { return printEach(p.Containers, (*engine.Engine).Pause) }

// UnpauseCmd is `burrow unpause`.
type UnpauseCmd struct {
	Containers []string `arg:"" name:"container" help:"Containers to unpause."`
}

// Run unpauses the containers.
func (p *UnpauseCmd) Run(g *globals) error { return printEach(p.Containers, (*engine.Engine).Unpause) }

// printEach applies op to each container named and prints the names of
// those it succeeded on, as podman's pause and unpause do.
func printEach(names []string, op func(*engine.Engine, *engine.Container) error) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	return eachContainer(eng, names, func(c *engine.Container, given string) error {
		if err := op(eng, c); err != nil {
			return err
		}
		fmt.Println(given)
		return nil
	})
}

// ContainerPruneCmd is `burrow container prune`.
type ContainerPruneCmd struct {
	Force bool `short:"f" help:"Do not ask for confirmation."`
}

// Run removes every container that is not running.
func (p *ContainerPruneCmd) Run(g *globals) error {
	if !p.Force && !confirm("WARNING! This will remove all non running containers.") {
		return nil
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	ids, err := eng.Prune(g.ctx)
	for _, id := range ids {
		fmt.Println(id)
	}
	return err
}

// CpCmd is `burrow cp`.
type CpCmd struct {
	Src string `arg:"" help:"CONTAINER:PATH or a host path."`
	Dst string `arg:"" help:"CONTAINER:PATH or a host path."`
}

// splitCopyArg tells CONTAINER:PATH from a host path (which may hold a
// colon only after a slash, as in docker cp).
func splitCopyArg(s string) (ctr, path string) {
	if i := strings.IndexByte(s, ':'); i > 0 && !strings.Contains(s[:i], "/") && !strings.HasPrefix(s, ".") {
		return s[:i], s[i+1:]
	}
	return "", s
}

// Run copies between the container and the host.
func (c *CpCmd) Run(g *globals) error {
	sc, sp := splitCopyArg(c.Src)
	dc, dp := splitCopyArg(c.Dst)
	if (sc == "") == (dc == "") {
		return invalidf("burrow cp copies between a container and the host: one of the two must be CONTAINER:PATH")
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	if sc != "" {
		ctr, err := eng.Get(sc)
		if err != nil {
			return err
		}
		return eng.CopyFrom(ctr, sp, dp)
	}
	ctr, err := eng.Get(dc)
	if err != nil {
		return err
	}
	return eng.CopyTo(ctr, sp, dp)
}

// PortCmd is `burrow port`.
type PortCmd struct {
	Container string `arg:"" help:"Container whose published ports to list."`
	Port      string `arg:"" optional:"" help:"Only this container port (PORT[/PROTO])."`
}

// Run lists the container's published ports, as podman: one line per
// port, "CTRPORT/PROTO -> HOSTIP:HOSTPORT".
func (p *PortCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	c, err := eng.Get(p.Container)
	if err != nil {
		return err
	}
	for _, pm := range c.Ports() {
		if p.Port != "" && p.Port != pm.ContainerPortProto() && p.Port != strings.SplitN(pm.ContainerPortProto(), "/", 2)[0] {
			continue
		}
		if p.Port != "" {
			fmt.Println(pm.HostAddr())
		} else {
			fmt.Printf("%s -> %s\n", pm.ContainerPortProto(), pm.HostAddr())
		}
	}
	return nil
}
