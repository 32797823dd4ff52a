package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/sys/user"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	cstorage "go.podman.io/storage"
	"go.podman.io/storage/types"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/images"
	"github.com/burrow-containers/burrow/limits"
	"github.com/burrow-containers/burrow/storage"
	"github.com/burrow-containers/burrow/userns"
)

// Engine manages containers in one store. The store is opened on first
// use: listing, inspecting and signalling containers need only its paths.
type Engine struct {
	opts  types.StoreOptions
	store cstorage.Store
	// runtimeDir is the user's own XDG_RUNTIME_DIR ("" when unset), before
	// the store's fallback replaces it: the systemd user bus lives there.
	runtimeDir string
	// cgroupManager is the manager of the containers made from now on
	// (limits.Systemd or limits.Cgroupfs); a container keeps its own.
	cgroupManager string
	limits        map[string]*limits.Manager
	mu            sync.Mutex // the lazily opened parts, for the API service's goroutines
}

// New reads the user's storage configuration.
func New() (*Engine, error) {
	runtimeDir := os.Getenv("XDG_RUNTIME_DIR")
	opts, err := storage.Options()
	if err != nil {
		return nil, err
	}
	return &Engine{opts: opts, runtimeDir: runtimeDir, cgroupManager: limits.Systemd}, nil
}

// SetCgroupManager chooses the cgroup manager (limits.Systemd or
// limits.Cgroupfs) of the containers created from now on; the containers
// already made keep the one they were created with.
func (e *Engine) SetCgroupManager(kind string) error {
	if !limits.ValidKind(kind) {
		return errdefs.Invalid(fmt.Errorf("invalid cgroup manager %q: use systemd or cgroupfs", kind))
	}
	if kind == "" {
		kind = limits.Systemd
	}
	e.cgroupManager = kind
	return nil
}

// CgroupManager is the cgroup manager new containers get.
func (e *Engine) CgroupManager() string { return e.cgroupManager }

