package engine

import (
	"errors"
	"fmt"
	"strings"

	"go.podman.io/common/libnetwork/types"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/network"
)

// Network types, as package network and libnetwork define them.
type (
	// Network is a network of podman's files.
	Network = types.Network
	// NetworkCreateOptions are network create's flags.
	NetworkCreateOptions = network.CreateOptions
	// NetworkAttachment is one network a container joins, with its
	// aliases, addresses and interface there.
	NetworkAttachment = network.Attachment
	// NetworkEndpoint is a container's place on one network.
	NetworkEndpoint = network.Endpoint
)

// DefaultNetwork is the network that always exists (podman's "podman").
const DefaultNetwork = network.DefaultNetwork

// CreateNetwork makes a network (network create); with ignoreExisting, a
// network of that name is returned as it is.
func (e *Engine) CreateNetwork(o network.CreateOptions, ignoreExisting bool) (types.Network, error) {
	m, err := e.networks()
	if err != nil {
		return types.Network{}, err
	}
	if ignoreExisting {
		if n, err := m.Inspect(o.Name); err == nil && o.Name != "" {
			return n, nil
		}
	}
	n, err := m.Create(o, ignoreExisting)
	if err == nil {
		e.recordEvents(networkEvent("create", n.ID, n.Name, nil))
	}
	return n, err
}

// InspectNetwork returns the network a name, an ID or an ID prefix names.
func (e *Engine) InspectNetwork(nameOrID string) (types.Network, error) {
	m, err := e.networks()
	if err != nil {
		return types.Network{}, err
	}
	return m.Inspect(nameOrID)
}

// ListNetworks returns the networks by name, filtered as podman's network
// ls: name, id, driver, label, label!, until and dangling=true|false (no
// container uses it).
func (e *Engine) ListNetworks(filters map[string][]string) ([]types.Network, error) {
	m, err := e.networks()
	if err != nil {
		return nil, err
	}
	lib := map[string][]string{}
	var dangling []string
	for k, v := range filters {
		if k == "dangling" {
			dangling = v
			continue
		}
		lib[k] = v
	}
	nets, err := m.List(lib)
	if err != nil || len(dangling) == 0 {
		return nets, err
	}
	want, err := parseBoolFilter("dangling", dangling)
	if err != nil {
		return nil, err
	}
	var out []types.Network
	for _, n := range nets {
		users, err := e.networkUsers(n)
		if err != nil {
			return nil, err
		}
		if (len(users) == 0) == want {
			out = append(out, n)
		}
	}
	return out, nil
}

func parseBoolFilter(key string, values []string) (bool, error) {
	if len(values) != 1 || values[0] != "true" && values[0] != "false" {
		return false, errdefs.Invalid(fmt.Errorf("invalid filter %s=%s: use %s=true or %s=false", key, strings.Join(values, ","), key, key))
	}
	return values[0] == "true", nil
}

// RemoveNetwork deletes a network. The containers that use it make that
// a conflict, unless force, which removes them first with removeCtr.
func (e *Engine) RemoveNetwork(nameOrID string, force bool, removeCtr func(*Container) error) (string, error) {
	m, err := e.networks()
	if err != nil {
		return "", err
	}
	n, err := m.Inspect(nameOrID)
	if err != nil {
		return "", err
	}
	if n.Name == network.DefaultNetwork {
		return "", errdefs.Invalid(fmt.Errorf("default network %s cannot be removed", n.Name))
	}
	users, err := e.networkUsers(n)
	if err != nil {
		return "", err
	}
	if len(users) > 0 && !force {
		var names []string
		for _, c := range users {
			names = append(names, c.Name)
		}
		return "", errdefs.Conflict(fmt.Errorf("network %s is used by container %s: remove the containers first, or use network rm -f", n.Name, strings.Join(names, ", ")))
	}
	for _, c := range users {
		if err := removeCtr(c); err != nil {
			return "", fmt.Errorf("removing container %s, which uses network %s: %w", c.Name, n.Name, err)
		}
	}
	if err := m.Remove(n.Name); err != nil {
		return n.Name, err
	}
	e.recordEvents(networkEvent("remove", n.ID, n.Name, nil))
	return n.Name, nil
}

// PruneNetworks removes the networks no container uses (but the default
// one) among those the filters (label, label!, until) let through.
func (e *Engine) PruneNetworks(filters map[string][]string) ([]string, error) {
	for k := range filters {
		if k != "label" && k != "label!" && k != "until" {
			return nil, errdefs.Invalid(fmt.Errorf("invalid filter %q for network prune: use label, label! or until", k))
		}
	}
	nets, err := e.ListNetworks(filters)
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, n := range nets {
		if n.Name == network.DefaultNetwork {
			continue
		}
		users, err := e.networkUsers(n)
		if err != nil {
			return removed, err
		}
		if len(users) > 0 {
			continue
		}
		if _, err := e.RemoveNetwork(n.Name, false, nil); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, n.Name)
	}
	return removed, errors.Join(errs...)
}

// RootlessNetNS is the rootless network namespace's file while one exists
// (a container runs on a network), for unshare --rootless-netns; burrow
// never makes it for that alone, since it goes with the last container.
func (e *Engine) RootlessNetNS() (string, error) {
	m, err := e.networks()
	if err != nil {
		return "", err
	}
	p := m.RootlessNetNS()
	var st unix.Statfs_t
	if err := unix.Statfs(p, &st); err != nil || st.Type != unix.NSFS_MAGIC {
		return "", errdefs.Unavailable(errors.New("there is no rootless network namespace: it exists while a container runs on a network (run one with --network NAME)"))
	}
	return p, nil
}
