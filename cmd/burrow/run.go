package main

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/slirp"
)

// RunCmd is `burrow run`.
type RunCmd struct {
	Rm          bool     `help:"Remove the container when it exits."`
	Detach      bool     `short:"d" help:"Run in the background and print the container ID."`
	Restart     string   `help:"Restart policy: no, always, unless-stopped, on-failure[:N]."`
	Network     []string `name:"network" aliases:"net" sep:"none" help:"Network: slirp4netns[:allow_host_loopback=true] (default), pasta, none, host, container:NAME, or networks made by network create: NAME[:alias=A,ip=IP,mac=MAC] (repeatable)."`
	NetAlias    []string `name:"network-alias" sep:"none" help:"Add a name the container has on its networks (repeatable)."`
	IP          string   `name:"ip" help:"The container's IPv4 address on its network."`
	MACAddress  string   `name:"mac-address" help:"The container's MAC address on its network."`
	Publish     []string `short:"p" name:"publish" sep:"none" help:"Publish a port: [IP:]HOSTPORT:CONTAINERPORT[/tcp|/udp], or CONTAINERPORT for a random host port."`
	PublishAll  bool     `short:"P" name:"publish-all" help:"Publish the image's exposed ports on random host ports."`
	NetworkRate string   `name:"network-rate" help:"Cap what the container sends, e.g. 10mbit (token bucket on its interface)."`
	DNS         []string `name:"dns" sep:"," help:"DNS servers for /etc/resolv.conf."`
	AddHost     []string `name:"add-host" sep:"none" help:"Add HOST:IP to /etc/hosts (IP host-gateway: the host)."`
	Volume      []string `short:"v" name:"volume" sep:"none" help:"Mount HOST-DIR:CONTAINER-DIR[:ro,U], VOLUME:CONTAINER-DIR or an anonymous volume at CONTAINER-DIR."`
	Mount       []string `name:"mount" sep:"none" help:"Mount type=bind|volume|tmpfs,source=,target=[,readonly]."`
	Tmpfs       []string `name:"tmpfs" sep:"none" help:"Mount a tmpfs at PATH[:OPTIONS]."`
	VolumesFrom []string `name:"volumes-from" sep:"none" help:"Mount the volumes of CONTAINER[:ro|rw]."`
	limitFlags
	healthFlags
	Cgroups     string   `name:"cgroups" enum:"enabled,disabled," default:"" help:"enabled, or disabled: run without a cgroup (and without limits); default: containers.conf's cgroups, else enabled."`
	OOMScoreAdj *int     `name:"oom-score-adj" help:"Adjust the container's OOM score (-1000..1000; lowering it needs privilege)."`
	Interactive bool     `short:"i" help:"Keep stdin attached."`
	TTY         bool     `short:"t" name:"tty" help:"Allocate a pseudo-terminal."`
	Name        string   `help:"Name of the container."`
	Pod         string   `name:"pod" help:"Run in this pod (sharing its namespaces), or new:NAME to make the pod first."`
	Label       []string `short:"l" name:"label" sep:"none" help:"Set a label K=V (repeatable)."`
	Env         []string `short:"e" sep:"none" help:"Set an environment variable (K=V, or K to take it from the host)."`
	Workdir     string   `short:"w" help:"Working directory inside the container."`
	User        string   `short:"u" help:"User to run as: UID[:GID] or name[:group]."`
	Hostname    string   `short:"h" help:"Hostname of the container."`
	Entrypoint  *string  `help:"Replace the image's entrypoint."`
	CapAdd      []string `name:"cap-add" sep:"," help:"Add capabilities (or ALL)."`
	CapDrop     []string `name:"cap-drop" sep:"," help:"Drop capabilities (or ALL)."`
	SecurityOpt []string `name:"security-opt" sep:"none" help:"Security options: no-new-privileges."`
	Privileged  bool     `help:"Give the container every capability and no masked paths (within the user namespace)."`
	ReadOnly    bool     `name:"read-only" help:"Mount the container's root read-only."`
	Rootfs      bool     `help:"The first argument is a directory to use as root, not an image."`
	Userns      string   `name:"userns" help:"User namespace: host (burrow's own, the default), keep-id[:uid=UID,gid=GID] (your IDs are the same inside) or nomap (your IDs are not mapped)."`
	UIDMap      []string `name:"uidmap" sep:"none" help:"Map container UIDs to UIDs of burrow's user namespace (0: you, 1..: your subordinate IDs): CONTAINER_ID:HOST_ID:SIZE; repeatable."`
	GIDMap      []string `name:"gidmap" sep:"none" help:"Map container GIDs as --uidmap does UIDs."`
	LogDriver   string   `name:"log-driver" help:"Where the output goes: k8s-file (the log burrow logs reads; json-file is the same), none, or passthrough (the container gets your stdin, stdout and stderr, which must not be a terminal)."`
	LogOpt      []string `name:"log-opt" sep:"none" help:"Log option: max-size=SIZE (the log starts over when it would grow past SIZE); default: containers.conf's log_size_max."`
	registryFlags
	Quiet bool `short:"q" help:"Pull without progress output."`

	Args []string `arg:"" passthrough:"partial" help:"IMAGE [COMMAND [ARG...]], or with --rootfs DIR COMMAND [ARG...]."`
}

