package engine

import (
	"errors"
	"fmt"
	"io/fs"
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
