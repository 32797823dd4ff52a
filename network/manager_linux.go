package network

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"go.podman.io/common/libnetwork/netavark"
	"go.podman.io/common/libnetwork/types"
	netutil "go.podman.io/common/libnetwork/util"
	"go.podman.io/common/pkg/config"
	"go.podman.io/storage/pkg/homedir"
	"go.podman.io/storage/pkg/unshare"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/userns"
)

// DefaultNetwork is libnetwork's default network, which always exists
// (in memory when it has no file) and cannot be removed.
const DefaultNetwork = types.DefaultNetworkName

// Manager holds the user's networks and the containers' attachments.
type Manager struct {
	backend types.ContainerNetwork
	// runDir is burrow's netavark run directory: the IPAM database,
	// aardvark-dns' configuration, the rootless netns and the
	// attachments. Not podman's: podman 4 runs its own rootless netns,
	// and sharing aardvark-dns' directory across two namespaces would
	// break both.
	runDir string
	// graphRoot and runRoot are the store's, for the helper.
	graphRoot, runRoot string
}

// Open reads containers.conf and the user's networks from graphRoot
// (podman's directory for them), keeping run-time state under runRoot.
func Open(graphRoot, runRoot string) (*Manager, error) {
	if userns.Rootless() {
		// libnetwork takes the rootless path (a rootless netns, a lock in
		// the config directory) only when told so, as podman's re-exec
		// does; the cleanup command may not have it in its environment.
		os.Setenv(unshare.UsernsEnvName, "done")
	}
	conf, err := config.Default()
	if err != nil {
		return nil, fmt.Errorf("reading containers.conf: %w", err)
	}
	if err := useNetavark(graphRoot, conf.Network.NetworkBackend); err != nil {
		return nil, err
	}
	netavarkBin, err := conf.FindHelperBinary("netavark", false)
	if err != nil {
		return nil, errdefs.Unavailable(errors.New("netavark is not installed: install it to use networks (apt-get install netavark aardvark-dns)"))
	}
	// Without aardvark-dns the networks work, without names (as podman).
	aardvarkBin, _ := conf.FindHelperBinary("aardvark-dns", false)
	runDir := runDirOf(runRoot)
	// slirp4netns' log goes to the temporary directory (and is unlinked
	// at once); podman 4 always connects its rootless netns with
	// slirp4netns, as burrow does its containers by default.
	conf.Engine.TmpDir = filepath.Join(runDir, "tmp")
	conf.Network.DefaultRootlessNetworkCmd = "slirp4netns"
	for _, d := range []string{conf.Engine.TmpDir, filepath.Join(runDir, "containers")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("creating %s: %w", d, err)
		}
	}
	configDir := conf.Network.NetworkConfigDir
	if configDir == "" {
		configDir = filepath.Join(graphRoot, "networks")
	}
	backend, err := netavark.NewNetworkInterface(&netavark.InitConfig{
		Config:           conf,
		NetworkConfigDir: configDir,
		NetworkRunDir:    runDir,
		NetavarkBinary:   netavarkBin,
		AardvarkBinary:   aardvarkBin,
	})
	if err != nil {
		return nil, fmt.Errorf("opening the networks: %w", err)
	}
	return &Manager{backend: backend, runDir: runDir, graphRoot: graphRoot, runRoot: runRoot}, nil
}

func runDirOf(runRoot string) string { return filepath.Join(runRoot, "burrow", "networks") }

