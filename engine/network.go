package engine

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/slirp"
)

// Network modes (--network).
const (
	NetworkSlirp = "slirp4netns" // the default: user-mode networking
	NetworkPasta = "pasta"       // user-mode networking by passt's pasta
	NetworkNone  = "none"        // a namespace with only lo
	NetworkHost  = "host"        // the host's network namespace
)

// ParseNetwork checks --network: slirp4netns[:OPTIONS] (slirp.ParseOptions),
// pasta[:allow_host_loopback=true], none, host or container:NAME.
func ParseNetwork(s string) (mode string, allowHostLoopback bool, err error) {
	name, opts, _ := strings.Cut(s, ":")
	switch name {
	case "", "slirp4netns", "private", "bridge":
		o, err := slirp.ParseOptions(strings.Split(opts, ","))
		if err != nil {
			return "", false, err
		}
		if name == "slirp4netns" {
			return NetworkSlirp, o.AllowHostLoopback, nil
		}
		return "", o.AllowHostLoopback, nil
	case "pasta":
		for _, o := range strings.Split(opts, ",") {
			switch o {
			case "":
			case "allow_host_loopback=true":
				allowHostLoopback = true
			default:
				return "", false, errdefs.Invalid(fmt.Errorf("unknown pasta option %q: burrow knows allow_host_loopback=true", o))
			}
		}
		return NetworkPasta, allowHostLoopback, nil
	case "none", "host":
		if opts != "" {
			return "", false, errdefs.Invalid(fmt.Errorf("--network %s takes no options", name))
		}
		return name, false, nil
	case "container":
		if opts == "" {
			return "", false, errdefs.Invalid(errors.New("--network container: needs a container, as container:NAME"))
		}
		return s, false, nil
	}
	return "", false, errdefs.Invalid(fmt.Errorf("unsupported --network %q: use slirp4netns[:allow_host_loopback=true], none or host", s))
}

// SlirpOptions are the slirp4netns options of --network
// slirp4netns:OPTIONS other than allow_host_loopback (Config.AllowHostLoopback),
// for Config.NetworkOptions; nil for the other modes. ParseNetwork checks
// them.
func SlirpOptions(values []string) []string {
	if len(values) != 1 {
		return nil
	}
	name, opts, _ := strings.Cut(values[0], ":")
	if name != "slirp4netns" && name != "" && name != "private" && name != "bridge" {
		return nil
	}
	var out []string
	for _, o := range strings.Split(opts, ",") {
		if o != "" && !strings.HasPrefix(o, "allow_host_loopback=") {
			out = append(out, o)
		}
	}
	return out
}

// slirpOptions are the container's slirp4netns options.
func slirpOptions(c *Config) slirp.Options {
	o, _ := slirp.ParseOptions(c.NetworkOptions) // checked at create
	o.AllowHostLoopback = c.AllowHostLoopback
	return o
}

