// Command hostiletar writes the hostile image layers the end-to-end tests
// pull (hack/testbed.sh): tar archives that try to write outside the
// directory they are unpacked in. Each entry names its own marker path, so
// a test can tell which trick worked if one ever does.
//
//	hostiletar OUT.tar MARKER_DIR
//
// MARKER_DIR is an absolute host directory the test user can write (its
// files must never appear).
package main

import (
	"archive/tar"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: hostiletar OUT.tar MARKER_DIR")
		os.Exit(2)
	}
	out, marker := os.Args[1], strings.TrimPrefix(filepath.Clean(os.Args[2]), "/")
	f, err := os.Create(out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tw := tar.NewWriter(f)
	now := time.Unix(0, 0)
	up := strings.Repeat("../", 12)
	entries := []tar.Header{
		// 1. A path climbing out of the layer.
		{Name: up + marker + "/dotdot", Typeflag: tar.TypeReg, Mode: 0o644, Size: 7},
		// 2. An absolute symlink to the host directory, then a file
		//    written through it.
		{Name: "escape-link", Typeflag: tar.TypeSymlink, Linkname: "/" + marker, Mode: 0o777},
		{Name: "escape-link/through-symlink", Typeflag: tar.TypeReg, Mode: 0o644, Size: 7},
		// 3. A relative symlink climbing out, then a file through it.
		{Name: "rel-link", Typeflag: tar.TypeSymlink, Linkname: up + marker, Mode: 0o777},
		{Name: "rel-link/through-relative-symlink", Typeflag: tar.TypeReg, Mode: 0o644, Size: 7},
		// 4. A hard link to a file outside the layer, then a write to it.
		{Name: "hard", Typeflag: tar.TypeLink, Linkname: up + marker + "/hardlink-target", Mode: 0o644},
		// 5. An absolute file name.
		{Name: "/" + marker + "/absolute", Typeflag: tar.TypeReg, Mode: 0o644, Size: 7},
		// Something ordinary, so a contained unpack has content.
		{Name: "ordinary.txt", Typeflag: tar.TypeReg, Mode: 0o644, Size: 7},
	}
	for _, h := range entries {
		h.ModTime = now
		h.Format = tar.FormatPAX
		if err := tw.WriteHeader(&h); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if h.Size > 0 {
			tw.Write([]byte("escaped"))
		}
	}
	if err := tw.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f.Close()
}