// Limits is how resource limits apply on this host with the cgroup
// manager kind ("" for systemd, the manager of containers recorded before
// there was a choice), detected once per kind.
func (e *Engine) Limits(kind string) *limits.Manager {
	if kind == "" {
		kind = limits.Systemd
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.limits == nil {
		e.limits = map[string]*limits.Manager{}
	}
	if e.limits[kind] == nil {
		e.limits[kind] = limits.Detect(kind, userns.HostUID(), e.runtimeDir)
	}
	return e.limits[kind]
}

// Store opens the user's store (once) and returns it.
func (e *Engine) Store() (cstorage.Store, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.store == nil {
		s, err := storage.OpenWith(e.opts)
		if err != nil {
			return nil, err
		}
		e.store = s
	}
	return e.store, nil
}

// Close releases the store, if it was opened.
func (e *Engine) Close() {
	if e.store != nil {
		e.store.Shutdown(false)
	}
}

// Container is a container of the engine: its record, and its runtime
// spec once loaded.
type Container struct {
	Record
	Spec *specs.Spec

	rootfs string // mounted by Create, for Start
	// madeEtcPoints are the files bound from the run directory over the
	// image's /etc that the image lacks: start makes them, empty, as
	// mount points (a build step leaves them out of its layer).
	madeEtcPoints []string
	// idmaps is the container's own user namespace, nil when it shares
	// burrow's (set by Create).
	idmaps *idMappings

	engine *Engine
}

func newID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// imageName is how a container names its image: the image's name the
// user's reference matches (an image may have several), else its first.
func imageName(ref string, names []string) string {
	for _, n := range names {
		if images.MatchReference(strings.TrimPrefix(ref, "docker://"), n) {
			return n
		}
	}
	if len(names) > 0 {
		return names[0]
	}
	return ref
}

// PullFunc is how Create gets a missing image.
type PullFunc func(ctx context.Context, ref string) error

// Create makes a container from c: its root filesystem (a new layer on the
// image, or the given directory), its /etc files, its runtime spec and its
// record, in state created. pull is called when the image is not in the
// store; nil means fail. A failed Create leaves nothing behind.
func (e *Engine) Create(ctx context.Context, c Config, pull PullFunc) (*Container, error) {
	return e.create(ctx, newID(), c, pull)
}

func (e *Engine) create(ctx context.Context, id string, c Config, pull PullFunc) (_ *Container, err error) {
	if c.Image == "" && c.Rootfs == "" {
		return nil, errdefs.Invalid(errors.New("no image given: burrow run [OPTIONS] IMAGE [COMMAND [ARG...]]"))
	}
	if c.CgroupManager == "" {
		c.CgroupManager = e.cgroupManager
	}
	if err := e.resolveNetworks(&c); err != nil {
		return nil, err
	}
	ctr := &Container{Record: Record{ID: id, Name: c.Name, Config: c, Created: time.Now()}, engine: e}
	generated := ctr.Name == ""
	if !generated && !validName(ctr.Name) {
		return nil, errdefs.Invalid(fmt.Errorf("invalid container name %q: use letters, digits and _.- (starting with a letter or digit)", ctr.Name))
	}
	ctr.State.Status = StatusCreated
	if ctr.idmaps, err = userMappings(&c); err != nil {
		return nil, err
	}

	var img *cstorage.Image
	var store cstorage.Store
	if c.Rootfs != "" {
		if c.Rootfs, err = filepath.Abs(c.Rootfs); err != nil {
			return nil, err
		}
		ctr.Config.Rootfs = c.Rootfs
		if st, err := os.Stat(c.Rootfs); err != nil || !st.IsDir() {
			return nil, errdefs.Invalid(fmt.Errorf("--rootfs %s: not a directory", c.Rootfs))
		}
	} else {
		if store, err = e.Store(); err != nil {
			return nil, err
		}
		img, err = images.Lookup(store, c.Image)
		if errdefs.Is(err, errdefs.ClassNotFound) && pull != nil {
			if err = pull(ctx, c.Image); err == nil {
				img, err = images.Lookup(store, c.Image)
			}
		}
		if err != nil {
			return nil, err
		}
		ctr.ImageID = img.ID
		ctr.Image = imageName(c.Image, img.Names)
	}

	// The name is claimed and the record written under the lock; the rest
	// of the work happens on a record that ps already shows as created.
	unlock, err := e.lock()
	if err != nil {
		return nil, err
	}
	defer func() {
		if unlock != nil {
			unlock()
		}
	}()
	recs, err := e.records()
	if err != nil {
		return nil, err
	}
	taken := map[string]bool{}
	for _, r := range recs {
		taken[r.Name] = true
	}
	if generated {
		// As podman: a generated name that is taken is drawn again.
		for i := 0; ; i++ {
			ctr.Name = generateName()
			if i >= 50 {
				ctr.Name += "_" + ctr.ID[:6]
			}
			if !taken[ctr.Name] {
				break
			}
		}
	}
	for _, r := range recs {
		if r.Name == ctr.Name {
			return nil, errdefs.Conflict(fmt.Errorf("creating container %q: the name is already in use by %s: choose another with --name or remove that container (burrow rm %s)", ctr.Name, r.ID[:12], ctr.Name))
		}
	}
	defer func() {
		if err != nil {
			e.removeFiles(&ctr.Record)
		}
	}()
	if img != nil {
		var opts *cstorage.ContainerOptions
		if m := ctr.idmaps; m != nil {
			// The container's layers with the image's files owned by
			// the IDs its users are in burrow's namespace.
			opts = &cstorage.ContainerOptions{IDMappingOptions: types.IDMappingOptions{
				UIDMap: storageIDMappings(m), GIDMap: storageGIDMappings(m),
			}}
		}
		_, err := store.CreateContainer(ctr.ID, []string{ctr.Name}, img.ID, "", storageMetadata(storageKindContainer), opts)
		// A generated name may be taken by another tool's container.
		for i := 0; generated && errors.Is(err, cstorage.ErrDuplicateName) && i < 20; i++ {
			ctr.Name = generateName() + "_" + ctr.ID[:6]
			_, err = store.CreateContainer(ctr.ID, []string{ctr.Name}, img.ID, "", storageMetadata(storageKindContainer), opts)
		}
		if err != nil {
			if errors.Is(err, cstorage.ErrDuplicateName) {
				return nil, errdefs.Conflict(fmt.Errorf("creating container %q: the name is already in use in the store (by another tool: see podman ps -a): choose another with --name", ctr.Name))
			}
			return nil, fmt.Errorf("creating container storage: %w", err)
		}
		ctr.Stored = true
	}
	if err := e.writeRecord(&ctr.Record); err != nil {
		return nil, err
	}
	unlock()
	unlock = nil

	rootfs, err := e.mountRoot(&ctr.Record)
	if err != nil {
		return nil, err
	}
	// The root stays mounted for a Start that follows at once (run);
	// Release unmounts it otherwise (create).
	ctr.rootfs = rootfs
	ctr.madeEtcPoints = missingEtcMountPoints(rootfs)
	var imgConfig *v1.ImageConfig
	if img != nil {
		cfg, err := images.Config(ctx, store, img)
		if err != nil {
			return nil, err
		}
		imgConfig = &cfg.Config
		ctr.StopSignal = cfg.Config.StopSignal
		if c.PublishAll {
			ctr.Config.Ports = append(ctr.Config.Ports, exposedPorts(cfg.Config.ExposedPorts)...)
		}
	}
	if ctr.Spec, err = ctr.buildSpec(rootfs, imgConfig); err != nil {
		return nil, err
	}
	if err := e.addVolumesFrom(&ctr.Config); err != nil {
		return nil, err
	}
	var imgVolumes []string
	if imgConfig != nil {
		for v := range imgConfig.Volumes {
			imgVolumes = append(imgVolumes, v)
		}
	}
	userMounts, err := e.resolveMounts(ctr, rootfs, imgVolumes)
	if err != nil {
		return nil, err
	}
	ctr.Spec.Mounts = append(ctr.Spec.Mounts, userMounts...)
	// Parents before children, as podman: a volume on /etc must not hide
	// the /etc/hosts bind made for the container.
	sort.SliceStable(ctr.Spec.Mounts, func(i, j int) bool {
		return mountDepth(ctr.Spec.Mounts[i].Destination) < mountDepth(ctr.Spec.Mounts[j].Destination)
	})
	ctr.Args = ctr.Spec.Process.Args
	if err := writeJSON(filepath.Join(e.ctrDir(ctr.ID), "spec.json"), ctr.Spec); err != nil {
		return nil, err
	}
	if err := e.writeRecord(&ctr.Record); err != nil {
		return nil, err
	}
	return ctr, nil
}

// Release unmounts the root Create left mounted, for a container that is
// not started now.
func (e *Engine) Release(ctr *Container) error {
	if ctr.rootfs == "" {
		return nil
	}
	ctr.rootfs = ""
	return e.unmountRoot(&ctr.Record)
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

// validName is podman's rule for container names.
func validName(n string) bool {
	for i, r := range n {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !alnum && (i == 0 || (r != '_' && r != '.' && r != '-')) {
			return false
		}
	}
	return n != ""
}

func writeJSON(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", filepath.Base(path), err)
	}
	return os.Rename(tmp, path)
}

// mountRoot returns the container's root: its storage layer mounted, or
// the --rootfs directory.
func (e *Engine) mountRoot(r *Record) (string, error) {
	if !r.Stored {
		return r.Config.Rootfs, nil
	}
	s, err := e.Store()
	if err != nil {
		return "", err
	}
	p, err := s.Mount(r.ID, "")
	if err != nil {
		return "", fmt.Errorf("mounting the root of container %s: %w", r.ID[:12], err)
	}
	return p, nil
}

func (e *Engine) unmountRoot(r *Record) error {
	if !r.Stored {
		return nil
	}
	s, err := e.Store()
	if err != nil {
		return err
	}
	if _, err := s.Unmount(r.ID, true); err != nil && !errors.Is(err, cstorage.ErrLayerUnknown) && !errors.Is(err, cstorage.ErrContainerUnknown) {
		return fmt.Errorf("unmounting the root of container %s: %w", r.ID[:12], err)
	}
	return nil
}

// removeFiles deletes a container's storage, record and run files.
func (e *Engine) removeFiles(r *Record) error {
	var errs []error
	if r.Stored {
		e.unmountRoot(r)
		s, err := e.Store()
		if err != nil {
			return err
		}
		if err := s.DeleteContainer(r.ID); err != nil && !errors.Is(err, cstorage.ErrContainerUnknown) {
			errs = append(errs, fmt.Errorf("removing the storage of container %s: %w", r.ID[:12], err))
		}
	}
	e.teardownNetwork(r.ID)
	os.RemoveAll(e.runDir(r.ID))
	if err := os.RemoveAll(e.ctrDir(r.ID)); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

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
	execUser, err := resolveUser(rootfs, userSpec)
	if err != nil {
		return nil, err
	}
	var userFiles []specs.Mount
	if m := ctr.idmaps; m != nil && m.KeepID {
		var home string
		if userFiles, home, err = ctr.keepIDUser(rootfs, m.UID, m.GID); err != nil {
			return nil, err
		}
		if execUser.Uid == int(m.UID) {
			execUser.Home = home
		}
	}
	hostname := c.Hostname
	if hostname == "" {
		hostname = ctr.ID[:12]
	}
	env := imgEnv
	if !hasEnv(env, "PATH") {
		env = append([]string{"PATH=" + DefaultPath}, env...)
	}
	if c.TTY && !hasEnv(env, "TERM") {
		env = append(env, "TERM=xterm")
	}
	env = append(env, "container=burrow", "HOSTNAME="+hostname)
	if !hasEnv(env, "HOME") {
		env = append(env, "HOME="+execUser.Home)
	}
	env = mergeEnv(env, c.Env, os.LookupEnv)

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
	var gids []uint32
	for _, g := range execUser.Sgids {
		gids = append(gids, uint32(g))
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
	mounts := append(defaultMounts(c.Privileged), etc...)
	if cgroup2() && !c.CgroupsDisabled {
		// The container's own cgroup (its namespace's root), read-only
		// unless privileged, as podman's.
		opts := []string{"nosuid", "noexec", "nodev", "ro"}
		if c.Privileged {
			opts = opts[:3]
		}
		mounts = append(mounts, specs.Mount{Destination: "/sys/fs/cgroup", Type: "cgroup2", Source: "cgroup2", Options: opts})
	}
	namespaces := ctr.engine.containerNamespaces(ctr.ID, c)
	spec := &specs.Spec{
		Version:  specs.Version,
		Hostname: hostname,
		Root:     &specs.Root{Path: rootfs, Readonly: c.ReadOnly},
		Process: &specs.Process{
			Terminal:        c.TTY,
			Args:            args,
			Env:             env,
			Cwd:             workdir,
			User:            specs.User{UID: uint32(execUser.Uid), GID: uint32(execUser.Gid), AdditionalGids: gids},
			Capabilities:    pcaps,
			NoNewPrivileges: c.NoNewPrivileges,
			OOMScoreAdj:     c.OOMScoreAdj,
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
	ns := []specs.LinuxNamespace{
		{Type: specs.PIDNamespace}, {Type: specs.MountNamespace}, {Type: specs.UTSNamespace},
		{Type: specs.IPCNamespace},
	}
	if n, ok := e.networkNamespace(id, c); ok {
		ns = append(ns, n)
	}
	if cgroup2() {
		ns = append(ns, specs.LinuxNamespace{Type: specs.CgroupNamespace})
	}
	if nestedUserNS(c) {
		ns = append(ns, specs.LinuxNamespace{Type: specs.UserNamespace})
	}
	return ns
}

// resolveUser turns a user spec into IDs with the container's own
// /etc/passwd and /etc/group, never following links out of rootfs.
func resolveUser(rootfs, spec string) (*user.ExecUser, error) {
	passwd, err := securejoin.SecureJoin(rootfs, "/etc/passwd")
	if err != nil {
		return nil, err
	}
	group, err := securejoin.SecureJoin(rootfs, "/etc/group")
	if err != nil {
		return nil, err
	}
	u, err := user.GetExecUserPath(spec, &user.ExecUser{Home: "/"}, passwd, group)
	if err != nil {
		return nil, errdefs.Invalid(fmt.Errorf("resolving user %q in the container: %w", spec, err))
	}
	return u, nil
}

func cgroup2() bool {
	var st unix.Statfs_t
	return unix.Statfs("/sys/fs/cgroup", &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC
}

// writeEtcFiles writes /etc/hostname, /etc/hosts and /etc/resolv.conf for
// the container into its run directory and returns their bind mounts.
func (ctr *Container) writeEtcFiles(hostname string) ([]specs.Mount, error) {
	hosts, resolv := ctr.engine.etcFiles(ctr.ID, &ctr.Config, hostname, ctr.Name)
	files := map[string]string{
		"hostname":    hostname + "\n",
		"hosts":       hosts,
		"resolv.conf": resolv,
	}
	var mounts []specs.Mount
	dir := filepath.Join(ctr.engine.ctrDir(ctr.ID), "etc")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	for _, name := range []string{"hostname", "hosts", "resolv.conf"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(files[name]), 0o644); err != nil {
			return nil, fmt.Errorf("writing %s: %w", name, err)
		}
		mounts = append(mounts, specs.Mount{Destination: "/etc/" + name, Type: "bind", Source: p, Options: []string{"bind", "nosuid", "nodev", "noexec"}})
	}
	return mounts, nil
}

// resolvConf is the host's resolv.conf without loopback name servers, which
// a container's own network namespace cannot reach.
func resolvConf() string {
	b, _ := os.ReadFile("/etc/resolv.conf")
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "nameserver" && (strings.HasPrefix(f[1], "127.") || f[1] == "::1") {
			continue
		}
		if line != "" {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n") + "\n"
}