// ParsePublish reads one -p: [IP:]HOSTPORT:CTRPORT[/PROTO], [IP:]:CTRPORT
// or CTRPORT (a random host port), where each port may be a range
// (START-END; a host range as long as the container's), as podman's.
func ParsePublish(s string) ([]PortMapping, error) {
	bad := func(why string) ([]PortMapping, error) {
		return nil, errdefs.Invalid(fmt.Errorf("invalid -p %q: %s (use [IP:]HOSTPORT[-END]:CONTAINERPORT[-END][/tcp|/udp])", s, why))
	}
	spec, proto, _ := strings.Cut(s, "/")
	if proto == "" {
		proto = "tcp"
	}
	if proto != "tcp" && proto != "udp" {
		return bad("the protocol must be tcp or udp")
	}
	var ip, host, ctr string
	parts := strings.Split(spec, ":")
	if strings.HasPrefix(spec, "[") { // [IPv6]:HOST:CTR
		end := strings.Index(spec, "]")
		if end < 0 {
			return bad("unclosed [")
		}
		ip = spec[1:end]
		parts = append([]string{""}, strings.Split(strings.TrimPrefix(spec[end+1:], ":"), ":")...)
	}
	switch len(parts) {
	case 1:
		ctr = parts[0]
	case 2:
		host, ctr = parts[0], parts[1]
	case 3:
		if ip == "" {
			ip = parts[0]
		}
		host, ctr = parts[1], parts[2]
	default:
		return bad("too many colons")
	}
	if ip != "" && net.ParseIP(ip) == nil {
		return bad("not an IP address: " + ip)
	}
	cStart, cEnd, err := portRange(ctr)
	if err != nil {
		return bad(err.Error())
	}
	var hStart uint16
	if host != "" {
		var hEnd uint16
		if hStart, hEnd, err = portRange(host); err != nil {
			return bad(err.Error())
		}
		if hEnd-hStart != cEnd-cStart {
			return bad("the host range and the container range differ in length")
		}
	}
	var out []PortMapping
	for i := 0; i <= int(cEnd-cStart); i++ {
		m := PortMapping{HostIP: ip, Protocol: proto, ContainerPort: cStart + uint16(i)}
		if hStart != 0 {
			m.HostPort = hStart + uint16(i)
		}
		out = append(out, m)
	}
	return out, nil
}

// portRange reads PORT or START-END.
func portRange(s string) (start, end uint16, err error) {
	a, b, isRange := strings.Cut(s, "-")
	p, err := strconv.ParseUint(a, 10, 16)
	if err != nil || p == 0 {
		return 0, 0, fmt.Errorf("not a port number: %s", a)
	}
	if !isRange {
		return uint16(p), uint16(p), nil
	}
	q, err := strconv.ParseUint(b, 10, 16)
	if err != nil || q == 0 {
		return 0, 0, fmt.Errorf("not a port number: %s", b)
	}
	if q < p {
		return 0, 0, fmt.Errorf("the range %s ends before it starts", s)
	}
	return uint16(p), uint16(q), nil
}

// resolvePorts gives a free host port to each mapping that asks for a
// random one.
func resolvePorts(ports []PortMapping) error {
	for i := range ports {
		if ports[i].HostPort != 0 {
			continue
		}
		addr := net.JoinHostPort(ports[i].HostIP, "0")
		var port int
		if ports[i].Protocol == "udp" {
			c, err := net.ListenPacket("udp", addr)
			if err != nil {
				return fmt.Errorf("finding a free host port: %w", err)
			}
			port = c.LocalAddr().(*net.UDPAddr).Port
			c.Close()
		} else {
			l, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("finding a free host port: %w", err)
			}
			port = l.Addr().(*net.TCPAddr).Port
			l.Close()
		}
		ports[i].HostPort = uint16(port)
	}
	return nil
}

func (e *Engine) netnsPath(id string) string {
	return filepath.Join(e.stateDir(), "netns", id)
}

// networkMode is the container's network mode, slirp4netns by default;
// "container" for container:NAME.
func networkMode(c *Config) string {
	if c.Network == "" {
		return NetworkSlirp
	}
	if strings.HasPrefix(c.Network, "container:") {
		return "container"
	}
	return c.Network
}

// NetworkMode is the container's network mode: NetworkSlirp,
// NetworkPasta, NetworkNone, NetworkHost, NetworkBridge (on networks) or
// "container".
func (c *Container) NetworkMode() string { return networkMode(&c.Config) }

// discardPorts drops the published ports of a container whose network
// mode has no ports of its own (host, none, container:), as podman does,
// and returns podman's warning then.
func discardPorts(c *Config) []string {
	mode := networkMode(c)
	if userMode(mode) || mode == NetworkBridge || len(c.Ports) == 0 && !c.PublishAll {
		return nil
	}
	c.Ports, c.PublishAll = nil, false
	return []string{"Port mappings have been discarded as one of the Host, Container, Pod, and None network modes are in use"}
}

