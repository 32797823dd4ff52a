package engine

import (
	"fmt"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/userns"
)

func TestParseUserNS(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "host": "", "nomap": "nomap", "keep-id": "keep-id", "keep-id:": "keep-id",
		"keep-id:uid=200,gid=300": "keep-id:uid=200,gid=300", "keep-id:uid=5": "keep-id:uid=5",
		"auto": "auto", "auto:size=1000": "auto:size=1000",
	} {
		if got, err := ParseUserNS(in); err != nil || got != want {
			t.Errorf("ParseUserNS(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"auto:size=0", "auto:uidmapping=0:1:2", "auto:size=x", "private", "keep-id:size=5", "keep-id:uid=-1", "keep-id:uid", "nomap:x", "host:x"} {
		if _, err := ParseUserNS(in); !errdefs.Is(err, errdefs.ClassInvalid) {
			t.Errorf("ParseUserNS(%q): want an invalid-argument error, got %v", in, err)
		}
	}
}

func TestParseIDMaps(t *testing.T) {
	got, err := ParseIDMaps("--uidmap", []string{"0:1:1000", "1000:0:1"})
	if err != nil || len(got) != 2 || got[0] != (specs.LinuxIDMapping{ContainerID: 0, HostID: 1, Size: 1000}) || got[1] != (specs.LinuxIDMapping{ContainerID: 1000, HostID: 0, Size: 1}) {
		t.Errorf("ParseIDMaps: %v, %v", got, err)
	}
	for _, in := range []string{"0:1", "0:1:0", "a:1:1", "0:1:2:3", "0:-1:5", "4294967295:0:2", "+0:1:5"} {
		if _, err := ParseIDMaps("--uidmap", []string{in}); !errdefs.Is(err, errdefs.ClassInvalid) {
			t.Errorf("ParseIDMaps(%q): want an invalid-argument error, got %v", in, err)
		}
	}
}

func TestKeepIDMap(t *testing.T) {
	show := func(m []specs.LinuxIDMapping) string { return fmt.Sprint(m) }
	for _, c := range []struct {
		id, top int64
		want    []specs.LinuxIDMapping
	}{
		// podman's keep-id for uid 1000 with 65536 subordinate IDs.
		{1000, 65536, []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1, Size: 1000}, {ContainerID: 1000, HostID: 0, Size: 1}, {ContainerID: 1001, HostID: 1001, Size: 64536}}},
		// Fewer subordinate IDs than the user's: what there is below it.
		{5000, 100, []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1, Size: 100}, {ContainerID: 5000, HostID: 0, Size: 1}}},
		{0, 10, []specs.LinuxIDMapping{{ContainerID: 0, HostID: 0, Size: 1}, {ContainerID: 1, HostID: 1, Size: 10}}},
	} {
		if got := keepIDMap(c.id, c.top); show(got) != show(c.want) {
			t.Errorf("keepIDMap(%d, %d) = %v, want %v", c.id, c.top, got, c.want)
		}
	}
}

func TestCheckIDMap(t *testing.T) {
	ns := []userns.IDMap{{ContainerID: 0, HostID: 1000, Size: 1}, {ContainerID: 1, HostID: 100000, Size: 65536}}
	if n := highestContiguous(ns); n != 65536 {
		t.Errorf("highestContiguous = %d, want 65536", n)
	}
	if n := highestContiguous([]userns.IDMap{{ContainerID: 0, HostID: 1000, Size: 1}}); n != 0 {
		t.Errorf("highestContiguous of a single-ID map = %d, want 0", n)
	}
	ok := [][]specs.LinuxIDMapping{
		{{ContainerID: 0, HostID: 1, Size: 65536}},
		{{ContainerID: 0, HostID: 1, Size: 1000}, {ContainerID: 1000, HostID: 0, Size: 1}},
	}
	for _, m := range ok {
		if err := checkIDMap("--uidmap", m, ns, "/etc/subuid"); err != nil {
			t.Errorf("checkIDMap(%v): %v", m, err)
		}
	}
	bad := [][]specs.LinuxIDMapping{
		{{ContainerID: 0, HostID: 1, Size: 65537}},                                             // beyond the namespace
		{{ContainerID: 1, HostID: 1, Size: 10}},                                                // no root
		{{ContainerID: 0, HostID: 1, Size: 10}, {ContainerID: 5, HostID: 100, Size: 10}},       // container ranges overlap
		{{ContainerID: 0, HostID: 1, Size: 10}, {ContainerID: 100, HostID: 5, Size: 10}},       // host ranges overlap
		{{ContainerID: 0, HostID: 70000, Size: 1}, {ContainerID: 1, HostID: 1, Size: 10}},      // unmapped host ID
		{{ContainerID: 0, HostID: 4294967294, Size: 1}, {ContainerID: 1, HostID: 1, Size: 10}}, // far beyond
	}
	for _, m := range bad {
		if err := checkIDMap("--uidmap", m, ns, "/etc/subuid"); !errdefs.Is(err, errdefs.ClassInvalid) {
			t.Errorf("checkIDMap(%v): want an invalid-argument error, got %v", m, err)
		}
	}
}

func TestMapID(t *testing.T) {
	m := keepIDMap(1000, 65536)
	for id, want := range map[uint32]int{0: 1, 999: 1000, 1000: 0, 1001: 1001, 65536: 65536} {
		if got, ok := mapID(m, id); !ok || got != want {
			t.Errorf("mapID(keep-id, %d) = %d, %v; want %d", id, got, ok, want)
		}
	}
	if _, ok := mapID(m, 65537); ok {
		t.Errorf("mapID(keep-id, 65537): want unmapped")
	}
	if got, ok := mapID(nil, 42); !ok || got != 42 {
		t.Errorf("mapID without a namespace of its own = %d, %v; want 42", got, ok)
	}
}

func TestSplitIDMap(t *testing.T) {
	ns := []userns.IDMap{{ContainerID: 0, HostID: 1000, Size: 1}, {ContainerID: 1, HostID: 100000, Size: 10}, {ContainerID: 11, HostID: 200000, Size: 10}}
	got := splitIDMap([]specs.LinuxIDMapping{{ContainerID: 0, HostID: 0, Size: 15}, {ContainerID: 100, HostID: 15, Size: 2}}, ns)
	want := []specs.LinuxIDMapping{
		{ContainerID: 0, HostID: 0, Size: 1}, {ContainerID: 1, HostID: 1, Size: 10}, {ContainerID: 11, HostID: 11, Size: 4},
		{ContainerID: 100, HostID: 15, Size: 2},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("splitIDMap = %v, want %v", got, want)
	}
}
