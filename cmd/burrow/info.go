package main

import (
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/burrow-containers/burrow/engine"
)

// InfoCmd is `burrow info`.
type InfoCmd struct {
	Format string `short:"f" help:"Output format: json."`
}

type infoReport struct {
	Host  engine.HostInfo  `json:"host"`
	Store engine.StoreInfo `json:"store"`
}

// Run prints the report.
func (i *InfoCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	store, err := eng.StoreInfo()
	if err != nil {
		return err
	}
	rep := infoReport{Host: eng.Host(), Store: store}
	if i.Format == "json" || i.Format == "{{json .}}" {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	if i.Format != "" {
		return invalidf("unsupported --format %q: use json", i.Format)
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	h := rep.Host
	fmt.Fprintf(w, "host:\n")
	fmt.Fprintf(w, "  arch:\t%s\n  kernel:\t%s\n  rootless:\t%v\n", h.Arch, h.Kernel, h.Security.Rootless)
	for _, m := range h.IDMappings.UIDMap {
		fmt.Fprintf(w, "  uidmap:\t%d -> %d (%d)\n", m.ContainerID, m.HostID, m.Size)
	}
	for _, m := range h.IDMappings.GIDMap {
		fmt.Fprintf(w, "  gidmap:\t%d -> %d (%d)\n", m.ContainerID, m.HostID, m.Size)
	}
	fmt.Fprintf(w, "  cgroupVersion:\t%s\n  cgroupManager:\t%s\n  networkBackend:\t%s\n", h.CgroupVersion, h.CgroupManager, h.NetworkBackend)
	for _, hp := range h.Helpers {
		fmt.Fprintf(w, "  helper %s:\t%s %s\n", hp.Name, hp.Path, hp.Version)
	}
	s := rep.Store
	fmt.Fprintf(w, "store:\n  graphDriverName:\t%s\n  graphRoot:\t%s\n  runRoot:\t%s\n  imageCount:\t%d\n", s.GraphDriverName, s.GraphRoot, s.RunRoot, s.ImageCount)
	return w.Flush()
}
