package sandbox

import (
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseMountOptions(t *testing.T) {
	m := parseMountOptions([]string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k", "ro", "rw", "rslave"})
	if m.flags != unix.MS_NOSUID|unix.MS_NOEXEC|unix.MS_NODEV {
		t.Fatalf("flags %#x", m.flags)
	}
	if m.propagation != unix.MS_SLAVE|unix.MS_REC {
		t.Fatalf("propagation %#x", m.propagation)
	}
	if m.dataString() != "mode=1777,size=65536k" {
		t.Fatalf("data %q", m.dataString())
	}
	if m.bind {
		t.Fatal("bind set without bind option")
	}
	b := parseMountOptions([]string{"rbind", "ro"})
	if !b.bind || !b.recursive || b.flags != unix.MS_RDONLY {
		t.Fatalf("rbind,ro parsed as %+v", b)
	}
}
