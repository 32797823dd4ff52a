package sandbox

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func writeRoot(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestLookupUser(t *testing.T) {
	root := writeRoot(t, map[string]string{
		"etc/passwd": "app:x:1000:1000::/home/app:/bin/sh\n",
		"etc/group":  "app:x:1000:\nextra:x:2000:app\n",
	})
	u, err := LookupUser(root, "app")
	if err != nil {
		t.Fatal(err)
	}
	if u.Uid != 1000 || u.Gid != 1000 || u.Home != "/home/app" || len(u.Sgids) != 1 || u.Sgids[0] != 2000 {
		t.Errorf("app: %+v", u)
	}
	// No files at all: numeric IDs still resolve.
	if u, err := LookupUser(t.TempDir(), "7:8"); err != nil || u.Uid != 7 || u.Gid != 8 {
		t.Errorf("7:8 without /etc: %+v, %v", u, err)
	}
}

func TestLookupUserStaysInRoot(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "passwd")
	os.WriteFile(outside, []byte("host:x:4242:4242::/:/bin/sh\n"), 0o644)
	root := writeRoot(t, nil)
	if err := os.Symlink(outside, filepath.Join(root, "etc/passwd")); err != nil {
		t.Fatal(err)
	}
	if u, err := LookupUser(root, "host"); err == nil {
		t.Errorf("a link to a file outside the root was followed: %+v", u)
	}
}

func TestLookupUserRefusesOddFiles(t *testing.T) {
	fifo := writeRoot(t, nil)
	if err := unix.Mkfifo(filepath.Join(fifo, "etc/passwd"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LookupUser(fifo, "app"); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a FIFO as /etc/passwd: %v", err)
	}
	huge := writeRoot(t, nil)
	if err := os.WriteFile(filepath.Join(huge, "etc/group"), make([]byte, maxUserFile+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LookupUser(huge, "0"); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("an oversized /etc/group: %v", err)
	}
}

func TestLookupGroups(t *testing.T) {
	root := writeRoot(t, map[string]string{"etc/group": "app:x:1000:\nvideo:x:44:\n"})
	got, err := LookupGroups(root, []string{"video", "457"})
	slices.Sort(got) // the kernel sorts them too
	if err != nil || len(got) != 2 || got[0] != 44 || got[1] != 457 {
		t.Errorf("LookupGroups: %v, %v", got, err)
	}
	if _, err := LookupGroups(root, []string{"nosuch"}); err == nil {
		t.Error("LookupGroups: an unknown group name is accepted")
	}
}
