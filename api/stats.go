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
	var pre map[string]any
	sample := func() map[string]any {
		st := s.Engine.Stats([]*engine.Container{c}, 0)[0]
		now := time.Now().UTC().Format(time.RFC3339Nano)
		cpu := map[string]any{
			"cpu_usage":        map[string]any{"total_usage": st.CPUTotalNs},
			"system_cpu_usage": systemCPUNs(), "online_cpus": runtime.NumCPU(),
		}
		body := map[string]any{
			"id": c.ID, "name": "/" + c.Name, "read": now,
			"pids_stats":   map[string]any{"current": st.Pids, "limit": st.PidsLimit},
			"memory_stats": map[string]any{"usage": st.MemUsage, "limit": memLimit(st.MemLimit)},
			"cpu_stats":    cpu,
			"blkio_stats": map[string]any{"io_service_bytes_recursive": []map[string]any{
				{"major": 0, "minor": 0, "op": "read", "value": st.BlockInput},
				{"major": 0, "minor": 0, "op": "write", "value": st.BlockOutput},
			}},
			"networks": map[string]any{"eth0": map[string]any{"rx_bytes": st.NetInput, "tx_bytes": st.NetOutput}},
		}
		if pre == nil {
			body["preread"] = "0001-01-01T00:00:00Z"
			body["precpu_stats"] = map[string]any{"cpu_usage": map[string]any{"total_usage": 0}}
		} else {
			body["preread"] = pre["read"]
			body["precpu_stats"] = pre["cpu_stats"]
		}
		pre = body
		return body
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
