package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	units "github.com/docker/go-units"
	"go.podman.io/storage/pkg/stringid"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/limits"
)

// limitFlags are podman's resource flags, shared by run, create and update.
type limitFlags struct {
	Memory            string   `short:"m" name:"memory" help:"Memory limit (e.g. 512m)."`
	MemorySwap        string   `name:"memory-swap" help:"Memory plus swap limit (-1: unlimited swap)."`
	MemoryReservation string   `name:"memory-reservation" help:"Memory soft limit."`
	CPUs              float64  `name:"cpus" help:"Number of CPUs (e.g. 1.5)."`
	CPUShares         uint64   `short:"c" name:"cpu-shares" help:"CPU shares (relative weight, 2..262144)."`
	CPUQuota          int64    `name:"cpu-quota" help:"CPU time per period, microseconds."`
	CPUPeriod         uint64   `name:"cpu-period" help:"CPU period, microseconds (default 100000)."`
	CpusetCpus        string   `name:"cpuset-cpus" help:"CPUs to run on (0-3,5)."`
	CpusetMems        string   `name:"cpuset-mems" help:"Memory nodes to use (0-1)."`
	PidsLimit         *int64   `name:"pids-limit" help:"Most processes the container may have (default 2048 where pids is delegated; -1: unlimited)."`
	BlkioWeight       uint16   `name:"blkio-weight" help:"Block IO weight (10..1000)."`
	DeviceReadBps     []string `name:"device-read-bps" sep:"none" help:"Limit read rate from a device: /dev/sda:10m."`
	DeviceWriteBps    []string `name:"device-write-bps" sep:"none" help:"Limit write rate to a device: /dev/sda:10m."`
	DeviceReadIOps    []string `name:"device-read-iops" sep:"none" help:"Limit read operations: /dev/sda:1000."`
	DeviceWriteIOps   []string `name:"device-write-iops" sep:"none" help:"Limit write operations: /dev/sda:1000."`
}

func (f limitFlags) limits() (limits.Limits, error) {
	var l limits.Limits
	var err error
	size := func(s string) (int64, error) {
		if s == "" {
			return 0, nil
		}
		if s == "-1" {
			return -1, nil
		}
		return limits.ParseBytes(s)
	}
	if l.Memory, err = size(f.Memory); err != nil {
		return l, err
	}
	if l.MemorySwap, err = size(f.MemorySwap); err != nil {
		return l, err
	}
	if l.MemoryReservation, err = size(f.MemoryReservation); err != nil {
		return l, err
	}
	if l.MemorySwap > 0 && l.Memory > 0 && l.MemorySwap < l.Memory {
		return l, invalidf("--memory-swap %s is less than --memory %s: it counts memory plus swap", f.MemorySwap, f.Memory)
	}
	if f.CPUs < 0 {
		return l, invalidf("--cpus must be positive")
	}
	if f.BlkioWeight != 0 && (f.BlkioWeight < 10 || f.BlkioWeight > 1000) {
		return l, invalidf("--blkio-weight must be between 10 and 1000")
	}
	l.CPUs, l.CPUShares, l.CPUQuota, l.CPUPeriod = f.CPUs, f.CPUShares, f.CPUQuota, f.CPUPeriod
	l.CpusetCpus, l.CpusetMems, l.BlkioWeight = f.CpusetCpus, f.CpusetMems, f.BlkioWeight
	if f.PidsLimit != nil {
		l.PidsLimit = *f.PidsLimit
		if l.PidsLimit == 0 {
			l.PidsLimit = -1
		}
	}
	for _, x := range []struct {
		in    []string
		out   *[]limits.Throttle
		bytes bool
	}{{f.DeviceReadBps, &l.DeviceReadBps, true}, {f.DeviceWriteBps, &l.DeviceWriteBps, true},
		{f.DeviceReadIOps, &l.DeviceReadIOps, false}, {f.DeviceWriteIOps, &l.DeviceWriteIOps, false}} {
		for _, s := range x.in {
			t, err := limits.ParseThrottle(s, x.bytes)
			if err != nil {
				return l, err
			}
			*x.out = append(*x.out, t)
		}
	}
	return l, nil
}

// UpdateCmd is `burrow update`.
type UpdateCmd struct {
	limitFlags
	Containers []string `arg:"" name:"container" help:"Containers to update."`
}

// Run changes the limits of running containers.
func (u *UpdateCmd) Run(g *globals) error {
	l, err := u.limits()
	if err != nil {
		return err
	}
	if !l.Requested() {
		return invalidf("give at least one limit to change (e.g. -m 512m)")
	}
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	return eachContainer(eng, u.Containers, func(c *engine.Container, given string) error {
		if err := eng.Update(c, l); err != nil {
			return err
		}
		fmt.Println(c.ID)
		return nil
	})
}

// StatsCmd is `burrow stats`.
type StatsCmd struct {
	NoStream   bool     `name:"no-stream" help:"Print once and exit."`
	Format     string   `help:"json for JSON output."`
	Containers []string `arg:"" optional:"" name:"container" help:"Containers (default: all running)."`
}

// Run prints resource use.
func (s *StatsCmd) Run(g *globals) error {
	eng, err := openEngine()
	if err != nil {
		return err
	}
	defer eng.Close()
	for {
		var ctrs []*engine.Container
		if len(s.Containers) == 0 {
			all, err := eng.List()
			if err != nil {
				return err
			}
			for _, c := range all {
				if c.Running() {
					ctrs = append(ctrs, c)
				}
			}
		} else {
			for _, n := range s.Containers {
				c, err := eng.Get(n)
				if err != nil {
					return err
				}
				ctrs = append(ctrs, c)
			}
		}
		stats := eng.Stats(ctrs, time.Second)
		if s.Format == "json" {
			b, _ := json.MarshalIndent(stats, "", "  ")
			fmt.Println(string(b))
		} else {
			w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(w, "ID\tNAME\tCPU %\tMEM USAGE / LIMIT\tMEM %\tNET IO\tBLOCK IO\tPIDS")
			for _, st := range stats {
				limit, pct := "unlimited", "--"
				if st.MemLimit > 0 {
					limit = units.BytesSize(float64(st.MemLimit))
					pct = strconv.FormatFloat(100*float64(st.MemUsage)/float64(st.MemLimit), 'f', 2, 64) + "%"
				}
				fmt.Fprintf(w, "%s\t%s\t%.2f%%\t%s / %s\t%s\t%s / %s\t%s / %s\t%d\n", stringid.TruncateID(st.ID), st.Name, st.CPUPercent,
					units.BytesSize(float64(st.MemUsage)), limit, pct,
					units.HumanSize(float64(st.NetInput)), units.HumanSize(float64(st.NetOutput)),
					units.HumanSize(float64(st.BlockInput)), units.HumanSize(float64(st.BlockOutput)), st.Pids)
			}
			w.Flush()
		}
		if s.NoStream {
			return nil
		}
		fmt.Print(strings.Repeat("\n", 1))
	}
}
