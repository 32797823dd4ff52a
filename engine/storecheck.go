package engine

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/stringid"
)

// Check looks for damage in the store and in burrow's own state, as
// `podman system check` does: layers, images and containers the store
// reports broken, container records whose storage is gone, and network
// namespaces no container runs in. With repair, it removes what is broken.
func (e *Engine) Check(repair bool) (problems, repaired []string, err error) {
	s, err := e.store()
	if err != nil {
		return nil, nil, err
	}
	report, err := s.Check(&cstorage.CheckOptions{LayerData: true, ImageData: true, ContainerData: true})
	if err != nil {
		return nil, nil, fmt.Errorf("checking the store: %w", err)
	}
	for id, errs := range report.Layers {
		problems = append(problems, fmt.Sprintf("layer %s: %v", stringid.TruncateID(id), errs))
	}
	for id, errs := range report.Images {
		problems = append(problems, fmt.Sprintf("image %s: %v", stringid.TruncateID(id), errs))
	}
	for id, errs := range report.Containers {
		problems = append(problems, fmt.Sprintf("storage container %s: %v", stringid.TruncateID(id), errs))
	}
	if repair && len(problems) > 0 {
		if errs := s.Repair(report, cstorage.RepairEverything()); len(errs) > 0 {
			return problems, repaired, fmt.Errorf("repairing the store: %v", errs)
		}
		repaired = append(repaired, fmt.Sprintf("the store's %d damaged items removed", len(problems)))
	}

	recs, err := e.records()
	if err != nil {
		return problems, repaired, err
	}
	running := map[string]bool{}
	for _, r := range recs {
		if r.Stored {
			if _, err := s.Container(r.ID); err != nil {
				problems = append(problems, fmt.Sprintf("container %s (%s): its storage is gone", r.Name, stringid.TruncateID(r.ID)))
				if repair {
					os.RemoveAll(e.runDir(r.ID))
					e.removeRecordDir(r)
					repaired = append(repaired, "removed the record of "+r.Name)
				}
				continue
			}
		}
		e.refresh(r)
		if r.State.Status == StatusRunning {
			running[r.ID] = true
		}
	}
	// Storage containers burrow made and lost track of: a create killed
	// between the store and the record, a build killed during a COPY.
	// Only burrow's own (the store is shared with podman and buildah), and
	// only old ones (a create or a build may be at work right now).
	ctrs, err := s.Containers()
	if err != nil {
		return problems, repaired, fmt.Errorf("listing the store's containers: %w", err)
	}
	for _, sc := range ctrs {
		kind := storageKind(sc.Metadata)
		if kind == "" || (kind == storageKindContainer && hasRecord(recs, sc.ID)) {
			continue
		}
		age := orphanAge
		if kind == storageKindBuild {
			age = buildOrphanAge
		}
		if time.Since(sc.Created) < age {
			continue
		}
		what := "a storage container without a burrow record (left by an interrupted create): " + stringid.TruncateID(sc.ID)
		if kind == storageKindBuild {
			what = "a build's working layer (left by an interrupted build): " + stringid.TruncateID(sc.ID)
		}
		problems = append(problems, what)
		if repair {
			if err := s.DeleteContainer(sc.ID); err != nil {
				return problems, repaired, fmt.Errorf("removing storage container %s: %w", stringid.TruncateID(sc.ID), err)
			}
			repaired = append(repaired, "removed the storage container "+stringid.TruncateID(sc.ID))
		}
	}
	ents, _ := os.ReadDir(filepath.Dir(e.netnsPath("x")))
	for _, ent := range ents {
		if running[ent.Name()] {
			continue
		}
		if _, err := e.readRecord(ent.Name()); err == nil {
			continue // exited: released by its cleanup or rm
		}
		problems = append(problems, "a network namespace of a removed container: "+stringid.TruncateID(ent.Name()))
		if repair {
			e.teardownNetwork(ent.Name())
			repaired = append(repaired, "released the network namespace of "+stringid.TruncateID(ent.Name()))
		}
	}
	p, r := e.checkAttachments(running, repair)
	return append(problems, p...), append(repaired, r...), nil
}

// What burrow writes in the metadata of the storage containers it makes,
// so that its own can be told from podman's and buildah's.
const (
	storageKindContainer = "container"
	storageKindBuild     = "build"
)

// How old a storage container of burrow's without a record must be before
// Check calls it lost: a create takes seconds, a build step's COPY may
// take long.
var (
	orphanAge      = 10 * time.Minute
	buildOrphanAge = time.Hour
)

// storageMetadata marks a storage container as burrow's.
func storageMetadata(kind string) string {
	b, _ := json.Marshal(map[string]string{"burrow": kind})
	return string(b)
}

// storageKind reads the mark: "" for a container burrow did not make.
func storageKind(metadata string) string {
	var m map[string]any
	if json.Unmarshal([]byte(metadata), &m) != nil {
		return ""
	}
	k, _ := m["burrow"].(string)
	return k
}

func hasRecord(recs []*Record, id string) bool {
	for _, r := range recs {
		if r.ID == id {
			return true
		}
	}
	return false
}
