package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"go.podman.io/common/pkg/config"
	cstorage "go.podman.io/storage"
	"go.podman.io/storage/types"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/images"
	"github.com/burrow-containers/burrow/limits"
	"github.com/burrow-containers/burrow/storage"
	"github.com/burrow-containers/burrow/userns"
)

// Engine manages containers in one store. The store is opened on first
// use: listing, inspecting and signalling containers need only its paths.
type Engine struct {
	opts   types.StoreOptions
	opened cstorage.Store
	// runtimeDir is the user's own XDG_RUNTIME_DIR ("" when unset), before
	// the store's fallback replaces it: the systemd user bus lives there.
	runtimeDir string
	settings   Options
	limits     map[string]limits.Manager
	mu         sync.Mutex // the lazily opened parts, for the API service's goroutines

	tmp      string // this process's temporary directory (tempdir.go)
	confOnce sync.Once
	confVal  *config.Config
	confErr  error
	// confSetsCgroupManager: a containers.conf file names cgroup_manager
	// (read with conf, as the files do not change under a running engine).
	confSetsCgroupManager bool
}

// Options are the settings an engine is opened with, podman's global
// options: a zero value takes the setting from containers.conf (read on
// first use) or storage.conf.
type Options struct {
	// CgroupManager is the cgroup manager of the containers made from now
	// on (limits.Systemd or limits.Cgroupfs); a container keeps its own.
	CgroupManager string
	// InfraImage names the image of pods' built-in infra containers,
	// made locally when missing (infraimage.go); "": DefaultInfraImage.
	InfraImage string
	// GraphRoot, RunRoot, StorageDriver and StorageOpts replace what
	// storage.conf says (podman's --root, --runroot, --storage-driver,
	// --storage-opt); as podman's, a graph root or a driver of their own
	// drop storage.conf's driver options, and a single "" option clears
	// them.
	GraphRoot, RunRoot, StorageDriver string
	StorageOpts                       []string
	// TmpDir holds the containers' run state (monitor sockets, exit files,
	// network namespaces) instead of <run root>/burrow (podman's --tmpdir).
	TmpDir string
	// VolumePath holds the volumes instead of <graph root>/volumes.
	VolumePath string
	// EventsBackend is --events-backend: file, journald or none; ""
	// takes containers.conf's events_logger (events.go).
	EventsBackend string
}

// New reads the user's storage configuration, with o's settings over it.
func New(o Options) (*Engine, error) {
	runtimeDir := os.Getenv("XDG_RUNTIME_DIR")
	opts, err := storage.Options()
	if err != nil {
		return nil, err
	}
	if !limits.ValidKind(o.CgroupManager) {
		return nil, errdefs.Invalid(fmt.Errorf("--cgroup-manager: invalid cgroup manager %q: use systemd or cgroupfs", o.CgroupManager))
	}
	o.applyStorage(&opts)
	return &Engine{opts: opts, runtimeDir: runtimeDir, settings: o}, nil
}

// applyStorage puts the command line's storage settings over storage.conf's,
// as podman does.
func (o Options) applyStorage(opts *types.StoreOptions) {
	if o.GraphRoot != "" {
		opts.GraphRoot, opts.GraphDriverOptions = o.GraphRoot, []string{}
	}
	if o.RunRoot != "" {
		opts.RunRoot = o.RunRoot
	}
	if o.StorageDriver != "" {
		opts.GraphDriverName, opts.GraphDriverOptions = o.StorageDriver, []string{}
	}
	switch {
	case len(o.StorageOpts) == 1 && o.StorageOpts[0] == "":
		opts.GraphDriverOptions = []string{}
	case len(o.StorageOpts) > 0:
		opts.GraphDriverOptions = o.StorageOpts
	}
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

// store opens the user's store (once) and returns it. Only the engine
// touches it: the CLI and the API go through the engine's operations.
func (e *Engine) store() (cstorage.Store, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.opened == nil {
		warning, err := storage.ChooseDriver(&e.opts, e.settings.StorageDriver != "")
		if err != nil {
			return nil, err
		}
		if warning != "" {
			logrus.Warn(warning)
		}
		s, err := storage.OpenWith(e.opts)
		if err != nil {
			return nil, err
		}
		e.opened = s
	}
	return e.opened, nil
}

// Close releases the store, if it was opened.
func (e *Engine) Close() {
	if e.tmp != "" {
		os.RemoveAll(e.tmp)
	}
	if e.opened != nil {
		e.opened.Shutdown(false)
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
	// Notes are podman's own warnings of the settings, which podman
	// prints as they are, alone on a line (scripts match them).
	Notes []string `json:"-"`

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
