package engine

import (
	"reflect"
	"testing"

	"github.com/burrow-containers/burrow/errdefs"
)

func TestParseDevice(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Device
	}{
		{"/dev/fuse", Device{"/dev/fuse", "/dev/fuse", "rwm"}},
		{"/dev/fuse:r", Device{"/dev/fuse", "/dev/fuse", "r"}},
		{"/dev/fuse:/dev/f", Device{"/dev/fuse", "/dev/f", "rwm"}},
		{"/dev/fuse:/dev/f:rw", Device{"/dev/fuse", "/dev/f", "rw"}},
	} {
		got, err := ParseDevice(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseDevice(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"dev/fuse", "/dev/fuse:f", "/dev/fuse:/f:x", "/a:/b:rw:x", ""} {
		if _, err := ParseDevice(bad); !errdefs.Is(err, errdefs.ClassInvalid) {
			t.Errorf("ParseDevice(%q): %v, want an invalid-input error", bad, err)
		}
	}
}

// A device is bind-mounted as itself; a directory gives the devices under
// it; anything else is refused before a container is made.
func TestDeviceMounts(t *testing.T) {
	c := &Config{Devices: []Device{{"/dev/null", "/dev/mynull", "r"}, {"/dev/zero", "/dev/zero", "rw"}}}
	ms, err := deviceMounts(c)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].Source != "/dev/null" || ms[0].Destination != "/dev/mynull" || ms[0].Options[len(ms[0].Options)-1] != "ro" ||
		ms[1].Options[len(ms[1].Options)-1] != "rw" {
		t.Errorf("mounts %+v", ms)
	}
	dir := t.TempDir()
	for _, d := range []Device{{"/nonexistent-device", "/x", "rwm"}, {"/etc/hostname", "/x", "rwm"}, {dir, "/x", "rwm"}} {
		if _, err := deviceMounts(&Config{Devices: []Device{d}}); err == nil {
			t.Errorf("device %s accepted", d.PathOnHost)
		}
	}
}
