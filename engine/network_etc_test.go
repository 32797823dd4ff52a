package engine

import (
	"slices"
	"testing"

	"go.podman.io/common/pkg/config"

	"github.com/burrow-containers/burrow/network"
)

func TestResolvParams(t *testing.T) {
	conf := &config.Config{}
	eps := []network.Endpoint{
		{Network: "app", Addresses: []string{"10.89.0.2/24"}, DNS: []string{"10.89.0.1"}, SearchDomains: []string{"dns.podman"}},
		{Network: "db", Addresses: []string{"10.89.1.2/24"}, DNS: []string{"10.89.1.1"}, SearchDomains: []string{"dns.podman"}},
	}
	c := &Config{Network: NetworkBridge}
	p := resolvParams("x", conf, c, eps)
	if !slices.Equal(p.Nameservers, []string{"10.89.0.1", "10.89.1.1"}) || !p.KeepHostServers {
		t.Errorf("networks: servers %v keep %v, want the gateways then the host's", p.Nameservers, p.KeepHostServers)
	}
	if !slices.Equal(p.Searches, []string{"dns.podman"}) || !p.KeepHostSearches {
		t.Errorf("networks: searches %v keep %v", p.Searches, p.KeepHostSearches)
	}
	// --dns and --dns-search replace; options add to containers.conf's.
	c = &Config{Network: NetworkSlirp, DNS: []string{"192.0.2.1"}, DNSSearch: []string{"example.com"}, DNSOptions: []string{"ndots:2"}}
	p = resolvParams("x", conf, c, nil)
	if !slices.Equal(p.Nameservers, []string{"192.0.2.1"}) || p.KeepHostServers || !slices.Equal(p.Searches, []string{"example.com"}) || !slices.Equal(p.Options, []string{"ndots:2"}) {
		t.Errorf("with --dns: %+v", p)
	}
	// slirp4netns' forwarder is .3 of its cidr.
	c = &Config{Network: NetworkSlirp, NetworkOptions: []string{"cidr=172.20.5.0/24"}}
	if p = resolvParams("x", conf, c, nil); !slices.Equal(p.Nameservers, []string{"172.20.5.3"}) {
		t.Errorf("cidr: servers %v", p.Nameservers)
	}
	if own := ownHostEntries(c, nil, "h", "n"); len(own) != 1 || own[0].IP != "172.20.5.100" {
		t.Errorf("cidr: own entries %v, want 172.20.5.100", own)
	}
	if p = resolvParams("x", conf, &Config{Network: NetworkHost}, nil); p.Namespaces != nil {
		t.Errorf("host network: the host's servers as they are, got namespaces %v", p.Namespaces)
	}
}
