package network

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"

	"go.podman.io/common/libnetwork/types"

	"github.com/burrow-containers/burrow/errdefs"
)

// Connect puts a running container on one more network, as its next
// interface (eth1, eth2, ...).
func (m *Manager) Connect(c Container, a Attachment) error {
	_, err := m.inHelper(helperRequest{Op: "connect", Container: c, Networks: []Attachment{a}})
	return err
}

// Disconnect takes a running container off one network.
func (m *Manager) Disconnect(c Container, network string) error {
	_, err := m.inHelper(helperRequest{Op: "disconnect", Container: c, Network: network})
	return err
}

// Reload sets a running container's networks up again with the same
// addresses (network reload: netavark's firewall rules and DNS entries
// anew).
func (m *Manager) Reload(c Container) error {
	_, err := m.inHelper(helperRequest{Op: "reload", Container: c})
	return err
}

// connect is Connect in the helper.
func (m *Manager) connect(c Container, a Attachment) ([]Endpoint, error) {
	unlock, err := m.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	rec, err := readRecord(m.recordPath(c.ID))
	if errors.Is(err, os.ErrNotExist) {
		// On no network now (all disconnected): only lo.
		rec = &attached{NetNS: c.NetNS, Options: types.NetworkOptions{ContainerID: c.ID, ContainerName: c.Name}}
	} else if err != nil {
		return nil, err
	}
	if rec.Options.Networks == nil {
		rec.Options.Networks = map[string]types.PerNetworkOptions{}
	}
	if rec.Status == nil {
		rec.Status = map[string]types.StatusBlock{}
	}
	name, per, err := m.perNetwork(c, a, nextInterface(rec))
	if err != nil {
		return nil, err
	}
	if _, dup := rec.Options.Networks[name]; dup {
		return nil, errdefs.Conflict(fmt.Errorf("container %s is already connected to network %s", c.Name, name))
	}
	opts := types.NetworkOptions{ContainerID: c.ID, ContainerName: c.Name, Networks: map[string]types.PerNetworkOptions{name: per}}
	m.forgetLost()
	status, err := m.backend.Setup(rec.NetNS, types.SetupOptions{NetworkOptions: opts})
	if err != nil {
		return nil, fmt.Errorf("connecting container %s to network %s: %w", c.Name, name, classify(err))
	}
	rec.Options.Networks[name] = per
	rec.Order = append(rec.Order, name)
	rec.Status[name] = status[name]
	if err := m.writeRecord(c.ID, rec); err != nil {
		m.backend.Teardown(rec.NetNS, types.TeardownOptions{NetworkOptions: opts})
		return nil, err
	}
	return m.endpoints(rec), nil
}

// nextInterface is the first ethN the container does not have.
func nextInterface(rec *attached) string {
	var used []string
	for _, per := range rec.Options.Networks {
		used = append(used, per.InterfaceName)
	}
	for i := 0; ; i++ {
		if name := "eth" + strconv.Itoa(i); !slices.Contains(used, name) {
			return name
		}
	}
}

// disconnect is Disconnect in the helper.
func (m *Manager) disconnect(c Container, network string) error {
	unlock, err := m.lock()
	if err != nil {
		return err
	}
	defer unlock()
	notOn := errdefs.NotFound(fmt.Errorf("container %s is not connected to network %s", c.Name, network))
	rec, err := readRecord(m.recordPath(c.ID))
	if errors.Is(err, os.ErrNotExist) {
		return notOn
	}
	if err != nil {
		return err
	}
	name := network
	if n, err := m.Inspect(network); err == nil {
		name = n.Name
	}
	per, ok := rec.Options.Networks[name]
	if !ok {
		return notOn
	}
	opts := types.NetworkOptions{ContainerID: c.ID, ContainerName: c.Name, Networks: map[string]types.PerNetworkOptions{name: per}}
	err = m.teardown(rec, opts)
	delete(rec.Options.Networks, name)
	delete(rec.Status, name)
	rec.Order = slices.DeleteFunc(rec.Order, func(n string) bool { return n == name })
	if len(rec.Order) == 0 {
		os.Remove(m.recordPath(c.ID))
		m.releaseUnused()
		return err
	}
	if werr := m.writeRecord(c.ID, rec); werr != nil {
		return werr
	}
	return err
}

// reload is Reload in the helper: teardown and setup again, asking for
// the addresses and MAC addresses the container has.
func (m *Manager) reload(c Container) ([]Endpoint, error) {
	unlock, err := m.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	rec, err := readRecord(m.recordPath(c.ID))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := m.teardown(rec, rec.Options); err != nil {
		fmt.Fprintf(os.Stderr, "Warning: %v\n", err)
	}
	for name, per := range rec.Options.Networks {
		iface := rec.Status[name].Interfaces[per.InterfaceName]
		per.StaticIPs = nil
		for _, s := range iface.Subnets {
			per.StaticIPs = append(per.StaticIPs, s.IPNet.IP)
		}
		if len(iface.MacAddress) > 0 {
			per.StaticMAC = iface.MacAddress
		}
		rec.Options.Networks[name] = per
	}
	m.forgetLost()
	status, err := m.backend.Setup(rec.NetNS, types.SetupOptions{NetworkOptions: rec.Options})
	if err != nil {
		os.Remove(m.recordPath(c.ID))
		m.releaseUnused()
		return nil, fmt.Errorf("reloading the networks of container %s: %w", c.Name, classify(err))
	}
	rec.Status = status
	return m.endpoints(rec), m.writeRecord(c.ID, rec)
}
