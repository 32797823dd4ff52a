package engine

import (
	"os"
	"path/filepath"
	"strings"
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
