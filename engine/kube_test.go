package engine

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/limits"
)

// TestWriteInRootStaysInside: a volume a container could write holds
// symbolic links to files and directories outside it; writing the files
// of a ConfigMap into it replaces the links and touches nothing outside.
func TestWriteInRootStaysInside(t *testing.T) {
	dir := t.TempDir()
	vol, outside := filepath.Join(dir, "vol"), filepath.Join(dir, "outside")
	for _, d := range []string{vol, outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	secret := filepath.Join(outside, "secret")
	if err := os.WriteFile(secret, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"key": secret, "sub": outside, "abs": "/"} {
		if err := os.Symlink(target, filepath.Join(vol, name)); err != nil {
			t.Fatal(err)
		}
	}
	root, err := os.OpenFile(vol, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	if err := writeInRoot(root, "key", []byte("new"), 0o640); err != nil {
		t.Fatal(err)
	}
	st, err := os.Lstat(filepath.Join(vol, "key"))
	if err != nil || !st.Mode().IsRegular() || st.Mode().Perm() != 0o640 {
		t.Errorf("key is %v (%v), want a regular file of mode 0640", st.Mode(), err)
	}
	for _, p := range []string{"sub/secret", "abs/tmp/x"} {
		writeInRoot(root, p, []byte("new"), 0o644) // may fail or land inside: never outside
	}
	if b, _ := os.ReadFile(secret); string(b) != "keep" {
		t.Errorf("a file outside the volume was written: %q", b)
	}
	if _, err := os.Stat("/tmp/x"); err == nil {
		t.Errorf("/tmp/x was made through the volume's link to /")
	}
	for _, p := range []string{"../x", "/etc/passwd"} {
		if err := writeInRoot(root, p, nil, 0o644); err == nil {
			t.Errorf("writeInRoot(%q) did not fail", p)
		}
	}
	if err := writeInRoot(root, "a/b/c", []byte("deep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(vol, "a/b/c")); string(b) != "deep" {
		t.Errorf("a/b/c holds %q", b)
	}
}

// Under cgroups = "disabled" in containers.conf, limits pass kube play's
// check whatever the host can do: the create drops them with a warning.
func TestCheckLimitsFollowsCgroupsSetting(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "containers.conf")
	if err := os.WriteFile(conf, []byte("[containers]\ncgroups = \"disabled\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CONTAINERS_CONF", conf)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	e := &Engine{}
	if err := e.CheckLimits(limits.Limits{Memory: 64 << 20, PidsLimit: 10}); err != nil {
		t.Errorf("CheckLimits under cgroups = \"disabled\": %v", err)
	}
	os.WriteFile(conf, []byte("[containers]\ncgroups = \"sometimes\"\n"), 0o644)
	if err := (&Engine{}).CheckLimits(limits.Limits{PidsLimit: 10}); err == nil {
		t.Errorf("CheckLimits with an invalid cgroups setting: no error")
	}
}