// userMode tells the modes that get a namespace of their own with a
// user-mode network (and so published ports).
func userMode(mode string) bool { return mode == NetworkSlirp || mode == NetworkPasta }

// sharedNetworkPath is the network namespace of the container that
// container:NAME names, which must be running.
func (e *Engine) sharedNetworkPath(c *Config) (string, error) {
	name := strings.TrimPrefix(c.Network, "container:")
	other, err := e.Get(name)
	if err != nil {
		return "", fmt.Errorf("--network %s: %w", c.Network, err)
	}
	if !other.Running() {
		return "", errdefs.Conflict(fmt.Errorf("--network %s: the container is not running: start it first", c.Network))
	}
	return fmt.Sprintf("/proc/%d/ns/net", other.State.Pid), nil
}

// setupNetwork starts the container's network before its process starts.
// The returned files keep slirp4netns and the port forwarder alive: the
// monitor holds them for the container's life. ready waits until the
// network is up and the ports published (the helpers start meanwhile, with
// the container's monitor and init); it is nil when there is nothing to
// wait for.
func (e *Engine) setupNetwork(r *Record) (hold []*os.File, ready func() error, err error) {
	mode := networkMode(&r.Config)
	if mode == NetworkBridge {
		hold, err := e.setupBridgeNetwork(r)
		return hold, nil, err
	}
	if !userMode(mode) {
		if len(r.Config.Ports) > 0 || r.Config.NetworkRate > 0 {
			return nil, nil, errdefs.Invalid(fmt.Errorf("publishing ports and --network-rate need --network slirp4netns or pasta, not %s", r.Config.Network))
		}
		if networkMode(&r.Config) == "container" {
			// The other container must run; its namespace is joined by
			// /proc path when this one starts.
			if _, err := e.sharedNetworkPath(&r.Config); err != nil {
				return nil, nil, err
			}
		}
		return nil, nil, nil
	}
	netns := e.netnsPath(r.ID)
	slirp.RemoveNetNS(netns)
	if err := e.newNetNS(netns, &r.Config); err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			closeAll(hold)
			hold = nil
			slirp.RemoveNetNS(netns)
		}
	}()
	logPath := filepath.Join(e.ctrDir(r.ID), "network.log")
	opts := slirpOptions(&r.Config)
	opts.LogPath, opts.CacheDir = logPath, filepath.Join(e.opts.RunRoot, "burrow")
	ports := slirpPorts(r.Config.Ports, "")
	bySlirp := mode == NetworkSlirp && opts.PortHandler == slirp.PortHandlerSlirp4netns && len(ports) > 0
	if bySlirp {
		// A short path of its own (sun_path), gone once the ports are set.
		dir, err := os.MkdirTemp("", "bs-")
		if err != nil {
			return nil, nil, err
		}
		defer os.RemoveAll(dir)
		opts.APISocket = filepath.Join(dir, "api.sock")
	}
	up := func() error { return nil }
	if mode == NetworkPasta {
		if err := slirp.StartPasta(netns, opts); err != nil {
			return nil, nil, fmt.Errorf("setting up the network of %s: %w", r.Name, err)
		}
	} else {
		h, slirpUp, err := slirp.Start(netns, opts)
		if err != nil {
			return nil, nil, fmt.Errorf("setting up the network of %s: %w", r.Name, err)
		}
		hold = append(hold, h)
		up = func() error {
			if err := slirpUp(); err != nil {
				return fmt.Errorf("setting up the network of %s: %w", r.Name, err)
			}
			return nil
		}
	}
	published := func() error { return nil }
	switch {
	case bySlirp:
		ctrIP, _, _ := opts.Addresses()
		if err := up(); err != nil {
			return nil, nil, err
		}
		up = func() error { return nil }
		if err := slirp.HostForward(opts.APISocket, ctrIP, ports); err != nil {
			return nil, nil, err
		}
	case len(ports) > 0:
		h, p, err := slirp.StartForwarding(netns, logPath, ports)
		if err != nil {
			return nil, nil, err
		}
		hold = append(hold, h)
		published = p
	}
	ready = func() error {
		upErr := up()
		// Waited for even when the network failed: the forwarder's
		// report (a port in use) is the one a user can act on.
		if err := published(); err != nil {
			return err
		}
		if upErr != nil {
			return upErr
		}
		if r.Config.NetworkRate > 0 {
			return slirp.LimitRate(netns, r.Config.NetworkRate)
		}
		return nil
	}
	return hold, ready, nil
}

