package main

import (
	"os"
	"strings"

	"github.com/burrow-containers/burrow/engine"
)

// CpCmd is `burrow cp`.
type CpCmd struct {
	Archive   bool   `short:"a" default:"true" negatable:"" help:"Chown copied files to the primary uid/gid of the destination container (-a=false keeps the source's)."`
	Pause     bool   `default:"true" negatable:"" help:"Accepted for podman (burrow copies without pausing the container)."`
	Overwrite bool   `help:"Allow a directory to replace a non-directory and a non-directory a directory."`
	Src       string `arg:"" help:"CONTAINER:PATH, a host path, or - for a tar archive on stdin."`
	Dst       string `arg:"" help:"CONTAINER:PATH, a host path, or - for a tar archive on stdout."`
}

// splitCopyArg tells CONTAINER:PATH from a host path (which may hold a
// colon only after a slash, as in docker cp).
func splitCopyArg(s string) (ctr, path string) {
	if i := strings.IndexByte(s, ':'); i > 0 && !strings.Contains(s[:i], "/") && !strings.HasPrefix(s, ".") {
		return s[:i], s[i+1:]
	}
	return "", s
}

// Run copies between containers and the host, or a tar archive on
// stdin or stdout.
func (c *CpCmd) Run(g *globals) error {
	sc, sp := splitCopyArg(c.Src)
	dc, dp := splitCopyArg(c.Dst)
	if sc == "" && dc == "" {
		return invalidf("burrow cp copies to or from a container: one of the two must be CONTAINER:PATH")
	}
	opts := engine.CopyOptions{Archive: c.Archive, Overwrite: c.Overwrite}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	var from, to *engine.Container
	if sc != "" {
		if from, err = eng.Get(sc); err != nil {
			return err
		}
	}
	if dc != "" {
		if to, err = eng.Get(dc); err != nil {
			return err
		}
	}
	switch {
	case from != nil && to != nil:
		return eng.CopyBetween(from, sp, to, dp, opts)
	case from != nil && dp == "-":
		return eng.CopyFromTar(from, sp, os.Stdout)
	case from != nil:
		return eng.CopyFrom(from, sp, dp, opts)
	case sp == "-":
		return eng.CopyTarTo(to, os.Stdin, dp, opts)
	}
	return eng.CopyTo(to, sp, dp, opts)
}
