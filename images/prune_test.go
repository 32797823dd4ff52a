package images

import (
	"context"
	"slices"
	"testing"

	cstorage "go.podman.io/storage"
	"go.podman.io/storage/types"
)

// TestPrune on a real (vfs) store in a temporary directory: a chain of
// build steps under a named image, a dangling image, an unused named one
// and one a container uses.
func TestPrune(t *testing.T) {
	dir := t.TempDir()
	s, err := cstorage.GetStore(types.StoreOptions{GraphRoot: dir + "/graph", RunRoot: dir + "/run", GraphDriverName: "vfs"})
	if err != nil {
		t.Skipf("no containers/storage store here: %v", err)
	}
	defer s.Shutdown(true)
	layer := func(parent string) string {
		l, err := s.CreateLayer("", parent, nil, "", false, nil)
		if err != nil {
			t.Fatal(err)
		}
		return l.ID
	}
	image := func(top string, names ...string) string {
		img, err := s.CreateImage("", names, top, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		return img.ID
	}
	base := layer("")
	step1 := image(base) // build steps, under final
	mid := layer(base)
	step2 := image(mid)
	final := image(layer(mid), "localhost/final:latest")
	dangling := image(layer(""))
	unused := image(layer(""), "localhost/unused:latest")
	used := image(layer(""))
	if _, err := s.CreateContainer("", nil, used, "", "", nil); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	removed, err := Prune(ctx, s, false)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	want := []string{dangling}
	if !slices.Equal(removed, want) {
		t.Errorf("prune removed %v, want the dangling %v", removed, want)
	}
	// Without the named image its steps are dangling, one after the other.
	if _, err := s.DeleteImage(final, true); err != nil {
		t.Fatal(err)
	}
	removed, err = Prune(ctx, s, false)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(removed)
	want = []string{step1, step2}
	slices.Sort(want)
	if !slices.Equal(removed, want) {
		t.Errorf("prune after rmi of the named image removed %v, want its steps %v", removed, want)
	}
	removed, err = Prune(ctx, s, true)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(removed, []string{unused}) {
		t.Errorf("prune -a removed %v, want the unused named image %s", removed, unused)
	}
	if slices.Contains(removed, used) {
		t.Errorf("prune -a removed the image a container uses")
	}
}
