package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"text/template"
	"time"

	units "github.com/docker/go-units"
	"go.podman.io/storage/pkg/stringid"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// PodCmd groups `burrow pod ...`: podman's pods, containers that share
// the namespaces of the pod's infra container.
type PodCmd struct {
	Create  PodCreateCmd  `cmd:"" help:"Create a pod."`
	Start   PodStartCmd   `cmd:"" help:"Start pods: the infra, then the other containers."`
	Stop    PodStopCmd    `cmd:"" help:"Stop pods."`
	Kill    PodKillCmd    `cmd:"" help:"Send a signal to pods' running containers."`
	Restart PodRestartCmd `cmd:"" help:"Stop and start pods."`
	Rm      PodRmCmd      `cmd:"" aliases:"remove" help:"Remove pods and their containers."`
	Ps      PodPsCmd      `cmd:"" aliases:"ls,list" help:"List pods."`
	Inspect PodInspectCmd `cmd:"" help:"Show pods' details as JSON."`
	Exists  PodExistsCmd  `cmd:"" help:"Exit 0 if the pod exists, 1 if not."`
	Prune   PodPruneCmd   `cmd:"" help:"Remove the pods whose containers have all stopped."`
	Top     PodTopCmd     `cmd:"" help:"List the processes of a pod's containers."`
	Logs    PodLogsCmd    `cmd:"" help:"Show the output of a pod's containers."`
	Stats   PodStatsCmd   `cmd:"" help:"Show the resource use of pods' containers."`
	Pause   PodPauseCmd   `cmd:"" help:"Pause pods' containers (needs cgroup v2)."`
	Unpause PodUnpauseCmd `cmd:"" help:"Unpause pods' containers."`
}

// infraImageName is the image of built-in infra containers, named as
// podman names its own: localhost/podman-pause:VERSION-BUILT, as `version
// --format '{{.Server.Version}}-{{.Server.Built}}'` would say.
func infraImageName() string {
	return fmt.Sprintf("localhost/podman-pause:%s-%d", version, currentVersion().Built)
}

// podNetFlags are the network flags of pod create (and the pod of run
// --pod new:NAME): the pod's network, held by its infra.
type podNetFlags struct {
	Network    []string `name:"network" aliases:"net" sep:"none" help:"The pod's network: slirp4netns (default), pasta, none, host, or networks made by network create: NAME[:alias=A,ip=IP,mac=MAC] (repeatable)."`
	NetAlias   []string `name:"network-alias" sep:"none" help:"Add a name the pod has on its networks (repeatable)."`
	IP         string   `name:"ip" help:"The pod's IPv4 address on its network."`
	MACAddress string   `name:"mac-address" help:"The pod's MAC address on its network."`
	Publish    []string `short:"p" name:"publish" sep:"none" help:"Publish a port of the pod: [IP:]HOSTPORT:CONTAINERPORT[/tcp|/udp], or CONTAINERPORT for a random host port."`
	DNS        []string `name:"dns" sep:"," help:"DNS servers for the pod's /etc/resolv.conf."`
	AddHost    []string `name:"add-host" sep:"none" help:"Add HOST:IP to the pod's /etc/hosts."`
	DNSSearch  []string `name:"dns-search" sep:"," help:"Search domains for the pod's /etc/resolv.conf (. for none)."`
	DNSOption  []string `name:"dns-option" sep:"," help:"Options for the pod's /etc/resolv.conf (ndots:N, ...)."`
	Sysctl     []string `name:"sysctl" sep:"," help:"Set a sysctl of the pod's network namespace, net.KEY=VALUE (repeatable)."`
}

