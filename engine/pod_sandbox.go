package engine

import (
	"bufio"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/roles"
)

// How the containers of a pod share its infra's namespaces:
//
//   - network: a member's network mode is container:INFRA-ID, so that it
//     joins the infra's network namespace as any container: mode does;
//     its /etc/hosts and /etc/resolv.conf are the infra's, with its own
//     name added on 127.0.0.1, as podman writes them.
//   - IPC, UTS, PID, cgroup: the member's spec names the infra's
//     /proc/PID/ns files; the monitor enters them before it clones the
//     init, which then makes only the namespaces left.
//   - /dev/shm: with IPC shared, the infra and its members bind one tmpfs,
//     mounted in burrow's mount namespace when the infra starts and
//     unmounted when it exits (shared memory of an IPC namespace is
//     /dev/shm's files).
//   - a member's start starts the infra first, as podman's.

// preparePodMember settles the configuration of a container joining a
// pod (run/create --pod): the pod by ID, and the namespaces of its infra
// in place of the container's own, refusing what the pod holds.
func (e *Engine) preparePodMember(c *Config) error {
	if c.Pod == "" || c.PodInfra != "" {
		return nil
	}
	p, err := e.findPod(c.Pod)
	if err != nil {
		return err
	}
	c.Pod = p.ID
	if nestedUserNS(c) && p.InfraID != "" {
		// The pod's namespaces belong to burrow's user namespace: a
		// container in one of its own could not mount its /dev/mqueue
		// or set up its network there.
		return errdefs.Invalid(fmt.Errorf("cannot set user namespace mode when joining pod with infra container: pod %s's containers share its user namespace; drop --userns, --uidmap and --gidmap", p.Name))
	}
	if p.shares("net") && c.Network == "" && len(c.Networks) == 0 {
		switch {
		case len(c.Ports) > 0 || c.PublishAll:
			return errdefs.Invalid(fmt.Errorf("published ports are the pod's: pod %s shares its network, so publish them with pod create -p", p.Name))
		case len(c.AddHosts) > 0:
			return errdefs.Invalid(fmt.Errorf("invalid config provided: extra host entries must be specified on the pod: network cannot be configured when it is shared with a pod: pod %s shares its network, so give --add-host to pod create", p.Name))
		case c.AllowHostLoopback || c.NetworkRate > 0:
			return errdefs.Invalid(fmt.Errorf("network options are the pod's: pod %s shares its network, so give them to pod create", p.Name))
		}
		// As podman's, a member's --dns is no error: its /etc/resolv.conf
		// is the pod's (podEtcFiles).
		c.Network = "container:" + p.InfraID
	}
	if err := e.addPodMounts(c, p); err != nil {
		return err
	}
	if p.shares("uts") {
		if c.Hostname != "" && c.Hostname != p.hostname() {
			return errdefs.Invalid(fmt.Errorf("invalid config provided: cannot set hostname when joining the pod UTS namespace: invalid configuration: pod %s shares its hostname (%s); set it with pod create --hostname", p.Name, p.hostname()))
		}
		c.Hostname = p.hostname()
	}
	return nil
}

// addPodMounts gives a member the volumes and binds of pod create -v,
// which its infra holds, as podman's: the same mounts, where a mount of
// the member's own would be a second at one place.
func (e *Engine) addPodMounts(c *Config, p *PodRecord) error {
	if p.InfraID == "" {
		return nil
	}
	infra, err := e.Get(p.InfraID)
	if err != nil {
		return fmt.Errorf("pod %s's infra: %w", p.Name, err)
	}
	for _, m := range infra.Config.Mounts {
		if m.Type == "tmpfs" {
			continue
		}
		if slices.ContainsFunc(c.Mounts, func(o MountSpec) bool { return filepath.Clean(o.Destination) == filepath.Clean(m.Destination) }) {
			return errdefs.Invalid(fmt.Errorf("%q: duplicate mount destination: pod %s mounts it for all its containers (pod create -v); drop this container's mount there", m.Destination, p.Name))
		}
		m.Anonymous, m.Chown = false, false // the infra's
		c.Mounts = append(c.Mounts, m)
	}
	return nil
}