// slirpPorts are the published ports for the port helpers, dialled at
// childIP ("": the container's own loopback).
func slirpPorts(ports []PortMapping, childIP string) []slirp.Port {
	var out []slirp.Port
	for _, p := range ports {
		out = append(out, slirp.Port{HostIP: p.HostIP, HostPort: int(p.HostPort), ContainerPort: int(p.ContainerPort), Protocol: p.Protocol, ChildIP: childIP})
	}
	return out
}

// teardownNetwork releases what setupNetwork made and the monitor did not
// take with it (and a pod infra's /dev/shm).
func (e *Engine) teardownNetwork(id string) {
	e.detachNetworks(id) // netavark needs the container's namespace still
	slirp.RemoveNetNS(e.netnsPath(id))
	e.releasePodShm(id)
}

func closeAll(fs []*os.File) {
	for _, f := range fs {
		f.Close()
	}
}

// networkNamespace is the container's network namespace in its spec: a
// path for user-mode networking, a new one for none, nothing for host.
func (e *Engine) networkNamespace(id string, c *Config) (specs.LinuxNamespace, bool) {
	switch networkMode(c) {
	case NetworkHost:
		return specs.LinuxNamespace{}, false
	case NetworkNone:
		return specs.LinuxNamespace{Type: specs.NetworkNamespace}, true
	case "container":
		p, err := e.sharedNetworkPath(c)
		if err != nil {
			// Checked before start (setupNetwork); a namespace of its own
			// keeps a stale spec harmless.
			return specs.LinuxNamespace{Type: specs.NetworkNamespace}, true
		}
		return specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: p}, true
	}
	return specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: e.netnsPath(id)}, true
}

// ParseAddHost checks --add-host HOST:IP.
func ParseAddHost(s string) error {
	i := strings.Index(s, ":")
	if i <= 0 || net.ParseIP(strings.Trim(s[i+1:], "[]")) == nil && s[i+1:] != "host-gateway" {
		return errdefs.Invalid(fmt.Errorf("invalid --add-host %q: use HOST:IP", s))
	}
	return nil
}

// refreshNetworkNamespace points a stored spec at the namespaces of now: a
// container:NAME network names the other container's current process.
func (e *Engine) refreshNetworkNamespace(spec *specs.Spec, c *Config) {
	if networkMode(c) != "container" {
		return
	}
	for i, ns := range spec.Linux.Namespaces {
		if ns.Type == specs.NetworkNamespace {
			if p, err := e.sharedNetworkPath(c); err == nil {
				spec.Linux.Namespaces[i].Path = p
			}
		}
	}
}

// proxyVars are the variables --http-proxy passes on, as podman's.
var proxyVars = []string{"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "ftp_proxy", "FTP_PROXY", "no_proxy", "NO_PROXY"}

// ProxyEnvByDefault is containers.conf's http_proxy: whether a container
// gets the proxy variables when --http-proxy is not given (true unless the
// file says false).
func (e *Engine) ProxyEnvByDefault() bool {
	c, err := e.conf()
	return err != nil || c.Containers.HTTPProxy
}

// HostProxyEnv are the proxy variables of this process's environment, as
// K=V, for Config.ProxyEnv.
func HostProxyEnv() []string {
	var out []string
	for _, k := range proxyVars {
		if v, ok := os.LookupEnv(k); ok {
			out = append(out, k+"="+v)
		}
	}
	return out
}
