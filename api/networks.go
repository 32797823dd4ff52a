package api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/moby/moby/api/types/network"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// The networks dockerd always has. "bridge" is burrow's default network
// mode: each container in a user-mode network namespace of its own
// (slirp4netns), where dockerd's containers share one bridge; as on
// dockerd's default bridge, containers there have no DNS names and no
// aliases. "host" and "none" are the modes of those names. Clients look
// them up (testcontainers-go takes "bridge" as its default network);
// none can be created, removed, or connected to.
var builtinNetworks = []network.Inspect{
	builtinNetwork(network.NetworkBridge, "bridge", &network.IPAMConfig{
		Subnet: netip.MustParsePrefix("10.0.2.0/24"), Gateway: netip.MustParseAddr("10.0.2.2"),
	}),
	builtinNetwork(network.NetworkHost, "host", nil),
	builtinNetwork(network.NetworkNone, "null", nil),
}

func builtinNetwork(name, driver string, ipam *network.IPAMConfig) network.Inspect {
	sum := sha256.Sum256([]byte("burrow builtin network " + name))
	n := network.Inspect{Network: network.Network{
		Name: name, ID: hex.EncodeToString(sum[:]), Scope: "local", Driver: driver, EnableIPv4: driver == "bridge",
		IPAM:    network.IPAM{Driver: "default", Options: map[string]string{}, Config: []network.IPAMConfig{}},
		Options: map[string]string{}, Labels: map[string]string{},
	}, Containers: map[string]network.EndpointResource{}}
	if ipam != nil {
		n.IPAM.Config = append(n.IPAM.Config, *ipam)
		n.Options["com.docker.network.bridge.default_bridge"] = "true"
	}
	return n
}

// builtin finds a builtin network by name, ID or ID prefix.
func builtin(nameOrID string) (network.Inspect, bool) {
	for _, n := range builtinNetworks {
		if n.Name == nameOrID || (len(nameOrID) >= 3 && strings.HasPrefix(n.ID, nameOrID)) {
			return n, true
		}
	}
	return network.Inspect{}, false
}

// networkRequired refuses a change to a builtin network.
func networkRequired(name, action string) error {
	return errdefs.Invalid(fmt.Errorf("%s is a pre-defined network and cannot be %s: use a network made with POST /networks/create", name, action))
}

