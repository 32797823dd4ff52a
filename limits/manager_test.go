package limits

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDetectChoosesTheManager(t *testing.T) {
	for kind, want := range map[string]bool{"": false, Systemd: false, Cgroupfs: true} {
		if _, got := Detect(kind, os.Getuid(), t.TempDir()).(*cgroupfs); got != want {
			t.Errorf("Detect(%q) is cgroupfs: %v, want %v", kind, got, want)
		}
	}
}

func TestManagerString(t *testing.T) {
	for _, c := range []struct {
		m    Manager
		want string
	}{
		{&systemd{}, "systemd"},
		{&systemd{host: host{why: "cgroup v1"}}, "none: cgroup v1"},
		{&cgroupfs{base: "/sys/fs/cgroup/u"}, "cgroupfs (/sys/fs/cgroup/u)"},
		{&cgroupfs{host: host{why: "not delegated"}}, "none: not delegated"},
	} {
		if got := c.m.String(); got != c.want {
			t.Errorf("String() = %q, want %q", got, c.want)
		}
	}
}

// Without a cgroup to be had, a plain run goes on without one; a limit
// asked for fails with the reason.
func TestApplyWithoutManager(t *testing.T) {
	for _, m := range []Manager{&systemd{host: host{why: "cgroup v1"}}, &cgroupfs{host: host{why: "cgroup v1"}}} {
		if cg, err := m.Apply("abc", os.Getpid(), Limits{}); cg != "" || err != nil {
			t.Errorf("%s: Apply with nothing asked = %q, %v; want no cgroup, no error", m, cg, err)
		}
		if _, err := m.Apply("abc", os.Getpid(), Limits{Memory: 1 << 20}); err == nil || !strings.Contains(err.Error(), "cgroup v1") {
			t.Errorf("%s: Apply with a memory limit: %v; want the reason", m, err)
		}
	}
}

// A process that cannot join the container's cgroup is told the fix.
func TestJoinErrorsNameTheFix(t *testing.T) {
	err := (&cgroupfs{}).Join("abc", filepath.Join(t.TempDir(), "gone"), os.Getpid())
	if err == nil || !strings.Contains(err.Error(), "Delegate=yes") {
		t.Errorf("cgroupfs Join into a missing cgroup: %v; want the fix", err)
	}
	err = (&systemd{host: host{why: "no user bus"}}).Join("abc", "", os.Getpid())
	if err == nil || !strings.Contains(err.Error(), "no user bus") || !strings.Contains(err.Error(), "burrow system doctor") {
		t.Errorf("systemd Join without an instance: %v; want the reason and the fix", err)
	}
}

func TestUnifiedPath(t *testing.T) {
	p, ok := unifiedPath("12:pids:/user.slice\n1:name=systemd:/x\n0::/user.slice/user-1000.slice/session-1.scope\n")
	if !ok || p != "/user.slice/user-1000.slice/session-1.scope" {
		t.Errorf("unifiedPath = %q, %v", p, ok)
	}
	if _, ok := unifiedPath("12:pids:/\n"); ok {
		t.Error("a v1-only file has no unified path")
	}
}
