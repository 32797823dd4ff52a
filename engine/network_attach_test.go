package engine

import (
	"reflect"
	"strings"
	"testing"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/network"
)

func TestParseNetworks(t *testing.T) {
	mode, _, nets, err := ParseNetworks([]string{"app:alias=web,alias=www,ip=10.89.0.7,mac=02:00:00:00:00:01", "db"}, []string{"both"}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	want := []network.Attachment{
		{Network: "app", Aliases: []string{"web", "www", "both"}, IPs: []string{"10.89.0.7"}, MAC: "02:00:00:00:00:01"},
		{Network: "db", Aliases: []string{"both"}},
	}
	if mode != NetworkBridge || !reflect.DeepEqual(nets, want) {
		t.Errorf("got %q %+v", mode, nets)
	}
	if _, _, nets, err = ParseNetworks([]string{"a,b"}, nil, "10.89.0.9", ""); err == nil {
		t.Errorf("--ip with two networks (a,b): want an error, got %+v", nets)
	}
	if _, _, nets, _ = ParseNetworks([]string{"a"}, nil, "10.89.0.9", "02:00:00:00:00:02"); len(nets) != 1 || nets[0].IPs[0] != "10.89.0.9" || nets[0].MAC != "02:00:00:00:00:02" {
		t.Errorf("--ip and --mac-address with one network: %+v", nets)
	}
	// The modes stay modes.
	if mode, lo, nets, err := ParseNetworks([]string{"slirp4netns:allow_host_loopback=true"}, nil, "", ""); err != nil || mode != NetworkSlirp || !lo || nets != nil {
		t.Errorf("slirp4netns: %q %v %v %v", mode, lo, nets, err)
	}
	if mode, _, _, err := ParseNetworks(nil, nil, "", ""); err != nil || mode != "" {
		t.Errorf("no --network: %q %v", mode, err)
	}
	for _, bad := range [][]string{{"app", "host"}, {"app:bogus=1"}, {"app:alias"}, {"app:ip=300.1.1.1"}, {"app:mac=zz"}, {":alias=a"}} {
		if _, _, _, err := ParseNetworks(bad, nil, "", ""); !errdefs.Is(err, errdefs.ClassInvalid) {
			t.Errorf("%q: want an invalid-input error, got %v", bad, err)
		}
	}
	if _, _, _, err := ParseNetworks([]string{"none"}, []string{"x"}, "", ""); !errdefs.Is(err, errdefs.ClassInvalid) {
		t.Errorf("--network-alias without a network: want an invalid-input error, got %v", err)
	}
}

func TestBridgeEtc(t *testing.T) {
	eps := []network.Endpoint{
		{Network: "app", Addresses: []string{"10.89.0.2/24"}, DNS: []string{"10.89.0.1"}, SearchDomains: []string{"dns.podman"}},
		{Network: "db", Addresses: []string{"10.89.1.2/24"}, DNS: []string{"10.89.1.1"}, SearchDomains: []string{"dns.podman"}},
	}
	hosts, resolv := bridgeEtc(&Config{}, eps, "h", "n", "127.0.0.1\tlocalhost\n", "search example.com\nnameserver 192.0.2.53\noptions ndots:2\n")
	if !strings.Contains(hosts, "10.89.0.2\th n\n") || !strings.Contains(hosts, "10.89.1.2\th n\n") {
		t.Errorf("hosts:\n%s", hosts)
	}
	want := "search dns.podman example.com\nnameserver 10.89.0.1\nnameserver 10.89.1.1\nnameserver 192.0.2.53\noptions ndots:2\n"
	if resolv != want {
		t.Errorf("resolv.conf:\n%s\nwant:\n%s", resolv, want)
	}
	// --dns replaces the networks' servers; no attachment yet: a placeholder address.
	hosts, resolv = bridgeEtc(&Config{DNS: []string{"192.0.2.1"}}, nil, "h", "n", "", "nameserver 192.0.2.1\n")
	if hosts != "127.0.1.1\th n\n" || resolv != "nameserver 192.0.2.1\n" {
		t.Errorf("with --dns and no endpoints: %q %q", hosts, resolv)
	}
}
