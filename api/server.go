package api

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/types"
	cstorage "go.podman.io/storage"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/images"
	"github.com/burrow-containers/burrow/limits"
)

// API versions served: the docker CLI and SDK negotiate through /_ping.
const (
	MaxAPIVersion = "1.43"
	MinAPIVersion = "1.40"
)

// Server answers the Docker Engine API from an engine.
type Server struct {
	Engine  *engine.Engine
	Version string

	mu       sync.Mutex
	active   int
	lastIdle time.Time
	att      *attachState
	ex       *execState
}

var versionPrefix = regexp.MustCompile(`^/v[0-9]+\.[0-9]+`)

// Handler is the HTTP handler, version prefixes stripped.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_ping", s.ping)
	mux.HandleFunc("HEAD /_ping", s.ping)
	mux.HandleFunc("GET /version", s.version)
	mux.HandleFunc("GET /info", s.info)
	mux.HandleFunc("GET /events", s.events)
	mux.HandleFunc("GET /containers/json", s.containerList)
	mux.HandleFunc("POST /containers/create", s.containerCreate)
	mux.HandleFunc("GET /containers/{id}/json", s.containerInspect)
	mux.HandleFunc("POST /containers/{id}/start", s.containerStart)
	mux.HandleFunc("POST /containers/{id}/stop", s.containerStop)
	mux.HandleFunc("POST /containers/{id}/restart", s.containerRestart)
	mux.HandleFunc("POST /containers/{id}/kill", s.containerKill)
	mux.HandleFunc("POST /containers/{id}/wait", s.containerWait)
	mux.HandleFunc("DELETE /containers/{id}", s.containerRemove)
	mux.HandleFunc("GET /containers/{id}/logs", s.containerLogs)
	mux.HandleFunc("POST /containers/{id}/attach", s.containerAttach)
	mux.HandleFunc("POST /containers/{id}/resize", s.containerResize)
	mux.HandleFunc("POST /containers/{id}/exec", s.execCreate)
	mux.HandleFunc("POST /exec/{id}/start", s.execStart)
	mux.HandleFunc("GET /exec/{id}/json", s.execInspect)
	mux.HandleFunc("POST /exec/{id}/resize", s.execResize)
	mux.HandleFunc("POST /commit", s.commit)
	mux.HandleFunc("POST /build", s.imageBuild)
	mux.HandleFunc("POST /auth", s.auth)
	mux.HandleFunc("POST /containers/prune", s.containerPrune)
	mux.HandleFunc("GET /containers/{id}/top", s.containerTop)
	mux.HandleFunc("GET /containers/{id}/changes", s.containerChanges)
	mux.HandleFunc("GET /containers/{id}/stats", s.containerStats)
	mux.HandleFunc("GET /containers/{id}/archive", s.archiveGet)
	mux.HandleFunc("HEAD /containers/{id}/archive", s.archiveGet)
	mux.HandleFunc("PUT /containers/{id}/archive", s.archivePut)
	mux.HandleFunc("POST /images/prune", s.imagePrune)
	mux.HandleFunc("POST /images/load", s.imageLoad)
	mux.HandleFunc("POST /images/{name...}", s.imagePostRoute)
	mux.HandleFunc("GET /images/json", s.imageList)
	mux.HandleFunc("POST /images/create", s.imageCreate)
	mux.HandleFunc("GET /images/{name...}", s.imageInspectRoute)
	mux.HandleFunc("DELETE /images/{name...}", s.imageRemove)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.busy(1)
		defer s.busy(-1)
		r.URL.Path = versionPrefix.ReplaceAllString(r.URL.Path, "")
		w.Header().Set("Api-Version", MaxAPIVersion)
		w.Header().Set("Server", "burrow/"+s.Version)
		mux.ServeHTTP(w, r)
	})
}

func (s *Server) busy(d int) {
	s.mu.Lock()
	s.active += d
	s.lastIdle = time.Now()
	s.mu.Unlock()
}

// IdleFor tells how long no request has been running.
func (s *Server) IdleFor() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.active > 0 || s.lastIdle.IsZero() {
		return 0
	}
	return time.Since(s.lastIdle)
}

