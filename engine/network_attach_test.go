package engine

import (
	"reflect"
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
