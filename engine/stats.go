package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/limits"
)

// Stat is a container's resource use, as `burrow stats` shows it.
type Stat struct {
	ID          string  `json:"id"`
	Name        string  `json:"name"`
	CPUPercent  float64 `json:"cpu_percent"`
	CPUTotalNs  uint64  `json:"-"` // CPU time used since the start, for the Docker API
	PidsLimit   uint64  `json:"-"` // 0: unlimited
	MemUsage    uint64  `json:"mem_usage"`
	MemLimit    uint64  `json:"mem_limit"` // 0: unlimited
	Pids        uint64  `json:"pids"`
	NetInput    uint64  `json:"net_input"`
	NetOutput   uint64  `json:"net_output"`
	BlockInput  uint64  `json:"block_input"`
	BlockOutput uint64  `json:"block_output"`
}

func readUint(path string) uint64 {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	return n
}

func cpuUsec(cg string) uint64 {
	b, _ := os.ReadFile(filepath.Join(cg, "cpu.stat"))
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "usage_usec" {
			n, _ := strconv.ParseUint(f[1], 10, 64)
			return n
		}
	}
	return 0
}

// Stats samples the containers' cgroups over interval (for CPU %), and
// their network namespaces' counters.
func (e *Engine) Stats(ctrs []*Container, interval time.Duration) []Stat {
	before := map[string]uint64{}
	for _, c := range ctrs {
		before[c.ID] = cpuUsec(c.State.Cgroup)
	}
	start := time.Now()
	if interval > 0 {
		time.Sleep(interval)
	}
	elapsed := time.Since(start)
	var out []Stat
	for _, c := range ctrs {
		st := Stat{ID: c.ID, Name: c.Name}
		if cg := c.State.Cgroup; cg != "" {
			usec := cpuUsec(cg)
			st.CPUTotalNs = usec * 1000
			if interval > 0 {
				st.CPUPercent = 100 * float64(usec-before[c.ID]) / float64(max(1, elapsed.Microseconds()))
			}
			st.PidsLimit = readUint(filepath.Join(cg, "pids.max"))
			st.MemUsage = readUint(filepath.Join(cg, "memory.current"))
			st.MemLimit = readUint(filepath.Join(cg, "memory.max")) // "max" reads as 0
			st.Pids = readUint(filepath.Join(cg, "pids.current"))
			b, _ := os.ReadFile(filepath.Join(cg, "io.stat"))
			for _, f := range strings.Fields(string(b)) {
				if v, ok := strings.CutPrefix(f, "rbytes="); ok {
					n, _ := strconv.ParseUint(v, 10, 64)
					st.BlockInput += n
				}
				if v, ok := strings.CutPrefix(f, "wbytes="); ok {
					n, _ := strconv.ParseUint(v, 10, 64)
					st.BlockOutput += n
				}
			}
		}
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/net/dev", c.State.Pid))
		for _, l := range strings.Split(string(b), "\n") {
			name, rest, ok := strings.Cut(l, ":")
			if !ok || strings.TrimSpace(name) == "lo" {
				continue
			}
			f := strings.Fields(rest)
			if len(f) >= 9 {
				rx, _ := strconv.ParseUint(f[0], 10, 64)
				tx, _ := strconv.ParseUint(f[8], 10, 64)
				st.NetInput += rx
				st.NetOutput += tx
			}
		}
		out = append(out, st)
	}
	return out
}

// Update changes a running container's limits and records them.
func (e *Engine) Update(ctr *Container, l limits.Limits) error {
	if !ctr.Running() {
		return errdefs.Conflict(fmt.Errorf("can only update running containers: %s is %s", ctr.Name, ctr.State.Status))
	}
	m := e.Limits(ctr.Config.CgroupManager)
	if ctr.State.Cgroup == "" {
		why := m.Why()
		if why == "" {
			why = "it was started without one"
		}
		return errdefs.Unavailable(fmt.Errorf("%s runs without a cgroup of its own (%s): its limits cannot change", ctr.Name, why))
	}
	// Swap counts memory plus swap: without a new -m it is the recorded one.
	if l.MemorySwap > 0 && l.Memory == 0 {
		if l.Memory = ctr.Config.Limits.Memory; l.Memory == 0 {
			return errdefs.Invalid(fmt.Errorf("--memory-swap counts memory plus swap and %s has no memory limit: give -m too", ctr.Name))
		}
		if l.MemorySwap < l.Memory {
			return errdefs.Invalid(fmt.Errorf("--memory-swap %d is less than the memory limit of %s (%d): it counts memory plus swap", l.MemorySwap, ctr.Name, l.Memory))
		}
	}
	if err := m.Update(ctr.ID, ctr.State.Cgroup, l); err != nil {
		return err
	}
	return e.changeRecord(ctr.ID, func(r *Record) { merge(&r.Config.Limits, l) })
}

// merge sets in dst what src sets.
func merge(dst *limits.Limits, src limits.Limits) {
	if src.Memory != 0 {
		dst.Memory = src.Memory
	}
	if src.MemorySwap != 0 {
		dst.MemorySwap = src.MemorySwap
	}
	if src.CPUs != 0 {
		dst.CPUs = src.CPUs
	}
	if src.PidsLimit != 0 {
		dst.PidsLimit = src.PidsLimit
	}
	if src.CPUShares != 0 {
		dst.CPUShares = src.CPUShares
	}
	if src.CpusetCpus != "" {
		dst.CpusetCpus = src.CpusetCpus
	}
}

// SetRestartPolicy changes the container's restart policy (podman's and
// docker's update --restart); it applies from the container's next exit.
func (e *Engine) SetRestartPolicy(ctr *Container, policy string, max int) error {
	if policy != "" && ctr.Config.Remove {
		return errdefs.Invalid(fmt.Errorf("%s is removed at its exit (--rm): it cannot have a restart policy", ctr.Name))
	}
	err := e.changeRecord(ctr.ID, func(r *Record) { r.Config.Restart, r.Config.RestartMax = policy, max })
	if err != nil {
		return err
	}
	ctr.Config.Restart, ctr.Config.RestartMax = policy, max
	return nil
}
