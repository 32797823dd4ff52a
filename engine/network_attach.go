package engine

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.podman.io/common/libnetwork/types"
	"go.podman.io/storage/pkg/stringid"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/network"
	"github.com/burrow-containers/burrow/slirp"
)

// NetworkBridge is the mode of a container on user-defined networks
// (Config.Networks), podman's name for it.
const NetworkBridge = "bridge"

// IsNetworkMode tells the --network values that name a mode, not a
// network.
func IsNetworkMode(v string) bool {
	name, _, _ := strings.Cut(v, ":")
	switch name {
	case "", "slirp4netns", "pasta", "none", "host", "private", "bridge", "container":
		return true
	}
	return false
}

// ParseNetworks reads --network (repeatable), --network-alias, --ip and
// --mac-address: a mode (ParseNetwork), or networks by name, each
// NAME[:alias=A,ip=IP,mac=MAC,interface_name=IF], or NAME,NAME,...
func ParseNetworks(values, aliases []string, ip, mac string) (mode string, allowHostLoopback bool, nets []network.Attachment, err error) {
	if len(values) <= 1 && (len(values) == 0 || IsNetworkMode(values[0])) {
		v := ""
		if len(values) == 1 {
			v = values[0]
		}
		if len(aliases) > 0 || ip != "" || mac != "" {
			return "", false, nil, errdefs.Invalid(errors.New("--network-alias, --ip and --mac-address need a network made with network create: give it with --network NAME"))
		}
		mode, allowHostLoopback, err = ParseNetwork(v)
		return mode, allowHostLoopback, nil, err
	}
	for _, v := range values {
		if IsNetworkMode(v) {
			return "", false, nil, errdefs.Invalid(fmt.Errorf("--network %s cannot be combined with other networks: give it alone", v))
		}
		name, opts, hasOpts := strings.Cut(v, ":")
		if !hasOpts && strings.Contains(name, ",") {
			// podman's older form: a list of networks.
			for _, n := range strings.Split(name, ",") {
				nets = append(nets, network.Attachment{Network: n})
			}
			continue
		}
		a, err := parseAttachment(name, opts)
		if err != nil {
			return "", false, nil, err
		}
		nets = append(nets, a)
	}
	if (ip != "" || mac != "") && len(nets) > 1 {
		return "", false, nil, errdefs.Invalid(errors.New("--ip and --mac-address apply to one network: with several, give them per network (--network NAME:ip=IP,mac=MAC)"))
	}
	for i := range nets {
		nets[i].Aliases = append(nets[i].Aliases, aliases...)
		if ip != "" {
			nets[i].IPs = append(nets[i].IPs, ip)
		}
		if mac != "" {
			nets[i].MAC = mac
		}
	}
	for _, a := range nets {
		if err := checkAttachment(a); err != nil {
			return "", false, nil, err
		}
	}
	return NetworkBridge, false, nets, nil
}

// parseAttachment reads NAME and the options after its colon.
func parseAttachment(name, opts string) (network.Attachment, error) {
	a := network.Attachment{Network: name}
	if name == "" {
		return a, errdefs.Invalid(errors.New("--network: empty network name"))
	}
	for _, o := range strings.Split(opts, ",") {
		if o == "" {
			continue
		}
		k, v, ok := strings.Cut(o, "=")
		if !ok || v == "" {
			return a, errdefs.Invalid(fmt.Errorf("invalid option %q of --network %s: use alias=, ip=, mac= or interface_name= with a value", o, name))
		}
		switch k {
		case "alias":
			a.Aliases = append(a.Aliases, v)
		case "ip", "ip6":
			a.IPs = append(a.IPs, v)
		case "mac":
			a.MAC = v
		case "interface_name":
			a.Interface = v
		default:
			return a, errdefs.Invalid(fmt.Errorf("unknown option %q of --network %s: burrow knows alias=, ip=, mac= and interface_name=", k, name))
		}
	}
	return a, nil
}

func checkAttachment(a network.Attachment) error {
	for _, ip := range a.IPs {
		if net.ParseIP(ip) == nil {
			return errdefs.Invalid(fmt.Errorf("invalid IP address %q for network %s", ip, a.Network))
		}
	}
	if a.MAC != "" {
		if _, err := net.ParseMAC(a.MAC); err != nil {
			return errdefs.Invalid(fmt.Errorf("invalid MAC address %q for network %s", a.MAC, a.Network))
		}
	}
	return nil
}

