package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/images"
	"github.com/burrow-containers/burrow/slirp"
	"golang.org/x/term"
)

// RunCmd is `burrow run`.
type RunCmd struct {
	Rm          bool     `help:"Remove the container when it exits."`
	Detach      bool     `short:"d" help:"Run in the background and print the container ID."`
	SigProxy    bool     `name:"sig-proxy" default:"true" negatable:"" help:"Pass every signal burrow receives on to the container's process, while attached (default true; --sig-proxy=false: not)."`
	Restart     string   `help:"Restart policy: no, always, unless-stopped, on-failure[:N]."`
	Network     []string `name:"network" aliases:"net" sep:"none" help:"Network: slirp4netns[:allow_host_loopback=true] (default), pasta, none, host, container:NAME, or networks made by network create: NAME[:alias=A,ip=IP,mac=MAC] (repeatable)."`
	NetAlias    []string `name:"network-alias" sep:"none" help:"Add a name the container has on its networks (repeatable)."`
	IP          string   `name:"ip" help:"The container's IPv4 address on its network."`
	MACAddress  string   `name:"mac-address" help:"The container's MAC address on its network."`
	Publish     []string `short:"p" name:"publish" sep:"none" help:"Publish a port: [IP:]HOSTPORT:CONTAINERPORT[/tcp|/udp], or CONTAINERPORT for a random host port."`
	PublishAll  bool     `short:"P" name:"publish-all" help:"Publish the exposed ports (the image's and --expose's) on random host ports."`
	NetworkRate string   `name:"network-rate" help:"Cap what the container sends, e.g. 10mbit (token bucket on its interface)."`
	DNS         []string `name:"dns" sep:"," help:"DNS servers for /etc/resolv.conf."`
	DNSSearch   []string `name:"dns-search" sep:"," help:"DNS search domains for /etc/resolv.conf (. for none)."`
	DNSOption   []string `name:"dns-option" aliases:"dns-opt" sep:"none" help:"DNS options for /etc/resolv.conf (repeatable)."`
	AddHost     []string `name:"add-host" sep:"none" help:"Add HOST:IP to /etc/hosts (IP host-gateway: the host)."`
	Volume      []string `short:"v" name:"volume" sep:"none" help:"Mount HOST-DIR:CONTAINER-DIR[:ro,U], VOLUME:CONTAINER-DIR or an anonymous volume at CONTAINER-DIR."`
	Mount       []string `name:"mount" sep:"none" help:"Mount type=bind|volume|tmpfs,source=,target=[,readonly]."`
	Tmpfs       []string `name:"tmpfs" sep:"none" help:"Mount a tmpfs at PATH[:OPTIONS]."`
	VolumesFrom []string `name:"volumes-from" sep:"none" help:"Mount the volumes of CONTAINER[:ro|rw]."`
	limitFlags
	healthFlags
	Cgroups       string   `name:"cgroups" enum:"enabled,disabled,no-conmon," default:"" help:"enabled, or disabled: run without a cgroup (and without limits); no-conmon (in generate systemd's units) is taken as enabled; default: containers.conf's cgroups, else enabled."`
	OOMScoreAdj   *int     `name:"oom-score-adj" help:"Adjust the container's OOM score (-1000..1000; lowering it needs privilege)."`
	Interactive   bool     `short:"i" help:"Keep stdin attached."`
	TTY           bool     `short:"t" name:"tty" help:"Allocate a pseudo-terminal."`
	Name          string   `help:"Name of the container."`
	Pod           string   `name:"pod" help:"Run in this pod (sharing its namespaces), or new:NAME to make the pod first."`
	Label         []string `short:"l" name:"label" sep:"none" help:"Set a label K=V (repeatable)."`
	Env           []string `short:"e" sep:"none" help:"Set an environment variable (K=V, or K to take it from the host)."`
	Workdir       string   `short:"w" help:"Working directory inside the container."`
	User          string   `short:"u" help:"User to run as: UID[:GID] or name[:group]."`
	Hostname      string   `short:"h" help:"Hostname of the container."`
	Entrypoint    *string  `help:"Replace the image's entrypoint."`
	CapAdd        []string `name:"cap-add" sep:"," help:"Add capabilities (or ALL)."`
	CapDrop       []string `name:"cap-drop" sep:"," help:"Drop capabilities (or ALL)."`
	SecurityOpt   []string `name:"security-opt" sep:"none" help:"Security options: no-new-privileges."`
	Privileged    bool     `help:"Give the container every capability and no masked paths (within the user namespace)."`
	ReadOnly      bool     `name:"read-only" help:"Mount the container's root read-only."`
	ReadOnlyTmpfs bool     `name:"read-only-tmpfs" default:"true" negatable:"" help:"With --read-only, mount tmpfs on /run, /tmp and /var/tmp."`
	Rootfs        bool     `help:"The first argument is a directory to use as root, not an image."`
	Userns        string   `name:"userns" help:"User namespace: host (burrow's own, the default unless containers.conf's userns), auto[:size=N] (a free range of your subordinate IDs), keep-id[:uid=UID,gid=GID] (your IDs are the same inside) or nomap (your IDs are not mapped)."`
	UIDMap        []string `name:"uidmap" sep:"none" help:"Map container UIDs to UIDs of burrow's user namespace (0: you, 1..: your subordinate IDs): CONTAINER_ID:HOST_ID:SIZE; repeatable."`
	GIDMap        []string `name:"gidmap" sep:"none" help:"Map container GIDs as --uidmap does UIDs."`
	LogDriver     string   `name:"log-driver" help:"Where the output goes: k8s-file (the log burrow logs reads; json-file is the same), none, or passthrough (the container gets your stdin, stdout and stderr, which must not be a terminal)."`
	LogOpt        []string `name:"log-opt" sep:"none" help:"Log option: max-size=SIZE (the log starts over when it would grow past SIZE); default: containers.conf's log_size_max."`
	registryFlags
	detachFlag
	Quiet       bool `short:"q" help:"Pull without progress output."`
	PreserveFDs uint `name:"preserve-fds" help:"Pass on N descriptors: the container's process gets this command's 3, 4, ... (run only)."`
	podmanRunFlags

	Args []string `arg:"" passthrough:"partial" help:"IMAGE [COMMAND [ARG...]], or with --rootfs DIR COMMAND [ARG...]."`
}

