package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/sys/user"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.podman.io/storage/pkg/stringid"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/limits"
	"github.com/burrow-containers/burrow/sandbox"
)

// DefaultCapabilities is podman's default capability set.
var DefaultCapabilities = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
	"CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
	"CAP_SETUID", "CAP_SYS_CHROOT",
}

// DefaultMaskedPaths and DefaultReadonlyPaths are podman's.
var (
	DefaultMaskedPaths = []string{
		"/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/sched_debug", "/proc/scsi", "/proc/timer_list", "/proc/timer_stats",
		"/sys/dev/block", "/sys/devices/virtual/powercap", "/sys/firmware", "/sys/fs/selinux",
		"/proc/interrupts",
	}
	DefaultReadonlyPaths = []string{
		"/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
	}
)

// DefaultPath is the PATH a container gets when its image sets none.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// capabilities resolves the container's capability set from the defaults,
// --privileged, --cap-add and --cap-drop (both accepting ALL).
func capabilities(c *Config) ([]string, error) {
	set := map[string]bool{}
	base := DefaultCapabilities
	if c.Privileged {
		base = sandbox.CapNames()
	}
	for _, n := range base {
		set[n] = true
	}
	norm := func(n string) (string, error) {
		if strings.EqualFold(n, "ALL") {
			return "ALL", nil
		}
		if _, ok := sandbox.ParseCap(n); !ok {
			return "", errdefs.Invalid(fmt.Errorf("unknown capability %q: see capabilities(7) for the names", n))
		}
		n = strings.ToUpper(n)
		if !strings.HasPrefix(n, "CAP_") {
			n = "CAP_" + n
		}
		return n, nil
	}
	for _, n := range c.CapDrop {
		n, err := norm(n)
		if err != nil {
			return nil, err
		}
		if n == "ALL" {
			set = map[string]bool{}
			continue
		}
		delete(set, n)
	}
	for _, n := range c.CapAdd {
		n, err := norm(n)
		if err != nil {
			return nil, err
		}
		if n == "ALL" {
			for _, a := range sandbox.CapNames() {
				set[a] = true
			}
			continue
		}
		set[n] = true
	}
	var out []string
	for _, n := range sandbox.CapNames() {
		if set[n] {
			out = append(out, n)
		}
	}
	return out, nil
}

// processArgs combines the image's entrypoint and command with the user's
// overrides as podman does: a new entrypoint drops the image's Cmd.
func processArgs(c *Config, img *v1.ImageConfig) []string {
	entry, cmd := entrypointAndCmd(c, img)
	return append(append([]string{}, entry...), cmd...)
}

// entrypointAndCmd are the container's entrypoint and command: the
// image's unless c replaces them (an entrypoint given drops the image's
// command too, as podman's and Docker's).
func entrypointAndCmd(c *Config, img *v1.ImageConfig) (entry, cmd []string) {
	if img != nil {
		entry, cmd = img.Entrypoint, img.Cmd
	}
	if c.Entrypoint != nil {
		entry = nil
		if *c.Entrypoint != "" {
			entry = []string{*c.Entrypoint}
		}
		cmd = nil
	}
	if len(c.Command) > 0 {
		cmd = c.Command
	}
	return entry, cmd
}

// mergeEnv applies overrides (K=V, or K alone to take it from host) on base.
func mergeEnv(base, overrides []string, lookup func(string) (string, bool)) []string {
	out := append([]string{}, base...)
	index := map[string]int{}
	for i, kv := range out {
		k, _, _ := strings.Cut(kv, "=")
		index[k] = i
	}
	for _, kv := range overrides {
		k, _, hasValue := strings.Cut(kv, "=")
		if !hasValue {
			v, ok := lookup(k)
			if !ok {
				continue
			}
			kv = k + "=" + v
		}
		if i, ok := index[k]; ok {
			out[i] = kv
			continue
		}
		index[k] = len(out)
		out = append(out, kv)
	}
	return out
}