// networks opens the user's networks (podman's files).
func (e *Engine) networks() (*network.Manager, error) {
	return network.Open(e.opts.GraphRoot, e.opts.RunRoot)
}

// resolveNetworks checks that the networks c names exist and records them
// by name; nothing to do for the other modes.
func (e *Engine) resolveNetworks(c *Config) error {
	if len(c.Networks) == 0 {
		return nil
	}
	m, err := e.networks()
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, a := range c.Networks {
		n, err := m.Inspect(a.Network)
		if err != nil {
			return err
		}
		if seen[n.Name] {
			return errdefs.Invalid(fmt.Errorf("network %s is given twice: give each network once", n.Name))
		}
		seen[n.Name] = true
		c.Networks[i].Network = n.Name
	}
	return nil
}

// setupBridgeNetwork gives the container a network namespace on its
// networks (veths into the rootless netns, made by netavark) and
// publishes its ports there. The returned file keeps the port forwarder
// alive: the monitor holds it.
func (e *Engine) setupBridgeNetwork(r *Record) (hold []*os.File, err error) {
	m, err := e.networks()
	if err != nil {
		return nil, err
	}
	netns := e.netnsPath(r.ID)
	e.teardownNetwork(r.ID) // what a crashed start may have left
	if err := e.newNetNS(netns, &r.Config); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			slirp.RemoveNetNS(netns)
		}
	}()
	eps, err := m.Attach(network.Container{ID: r.ID, Name: r.Name, NetNS: netns}, r.Config.Networks)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			m.Detach(r.ID)
		}
	}()
	if r.Config.NetworkRate > 0 {
		if err := slirp.LimitRate(netns, r.Config.NetworkRate); err != nil {
			return nil, err
		}
	}
	if len(r.Config.Ports) > 0 {
		h, err := e.publishBridged(m, r, eps)
		if err != nil {
			return nil, err
		}
		hold = append(hold, h)
	}
	if err := e.rewriteEtcFiles(r); err != nil {
		closeAll(hold)
		return nil, err
	}
	return hold, nil
}

// publishBridged forwards the published ports to the container's address
// on its first network, dialled inside the rootless netns (as podman's
// rootlessport does): the container sees the connections come from the
// network's gateway.
func (e *Engine) publishBridged(m *network.Manager, r *Record, eps []network.Endpoint) (*os.File, error) {
	childIP := firstIPv4(eps)
	if childIP == "" {
		return nil, errdefs.Invalid(fmt.Errorf("publishing ports of %s: it has no IPv4 address on its networks", r.Name))
	}
	logPath := filepath.Join(e.ctrDir(r.ID), "network.log")
	return slirp.ForwardPorts(m.RootlessNetNS(), logPath, e.portAPIFile(r.ID), slirpPorts(r.Config.Ports, childIP))
}

// portAPIFile names the socket of the port helper of a container on
// networks.
func (e *Engine) portAPIFile(id string) string {
	return filepath.Join(e.ctrDir(id), "port-api")
}

// redirectPorts points the published ports of a running container on
// networks at its first IPv4 address now, as podman's after network
// connect and disconnect; with no address left they stay as they are.
func (e *Engine) redirectPorts(ctr *Container) error {
	if len(ctr.Config.Ports) == 0 || !ctr.Running() {
		return nil
	}
	ip := firstIPv4(e.endpoints(ctr.ID))
	if ip == "" {
		return nil
	}
	if err := slirp.Redirect(e.portAPIFile(ctr.ID), ip); err != nil {
		return fmt.Errorf("moving the published ports of %s to %s: %w", ctr.Name, ip, err)
	}
	return nil
}

// firstIPv4 is the first IPv4 address of the endpoints, "" when none.
func firstIPv4(eps []network.Endpoint) string {
	for _, ep := range eps {
		for _, a := range ep.Addresses {
			if ip, _, err := net.ParseCIDR(a); err == nil && ip.To4() != nil {
				return ip.String()
			}
		}
	}
	return ""
}