// Run runs the container, in the foreground unless -d. Errors of the
// container's start exit 126 as podman's (127 for a command not found),
// those before it 125.
func (r *RunCmd) Run(g *globals) error {
	cfg, err := r.config()
	if err != nil {
		return err
	}
	if err := refuseRuntimeFlags(); err != nil {
		return err
	}
	if err := r.checkCIDFile(); err != nil {
		return err
	}
	if r.Rmi && r.Detach {
		return invalidf("--rmi cannot be used with -d: burrow removes the image when the run in the foreground ends")
	}
	if r.Rmi && r.Rootfs {
		return invalidf("--rmi needs an image, not --rootfs")
	}
	preserved, err := preservedFDs(r.PreserveFDs)
	if err != nil {
		return err
	}
	if r.TTY && r.Interactive && !term.IsTerminal(int(os.Stdin.Fd())) {
		// podman's words: scripts grep for them; the run goes on.
		warn("The input device is not a TTY. The --tty and --interactive flags might not work properly")
	}
	listenEnv, listenFDs := socketActivation(r.PreserveFDs)
	preserved = append(preserved, listenFDs...)
	proxy := startSigProxy(r.SigProxy && !r.Detach)
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	if err := r.confDefaults(eng, &cfg); err != nil {
		return err
	}
	pull, err := r.prepareImage(g, eng, &cfg)
	if err != nil {
		return err
	}
	if r.Replace {
		if err := replaceContainer(g, eng, cfg.Name); err != nil {
			return err
		}
	}
	undoPod, err := newPodFor(g.ctx, eng, &cfg, r.puller(eng))
	if err != nil {
		return err
	}
	printNotes(r.notes())
	printNotes(limitNote(r.limitFlags, cfg.Limits))
	if r.Detach {
		ctr, _, err := eng.Run(g.ctx, cfg, pull, engine.StartOptions{PreserveFDs: preserved, Env: listenEnv})
		if ctr != nil {
			printNotes(ctr.Notes)
		}
		if err != nil {
			if ctr == nil {
				undoPod()
			}
			if ctr != nil && cfg.Remove {
				eng.Remove(g.ctx, ctr, engine.RemoveOptions{Force: true, Timeout: new(time.Duration)})
			}
			return startError(ctr, err)
		}
		printWarnings(ctr.Warnings)
		if err := r.writeFiles(ctr); err != nil {
			return err
		}
		if err := notifyReady(r.SdNotify, ctr); err != nil {
			return err
		}
		if cfg.LogDriver != engine.LogPassthrough { // stdout may be the container's: podman prints nothing then
			fmt.Println(ctr.ID)
		}
		return nil
	}
	// passthrough: the container reads stdin itself.
	streams := userStreams(cfg.LogDriver != engine.LogPassthrough && r.attached("stdin"))
	streams.PreserveFDs, streams.Env = preserved, listenEnv
	if err := r.detachKeys(eng, &streams); err != nil {
		return err
	}
	if !r.attached("stdout") {
		streams.Stdout = io.Discard
	}
	if !r.attached("stderr") {
		streams.Stderr = io.Discard
	}
	ctr, p, err := eng.RunAttached(g.ctx, cfg, streams, pull)
	if ctr != nil {
		printNotes(ctr.Notes)
		printWarnings(ctr.Warnings)
	}
	if err != nil {
		if ctr == nil {
			undoPod()
		}
		return startError(ctr, err)
	}
	if err := r.writeFiles(ctr); err != nil {
		return err
	}
	if !r.attached("stdout") && !r.attached("stderr") {
		fmt.Println(ctr.ID) // as podman: nothing else says which container ran
	}
	code, err := foreground(p, cfg.TTY, proxy)
	if errors.Is(err, engine.ErrDetached) {
		return nil // the container goes on
	}
	if err != nil {
		return err
	}
	if r.Rmi {
		if _, _, err := eng.RemoveImage(g.ctx, cfg.Image, false); err != nil {
			warn("Failed to remove image: %v", err)
		}
	}
	return exitCode(code)
}

