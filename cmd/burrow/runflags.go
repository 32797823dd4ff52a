package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	units "github.com/docker/go-units"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/limits"
	"github.com/burrow-containers/burrow/userns"
)

// podmanRunFlags are the flags of podman's run and create that shape how
// the command itself behaves (pulls, files it writes, what it attaches)
// and the container's identity and environment.
type podmanRunFlags struct {
	LabelFile    []string `name:"label-file" sep:"none" help:"Read labels from a file of K=V lines."`
	EnvFile      []string `name:"env-file" sep:"none" help:"Read environment variables from a file of K=V lines."`
	UnsetEnv     []string `name:"unsetenv" sep:"none" help:"Leave a default or image variable out of the environment (repeatable)."`
	UnsetEnvAll  bool     `name:"unsetenv-all" help:"Leave every default and image variable out: only -e's remain."`
	StopSignal   string   `name:"stop-signal" help:"Signal that stops the container (default: the image's, else SIGTERM)."`
	StopTimeout  *uint    `name:"stop-timeout" help:"Seconds a stop waits for the stop signal before SIGKILL (default: containers.conf's, 10)."`
	Timeout      uint     `name:"timeout" help:"Kill the container after this many seconds (its exit code is then -1)."`
	TZ           string   `name:"tz" help:"Time zone of the container: a name of /usr/share/zoneinfo, or local."`
	HostUser     []string `name:"hostuser" sep:"none" help:"Add a host account (name or UID) to the container's /etc/passwd (repeatable)."`
	Replace      bool     `name:"replace" help:"Remove a container of the same name first."`
	CIDFile      string   `name:"cidfile" help:"Write the container's ID to this file, which must not exist."`
	ConmonPID    string   `name:"conmon-pidfile" help:"Write the PID of the container's monitor (burrow's conmon) to this file."`
	PIDFile      string   `name:"pidfile" help:"Write the PID of the container's process to this file."`
	Pull         string   `name:"pull" enum:"always,missing,never,newer" default:"missing" help:"Pull the image: always, missing (default), never, or newer (when the registry has a newer one)."`
	Rmi          bool     `name:"rmi" help:"Remove the image once the container is removed, unless another container uses it (implies --rm)."`
	Attach       []string `short:"a" name:"attach" sep:"none" help:"Attach only these streams: stdin, stdout, stderr (repeatable)."`
	KernelMemory string   `name:"kernel-memory" hidden:"" help:"No longer supported: ignored with a warning, as podman."`
	Runtime      string   `name:"runtime" help:"OCI runtime: burrow's own, by name (burrow) or path; others are refused."`
	ImageVolume  string   `name:"image-volume" enum:"bind,tmpfs,ignore," default:"" help:"What the image's VOLUMEs become: bind (anonymous volumes, the default), tmpfs or ignore."`
	Init         *bool    `name:"init" help:"Run an init (catatonit) as the container's PID 1, the command its child: it reaps orphans and passes signals on (default: containers.conf's init)."`
	InitPath     string   `name:"init-path" help:"The init --init runs (default: containers.conf's init_path, else catatonit); without --init it is not used."`
	Device       []string `name:"device" sep:"none" help:"Give the container a host device, HOST[:CONTAINER][:PERMISSIONS] (r, w, m; default rwm): the node (or every node under a directory) is bind-mounted, as rootless podman does; its host permissions decide what the container may do with it (repeatable)."`
	Sysctl       []string `name:"sysctl" sep:"none" help:"Set a sysctl of the container's network namespace, net.KEY=VALUE (repeatable)."`
	ShmSize      string   `name:"shm-size" help:"Size of /dev/shm, <number>[<unit>] with unit b, k, m or g (default: containers.conf's shm_size, 64m)."`
	Annotation   []string `name:"annotation" sep:"none" help:"Add an annotation to the container, KEY=VALUE (repeatable)."`
	Expose       []string `name:"expose" sep:"none" help:"Expose a port or a range, PORT[-PORT][/tcp|/udp] (-P publishes it; repeatable)."`
	NoHosts      bool     `name:"no-hosts" help:"Leave the image's /etc/hosts as it is: burrow mounts none of its own."`
	EnvHost      bool     `name:"env-host" help:"Pass your whole environment into the container (before --env-file's and -e's)."`
	PodIDFile    string   `name:"pod-id-file" help:"Run in the pod whose ID this file holds (pod create --pod-id-file)."`
	Umask        string   `name:"umask" help:"The umask of the container's processes (default: containers.conf's umask, 0022)."`
	platformFlags
	Ulimit    []string `name:"ulimit" sep:"none" help:"Set a resource limit, NAME=SOFT[:HARD] (nofile, nproc, core, ...; -1: your hard limit), or host for your own (open files raised to your hard limit, as podman's) (repeatable; default nofile and nproc: your hard limits, at most 1048576)."`
	SdNotify  string   `name:"sdnotify" enum:"conmon,container,ignore," default:"" help:"How systemd hears the container is ready: conmon (burrow tells it once the container runs, the default) or ignore; container is not supported."`
	Systemd   string   `name:"systemd" default:"true" help:"Run in systemd mode: true (when the command is an init or systemd), always, or false."`
	PID       string   `name:"pid" help:"PID namespace: private (the default), host (your processes are visible; /proc is the host's), container:NAME (join that container's) or ns:PATH."`
	UTS       string   `name:"uts" help:"UTS namespace: private (the default), host (the host's hostname), container:NAME or ns:PATH."`
	IPC       string   `name:"ipc" help:"IPC namespace: shareable (the default: others may join it), private, none (no /dev/shm), host, or container:NAME (join that container's)."`
	Secret    []string `name:"secret" sep:"none" help:"Give the container a secret (burrow secret create): NAME[,type=mount|env,target=TARGET,uid=UID,gid=GID,mode=MODE]; a file at /run/secrets/NAME by default (repeatable)."`
	GroupAdd  []string `name:"group-add" sep:"none" help:"Add a supplementary group: a GID or a group name of the container's /etc/group (repeatable)."`
	HTTPProxy *bool    `name:"http-proxy" negatable:"" help:"Pass the proxy variables of your environment (http_proxy, https_proxy, ftp_proxy, no_proxy, either case) into the container (default: containers.conf's http_proxy, true; --http-proxy=false not)."`
}

