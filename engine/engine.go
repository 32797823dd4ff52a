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

	"github.com/moby/sys/user"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.podman.io/common/pkg/config"
	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/stringid"
	"go.podman.io/storage/types"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/images"
	"github.com/burrow-containers/burrow/limits"
	"github.com/burrow-containers/burrow/sandbox"
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
	settings   Options
	limits     map[string]limits.Manager
	mu         sync.Mutex // the lazily opened parts, for the API service's goroutines

	confOnce sync.Once
	confVal  *config.Config
	confErr  error
}

// Options are the settings an engine is opened with, podman's global
// options: a zero value takes the setting from containers.conf (read on
// first use) or storage.conf.
type Options struct {
	// CgroupManager is the cgroup manager of the containers made from now
	// on (limits.Systemd or limits.Cgroupfs); a container keeps its own.
	CgroupManager string
}

// New reads the user's storage configuration.
func New(o Options) (*Engine, error) {
	runtimeDir := os.Getenv("XDG_RUNTIME_DIR")
	opts, err := storage.Options()
	if err != nil {
		return nil, err
	}
	if !limits.ValidKind(o.CgroupManager) {
		return nil, errdefs.Invalid(fmt.Errorf("--cgroup-manager: invalid cgroup manager %q: use systemd or cgroupfs", o.CgroupManager))
	}
	return &Engine{opts: opts, runtimeDir: runtimeDir, settings: o}, nil
}