// processEnv is a container's environment, as podman makes it:
// containers.conf's env (PATH and TERM=xterm by default), the image's,
// container=podman and HOSTNAME, less --unsetenv's (all of it with
// --unsetenv-all), HOME when still missing, then -e's.
func (e *Engine) processEnv(c *Config, imgEnv []string, hostname, home string) []string {
	var env []string
	if !c.UnsetEnvAll {
		defaults := []string{"PATH=" + DefaultPath}
		if conf, err := e.conf(); err == nil && conf.Containers.Env.Get() != nil {
			defaults = conf.Containers.Env.Get()
		}
		if !hasEnv(defaults, "TERM") {
			// podman 4's default containers.conf env has it
			defaults = append(defaults, "TERM=xterm")
		}
		defaults = append(defaults, c.ProxyEnv...)
		noHost := func(string) (string, bool) { return "", false }
		env = mergeEnv(mergeEnv(defaults, imgEnv, noHost), []string{"container=podman"}, noHost)
	}
	env = append(env, "HOSTNAME="+hostname)
	for _, k := range c.UnsetEnv {
		env = slices.DeleteFunc(env, func(kv string) bool { return strings.HasPrefix(kv, k+"=") })
	}
	if !hasEnv(env, "HOME") {
		env = append(env, "HOME="+home)
	}
	return mergeEnv(env, c.Env, os.LookupEnv)
}

func hasEnv(env []string, key string) bool {
	for _, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			return true
		}
	}
	return false
}

// defaultMounts are the kernel filesystems every container gets, as podman's.
func defaultMounts(privileged bool, shmSize int64) []specs.Mount {
	sysOpts := []string{"nosuid", "noexec", "nodev", "ro"}
	if privileged {
		sysOpts = []string{"nosuid", "noexec", "nodev"}
	}
	return []specs.Mount{
		{Destination: "/proc", Type: "proc", Source: "proc", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
		{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}},
		{Destination: "/dev/shm", Type: "tmpfs", Source: "shm", Options: []string{"nosuid", "noexec", "nodev", "mode=1777", fmt.Sprintf("size=%d", ShmBytes(shmSize))}},
		{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: sysOpts},
	}
}

// defaultDevices are bound from the host: a user namespace cannot mknod.
func defaultDevices() []specs.LinuxDevice {
	var out []specs.LinuxDevice
	for _, n := range []string{"null", "zero", "full", "random", "urandom", "tty"} {
		out = append(out, specs.LinuxDevice{Path: "/dev/" + n, Type: "c"})
	}
	return out
}

// applyMasks adds the user's masked paths and removes the unmasked ones
// (ALL: every default masked and read-only path).
func applyMasks(masked, readonly, mask, unmask []string) ([]string, []string, error) {
	out := append([]string{}, masked...)
	for _, m := range mask {
		if !filepath.IsAbs(m) {
			return nil, nil, errdefs.Invalid(fmt.Errorf("invalid mask=%s: paths must be absolute", m))
		}
		out = append(out, filepath.Clean(m))
	}
	for _, u := range unmask {
		if u == "ALL" {
			return nil, nil, nil
		}
		var kept []string
		for _, m := range out {
			if ok, _ := filepath.Match(u, m); !ok && m != filepath.Clean(u) {
				kept = append(kept, m)
			}
		}
		out = kept
		var ro []string
		for _, r := range readonly {
			if ok, _ := filepath.Match(u, r); !ok && r != filepath.Clean(u) {
				ro = append(ro, r)
			}
		}
		readonly = ro
	}
	return out, readonly, nil
}

func mountDepth(p string) int { return strings.Count(filepath.Clean(p), "/") }

