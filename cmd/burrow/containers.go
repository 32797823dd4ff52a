package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
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

// selection is how a command picks its containers besides names: --all
// (only running ones with runningOnly), --latest, --filter.
type selection struct {
	all, latest, runningOnly bool
	filters                  []string
}

// target is a container a command acts on, with the name or ID it is to
// be printed as (the user's own words, its ID with --all), or the error
// of looking it up.
type target struct {
	ctr   *engine.Container
	given string
	err   error
}

// oneContainer is the container name names, or with latest the one
// created last (name is then ignored).
func oneContainer(eng *engine.Engine, name string, latest bool) (*engine.Container, error) {
	if !latest {
		return eng.Get(name)
	}
	targets, err := selectContainers(eng, nil, selection{latest: true})
	if err != nil {
		return nil, err
	}
	if len(targets) == 0 {
		return nil, errdefs.NotFound(errors.New("no container was created yet: --latest needs one"))
	}
	return targets[0].ctr, targets[0].err
}

// selectContainers resolves the names, or with --all/--latest the
// containers, keeping those that pass the filters, as podman does: with
// filters, a name that does not match is skipped silently.
func selectContainers(eng *engine.Engine, names []string, sel selection) ([]target, error) {
	var filters []engine.Filter
	if len(sel.filters) > 0 {
		var err error
		if filters, err = eng.ParseFilters(sel.filters); err != nil {
			return nil, err
		}
	}
	if !sel.all && !sel.latest {
		var out []target
		for _, n := range names {
			c, err := eng.Get(n)
			if err == nil && !c.Matches(filters) {
				continue
			}
			if err != nil && len(filters) > 0 {
				continue
			}
			out = append(out, target{ctr: c, given: n, err: err})
		}
		return out, nil
	}
	ctrs, err := eng.List()
	if err != nil {
		return nil, err
	}
	if sel.latest && len(ctrs) > 0 {
		ctrs = ctrs[len(ctrs)-1:]
	}
	var out []target
	for _, c := range ctrs {
		if (!sel.runningOnly || c.Running()) && c.Matches(filters) {
			out = append(out, target{ctr: c, given: c.ID})
		}
	}
	return out, nil
}