// Limits is how resource limits apply on this host with the cgroup
// manager kind ("" for systemd, the manager of containers recorded before
// there was a choice), detected once per kind.
func (e *Engine) Limits(kind string) limits.Manager {
	if kind == "" {
		kind = limits.Systemd
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.limits == nil {
		e.limits = map[string]limits.Manager{}
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
	// Warnings are what the user should hear of the settings Create
	// applied (limits dropped by cgroups = "disabled").
	Warnings []string `json:"-"`

	rootfs string // mounted by Create, for Start
	// madeEtcPoints are the files bound from the run directory over the
	// image's /etc that the image lacks: start makes them, empty, as
	// mount points (a build step leaves them out of its layer).
	madeEtcPoints []string
	// idmaps is the container's own user namespace, nil when it shares
	// burrow's (set by Create).
	idmaps *idMappings
	// generatedName: burrow drew the name, and may draw another.
	generatedName bool

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
// store; nil means fail. A failed Create leaves nothing behind, and so does
// one cut off (reconcile.go).
func (e *Engine) Create(ctx context.Context, c Config, pull PullFunc) (*Container, error) {
	ctr, img, err := e.prepare(ctx, newID(), c, pull)
	if err != nil {
		return nil, err
	}
	l, err := e.reserve(ctr, launchCreate)
	if err != nil {
		return nil, err
	}
	defer l.release()
	if err := e.materialize(ctx, ctr, img); err != nil {
		e.discard(ctr)
		return nil, err
	}
	if err := e.endLaunch(ctr); err != nil {
		e.discard(ctr)
		return nil, err
	}
	return ctr, nil
}

// prepare checks c and settles what it leaves to defaults, and finds (or
// pulls) the image: all that a create does before it makes anything.
func (e *Engine) prepare(ctx context.Context, id string, c Config, pull PullFunc) (*Container, *cstorage.Image, error) {
	if c.Image == "" && c.Rootfs == "" {
		return nil, nil, errdefs.Invalid(errors.New("no image given: burrow run [OPTIONS] IMAGE [COMMAND [ARG...]]"))
	}
	if c.Name != "" && !validName(c.Name) {
		return nil, nil, errdefs.Invalid(fmt.Errorf("invalid container name %q: use letters, digits and _.- (starting with a letter or digit)", c.Name))
	}
	if err := e.resolveNetworks(&c); err != nil {
		return nil, nil, err
	}
	warnings, err := e.applyCgroupsSetting(&c)
	if err != nil {
		return nil, nil, err
	}
	ctr := &Container{Warnings: warnings, Record: Record{ID: id, Name: c.Name, Config: c, Created: time.Now()}, engine: e}
	ctr.State.Status = StatusCreated
	if ctr.idmaps, err = userMappings(&c); err != nil {
		return nil, nil, err
	}
	if c.Rootfs != "" {
		if ctr.Config.Rootfs, err = filepath.Abs(c.Rootfs); err != nil {
			return nil, nil, err
		}
		if st, err := os.Stat(ctr.Config.Rootfs); err != nil || !st.IsDir() {
			return nil, nil, errdefs.Invalid(fmt.Errorf("--rootfs %s: not a directory", ctr.Config.Rootfs))
		}
		return ctr, nil, nil
	}
	img, err := e.LookupImage(c.Image)
	if errdefs.Is(err, errdefs.ClassNotFound) && pull != nil {
		if err = pull(ctx, c.Image); err == nil {
			img, err = e.LookupImage(c.Image)
		}
	}
	if err != nil {
		return nil, nil, err
	}
	ctr.ImageID = img.ID
	ctr.Image = imageName(c.Image, img.Names)
	return ctr, img, nil
}

// claimName gives the container its name, as podman does: the one asked
// for if it is free, else a generated one. The caller holds the lock.
func (e *Engine) claimName(ctr *Container) error {
	recs, err := e.records()
	if err != nil {
		return err
	}
	taken := map[string]bool{}
	for _, r := range recs {
		taken[r.Name] = true
	}
	if ctr.Name == "" {
		// As podman: a generated name that is taken is drawn again.
		ctr.generatedName = true
		for i := 0; ; i++ {
			ctr.Name = generateName()
			if i >= 50 {
				ctr.Name += "_" + ctr.ID[:6]
			}
			if !taken[ctr.Name] {
				return nil
			}
		}
	}
	for _, r := range recs {
		if r.Name == ctr.Name {
			return errdefs.Conflict(fmt.Errorf("creating container %q: the name is already in use by %s: choose another with --name or remove that container (burrow rm %s)", ctr.Name, stringid.TruncateID(r.ID), ctr.Name))
		}
	}
	return nil
}

// materialize makes a reserved container: its storage layer (mounted, and
// left mounted for a start that follows), its spec and its complete record.
func (e *Engine) materialize(ctx context.Context, ctr *Container, img *cstorage.Image) error {
	c := &ctr.Config
	if img != nil {
		if err := e.createStorage(ctr, img); err != nil {
			return err
		}
	}
	rootfs, err := e.mountRoot(&ctr.Record)
	if err != nil {
		return err
	}
	// The root stays mounted for a Start that follows at once (run);
	// Release unmounts it otherwise (create).
	ctr.rootfs = rootfs
	ctr.madeEtcPoints = missingEtcMountPoints(rootfs)
	var imgConfig *v1.ImageConfig
	if img != nil {
		cfg, err := e.ImageConfig(ctx, img)
		if err != nil {
			return err
		}
		imgConfig = &cfg.Config.ImageConfig
		ctr.StopSignal = cfg.Config.StopSignal
		if c.PublishAll {
			c.Ports = append(c.Ports, exposedPorts(cfg.Config.ExposedPorts)...)
		}
	}
	if ctr.Spec, err = ctr.buildSpec(rootfs, imgConfig); err != nil {
		return err
	}
	if err := e.addVolumesFrom(c); err != nil {
		return err
	}
	var imgVolumes []string
	if imgConfig != nil {
		for v := range imgConfig.Volumes {
			imgVolumes = append(imgVolumes, v)
		}
	}
	userMounts, err := e.resolveMounts(ctr, rootfs, imgVolumes)
	if err != nil {
		return err
	}
	ctr.Spec.Mounts = append(ctr.Spec.Mounts, userMounts...)
	// Parents before children, as podman: a volume on /etc must not hide
	// the /etc/hosts bind made for the container.
	sort.SliceStable(ctr.Spec.Mounts, func(i, j int) bool {
		return mountDepth(ctr.Spec.Mounts[i].Destination) < mountDepth(ctr.Spec.Mounts[j].Destination)
	})
	ctr.Args = ctr.Spec.Process.Args
	if err := writeJSON(filepath.Join(e.ctrDir(ctr.ID), "spec.json"), ctr.Spec); err != nil {
		return err
	}
	// Complete, but still launching: what a reader adopts if this command
	// is cut off after the process starts.
	return e.updateRecord(&ctr.Record)
}

// updateRecord writes r under the engine lock.
func (e *Engine) updateRecord(r *Record) error {
	unlock, err := e.lock()
	if err != nil {
		return err
	}
	defer unlock()
	return e.writeRecord(r)
}

// createStorage makes the container's layer on img in the store.
func (e *Engine) createStorage(ctr *Container, img *cstorage.Image) error {
	store, err := e.Store()
	if err != nil {
		return err
	}
	var opts *cstorage.ContainerOptions
	if m := ctr.idmaps; m != nil {
		// The container's layers with the image's files owned by the IDs
		// its users are in burrow's namespace.
		opts = &cstorage.ContainerOptions{IDMappingOptions: types.IDMappingOptions{
			UIDMap: storageIDMappings(m), GIDMap: storageGIDMappings(m),
		}}
	}
	_, err = store.CreateContainer(ctr.ID, []string{ctr.Name}, img.ID, "", storageMetadata(storageKindContainer), opts)
	// A generated name may be taken by another tool's container.
	for i := 0; ctr.generatedName && errors.Is(err, cstorage.ErrDuplicateName) && i < 20; i++ {
		ctr.Name = generateName() + "_" + ctr.ID[:6]
		_, err = store.CreateContainer(ctr.ID, []string{ctr.Name}, img.ID, "", storageMetadata(storageKindContainer), opts)
	}
	if err != nil {
		if errors.Is(err, cstorage.ErrDuplicateName) {
			return errdefs.Conflict(fmt.Errorf("creating container %q: the name is already in use in the store (by another tool: see podman ps -a): choose another with --name", ctr.Name))
		}
		return fmt.Errorf("creating container storage: %w", err)
	}
	ctr.Stored = true
	crashPoint("storage")
	return nil
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
		return "", fmt.Errorf("mounting the root of container %s: %w", stringid.TruncateID(r.ID), err)
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
		return fmt.Errorf("unmounting the root of container %s: %w", stringid.TruncateID(r.ID), err)
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
			errs = append(errs, fmt.Errorf("removing the storage of container %s: %w", stringid.TruncateID(r.ID), err))
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
		hostname = stringid.TruncateID(ctr.ID)
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
	if limits.CgroupV2() && !c.CgroupsDisabled {
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
	if limits.CgroupV2() {
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
	u, err := sandbox.LookupUser(rootfs, spec)
	if err != nil {
		return nil, errdefs.Invalid(fmt.Errorf("resolving user %q in the container: %w", spec, err))
	}
	return u, nil
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