// podNetworkInfra is the container whose network namespace a pod member
// joins, "" for any other container.
func podNetworkInfra(c *Config) string {
	if c.Pod == "" || c.PodInfra != "" {
		return ""
	}
	id, _ := strings.CutPrefix(c.Network, "container:")
	if id == c.Network {
		return ""
	}
	return id
}

// podEtcFiles are a pod member's /etc/hosts and /etc/resolv.conf: the
// infra's, and the member's name on 127.0.0.1.
func (e *Engine) podEtcFiles(infraID, name string) (hosts, resolv string) {
	dir := filepath.Join(e.ctrDir(infraID), "etc")
	h, _ := os.ReadFile(filepath.Join(dir, "hosts"))
	r, _ := os.ReadFile(filepath.Join(dir, "resolv.conf"))
	hosts = string(h)
	if hosts != "" && !strings.HasSuffix(hosts, "\n") {
		hosts += "\n"
	}
	return hosts + "127.0.0.1\t" + name + "\n", string(r)
}

// podNamespaces points the namespaces of a pod member that its pod shares
// at the infra's, while the infra runs (a member starts it first).
func (e *Engine) podNamespaces(c *Config, ns []specs.LinuxNamespace) []specs.LinuxNamespace {
	if c.Pod == "" || c.PodInfra != "" {
		return ns
	}
	p, err := e.readPod(c.Pod)
	if err != nil || p.InfraID == "" {
		return ns
	}
	r, err := e.readRecord(p.InfraID)
	if err != nil || !e.running(r) {
		return ns
	}
	files := map[specs.LinuxNamespaceType]string{
		specs.IPCNamespace: "ipc", specs.UTSNamespace: "uts", specs.PIDNamespace: "pid", specs.CgroupNamespace: "cgroup",
	}
	for i, n := range ns {
		if file, ok := files[n.Type]; ok && p.shares(file) {
			ns[i].Path = fmt.Sprintf("/proc/%d/ns/%s", r.State.Pid, file)
		}
	}
	return ns
}

// running tells whether r's process runs, its record reconciled.
func (e *Engine) running(r *Record) bool {
	e.refresh(r)
	return r.State.Status == StatusRunning
}

// joinedNamespaces are the namespaces of a spec the monitor enters before
// it clones the init: those with a path, but the network's, which the
// init joins itself.
func joinedNamespaces(spec *specs.Spec) []string {
	var out []string
	for _, ns := range spec.Linux.Namespaces {
		if ns.Path != "" && ns.Type != specs.NetworkNamespace && ns.Type != specs.UserNamespace {
			out = append(out, ns.Path)
		}
	}
	return out
}

// enterPod prepares the launch of a pod's member: its infra started and
// its /etc files brought up to date with the infra's.
func (e *Engine) enterPod(r *Record) error {
	if r.Config.Pod == "" || r.Config.PodInfra != "" {
		return nil
	}
	p, err := e.readPod(r.Config.Pod)
	if err != nil {
		return err
	}
	if p.InfraID == "" {
		return nil
	}
	infraCtr, err := e.Get(p.InfraID)
	if err != nil {
		return fmt.Errorf("pod %s has lost its infra container: remove the pod (burrow pod rm -f %s): %w", p.Name, p.Name, err)
	}
	if !infraCtr.Running() {
		if _, err := e.Start(infraCtr, StartOptions{}); err != nil {
			return fmt.Errorf("starting the infra container of pod %s: %w", p.Name, err)
		}
	}
	if podNetworkInfra(&r.Config) != "" {
		return e.rewriteEtcFiles(r)
	}
	return nil
}

// setupPodShm mounts the pod's /dev/shm when an infra that shares IPC
// starts, after its network: it is released with the network
// (teardownNetwork), when the infra exits or its start fails.
func (e *Engine) setupPodShm(r *Record) error {
	if r.Config.PodInfra == "" {
		return nil
	}
	p, err := e.readPod(r.Config.Pod)
	if err != nil {
		return err
	}
	if !slices.Contains(p.Share, "ipc") {
		return nil
	}
	return mountShm(e.podShmPath(r.ID), p.ShmSize)
}

