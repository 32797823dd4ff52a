package main

import (
	"strings"
)

// CpCmd is `burrow cp`.
type CpCmd struct {
	Src string `arg:"" help:"CONTAINER:PATH or a host path."`
	Dst string `arg:"" help:"CONTAINER:PATH or a host path."`
}

// splitCopyArg tells CONTAINER:PATH from a host path (which may hold a
// colon only after a slash, as in docker cp).
func splitCopyArg(s string) (ctr, path string) {
	if i := strings.IndexByte(s, ':'); i > 0 && !strings.Contains(s[:i], "/") && !strings.HasPrefix(s, ".") {
		return s[:i], s[i+1:]
	}
	return "", s
}

// Run copies between the container and the host.
func (c *CpCmd) Run(g *globals) error {
	sc, sp := splitCopyArg(c.Src)
	dc, dp := splitCopyArg(c.Dst)
	if (sc == "") == (dc == "") {
		return invalidf("burrow cp copies between a container and the host: one of the two must be CONTAINER:PATH")
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	if sc != "" {
		ctr, err := eng.Get(sc)
		if err != nil {
			return err
		}
		return eng.CopyFrom(ctr, sp, dp)
	}
	ctr, err := eng.Get(dc)
	if err != nil {
		return err
	}
	return eng.CopyTo(ctr, sp, dp)
}
