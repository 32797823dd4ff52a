package network

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.podman.io/common/libnetwork/types"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/slirp"
)

// Attachment is one network a container joins and its options there:
// --network NAME[:alias=A,ip=IP,mac=MAC,interface_name=IF].
type Attachment struct {
	Network   string   `json:"network"`
	Aliases   []string `json:"aliases,omitempty"`
	IPs       []string `json:"ips,omitempty"`
	MAC       string   `json:"mac,omitempty"`
	Interface string   `json:"interface,omitempty"`
}

// Container is the container being attached: its network namespace and
// the names the networks' DNS gives it.
type Container struct {
	ID, Name string
	NetNS    string // the container's own network namespace (a path)
}

// Endpoint is a container's place on one network, once attached.
type Endpoint struct {
	Network   string
	NetworkID string
	Interface string
	MAC       string
	Aliases   []string
	// Addresses are the container's, with their prefix length
	// (10.89.0.2/24); Gateways the networks' gateways.
	Addresses []string
	Gateways  []string
	// DNS are the name servers that know the network's containers
	// (aardvark-dns at the gateway); empty without DNS.
	DNS           []string
	SearchDomains []string
}

// attached is the record of a container's attachments, written by
// Attach and Connect and consumed by Detach.
type attached struct {
	NetNS   string                       `json:"netns"`
	Order   []string                     `json:"order"` // network names, by interface
	Options types.NetworkOptions         `json:"options"`
	Status  map[string]types.StatusBlock `json:"status"`
}

func (m *Manager) recordPath(id string) string { return recordPath(m.runDir, id) }

func recordPath(runDir, id string) string { return filepath.Join(runDir, "containers", id+".json") }

// AttachedSince lists the containers attached to networks, with the time
// of their attachment.
func AttachedSince(runRoot string) map[string]time.Time {
	dir := filepath.Join(runDirOf(runRoot), "containers")
	ents, _ := os.ReadDir(dir)
	out := map[string]time.Time{}
	for _, e := range ents {
		id, ok := strings.CutSuffix(e.Name(), ".json")
		if info, err := e.Info(); ok && err == nil {
			out[id] = info.ModTime()
		}
	}
	return out
}

// HasAttachment tells, without opening the networks, whether the
// container is attached to any (so must be detached).
func HasAttachment(runRoot, id string) bool {
	_, err := os.Stat(recordPath(runDirOf(runRoot), id))
	return err == nil
}

// Attach puts the container on the networks (eth0, eth1, ... in order),
// bringing up the rootless netns and aardvark-dns when needed. On error
// nothing stays attached.
func (m *Manager) Attach(c Container, nets []Attachment) ([]Endpoint, error) {
	if len(nets) == 0 {
		return nil, nil // all disconnected: only lo
	}
	return m.inHelper(helperRequest{Op: "attach", Container: c, Networks: nets})
}

// Detach takes the container off all its networks; the rootless netns
// goes with the last attachment. Detaching a container that is on no
// network does nothing; two callers at once detach it once.
func (m *Manager) Detach(id string) error {
	if _, err := os.Stat(m.recordPath(id)); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	_, err := m.inHelper(helperRequest{Op: "detach", Container: Container{ID: id}})
	return err
}

// attach is Attach in the helper.
func (m *Manager) attach(c Container, nets []Attachment) ([]Endpoint, error) {
	rec := &attached{NetNS: c.NetNS, Options: types.NetworkOptions{
		ContainerID: c.ID, ContainerName: c.Name, Networks: map[string]types.PerNetworkOptions{},
	}}
	for i, a := range nets {
		name, per, err := m.perNetwork(c, a, "eth"+strconv.Itoa(i))
		if err != nil {
			return nil, err
		}
		if _, dup := rec.Options.Networks[name]; dup {
			return nil, errdefs.Invalid(fmt.Errorf("network %s is given twice: give each network once", name))
		}
		rec.Options.Networks[name] = per
		rec.Order = append(rec.Order, name)
	}
	m.detach(c.ID) // what a crashed start may have left
	unlock, err := m.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	m.forgetLost()
	status, err := m.backend.Setup(c.NetNS, types.SetupOptions{NetworkOptions: rec.Options})
	if err != nil {
		return nil, fmt.Errorf("attaching container %s to its networks: %w", c.Name, classify(err))
	}
	rec.Status = status
	if err := m.writeRecord(c.ID, rec); err != nil {
		m.backend.Teardown(c.NetNS, types.TeardownOptions{NetworkOptions: rec.Options})
		return nil, err
	}
	return m.endpoints(rec), nil
}

