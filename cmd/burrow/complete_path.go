package main

import (
	"os"
	"path"
	"slices"
	"strings"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// pathCompletion completes toComplete, a path inside the root filesystem
// at root (an image's or a container's), as podman's does: the entries of
// the directory it names, else those of its parent that start with its
// last part, directories with a slash. The path is resolved inside root,
// links and ".." included, by openat2's scoped lookup: nothing typed
// ("../../", a link to /) reaches the host's files.
func pathCompletion(root, toComplete string) completion {
	if toComplete == "" {
		toComplete = "/"
	}
	typed, base := toComplete, ""
	dir, err := openDirInRoot(root, toComplete)
	if err != nil {
		// The typed path's own text is kept (not cleaned) so that the
		// candidates start with what the user typed.
		typed, base = path.Split(toComplete)
		if dir, err = openDirInRoot(root, typed); err != nil {
			return completion{directive: compDefault}
		}
	}
	defer dir.Close()
	entries, err := dir.ReadDir(-1)
	if err != nil {
		compErrorln(err)
		return completion{directive: compDefault}
	}
	slices.SortFunc(entries, func(a, b os.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	if len(entries) == 0 {
		// An empty directory: the slash, and no space after it.
		if !strings.HasSuffix(typed, "/") {
			typed += "/"
		}
		return completion{cands: []candidate{{value: typed}}, directive: compNoSpace}
	}
	var comp completion
	weight := 0 // a directory counts twice: after one, the user goes on typing
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), base) {
			continue
		}
		name := e.Name()
		if e.IsDir() {
			name += "/"
			weight++
		}
		weight++
		comp.cands = append(comp.cands, candidate{value: joinTyped(typed, name)})
	}
	if weight > 1 {
		comp.directive = compNoSpace
	}
	return comp
}

// openDirInRoot opens the directory p names inside root, read-only.
func openDirInRoot(root, p string) (*os.File, error) {
	handle, err := pathrs.OpenInRoot(root, p)
	if err != nil {
		return nil, err
	}
	defer handle.Close()
	return pathrs.Reopen(handle, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC)
}

// joinTyped appends name to the typed directory with one slash, without
// cleaning what the user typed ("../../" stays).
func joinTyped(dir, name string) string {
	if dir == "" || strings.HasSuffix(dir, "/") {
		return dir + name
	}
	return dir + "/" + name
}
