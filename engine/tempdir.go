package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	cstorage "go.podman.io/storage"
)

// Temporary files of image copies (a pull's layers before they are in the
// store, a load's archive, a build step's spool) live beside the store, in
// GRAPHROOT/burrow/tmp/PID-START, one directory per burrow process, not in
// /var/tmp: a process killed mid-pull leaves its directory where the next
// one finds it and removes it (its PID is gone or reused), and `system
// doctor` reports and repairs what is left.

func (e *Engine) tempRoot() string { return filepath.Join(e.burrowDir(), "tmp") }

// tempDir is this process's temporary directory, made on first use, when
// the directories of dead processes are removed, and made again when it is
// gone: a long-lived `system service` outlives a `system reset` (burrow's
// or podman's) that removes the whole store.
func (e *Engine) tempDir() (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tmp != "" {
		if _, err := os.Stat(e.tmp); err == nil {
			return e.tmp, nil
		}
	}
	root := e.tempRoot()
	e.sweepTemp()
	dir := filepath.Join(root, strconv.Itoa(os.Getpid())+"-"+strconv.FormatUint(procStart(os.Getpid()), 10))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("creating a temporary directory beside the store: %w", err)
	}
	e.tmp = dir
	return dir, nil
}

// StaleTemp lists the temporary directories of burrow processes that are
// gone (killed mid-copy), with their sizes.
func (e *Engine) StaleTemp() (dirs []string, bytes int64) {
	ents, _ := os.ReadDir(e.tempRoot())
	for _, ent := range ents {
		if tempOwnerAlive(ent.Name()) {
			continue
		}
		p := filepath.Join(e.tempRoot(), ent.Name())
		dirs = append(dirs, p)
		filepath.WalkDir(p, func(_ string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if info, err := d.Info(); err == nil {
					bytes += info.Size()
				}
			}
			return nil
		})
	}
	return dirs, bytes
}

// sweepTemp removes the temporary directories of dead processes.
func (e *Engine) sweepTemp() {
	dirs, _ := e.StaleTemp()
	for _, d := range dirs {
		os.RemoveAll(d)
	}
}

// RepairTemp is sweepTemp for `system doctor --repair`.
func (e *Engine) RepairTemp() { e.sweepTemp() }

// tempOwnerAlive tells whether the process a temporary directory is named
// for (PID-START) still runs.
func tempOwnerAlive(name string) bool {
	p, s, ok := strings.Cut(name, "-")
	pid, err1 := strconv.Atoi(p)
	start, err2 := strconv.ParseUint(s, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return false
	}
	return pid == os.Getpid() || procStart(pid) == start
}

// imageStore is the store, and o with this process's temporary
// directory, for an image operation.
func (e *Engine) imageStore(o PullOptions) (cstorage.Store, PullOptions, error) {
	o, err := e.imageOpts(o)
	if err != nil {
		return nil, o, err
	}
	s, err := e.store()
	return s, o, err
}

// imageOpts are o with this process's temporary directory.
func (e *Engine) imageOpts(o PullOptions) (PullOptions, error) {
	if o.TempDir == "" {
		dir, err := e.tempDir()
		if err != nil {
			return o, err
		}
		o.TempDir = dir
	}
	return o, nil
}
