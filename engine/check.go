package engine

import (
	"fmt"
	"os"
	"path/filepath"

	cstorage "go.podman.io/storage"
)

// Check looks for damage in the store and in burrow's own state, as
// `podman system check` does: layers, images and containers the store
// reports broken, container records whose storage is gone, and network
// namespaces no container runs in. With repair, it removes what is broken.
func (e *Engine) Check(repair bool) (problems, repaired []string, err error) {
	s, err := e.Store()
	if err != nil {
		return nil, nil, err
	}
	report, err := s.Check(&cstorage.CheckOptions{LayerData: true, ImageData: true, ContainerData: true})
	if err != nil {
		return nil, nil, fmt.Errorf("checking the store: %w", err)
	}
	for id, errs := range report.Layers {
		problems = append(problems, fmt.Sprintf("layer %s: %v", short(id), errs))
	}
	for id, errs := range report.Images {
		problems = append(problems, fmt.Sprintf("image %s: %v", short(id), errs))
	}
	for id, errs := range report.Containers {
		problems = append(problems, fmt.Sprintf("storage container %s: %v", short(id), errs))
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
				problems = append(problems, fmt.Sprintf("container %s (%s): its storage is gone", r.Name, short(r.ID)))
				if repair {
					os.RemoveAll(e.runDir(r.ID))
					os.RemoveAll(e.ctrDir(r.ID))
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
	ents, _ := os.ReadDir(filepath.Dir(e.netnsPath("x")))
	for _, ent := range ents {
		if running[ent.Name()] {
			continue
		}
		if _, err := e.readRecord(ent.Name()); err == nil {
			continue // exited: released by its cleanup or rm
		}
		problems = append(problems, "a network namespace of a removed container: "+short(ent.Name()))
		if repair {
			e.teardownNetwork(ent.Name())
			repaired = append(repaired, "released the network namespace of "+short(ent.Name()))
		}
	}
	return problems, repaired, nil
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
