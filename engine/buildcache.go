package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	cstorage "go.podman.io/storage"
)

// BuildCacheDir is where `build` keeps its cache: one small file per step
// key naming the image the step made (build/cache.go).
func (e *Engine) BuildCacheDir() string { return filepath.Join(e.burrowDir(), "build-cache") }

// pruneBuildCache drops the cache entries whose image is gone, after
// images were removed: a removed image's steps are misses anyway, and
// their files would pile up.
func (e *Engine) pruneBuildCache() {
	s, err := e.store()
	if err != nil {
		return
	}
	dir := e.BuildCacheDir()
	ents, _ := os.ReadDir(dir)
	for _, ent := range ents {
		p := filepath.Join(dir, ent.Name())
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if _, err := s.Image(strings.TrimSpace(string(b))); err != nil {
			os.Remove(p)
		}
	}
}

// ForgetBuildCache drops every entry of the build cache, so that the next
// build runs each step again, and returns the step keys it dropped. The
// steps' images stay in the store, to be removed as images.
func (e *Engine) ForgetBuildCache() ([]string, error) {
	dir := e.BuildCacheDir()
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the build cache: %w", err)
	}
	var keys []string
	for _, ent := range ents {
		if err := os.Remove(filepath.Join(dir, ent.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return keys, fmt.Errorf("forgetting a build cache entry: %w", err)
		}
		if !strings.HasPrefix(ent.Name(), ".") { // .new-*: an entry being written
			keys = append(keys, ent.Name())
		}
	}
	return keys, nil
}

// buildSteps is the set of images the build cache names: the images of
// build steps.
func (e *Engine) buildSteps() map[string]bool {
	steps := map[string]bool{}
	ents, _ := os.ReadDir(e.BuildCacheDir())
	for _, ent := range ents {
		if b, err := os.ReadFile(filepath.Join(e.BuildCacheDir(), ent.Name())); err == nil {
			steps[strings.TrimSpace(string(b))] = true
		}
	}
	return steps
}

// layerChain is a layer and the layers below it, top first.
func layerChain(s cstorage.Store, top string) []string {
	var chain []string
	for id := top; id != "" && len(chain) < 1000; {
		chain = append(chain, id)
		l, err := s.Layer(id)
		if err != nil {
			break
		}
		id = l.Parent
	}
	return chain
}

// removeBuildParents deletes the build steps that an image just removed
// was made on (chain: its layers, top first) once nothing holds them: no
// name, no container, no other image on top of them, as dockerd deletes
// an image's untagged parents with it. It returns their IDs.
func (e *Engine) removeBuildParents(s cstorage.Store, chain []string) (removed []string) {
	steps := e.buildSteps()
	used := map[string]bool{}
	if ctrs, err := e.List(); err == nil {
		for _, c := range ctrs {
			used[c.ImageID] = true
		}
	}
	for {
		imgs, err := s.Images()
		if err != nil {
			return removed
		}
		victim := ""
		for _, layer := range chain {
			for i := range imgs {
				p := &imgs[i]
				if p.TopLayer == layer && steps[p.ID] && len(p.Names) == 0 && !used[p.ID] && !hasChild(s, p, imgs) {
					victim = p.ID
					break
				}
			}
			if victim != "" {
				break
			}
		}
		if victim == "" {
			return removed
		}
		if _, err := s.DeleteImage(victim, true); err != nil {
			return removed
		}
		removed = append(removed, victim)
	}
}

// hasChild tells whether another image is made on p: on its top layer or
// above it.
func hasChild(s cstorage.Store, p *cstorage.Image, imgs []cstorage.Image) bool {
	for i := range imgs {
		if imgs[i].ID != p.ID && slices.Contains(layerChain(s, imgs[i].TopLayer), p.TopLayer) {
			return true
		}
	}
	return false
}
