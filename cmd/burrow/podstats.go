package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"text/template"
	"time"

	units "github.com/docker/go-units"
	"go.podman.io/storage/pkg/stringid"

	"github.com/burrow-containers/burrow/engine"
)

// PodStatsCmd is `burrow pod stats`.
type PodStatsCmd struct {
	All      bool     `short:"a" help:"Every pod (the default without names)."`
	Latest   bool     `short:"l" help:"The pod created last."`
	NoStream bool     `name:"no-stream" help:"Print once and exit."`
	NoReset  bool     `name:"no-reset" help:"Do not clear the screen between updates (burrow never does)."`
	Format   string   `help:"Go template (podman's fields: .Pod .CID .Name .CPU .MemUsage .MemUsageBytes .Mem .NetIO .BlockIO .PIDS), table TEMPLATE for a heading, or json."`
	Pods     []string `arg:"" optional:"" name:"pod" help:"Pods (default: all)."`
}

// podStatsReport is a running container of a pod as podman's pod stats
// shows it: its PodStatsReport, strings as podman writes them (and its
// keys in JSON).
type podStatsReport struct {
	CPU, MemUsage, MemUsageBytes, Mem, NetIO, BlockIO, PIDS, Pod, CID, Name string
}

// podStatsHeadings are podman's column names for the fields of a table
// template.
var podStatsHeadings = map[string]string{
	"CPU": "CPU %", "MemUsage": "MEM USAGE/ LIMIT", "MemUsageBytes": "MEM USAGE/ LIMIT", "Mem": "MEM %",
	"NetIO": "NET IO", "BlockIO": "BLOCK IO", "PIDS": "PIDS", "Pod": "POD", "CID": "CID", "Name": "NAME",
}

const podStatsDefault = "{{.Pod}}\t{{.CID}}\t{{.Name}}\t{{.CPU}}\t{{.MemUsage}}\t{{.Mem}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDS}}"

func newPodStatsReport(pod string, st engine.Stat) podStatsReport {
	percent := func(f float64) string {
		if s := strconv.FormatFloat(f, 'f', 2, 64); s != "0.00" {
			return s + "%"
		}
		return "--"
	}
	pair := func(a, b uint64, size func(float64) string) string {
		if a == 0 && b == 0 {
			return "-- / --"
		}
		return size(float64(a)) + " / " + size(float64(b))
	}
	r := podStatsReport{
		CPU: percent(st.CPUPercent), Mem: "--", PIDS: "--", Pod: stringid.TruncateID(pod), CID: stringid.TruncateID(st.ID), Name: st.Name,
		NetIO: pair(st.NetInput, st.NetOutput, units.HumanSize), BlockIO: pair(st.BlockInput, st.BlockOutput, units.HumanSize),
		// burrow reads no limit as unlimited, where podman shows the host's memory.
		MemUsage: units.HumanSize(float64(st.MemUsage)) + " / unlimited", MemUsageBytes: units.BytesSize(float64(st.MemUsage)) + " / unlimited",
	}
	if st.MemLimit > 0 {
		r.MemUsage = pair(st.MemUsage, st.MemLimit, units.HumanSize)
		r.MemUsageBytes = pair(st.MemUsage, st.MemLimit, units.BytesSize)
		r.Mem = percent(100 * float64(st.MemUsage) / float64(st.MemLimit))
	}
	if st.Pids > 0 {
		r.PIDS = strconv.FormatUint(st.Pids, 10)
	}
	return r
}

// Run prints the resource use of the pods' running containers, every
// second until interrupted unless --no-stream.
func (c *PodStatsCmd) Run(g *globals) error {
	format, table := podFormat(c.Format), c.Format == ""
	if format == "" {
		format = podStatsDefault
	} else if f, ok := strings.CutPrefix(format, "table "); ok {
		format, table = f, true
	}
	var tmpl *template.Template
	if format != "json" {
		var err error
		if tmpl, err = template.New("format").Funcs(templateFuncs).Parse(format + "\n"); err != nil {
			return invalidf("invalid --format template: %v", err)
		}
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	for {
		reports, err := c.reports(eng)
		if err != nil {
			return err
		}
		if tmpl == nil {
			b, _ := json.MarshalIndent(reports, "", "  ")
			fmt.Println(string(b))
		} else if err := printPodStats(tmpl, format, table, c.Format == "", reports); err != nil {
			return err
		}
		if c.NoStream {
			return nil
		}
		fmt.Println()
	}
}

// reports measures the running containers of the selected pods.
func (c *PodStatsCmd) reports(eng *engine.Engine) ([]podStatsReport, error) {
	sel := podSelection{All: c.All || !c.Latest && len(c.Pods) == 0, Latest: c.Latest, Pods: c.Pods}
	names, err := sel.names(eng, false)
	if err != nil {
		return nil, err
	}
	var ctrs []*engine.Container
	podOf := map[string]string{}
	if err := eachPod(eng, names, func(p *engine.Pod) error {
		for _, ctr := range p.Containers {
			if ctr.Running() {
				ctrs = append(ctrs, ctr)
				podOf[ctr.ID] = p.ID
			}
		}
		return nil
	}); err != nil {
		return nil, err
	}
	reports := []podStatsReport{}
	for _, st := range eng.Stats(ctrs, time.Second) {
		reports = append(reports, newPodStatsReport(podOf[st.ID], st))
	}
	return reports, nil
}

// printPodStats prints the reports through tmpl, under a heading for a
// table; the default table shows a row of -- when nothing runs, as
// podman's.
func printPodStats(tmpl *template.Template, format string, table, isDefault bool, reports []podStatsReport) error {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	if table {
		fmt.Fprintln(w, podTableHeading(format, podStatsHeadings))
	}
	if isDefault && len(reports) == 0 {
		fmt.Fprintln(w, strings.TrimSuffix(strings.Repeat("--\t", 9), "\t"))
	}
	for _, r := range reports {
		if err := tmpl.Execute(w, r); err != nil {
			return invalidf("--format: %v", err)
		}
	}
	return w.Flush()
}