// detachNetworks takes a container off its networks, if it is on any.
func (e *Engine) detachNetworks(id string) {
	if !network.HasAttachment(e.opts.RunRoot, id) {
		return
	}
	m, err := e.networks()
	if err == nil {
		err = m.Detach(id)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "Warning: %v\n", err)
	}
}

// endpoints are the container's places on its networks while it runs.
func (e *Engine) endpoints(id string) []network.Endpoint {
	if !network.HasAttachment(e.opts.RunRoot, id) {
		return nil
	}
	m, err := e.networks()
	if err != nil {
		return nil
	}
	eps, _ := m.Endpoints(id)
	return eps
}

// addNetworkSettings fills inspect's NetworkSettings.Networks for a
// container on networks: its address on each while it runs.
func (e *Engine) addNetworkSettings(c *Container, ns map[string]any) {
	if len(c.Config.Networks) == 0 {
		return
	}
	nets := map[string]any{}
	for _, ep := range e.ContainerEndpoints(c) {
		nets[ep.Network] = endpointSettings(ep)
	}
	ns["Networks"] = nets
}

// ContainerEndpoints are the container's places on its networks, in
// interface order: with its addresses while it runs, else what its
// configuration asks (network, aliases).
func (e *Engine) ContainerEndpoints(c *Container) []NetworkEndpoint {
	if len(c.Config.Networks) == 0 {
		return nil
	}
	eps := map[string]network.Endpoint{}
	if c.Running() {
		for _, ep := range e.endpoints(c.ID) {
			eps[ep.Network] = ep
		}
	}
	m, err := e.networks()
	var out []NetworkEndpoint
	for _, a := range c.Config.Networks {
		ep, ok := eps[a.Network]
		if !ok {
			// Not attached (not running): what the network says.
			ep = network.Endpoint{Network: a.Network, Aliases: a.Aliases}
			if err == nil {
				if n, err := m.Inspect(a.Network); err == nil {
					ep.NetworkID = n.ID
				}
			}
		}
		out = append(out, ep)
	}
	return out
}

// endpointSettings is one network of inspect, in docker's shape.
func endpointSettings(ep network.Endpoint) map[string]any {
	s := map[string]any{
		"EndpointID": "", "Gateway": "", "IPAddress": "", "IPPrefixLen": 0, "IPv6Gateway": "",
		"GlobalIPv6Address": "", "GlobalIPv6PrefixLen": 0, "MacAddress": ep.MAC, "NetworkID": ep.NetworkID,
		"Aliases": ep.Aliases, "DriverOpts": nil, "IPAMConfig": nil, "Links": nil,
	}
	for _, addr := range ep.Addresses {
		ip, n, err := net.ParseCIDR(addr)
		if err != nil {
			continue
		}
		ones, _ := n.Mask.Size()
		if ip.To4() != nil && s["IPAddress"] == "" {
			s["IPAddress"], s["IPPrefixLen"] = ip.String(), ones
		} else if ip.To4() == nil && s["GlobalIPv6Address"] == "" {
			s["GlobalIPv6Address"], s["GlobalIPv6PrefixLen"] = ip.String(), ones
		}
	}
	for _, g := range ep.Gateways {
		if ip := net.ParseIP(g); ip != nil && ip.To4() != nil {
			s["Gateway"] = g
		} else if ip != nil {
			s["IPv6Gateway"] = g
		}
	}
	return s
}

// checkAttachments finds containers still on networks that do not run
// (a cleanup that never ran) and, with repair, takes them off, so that the
// rootless netns and its helpers can go. Recent ones may be starting.
func (e *Engine) checkAttachments(running map[string]bool, repair bool) (problems, repaired []string) {
	for id, since := range network.AttachedSince(e.opts.RunRoot) {
		if running[id] || time.Since(since) < time.Minute {
			continue
		}
		problems = append(problems, "a network attachment of a container that does not run: "+stringid.TruncateID(id))
		if repair {
			e.teardownNetwork(id)
			repaired = append(repaired, "took "+stringid.TruncateID(id)+" off its networks")
		}
	}
	return problems, repaired
}

// networkUsers are the containers whose configuration names the network.
func (e *Engine) networkUsers(n types.Network) ([]*Container, error) {
	ctrs, err := e.List()
	if err != nil {
		return nil, err
	}
	var out []*Container
	for _, c := range ctrs {
		for _, a := range c.Config.Networks {
			if a.Network == n.Name || a.Network == n.ID {
				out = append(out, c)
				break
			}
		}
	}
	return out, nil
}