// apply sets the container's settings of these flags in cfg.
func (f *podmanRunFlags) apply(cfg *engine.Config) error {
	if len(f.EnvFile) > 0 {
		env, err := envFiles(f.EnvFile)
		if err != nil {
			return err
		}
		cfg.Env = append(env, cfg.Env...)
	}
	if f.Init != nil {
		cfg.Init = *f.Init
	}
	for _, d := range f.Device {
		dev, err := engine.ParseDevice(d)
		if err != nil {
			return err
		}
		cfg.Devices = append(cfg.Devices, dev)
	}
	sysctls, err := engine.ParseSysctls(f.Sysctl)
	if err != nil {
		return err
	}
	cfg.Sysctls = append(cfg.Sysctls, sysctls...)
	if cfg.ShmSize, err = parseShmSize(f.ShmSize); err != nil {
		return err
	}
	if err := engine.CheckUlimits(f.Ulimit); err != nil {
		return err
	}
	cfg.Ulimits = f.Ulimit
	if err := f.applyHostsAndPorts(cfg); err != nil {
		return err
	}
	cfg.InitPath = f.InitPath // as podman's, used with an init only (engine.settleInit)
	for _, a := range f.Attach {
		switch strings.ToLower(a) {
		case "stdin", "stdout", "stderr":
		default:
			return invalidf("invalid stream %q for --attach - must be one of stdin, stdout, or stderr: invalid argument", a)
		}
	}
	if f.StopSignal != "" {
		// Read here as podman's CLI does, so its message comes alone
		// (the engine's check names the setting, for the API).
		if _, err := engine.ParseSignal(f.StopSignal); err != nil {
			return err
		}
	}
	if f.HTTPProxy != nil && *f.HTTPProxy {
		cfg.ProxyEnv = engine.HostProxyEnv()
	}
	if err := checkSdNotify(f.SdNotify); err != nil {
		return err
	}
	if err := engine.CheckSystemdMode(f.Systemd); err != nil {
		return err
	}
	cfg.Systemd = f.Systemd
	if err := f.applyIPCGroups(cfg); err != nil {
		return err
	}
	cfg.UnsetEnv, cfg.UnsetEnvAll = f.UnsetEnv, f.UnsetEnvAll
	cfg.StopSignal, cfg.StopTimeout, cfg.Timeout = f.StopSignal, f.StopTimeout, f.Timeout
	cfg.Timezone, cfg.HostUsers, cfg.Runtime, cfg.ImageVolumes = f.TZ, f.HostUser, f.Runtime, f.ImageVolume
	if f.Rmi {
		cfg.Remove = true
	}
	return nil
}

