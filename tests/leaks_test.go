package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Small leaks and odd answers (issue 23, item 6).

func TestRunRmLeavesNoFiles(t *testing.T) {
	t.Parallel()
	_, run := storePaths(t)
	img := busyboxImage(t)
	must(t, "run", "--rm", img, "true") // the run directory exists
	before := entriesOf(filepath.Join(run, "burrow"))
	for i := 0; i < 5; i++ {
		must(t, "run", "--rm", img, "true")
	}
	// Other tests run containers beside this one: only ours count, and
	// none of them was named for a container of ours that is gone.
	after := entriesOf(filepath.Join(run, "burrow"))
	if grown := len(after) - len(before); grown >= 5 {
		t.Errorf("5 run --rm left %d more entries in %s: %v", grown, filepath.Join(run, "burrow"), after)
	}
	if ents, _ := os.ReadDir(filepath.Join(run, "burrow", "exited")); len(ents) > 0 {
		t.Errorf("an exit file per container is left in exited/: %d", len(ents))
	}
}

func entriesOf(dir string) []string {
	ents, _ := os.ReadDir(dir)
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out
}

func TestImportLoadErrors(t *testing.T) {
	t.Parallel()
	name := "localhost/import-null-" + randHex()[:8]
	t.Cleanup(func() { burrow(t, "rmi", "-f", name) })
	r := burrow(t, "import", "/dev/null", name)
	requireBurrowError(t, r, true)
	if !strings.Contains(r.Stderr, "empty") {
		t.Errorf("import of /dev/null: %s", describe(r))
	}
	if burrow(t, "image", "inspect", name).ExitCode == 0 {
		t.Errorf("import of /dev/null made an image")
	}

	// A tarball without a name: podman makes an image without one.
	dir := t.TempDir()
	tarball := filepath.Join(dir, "root.tar")
	os.WriteFile(filepath.Join(dir, "hello"), []byte("hi\n"), 0o644)
	if out, err := exec.Command("tar", "-C", dir, "-cf", tarball, "hello").CombinedOutput(); err != nil {
		t.Fatalf("tar: %v: %s", err, out)
	}
	id := strings.TrimSpace(must(t, "import", "-q", tarball))
	t.Cleanup(func() { burrow(t, "rmi", "-f", id) })
	if got := strings.TrimSpace(must(t, "image", "inspect", "--format", "{{len .RepoTags}}", id)); got != "0" {
		t.Errorf("an image imported without a name has %s names", got)
	}

	// A truncated archive says so.
	archive := filepath.Join(dir, "saved.tar")
	must(t, "save", "-o", archive, busyboxImage(t))
	b, _ := os.ReadFile(archive)
	os.WriteFile(archive, b[:len(b)/3], 0o644)
	r = burrow(t, "load", "-i", archive)
	requireBurrowError(t, r, true)
	if !strings.Contains(r.Stderr, "truncated") {
		t.Errorf("load of a truncated archive: %s", describe(r))
	}
}

func TestBuildCacheForgetsRemovedImages(t *testing.T) {
	t.Parallel()
	graph, _ := storePaths(t)
	dir := t.TempDir()
	tag := "localhost/cache-prune-" + randHex()[:8]
	os.WriteFile(filepath.Join(dir, "Containerfile"), []byte("FROM "+busyboxImage(t)+"\nRUN echo "+randHex()+" > /made\n"), 0o644)
	id := strings.TrimPrefix(strings.TrimSpace(must(t, "build", "-q", "-t", tag, dir)), "sha256:")
	cacheDir := filepath.Join(graph, "burrow", "build-cache")
	if !cacheNames(cacheDir, id) {
		t.Fatalf("no build cache entry names the built image %s", id)
	}
	must(t, "rmi", "-f", tag)
	if cacheNames(cacheDir, id) {
		t.Errorf("the build cache kept an entry for the removed image %s", id)
	}
}

// cacheNames tells whether a build cache entry names image id.
func cacheNames(dir, id string) bool {
	for _, e := range entriesOf(dir) {
		if b, err := os.ReadFile(filepath.Join(dir, e)); err == nil && strings.TrimSpace(string(b)) == id {
			return true
		}
	}
	return false
}
