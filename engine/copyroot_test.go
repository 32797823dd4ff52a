package engine

import (
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestCopyRootResolvesStoppedContainersMounts(t *testing.T) {
	dir := t.TempDir()
	rootfs, vol1, vol2, hosts := filepath.Join(dir, "root"), filepath.Join(dir, "vol1"), filepath.Join(dir, "vol2"), filepath.Join(dir, "hosts")
	for _, d := range []string{filepath.Join(rootfs, "tmp"), vol1, vol2} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(hosts, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// A link in a volume that points out of it stays inside it.
	if err := os.Symlink("/etc", filepath.Join(vol1, "esc")); err != nil {
		t.Fatal(err)
	}
	c := &copyRoot{rootfs: rootfs, binds: directoryBinds([]specs.Mount{
		{Type: "bind", Destination: "/tmp/volume", Source: vol1},
		{Type: "bind", Destination: "/tmp/volume/sub-volume/", Source: vol2},
		{Type: "bind", Destination: "/etc/hosts", Source: hosts},
		{Type: "tmpfs", Destination: "/run", Source: "tmpfs"},
	})}
	for _, tc := range []struct{ abs, root, inside string }{
		{"/tmp/volume/sub-volume", vol2, vol2},
		{"/tmp/volume/sub-volume/f", vol2, filepath.Join(vol2, "f")},
		{"/tmp/volume/sub-volume/.", vol2, vol2},
		{"/tmp/volume/x", vol1, filepath.Join(vol1, "x")},
		{"/tmp/volume/", vol1, vol1},
		{"/tmp/volumex", rootfs, filepath.Join(rootfs, "tmp/volumex")},
		{"/etc/hosts", rootfs, filepath.Join(rootfs, "etc/hosts")},
		{"/run/x", rootfs, filepath.Join(rootfs, "run/x")},
		{"/tmp/volume/esc/passwd", vol1, filepath.Join(vol1, "etc/passwd")},
		{"/tmp/../tmp/volume/../volume/y", vol1, filepath.Join(vol1, "y")},
	} {
		root, inside, err := c.resolve(tc.abs)
		if err != nil || root != tc.root || inside != tc.inside {
			t.Errorf("resolve(%q) = %q, %q, %v; want %q, %q", tc.abs, root, inside, err, tc.root, tc.inside)
		}
	}
	// A running container's view has no binds to resolve: the root alone.
	live := &copyRoot{rootfs: rootfs}
	if root, inside, _ := live.resolve("/tmp/volume/x"); root != rootfs || inside != filepath.Join(rootfs, "tmp/volume/x") {
		t.Errorf("a live root resolved to %q, %q", root, inside)
	}
}

func TestCopyRootLocatesForTheArchive(t *testing.T) {
	dir := t.TempDir()
	rootfs, vol := filepath.Join(dir, "root"), filepath.Join(dir, "vols", "v", "_data")
	for _, d := range []string{filepath.Join(rootfs, "tmp"), vol} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	c := &copyRoot{rootfs: rootfs, binds: directoryBinds([]specs.Mount{{Type: "bind", Destination: "/tmp/volume", Source: vol}})}
	for _, tc := range []struct {
		p       string
		asEntry bool
		root    string
		rel     string
	}{
		{"/tmp/volume/f", true, vol, "/f"},
		{"/tmp/volume/f/", false, vol, "/f/"},
		{"/tmp/volume", true, filepath.Dir(vol), "/_data"},
		{"/tmp/volume/", true, filepath.Dir(vol), "/_data/"},
		{"/tmp/volume/.", true, vol, "/."},
		{"/tmp/volume", false, vol, "/"},
		{"/tmp/other", true, rootfs, "/tmp/other"},
		{"/", true, rootfs, "/"},
	} {
		root, rel, err := c.locate(tc.p, tc.asEntry)
		if err != nil || root != tc.root || rel != tc.rel {
			t.Errorf("locate(%q, %v) = %q, %q, %v; want %q, %q", tc.p, tc.asEntry, root, rel, err, tc.root, tc.rel)
		}
	}
}