func (s *Server) networkList(w http.ResponseWriter, r *http.Request) {
	args, err := filterArgs(r)
	if err != nil {
		writeError(w, err)
		return
	}
	nf, err := newNetworkFilter(args)
	if err != nil {
		writeError(w, err)
		return
	}
	nets, err := s.Engine.ListNetworks(nf.engine)
	if err != nil {
		writeError(w, err)
		return
	}
	ctrs, _ := s.Engine.List()
	out := []network.Inspect{}
	for _, n := range builtinNetworks {
		if nf.matchBuiltin(n) {
			out = append(out, s.withContainers(n, ctrs))
		}
	}
	for _, n := range nets {
		if nf.matchType(false) {
			out = append(out, s.withContainers(networkInspect(n), ctrs))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// networkFilter is a network list's filters: those the engine's list
// takes, and the ones the builtin networks are matched by here.
type networkFilter struct {
	engine map[string][]string
	args   map[string][]string
}

// newNetworkFilter checks dockerd's network filters: dangling, driver,
// id, label, name, scope and type.
func newNetworkFilter(args map[string][]string) (*networkFilter, error) {
	nf := &networkFilter{engine: map[string][]string{}, args: args}
	for k, vs := range args {
		switch k {
		case "dangling", "driver", "id", "label", "name":
			nf.engine[k] = vs
		case "scope":
			for _, v := range vs {
				if v != "local" && v != "swarm" && v != "global" {
					return nil, errdefs.Invalid(fmt.Errorf("invalid filter scope=%s: use local, swarm or global", v))
				}
			}
		case "type":
			for _, v := range vs {
				if v != "custom" && v != "builtin" {
					return nil, errdefs.Invalid(fmt.Errorf("invalid filter type=%s: use custom or builtin", v))
				}
			}
		default:
			return nil, errdefs.Invalid(fmt.Errorf("unsupported network filter %q: burrow knows dangling, driver, id, label, name, scope and type", k))
		}
	}
	return nf, nil
}

func (nf *networkFilter) matchType(builtin bool) bool {
	if vs, ok := nf.args["scope"]; ok && !slices.Contains(vs, "local") {
		return false
	}
	vs, ok := nf.args["type"]
	return !ok || slices.Contains(vs, map[bool]string{true: "builtin", false: "custom"}[builtin])
}

// matchBuiltin tells whether a builtin network passes the filters, as
// the engine's list matches its networks: name as a regular expression,
// id as a prefix; a builtin network has no labels and is never dangling.
func (nf *networkFilter) matchBuiltin(n network.Inspect) bool {
	if !nf.matchType(true) {
		return false
	}
	for k, vs := range nf.args {
		ok := false
		for _, v := range vs {
			switch k {
			case "name":
				re, err := regexp.Compile(v)
				ok = ok || (err == nil && re.MatchString(n.Name))
			case "id":
				ok = ok || strings.HasPrefix(n.ID, v)
			case "driver":
				ok = ok || n.Driver == v
			case "dangling":
				ok = ok || v == "false" || v == "0"
			case "label":
			default:
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func (s *Server) networkInspect(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	ctrs, _ := s.Engine.List()
	if n, ok := builtin(id); ok {
		writeJSON(w, http.StatusOK, s.withContainers(n, ctrs))
		return
	}
	n, err := s.Engine.InspectNetwork(id)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, s.withContainers(networkInspect(n), ctrs))
}

// networkInspect is a network in dockerd's shape.
func networkInspect(n engine.Network) network.Inspect {
	out := network.Inspect{Network: network.Network{
		Name: n.Name, ID: n.ID, Created: n.Created, Scope: "local", Driver: n.Driver,
		EnableIPv4: true, EnableIPv6: n.IPv6Enabled, Internal: n.Internal,
		IPAM:    network.IPAM{Driver: "default", Options: map[string]string{}, Config: []network.IPAMConfig{}},
		Options: orEmpty(n.Options), Labels: orEmpty(n.Labels),
	}, Containers: map[string]network.EndpointResource{}}
	for _, sn := range n.Subnets {
		c := network.IPAMConfig{}
		if p, err := netip.ParsePrefix(sn.Subnet.String()); err == nil {
			c.Subnet = p
		}
		if a, ok := netip.AddrFromSlice(sn.Gateway); ok {
			c.Gateway = a.Unmap()
		}
		if lr := sn.LeaseRange; lr != nil && lr.StartIP != nil {
			if p, ok := rangePrefix(lr.StartIP, lr.EndIP); ok {
				c.IPRange = p
			}
		}
		out.IPAM.Config = append(out.IPAM.Config, c)
	}
	return out
}

// rangePrefix is the CIDR an address range of network create --ip-range
// covers (the start and end of the prefix).
func rangePrefix(start, end net.IP) (netip.Prefix, bool) {
	a, ok := netip.AddrFromSlice(start)
	if !ok {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	for bits := a.BitLen(); bits >= 0; bits-- {
		p, err := a.Prefix(bits)
		if err != nil {
			return netip.Prefix{}, false
		}
		if end == nil || lastAddr(p).String() == end.String() {
			return p, true
		}
	}
	return netip.Prefix{}, false
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 1 << (7 - i%8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// withContainers fills the network's Containers: those on it, with their
// addresses while they run.
func (s *Server) withContainers(n network.Inspect, ctrs []*engine.Container) network.Inspect {
	n.Containers = map[string]network.EndpointResource{}
	for _, c := range ctrs {
		if !c.Running() {
			continue
		}
		if n.Name == network.NetworkBridge && c.NetworkMode() == engine.NetworkSlirp {
			n.Containers[c.ID] = network.EndpointResource{Name: c.Name, IPv4Address: netip.MustParsePrefix("10.0.2.100/24")}
			continue
		}
		for _, ep := range s.Engine.ContainerEndpoints(c) {
			if ep.Network != n.Name {
				continue
			}
			res := network.EndpointResource{Name: c.Name}
			if mac, err := net.ParseMAC(ep.MAC); err == nil {
				res.MacAddress = network.HardwareAddr(mac)
			}
			for _, a := range ep.Addresses {
				if p, err := netip.ParsePrefix(a); err == nil && p.Addr().Is4() {
					res.IPv4Address = p
				} else if err == nil {
					res.IPv6Address = p
				}
			}
			n.Containers[c.ID] = res
		}
	}
	return n
}

func (s *Server) networkCreate(w http.ResponseWriter, r *http.Request) {
	var req network.CreateRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, errdefs.Invalid(fmt.Errorf("reading the network create request: %w", err)))
		return
	}
	o, err := networkCreateOptions(&req)
	if err != nil {
		writeError(w, err)
		return
	}
	if _, ok := builtin(req.Name); ok {
		writeError(w, errdefs.Conflict(fmt.Errorf("network with name %s already exists", req.Name)))
		return
	}
	n, err := s.Engine.CreateNetwork(o, false)
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, network.CreateResponse{ID: n.ID})
}

// networkCreateOptions translates a network create request: a bridge
// network with DNS, its subnets, labels and options. Swarm's fields and
// what netavark cannot do are refused, naming the field.
func networkCreateOptions(req *network.CreateRequest) (engine.NetworkCreateOptions, error) {
	o := engine.NetworkCreateOptions{Name: req.Name, Internal: req.Internal}
	bad := func(format string, a ...any) (engine.NetworkCreateOptions, error) {
		return o, errdefs.Invalid(fmt.Errorf(format, a...))
	}
	switch {
	case req.Name == "":
		return bad("Name: a network needs a name")
	case req.Driver != "" && req.Driver != "bridge":
		return bad("Driver %q: burrow makes bridge networks", req.Driver)
	case req.Scope != "" && req.Scope != "local":
		return bad("Scope %q: burrow's networks are local", req.Scope)
	case req.Ingress:
		return bad("Ingress: burrow has no swarm")
	case req.ConfigOnly || req.ConfigFrom != nil:
		return bad("ConfigOnly and ConfigFrom: burrow has no config-only networks")
	case req.EnableIPv4 != nil && !*req.EnableIPv4:
		return bad("EnableIPv4 false: burrow's networks have IPv4")
	}
	o.IPv6 = req.EnableIPv6 != nil && *req.EnableIPv6
	if ipam := req.IPAM; ipam != nil {
		if ipam.Driver != "" && ipam.Driver != "default" {
			return bad("IPAM.Driver %q: burrow assigns addresses itself (default)", ipam.Driver)
		}
		if len(ipam.Options) > 0 {
			return bad("IPAM.Options: burrow's address management takes no options")
		}
		for i, c := range ipam.Config {
			if !c.Subnet.IsValid() {
				return bad("IPAM.Config[%d]: a Subnet is needed", i)
			}
			if len(c.AuxAddress) > 0 {
				return bad("IPAM.Config[%d].AuxiliaryAddresses: not supported", i)
			}
			gw, rng := "", ""
			if c.Gateway.IsValid() {
				gw = c.Gateway.String()
			}
			if c.IPRange.IsValid() {
				rng = c.IPRange.String()
			}
			o.Subnets, o.Gateways, o.IPRanges = append(o.Subnets, c.Subnet.String()), append(o.Gateways, gw), append(o.IPRanges, rng)
		}
	}
	for k, v := range req.Labels {
		o.Labels = append(o.Labels, k+"="+v)
	}
	sort.Strings(o.Labels)
	for k, v := range req.Options {
		switch k {
		case "com.docker.network.driver.mtu":
			o.Options = append(o.Options, "mtu="+v)
		case "com.docker.network.bridge.name", "mtu", "vlan", "isolate", "metric":
			o.Options = append(o.Options, k+"="+v)
		default:
			return bad("Options %q: burrow's bridge takes com.docker.network.driver.mtu, com.docker.network.bridge.name, mtu, vlan, isolate and metric", k)
		}
	}
	sort.Strings(o.Options)
	return o, nil
}

func (s *Server) networkRemove(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if n, ok := builtin(id); ok {
		writeError(w, networkRequired(n.Name, "removed"))
		return
	}
	if _, err := s.Engine.RemoveNetwork(id, false, nil); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) networkPrune(w http.ResponseWriter, r *http.Request) {
	args, err := filterArgs(r)
	if err != nil {
		writeError(w, err)
		return
	}
	removed, err := s.Engine.PruneNetworks(args)
	if err != nil && len(removed) == 0 {
		writeError(w, err)
		return
	}
	if removed == nil {
		removed = []string{}
	}
	writeJSON(w, http.StatusOK, network.PruneReport{NetworksDeleted: removed})
}

func (s *Server) networkConnect(w http.ResponseWriter, r *http.Request) {
	var req network.ConnectRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, errdefs.Invalid(fmt.Errorf("reading the connect request: %w", err)))
		return
	}
	id := r.PathValue("id")
	if n, ok := builtin(id); ok {
		writeError(w, networkRequired(n.Name, "connected to"))
		return
	}
	c, err := s.Engine.Get(req.Container)
	if err != nil {
		writeError(w, err)
		return
	}
	if c.Config.Network == "" {
		writeError(w, errdefs.Invalid(fmt.Errorf("container %s is on burrow's default network (NetworkMode bridge: a user-mode network of its own), which cannot be joined with others: create it on %s (HostConfig.NetworkMode or NetworkingConfig.EndpointsConfig) instead", c.Name, id)))
		return
	}
	a, err := endpointAttachment(id, "EndpointConfig", req.EndpointConfig)
	if err != nil {
		writeError(w, err)
		return
	}
	if err := s.Engine.ConnectNetwork(c, a); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (s *Server) networkDisconnect(w http.ResponseWriter, r *http.Request) {
	var req network.DisconnectRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeError(w, errdefs.Invalid(fmt.Errorf("reading the disconnect request: %w", err)))
		return
	}
	id := r.PathValue("id")
	if n, ok := builtin(id); ok {
		writeError(w, networkRequired(n.Name, "disconnected from"))
		return
	}
	c, err := s.Engine.Get(req.Container)
	if err != nil {
		if req.Force && errdefs.Is(err, errdefs.ClassNotFound) {
			w.WriteHeader(http.StatusOK)
			return
		}
		writeError(w, err)
		return
	}
	if err := s.Engine.DisconnectNetwork(c, id); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// endpointAttachment is an endpoint's settings for the engine: its aliases,
// address and MAC. What dockerd's endpoints have beyond (links, driver
// options, link-local addresses, a gateway priority) is refused.
func endpointAttachment(name, field string, ep *network.EndpointSettings) (engine.NetworkAttachment, error) {
	a := engine.NetworkAttachment{Network: name}
	if ep == nil {
		return a, nil
	}
	bad := func(why string) (engine.NetworkAttachment, error) {
		return a, errdefs.Invalid(fmt.Errorf("%s.%s", field, why))
	}
	switch {
	case len(ep.Links) > 0:
		return bad("Links: burrow has no links; containers on one network reach each other by name")
	case len(ep.DriverOpts) > 0:
		return bad("DriverOpts: burrow's endpoints take no driver options")
	case ep.GwPriority != 0:
		return bad("GwPriority: burrow routes through the first network")
	case ep.IPAMConfig != nil && len(ep.IPAMConfig.LinkLocalIPs) > 0:
		return bad("IPAMConfig.LinkLocalIPs: not supported")
	}
	a.Aliases = append(a.Aliases, ep.Aliases...)
	if ipam := ep.IPAMConfig; ipam != nil {
		for _, ip := range []netip.Addr{ipam.IPv4Address, ipam.IPv6Address} {
			if ip.IsValid() {
				a.IPs = append(a.IPs, ip.String())
			}
		}
	}
	if len(ep.MacAddress) > 0 {
		a.MAC = ep.MacAddress.String()
	}
	return a, nil
}

// errBuiltinAlias: dockerd's own rule for its default bridge.
var errBuiltinAlias = errors.New("network-scoped aliases are supported only for containers in user-defined networks: make one with POST /networks/create")
