package engine

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.podman.io/storage/types"

	"github.com/burrow-containers/burrow/errdefs"
)

func testRecord(e *Engine, t *testing.T, name string) *Record {
	t.Helper()
	r := &Record{ID: newID(), Name: name, Created: time.Now()}
	unlock, err := e.lock()
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if err := e.writeRecord(r); err != nil {
		t.Fatal(err)
	}
	return r
}

// The names' links find a container by name, ID and prefix as reading
// every record did, and a name is free again once its container is gone.
func TestNameIndex(t *testing.T) {
	dir := t.TempDir()
	e := &Engine{opts: types.StoreOptions{GraphRoot: dir + "/graph", RunRoot: dir + "/run"}}
	a := testRecord(e, t, "alpha")
	b := testRecord(e, t, "beta")
	// A store the links do not cover yet (written by an older burrow):
	// claiming a name makes them.
	os.RemoveAll(e.namesDir())
	if e.namesValid() {
		t.Fatal("links valid without any")
	}
	unlock, _ := e.lock()
	err := e.claimName(&Container{Record: Record{ID: newID(), Name: "alpha"}})
	unlock()
	if !errdefs.Is(err, errdefs.ClassConflict) {
		t.Fatalf("claiming a name in use: %v", err)
	}
	if !e.namesValid() {
		t.Fatal("claiming a name did not make the links")
	}
	for _, tc := range []struct{ key, want string }{
		{"alpha", a.ID}, {"beta", b.ID}, {a.ID, a.ID}, {b.ID[:12], b.ID},
	} {
		r, err := e.find(tc.key)
		if err != nil || r.ID != tc.want {
			t.Errorf("find(%q) = %v, %v; want %s", tc.key, r, err, tc.want)
		}
	}
	if _, err := e.find("gamma"); !errdefs.Is(err, errdefs.ClassNotFound) {
		t.Errorf("find of a name no container bears: %v", err)
	}
	if _, err := e.find("../../etc"); !errdefs.Is(err, errdefs.ClassNotFound) {
		t.Errorf("find of a path: %v", err)
	}
	// Removed: the name is free, find says so, and a new container may
	// take it.
	unlock, _ = e.lock()
	e.removeRecordDir(a)
	unlock()
	if _, err := e.find("alpha"); !errdefs.Is(err, errdefs.ClassNotFound) {
		t.Errorf("find of a removed container: %v", err)
	}
	c := testRecord(e, t, "alpha")
	if r, err := e.find("alpha"); err != nil || r.ID != c.ID {
		t.Errorf("find of a name taken again: %v %v", r, err)
	}
	// A link left behind by a command cut off (no record) is stale.
	os.Symlink(newID(), filepath.Join(e.namesDir(), "ghost"))
	unlock, _ = e.lock()
	err = e.claimName(&Container{Record: Record{ID: newID(), Name: "ghost"}})
	unlock()
	if err != nil {
		t.Errorf("a name whose link is stale: %v", err)
	}
	// A container made behind burrow's back (an older burrow) is seen:
	// the links are no longer valid, and find reads the records.
	time.Sleep(50 * time.Millisecond) // past the directory time's tick
	old := &Record{ID: newID(), Name: "old", Created: time.Now()}
	os.MkdirAll(e.ctrDir(old.ID), 0o700)
	writeJSON(filepath.Join(e.ctrDir(old.ID), "container.json"), old)
	if r, err := e.find("old"); err != nil || r.ID != old.ID {
		t.Errorf("find of a container without a link: %v %v", r, err)
	}
	unlock, _ = e.lock()
	err = e.claimName(&Container{Record: Record{ID: newID(), Name: "old"}})
	unlock()
	if !errdefs.Is(err, errdefs.ClassConflict) {
		t.Errorf("claiming the name of a container without a link: %v", err)
	}
}
