package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
)

// psNamespaces are a running container's namespaces as ps --ns shows
// them: the inode number of each, podman's names.
type psNamespaces struct {
	Cgroup string `json:"Cgroup,omitempty"`
	IPC    string `json:"IPC,omitempty"`
	MNT    string `json:"MNT,omitempty"`
	NET    string `json:"NET,omitempty"`
	PIDNS  string `json:"PIDNS,omitempty"`
	User   string `json:"User,omitempty"`
	UTS    string `json:"UTS,omitempty"`
}

// namespacesOf reads the namespaces of process pid (none when it is gone).
func namespacesOf(pid int) *psNamespaces {
	inode := func(kind string) string {
		link, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, kind))
		if err != nil {
			return ""
		}
		_, rest, _ := strings.Cut(link, "[")
		return strings.TrimSuffix(rest, "]")
	}
	return &psNamespaces{
		Cgroup: inode("cgroup"), IPC: inode("ipc"), MNT: inode("mnt"), NET: inode("net"),
		PIDNS: inode("pid"), User: inode("user"), UTS: inode("uts"),
	}
}

// nsTable prints ps --ns's columns.
func (p *PsCmd) nsTable(rows []psRow) {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	if !p.Noheading {
		fmt.Fprintln(w, "CONTAINER ID\tNAMES\tPID\tCGROUPNS\tIPC\tMNT\tNET\tPIDNS\tUSERNS\tUTS")
	}
	for _, r := range rows {
		t := r.template()
		ns := t.Namespaces
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Names, t.Pid, ns.Cgroup, ns.IPC, ns.MNT, ns.NET, ns.PIDNS, ns.User, ns.UTS)
	}
	w.Flush()
}
