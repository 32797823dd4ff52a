package engine

import (
	"os"
	"testing"

	"go.podman.io/storage/types"
)

// A service's temporary directory comes back after a reset removed the
// store under it.
func TestTempDirMadeAgainAfterReset(t *testing.T) {
	root := t.TempDir()
	e := &Engine{opts: types.StoreOptions{GraphRoot: root + "/graph"}}
	dir, err := e.tempDir()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(root + "/graph"); err != nil {
		t.Fatal(err)
	}
	again, err := e.tempDir()
	if err != nil || again != dir {
		t.Fatalf("after the reset: %q, %v; want %q again", again, err, dir)
	}
	if st, err := os.Stat(again); err != nil || !st.IsDir() {
		t.Errorf("the directory was not made again: %v", err)
	}
}