// useNetavark checks that podman, on this store, uses netavark too, and
// settles it for podman when it has not chosen yet: podman 4 picks CNI
// for a store that already has images, and then does not see these
// networks. A choice of CNI without any CNI network is switched to
// netavark, as podman 5 does on its own; with CNI networks, burrow's
// networks stay off rather than hide them from podman.
func useNetavark(graphRoot, configured string) error {
	if configured != "" && configured != string(types.Netavark) {
		return errdefs.Unavailable(fmt.Errorf("containers.conf sets network_backend = %q: burrow's networks are netavark's; set network_backend = \"netavark\" to use them", configured))
	}
	file := filepath.Join(graphRoot, "defaultNetworkBackend")
	b, err := os.ReadFile(file)
	switch {
	case err == nil && strings.TrimSpace(string(b)) != string(types.CNI):
		return nil
	case err == nil:
		configHome, err := homedir.GetConfigHome()
		if err != nil {
			return err
		}
		cniDir := filepath.Join(configHome, "cni", "net.d")
		if nets := cniNetworks(cniDir); len(nets) > 0 {
			return errdefs.Unavailable(fmt.Errorf("podman uses CNI networks on this store (%s in %s): burrow's networks are netavark's; remove them (podman network rm) and burrow switches podman to netavark", strings.Join(nets, ", "), cniDir))
		}
		fmt.Fprintf(os.Stderr, "Warning: podman had chosen CNI for this store but has no CNI network: switched it to netavark (%s), as podman 5 does, so that it sees burrow's networks\n", file)
	case !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("reading %s: %w", file, err)
	}
	if err := os.MkdirAll(graphRoot, 0o700); err != nil {
		return err
	}
	return os.WriteFile(file, []byte(types.Netavark), 0o644)
}

// cniNetworks are the CNI network configurations in dir.
func cniNetworks(dir string) []string {
	ents, _ := os.ReadDir(dir)
	var out []string
	for _, e := range ents {
		switch filepath.Ext(e.Name()) {
		case ".conf", ".conflist", ".json":
			out = append(out, e.Name())
		}
	}
	return out
}

// classify gives libnetwork's errors burrow's classes.
func classify(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, types.ErrNoSuchNetwork):
		return errdefs.NotFound(err)
	case errors.Is(err, types.ErrNetworkExists):
		return errdefs.Conflict(err)
	case errors.Is(err, types.ErrInvalidArg):
		return errdefs.Invalid(err)
	}
	return explainHelperError(err)
}

// Create makes a network from o; with ignoreExisting, a network of that
// name is returned as it is.
func (m *Manager) Create(o CreateOptions, ignoreExisting bool) (types.Network, error) {
	n, err := o.network()
	if err != nil {
		return types.Network{}, err
	}
	created, err := m.backend.NetworkCreate(n, &types.NetworkCreateOptions{IgnoreIfExists: ignoreExisting})
	if err != nil {
		if strings.Contains(err.Error(), "already used on the host or by another config") {
			return types.Network{}, errdefs.Conflict(fmt.Errorf("%w: choose another --subnet", err))
		}
		if err = classify(err); errdefs.ClassOf(err) == errdefs.Unknown {
			// What libnetwork refuses here is the request: a gateway
			// outside its subnet, a driver option it does not know.
			err = errdefs.Invalid(err)
		}
		return types.Network{}, err
	}
	return created, nil
}

// List returns the networks the filters (podman's network ls --filter
// keys name, id, driver, label, label!, until) let through, by name.
func (m *Manager) List(filters map[string][]string) ([]types.Network, error) {
	funcs, err := netutil.GenerateNetworkFilters(filters)
	if err != nil {
		return nil, errdefs.Invalid(err)
	}
	nets, err := m.backend.NetworkList(funcs...)
	if err != nil {
		return nil, classify(err)
	}
	sort.Slice(nets, func(i, j int) bool { return nets[i].Name < nets[j].Name })
	return nets, nil
}

// Inspect returns the network a name, an ID or a unique ID prefix names.
func (m *Manager) Inspect(nameOrID string) (types.Network, error) {
	n, err := m.backend.NetworkInspect(nameOrID)
	return n, classify(err)
}

// Remove deletes a network's file; the caller has made sure no container
// uses it.
func (m *Manager) Remove(nameOrID string) error {
	err := m.backend.NetworkRemove(nameOrID)
	if err != nil && strings.Contains(err.Error(), "cannot be removed") {
		return errdefs.Invalid(err)
	}
	return classify(err)
}

// RootlessNetNS is the path of the rootless netns, where the bridges
// are, while an attachment holds it (libnetwork's layout).
func (m *Manager) RootlessNetNS() string {
	return filepath.Join(m.runDir, "rootless-netns", "rootless-netns")
}