// podNoHosts tells whether c is a container of a pod made with
// --no-hosts, which keeps its image's /etc/hosts.
func (e *Engine) podNoHosts(c *Config) bool {
	if c.Pod == "" {
		return false
	}
	p, err := e.readPod(c.Pod)
	return err == nil && p.NoHosts
}

// podShmPath is the tmpfs a pod's containers that share IPC bind on
// /dev/shm, named after the infra; a shareable container's (ipc.go),
// named after it, is made the same way.
func (e *Engine) podShmPath(infraID string) string {
	return filepath.Join(e.opts.RunRoot, "burrow", "shm", infraID)
}

// mountShm mounts a tmpfs of size bytes at path, as podman's /dev/shm
// (0: 64 MiB), unless one is there already.
func mountShm(path string, size int64) error {
	size = ShmBytes(size)
	if err := os.MkdirAll(path, 0o700); err != nil {
		return err
	}
	var st, parent unix.Stat_t
	if unix.Stat(path, &st) == nil && unix.Stat(filepath.Dir(path), &parent) == nil && st.Dev != parent.Dev {
		return nil // mounted by an earlier start
	}
	if err := unix.Mount("shm", path, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, fmt.Sprintf("mode=1777,size=%d", size)); err != nil {
		return fmt.Errorf("mounting the pod's /dev/shm at %s: %w", path, err)
	}
	return nil
}

// releasePodShm unmounts the /dev/shm of a pod's infra, if it has one.
func (e *Engine) releasePodShm(id string) {
	path := e.podShmPath(id)
	if err := unix.Unmount(path, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		fmt.Fprintf(os.Stderr, "Warning: unmounting %s: %v\n", path, err)
	}
	os.Remove(path)
}

// podSpec adds to the spec of a pod's container id what the pod gives
// it: the pod's /dev/shm when it shares IPC, and for the built-in infra
// its process.
func (e *Engine) podSpec(id string, c *Config, spec *specs.Spec) error {
	if c.Pod == "" {
		return nil
	}
	p, err := e.readPod(c.Pod)
	if err != nil {
		return err
	}
	infraID := p.InfraID
	if c.PodInfra != "" {
		infraID = id // not in the pod's record until it exists
	}
	if infraID != "" && slices.Contains(p.Share, "ipc") {
		shm := e.podShmPath(infraID)
		for i, m := range spec.Mounts {
			if m.Destination == "/dev/shm" {
				spec.Mounts[i] = specs.Mount{Destination: "/dev/shm", Type: "bind", Source: shm, Options: []string{"bind", "nosuid", "nodev", "noexec"}}
			}
		}
	}
	if c.PodInfra == InfraBuiltin {
		return setInfraProcess(spec, "")
	}
	return nil
}

// refreshPodSpec points a pod container's stored spec at what is true at
// its start: the infra's namespaces of now, and burrow's binary and
// libraries for the built-in infra.
func (e *Engine) refreshPodSpec(id string, c *Config, spec *specs.Spec) error {
	if c.Pod == "" {
		return nil
	}
	spec.Linux.Namespaces = e.containerNamespaces(id, c)
	if c.PodInfra != InfraBuiltin {
		return nil
	}
	stored := ""
	if i := slices.IndexFunc(spec.Mounts, func(m specs.Mount) bool { return m.Destination == infraPausePath }); i >= 0 {
		stored = spec.Mounts[i].Source
	}
	return setInfraProcess(spec, stored)
}

// infraPausePath is where the built-in infra has burrow's binary.
const infraPausePath = "/pause"

