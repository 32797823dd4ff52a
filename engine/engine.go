package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/sys/user"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	cstorage "go.podman.io/storage"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/images"
	"github.com/burrow-containers/burrow/sandbox"
	"github.com/burrow-containers/burrow/storage"
)

// Engine manages containers in one store.
type Engine struct {
	Store cstorage.Store
}

// New opens the user's store.
func New() (*Engine, error) {
	s, err := storage.Open()
	if err != nil {
		return nil, err
	}
	return &Engine{Store: s}, nil
}

// Close releases the store.
func (e *Engine) Close() {
	e.Store.Shutdown(false)
}

// Container is a created container: its ID, name, spec and the files
// burrow keeps for it.
type Container struct {
	ID     string
	Name   string
	Config Config
	Spec   *specs.Spec

	engine  *Engine
	runDir  string // hostname, hosts, resolv.conf
	stored  bool   // has a containers/storage container (and layer)
	mounted bool
}

func newID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// PullFunc is how Create gets a missing image.
type PullFunc func(ctx context.Context, ref string) error

// Create makes a container from c: its root filesystem (a new layer on the
// image, or the given directory), its /etc files and its runtime spec.
// pull is called when the image is not in the store; nil means fail.
func (e *Engine) Create(ctx context.Context, c Config, pull PullFunc) (_ *Container, err error) {
	if c.Image == "" && c.Rootfs == "" {
		return nil, errdefs.Invalid(errors.New("no image given: burrow run [OPTIONS] IMAGE [COMMAND [ARG...]]"))
	}
	ctr := &Container{ID: newID(), Name: c.Name, Config: c, engine: e}
	if ctr.Name == "" {
		ctr.Name = generateName()
	}
	defer func() {
		if err != nil {
			ctr.cleanup(true)
		}
	}()

	var rootfs string
	var imgConfig *v1.ImageConfig
	if c.Rootfs != "" {
		rootfs, err = filepath.Abs(c.Rootfs)
		if err != nil {
			return nil, err
		}
		if st, err := os.Stat(rootfs); err != nil || !st.IsDir() {
			return nil, errdefs.Invalid(fmt.Errorf("--rootfs %s: not a directory", c.Rootfs))
		}
		if ctr.runDir, err = os.MkdirTemp(e.Store.RunRoot(), "burrow-rootfs-"); err != nil {
			return nil, fmt.Errorf("creating run directory: %w", err)
		}
	} else {
		img, err := images.Lookup(e.Store, c.Image)
		if errdefs.Is(err, errdefs.ClassNotFound) && pull != nil {
			if err = pull(ctx, c.Image); err == nil {
				img, err = images.Lookup(e.Store, c.Image)
			}
		}
		if err != nil {
			return nil, err
		}
		cfg, err := images.Config(ctx, e.Store, img)
		if err != nil {
			return nil, err
		}
		imgConfig = &cfg.Config
		if _, err := e.Store.CreateContainer(ctr.ID, []string{ctr.Name}, img.ID, "", "", nil); err != nil {
			if errors.Is(err, cstorage.ErrDuplicateName) {
				return nil, errdefs.Conflict(fmt.Errorf("creating container %q: the name is already in use: choose another with --name or remove that container", ctr.Name))
			}
			return nil, fmt.Errorf("creating container storage: %w", err)
		}
		ctr.stored = true
		if rootfs, err = e.Store.Mount(ctr.ID, ""); err != nil {
			return nil, fmt.Errorf("mounting container %s: %w", ctr.ID[:12], err)
		}
		ctr.mounted = true
		if ctr.runDir, err = e.Store.ContainerRunDirectory(ctr.ID); err != nil {
			return nil, err
		}
		if err := os.MkdirAll(ctr.runDir, 0o700); err != nil {
			return nil, err
		}
	}
	if ctr.Spec, err = ctr.buildSpec(rootfs, imgConfig); err != nil {
		return nil, err
	}
	return ctr, nil
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
	if c.User != "" {
		userSpec = c.User
	}
	execUser, err := resolveUser(rootfs, userSpec)
	if err != nil {
		return nil, err
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
	mounts := append(defaultMounts(c.Privileged), etc...)
	namespaces := []specs.LinuxNamespace{
		{Type: specs.PIDNamespace}, {Type: specs.MountNamespace}, {Type: specs.UTSNamespace},
		{Type: specs.IPCNamespace}, {Type: specs.NetworkNamespace},
	}
	if cgroup2() {
		namespaces = append(namespaces, specs.LinuxNamespace{Type: specs.CgroupNamespace})
	}
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
		},
		Mounts: mounts,
		Linux: &specs.Linux{
			Namespaces: namespaces,
			Devices:    defaultDevices(),
		},
	}
	if !c.Privileged {
		spec.Linux.MaskedPaths = DefaultMaskedPaths
		spec.Linux.ReadonlyPaths = DefaultReadonlyPaths
	}
	return spec, nil
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
	hosts := fmt.Sprintf("127.0.0.1\tlocalhost localhost.localdomain\n::1\tlocalhost localhost.localdomain\n127.0.1.1\t%s %s\n", hostname, ctr.Name)
	files := map[string]string{
		"hostname":    hostname + "\n",
		"hosts":       hosts,
		"resolv.conf": resolvConf(),
	}
	var mounts []specs.Mount
	for _, name := range []string{"hostname", "hosts", "resolv.conf"} {
		p := filepath.Join(ctr.runDir, name)
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

// Start runs the container's process; the caller waits on the result.
func (ctr *Container) Start(opts sandbox.Options) (*sandbox.Container, error) {
	return sandbox.Start(ctr.Spec, opts)
}

// Cleanup unmounts the container's root and, when remove is set, deletes the
// container and its layer.
func (ctr *Container) Cleanup(remove bool) error {
	return ctr.cleanup(remove)
}

func (ctr *Container) cleanup(remove bool) error {
	var errs []error
	s := ctr.engine.Store
	if ctr.mounted {
		if _, err := s.Unmount(ctr.ID, true); err != nil {
			errs = append(errs, fmt.Errorf("unmounting container %s: %w", ctr.ID[:12], err))
		}
		ctr.mounted = false
	}
	if remove {
		if ctr.stored {
			if err := s.DeleteContainer(ctr.ID); err != nil {
				errs = append(errs, fmt.Errorf("removing container %s: %w", ctr.ID[:12], err))
			}
			ctr.stored = false
		} else if ctr.runDir != "" {
			os.RemoveAll(ctr.runDir)
		}
	}
	return errors.Join(errs...)
}