// eachTarget runs fn on every target, printing an error line for each
// failure (a lookup's too) as podman does; the returned error is the last.
func eachTarget(targets []target, fn func(c *engine.Container, given string) error) error {
	var last error
	for _, t := range targets {
		err := t.err
		if err == nil {
			err = fn(t.ctr, t.given)
		}
		if err != nil {
			if last != nil {
				fmt.Fprintf(os.Stderr, "Error: %v\n", last)
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
	if err := c.checkCIDFile(); err != nil {
		return err
	}
	if c.PreserveFDs > 0 {
		return invalidf("--preserve-fds is run's: a created container gets no descriptors of this command")
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	if err := c.confDefaults(eng, &cfg); err != nil {
		return err
	}
	pull, err := c.prepareImage(g, eng, &cfg)
	if err != nil {
		return err
	}
	if c.Replace {
		if err := replaceContainer(g, eng, cfg.Name); err != nil {
			return err
		}
	}
	undoPod, err := newPodFor(g.ctx, eng, &cfg, c.puller(eng))
	if err != nil {
		return err
	}
	printNotes(c.notes())
	printNotes(limitNote(c.limitFlags, cfg.Limits))
	ctr, err := eng.Create(g.ctx, cfg, pull)
	if err != nil {
		undoPod()
		return err
	}
	if err := eng.Release(ctr); err != nil {
		return err
	}
	printNotes(ctr.Notes)
	printWarnings(ctr.Warnings)
	if err := c.writeFiles(ctr); err != nil {
		return err
	}
	if cfg.LogDriver != engine.LogPassthrough { // stdout may be the container's: podman prints nothing then
		fmt.Println(ctr.ID)
	}
	return nil
}

// StartCmd is `burrow start`.
type StartCmd struct {
	Attach      bool     `short:"a" help:"Attach to the container's output and wait for it."`
	Interactive bool     `short:"i" help:"Attach the container's stdin."`
	All         bool     `help:"Start every container that is not running."`
	Filter      []string `short:"f" sep:"none" help:"Start only the containers that match: ps's filters (repeatable)."`
	Latest      bool     `short:"l" help:"Start the container created last."`
	SigProxy    *bool    `name:"sig-proxy" negatable:"" help:"With --attach, pass the signals burrow receives on to the container's process (default true with --attach)."`
	detachFlag
	Containers []string `arg:"" optional:"" name:"container" help:"Containers to start."`
}

// Run starts the containers: each not running yet is started and printed
// as given (its ID with --all), as podman's start does; a failed start
// exits 125 whatever the container's command.
func (s *StartCmd) Run(g *globals) error {
	if s.All && s.Latest {
		return invalidf("--all and --latest cannot be used together")
	}
	if s.Latest && len(s.Containers) > 0 {
		return invalidf("--latest and containers cannot be used together")
	}
	if err := refuseRuntimeFlags(); err != nil {
		return err
	}
	if s.All && len(s.Containers) > 0 {
		return invalidf("either start all containers or the container(s) provided in the arguments")
	}
	if !s.All && !s.Latest && len(s.Containers) == 0 {
		return invalidf("start requires at least one argument")
	}
	if s.SigProxy != nil && *s.SigProxy && !s.Attach {
		return invalidf("you cannot use sig-proxy without --attach: add --attach")
	}
	if s.Attach && (s.All || len(s.Containers) > 1) {
		return invalidf("you cannot start and attach multiple containers at once")
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	targets, err := selectContainers(eng, s.Containers, selection{all: s.All, latest: s.Latest, filters: s.Filter})
	if err != nil {
		return err
	}
	if s.Attach {
		if len(targets) == 0 {
			return nil
		}
		if targets[0].err != nil {
			return targets[0].err
		}
		return s.attached(g, eng, targets[0].ctr)
	}
	listenEnv, listenFDs := socketActivation(0)
	err = eachTarget(targets, func(c *engine.Container, given string) error {
		if c.Running() {
			return nil
		}
		if _, err := eng.Start(c, engine.StartOptions{Env: listenEnv, PreserveFDs: listenFDs}); err != nil {
			return fmt.Errorf("unable to start container %q: %w", c.ID, err)
		}
		fmt.Println(given)
		return nil
	})
	if err != nil {
		return withExit(err, 125)
	}
	return nil
}

// attached starts ctr with the user's terminal attached and exits with
// its code; a running container is attached to.
func (s *StartCmd) attached(g *globals, eng *engine.Engine, ctr *engine.Container) error {
	proxy := startSigProxy(s.SigProxy == nil || *s.SigProxy)
	streams := userStreams(s.Interactive && ctr.Config.LogDriver != engine.LogPassthrough)
	streams.Env, streams.PreserveFDs = socketActivation(0)
	if err := s.detachKeys(eng, &streams); err != nil {
		return err
	}
	p, err := eng.StartAttached(g.ctx, ctr, streams)
	if err != nil {
		return withExit(fmt.Errorf("unable to start container %s: %w", ctr.ID, err), 125)
	}
	return attachedExit(foreground(p, ctr.Config.TTY, proxy))
}

// attachedExit is the exit of a command attached to a container: the
// container's code, or 0 when the user detached.
func attachedExit(code int, err error) error {
	if errors.Is(err, engine.ErrDetached) {
		return nil
	}
	if err != nil {
		return err
	}
	return exitCode(code)
}

// StopCmd is `burrow stop`.
type StopCmd struct {
	All        bool     `short:"a" help:"Stop all running containers."`
	Ignore     bool     `short:"i" help:"Ignore the error when a container does not exist."`
	Latest     bool     `short:"l" help:"Stop the container created last."`
	Filter     []string `short:"f" sep:"none" help:"Stop only the containers that match: ps's filters (repeatable)."`
	CIDFile    []string `name:"cidfile" sep:"none" help:"Read the container's ID from this file (repeatable)."`
	Time       *int     `short:"t" name:"time" aliases:"timeout" help:"Seconds to wait for the stop signal to work before SIGKILL (default: the container's stop timeout, 10)."`
	Containers []string `arg:"" optional:"" name:"container" help:"Containers to stop."`
}

// Run stops the containers, printing each as given (its ID with --all).
func (s *StopCmd) Run(g *globals) error {
	names, err := withCIDFiles(s.Containers, s.CIDFile, s.Ignore)
	if err != nil {
		return err
	}
	if err := checkSelection(s.All, s.Latest, names, len(s.Filter) > 0); err != nil {
		return err
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	targets, err := selectContainers(eng, names, selection{all: s.All, latest: s.Latest, runningOnly: true, filters: s.Filter})
	if err != nil {
		return err
	}
	if s.Ignore {
		targets = found(targets)
	}
	return eachTarget(targets, func(c *engine.Container, given string) error {
		timeout := eng.StopTimeout(c)
		if s.Time != nil {
			timeout = secondsTimeout(*s.Time)
		}
		w, err := eng.Stop(g.ctx, c, timeout)
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

// secondsTimeout is a -t/--time in seconds; negative waits for ever, as
// podman's (a day is as good).
func secondsTimeout(n int) time.Duration {
	if n < 0 {
		return 24 * time.Hour
	}
	return time.Duration(n) * time.Second
}

// checkSelection refuses names with --all or --latest, and no names
// without them (or filters), with podman's messages.
func checkSelection(all, latest bool, names []string, filtered bool) error {
	switch {
	case latest && len(names) > 0:
		return invalidf("--latest and containers cannot be used together")
	case all && len(names) > 0:
		return invalidf("--all and containers cannot be used together")
	case all && latest:
		return invalidf("--all and --latest cannot be used together")
	case !all && !latest && !filtered && len(names) == 0:
		return invalidf("you must provide at least one name or id")
	}
	return nil
}

// found drops the targets that do not exist (--ignore).
func found(targets []target) []target {
	var out []target
	for _, t := range targets {
		if !errdefs.Is(t.err, errdefs.ClassNotFound) {
			out = append(out, t)
		}
	}
	return out
}

// withCIDFiles adds the IDs the --cidfile files hold to names; with
// ignore, a file that does not exist is skipped.
func withCIDFiles(names, files []string, ignore bool) ([]string, error) {
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			if ignore && errors.Is(err, os.ErrNotExist) {
				continue
			}
			return nil, invalidf("reading CIDFile: %v", err)
		}
		names = append(names, strings.Split(strings.TrimSpace(string(b)), "\n")[0])
	}
	return names, nil
}

// KillCmd is `burrow kill`.
type KillCmd struct {
	All        bool     `short:"a" help:"Signal all running containers."`
	Latest     bool     `short:"l" help:"Signal the container created last."`
	CIDFile    []string `name:"cidfile" sep:"none" help:"Read the container's ID from this file (repeatable)."`
	Signal     string   `short:"s" default:"KILL" help:"Signal to send (name or number)."`
	Containers []string `arg:"" optional:"" name:"container" help:"Containers to signal."`
}

// Run signals the containers, printing each as given (its ID with --all).
func (k *KillCmd) Run(g *globals) error {
	sig, err := engine.ParseSignal(k.Signal)
	if err != nil {
		return err
	}
	names, err := withCIDFiles(k.Containers, k.CIDFile, false)
	if err != nil {
		return err
	}
	if err := checkSelection(k.All, k.Latest, names, false); err != nil {
		return err
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	targets, err := selectContainers(eng, names, selection{all: k.All, latest: k.Latest, runningOnly: true})
	if err != nil {
		return err
	}
	return eachTarget(targets, func(c *engine.Container, given string) error {
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
	Latest     bool     `short:"l" help:"Remove the container created last."`
	Depend     bool     `name:"depend" help:"Remove the containers that depend on these first (--network container:; for a pod's infra: the whole pod)."`
	Filter     []string `sep:"none" help:"Remove only the containers that match: ps's filters (repeatable)."`
	CIDFile    []string `name:"cidfile" sep:"none" help:"Read the container's ID from this file (repeatable)."`
	Time       *int     `short:"t" name:"time" help:"Seconds to wait for the stop signal before SIGKILL with --force (default: the container's stop timeout, 10)."`
	Volumes    bool     `short:"v" help:"Remove the container's anonymous volumes too."`
	Containers []string `arg:"" optional:"" name:"container" help:"Containers to remove."`
}

// Run removes the containers. Exit codes as podman's: 1 when a container
// does not exist, 2 when one runs (without -f).
func (r *RmCmd) Run(g *globals) error {
	if r.Time != nil && !r.Force {
		return invalidf("--time needs --force: rm -f -t SECONDS CONTAINER")
	}
	names, err := withCIDFiles(r.Containers, r.CIDFile, r.Ignore)
	if err != nil {
		return err
	}
	if err := checkSelection(r.All, r.Latest, names, len(r.Filter) > 0); err != nil {
		return err
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	if names, err = r.removeExternals(eng, names); err != nil {
		return err
	}
	targets, err := selectContainers(eng, names, selection{all: r.All, latest: r.Latest, filters: r.Filter})
	if err != nil {
		return err
	}
	if r.Ignore || r.Force {
		targets = found(targets) // podman: rm -f or --ignore of a missing container is fine
	}
	o := engine.RemoveOptions{Force: r.Force, Volumes: r.Volumes}
	if r.Time != nil {
		t := secondsTimeout(*r.Time)
		o.Timeout = &t
	}
	if r.All || r.Depend {
		if targets, err = removeDependents(g, eng, targets, o); err != nil {
			return err
		}
	}
	err = eachTarget(targets, func(c *engine.Container, given string) error {
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
		return withExit(err, 1)
	case errdefs.Is(err, errdefs.ClassConflict):
		return withExit(err, 2)
	}
	return err
}

// removeDependents removes what depends on the targets (rm --depend,
// --all): a pod's infra takes its whole pod, and a container those that
// share its network namespace (theirs first). It prints the IDs of the
// containers it removed and returns the targets left to remove.
func removeDependents(g *globals, eng *engine.Engine, targets []target, o engine.RemoveOptions) ([]target, error) {
	removed := map[string]bool{}
	var remove func(c *engine.Container) error
	remove = func(c *engine.Container) error {
		deps, err := eng.Dependents(c)
		if err != nil {
			return err
		}
		for _, d := range deps {
			if removed[d.ID] {
				continue
			}
			if err := remove(d); err != nil {
				return err
			}
			if err := eng.Remove(g.ctx, d, o); err != nil {
				return err
			}
			removed[d.ID] = true
			fmt.Println(d.ID)
		}
		return nil
	}
	var rest []target
	for _, t := range targets {
		switch {
		case t.err != nil:
			rest = append(rest, t) // reported by the removal
		case removed[t.ctr.ID]:
		case t.ctr.Config.PodInfra != "":
			p, err := eng.GetPod(t.ctr.Config.Pod)
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
			if err := remove(t.ctr); err != nil {
				return nil, err
			}
			rest = append(rest, t)
		}
	}
	return rest, nil
}

// WaitCmd is `burrow wait`.
type WaitCmd struct {
	Condition  []string `sep:"none" help:"Wait until the container is in this state (repeatable): configured, created, exited, initialized, paused, removing, running, stopped (the default), stopping."`
	Interval   string   `short:"i" default:"250ms" help:"How often to look at the container's state (a duration)."`
	Ignore     bool     `help:"Print -1 for a container that does not exist instead of failing."`
	Latest     bool     `short:"l" help:"Wait for the container created last."`
	Containers []string `arg:"" optional:"" name:"container" help:"Containers to wait for."`
}

// Run prints each container's exit code once it is in a state waited for.
func (w *WaitCmd) Run(g *globals) error {
	interval, err := time.ParseDuration(w.Interval)
	if err != nil {
		if n, nerr := strconv.Atoi(w.Interval); nerr == nil {
			interval, err = time.Duration(n)*time.Millisecond, nil
		}
	}
	if err != nil {
		return invalidf("invalid --interval %q: give a duration such as 250ms", w.Interval)
	}
	if err := checkSelection(false, w.Latest, w.Containers, false); err != nil {
		return err
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	targets, err := selectContainers(eng, w.Containers, selection{latest: w.Latest})
	if err != nil {
		return err
	}
	for i, t := range targets {
		if w.Ignore && errdefs.Is(t.err, errdefs.ClassNotFound) {
			targets[i] = target{given: t.given} // printed as -1
		}
	}
	return eachTarget(targets, func(c *engine.Container, given string) error {
		if c == nil {
			fmt.Println(-1)
			return nil
		}
		code, err := eng.WaitFor(g.ctx, c, w.Condition, interval)
		if err != nil {
			return err
		}
		fmt.Println(code)
		return nil
	})
}

// RestartCmd is `burrow restart`.
type RestartCmd struct {
	All        bool     `short:"a" help:"Restart all containers."`
	Running    bool     `help:"With --all, only the running containers."`
	Latest     bool     `short:"l" help:"Restart the container created last."`
	Filter     []string `short:"f" sep:"none" help:"Restart only the containers that match: ps's filters (repeatable)."`
	CIDFile    []string `name:"cidfile" sep:"none" help:"Read the container's ID from this file (repeatable)."`
	Time       *int     `short:"t" name:"time" aliases:"timeout" help:"Seconds to wait for the stop signal before SIGKILL (default: the container's stop timeout, 10)."`
	Containers []string `arg:"" optional:"" name:"container" help:"Containers to restart."`
}

// Run stops and starts the containers, printing each as given (its ID
// with --all).
func (r *RestartCmd) Run(g *globals) error {
	if err := refuseRuntimeFlags(); err != nil {
		return err
	}
	names, err := withCIDFiles(r.Containers, r.CIDFile, false)
	if err != nil {
		return err
	}
	if err := checkSelection(r.All, r.Latest, names, len(r.Filter) > 0); err != nil {
		return err
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	targets, err := selectContainers(eng, names, selection{all: r.All, latest: r.Latest, runningOnly: r.Running, filters: r.Filter})
	if err != nil {
		return err
	}
	return eachTarget(targets, func(c *engine.Container, given string) error {
		timeout := eng.StopTimeout(c)
		if r.Time != nil {
			timeout = secondsTimeout(*r.Time)
		}
		w, err := eng.Stop(g.ctx, c, timeout)
		if w != "" {
			warn("%s", w)
		}
		if err != nil {
			return err
		}
		if _, err := eng.Start(c, engine.StartOptions{}); err != nil {
			return err
		}
		fmt.Println(given)
		return nil
	})
}

// ContainerCmd groups `burrow container ...`: podman's names of the
// container commands.
type ContainerCmd struct {
	Attach   AttachCmd            `cmd:"" help:"Attach to a running container."`
	Cleanup  ContainerCleanupCmd  `cmd:"" hidden:"" help:"Record a container's exit (run by its monitor)."`
	Cp       CpCmd                `cmd:"" help:"Copy files between a container and the host."`
	Create   CreateCmd            `cmd:"" help:"Create a container without starting it."`
	Exec     ExecCmd              `cmd:"" help:"Run a command in a running container."`
	Exists   ContainerExistsCmd   `cmd:"" help:"Check if a container exists in local storage."`
	Inspect  InspectCmd           `cmd:"" help:"Show a container's details."`
	Kill     KillCmd              `cmd:"" help:"Send a signal to containers."`
	List     PsCmd                `cmd:"" aliases:"ls" help:"List containers."`
	Logs     LogsCmd              `cmd:"" help:"Show containers' output."`
	Pause    PauseCmd             `cmd:"" help:"Pause containers."`
	Port     PortCmd              `cmd:"" help:"List a container's published ports."`
	Ps       PsCmd                `cmd:"" help:"List containers."`
	Prune    ContainerPruneCmd    `cmd:"" help:"Remove all containers that are not running."`
	Rename   RenameCmd            `cmd:"" help:"Rename a container."`
	Restart  RestartCmd           `cmd:"" help:"Restart containers."`
	Rm       RmCmd                `cmd:"" help:"Remove containers."`
	Run      RunCmd               `cmd:"" help:"Run a command in a new container."`
	Runlabel ContainerRunlabelCmd `cmd:"" help:"Run the command an image's label holds."`
	Start    StartCmd             `cmd:"" help:"Start containers."`
	Stop     StopCmd              `cmd:"" help:"Stop containers."`
	Top      TopCmd               `cmd:"" help:"List a container's processes."`
	Unpause  UnpauseCmd           `cmd:"" help:"Unpause containers."`
	Wait     WaitCmd              `cmd:"" help:"Wait for containers to exit and print their exit codes."`
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
	Container   string   `arg:"" help:"Container whose processes to list."`
	Descriptors []string `arg:"" optional:"" help:"Columns, podman's format descriptors (comma-separated or not): args, comm, etime, group, hgroup, hpid, huser, pcpu, pid, ppid, state, time, tty, user (default: user pid ppid pcpu etime tty time args)."`
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
	cols, err := parseTopDescriptors(t.Descriptors)
	if err != nil {
		return err
	}
	procs, err := eng.Top(c)
	if err != nil {
		return err
	}
	table := newTopTable(os.Stdout, cols)
	table.add(procs)
	return table.flush()
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
	found := false
	for _, pm := range c.Ports() {
		if p.Port != "" && p.Port != pm.ContainerPortProto() && p.Port != strings.SplitN(pm.ContainerPortProto(), "/", 2)[0] {
			continue
		}
		found = true
		if p.Port != "" {
			fmt.Println(pm.HostAddr())
		} else {
			fmt.Printf("%s -> %s\n", pm.ContainerPortProto(), pm.HostAddr())
		}
	}
	if p.Port != "" && !found {
		want := p.Port
		if !strings.Contains(want, "/") {
			want += "/tcp"
		}
		return invalidf("failed to find published port %q", want)
	}
	return nil
}