// bridgeContainer names c for the networks.
func (e *Engine) bridgeContainer(c *Container) network.Container {
	return network.Container{ID: c.ID, Name: c.Name, NetNS: e.netnsPath(c.ID)}
}

// ConnectNetwork adds a network to the container's (network connect): at
// once when it runs, at its next start otherwise.
func (e *Engine) ConnectNetwork(ctr *Container, a network.Attachment) error {
	if err := checkAttachment(a); err != nil {
		return err
	}
	if err := checkBridgeMode(ctr); err != nil {
		return err
	}
	m, err := e.networks()
	if err != nil {
		return err
	}
	n, err := m.Inspect(a.Network)
	if err != nil {
		return err
	}
	a.Network = n.Name
	if slices.ContainsFunc(ctr.Config.Networks, func(have network.Attachment) bool { return have.Network == n.Name }) {
		return errdefs.Conflict(fmt.Errorf("container %s is already connected to network %s", ctr.Name, n.Name))
	}
	// The attachment first, out of the engine lock (netavark takes
	// seconds); a container that stops meanwhile is detached from it too.
	if ctr.Running() {
		if err := m.Connect(e.bridgeContainer(ctr), a); err != nil {
			return err
		}
	}
	err = e.updateNetworks(ctr, func(r *Record) {
		if !slices.ContainsFunc(r.Config.Networks, func(have network.Attachment) bool { return have.Network == n.Name }) {
			r.Config.Networks = append(r.Config.Networks, a)
		}
	})
	if err != nil {
		return err
	}
	e.recordEvents(networkEvent("connect", n.ID, n.Name, ctr))
	return e.redirectPorts(ctr)
}

// checkBridgeMode refuses connect and disconnect for a container not on
// networks (slirp4netns, pasta, host, none, another's namespace), with
// podman 4's words: its namespace is not one netavark may change.
func checkBridgeMode(ctr *Container) error {
	if mode := networkMode(&ctr.Config); mode != NetworkBridge {
		return errdefs.Invalid(fmt.Errorf("%q is not supported: invalid network mode", mode))
	}
	return nil
}

// DisconnectNetwork takes a network from the container's (network
// disconnect): at once when it runs.
func (e *Engine) DisconnectNetwork(ctr *Container, name string) error {
	if err := checkBridgeMode(ctr); err != nil {
		return err
	}
	m, err := e.networks()
	if err != nil {
		return err
	}
	if n, err := m.Inspect(name); err == nil {
		name = n.Name
	}
	on := func(a network.Attachment) bool { return a.Network == name }
	if !slices.ContainsFunc(ctr.Config.Networks, on) {
		return errdefs.NotFound(fmt.Errorf("container %s is not connected to network %s", ctr.Name, name))
	}
	if ctr.Running() {
		if err := m.Disconnect(e.bridgeContainer(ctr), name); err != nil && !errdefs.Is(err, errdefs.ClassNotFound) {
			return err
		}
	}
	err = e.updateNetworks(ctr, func(r *Record) {
		r.Config.Networks = slices.DeleteFunc(r.Config.Networks, on)
	})
	if err != nil {
		return err
	}
	e.recordEvents(networkEvent("disconnect", "", name, ctr))
	return e.redirectPorts(ctr)
}

// ReloadNetworks sets a running container's networks up again, with the
// same addresses (network reload).
func (e *Engine) ReloadNetworks(ctr *Container) error {
	if networkMode(&ctr.Config) != NetworkBridge || !ctr.Running() {
		return nil
	}
	m, err := e.networks()
	if err != nil {
		return err
	}
	return m.Reload(e.bridgeContainer(ctr))
}

// updateNetworks changes the container's networks in its record under the
// engine lock, then brings its /etc files up to date.
func (e *Engine) updateNetworks(ctr *Container, change func(*Record)) error {
	unlock, err := e.lock()
	if err != nil {
		return err
	}
	defer unlock()
	r, err := e.readRecord(ctr.ID)
	if err != nil {
		return err
	}
	change(r)
	if err := e.writeRecord(r); err != nil {
		return err
	}
	ctr.Record.Config = r.Config
	return e.rewriteEtcFiles(r)
}
