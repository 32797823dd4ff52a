package slirp

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/burrow-containers/burrow/errdefs"
)

// Port handlers of podman's slirp4netns:port_handler=.
const (
	// PortHandlerRootlesskit forwards published ports with rootlesskit's
	// builtin driver (the port helper): the default.
	PortHandlerRootlesskit = "rootlesskit"
	// PortHandlerSlirp4netns has slirp4netns forward them itself
	// (add_hostfwd through its API socket): the container sees the
	// connections come from the gateway.
	PortHandlerSlirp4netns = "slirp4netns"
)

// defaultCIDR is slirp4netns' network when --cidr is not given.
const defaultCIDR = "10.0.2.0/24"

// ParseOptions reads podman's slirp4netns options (--network
// slirp4netns:OPT,OPT): allow_host_loopback, cidr, enable_ipv6, mtu,
// outbound_addr, outbound_addr6 and port_handler, each KEY=VALUE.
func ParseOptions(opts []string) (Options, error) {
	var o Options
	for _, opt := range opts {
		if opt == "" {
			continue
		}
		k, v, _ := strings.Cut(opt, "=")
		if err := o.set(k, v); err != nil {
			return Options{}, errdefs.Invalid(err)
		}
	}
	return o, nil
}

func (o *Options) set(k, v string) error {
	var err error
	switch k {
	case "allow_host_loopback":
		o.AllowHostLoopback, err = strconv.ParseBool(v)
	case "enable_ipv6":
		o.EnableIPv6, err = strconv.ParseBool(v)
	case "cidr":
		ip, n, perr := net.ParseCIDR(v)
		if perr != nil || ip.To4() == nil {
			return fmt.Errorf("invalid slirp4netns cidr %q: give an IPv4 network, such as 10.0.2.0/24", v)
		}
		o.CIDR = n.String()
	case "mtu":
		o.MTU, err = strconv.Atoi(v)
		if err == nil && o.MTU <= 0 {
			err = errors.New("not a positive number")
		}
	case "outbound_addr":
		o.OutboundAddr = v
	case "outbound_addr6":
		o.OutboundAddr6 = v
	case "port_handler":
		if v != PortHandlerRootlesskit && v != PortHandlerSlirp4netns {
			return fmt.Errorf("unknown port_handler for slirp4netns: %q: use rootlesskit or slirp4netns", v)
		}
		o.PortHandler = v
	default:
		return fmt.Errorf("unknown option for slirp4netns: %q: burrow knows allow_host_loopback, cidr, enable_ipv6, mtu, outbound_addr, outbound_addr6 and port_handler", k)
	}
	if err != nil {
		return fmt.Errorf("invalid slirp4netns option %s=%q: %w", k, v, err)
	}
	return nil
}

// Addresses are the container's address, the gateway's (the host's
// loopback when allowed) and the DNS forwarder's on the network of o:
// slirp4netns gives .100, .2 and .3 of it.
func (o Options) Addresses() (ctr, gateway, dns string) {
	cidr := o.CIDR
	if cidr == "" {
		cidr = defaultCIDR
	}
	_, n, err := net.ParseCIDR(cidr)
	if err != nil || n.IP.To4() == nil {
		return ContainerIP, GatewayIP, DNSIP
	}
	at := func(last byte) string {
		ip := append(net.IP{}, n.IP.To4()...)
		ip[3] += last
		return ip.String()
	}
	return at(100), at(2), at(3)
}

// IPv6DNS is slirp4netns' IPv6 DNS forwarder (with enable_ipv6).
const IPv6DNS = "fd00::3"
