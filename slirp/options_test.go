package slirp

import (
	"testing"

	"github.com/burrow-containers/burrow/errdefs"
)

func TestParseOptions(t *testing.T) {
	o, err := ParseOptions([]string{"cidr=172.28.61.0/24", "enable_ipv6=true", "port_handler=slirp4netns", "mtu=1500", "allow_host_loopback=true"})
	if err != nil {
		t.Fatal(err)
	}
	if !o.EnableIPv6 || o.PortHandler != PortHandlerSlirp4netns || o.MTU != 1500 || !o.AllowHostLoopback {
		t.Errorf("options: %+v", o)
	}
	if ctr, gw, dns := o.Addresses(); ctr != "172.28.61.100" || gw != "172.28.61.2" || dns != "172.28.61.3" {
		t.Errorf("addresses: %s %s %s", ctr, gw, dns)
	}
	if ctr, _, _ := (Options{}).Addresses(); ctr != ContainerIP {
		t.Errorf("default address %s", ctr)
	}
	for _, bad := range [][]string{{"cidr=fd00::/64"}, {"bogus=1"}, {"port_handler=x"}, {"mtu=-1"}, {"enable_ipv6=maybe"}} {
		if _, err := ParseOptions(bad); !errdefs.Is(err, errdefs.ClassInvalid) {
			t.Errorf("%v: want an invalid-input error, got %v", bad, err)
		}
	}
}