// Run runs the container in the foreground.
func (r *RunCmd) Run(g *globals) error {
	cfg, err := r.config()
	if err != nil {
		return err
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	undoPod, err := newPodFor(g.ctx, eng, &cfg, r.puller(eng))
	if err != nil {
		return err
	}
	if r.Detach {
		ctr, _, err := eng.Run(g.ctx, cfg, r.puller(eng), engine.StartOptions{})
		if err != nil {
			if ctr == nil {
				undoPod()
			}
			if ctr != nil && cfg.Remove {
				eng.Remove(g.ctx, ctr, engine.RemoveOptions{Force: true, Timeout: new(time.Duration)})
			}
			return err
		}
		printWarnings(ctr.Warnings)
		if cfg.LogDriver != engine.LogPassthrough { // stdout may be the container's: podman prints nothing then
			fmt.Println(ctr.ID)
		}
		return nil
	}
	// passthrough: the container reads stdin itself.
	ctr, p, err := eng.RunAttached(g.ctx, cfg, userStreams(cfg.LogDriver != engine.LogPassthrough), r.puller(eng))
	if ctr != nil {
		printWarnings(ctr.Warnings)
	}
	if err != nil {
		if ctr == nil {
			undoPod()
		}
		return err
	}
	code, err := foreground(p, cfg.TTY)
	if err != nil {
		return err
	}
	return exitCode(code)
}

// puller pulls a missing image with the command's pull options.
func (r *RunCmd) puller(eng *engine.Engine) engine.PullFunc {
	return eng.Puller(r.options(r.Quiet))
}

func (r *RunCmd) config() (engine.Config, error) {
	cfg := engine.Config{
		Name: r.Name, Env: r.Env, Workdir: r.Workdir, User: r.User, Hostname: r.Hostname,
		Entrypoint: r.Entrypoint, CapAdd: r.CapAdd, CapDrop: r.CapDrop, Privileged: r.Privileged,
		ReadOnly: r.ReadOnly, Interactive: r.Interactive, TTY: r.TTY, Remove: r.Rm, Pod: r.Pod,
	}
	var err error
	if cfg.Labels, err = parseLabels(r.Label); err != nil {
		return cfg, err
	}
	if cfg.Healthcheck, err = r.health(); err != nil {
		return cfg, err
	}
	if cfg.Network, cfg.AllowHostLoopback, cfg.Networks, err = engine.ParseNetworks(r.Network, r.NetAlias, r.IP, r.MACAddress); err != nil {
		return cfg, err
	}
	for _, p := range r.Publish {
		m, err := engine.ParsePublish(p)
		if err != nil {
			return cfg, err
		}
		cfg.Ports = append(cfg.Ports, m)
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
	cfg.DNS = r.DNS
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
	cfg.OOMScoreAdj = r.OOMScoreAdj
	if cfg.Restart, cfg.RestartMax, err = engine.ParseRestartPolicy(r.Restart); err != nil {
		return cfg, err
	}
	if r.Rm && cfg.Restart != "" && cfg.Restart != "no" {
		return cfg, invalidf("the --rm option conflicts with --restart %s: choose one", r.Restart)
	}
	for _, o := range r.SecurityOpt {
		switch o {
		case "no-new-privileges", "no-new-privileges=true", "no-new-privileges:true":
			cfg.NoNewPrivileges = true
		case "seccomp=unconfined", "seccomp:unconfined":
			cfg.Seccomp = "unconfined"
		default:
			if path, ok := strings.CutPrefix(o, "seccomp="); ok {
				if cfg.Seccomp, err = filepath.Abs(path); err != nil {
					return cfg, err
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
			return cfg, invalidf("unsupported --security-opt %q: burrow knows no-new-privileges, seccomp=PROFILE.json|unconfined, mask=PATHS and unmask=PATHS|ALL", o)
		}
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