// Serve accepts on l until ctx ends, or after idle without requests
// (0: never).
func (s *Server) Serve(ctx context.Context, l net.Listener, idle time.Duration) error {
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 30 * time.Second}
	s.lastIdle = time.Now()
	if idle > 0 {
		go func() {
			for {
				time.Sleep(time.Second)
				if s.IdleFor() >= idle {
					srv.Close()
					return
				}
			}
		}()
	}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	err := srv.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// --- helpers ---------------------------------------------------------------

// image finds the image a request names; on failure it has written the
// error response.
func (s *Server) image(w http.ResponseWriter, name string) (cstorage.Store, *cstorage.Image, bool) {
	st, err := s.Engine.Store()
	if err != nil {
		writeError(w, err)
		return nil, nil, false
	}
	img, err := images.Lookup(st, name)
	if err != nil {
		writeError(w, err)
		return nil, nil, false
	}
	return st, img, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeError maps error classes to the API's statuses, as the SDK's
// errdefs helpers expect.
func writeError(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch errdefs.ClassOf(err) {
	case errdefs.ClassNotFound:
		status = http.StatusNotFound
	case errdefs.ClassConflict:
		status = http.StatusConflict
	case errdefs.ClassInvalid:
		status = http.StatusBadRequest
	case errdefs.ClassUnauthorized:
		status = http.StatusUnauthorized
	}
	writeJSON(w, status, map[string]string{"message": err.Error()})
}

func boolParam(r *http.Request, name string) bool {
	v := r.URL.Query().Get(name)
	return v == "1" || v == "true" || v == "True"
}

func (s *Server) container(w http.ResponseWriter, r *http.Request) (*engine.Container, bool) {
	c, err := s.Engine.Get(r.PathValue("id"))
	if err != nil {
		writeError(w, err)
		return nil, false
	}
	return c, true
}

// --- system ----------------------------------------------------------------

func (s *Server) ping(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Ostype", "linux")
	// The classic builder (POST /build with a tar): no BuildKit sessions.
	w.Header().Set("Builder-Version", "1")
	w.Header().Set("Docker-Experimental", "false")
	w.Header().Set("Cache-Control", "no-cache, no-store, must-revalidate")
	if r.Method == http.MethodHead {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "OK")
}

func kernel() string {
	var u unix.Utsname
	unix.Uname(&u)
	return unix.ByteSliceToString(u.Release[:])
}

func (s *Server) version(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"Platform":      map[string]string{"Name": "burrow"},
		"Version":       s.Version,
		"ApiVersion":    MaxAPIVersion,
		"MinAPIVersion": MinAPIVersion,
		"Os":            runtime.GOOS,
		"Arch":          runtime.GOARCH,
		"KernelVersion": kernel(),
		"GoVersion":     runtime.Version(),
		"Components":    []map[string]any{{"Name": "Engine", "Version": s.Version, "Details": map[string]string{"ApiVersion": MaxAPIVersion, "MinAPIVersion": MinAPIVersion}}},
	})
}

func (s *Server) info(w http.ResponseWriter, r *http.Request) {
	ctrs, _ := s.Engine.List()
	running, stopped := 0, 0
	for _, c := range ctrs {
		if c.Running() {
			running++
		} else {
			stopped++
		}
	}
	nimg, driver := 0, ""
	if st, err := s.Engine.Store(); err == nil {
		if imgs, err := st.Images(); err == nil {
			nimg = len(imgs)
		}
		driver = st.GraphDriverName()
	}
	host, _ := os.Hostname()
	cgv := "1"
	var sfs unix.Statfs_t
	if unix.Statfs("/sys/fs/cgroup", &sfs) == nil && sfs.Type == unix.CGROUP2_SUPER_MAGIC {
		cgv = "2"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"ID": "burrow", "Name": host, "ServerVersion": s.Version,
		"Containers": len(ctrs), "ContainersRunning": running, "ContainersPaused": 0, "ContainersStopped": stopped,
		"Images": nimg, "Driver": driver, "OperatingSystem": "linux", "OSType": "linux", "Architecture": runtime.GOARCH,
		"KernelVersion": kernel(), "NCPU": runtime.NumCPU(), "CgroupVersion": cgv, "CgroupDriver": "systemd",
		"SecurityOptions": []string{"name=rootless", "name=seccomp,profile=default"},
		"DockerRootDir":   s.Engine.GraphRoot(),
	})
}

