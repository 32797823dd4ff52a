package engine

import (
	"strings"
	"testing"
	"time"

	"go.podman.io/storage/pkg/stringid"
	"go.podman.io/storage/types"
)

// TestCheckFindsLostStorageContainers: storage containers burrow made and
// has no record of are found and, with repair, removed; another tool's
// are left alone. On a real (vfs) store in a temporary directory.
func TestCheckFindsLostStorageContainers(t *testing.T) {
	dir := t.TempDir()
	e := &Engine{opts: types.StoreOptions{GraphRoot: dir + "/graph", RunRoot: dir + "/run", GraphDriverName: "vfs"}}
	s, err := e.store()
	if err != nil {
		t.Skipf("no containers/storage store here: %v", err)
	}
	defer e.Close()
	lost, err := s.CreateContainer("", nil, "", "", storageMetadata(storageKindContainer), nil)
	if err != nil {
		t.Fatal(err)
	}
	working, err := s.CreateContainer("", nil, "", "", storageMetadata(storageKindBuild), nil)
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := s.CreateContainer("", nil, "", "", `{"Type":"podman"}`, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Young ones may belong to a create or a build at work.
	problems, _, err := e.Check(false)
	if err != nil || len(problems) != 0 {
		t.Fatalf("fresh containers: problems %v, err %v", problems, err)
	}
	defer func(a, b time.Duration) { orphanAge, buildOrphanAge = a, b }(orphanAge, buildOrphanAge)
	orphanAge, buildOrphanAge = 0, 0
	problems, _, err = e.Check(false)
	if err != nil || len(problems) != 2 || !strings.Contains(strings.Join(problems, "\n"), stringid.TruncateID(lost.ID)) ||
		!strings.Contains(strings.Join(problems, "\n"), stringid.TruncateID(working.ID)) {
		t.Fatalf("old ones: problems %v, err %v", problems, err)
	}
	_, repaired, err := e.Check(true)
	if err != nil || len(repaired) != 2 {
		t.Fatalf("repair: %v, %v", repaired, err)
	}
	if _, err := s.Container(lost.ID); err == nil {
		t.Errorf("the lost container is still in the store")
	}
	if _, err := s.Container(working.ID); err == nil {
		t.Errorf("the lost working layer is still in the store")
	}
	if _, err := s.Container(foreign.ID); err != nil {
		t.Errorf("another tool's container was removed: %v", err)
	}
}
