package api

import (
	"archive/tar"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"go.podman.io/image/v5/types"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/images"
)

func (s *Server) containerPrune(w http.ResponseWriter, r *http.Request) {
	ids, err := s.Engine.Prune(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	if ids == nil {
		ids = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"ContainersDeleted": ids, "SpaceReclaimed": 0})
}

func (s *Server) containerTop(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	procs, err := s.Engine.Top(c)
	if err != nil {
		writeError(w, err)
		return
	}
	rows := [][]string{}
	for _, p := range procs {
		rows = append(rows, []string{p.User, strconv.Itoa(p.PID), strconv.Itoa(p.PPID), fmt.Sprintf("%.1f", p.CPU), p.TTY, p.Time.String(), p.Command})
	}
	writeJSON(w, http.StatusOK, map[string]any{"Titles": []string{"UID", "PID", "PPID", "C", "TTY", "TIME", "CMD"}, "Processes": rows})
}

func (s *Server) containerChanges(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	changes, err := s.Engine.Diff(c)
	if err != nil {
		writeError(w, err)
		return
	}
	out := []map[string]any{}
	for _, ch := range changes {
		kind := 0
		switch ch.Kind {
		case "A":
			kind = 1
		case "D":
			kind = 2
		}
		out = append(out, map[string]any{"Path": ch.Path, "Kind": kind})
	}
	writeJSON(w, http.StatusOK, out)
}

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

// --- archive (docker cp) ----------------------------------------------------

func pathStat(fi os.FileInfo, name string) string {
	link := ""
	b, _ := json.Marshal(map[string]any{"name": name, "size": fi.Size(), "mode": uint32(fi.Mode()), "mtime": fi.ModTime().Format(time.RFC3339), "linkTarget": link})
	return base64.StdEncoding.EncodeToString(b)
}

func (s *Server) archiveGet(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	p := r.URL.Query().Get("path")
	tmp, err := os.MkdirTemp("", "burrow-archive-")
	if err != nil {
		writeError(w, err)
		return
	}
	defer os.RemoveAll(tmp)
	base := filepath.Base(filepath.Clean(p))
	if err := s.Engine.CopyFrom(c, p, filepath.Join(tmp, base)); err != nil {
		writeError(w, err)
		return
	}
	fi, err := os.Lstat(filepath.Join(tmp, base))
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("X-Docker-Container-Path-Stat", pathStat(fi, base))
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/x-tar")
	w.WriteHeader(http.StatusOK)
	tw := tar.NewWriter(w)
	filepath.Walk(filepath.Join(tmp, base), func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(tmp, path)
		link := ""
		if info.Mode()&os.ModeSymlink != 0 {
			link, _ = os.Readlink(path)
		}
		h, err := tar.FileInfoHeader(info, link)
		if err != nil {
			return nil
		}
		h.Name = rel
		if info.IsDir() {
			h.Name += "/"
		}
		tw.WriteHeader(h)
		if info.Mode().IsRegular() {
			if f, err := os.Open(path); err == nil {
				io.Copy(tw, f)
				f.Close()
			}
		}
		return nil
	})
	tw.Close()
}