// config is the infra's network configuration.
func (f *podNetFlags) config() (engine.Config, error) {
	var c engine.Config
	var err error
	if c.Network, c.AllowHostLoopback, c.Networks, err = engine.ParseNetworks(f.Network, f.NetAlias, f.IP, f.MACAddress); err != nil {
		return c, err
	}
	for _, p := range f.Publish {
		m, err := engine.ParsePublish(p)
		if err != nil {
			return c, err
		}
		c.Ports = append(c.Ports, m...)
	}
	for _, d := range f.DNS {
		if net.ParseIP(d) == nil {
			return c, invalidf("invalid --dns %q: give an IP address", d)
		}
	}
	for _, h := range f.AddHost {
		if err := engine.ParseAddHost(h); err != nil {
			return c, err
		}
	}
	c.DNS, c.AddHosts, c.DNSSearch, c.DNSOptions = f.DNS, f.AddHost, f.DNSSearch, f.DNSOption
	if c.Sysctls, err = engine.ParseSysctls(f.Sysctl); err != nil {
		return c, err
	}
	return c, nil
}

// PodCreateCmd is `burrow pod create`.
type PodCreateCmd struct {
	Name string `short:"n" help:"Name of the pod (default: a generated one)."`
	podNetFlags
	Share        string   `help:"Namespaces the pod's containers share: cgroup, ipc, net, pid, uts, comma-separated, none, or +NS to add to the default (ipc,net,uts)."`
	Infra        bool     `default:"true" negatable:"" help:"Give the pod an infra container, which holds the namespaces its containers share (--infra=false: none, nothing shared)."`
	InfraImage   string   `name:"infra-image" help:"Image of the infra container (default: burrow's built-in pause, made locally: nothing to pull)."`
	InfraCommand string   `name:"infra-command" help:"Command of the infra container, a JSON array or one path (replaces the image's entrypoint)."`
	InfraName    string   `name:"infra-name" help:"Name of the infra container (default: the pod ID's first 12 digits, -infra)."`
	Label        []string `short:"l" name:"label" sep:"none" help:"Set a label K=V (repeatable)."`
	Volume       []string `short:"v" name:"volume" sep:"none" help:"Mount HOST-DIR:CONTAINER-DIR[:ro], VOLUME:CONTAINER-DIR or an anonymous volume at CONTAINER-DIR in every container of the pod (repeatable)."`
	Hostname     string   `short:"h" help:"Hostname of the pod's containers that share its UTS namespace (default: the pod's name)."`
	ExitPolicy   string   `name:"exit-policy" help:"When the last container exits: continue (the pod runs on, the default) or stop (the pod stops)."`
	PodIDFile    string   `name:"pod-id-file" help:"Write the pod's ID to this file."`
	Replace      bool     `help:"Remove a pod of the same name first."`
	ShmSize      string   `name:"shm-size" help:"Size of the /dev/shm the pod's containers share, <number>[<unit>] with unit b, k, m or g (default 64m)."`
	NoHosts      bool     `name:"no-hosts" help:"Leave the pod's containers their image's /etc/hosts."`
	LabelFile    []string `name:"label-file" sep:"none" help:"Read labels K=V from a file, one a line (repeatable)."`
	VolumesFrom  []string `name:"volumes-from" sep:"none" help:"Mount the volumes of CONTAINER[:ro|rw] in every container of the pod (repeatable)."`
	registryFlags
	NameArg string `arg:"" optional:"" name:"name" help:"Name of the pod, as --name."`
}