func (ctr *Container) buildSpec(rootfs string, img *v1.ImageConfig) (*specs.Spec, error) {
	c := &ctr.Config
	args := processArgs(c, img)
	if len(args) == 0 {
		return nil, errdefs.Invalid(errors.New("no command specified: the image has no CMD or ENTRYPOINT; give one after the image name"))
	}
	var imgEnv []string
	workdir, userSpec := "/", ""
	if img != nil {
		imgEnv = img.Env
		if img.WorkingDir != "" {
			workdir = img.WorkingDir
		}
		userSpec = img.User
	}
	if c.Workdir != "" {
		workdir = c.Workdir
	}
	if !filepath.IsAbs(workdir) {
		return nil, errdefs.Invalid(fmt.Errorf("working directory %q is not absolute", workdir))
	}
	if m := ctr.idmaps; m != nil && m.KeepID {
		// As podman: keep-id runs the process as the user by default.
		userSpec = fmt.Sprintf("%d:%d", m.UID, m.GID)
	}
	if c.User != "" {
		userSpec = c.User
	}
	var err error
	accounts := &accountFiles{rootfs: rootfs, inPlace: ctr.Stored, dir: filepath.Join(ctr.engine.ctrDir(ctr.ID), "etc")}
	for _, u := range c.HostUsers {
		if err := accounts.hostUser(u); err != nil {
			return nil, err
		}
	}
	var keepHome string
	if m := ctr.idmaps; m != nil && m.KeepID {
		if keepHome, err = ctr.keepIDUser(accounts, m.UID, m.GID, workdir); err != nil {
			return nil, err
		}
	}
	execUser, err := resolveUser(rootfs, userSpec)
	if err != nil {
		return nil, err
	}
	if m := ctr.idmaps; m != nil && m.KeepID && execUser.Uid == int(m.UID) {
		execUser.Home = keepHome
	}
	userFiles := accounts.mounts
	hostname := c.Hostname
	if hostname == "" {
		hostname = stringid.TruncateID(ctr.ID)
	}
	env := ctr.engine.processEnv(c, imgEnv, hostname, execUser.Home)

	caps, err := capabilities(c)
	if err != nil {
		return nil, err
	}
	pcaps := &specs.LinuxCapabilities{Bounding: caps}
	if execUser.Uid == 0 {
		pcaps.Effective, pcaps.Permitted = caps, caps
	} else {
		// As podman: a non-root user gets only the capabilities added for it.
		added, _ := capabilities(&Config{CapAdd: c.CapAdd, CapDrop: []string{"ALL"}})
		pcaps.Effective, pcaps.Permitted, pcaps.Ambient, pcaps.Inheritable = added, added, added, added
	}
	gids, err := supplementaryGroups(rootfs, execUser.Sgids, c.GroupAdd)
	if err != nil {
		return nil, err
	}

	etc, err := ctr.writeEtcFiles(hostname)
	if err != nil {
		return nil, err
	}
	etc = append(etc, userFiles...)
	if m := ctr.idmaps; m != nil {
		// The container's root owns its /etc files, as under podman.
		u, _ := mapID(m.UIDs, 0)
		g, _ := mapID(m.GIDs, 0)
		for _, f := range etc {
			if err := os.Lchown(f.Source, u, g); err != nil {
				return nil, fmt.Errorf("handing %s to the container's root: %w", f.Destination, err)
			}
		}
	}
	mounts := append(ctr.engine.ipcMounts(ctr.ID, c, defaultMounts(c.Privileged, c.ShmSize)), etc...)
	if limits.CgroupV2() && !c.CgroupsDisabled {
		// The container's own cgroup (its namespace's root), read-only
		// unless privileged, as podman's.
		opts := []string{"nosuid", "noexec", "nodev", "ro"}
		if c.Privileged {
			opts = opts[:3]
		}
		mounts = append(mounts, specs.Mount{Destination: "/sys/fs/cgroup", Type: "cgroup2", Source: "cgroup2", Options: opts})
	}
	args, mounts = withInit(c, args, mounts)
	hostProc(c, mounts)
	rlimits, err := ctr.engine.rlimits(c)
	if err != nil {
		return nil, err
	}
	namespaces := ctr.engine.containerNamespaces(ctr.ID, c)
	spec := &specs.Spec{
		Version:     specs.Version,
		Hostname:    hostname,
		Domainname:  c.Domainname,
		Annotations: annotations(c),
		Root:        &specs.Root{Path: rootfs, Readonly: c.ReadOnly},
		Process: &specs.Process{
			Terminal:        c.TTY,
			Args:            args,
			Env:             env,
			Cwd:             workdir,
			User:            specs.User{UID: uint32(execUser.Uid), GID: uint32(execUser.Gid), AdditionalGids: gids, Umask: umaskOf(c)},
			Capabilities:    pcaps,
			NoNewPrivileges: c.NoNewPrivileges,
			OOMScoreAdj:     c.OOMScoreAdj,
			Rlimits:         rlimits,
		},
		Mounts: mounts,
		Linux: &specs.Linux{
			Namespaces: namespaces,
			Devices:    defaultDevices(),
		},
	}
	if m := ctr.idmaps; m != nil {
		spec.Linux.UIDMappings, spec.Linux.GIDMappings = m.UIDs, m.GIDs
	}
	if !c.Privileged {
		spec.Linux.MaskedPaths = DefaultMaskedPaths
		spec.Linux.ReadonlyPaths = DefaultReadonlyPaths
	}
	if spec.Linux.MaskedPaths, spec.Linux.ReadonlyPaths, err = applyMasks(spec.Linux.MaskedPaths, spec.Linux.ReadonlyPaths, c.Mask, c.Unmask); err != nil {
		return nil, err
	}
	if spec.Linux.Seccomp, err = seccompProfile(c, spec); err != nil {
		return nil, err
	}
	return spec, nil
}