// perNetwork resolves a's network to its name and turns a into
// libnetwork's options.
func (m *Manager) perNetwork(c Container, a Attachment, ifname string) (string, types.PerNetworkOptions, error) {
	n, err := m.Inspect(a.Network)
	if err != nil {
		return "", types.PerNetworkOptions{}, err
	}
	per := types.PerNetworkOptions{InterfaceName: a.Interface, Aliases: slices.Clone(a.Aliases)}
	if per.InterfaceName == "" {
		per.InterfaceName = ifname
	}
	if n.DNSEnabled && len(c.ID) >= 12 {
		// The short ID is a name too (the default hostname), as in
		// podman and docker.
		per.Aliases = append(per.Aliases, c.ID[:12])
	}
	for _, s := range a.IPs {
		ip := net.ParseIP(s)
		if ip == nil {
			return "", per, errdefs.Invalid(fmt.Errorf("invalid IP address %q for network %s", s, n.Name))
		}
		per.StaticIPs = append(per.StaticIPs, ip)
	}
	if a.MAC != "" {
		mac, err := net.ParseMAC(a.MAC)
		if err != nil {
			return "", per, errdefs.Invalid(fmt.Errorf("invalid MAC address %q for network %s", a.MAC, n.Name))
		}
		per.StaticMAC = types.HardwareAddr(mac)
	}
	return n.Name, per, nil
}

// detach is Detach in the helper.
func (m *Manager) detach(id string) error {
	unlock, err := m.lock()
	if err != nil {
		return err
	}
	defer unlock()
	defer m.releaseUnused()
	p := m.recordPath(id)
	claimed := p + ".detaching"
	if err := os.Rename(p, claimed); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return err
	}
	defer os.Remove(claimed)
	rec, err := readRecord(claimed)
	if err != nil {
		return err
	}
	return m.teardown(rec, rec.Options)
}

// teardown runs netavark's teardown of opts. Its veths went with a
// namespace that is already gone; the bridge side (DNS entries, firewall
// rules, the rootless netns' count) must still go, so a fresh namespace
// stands in for it.
func (m *Manager) teardown(rec *attached, opts types.NetworkOptions) error {
	ns := rec.NetNS
	if !isNetNS(ns) {
		ns = filepath.Join(m.runDir, "tmp", "gone-"+opts.ContainerID)
		slirp.RemoveNetNS(ns)
		if err := slirp.NewNetNS(ns); err != nil {
			return err
		}
		defer slirp.RemoveNetNS(ns)
	}
	if err := m.backend.Teardown(ns, types.TeardownOptions{NetworkOptions: opts}); err != nil {
		return fmt.Errorf("detaching container %s from its networks: %w", rec.Options.ContainerName, err)
	}
	return nil
}

// Endpoints are the container's places on its networks, in interface
// order; none when it is not attached (not running).
func (m *Manager) Endpoints(id string) ([]Endpoint, error) {
	rec, err := readRecord(m.recordPath(id))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return m.endpoints(rec), nil
}

func (m *Manager) endpoints(rec *attached) []Endpoint {
	var out []Endpoint
	for _, name := range rec.Order {
		per := rec.Options.Networks[name]
		st := rec.Status[name]
		e := Endpoint{Network: name, Interface: per.InterfaceName, Aliases: per.Aliases, SearchDomains: st.DNSSearchDomains}
		if n, err := m.backend.NetworkInspect(name); err == nil {
			e.NetworkID = n.ID
		}
		if iface, ok := st.Interfaces[per.InterfaceName]; ok {
			e.MAC = iface.MacAddress.String()
			for _, s := range iface.Subnets {
				e.Addresses = append(e.Addresses, s.IPNet.String())
				if s.Gateway != nil {
					e.Gateways = append(e.Gateways, s.Gateway.String())
				}
			}
		}
		for _, ip := range st.DNSServerIPs {
			e.DNS = append(e.DNS, ip.String())
		}
		out = append(out, e)
	}
	return out
}

func readRecord(path string) (*attached, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rec attached
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return &rec, nil
}

func (m *Manager) writeRecord(id string, rec *attached) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	p := m.recordPath(id)
	if err := os.WriteFile(p+".tmp", b, 0o600); err != nil {
		return fmt.Errorf("recording the networks of container %s: %w", id, err)
	}
	return os.Rename(p+".tmp", p)
}

// isNetNS tells whether path is a network namespace (a bind mount of
// one), not the empty file a lost mount leaves.
func isNetNS(path string) bool {
	var st unix.Statfs_t
	return unix.Statfs(path, &st) == nil && st.Type == unix.NSFS_MAGIC
}
