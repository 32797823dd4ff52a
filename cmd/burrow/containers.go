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
	undoPod, err := newPodFor(g.ctx, eng, &cfg, c.puller(eng))
	if err != nil {
		return err
	}
	ctr, err := eng.Create(g.ctx, cfg, c.puller(eng))
	if err != nil {
		undoPod()
		return err
	}
	if err := eng.Release(ctr); err != nil {
		return err
	}
	printWarnings(ctr.Warnings)
	if cfg.LogDriver != engine.LogPassthrough { // stdout may be the container's: podman prints nothing then
		fmt.Println(ctr.ID)
	}
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
		p, err := eng.StartAttached(g.ctx, ctr, userStreams(s.Interactive && ctr.Config.LogDriver != engine.LogPassthrough))
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
	Force      bool     `short:"f" help:"Stop running containers first."`
	Ignore     bool     `short:"i" help:"Ignore the error when a container does not exist."`
	Time       *int     `short:"t" name:"time" help:"Seconds to wait for the stop signal before SIGKILL with --force (default: the container's stop timeout, 10)."`
	Volumes    bool     `short:"v" help:"Remove the container's anonymous volumes too."`
	Depend     bool     `name:"depend" help:"Remove the containers that depend on these first (for a pod's infra: the whole pod)."`
	Containers []string `arg:"" optional:"" name:"container" help:"Containers to remove."`
}

// Run removes the containers. Exit codes as podman's: 1 when a container
// does not exist, 2 when one runs (without -f).
func (r *RmCmd) Run(g *globals) error {
	if r.Time != nil && !r.Force {
		return invalidf("--time needs --force: rm -f -t SECONDS CONTAINER")
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	names, err := selectNames(eng, r.All, r.Containers, false)
	if err != nil {
		return err
	}
	if names, err = r.removeExternals(eng, names); err != nil {
		return err
	}
	if r.Ignore {
		names = existing(eng, names)
	}
	o := engine.RemoveOptions{Force: r.Force, Volumes: r.Volumes}
	if r.Time != nil {
		t := time.Duration(*r.Time) * time.Second
		if *r.Time < 0 {
			t = 24 * time.Hour // -1: wait for ever, as podman; a day is as good
		}
		o.Timeout = &t
	}
	if r.All || r.Depend {
		if names, err = removeDependents(g, eng, names, o); err != nil {
			return err
		}
	}
	err = eachContainer(eng, names, func(c *engine.Container, given string) error {
		if err := eng.Remove(g.ctx, c, o); err != nil {
			return err
		}
		fmt.Println(given)
		return nil
	})
	switch {
	case err == nil:
		return nil
	case errdefs.Is(err, errdefs.ClassNotFound):
		if r.Force || r.Ignore {
			return nil // podman: rm -f or --ignore of a missing container is fine
		}
		return withExit(err, 1)
	case errdefs.Is(err, errdefs.ClassConflict):
		return withExit(err, 2)
	}
	return err
}

// removeDependents removes what depends on the named containers (rm
// --depend, --all): a pod's infra takes its whole pod, and a container
// those that share its network namespace. It prints the IDs of the
// containers it removed and returns the names left to remove.
func removeDependents(g *globals, eng *engine.Engine, names []string, o engine.RemoveOptions) ([]string, error) {
	removed := map[string]bool{}
	var rest []string
	for _, n := range names {
		c, err := eng.Get(n)
		switch {
		case err != nil:
			rest = append(rest, n) // reported by the removal
		case removed[c.ID]:
		case c.Config.PodInfra != "":
			p, err := eng.GetPod(c.Config.Pod)
			if err != nil {
				return nil, err
			}
			ids, err := eng.RemovePod(g.ctx, p, engine.PodRemoveOptions{Force: o.Force, Timeout: o.Timeout})
			for _, id := range ids {
				removed[id] = true
				fmt.Println(id)
			}
			if err != nil {
				return nil, err
			}
		default:
			rest = append(rest, n)
		}
	}
	names, rest = rest, nil
	ctrs, err := eng.List()
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		c, err := eng.Get(n)
		if err == nil && removed[c.ID] {
			continue
		}
		for _, d := range ctrs {
			if err == nil && d.Config.Network == "container:"+c.ID && !removed[d.ID] {
				if err := eng.Remove(g.ctx, d, o); err != nil {
					return nil, err
				}
				removed[d.ID] = true
				fmt.Println(d.ID)
			}
		}
		rest = append(rest, n)
	}
	return rest, nil
}

// existing are those of names that name a container (--ignore).
func existing(eng *engine.Engine, names []string) []string {
	var out []string
	for _, n := range names {
		if _, err := eng.Get(n); !errdefs.Is(err, errdefs.ClassNotFound) {
			out = append(out, n)
		}
	}
	return out
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

// ContainerCmd groups `burrow container ...`.
type ContainerCmd struct {
	Cleanup ContainerCleanupCmd `cmd:"" hidden:"" help:"Record a container's exit (run by its monitor)."`
	Exists  ContainerExistsCmd  `cmd:"" help:"Check if a container exists in local storage."`
	Inspect InspectCmd          `cmd:"" help:"Show a container's details."`
	List    PsCmd               `cmd:"" aliases:"ls" help:"List containers."`
	Ps      PsCmd               `cmd:"" help:"List containers."`
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
