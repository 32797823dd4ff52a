package extract

import (
	"archive/tar"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/burrow-containers/burrow/errdefs"
)

func archive(t *testing.T, entries ...*tar.Header) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	for _, h := range entries {
		body := ""
		if h.Typeflag == tar.TypeReg {
			body, h.Linkname = h.Linkname, ""
			h.Size = int64(len(body))
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if err := w.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	w.Close()
	return &buf
}

// regular is a regular entry whose content rides in Linkname.
func regular(name, content string) *tar.Header {
	return &tar.Header{Name: name, Typeflag: tar.TypeReg, Linkname: content}
}

func link(name, target string) *tar.Header {
	return &tar.Header{Name: name, Typeflag: tar.TypeSymlink, Linkname: target}
}

// listTree lists the files under dir: "d/" for directories, "@link:T" for
// symlinks, the content for files.
func listTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == dir {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case fi.IsDir():
			out[rel+"/"] = ""
		case fi.Mode()&os.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			out[rel] = "@link:" + l
		case fi.Mode().IsRegular():
			b, _ := os.ReadFile(p)
			out[rel] = string(b)
		}
		return nil
	})
	return out
}

func opts() Options { return Options{What: "test", UID: -1, GID: -1} }

// The archive of the issue: a symlink to the user's home, then a file
// through it. Everything lands in the root, nothing in the home.
func TestSymlinkOutLandsInside(t *testing.T) {
	home, root := t.TempDir(), t.TempDir()
	os.MkdirAll(filepath.Join(root, "tmp"), 0o755)
	err := Extract(archive(t, link("x", home), regular("x/FILE", "pwned"), link("up", "../../../.."), regular("up/etc/evil", "E")),
		root, "/tmp", opts())
	if err != nil {
		t.Fatal(err)
	}
	if got := listTree(t, home); len(got) != 0 {
		t.Errorf("the host directory changed: %v", got)
	}
	got := listTree(t, root)
	if got[strings.TrimPrefix(home, "/")+"/FILE"] != "pwned" || got["tmp/x"] != "@link:"+home {
		t.Errorf("not in the root: %v", got)
	}
	if got["etc/evil"] != "E" {
		t.Errorf("../ through a symlink stops at the root: %v", got)
	}
}

func TestRefused(t *testing.T) {
	for _, tc := range []struct {
		name    string
		entries []*tar.Header
		class   errdefs.Class
	}{
		{"dotdot", []*tar.Header{regular("../evil", "E")}, errdefs.ClassInvalid},
		{"dotdot inside", []*tar.Header{regular("a/../../evil", "E")}, errdefs.ClassInvalid},
		{"hard link out", []*tar.Header{{Name: "h", Typeflag: tar.TypeLink, Linkname: "../outside"}}, errdefs.ClassInvalid},
		{"file over directory", []*tar.Header{{Name: "d/", Typeflag: tar.TypeDir}, regular("d", "x")}, errdefs.ClassConflict},
		{"the destination as a file", []*tar.Header{regular(".", "x")}, errdefs.ClassInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			root := filepath.Join(parent, "root")
			os.Mkdir(root, 0o755)
			err := Extract(archive(t, tc.entries...), root, "/", opts())
			if errdefs.ClassOf(err) != tc.class {
				t.Errorf("error %v, want class %v", err, tc.class)
			}
			if got := listTree(t, parent); len(got) > 2 {
				t.Errorf("wrote outside the root: %v", got)
			}
		})
	}
}

func TestDestination(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "f"), nil, 0o644)
	os.Symlink("/d", filepath.Join(root, "l"))
	os.Mkdir(filepath.Join(root, "d"), 0o755)
	if err := Extract(archive(t), root, "/missing", opts()); !errdefs.Is(err, errdefs.ClassNotFound) {
		t.Errorf("missing destination: %v", err)
	}
	if err := Extract(archive(t), root, "/f", opts()); !errdefs.Is(err, errdefs.ClassInvalid) {
		t.Errorf("destination is a file: %v", err)
	}
	if err := Extract(archive(t, regular("in", "I")), root, "/l", opts()); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(root, "d/in")); string(b) != "I" {
		t.Errorf("a symlinked destination resolves in the root: %q", b)
	}
}

func TestEntries(t *testing.T) {
	root := t.TempDir()
	err := Extract(archive(t,
		&tar.Header{Name: "./", Typeflag: tar.TypeDir, Mode: 0o750},
		&tar.Header{Name: "top/", Typeflag: tar.TypeDir, Mode: 0o555},
		regular("top/a", "A"),
		link("top/link", "a"),
		&tar.Header{Name: "top/hard", Typeflag: tar.TypeLink, Linkname: "top/a"},
		&tar.Header{Name: "fifo", Typeflag: tar.TypeFifo, Mode: 0o640},
		regular("implied/dir/b", "B"),
		regular("/abs", "ABS"),
		&tar.Header{Name: "dev", Typeflag: tar.TypeChar},
	), root, "/", opts())
	if err != nil {
		t.Fatal(err)
	}
	got := listTree(t, root)
	for k, v := range map[string]string{"top/a": "A", "top/link": "@link:a", "top/hard": "A", "implied/dir/b": "B", "abs": "ABS"} {
		if got[k] != v {
			t.Errorf("%s: %q, want %q (%v)", k, got[k], v, got)
		}
	}
	if _, ok := got["dev"]; ok {
		t.Errorf("a device node was made")
	}
	for p, want := range map[string]os.FileMode{".": os.ModeDir | 0o750, "top": os.ModeDir | 0o555, "implied": os.ModeDir | 0o755, "fifo": os.ModeNamedPipe | 0o640} {
		fi, err := os.Lstat(filepath.Join(root, p))
		if err != nil || fi.Mode()&(os.ModeType|os.ModePerm) != want&(os.ModeType|os.ModePerm) {
			t.Errorf("%s: mode %v %v, want %v", p, fi.Mode(), err, want)
		}
	}
	a, _ := os.Stat(filepath.Join(root, "top/a"))
	h, _ := os.Stat(filepath.Join(root, "top/hard"))
	if !os.SameFile(a, h) {
		t.Errorf("the hard link is a copy")
	}
}

func TestLimits(t *testing.T) {
	root := t.TempDir()
	o := opts()
	o.MaxBytes = 10
	err := Extract(archive(t, regular("a", "12345"), regular("b", "123456")), root, "/", o)
	if !errors.Is(err, ErrTooLarge) {
		t.Errorf("11 bytes under a limit of 10: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "b")); err == nil {
		t.Errorf("the file over the limit was written")
	}

	os.WriteFile(filepath.Join(root, "f"), []byte("x"), 0o644)
	o = opts()
	o.NoDirOverNonDir = true
	if err := Extract(archive(t, &tar.Header{Name: "f/", Typeflag: tar.TypeDir}), root, "/", o); !errdefs.Is(err, errdefs.ClassConflict) {
		t.Errorf("a directory over a file with NoDirOverNonDir: %v", err)
	}
}