// Run creates the pod and prints its ID.
func (c *PodCreateCmd) Run(g *globals) error {
	o, err := c.options()
	if err != nil {
		return err
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	if c.Replace && o.Name != "" {
		if old, err := eng.GetPod(o.Name); err == nil {
			if _, err := eng.RemovePod(g.ctx, old, engine.PodRemoveOptions{Force: true}); err != nil {
				return fmt.Errorf("replacing pod %s: %w", o.Name, err)
			}
		}
	}
	// As podman's, the infra image is pulled without progress output.
	p, err := eng.CreatePod(g.ctx, o, eng.Puller(c.registryFlags.options(true)))
	if err != nil {
		return err
	}
	if c.PodIDFile != "" {
		if err := os.WriteFile(c.PodIDFile, []byte(p.ID), 0o644); err != nil {
			eng.RemovePod(g.ctx, p, engine.PodRemoveOptions{Force: true})
			return fmt.Errorf("writing --pod-id-file: %w", err)
		}
	}
	fmt.Println(p.ID)
	return nil
}

// options reads the flags into the pod's options.
func (c *PodCreateCmd) options() (engine.PodOptions, error) {
	o := engine.PodOptions{
		Name: c.Name, Hostname: c.Hostname, NoInfra: !c.Infra, InfraImage: c.InfraImage,
		InfraName: c.InfraName, ExitPolicy: c.ExitPolicy, CreateCommand: os.Args, NoHosts: c.NoHosts,
	}
	if c.ShmSize != "" {
		n, err := units.RAMInBytes(c.ShmSize)
		if err != nil || n <= 0 {
			return o, invalidf("invalid --shm-size %q: give a size, <number>[<unit>] with unit b, k, m or g", c.ShmSize)
		}
		o.ShmSize = n
	}
	if c.NameArg != "" {
		if c.Name != "" && c.Name != c.NameArg {
			return o, invalidf("the pod's name is given twice (--name %s and %s): give it once", c.Name, c.NameArg)
		}
		o.Name = c.NameArg
	}
	var err error
	if o.Share, err = engine.ParseShare(c.Share); err != nil {
		return o, err
	}
	if o.Net, err = c.podNetFlags.config(); err != nil {
		return o, err
	}
	if o.Labels, err = keyValues(c.LabelFile, c.Label, "--label"); err != nil {
		return o, err
	}
	if len(o.Labels) == 0 {
		o.Labels = nil
	}
	for _, v := range c.Volume {
		m, err := engine.ParseVolume(v)
		if err != nil {
			return o, err
		}
		o.Mounts = append(o.Mounts, m)
	}
	if c.InfraCommand != "" {
		if err := json.Unmarshal([]byte(c.InfraCommand), &o.InfraCommand); err != nil {
			o.InfraCommand = []string{c.InfraCommand}
		}
	}
	o.VolumesFrom = c.VolumesFrom
	if !c.Infra && (c.InfraImage != "" || c.InfraCommand != "" || c.InfraName != "" || len(c.Volume) > 0 || len(c.VolumesFrom) > 0) {
		return o, invalidf("--infra-image, --infra-command, --infra-name, -v and --volumes-from need an infra container: drop --infra=false")
	}
	return o, nil
}

// newPodFor makes the pod of run/create --pod new:NAME, with the
// container's network settings, which are the pod's; undo removes it
// again when the container cannot be made.
func newPodFor(ctx context.Context, eng *engine.Engine, cfg *engine.Config, pull engine.PullFunc) (undo func(), err error) {
	name, ok := strings.CutPrefix(cfg.Pod, "new:")
	if !ok {
		return func() {}, nil
	}
	o := engine.PodOptions{
		Name: name, Hostname: cfg.Hostname, CreateCommand: os.Args,
		Net: engine.Config{
			Network: cfg.Network, AllowHostLoopback: cfg.AllowHostLoopback, Networks: cfg.Networks,
			Ports: cfg.Ports, DNS: cfg.DNS, AddHosts: cfg.AddHosts,
		},
	}
	p, err := eng.CreatePod(ctx, o, pull)
	if err != nil {
		return nil, err
	}
	cfg.Pod, cfg.Hostname, cfg.Network, cfg.AllowHostLoopback = p.ID, "", "", false
	cfg.Networks, cfg.Ports, cfg.DNS, cfg.AddHosts = nil, nil, nil, nil
	return func() {
		if p, err := eng.GetPod(p.ID); err == nil {
			eng.RemovePod(ctx, p, engine.PodRemoveOptions{Force: true, Timeout: new(time.Duration)})
		}
	}, nil
}

// podSelection is how a pod command names its pods: by name or ID, by
// --pod-id-file, every pod (--all) or the one made last (--latest).
type podSelection struct {
	All       bool     `short:"a" help:"Every pod."`
	Latest    bool     `short:"l" help:"The pod created last."`
	PodIDFile []string `name:"pod-id-file" sep:"none" help:"The pod whose ID this file holds (repeatable)."`
	Pods      []string `arg:"" optional:"" name:"pod" help:"Pods, by name or ID."`
}

// names are the pods selected, by ID or as the user named them; ignore
// skips --pod-id-file files that do not exist.
func (s *podSelection) names(eng *engine.Engine, ignore bool) ([]string, error) {
	names := s.Pods
	for _, f := range s.PodIDFile {
		b, err := os.ReadFile(f)
		if err != nil {
			if ignore && os.IsNotExist(err) {
				continue
			}
			return nil, fmt.Errorf("reading --pod-id-file: %w", err)
		}
		names = append(names, strings.TrimSpace(string(b)))
	}
	given := len(s.Pods) + len(s.PodIDFile)
	switch {
	case s.Latest && given > 0:
		return nil, invalidf("--latest and pods cannot be used together")
	case s.All && given > 0:
		return nil, invalidf("--all and pods cannot be used together")
	case s.All && s.Latest:
		return nil, invalidf("--all and --latest cannot be used together")
	case s.Latest:
		p, err := latestPod(eng)
		if err != nil {
			return nil, err
		}
		return []string{p.ID}, nil
	case s.All:
		return allPods(eng)
	case given == 0:
		return nil, invalidf("give at least one pod name or ID, or --all or --latest")
	}
	return names, nil
}

// allPods are the IDs of every pod, oldest first.
func allPods(eng *engine.Engine) ([]string, error) {
	pods, err := eng.ListPods()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range pods {
		out = append(out, p.ID)
	}
	return out, nil
}

// latestPod is the pod created last, as podman's --latest.
func latestPod(eng *engine.Engine) (*engine.Pod, error) {
	pods, err := eng.ListPods()
	if err != nil {
		return nil, err
	}
	if len(pods) == 0 {
		return nil, errdefs.NotFound(fmt.Errorf("no pods to find with --latest: create one with burrow pod create"))
	}
	latest := pods[0]
	for _, p := range pods[1:] {
		if !p.Created.Before(latest.Created) {
			latest = p
		}
	}
	return latest, nil
}

// onePod is the pod of the commands that take one: named, or with latest
// the pod created last.
func onePod(eng *engine.Engine, latest bool, name string) (*engine.Pod, error) {
	switch {
	case latest && name != "":
		return nil, invalidf("--latest and pods cannot be used together")
	case latest:
		return latestPod(eng)
	case name == "":
		return nil, invalidf("give a pod name or ID, or --latest")
	}
	return eng.GetPod(name)
}

// eachPod runs fn on every named pod, printing an error line for each
// failure but the last, which it returns, as podman does.
func eachPod(eng *engine.Engine, names []string, fn func(p *engine.Pod) error) error {
	var last error
	for _, n := range names {
		p, err := eng.GetPod(n)
		if err == nil {
			err = fn(p)
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

// podAction is the body of the pod commands that act on the pods sel
// names and print each pod's ID.
func podAction(sel *podSelection, ignore bool, fn func(eng *engine.Engine, p *engine.Pod) error) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	names, err := sel.names(eng, ignore)
	if err != nil {
		return err
	}
	if len(names) == 0 { // only --pod-id-file files that are gone, with --ignore
		return nil
	}
	return eachPod(eng, names, func(p *engine.Pod) error {
		if err := fn(eng, p); err != nil {
			return err
		}
		fmt.Println(p.ID)
		return nil
	})
}

// PodStartCmd is `burrow pod start`.
type PodStartCmd struct {
	podSelection
}

// Run starts the pods.
func (c *PodStartCmd) Run(g *globals) error {
	return podAction(&c.podSelection, false, func(eng *engine.Engine, p *engine.Pod) error { return eng.StartPod(p) })
}

// PodStopCmd is `burrow pod stop`.
type PodStopCmd struct {
	Time   *int `short:"t" name:"time" help:"Seconds to wait for the stop signal before SIGKILL (default: each container's stop timeout, 10)."`
	Ignore bool `short:"i" help:"Ignore the error when a pod does not exist."`
	podSelection
}

// Run stops the pods.
func (c *PodStopCmd) Run(g *globals) error {
	timeout := seconds(c.Time)
	err := podAction(&c.podSelection, c.Ignore, func(eng *engine.Engine, p *engine.Pod) error {
		warnings, err := eng.StopPod(g.ctx, p, timeout)
		for _, w := range warnings {
			warn("%s", w)
		}
		return err
	})
	if c.Ignore && errdefs.Is(err, errdefs.ClassNotFound) {
		return nil
	}
	return err
}

// seconds is a --time flag as a duration, nil when not given; -1 waits
// (for a day).
func seconds(t *int) *time.Duration {
	if t == nil {
		return nil
	}
	d := time.Duration(*t) * time.Second
	if *t < 0 {
		d = 24 * time.Hour
	}
	return &d
}

// PodKillCmd is `burrow pod kill`.
type PodKillCmd struct {
	Signal string `short:"s" default:"KILL" help:"Signal to send (name or number)."`
	podSelection
}

// Run signals the pods' containers.
func (c *PodKillCmd) Run(g *globals) error {
	sig, err := engine.ParseSignal(c.Signal)
	if err != nil {
		return err
	}
	return podAction(&c.podSelection, false, func(eng *engine.Engine, p *engine.Pod) error { return eng.KillPod(p, sig) })
}

// PodRestartCmd is `burrow pod restart`.
type PodRestartCmd struct {
	podSelection
}

// Run stops and starts the pods.
func (c *PodRestartCmd) Run(g *globals) error {
	return podAction(&c.podSelection, false, func(eng *engine.Engine, p *engine.Pod) error {
		warnings, err := eng.StopPod(g.ctx, p, nil)
		for _, w := range warnings {
			warn("%s", w)
		}
		if err != nil {
			return err
		}
		if p, err = eng.GetPod(p.ID); err != nil {
			return err
		}
		return eng.StartPod(p)
	})
}

// PodPauseCmd is `burrow pod pause`.
type PodPauseCmd struct {
	podSelection
}

// Run pauses the pods' containers.
func (c *PodPauseCmd) Run(g *globals) error {
	return podAction(&c.podSelection, false, func(eng *engine.Engine, p *engine.Pod) error { return eng.PausePod(p, true) })
}

// PodUnpauseCmd is `burrow pod unpause`.
type PodUnpauseCmd struct {
	podSelection
}

// Run thaws the pods' containers.
func (c *PodUnpauseCmd) Run(g *globals) error {
	return podAction(&c.podSelection, false, func(eng *engine.Engine, p *engine.Pod) error { return eng.PausePod(p, false) })
}

// PodRmCmd is `burrow pod rm`.
type PodRmCmd struct {
	Force  bool `short:"f" help:"Stop running containers first."`
	Ignore bool `short:"i" help:"Ignore the error when a pod does not exist."`
	Time   *int `short:"t" name:"time" help:"Seconds to wait for the stop signal before SIGKILL with --force (default: each container's stop timeout, 10)."`
	podSelection
}

// Run removes the pods. Exit codes as podman's: 1 when a pod does not
// exist (but with -f or --ignore).
func (c *PodRmCmd) Run(g *globals) error {
	err := podAction(&c.podSelection, c.Ignore, func(eng *engine.Engine, p *engine.Pod) error {
		_, err := eng.RemovePod(g.ctx, p, engine.PodRemoveOptions{Force: c.Force, Timeout: seconds(c.Time)})
		return err
	})
	if errdefs.Is(err, errdefs.ClassNotFound) {
		if c.Force || c.Ignore {
			return nil
		}
		return withExit(err, 1)
	}
	return err
}

// PodExistsCmd is `burrow pod exists`.
type PodExistsCmd struct {
	Pod string `arg:"" help:"Pod to look for."`
}

// Run exits 0 when the pod exists, 1 when it does not.
func (c *PodExistsCmd) Run(g *globals) error {
	return exists(func(eng *engine.Engine) error {
		_, err := eng.GetPod(c.Pod)
		return err
	})
}

// PodPruneCmd is `burrow pod prune`.
type PodPruneCmd struct {
	Force bool `short:"f" help:"Do not ask for confirmation."`
}

// Run removes the stopped pods and prints their IDs.
func (c *PodPruneCmd) Run(g *globals) error {
	if !c.Force && !confirm("WARNING! This will remove all stopped/exited pods..") {
		return nil
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	ids, err := eng.PrunePods(g.ctx)
	for _, id := range ids {
		fmt.Println(id)
	}
	return err
}

// PodInspectCmd is `burrow pod inspect`.
type PodInspectCmd struct {
	Format string   `short:"f" help:"Go template applied to each pod (podman's fields: .ID .Name .State .InfraContainerID .SharedNamespaces .Containers ...), or json."`
	Latest bool     `short:"l" help:"The pod created last."`
	Pods   []string `arg:"" optional:"" name:"pod" help:"Pods to inspect."`
}

// Run prints the pods' details: one pod as a JSON object, several as an
// array, as podman 4's.
func (c *PodInspectCmd) Run(g *globals) error {
	var tmpl *template.Template
	if c.Format != "" && c.Format != "json" {
		var err error
		if tmpl, err = template.New("format").Funcs(templateFuncs).Parse(c.Format + "\n"); err != nil {
			return invalidf("invalid --format template: %v", err)
		}
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	names := c.Pods
	if c.Latest || len(names) == 0 { // names joined: onePod refuses them with --latest
		p, err := onePod(eng, c.Latest, strings.Join(names, " "))
		if err != nil {
			return err
		}
		names = []string{p.ID}
	}
	var out []engine.InspectPodData
	err = eachPod(eng, names, func(p *engine.Pod) error {
		d := p.Inspect()
		if tmpl != nil {
			if err := tmpl.Execute(os.Stdout, d); err != nil {
				return invalidf("--format: %v", err)
			}
			return nil
		}
		out = append(out, d)
		return nil
	})
	if tmpl == nil && len(out) > 0 {
		var b []byte
		if len(names) == 1 {
			b, _ = json.MarshalIndent(out[0], "", "     ")
		} else {
			b, _ = json.MarshalIndent(out, "", "     ")
		}
		fmt.Println(string(b))
	}
	return err
}

// PodTopCmd is `burrow pod top`.
type PodTopCmd struct {
	Latest bool `short:"l" help:"The pod created last."`
	// Args are the pod (unless --latest), then the descriptors, taken
	// as they come (-eo is a descriptor, not a flag), as podman's.
	Args []string `arg:"" optional:"" passthrough:"partial" name:"pod" help:"POD [DESCRIPTOR...]: the pod, then the columns, podman's format descriptors: args, comm, etime, hpid, pcpu, pid, ppid, state, time, tty, user (default: user pid ppid pcpu etime tty time args)."`
}

// Run lists the processes of the pod's running containers.
func (c *PodTopCmd) Run(g *globals) error {
	var pod string
	descs := c.Args
	if !c.Latest && len(descs) > 0 {
		pod, descs = descs[0], descs[1:]
	}
	cols, err := parseTopDescriptors(descs)
	if err != nil {
		return err
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	p, err := onePod(eng, c.Latest, pod)
	if err != nil {
		return err
	}
	var running []*engine.Container
	for _, ctr := range p.Containers {
		if ctr.Running() {
			running = append(running, ctr)
		}
	}
	if len(running) == 0 {
		return errdefs.Conflict(fmt.Errorf("pod %s has no running container: start it first (burrow pod start %s)", p.Name, p.Name))
	}
	t := newTopTable(os.Stdout, cols)
	for _, ctr := range running {
		procs, err := eng.Top(ctr)
		if err != nil {
			return err
		}
		t.add(procs)
	}
	return t.flush()
}

// PodLogsCmd is `burrow pod logs`.
type PodLogsCmd struct {
	Container  string `short:"c" name:"container" help:"Only this container of the pod."`
	Follow     bool   `short:"f" help:"Follow the output until the containers exit."`
	Tail       int    `default:"-1" help:"Only the last N lines of each container (-1: all)."`
	Since      string `help:"Only lines since this time (RFC 3339, Unix seconds, or a duration such as 10m)."`
	Until      string `help:"Only lines before this time (same forms as --since)."`
	Timestamps bool   `short:"t" help:"Show the time of each line."`
	Names      bool   `short:"n" help:"Prefix each line with its container's name instead of its ID."`
	Latest     bool   `short:"l" help:"The pod created last."`
	Pod        string `arg:"" optional:"" help:"Pod whose containers' output to show."`
}

// Run prints the logs of the pod's containers, each line prefixed with
// its container.
func (c *PodLogsCmd) Run(g *globals) error {
	o := engine.LogOptions{Follow: c.Follow, Tail: c.Tail, Timestamps: c.Timestamps}
	var err error
	if o.Since, err = parseTime(c.Since); err != nil {
		return err
	}
	if o.Until, err = parseTime(c.Until); err != nil {
		return err
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	p, err := onePod(eng, c.Latest, c.Pod)
	if err != nil {
		return err
	}
	var ctrs []*engine.Container
	for _, ctr := range p.Containers {
		if c.Container == "" && ctr.Config.LogDriver != engine.LogNone && ctr.Config.LogDriver != engine.LogPassthrough ||
			c.Container != "" && (ctr.Name == c.Container || strings.HasPrefix(ctr.ID, c.Container)) {
			ctrs = append(ctrs, ctr)
		}
	}
	if c.Container != "" && len(ctrs) == 0 {
		return errdefs.NotFound(fmt.Errorf("pod %s has no container %q: see burrow ps --pod --filter pod=%s", p.Name, c.Container, p.Name))
	}
	return podLogs(g.ctx, eng, ctrs, o, c.Names)
}

// podLogs prints the containers' logs, each line prefixed with its
// container's ID (or name): one container after the other, or all at
// once while they run with o.Follow.
func podLogs(ctx context.Context, eng *engine.Engine, ctrs []*engine.Container, o engine.LogOptions, names bool) error {
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make([]error, len(ctrs))
	for i, c := range ctrs {
		prefix := stringid.TruncateID(c.ID) + " "
		if names {
			prefix = c.Name + " "
		}
		out, errOut := &linePrefixer{w: os.Stdout, mu: &mu, prefix: prefix}, &linePrefixer{w: os.Stderr, mu: &mu, prefix: prefix}
		run := func() {
			errs[i] = eng.Logs(ctx, c, o, out, errOut)
			out.flush()
			errOut.flush()
		}
		if !o.Follow {
			run()
			continue
		}
		wg.Add(1)
		go func() { defer wg.Done(); run() }()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// linePrefixer writes whole lines to w, each after prefix, holding mu
// while it writes one so that lines of several containers never mix.
type linePrefixer struct {
	w      io.Writer
	mu     *sync.Mutex
	prefix string
	part   []byte
}

func (l *linePrefixer) Write(b []byte) (int, error) {
	l.part = append(l.part, b...)
	for {
		i := bytes.IndexByte(l.part, '\n')
		if i < 0 {
			return len(b), nil
		}
		if err := l.emit(l.part[:i+1]); err != nil {
			return 0, err
		}
		l.part = l.part[i+1:]
	}
}

// flush writes what is left of a line without its end.
func (l *linePrefixer) flush() {
	if len(l.part) > 0 {
		l.emit(append(l.part, '\n'))
		l.part = nil
	}
}

func (l *linePrefixer) emit(line []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, err := io.WriteString(l.w, l.prefix+string(line))
	return err
}