// setInfraProcess makes the spec's process burrow's own pause process
// (the infra role, infra/): burrow's binary bound read-only at /pause and,
// since the binary is linked dynamically, its ELF interpreter and
// libraries at their paths, found in what this process has mapped. The
// role is chosen by the environment before anything but C runs. stored is
// the binary of an earlier start, kept when this process cannot name its
// own (a cleanup run from a read-only clone).
func setInfraProcess(spec *specs.Spec, stored string) error {
	exe := ownExecutable()
	if exe == "" {
		exe = stored
	}
	if exe == "" {
		return errdefs.Unavailable(errors.New("the built-in infra container needs burrow's binary by path, and /proc/self/exe names none: give pod create --infra-image"))
	}
	binds, libDirs, err := infraBinds(exe)
	if err != nil {
		return err
	}
	var mounts []specs.Mount
	for _, m := range spec.Mounts {
		if !slices.ContainsFunc(binds, func(b specs.Mount) bool { return b.Destination == m.Destination }) {
			mounts = append(mounts, m)
		}
	}
	spec.Mounts = append(mounts, binds...)
	var env []string
	for _, kv := range spec.Process.Env {
		if k, _, _ := strings.Cut(kv, "="); k != roles.Env && k != "LD_LIBRARY_PATH" {
			env = append(env, kv)
		}
	}
	env = append(env, roles.Env+"="+roles.Infra)
	if len(libDirs) > 0 {
		env = append(env, "LD_LIBRARY_PATH="+strings.Join(libDirs, ":"))
	}
	spec.Process.Env = env
	spec.Process.Args = []string{infraPausePath}
	return nil
}

// ownExecutable is the path of this process's binary, "" when the path
// /proc/self/exe gives does not lead to the file it runs.
func ownExecutable() string {
	path, err := os.Executable()
	if err != nil {
		return ""
	}
	var self, named unix.Stat_t
	if unix.Stat("/proc/self/exe", &self) != nil || unix.Stat(path, &named) != nil || self.Dev != named.Dev || self.Ino != named.Ino {
		return ""
	}
	return path
}

// infraBinds are the read-only binds that let exe run in an empty root:
// exe at /pause, its ELF interpreter and its libraries; libDirs are the
// directories of the libraries.
func infraBinds(exe string) (binds []specs.Mount, libDirs []string, err error) {
	ro := []string{"bind", "ro", "nosuid", "nodev"}
	binds = []specs.Mount{{Destination: infraPausePath, Type: "bind", Source: exe, Options: ro}}
	f, err := elf.Open(exe)
	if err != nil {
		return nil, nil, fmt.Errorf("reading burrow's binary %s: %w", exe, err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type != elf.PT_INTERP {
			continue
		}
		b := make([]byte, p.Filesz)
		if _, err := p.ReadAt(b, 0); err != nil {
			return nil, nil, fmt.Errorf("reading the ELF interpreter of %s: %w", exe, err)
		}
		interp := strings.TrimRight(string(b), "\x00")
		src, err := filepath.EvalSymlinks(interp)
		if err != nil {
			return nil, nil, fmt.Errorf("finding burrow's ELF interpreter: %w", err)
		}
		binds = append(binds, specs.Mount{Destination: interp, Type: "bind", Source: src, Options: ro})
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		return nil, nil, fmt.Errorf("reading the libraries of %s: %w", exe, err)
	}
	mapped := mappedFiles()
	for _, lib := range libs {
		name, file := findLibrary(lib, mapped)
		if name == "" {
			return nil, nil, errdefs.Unavailable(fmt.Errorf("the built-in infra container needs burrow's library %s, which this process has not mapped: give pod create --infra-image", lib))
		}
		binds = append(binds, specs.Mount{Destination: name, Type: "bind", Source: file, Options: ro})
		if dir := filepath.Dir(name); !slices.Contains(libDirs, dir) {
			libDirs = append(libDirs, dir)
		}
	}
	return binds, libDirs, nil
}

// findLibrary finds the library the dynamic linker loaded for soname:
// the file soname names in the directory of a mapped file, which is one
// of the mapped files (libseccomp.so.2 is a link to libseccomp.so.2.5.4).
// It returns the path the linker looks for, and the file.
func findLibrary(soname string, mapped []string) (name, file string) {
	for _, m := range mapped {
		name := filepath.Join(filepath.Dir(m), soname)
		if real, err := filepath.EvalSymlinks(name); err == nil && slices.Contains(mapped, real) {
			return name, real
		}
	}
	return "", ""
}

// mappedFiles are the files this process has mapped.
func mappedFiles() []string {
	var out []string
	f, err := os.Open("/proc/self/maps")
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 6 && strings.HasPrefix(fields[5], "/") {
			if path := strings.Join(fields[5:], " "); !slices.Contains(out, path) {
				out = append(out, path)
			}
		}
	}
	return out
}