// confDefaults applies containers.conf's init and http_proxy where --init
// and --http-proxy are not given, and its userns where neither --userns
// nor an ID map is (a pod's containers share the pod's).
func (r *RunCmd) confDefaults(eng *engine.Engine, cfg *engine.Config) (err error) {
	if r.Init == nil && eng.InitByDefault() {
		cfg.Init = true
	}
	if r.HTTPProxy == nil && eng.ProxyEnvByDefault() {
		cfg.ProxyEnv = engine.HostProxyEnv()
	}
	if r.Userns == "" && len(r.UIDMap) == 0 && len(r.GIDMap) == 0 && cfg.Pod == "" {
		cfg.UserNS, err = eng.DefaultUserNS()
	}
	return err
}

// startError is err with podman's exit code: 126 once the container is
// made (its start failed), 127 for a command not found, else 125.
func startError(ctr *engine.Container, err error) error {
	if errdefs.Is(err, errdefs.ClassCommandNotFound) || errdefs.Is(err, errdefs.ClassCannotInvoke) {
		return err
	}
	if ctr != nil {
		return withExit(err, 126)
	}
	return err
}

// puller pulls a missing image with the command's pull options.
func (r *RunCmd) puller(eng *engine.Engine) engine.PullFunc {
	return eng.Puller(r.pullOptions())
}

// pullOptions are the pull options of the command's flags.
func (r *RunCmd) pullOptions() engine.PullOptions {
	o := r.options(r.Quiet)
	o.Platform, _ = r.platform() // checked by config
	return o
}

// printNotes prints podman's warnings as podman does, alone on a line.
func printNotes(notes []string) {
	for _, n := range notes {
		fmt.Fprintln(os.Stderr, n)
	}
}