// containerNamespaces are the namespaces a container of c gets.
func (e *Engine) containerNamespaces(id string, c *Config) []specs.LinuxNamespace {
	var ns []specs.LinuxNamespace
	if n, ok := e.modeNamespace(specs.PIDNamespace, "pid", c.PID); ok {
		ns = append(ns, n)
	}
	ns = append(ns, specs.LinuxNamespace{Type: specs.MountNamespace})
	if n, ok := e.modeNamespace(specs.UTSNamespace, "uts", c.UTS); ok {
		ns = append(ns, n)
	}
	if n, ok := e.modeNamespace(specs.IPCNamespace, "ipc", c.IPC); ok {
		ns = append(ns, n)
	}
	if n, ok := e.networkNamespace(id, c); ok {
		ns = append(ns, n)
	}
	if limits.CgroupV2() {
		ns = append(ns, specs.LinuxNamespace{Type: specs.CgroupNamespace})
	}
	if nestedUserNS(c) {
		ns = append(ns, specs.LinuxNamespace{Type: specs.UserNamespace})
	}
	return e.podNamespaces(c, ns)
}

// resolveUser turns a user spec into IDs with the container's own
// /etc/passwd and /etc/group, never following links out of rootfs.
func resolveUser(rootfs, spec string) (*user.ExecUser, error) {
	u, err := sandbox.LookupUser(rootfs, spec)
	if err != nil {
		return nil, errdefs.Invalid(fmt.Errorf("resolving user %q in the container: %w", spec, err))
	}
	return u, nil
}

// writeEtcFiles writes /etc/hostname, /etc/hosts and /etc/resolv.conf for
// the container into its run directory and returns their bind mounts.
func (ctr *Container) writeEtcFiles(hostname string) ([]specs.Mount, error) {
	var mounts []specs.Mount
	dir := filepath.Join(ctr.engine.ctrDir(ctr.ID), "etc")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "hostname"), []byte(hostname+"\n"), 0o644); err != nil {
		return nil, fmt.Errorf("writing hostname: %w", err)
	}
	if err := ctr.engine.writeNetworkEtc(dir, ctr.ID, &ctr.Config, hostname, ctr.Name); err != nil {
		return nil, err
	}
	// A --read-only container cannot write them either, as podman's.
	opts := []string{"bind", "nosuid", "nodev", "noexec"}
	if ctr.Config.ReadOnly {
		opts = append(opts, "ro")
	}
	for _, name := range []string{"hostname", "hosts", "resolv.conf"} {
		p := filepath.Join(dir, name)
		if name == "hosts" && (ctr.Config.NoHosts || ctr.engine.podNoHosts(&ctr.Config)) {
			continue // written for the members' /etc/hosts, not mounted
		}
		mounts = append(mounts, specs.Mount{Destination: "/etc/" + name, Type: "bind", Source: p, Options: slices.Clone(opts)})
	}
	p := filepath.Join(dir, ".containerenv")
	if err := os.WriteFile(p, []byte(ctr.containerEnv()), 0o644); err != nil {
		return nil, fmt.Errorf("writing .containerenv: %w", err)
	}
	mounts = append(mounts, specs.Mount{Destination: "/run/.containerenv", Type: "bind", Source: p, Options: slices.Clone(opts)})
	if ctr.Config.Timezone != "" {
		p, err := ctr.timezoneFile(dir)
		if err != nil {
			return nil, err
		}
		mounts = append(mounts, specs.Mount{Destination: "/etc/localtime", Type: "bind", Source: p, Options: []string{"bind", "nosuid", "nodev", "noexec", "ro"}})
	}
	return mounts, nil
}
