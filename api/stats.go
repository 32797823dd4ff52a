package api

import (
	"encoding/json"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/moby/moby/api/types/container"

	"github.com/burrow-containers/burrow/engine"
)

func (s *Server) containerStats(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	// docker stats streams (the default); --no-stream asks stream=false,
	// newer clients one-shot=true.
	stream := r.URL.Query().Get("stream") == "" || boolParam(r, "stream")
	if boolParam(r, "one-shot") {
		stream = false
	}
	var pre *container.StatsResponse
	sample := func() *container.StatsResponse {
		st := s.Engine.Stats([]*engine.Container{c}, 0)[0]
		cur := statsResponse(c, st, time.Now(), hostCPU{systemNs: systemCPUNs(), online: uint32(runtime.NumCPU())}, pre)
		pre = cur
		return cur
	}
	if !stream {
		// One sample with a CPU figure over a short interval.
		sample()
		time.Sleep(100 * time.Millisecond)
		writeJSON(w, http.StatusOK, sample())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	flusher, _ := w.(http.Flusher)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		if err := enc.Encode(sample()); err != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
		cur, err := s.Engine.Get(c.ID)
		if err != nil || !cur.Running() {
			return
		}
		c = cur
	}
}

// hostCPU is the host's side of a CPU sample: its CPU time, all CPUs,
// and how many there are.
type hostCPU struct {
	systemNs uint64
	online   uint32
}

// statsResponse is one sample of GET /containers/{id}/stats, with the
// previous one (nil for the first) as its pre-sample, which docker stats
// computes its CPU percentage from.
func statsResponse(c *engine.Container, st engine.Stat, now time.Time, host hostCPU, pre *container.StatsResponse) *container.StatsResponse {
	out := &container.StatsResponse{
		ID: c.ID, Name: "/" + c.Name, Read: now.UTC(),
		PidsStats:   container.PidsStats{Current: st.Pids, Limit: st.PidsLimit},
		MemoryStats: container.MemoryStats{Usage: st.MemUsage, Limit: memLimit(st.MemLimit)},
		CPUStats: container.CPUStats{
			CPUUsage:    container.CPUUsage{TotalUsage: st.CPUTotalNs},
			SystemUsage: host.systemNs, OnlineCPUs: host.online,
		},
		BlkioStats: container.BlkioStats{IoServiceBytesRecursive: []container.BlkioStatEntry{
			{Op: "read", Value: st.BlockInput}, {Op: "write", Value: st.BlockOutput},
		}},
		Networks: map[string]container.NetworkStats{"eth0": {RxBytes: st.NetInput, TxBytes: st.NetOutput}},
	}
	if pre != nil {
		out.PreRead, out.PreCPUStats = pre.Read, pre.CPUStats
	}
	return out
}

// memLimit is the memory limit as docker reports it: the host's memory
// when the container has none.
func memLimit(limit uint64) uint64 {
	if limit != 0 {
		return limit
	}
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) == nil {
		return uint64(si.Totalram) * uint64(si.Unit)
	}
	return 0
}

// systemCPUNs is the host's CPU time, all CPUs, in nanoseconds (the first
// line of /proc/stat, in USER_HZ ticks of 10 ms).
func systemCPUNs() uint64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	var total uint64
	for _, f := range strings.Fields(line)[1:] {
		n, _ := strconv.ParseUint(f, 10, 64)
		total += n
	}
	return total * 10_000_000
}
