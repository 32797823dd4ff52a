package engine

import (
	"slices"
	"testing"

	"github.com/burrow-containers/burrow/errdefs"
)

func TestParseExposeAndPublish(t *testing.T) {
	got, err := ParseExpose("7000-7002/udp")
	if err != nil || !slices.Equal(got, []string{"7000/udp", "7001/udp", "7002/udp"}) {
		t.Errorf("7000-7002/udp: %q, %v", got, err)
	}
	if got, err := ParseExpose("80"); err != nil || !slices.Equal(got, []string{"80/tcp"}) {
		t.Errorf("80: %q, %v", got, err)
	}
	for _, bad := range []string{"0", "x", "9-8", "80/icmp", "70000"} {
		if _, err := ParseExpose(bad); !errdefs.Is(err, errdefs.ClassInvalid) {
			t.Errorf("--expose %s: %v, want invalid", bad, err)
		}
	}
	ports := PublishExposed([]PortMapping{{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}}, []string{"80/tcp", "53/udp", "9/sctp"})
	if len(ports) != 2 || ports[1] != (PortMapping{ContainerPort: 53, Protocol: "udp"}) {
		t.Errorf("-P over 80/tcp (bound), 53/udp, 9/sctp: %+v; want 53/udp added alone", ports)
	}
}
