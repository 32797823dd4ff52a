package engine

import (
	"testing"

	"github.com/burrow-containers/burrow/errdefs"
)

func TestParsePublishRange(t *testing.T) {
	ms, err := ParsePublish("127.0.0.1:5845-5847:80-82/udp")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 3 || ms[2].HostPort != 5847 || ms[2].ContainerPort != 82 || ms[0].HostIP != "127.0.0.1" || ms[1].Protocol != "udp" {
		t.Errorf("mappings: %+v", ms)
	}
	if ms, err = ParsePublish("8080"); err != nil || len(ms) != 1 || ms[0].HostPort != 0 || ms[0].ContainerPort != 8080 {
		t.Errorf("a container port alone: %+v %v", ms, err)
	}
	for _, bad := range []string{"1-3:1-2", "5-3:5-3", "0:80", "a:80", "80/sctp"} {
		if _, err := ParsePublish(bad); !errdefs.Is(err, errdefs.ClassInvalid) {
			t.Errorf("%s: want an invalid-input error, got %v", bad, err)
		}
	}
}
