package build

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/burrow-containers/burrow/errdefs"
)

// cptMake fills root: a key ending in "/" is a directory, a value starting
// with "@link:" a symlink to the rest, anything else a 0644 file.
func cptMake(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if target, ok := strings.CutPrefix(content, "@link:"); ok {
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func cptContext(t *testing.T, files map[string]string) *Context {
	t.Helper()
	dir := t.TempDir()
	cptMake(t, dir, files)
	c, err := OpenContext(dir, filepath.Join(dir, "Containerfile"))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestOpenContextIgnoreFileChoice(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string // the ignore file chosen, relative to the context; "" none
	}{
		{"none", map[string]string{"Containerfile": "FROM x"}, ""},
		{"dockerignore", map[string]string{".dockerignore": "a"}, ".dockerignore"},
		{"containerignore over dockerignore", map[string]string{".dockerignore": "a", ".containerignore": "b"}, ".containerignore"},
		{"beside the file wins", map[string]string{".containerignore": "b", "Containerfile.dockerignore": "c"}, "Containerfile.dockerignore"},
		{"beside the file, containerignore first", map[string]string{"Containerfile.dockerignore": "c", "Containerfile.containerignore": "d"}, "Containerfile.containerignore"},
		{"a directory is no ignore file", map[string]string{".containerignore/": "", ".dockerignore": "a"}, ".dockerignore"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cptContext(t, tc.files)
			want := ""
			if tc.want != "" {
				want = filepath.Join(c.Dir, tc.want)
			}
			if c.IgnoreFile != want {
				t.Errorf("ignore file %q, want %q", c.IgnoreFile, want)
			}
		})
	}
}

func TestOpenContextContainerfileElsewhere(t *testing.T) {
	c := cptContext(t, map[string]string{".dockerignore": "a"})
	other := t.TempDir()
	cf := filepath.Join(other, "Build.file")
	cptMake(t, other, map[string]string{"Build.file": "FROM x", "Build.file.containerignore": "b\n"})
	c2, err := OpenContext(c.Dir, cf)
	if err != nil {
		t.Fatal(err)
	}
	if c2.IgnoreFile != cf+".containerignore" || len(c2.Excludes) != 1 || c2.Excludes[0] != "b" {
		t.Errorf("got %q %q", c2.IgnoreFile, c2.Excludes)
	}
}

func TestOpenContextErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := OpenContext(filepath.Join(dir, "nope"), ""); !errdefs.Is(err, errdefs.ClassNotFound) {
		t.Errorf("missing dir: %v", err)
	}
	cptMake(t, dir, map[string]string{"file": "x"})
	if _, err := OpenContext(filepath.Join(dir, "file"), ""); !errdefs.Is(err, errdefs.ClassInvalid) {
		t.Errorf("file as context: %v", err)
	}
	cptMake(t, dir, map[string]string{"bad/.dockerignore": "[\n"})
	if _, err := OpenContext(filepath.Join(dir, "bad"), ""); !errdefs.Is(err, errdefs.ClassInvalid) {
		t.Errorf("bad pattern: %v", err)
	}
	// A symlinked context directory is resolved.
	if err := os.Symlink(filepath.Join(dir, "bad"), filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	cptMake(t, dir, map[string]string{"good/": ""})
	c, err := OpenContext(filepath.Join(dir, "good"), "")
	if err != nil || !filepath.IsAbs(c.Dir) {
		t.Errorf("%v %+v", err, c)
	}
}

func TestContextIgnored(t *testing.T) {
	c := cptContext(t, map[string]string{".dockerignore": strings.Join([]string{
		"# comment",
		"*.log",
		"/secret",
		"build",
		"!build/keep.txt",
		"docs/**/*.tmp",
	}, "\n")})
	for rel, want := range map[string]bool{
		"":                       false,
		".":                      false,
		"a.log":                  true,
		"sub/a.log":              false, // "*" does not cross "/"
		"secret":                 true,
		"secret/inner":           true,
		"/secret":                true,
		"build":                  true,
		"build/x.o":              true,
		"build/keep.txt":         false,
		"docs/a/b/c.tmp":         true,
		"docs/a/b/c.md":          false,
		"Containerfile":          false,
		"notbuild/keep.txt":      false,
		"build/deeper/keep.txt":  true,
		"secretive":              false,
		"build.txt":              false,
		"nested/build/keep.txt":  false,
		"nested/secret/whatever": false,
	} {
		got, err := c.Ignored(rel)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("Ignored(%q) = %v, want %v", rel, got, want)
		}
	}
	var nilCtx *Context
	if ign, err := nilCtx.Ignored("x"); ign || err != nil {
		t.Errorf("nil context ignores: %v %v", ign, err)
	}
}

