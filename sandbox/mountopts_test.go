package sandbox

import (
	"slices"
	"strings"
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
	if strings.Join(m.data, ",") != "mode=1777,size=65536k" {
		t.Fatalf("data %q", m.data)
	}
	if m.bind {
		t.Fatal("bind set without bind option")
	}
	b := parseMountOptions([]string{"rbind", "ro"})
	if !b.bind || !b.recursive || b.flags != unix.MS_RDONLY {
		t.Fatalf("rbind,ro parsed as %+v", b)
	}
}

// TestParseCopyUp: tmpcopyup and notmpcopyup are burrow's to act on, no
// filesystem option; the last one given wins.
func TestParseCopyUp(t *testing.T) {
	for _, c := range []struct {
		opts []string
		want bool
	}{
		{[]string{"size=1m"}, false},
		{[]string{"tmpcopyup", "size=1m"}, true},
		{[]string{"notmpcopyup", "size=1m"}, false},
		{[]string{"tmpcopyup", "notmpcopyup"}, false},
	} {
		m := parseMountOptions(c.opts)
		if m.copyUp != c.want || slices.Contains(m.data, "tmpcopyup") || slices.Contains(m.data, "notmpcopyup") {
			t.Errorf("%q: copy-up %v, data %q", c.opts, m.copyUp, m.data)
		}
	}
}

func TestMountAttr(t *testing.T) {
	a := parseMountOptions([]string{"ro", "nosuid", "nodev", "noexec", "strictatime"}).attr()
	if a.Attr_set != unix.MOUNT_ATTR_RDONLY|unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NODEV|unix.MOUNT_ATTR_NOEXEC|unix.MOUNT_ATTR_STRICTATIME ||
		a.Attr_clr != unix.MOUNT_ATTR__ATIME {
		t.Errorf("ro,nosuid,nodev,noexec,strictatime: %+v", a)
	}
	// rw and the like clear nothing the source has: mount_setattr only adds.
	if a := parseMountOptions([]string{"rw", "suid", "rbind"}).attr(); a.Attr_set != 0 || a.Attr_clr != 0 {
		t.Errorf("rw,suid: %+v", a)
	}
	if got := parseMountOptions([]string{"sync", "dirsync", "ro"}).superFlags(); strings.Join(got, ",") != "sync,dirsync" {
		t.Errorf("superFlags: %q", got)
	}
}