// applyIPCGroups sets the container's --ipc, --group-add and --secret in cfg.
func (f *podmanRunFlags) applyIPCGroups(cfg *engine.Config) (err error) {
	if cfg.IPC, err = engine.ParseIPC(f.IPC); err != nil {
		return err
	}
	if err := engine.CheckGroupAdd(f.GroupAdd); err != nil {
		return err
	}
	cfg.GroupAdd = f.GroupAdd
	for _, s := range f.Secret {
		ref, err := engine.ParseSecret(s)
		if err != nil {
			return err
		}
		cfg.Secrets = append(cfg.Secrets, ref)
	}
	return nil
}

// notes are podman's warnings of these flags, printed as podman prints them.
func (f *podmanRunFlags) notes() []string {
	if f.KernelMemory != "" {
		return []string{"The --kernel-memory flag is no longer supported. This flag is a noop."}
	}
	return nil
}

// limitNote is podman's warning for resource flags that ask for no limit
// (--memory=0) where a rootless container can have none (cgroup v1):
// they are ignored. A limit asked for there is refused instead.
func limitNote(f limitFlags, l limits.Limits) []string {
	given := f.Memory != "" || f.MemorySwap != "" || f.MemoryReservation != "" || f.PidsLimit != nil
	if !given || l.Requested() || limits.CgroupV2() || userns.HostUID() == 0 {
		return nil
	}
	return []string{"Resource limits are not supported and ignored on cgroups V1 rootless systems"}
}

// attached tells whether stream is attached to a foreground run: every
// stream is without --attach (stdin with -i).
func (f *podmanRunFlags) attached(stream string) bool {
	if len(f.Attach) == 0 {
		return true
	}
	for _, a := range f.Attach {
		if strings.EqualFold(a, stream) {
			return true
		}
	}
	return false
}

// checkCIDFile refuses a --cidfile that exists, before anything is made.
func (f *podmanRunFlags) checkCIDFile() error {
	if f.CIDFile == "" {
		return nil
	}
	if _, err := os.Lstat(f.CIDFile); err == nil {
		return invalidf("container id file exists. Ensure another container is not using it or delete %s", f.CIDFile)
	}
	return nil
}

// writeFiles writes --cidfile, --conmon-pidfile and --pidfile for ctr.
func (f *podmanRunFlags) writeFiles(ctr *engine.Container) error {
	if f.CIDFile != "" {
		fd, err := os.OpenFile(f.CIDFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return fmt.Errorf("opening CIDFile: %w", err)
		}
		_, err = fd.WriteString(ctr.ID)
		if cerr := fd.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("writing CIDFile: %w", err)
		}
	}
	for path, pid := range map[string]int{f.ConmonPID: ctr.State.MonitorPid, f.PIDFile: ctr.State.Pid} {
		if path != "" && pid > 0 {
			if err := os.WriteFile(path, []byte(fmt.Sprintf("%d", pid)), 0o644); err != nil {
				return fmt.Errorf("writing %s: %w", path, err)
			}
		}
	}
	return nil
}

