package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/limits"
)

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