// --- containers ------------------------------------------------------------

type portBinding struct {
	HostIP   string `json:"HostIp"`
	HostPort string `json:"HostPort"`
}

type createBody struct {
	Hostname     string
	User         string
	Env          []string
	Cmd          []string
	Entrypoint   json.RawMessage
	Image        string
	WorkingDir   string
	Tty          bool
	OpenStdin    bool
	ExposedPorts map[string]struct{}
	HostConfig   struct {
		AutoRemove      bool
		Binds           []string
		PortBindings    map[string][]portBinding
		PublishAllPorts bool
		Memory          int64
		MemorySwap      int64
		NanoCpus        int64
		CpuShares       int64
		PidsLimit       *int64
		NetworkMode     string
		Privileged      bool
		CapAdd          []string
		CapDrop         []string
		ReadonlyRootfs  bool
		Tmpfs           map[string]string
		Dns             []string
		ExtraHosts      []string
		SecurityOpt     []string
		UsernsMode      string
		RestartPolicy   struct {
			Name              string
			MaximumRetryCount int
		}
	}
}

func (s *Server) containerCreate(w http.ResponseWriter, r *http.Request) {
	var b createBody
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		writeError(w, errdefs.Invalid(fmt.Errorf("reading the create request: %w", err)))
		return
	}
	c := engine.Config{
		Image: b.Image, Name: r.URL.Query().Get("name"), Command: b.Cmd, Env: b.Env, Workdir: b.WorkingDir,
		User: b.User, Hostname: b.Hostname, TTY: b.Tty, Interactive: b.OpenStdin,
		CapAdd: b.HostConfig.CapAdd, CapDrop: b.HostConfig.CapDrop, Privileged: b.HostConfig.Privileged,
		ReadOnly: b.HostConfig.ReadonlyRootfs, Remove: b.HostConfig.AutoRemove, DNS: b.HostConfig.Dns, AddHosts: b.HostConfig.ExtraHosts,
		PublishAll: b.HostConfig.PublishAllPorts,
	}
	var err error
	if c.UserNS, err = engine.ParseUserNS(b.HostConfig.UsernsMode); err != nil {
		writeError(w, err)
		return
	}
	if len(b.Entrypoint) > 0 && string(b.Entrypoint) != "null" {
		var list []string
		var one string
		if json.Unmarshal(b.Entrypoint, &list) == nil {
			e := strings.Join(list, " ")
			c.Entrypoint = &e
			if len(list) > 1 {
				c.Entrypoint = &list[0]
				c.Command = append(list[1:], c.Command...)
			}
		} else if json.Unmarshal(b.Entrypoint, &one) == nil {
			c.Entrypoint = &one
		}
	}
	switch b.HostConfig.NetworkMode {
	case "", "default", "bridge":
	default:
		var err error
		if c.Network, c.AllowHostLoopback, err = engine.ParseNetwork(b.HostConfig.NetworkMode); err != nil {
			writeError(w, err)
			return
		}
	}
	for port, binds := range b.HostConfig.PortBindings {
		for _, pb := range binds {
			spec := port
			if pb.HostPort != "" {
				spec = pb.HostPort + ":" + port
			}
			if pb.HostIP != "" {
				spec = pb.HostIP + ":" + spec
			}
			m, err := engine.ParsePublish(spec)
			if err != nil {
				writeError(w, err)
				return
			}
			c.Ports = append(c.Ports, m)
		}
	}
	for _, bind := range b.HostConfig.Binds {
		m, err := engine.ParseVolume(bind)
		if err != nil {
			writeError(w, err)
			return
		}
		c.Mounts = append(c.Mounts, m)
	}
	for dst, opts := range b.HostConfig.Tmpfs {
		spec := dst
		if opts != "" {
			spec += ":" + opts
		}
		m, err := engine.ParseTmpfs(spec)
		if err != nil {
			writeError(w, err)
			return
		}
		c.Mounts = append(c.Mounts, m)
	}
	c.Limits = limits.Limits{Memory: b.HostConfig.Memory, MemorySwap: b.HostConfig.MemorySwap, CPUs: float64(b.HostConfig.NanoCpus) / 1e9}
	if b.HostConfig.PidsLimit != nil && *b.HostConfig.PidsLimit != 0 {
		c.Limits.PidsLimit = *b.HostConfig.PidsLimit
	}
	if b.HostConfig.CpuShares > 0 {
		c.Limits.CPUShares = uint64(b.HostConfig.CpuShares)
	}
	if rp := b.HostConfig.RestartPolicy.Name; rp != "" && rp != "no" {
		p := rp
		if rp == "on-failure" && b.HostConfig.RestartPolicy.MaximumRetryCount > 0 {
			p += ":" + strconv.Itoa(b.HostConfig.RestartPolicy.MaximumRetryCount)
		}
		var err error
		if c.Restart, c.RestartMax, err = engine.ParseRestartPolicy(p); err != nil {
			writeError(w, err)
			return
		}
	}
	ctr, err := s.Engine.Create(r.Context(), c, nil)
	if err != nil {
		writeError(w, err)
		return
	}
	if err := s.Engine.Release(ctr); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"Id": ctr.ID, "Warnings": append([]string{}, ctr.Warnings...)})
}

