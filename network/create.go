package network

import (
	"errors"
	"fmt"
	"net"
	"strings"

	"go.podman.io/common/libnetwork/types"
	netutil "go.podman.io/common/libnetwork/util"

	"github.com/burrow-containers/burrow/errdefs"
)

// CreateOptions are network create's flags, as podman's.
type CreateOptions struct {
	Name       string
	Driver     string   // bridge (default), macvlan, ipvlan
	Subnets    []string // CIDRs
	Gateways   []string // the i-th for the i-th subnet
	IPRanges   []string // CIDRs: the i-th subnet's addresses for containers
	Internal   bool
	DisableDNS bool
	IPv6       bool
	IPAMDriver string
	Labels     []string // K=V
	Options    []string // driver options, K=V
}

// network turns the flags into the partial network libnetwork completes.
func (o CreateOptions) network() (types.Network, error) {
	n := types.Network{
		Name: o.Name, Driver: o.Driver, Internal: o.Internal, DNSEnabled: !o.DisableDNS,
		IPv6Enabled: o.IPv6, Labels: map[string]string{}, Options: map[string]string{},
		IPAMOptions: map[string]string{},
	}
	if n.Driver == "" {
		n.Driver = types.BridgeNetworkDriver
	}
	if o.IPAMDriver != "" {
		n.IPAMOptions[types.Driver] = o.IPAMDriver
	}
	for _, l := range o.Labels {
		k, v, _ := strings.Cut(l, "=")
		if k == "" {
			return n, errdefs.Invalid(fmt.Errorf("invalid --label %q: use KEY=VALUE", l))
		}
		n.Labels[k] = v
	}
	for _, opt := range o.Options {
		k, v, ok := strings.Cut(opt, "=")
		if !ok || k == "" {
			return n, errdefs.Invalid(fmt.Errorf("invalid --opt %q: use KEY=VALUE", opt))
		}
		n.Options[k] = v
	}
	var err error
	if n.Subnets, err = subnets(o.Subnets, o.Gateways, o.IPRanges); err != nil {
		return n, errdefs.Invalid(err)
	}
	return n, nil
}

// subnets pairs --subnet, --gateway and --ip-range by position, as
// podman does.
func subnets(cidrs, gateways, ranges []string) ([]types.Subnet, error) {
	if len(cidrs) == 0 {
		if len(gateways) > 0 || len(ranges) > 0 {
			return nil, errors.New("--gateway and --ip-range need a --subnet")
		}
		return nil, nil
	}
	if len(gateways) > len(cidrs) {
		return nil, errors.New("more --gateway than --subnet: give one gateway per subnet at most")
	}
	if len(ranges) > len(cidrs) {
		return nil, errors.New("more --ip-range than --subnet: give one range per subnet at most")
	}
	var out []types.Subnet
	for i, c := range cidrs {
		sub, err := types.ParseCIDR(c)
		if err != nil {
			return nil, fmt.Errorf("invalid --subnet %q: give a CIDR such as 10.89.5.0/24", c)
		}
		s := types.Subnet{Subnet: sub}
		if i < len(gateways) && gateways[i] != "" { // "": the API's Config without one
			if s.Gateway = net.ParseIP(gateways[i]); s.Gateway == nil {
				return nil, fmt.Errorf("invalid --gateway %q: give an IP address", gateways[i])
			}
		}
		if i < len(ranges) && ranges[i] != "" {
			if s.LeaseRange, err = leaseRange(ranges[i]); err != nil {
				return nil, err
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// leaseRange reads --ip-range: a CIDR inside the subnet.
func leaseRange(cidr string) (*types.LeaseRange, error) {
	_, r, err := net.ParseCIDR(cidr)
	if err != nil {
		return nil, fmt.Errorf("invalid --ip-range %q: give a CIDR inside the subnet, such as 10.89.5.128/25", cidr)
	}
	first, err := netutil.FirstIPInSubnet(r)
	if err != nil {
		return nil, err
	}
	last, err := netutil.LastIPInSubnet(r)
	if err != nil {
		return nil, err
	}
	return &types.LeaseRange{StartIP: first, EndIP: last}, nil
}