func (s *Server) archivePut(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	dst := r.URL.Query().Get("path")
	tmp, err := os.MkdirTemp("", "burrow-archive-")
	if err != nil {
		writeError(w, err)
		return
	}
	defer os.RemoveAll(tmp)
	// Unpacked here first (names checked to stay in tmp), then copied into
	// the container the way burrow cp does: chrooted, links resolved inside.
	tr := tar.NewReader(r.Body)
	var tops []string
	seen := map[string]bool{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			writeError(w, errdefs.Invalid(fmt.Errorf("reading the archive: %w", err)))
			return
		}
		target := filepath.Join(tmp, filepath.Clean("/"+h.Name))
		if rel, _ := filepath.Rel(tmp, target); rel == "." {
			continue
		}
		first := filepath.Clean("/" + h.Name)[1:]
		if i := indexSlash(first); i >= 0 {
			first = first[:i]
		}
		top := filepath.Join(tmp, first)
		if !seen[top] {
			seen[top] = true
			tops = append(tops, top)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			os.MkdirAll(target, 0o755)
		case tar.TypeReg:
			os.MkdirAll(filepath.Dir(target), 0o755)
			f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(h.Mode)&0o777)
			if err != nil {
				writeError(w, err)
				return
			}
			io.Copy(f, tr)
			f.Close()
		case tar.TypeSymlink:
			os.MkdirAll(filepath.Dir(target), 0o755)
			os.Symlink(h.Linkname, target)
		}
	}
	for _, top := range tops {
		if err := s.Engine.CopyTo(c, top, dst+"/"); err != nil {
			writeError(w, err)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

func indexSlash(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}

// --- images ------------------------------------------------------------------

func (s *Server) imageTag(w http.ResponseWriter, r *http.Request, name string) {
	st, img, ok := s.image(w, name)
	if !ok {
		return
	}
	ref := r.URL.Query().Get("repo")
	if t := r.URL.Query().Get("tag"); t != "" {
		ref += ":" + t
	}
	if err := images.Tag(st, img, ref); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

func (s *Server) imagePush(w http.ResponseWriter, r *http.Request, name string) {
	st, err := s.Engine.Store()
	if err != nil {
		writeError(w, err)
		return
	}
	if t := r.URL.Query().Get("tag"); t != "" {
		name += ":" + t
	}
	o := images.PullOptions{Quiet: true, Credentials: registryAuth(r)}
	if loopbackRegistry(name) {
		o.TLSVerify = types.OptionalBoolFalse
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	if err := images.Push(r.Context(), st, name, "", o); err != nil {
		enc.Encode(map[string]any{"error": err.Error(), "errorDetail": map[string]string{"message": err.Error()}})
		return
	}
	enc.Encode(map[string]string{"status": "Pushed " + name})
}

func (s *Server) imageHistory(w http.ResponseWriter, r *http.Request, name string) {
	st, img, ok := s.image(w, name)
	if !ok {
		return
	}
	hist, err := images.History(r.Context(), st, img)
	if err != nil {
		writeError(w, err)
		return
	}
	out := []map[string]any{}
	for i, h := range hist {
		id := h.ID
		if i == 0 {
			id = "sha256:" + id
		}
		out = append(out, map[string]any{"Id": id, "Created": h.Created.Unix(), "CreatedBy": h.CreatedBy, "Tags": nil, "Size": h.Size, "Comment": h.Comment})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) imagePrune(w http.ResponseWriter, r *http.Request) {
	st, err := s.Engine.Store()
	if err != nil {
		writeError(w, err)
		return
	}
	specs, err := filterSpecs(r)
	if err != nil {
		writeError(w, err)
		return
	}
	// dangling=false is docker image prune -a.
	all := false
	for _, f := range specs {
		switch f {
		case "dangling=false", "dangling=0":
			all = true
		case "dangling=true", "dangling=1":
		default:
			writeError(w, errdefs.Invalid(fmt.Errorf("unsupported prune filter %q: burrow knows dangling", f)))
			return
		}
	}
	ids, err := images.Prune(r.Context(), st, all)
	if err != nil {
		writeError(w, err)
		return
	}
	deleted := []map[string]string{}
	for _, id := range ids {
		deleted = append(deleted, map[string]string{"Deleted": "sha256:" + id})
	}
	writeJSON(w, http.StatusOK, map[string]any{"ImagesDeleted": deleted, "SpaceReclaimed": 0})
}

func (s *Server) imageGet(w http.ResponseWriter, r *http.Request, name string) {
	st, err := s.Engine.Store()
	if err != nil {
		writeError(w, err)
		return
	}
	tmp, err := os.MkdirTemp("", "burrow-save-")
	if err != nil {
		writeError(w, err)
		return
	}
	defer os.RemoveAll(tmp)
	file := filepath.Join(tmp, "image.tar")
	if err := images.Save(r.Context(), st, name, file, "docker-archive", images.PullOptions{Quiet: true}); err != nil {
		writeError(w, err)
		return
	}
	f, err := os.Open(file)
	if err != nil {
		writeError(w, err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/x-tar")
	w.WriteHeader(http.StatusOK)
	io.Copy(w, f)
}

func (s *Server) imageLoad(w http.ResponseWriter, r *http.Request) {
	st, err := s.Engine.Store()
	if err != nil {
		writeError(w, err)
		return
	}
	f, err := os.CreateTemp("", "burrow-load-")
	if err != nil {
		writeError(w, err)
		return
	}
	defer os.Remove(f.Name())
	io.Copy(f, r.Body)
	f.Close()
	names, err := images.Load(r.Context(), st, f.Name(), images.PullOptions{Quiet: true})
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	for _, n := range names {
		enc.Encode(map[string]string{"stream": "Loaded image: " + n + "\n"})
	}
}

func (s *Server) auth(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Username, Password, ServerAddress string
	}
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		writeError(w, errdefs.Invalid(err))
		return
	}
	o := images.PullOptions{}
	if loopbackRegistry(b.ServerAddress + "/x") {
		o.TLSVerify = types.OptionalBoolFalse
	}
	// Checked only: the docker client keeps its credentials itself.
	if err := images.CheckLogin(r.Context(), b.ServerAddress, b.Username, b.Password, o); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"Status": "Login Succeeded"})
}