func (s *Server) containerStart(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	if c.Running() {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if attached, err := s.startAttached(c); attached || err != nil {
		if err != nil {
			writeError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if _, err := s.Engine.Start(c, engine.StartOptions{}); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) containerStop(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	if !c.Running() {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if _, err := s.Engine.Stop(r.Context(), c, stopTimeout(r)); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) containerRestart(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	if _, err := s.Engine.Stop(r.Context(), c, stopTimeout(r)); err != nil {
		writeError(w, err)
		return
	}
	if _, err := s.Engine.Start(c, engine.StartOptions{}); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// stopTimeout is the grace period of a stop or restart request: the query's
// t in seconds, 10 when absent.
func stopTimeout(r *http.Request) time.Duration {
	t := 10
	if v := r.URL.Query().Get("t"); v != "" {
		t, _ = strconv.Atoi(v)
	}
	return time.Duration(t) * time.Second
}

func (s *Server) containerKill(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	sig := r.URL.Query().Get("signal")
	if sig == "" {
		sig = "KILL"
	}
	n, err := engine.ParseSignal(sig)
	if err == nil {
		err = s.Engine.Kill(c, n)
	}
	if err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) containerWait(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	// The headers go out at once: clients wait for them before starting.
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	code, err := s.Engine.Wait(r.Context(), c)
	resp := map[string]any{"StatusCode": code, "Error": nil}
	if err != nil {
		resp["Error"] = map[string]string{"Message": err.Error()}
	}
	json.NewEncoder(w).Encode(resp)
}

func (s *Server) containerRemove(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	remove := s.Engine.Remove
	if boolParam(r, "v") {
		remove = s.Engine.RemoveVolumes
	}
	if err := remove(r.Context(), c, boolParam(r, "force")); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func dockerState(st string) string {
	if st == engine.StatusCreated {
		return "created"
	}
	return st
}

func (s *Server) containerList(w http.ResponseWriter, r *http.Request) {
	ctrs, err := s.Engine.List()
	if err != nil {
		writeError(w, err)
		return
	}
	specs, err := filterSpecs(r)
	if err != nil {
		writeError(w, err)
		return
	}
	filters, err := engine.ParseFilters(specs)
	if err != nil {
		writeError(w, err)
		return
	}
	all := boolParam(r, "all")
	for _, f := range specs {
		// As docker: a status or exited filter looks at stopped ones too.
		all = all || strings.HasPrefix(f, "status=") || strings.HasPrefix(f, "exited=")
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	out := []map[string]any{}
	for i := len(ctrs) - 1; i >= 0; i-- { // newest first, as docker
		c := ctrs[i]
		if (!all && !c.Running()) || !c.Matches(filters) {
			continue
		}
		if limit > 0 && len(out) == limit {
			break
		}
		ports := []map[string]any{}
		for _, p := range c.Ports() {
			ports = append(ports, map[string]any{"IP": p.HostIP, "PrivatePort": p.ContainerPort, "PublicPort": p.HostPort, "Type": p.Protocol})
		}
		status := "Created"
		switch c.State.Status {
		case engine.StatusRunning:
			status = "Up " + humanDuration(time.Since(c.State.StartedAt))
		case engine.StatusExited:
			status = fmt.Sprintf("Exited (%d) %s ago", c.State.ExitCode, humanDuration(time.Since(c.State.FinishedAt)))
		}
		out = append(out, map[string]any{
			"Id": c.ID, "Names": []string{"/" + c.Name}, "Image": c.Image, "ImageID": "sha256:" + c.ImageID,
			"Command": strings.Join(c.Args, " "), "Created": c.Created.Unix(), "State": dockerState(c.State.Status),
			"Status": status, "Ports": ports, "Labels": map[string]string{}, "Mounts": []any{},
			"HostConfig": map[string]string{"NetworkMode": "default"},
		})
	}
	writeJSON(w, http.StatusOK, out)
}

func humanDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return "Less than a second"
	case d < time.Minute:
		return fmt.Sprintf("%d seconds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	}
	return fmt.Sprintf("%d hours", int(d.Hours()))
}

func (s *Server) containerInspect(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	d := c.Inspect()
	ts := func(t time.Time) string {
		if t.IsZero() {
			return "0001-01-01T00:00:00Z"
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"Id": d.ID, "Created": ts(d.Created), "Path": d.Path, "Args": d.Args, "Name": "/" + d.Name,
		"Image": "sha256:" + d.Image, "RestartCount": d.RestartCount, "LogPath": d.LogPath, "Driver": "overlay2",
		"State": map[string]any{
			"Status": dockerState(d.State.Status), "Running": d.State.Running, "Paused": d.State.Paused, "Restarting": false,
			"OOMKilled": d.State.OOMKilled, "Dead": false, "Pid": d.State.Pid, "ExitCode": d.State.ExitCode, "Error": "",
			"StartedAt": ts(d.State.StartedAt), "FinishedAt": ts(d.State.FinishedAt),
		},
		"Config": map[string]any{
			"Hostname": d.Config.Hostname, "User": d.Config.User, "Env": d.Config.Env, "Cmd": d.Config.Cmd,
			"Image": d.Config.Image, "WorkingDir": d.Config.WorkingDir, "Entrypoint": d.Config.Entrypoint,
			"Tty": d.Config.Tty, "OpenStdin": d.Config.OpenStdin, "AttachStdout": true, "AttachStderr": true,
			"StopSignal": d.Config.StopSignal, "Labels": d.Config.Labels,
		},
		"HostConfig": map[string]any{
			"AutoRemove": d.HostConfig.AutoRemove, "Privileged": d.HostConfig.Privileged, "ReadonlyRootfs": d.HostConfig.ReadonlyRootfs,
			"NetworkMode": d.HostConfig.NetworkMode, "PortBindings": d.HostConfig.PortBindings, "Memory": d.HostConfig.Memory,
			"NanoCpus": d.HostConfig.NanoCpus, "CapAdd": d.HostConfig.CapAdd, "CapDrop": d.HostConfig.CapDrop,
			"LogConfig": map[string]any{"Type": "k8s-file", "Config": map[string]string{}},
		},
		"NetworkSettings": d.NetworkSettings, "Mounts": d.Mounts,
	})
}

// frameWriter writes the API's multiplexed stream framing: an 8-byte
// header (stream, 0, 0, 0, big-endian length) before each chunk.
type frameWriter struct {
	mu     *sync.Mutex
	w      io.Writer
	stream byte
}

func (f frameWriter) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	hdr := make([]byte, 8)
	hdr[0] = f.stream
	binary.BigEndian.PutUint32(hdr[4:], uint32(len(p)))
	if _, err := f.w.Write(append(hdr, p...)); err != nil {
		return 0, err
	}
	if fl, ok := f.w.(http.Flusher); ok {
		fl.Flush()
	}
	return len(p), nil
}

func (s *Server) containerLogs(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	o := engine.LogOptions{Follow: boolParam(r, "follow"), Tail: -1, Timestamps: boolParam(r, "timestamps")}
	if t := r.URL.Query().Get("tail"); t != "" && t != "all" {
		o.Tail, _ = strconv.Atoi(t)
	}
	if v := r.URL.Query().Get("since"); v != "" && v != "0" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			o.Since = time.Unix(n, 0)
		}
	}
	var stdout, stderr io.Writer
	mu := &sync.Mutex{}
	if c.Config.TTY {
		w.Header().Set("Content-Type", "application/vnd.docker.raw-stream")
		stdout, stderr = w, w
	} else {
		w.Header().Set("Content-Type", "application/vnd.docker.multiplexed-stream")
		stdout, stderr = frameWriter{mu, w, 1}, frameWriter{mu, w, 2}
	}
	if !boolParam(r, "stdout") {
		stdout = nil
	}
	if !boolParam(r, "stderr") {
		stderr = nil
	}
	w.WriteHeader(http.StatusOK)
	if err := s.Engine.Logs(r.Context(), c, o, stdout, stderr); err != nil {
		fmt.Fprintf(os.Stderr, "logs of %s: %v\n", c.Name, err)
	}
}

// --- images ----------------------------------------------------------------

func (s *Server) imageList(w http.ResponseWriter, r *http.Request) {
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
	filters, err := images.ParseFilters(specs)
	if err != nil {
		writeError(w, err)
		return
	}
	list, err := images.List(r.Context(), st)
	if err != nil {
		writeError(w, err)
		return
	}
	all := boolParam(r, "all")
	out := []map[string]any{}
	for _, im := range list {
		if (im.Intermediate && !all) || !images.Match(im, filters) {
			continue
		}
		tags := im.Names
		if tags == nil {
			tags = []string{}
		}
		out = append(out, map[string]any{
			"Id": "sha256:" + im.ID, "ParentId": "", "RepoTags": tags, "RepoDigests": []string{}, "Created": im.Created.Unix(),
			"Size": im.Size, "VirtualSize": im.Size, "SharedSize": -1, "Labels": map[string]string{}, "Containers": -1,
		})
	}
	writeJSON(w, http.StatusOK, out)
}

// registryAuth decodes X-Registry-Auth (base64url JSON).
func registryAuth(r *http.Request) *types.DockerAuthConfig {
	h := r.Header.Get("X-Registry-Auth")
	if h == "" {
		return nil
	}
	b, err := base64.URLEncoding.DecodeString(h)
	if err != nil {
		if b, err = base64.StdEncoding.DecodeString(h); err != nil {
			return nil
		}
	}
	var a struct {
		Username, Password, IdentityToken string
	}
	if json.Unmarshal(b, &a) != nil || (a.Username == "" && a.IdentityToken == "") {
		return nil
	}
	return &types.DockerAuthConfig{Username: a.Username, Password: a.Password, IdentityToken: a.IdentityToken}
}

// loopbackRegistry tells the Docker engine's rule: a registry on
// 127.0.0.0/8 or localhost may be plain HTTP without configuration.
func loopbackRegistry(ref string) bool {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return false
	}
	host := reference.Domain(named)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) imageCreate(w http.ResponseWriter, r *http.Request) {
	ref := r.URL.Query().Get("fromImage")
	if tag := r.URL.Query().Get("tag"); tag != "" {
		if strings.HasPrefix(tag, "sha256:") {
			ref += "@" + tag
		} else {
			ref += ":" + tag
		}
	}
	st, err := s.Engine.Store()
	if err != nil {
		writeError(w, err)
		return
	}
	o := images.PullOptions{Quiet: true, Credentials: registryAuth(r)}
	if loopbackRegistry(ref) {
		o.TLSVerify = types.OptionalBoolFalse
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	img, err := images.Pull(r.Context(), st, ref, o)
	if err != nil {
		// Errors before any output get their status; docker clients also
		// read an "error" line in the stream.
		if errdefs.Is(err, errdefs.ClassNotFound) || errdefs.Is(err, errdefs.ClassUnauthorized) || errdefs.Is(err, errdefs.ClassInvalid) {
			writeError(w, err)
			return
		}
		w.WriteHeader(http.StatusOK)
		enc.Encode(map[string]any{"error": err.Error(), "errorDetail": map[string]string{"message": err.Error()}})
		return
	}
	w.WriteHeader(http.StatusOK)
	enc.Encode(map[string]string{"status": "Pulling from " + ref})
	enc.Encode(map[string]string{"status": "Digest: " + img.Digest.String()})
	enc.Encode(map[string]string{"status": "Status: Downloaded newer image for " + ref})
}

func (s *Server) imageInspectRoute(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if n, ok := strings.CutSuffix(name, "/json"); ok {
		s.imageInspect(w, r, n)
		return
	}
	if n, ok := strings.CutSuffix(name, "/history"); ok {
		s.imageHistory(w, r, n)
		return
	}
	if n, ok := strings.CutSuffix(name, "/get"); ok {
		s.imageGet(w, r, n)
		return
	}
	if name == "get" {
		s.imageGet(w, r, r.URL.Query().Get("names"))
		return
	}
	writeError(w, errdefs.NotFound(fmt.Errorf("no route for GET /images/%s", name)))
}

func (s *Server) imagePostRoute(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if n, ok := strings.CutSuffix(name, "/tag"); ok {
		s.imageTag(w, r, n)
		return
	}
	if n, ok := strings.CutSuffix(name, "/push"); ok {
		s.imagePush(w, r, n)
		return
	}
	writeError(w, errdefs.NotFound(fmt.Errorf("no route for POST /images/%s", name)))
}

func (s *Server) imageInspect(w http.ResponseWriter, r *http.Request, name string) {
	st, img, ok := s.image(w, name)
	if !ok {
		return
	}
	d, err := images.Inspect(r.Context(), st, img)
	if err != nil {
		writeError(w, err)
		return
	}
	created := ""
	if d.Created != nil {
		created = d.Created.UTC().Format(time.RFC3339Nano)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"Id": "sha256:" + d.ID, "RepoTags": d.RepoTags, "RepoDigests": d.RepoDigests, "Created": created,
		"Config": d.Config, "Architecture": d.Architecture, "Os": d.Os, "Size": d.Size, "VirtualSize": d.Size,
		"RootFS": map[string]any{"Type": d.RootFS.Type, "Layers": d.RootFS.Layers}, "Author": d.Author,
	})
}

func (s *Server) imageRemove(w http.ResponseWriter, r *http.Request) {
	st, err := s.Engine.Store()
	if err != nil {
		writeError(w, err)
		return
	}
	users := func(id string) []string {
		var n []string
		ctrs, _ := s.Engine.List()
		for _, c := range ctrs {
			if c.ImageID == id {
				n = append(n, c.Name)
			}
		}
		return n
	}
	untagged, deleted, err := images.Remove(st, r.PathValue("name"), boolParam(r, "force"), users, func(id string) error {
		ctrs, _ := s.Engine.List()
		for _, c := range ctrs {
			if c.ImageID == id {
				if err := s.Engine.Remove(r.Context(), c, true); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		writeError(w, err)
		return
	}
	out := []map[string]string{}
	for _, u := range untagged {
		out = append(out, map[string]string{"Untagged": u})
	}
	if deleted != "" {
		out = append(out, map[string]string{"Deleted": "sha256:" + deleted})
	}
	writeJSON(w, http.StatusOK, out)
}

// commit makes an image of a container (POST /commit). A request with no
// body is valid: the SDK sends none when it has no Config.
func (s *Server) commit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c, err := s.Engine.Get(q.Get("container"))
	if err != nil {
		writeError(w, err)
		return
	}
	ref := q.Get("repo")
	if ref != "" && q.Get("tag") != "" {
		ref += ":" + q.Get("tag")
	}
	img, err := s.Engine.Commit(r.Context(), c, ref, engine.CommitOptions{Changes: q["changes"], Message: q.Get("comment"), Author: q.Get("author")},
		images.PullOptions{Quiet: true})
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"Id": "sha256:" + img.ID})
}

// filterSpecs reads the filters parameter, JSON as docker clients send it
// ({"status":["running"]}, or the older {"status":{"running":true}}), as
// KEY=VALUE specs.
func filterSpecs(r *http.Request) ([]string, error) {
	raw := r.URL.Query().Get("filters")
	if raw == "" {
		return nil, nil
	}
	var lists map[string][]string
	if err := json.Unmarshal([]byte(raw), &lists); err != nil {
		var sets map[string]map[string]bool
		if err := json.Unmarshal([]byte(raw), &sets); err != nil {
			return nil, errdefs.Invalid(fmt.Errorf("invalid filters %q: %w", raw, err))
		}
		lists = map[string][]string{}
		for k, set := range sets {
			for v, on := range set {
				if on {
					lists[k] = append(lists[k], v)
				}
			}
		}
	}
	var specs []string
	for k, vs := range lists {
		for _, v := range vs {
			specs = append(specs, k+"="+v)
		}
	}
	sort.Strings(specs)
	return specs, nil
}
