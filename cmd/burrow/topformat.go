package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// topColumn is one format descriptor of top: podman's (psgo's) name and
// heading, and how a process shows in it.
type topColumn struct {
	heading string
	value   func(engine.Process) string
}

// topColumns are the descriptors burrow's top knows, by podman's names.
var topColumns = map[string]topColumn{
	"args":  {"COMMAND", func(p engine.Process) string { return p.Command }},
	"comm":  {"COMMAND", func(p engine.Process) string { return p.Comm }},
	"etime": {"ELAPSED", func(p engine.Process) string { return p.Elapsed.String() }},
	"hpid":  {"HPID", func(p engine.Process) string { return strconv.Itoa(p.HostPID) }},
	"pcpu":  {"%CPU", func(p engine.Process) string { return fmt.Sprintf("%.3f", p.CPU) }},
	"pid":   {"PID", func(p engine.Process) string { return strconv.Itoa(p.PID) }},
	"ppid":  {"PPID", func(p engine.Process) string { return strconv.Itoa(p.PPID) }},
	"state": {"STATE", func(p engine.Process) string { return p.State }},
	"time":  {"TIME", func(p engine.Process) string { return p.Time.String() }},
	"tty":   {"TTY", func(p engine.Process) string { return p.TTY }},
	"user":  {"USER", func(p engine.Process) string { return p.User }},
	// The host's view, for a container's top (podman's huser, hgroup),
	// and the container's group.
	"huser":  {"HUSER", func(p engine.Process) string { return p.HostUser }},
	"group":  {"GROUP", func(p engine.Process) string { return p.Group }},
	"hgroup": {"HGROUP", func(p engine.Process) string { return p.HostGroup }},
}

// defaultTopDescriptors are podman's columns when none are given.
var defaultTopDescriptors = []string{"user", "pid", "ppid", "pcpu", "etime", "tty", "time", "args"}

// parseTopDescriptors reads top's descriptors, each argument one or more
// separated by commas, as podman's; none gives podman's default columns.
func parseTopDescriptors(args []string) ([]topColumn, error) {
	var names []string
	for _, a := range args {
		names = append(names, strings.Split(a, ",")...)
	}
	if len(names) == 0 {
		names = defaultTopDescriptors
	}
	cols := make([]topColumn, 0, len(names))
	for _, n := range names {
		c, ok := topColumns[strings.TrimSpace(n)]
		if !ok {
			return nil, errdefs.Invalid(fmt.Errorf("'%s': unknown descriptor (burrow knows args, comm, etime, group, hgroup, hpid, huser, pcpu, pid, ppid, state, time, tty, user)", strings.Join(args, " ")))
		}
		cols = append(cols, c)
	}
	return cols, nil
}

// topTable writes processes as a table of cols.
type topTable struct {
	w    *tabwriter.Writer
	cols []topColumn
	seen map[int]bool // host PIDs listed: a pod's containers may share a PID namespace
}

func newTopTable(out io.Writer, cols []topColumn) *topTable {
	t := &topTable{w: tabwriter.NewWriter(out, 0, 0, 2, ' ', 0), cols: cols, seen: map[int]bool{}}
	var head []string
	for _, c := range cols {
		head = append(head, c.heading)
	}
	fmt.Fprintln(t.w, strings.Join(head, "\t"))
	return t
}

func (t *topTable) add(procs []engine.Process) {
	for _, p := range procs {
		if t.seen[p.HostPID] {
			continue
		}
		t.seen[p.HostPID] = true
		var row []string
		for _, c := range t.cols {
			row = append(row, c.value(p))
		}
		fmt.Fprintln(t.w, strings.Join(row, "\t"))
	}
}

func (t *topTable) flush() error { return t.w.Flush() }