// prepareImage applies --pull before the container is made: the image is
// pulled first with always (and newer, keeping the local one when the
// registry cannot be reached); never forbids pulling. It returns how a
// missing image is to be got.
func (r *RunCmd) prepareImage(g *globals, eng *engine.Engine, cfg *engine.Config) (engine.PullFunc, error) {
	if cfg.Image == "" {
		return nil, nil
	}
	if images.HasTransport(cfg.Image) {
		// docker-archive:PATH and the like: copied in first, as podman's
		// run does, then run by ID.
		img, err := eng.Pull(g.ctx, cfg.Image, r.pullOptions())
		if err != nil {
			return nil, err
		}
		cfg.Image = img.ID
	}
	pull := r.puller(eng)
	switch r.Pull {
	case "never":
		return func(ctx context.Context, ref string) error { return errImageNotKnown(ref) }, nil
	case "always":
		return pull, pull(g.ctx, cfg.Image)
	case "newer":
		if err := pull(g.ctx, cfg.Image); err != nil {
			if _, lerr := eng.LookupImage(cfg.Image); lerr != nil {
				return nil, err
			}
			warn("keeping the local image %s: %v", cfg.Image, err)
		}
	}
	return pull, nil
}

// replaceContainer removes the container named name, if there is one
// (--replace).
func replaceContainer(g *globals, eng *engine.Engine, name string) error {
	if name == "" {
		return invalidf("cannot replace container without --name being set")
	}
	c, err := eng.Get(name)
	if errdefs.Is(err, errdefs.ClassNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return eng.Remove(g.ctx, c, engine.RemoveOptions{Force: true})
}

func (r *RunCmd) config() (engine.Config, error) {
	cfg := engine.Config{
		Name: r.Name, Env: r.Env, Workdir: r.Workdir, WorkdirMustExist: r.Workdir != "", User: r.User, Hostname: r.Hostname,
		CapAdd: r.CapAdd, CapDrop: r.CapDrop, Privileged: r.Privileged,
		ReadOnly: r.ReadOnly, ReadOnlyTmpfs: r.ReadOnlyTmpfs, Interactive: r.Interactive, TTY: r.TTY, Remove: r.Rm, Pod: r.Pod,
		CreateCommand: os.Args,
	}
	if err := r.podmanRunFlags.apply(&cfg); err != nil {
		return cfg, err
	}
	if _, err := r.platform(); err != nil {
		return cfg, err
	}
	entry, hasEntry, err := parseEntrypoint(r.Entrypoint)
	if err != nil {
		return cfg, err
	}
	if cfg.Labels, err = keyValues(r.LabelFile, r.Label, "--label"); err != nil {
		return cfg, err
	}
	if cfg.Healthcheck, err = r.health(); err != nil {
		return cfg, err
	}
	if cfg.Network, cfg.AllowHostLoopback, cfg.Networks, err = engine.ParseNetworks(r.Network, r.NetAlias, r.IP, r.MACAddress); err != nil {
		return cfg, err
	}
	cfg.NetworkOptions = engine.SlirpOptions(r.Network)
	for _, p := range r.Publish {
		m, err := engine.ParsePublish(p)
		if err != nil {
			return cfg, err
		}
		cfg.Ports = append(cfg.Ports, m...)
	}
	cfg.PublishAll = r.PublishAll
	if r.NetworkRate != "" {
		if cfg.NetworkRate, err = slirp.ParseRate(r.NetworkRate); err != nil {
			return cfg, err
		}
	}
	for _, d := range r.DNS {
		if net.ParseIP(d) == nil {
			return cfg, invalidf("invalid --dns %q: give an IP address", d)
		}
	}
	cfg.DNS, cfg.DNSSearch, cfg.DNSOptions = r.DNS, r.DNSSearch, r.DNSOption
	for _, h := range r.AddHost {
		if err := engine.ParseAddHost(h); err != nil {
			return cfg, err
		}
	}
	cfg.AddHosts = r.AddHost
	for _, v := range r.Volume {
		m, err := engine.ParseVolume(v)
		if err != nil {
			return cfg, err
		}
		cfg.Mounts = append(cfg.Mounts, m)
	}
	for _, v := range r.Mount {
		m, err := engine.ParseMount(v)
		if err != nil {
			return cfg, err
		}
		cfg.Mounts = append(cfg.Mounts, m)
	}
	for _, v := range r.Tmpfs {
		m, err := engine.ParseTmpfs(v)
		if err != nil {
			return cfg, err
		}
		cfg.Mounts = append(cfg.Mounts, m)
	}
	cfg.VolumesFrom = r.VolumesFrom
	if cfg.Limits, err = r.limitFlags.limits(); err != nil {
		return cfg, err
	}
	cfg.Cgroups = r.Cgroups
	if r.Cgroups == "no-conmon" {
		cfg.Cgroups = "enabled"
	}
	cfg.OOMScoreAdj = r.OOMScoreAdj
	if cfg.Restart, cfg.RestartMax, err = engine.ParseRestartPolicy(r.Restart); err != nil {
		return cfg, err
	}
	if r.Rm && cfg.Restart != "" && cfg.Restart != "no" {
		return cfg, invalidf("the --rm option conflicts with --restart %s: choose one", r.Restart)
	}
	if err := applySecurityOpts(&cfg, r.SecurityOpt); err != nil {
		return cfg, err
	}
	if cfg.UserNS, err = engine.ParseUserNS(r.Userns); err != nil {
		return cfg, err
	}
	if cfg.UIDMap, err = engine.ParseIDMaps("--uidmap", r.UIDMap); err != nil {
		return cfg, err
	}
	if cfg.GIDMap, err = engine.ParseIDMaps("--gidmap", r.GIDMap); err != nil {
		return cfg, err
	}
	if cfg.UserNS != "" && (len(cfg.UIDMap) > 0 || len(cfg.GIDMap) > 0) {
		return cfg, invalidf("--userns %s and --uidmap/--gidmap conflict: choose one", cfg.UserNS)
	}
	if err := r.logConfig(&cfg); err != nil {
		return cfg, err
	}
	if r.Rootfs {
		cfg.Rootfs, cfg.Command = r.Args[0], r.Args[1:]
	} else {
		cfg.Image, cfg.Command = r.Args[0], r.Args[1:]
		if err := engine.CheckAutoUpdateImage(cfg.Labels, cfg.Image); err != nil {
			return cfg, err
		}
	}
	systemdUnitLabel(&cfg)
	if hasEntry {
		// As the API: the entrypoint's first word, the rest before the command.
		e := ""
		if len(entry) > 0 {
			e = entry[0]
			cfg.Command = append(append([]string{}, entry[1:]...), cfg.Command...)
		}
		cfg.Entrypoint = &e
	}
	return cfg, nil
}

// logConfig reads --log-driver and --log-opt.
func (r *RunCmd) logConfig(cfg *engine.Config) (err error) {
	if cfg.LogDriver, err = engine.ParseLogDriver(r.LogDriver); err != nil {
		return err
	}
	for _, o := range r.LogOpt {
		if cfg.LogSizeMax, err = engine.ParseLogOpt(o); err != nil {
			return err
		}
	}
	if cfg.LogDriver == engine.LogPassthrough && cfg.TTY {
		return invalidf("--log-driver passthrough cannot be used with --tty: the container would get your terminal; use the default k8s-file")
	}
	return nil
}

// applySecurityOpts sets --security-opt's settings in cfg (run, create and
// build's RUN steps).
func applySecurityOpts(cfg *engine.Config, opts []string) (err error) {
	for _, o := range opts {
		switch o {
		case "no-new-privileges", "no-new-privileges=true", "no-new-privileges:true":
			cfg.NoNewPrivileges = true
		case "no-new-privileges=false", "no-new-privileges:false":
			cfg.NoNewPrivileges = false
		case "seccomp=unconfined", "seccomp:unconfined":
			cfg.Seccomp = "unconfined"
		default:
			if path, ok := strings.CutPrefix(o, "seccomp="); ok {
				if cfg.Seccomp, err = filepath.Abs(path); err != nil {
					return err
				}
				continue
			}
			if paths, ok := strings.CutPrefix(o, "mask="); ok {
				cfg.Mask = append(cfg.Mask, strings.Split(paths, ":")...)
				continue
			}
			if paths, ok := strings.CutPrefix(o, "unmask="); ok {
				cfg.Unmask = append(cfg.Unmask, strings.Split(paths, ":")...)
				continue
			}
			return invalidf("unsupported --security-opt %q: burrow knows no-new-privileges, seccomp=PROFILE.json|unconfined, mask=PATHS and unmask=PATHS|ALL", o)
		}
	}
	return nil
}