// parseEntrypoint reads --entrypoint: a JSON array (podman's form for a
// command with arguments) or a single command.
func parseEntrypoint(s *string) ([]string, bool, error) {
	if s == nil {
		return nil, false, nil
	}
	if strings.HasPrefix(strings.TrimSpace(*s), "[") {
		var args []string
		if err := json.Unmarshal([]byte(*s), &args); err != nil {
			return nil, false, invalidf("invalid --entrypoint %s: a JSON array of strings, or a single command", *s)
		}
		return args, true, nil
	}
	if *s == "" {
		return []string{}, true, nil
	}
	return []string{*s}, true, nil
}

// keyValues reads K=V pairs from files (one a line, # comments) and then
// the flags' values, as podman's --label-file and --label.
func keyValues(files, values []string, flag string) (map[string]string, error) {
	out := map[string]string{}
	lines := []string{}
	for _, f := range files {
		l, err := readLines(f)
		if err != nil {
			return nil, invalidf("%s-file %s: %v", flag, f, err)
		}
		lines = append(lines, l...)
	}
	for _, kv := range append(lines, values...) {
		k, v, _ := strings.Cut(kv, "=")
		if k == "" {
			return nil, invalidf("invalid %s %q: use KEY=VALUE", flag, kv)
		}
		out[k] = v
	}
	return out, nil
}

// envFiles reads --env-file files: K=V lines (K alone takes the host's).
func envFiles(files []string) ([]string, error) {
	var out []string
	for _, f := range files {
		l, err := readLines(f)
		if err != nil {
			return nil, invalidf("--env-file %s: %v", f, err)
		}
		out = append(out, l...)
	}
	return out, nil
}

// readLines returns the lines of a file that are neither empty nor comments.
func readLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out, sc.Err()
}

// errImageNotKnown is podman's error for a missing image that may not be
// pulled (--pull never).
func errImageNotKnown(ref string) error {
	return errdefs.NotFound(errors.New(ref + ": image not known"))
}

// applyHostsAndPorts sets --env-host, --no-hosts, --umask, --annotation,
// --pid, --uts, --expose and --pod-id-file in cfg.
func (f *podmanRunFlags) applyHostsAndPorts(cfg *engine.Config) error {
	if f.EnvHost {
		cfg.Env = append(os.Environ(), cfg.Env...)
	}
	cfg.NoHosts, cfg.Umask = f.NoHosts, f.Umask
	for _, a := range f.Annotation {
		k, v, err := engine.ParseAnnotation(a)
		if err != nil {
			return err
		}
		if cfg.Annotations == nil {
			cfg.Annotations = map[string]string{}
		}
		cfg.Annotations[k] = v
	}
	var err error
	if cfg.PID, err = engine.ParseNamespaceMode("--pid", f.PID); err != nil {
		return err
	}
	if cfg.UTS, err = engine.ParseNamespaceMode("--uts", f.UTS); err != nil {
		return err
	}
	for _, e := range f.Expose {
		ports, err := engine.ParseExpose(e)
		if err != nil {
			return err
		}
		cfg.Expose = append(cfg.Expose, ports...)
	}
	if f.PodIDFile != "" {
		if cfg.Pod != "" {
			return invalidf("--pod and --pod-id-file cannot be set together")
		}
		b, err := os.ReadFile(f.PodIDFile)
		if err != nil {
			return invalidf("reading --pod-id-file: %v", err)
		}
		if cfg.Pod = strings.TrimSpace(string(b)); cfg.Pod == "" {
			return invalidf("--pod-id-file %s is empty: give the file pod create --pod-id-file wrote", f.PodIDFile)
		}
	}
	return nil
}

// parseShmSize reads --shm-size (of run, create and build) in bytes; ""
// is 0, the default.
func parseShmSize(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	n, err := units.RAMInBytes(s)
	if err != nil || n < 0 {
		return 0, invalidf("unable to translate --shm-size: invalid size: '%s'", s)
	}
	return n, nil
}
