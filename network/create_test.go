package network

import (
	"testing"

	"github.com/burrow-containers/burrow/errdefs"
)

func TestCreateOptionsPairSubnetsByPosition(t *testing.T) {
	n, err := CreateOptions{
		Name: "app", Subnets: []string{"10.89.5.0/24", "10.89.6.0/24"}, Gateways: []string{"10.89.5.254"},
		IPRanges: []string{"10.89.5.128/25"}, Labels: []string{"team=web", "empty="}, Options: []string{"mtu=1400"},
		Internal: true, DisableDNS: true,
	}.network()
	if err != nil {
		t.Fatal(err)
	}
	if n.Driver != "bridge" || !n.Internal || n.DNSEnabled || len(n.Subnets) != 2 {
		t.Fatalf("network: %+v", n)
	}
	s := n.Subnets[0]
	if s.Subnet.String() != "10.89.5.0/24" || s.Gateway.String() != "10.89.5.254" {
		t.Errorf("first subnet: %+v", s)
	}
	if s.LeaseRange == nil || s.LeaseRange.StartIP.String() != "10.89.5.129" || s.LeaseRange.EndIP.String() != "10.89.5.255" {
		t.Errorf("first range: %+v", s.LeaseRange)
	}
	if n.Subnets[1].Gateway != nil || n.Subnets[1].LeaseRange != nil {
		t.Errorf("the second subnet got the first's gateway or range: %+v", n.Subnets[1])
	}
	if n.Labels["team"] != "web" || n.Labels["empty"] != "" || n.Options["mtu"] != "1400" {
		t.Errorf("labels %v, options %v", n.Labels, n.Options)
	}
}

// The API gives each subnet a gateway and a range, "" for none.
func TestCreateOptionsEmptyGatewayAndRange(t *testing.T) {
	n, err := CreateOptions{Name: "app", Subnets: []string{"10.89.7.0/24"}, Gateways: []string{"10.89.7.1"}, IPRanges: []string{""}}.network()
	if err != nil || len(n.Subnets) != 1 || n.Subnets[0].LeaseRange != nil || n.Subnets[0].Gateway.String() != "10.89.7.1" {
		t.Fatalf("an empty range: %+v, %v", n, err)
	}
	if _, err := (CreateOptions{Name: "app", Subnets: []string{"10.89.7.0/24"}, Gateways: []string{""}}).network(); err != nil {
		t.Errorf("an empty gateway: %v", err)
	}
}

func TestCreateOptionsRejectBadInput(t *testing.T) {
	for _, o := range []CreateOptions{
		{Gateways: []string{"10.1.0.1"}},
		{IPRanges: []string{"10.1.0.0/25"}},
		{Subnets: []string{"10.1.0.0/24"}, Gateways: []string{"10.1.0.1", "10.1.0.2"}},
		{Subnets: []string{"10.1.0.0/24"}, IPRanges: []string{"a", "b"}},
		{Subnets: []string{"10.1.0.0"}},
		{Subnets: []string{"10.1.0.0/24"}, Gateways: []string{"gw"}},
		{Subnets: []string{"10.1.0.0/24"}, IPRanges: []string{"10.1.0.5"}},
		{Labels: []string{"=v"}},
		{Options: []string{"mtu"}},
	} {
		if _, err := o.network(); !errdefs.Is(err, errdefs.ClassInvalid) {
			t.Errorf("%+v: want an invalid-input error, got %v", o, err)
		}
	}
}