func TestDirSkippable(t *testing.T) {
	c := cptContext(t, map[string]string{".dockerignore": "a\nb\n!b/keep\nc\n!c/*/deep\nd\n!**/x\n"})
	for rel, want := range map[string]bool{
		"a":     false, // "!**/x" may match anything below
		"b":     false,
		"c":     false,
		"c/sub": false,
	} {
		if got := c.dirSkippable(rel); got != want {
			t.Errorf("dirSkippable(%q) = %v, want %v", rel, got, want)
		}
	}
	c = cptContext(t, map[string]string{".dockerignore": "a\nb\n!b/keep\nc\n!c/*/deep\n"})
	for rel, want := range map[string]bool{
		"a":       true,
		"b":       false,
		"c":       false,
		"c/sub":   false,
		"c/sub/x": true, // "!c/*/deep" cannot match below c/sub/x
		"other":   true,
	} {
		if got := c.dirSkippable(rel); got != want {
			t.Errorf("dirSkippable(%q) = %v, want %v", rel, got, want)
		}
	}
}

func TestDigest(t *testing.T) {
	c := cptContext(t, map[string]string{
		"app/main.go":       "package main",
		"app/lib/util.go":   "package lib",
		"app/link":          "@link:lib/util.go",
		"app/debug.log":     "noise",
		"app/node_modules/": "",
		".dockerignore":     "**/*.log\n",
	})
	digest := func() string {
		t.Helper()
		d, err := Digest(c.Dir, []string{"app"}, c, true, "COPY")
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d0 := digest()
	if !strings.HasPrefix(d0, "sha256:") || len(d0) != len("sha256:")+64 {
		t.Fatalf("digest %q", d0)
	}
	if d := digest(); d != d0 {
		t.Errorf("not stable: %s %s", d, d0)
	}

	// mtimes and ignored files do not count.
	past := time.Now().Add(-48 * time.Hour)
	if err := os.Chtimes(filepath.Join(c.Dir, "app/main.go"), past, past); err != nil {
		t.Fatal(err)
	}
	if d := digest(); d != d0 {
		t.Errorf("mtime changed the digest")
	}
	cptMake(t, c.Dir, map[string]string{"app/debug.log": "other noise", "app/new.log": "x"})
	if d := digest(); d != d0 {
		t.Errorf("an ignored file changed the digest")
	}
	without, err := Digest(c.Dir, []string{"app"}, c, false, "COPY")
	if err != nil {
		t.Fatal(err)
	}
	if without == d0 {
		t.Errorf("digest without ignore rules equals the one with them")
	}

	// Content, mode, symlink targets and names do count.
	steps := []func(){
		func() { cptMake(t, c.Dir, map[string]string{"app/main.go": "package main // changed"}) },
		func() {
			if err := os.Chmod(filepath.Join(c.Dir, "app/main.go"), 0o755); err != nil {
				t.Fatal(err)
			}
		},
		func() {
			os.Remove(filepath.Join(c.Dir, "app/link"))
			cptMake(t, c.Dir, map[string]string{"app/link": "@link:main.go"})
		},
		func() {
			if err := os.Rename(filepath.Join(c.Dir, "app/lib"), filepath.Join(c.Dir, "app/lib2")); err != nil {
				t.Fatal(err)
			}
		},
		func() { cptMake(t, c.Dir, map[string]string{"app/empty/": ""}) },
	}
	seen := map[string]bool{d0: true}
	for i, step := range steps {
		step()
		d := digest()
		if seen[d] {
			t.Errorf("step %d did not change the digest", i)
		}
		seen[d] = true
	}

	// Wildcards and missing sources.
	if _, err := Digest(c.Dir, []string{"nope"}, c, true, "COPY"); !errdefs.Is(err, errdefs.ClassNotFound) ||
		!strings.Contains(err.Error(), "COPY nope: no such file or directory in the build context") {
		t.Errorf("missing source: %v", err)
	}
	if _, err := Digest(c.Dir, []string{"app/*.log"}, c, true, "COPY"); !errdefs.Is(err, errdefs.ClassNotFound) {
		t.Errorf("ignored wildcard matches: %v", err)
	}
	if _, err := Digest(c.Dir, []string{"../x"}, c, true, "COPY"); !errdefs.Is(err, errdefs.ClassInvalid) {
		t.Errorf("escaping source: %v", err)
	}
	a, err := Digest(c.Dir, []string{"app/*.go"}, c, true, "COPY")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Digest(c.Dir, []string{"app/main.go"}, c, true, "COPY")
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("wildcard matching one file differs from naming it")
	}
}

func TestDigestPipeDoesNotBlock(t *testing.T) {
	c := cptContext(t, map[string]string{"d/f": "x"})
	if err := cptMkfifo(filepath.Join(c.Dir, "d/pipe")); err != nil {
		t.Skip("cannot make a FIFO here:", err)
	}
	done := make(chan error, 1)
	go func() { _, err := Digest(c.Dir, []string{"d"}, c, true, "COPY"); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Digest blocked on a FIFO")
	}
}

func TestExceptionReaches(t *testing.T) {
	for _, tc := range []struct {
		pattern, dir string
		want         bool
	}{
		{"a/b", "a", true},
		{"a/b", "c", false},
		{"*/b", "x", true},
		{"a", "a/b", true},
		{"a/*/c", "a/b/d", false},
		{"**/c", "z", true},
		{"[", "a", true},
	} {
		if got := exceptionReaches(tc.pattern, strings.Split(tc.dir, "/")); got != tc.want {
			t.Errorf("exceptionReaches(%q, %q) = %v", tc.pattern, tc.dir, got)
		}
	}
}
