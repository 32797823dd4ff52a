package engine

import (
	"slices"
	"strings"
	"testing"

	"github.com/burrow-containers/burrow/errdefs"
)

// TestTmpfsCopyUpOptions: --tmpfs and --mount type=tmpfs copy the image's
// content up unless notmpcopyup says not, as podman's; the option reaches
// the runtime's spec as tmpcopyup or not at all, and twice is refused.
func TestTmpfsCopyUpOptions(t *testing.T) {
	for _, c := range []struct {
		arg, mount string
		want       []string
	}{
		{arg: "/etc", want: []string{"nosuid", "nodev", "tmpcopyup"}},
		{arg: "/etc:size=1m,tmpcopyup", want: []string{"nosuid", "nodev", "size=1m", "tmpcopyup"}},
		{arg: "/etc:notmpcopyup,size=1m", want: []string{"nosuid", "nodev", "size=1m"}},
		{mount: "type=tmpfs,dst=/etc", want: []string{"nosuid", "nodev", "tmpcopyup"}},
		{mount: "type=tmpfs,dst=/etc,notmpcopyup,tmpfs-size=1m", want: []string{"nosuid", "nodev", "size=1m"}},
	} {
		m, err := ParseTmpfs(c.arg)
		if c.mount != "" {
			m, err = ParseMount(c.mount)
		}
		if err != nil {
			t.Fatalf("%s%s: %v", c.arg, c.mount, err)
		}
		if got := tmpfsOptions(m.Options); !slices.Equal(got, c.want) {
			t.Errorf("%s%s: spec options %q, want %q", c.arg, c.mount, got, c.want)
		}
	}
	for _, bad := range []string{"/etc:tmpcopyup,notmpcopyup", "/etc:notmpcopyup,notmpcopyup"} {
		_, err := ParseTmpfs(bad)
		if !errdefs.Is(err, errdefs.ClassInvalid) || !strings.Contains(err.Error(), "can only be set once") {
			t.Errorf("%s: %v, want podman's duplicate option error", bad, err)
		}
	}
	if _, err := ParseMount("type=tmpfs,dst=/etc,tmpcopyup,tmpcopyup"); !errdefs.Is(err, errdefs.ClassInvalid) {
		t.Errorf("--mount with tmpcopyup twice: %v", err)
	}
}

// inspect shows a tmpfs mount's options as podman's does.
func TestInspectTmpfsOptions(t *testing.T) {
	for _, c := range []struct {
		opts []string
		want string
	}{
		{nil, "rw,rprivate,nosuid,nodev,tmpcopyup"},
		{[]string{"size=1m", "mode=700"}, "size=1m,mode=700,rw,rprivate,nosuid,nodev,tmpcopyup"},
		{[]string{"notmpcopyup"}, "rw,rprivate,nosuid,nodev"},
		{[]string{"notmpcopyup", "exec"}, "exec,rw,rprivate,nosuid,nodev"},
		{[]string{"ro", "suid", "dev", "shared", "tmpcopyup"}, "ro,suid,dev,shared,tmpcopyup"},
	} {
		if got := inspectTmpfsOptions(c.opts); got != c.want {
			t.Errorf("inspectTmpfsOptions(%q) = %q, want %q", c.opts, got, c.want)
		}
	}
}
