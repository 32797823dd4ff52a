package build

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/burrow-containers/burrow/errdefs"
)

func TestResolveChown(t *testing.T) {
	rootfs := t.TempDir()
	cptMake(t, rootfs, map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\nbob:x:1000:1000::/home/bob:/bin/sh\nsvc:x:500:42::/:/sbin/nologin\n",
		"etc/group":  "root:x:0:\nbob:x:1000:\nstaff:x:50:bob\nsvcs:x:42:\n",
	})
	for _, tc := range []struct {
		spec     string
		uid, gid int
		errText  string
	}{
		{spec: "root", uid: 0, gid: 0},
		{spec: "bob", uid: 1000, gid: 1000},
		{spec: "svc", uid: 500, gid: 42},
		{spec: "bob:staff", uid: 1000, gid: 50},
		{spec: "svc:bob", uid: 500, gid: 1000},
		{spec: "500", uid: 500, gid: 42},
		{spec: "1001", uid: 1001, gid: 1001},
		{spec: "2000:3000", uid: 2000, gid: 3000},
		{spec: "bob:3000", uid: 1000, gid: 3000},
		{spec: "2000:staff", uid: 2000, gid: 50},
		{spec: "nobody", errText: "--chown=nobody: no such user in the image"},
		{spec: "bob:nogroup", errText: "--chown=bob:nogroup: no such group in the image"},
		{spec: ":staff", errText: "expected USER[:GROUP]"},
		{spec: "bob:", errText: "expected USER[:GROUP]"},
		{spec: "", errText: "expected USER[:GROUP]"},
		{spec: "4294967295", errText: "out of range"},
		{spec: "99999999999", errText: "out of range"},
	} {
		uid, gid, err := ResolveChown(rootfs, tc.spec)
		if tc.errText != "" {
			if !errdefs.Is(err, errdefs.ClassInvalid) || !strings.Contains(err.Error(), tc.errText) {
				t.Errorf("%q: error %v, want %q", tc.spec, err, tc.errText)
			}
			continue
		}
		if err != nil || uid != tc.uid || gid != tc.gid {
			t.Errorf("%q: %d:%d %v, want %d:%d", tc.spec, uid, gid, err, tc.uid, tc.gid)
		}
	}
}

func TestResolveChownScratchAndLinks(t *testing.T) {
	// A scratch image: numbers work, names do not.
	empty := t.TempDir()
	if uid, gid, err := ResolveChown(empty, "12:34"); err != nil || uid != 12 || gid != 34 {
		t.Errorf("scratch numeric: %d:%d %v", uid, gid, err)
	}
	if uid, gid, err := ResolveChown(empty, "12"); err != nil || uid != 12 || gid != 12 {
		t.Errorf("scratch uid only: %d:%d %v", uid, gid, err)
	}
	if _, _, err := ResolveChown(empty, "root"); !errdefs.Is(err, errdefs.ClassInvalid) {
		t.Errorf("scratch name: %v", err)
	}

	// /etc/passwd a symlink to a host file: resolved inside the rootfs.
	host := t.TempDir()
	cptMake(t, host, map[string]string{
		"passwd": "hostuser:x:4242:4242::/:/bin/sh\n",
		"group":  "hostgroup:x:4343:\n",
	})
	rootfs := t.TempDir()
	if err := os.MkdirAll(filepath.Join(rootfs, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"passwd", "group"} {
		if err := os.Symlink(filepath.Join(host, name), filepath.Join(rootfs, "etc", name)); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := ResolveChown(rootfs, "hostuser"); !errdefs.Is(err, errdefs.ClassInvalid) {
		t.Errorf("a host user was found: %v", err)
	}
	if _, _, err := ResolveChown(rootfs, "0:hostgroup"); !errdefs.Is(err, errdefs.ClassInvalid) {
		t.Errorf("a host group was found: %v", err)
	}
	// Where the link leads inside the rootfs, that file is read.
	cptMake(t, rootfs, map[string]string{
		strings.TrimPrefix(host, "/") + "/passwd": "inner:x:7:8::/:/bin/sh\n",
	})
	if uid, gid, err := ResolveChown(rootfs, "inner"); err != nil || uid != 7 || gid != 8 {
		t.Errorf("inner user: %d:%d %v", uid, gid, err)
	}
}
