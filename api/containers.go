package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"time"

	"github.com/moby/moby/api/types/container"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

func (s *Server) containerStart(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	if c.Running() {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	attached, err := s.startAttached(c)
	if !attached && err == nil {
		_, err = s.Engine.Start(c, engine.StartOptions{})
	}
	if err != nil {
		if c.Config.Remove {
			// As dockerd: an AutoRemove container whose start failed is
			// removed, which docker run --rm waits for before it reports
			// the error.
			s.Engine.Remove(context.WithoutCancel(r.Context()), c, engine.RemoveOptions{Force: true, Volumes: true, Timeout: new(time.Duration)})
		}
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
	if _, err := s.Engine.Stop(r.Context(), c, s.stopTimeout(r, c)); err != nil {
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
	if _, err := s.Engine.Stop(r.Context(), c, s.stopTimeout(r, c)); err != nil {
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
// t in seconds, else the container's own (Config.StopTimeout, 10 s by
// default).
func (s *Server) stopTimeout(r *http.Request, c *engine.Container) time.Duration {
	if v := r.URL.Query().Get("t"); v != "" {
		if t, err := strconv.Atoi(v); err == nil && t >= 0 {
			return time.Duration(t) * time.Second
		}
	}
	return s.Engine.StopTimeout(c)
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

// containerWait answers POST /containers/{id}/wait once the condition
// holds: not-running (the default: at once for a created or exited
// container), next-exit (the next exit from now on, after a start if need
// be) or removed (the container is gone, after its exit).
func (s *Server) containerWait(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	cond := container.WaitCondition(r.URL.Query().Get("condition"))
	switch cond {
	case "", container.WaitConditionNotRunning, container.WaitConditionNextExit, container.WaitConditionRemoved:
	default:
		writeError(w, errdefs.Invalid(fmt.Errorf("invalid condition %q: use not-running, next-exit or removed", cond)))
		return
	}
	// The headers go out at once: clients wait for them before starting.
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	code, err := s.waitFor(r.Context(), c, cond)
	resp := container.WaitResponse{StatusCode: int64(code)}
	if err != nil {
		resp.Error = &container.WaitExitError{Message: err.Error()}
	}
	json.NewEncoder(w).Encode(resp)
}

// waitFor waits for a wait condition and returns the exit code.
func (s *Server) waitFor(ctx context.Context, c *engine.Container, cond container.WaitCondition) (int, error) {
	since := time.Now()
	for {
		if c.Running() {
			code, err := s.Engine.Wait(ctx, c)
			if err != nil || cond != container.WaitConditionRemoved {
				return code, err
			}
		} else if cond == "" || cond == container.WaitConditionNotRunning ||
			(cond == container.WaitConditionNextExit && c.State.Status == engine.StatusExited && c.State.FinishedAt.After(since)) {
			return c.State.ExitCode, nil
		}
		select {
		case <-ctx.Done():
			return -1, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
		now, err := s.Engine.Get(c.ID)
		if errdefs.Is(err, errdefs.ClassNotFound) {
			// Removed (at its exit, or by rm): its last code.
			code, _ := s.Engine.Wait(ctx, c)
			return code, nil
		}
		if err != nil {
			return -1, err
		}
		c = now
	}
}

func (s *Server) containerRemove(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	// docker rm -f kills at once.
	o := engine.RemoveOptions{Force: boolParam(r, "force"), Volumes: boolParam(r, "v"), Timeout: new(time.Duration)}
	if err := s.Engine.Remove(r.Context(), c, o); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
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
	writeJSON(w, http.StatusOK, container.PruneReport{ContainersDeleted: ids})
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
	writeJSON(w, http.StatusOK, topResponse(procs))
}

// topResponse is the processes of GET /containers/{id}/top, in ps -f's
// columns.
func topResponse(procs []engine.Process) container.TopResponse {
	out := container.TopResponse{Titles: []string{"UID", "PID", "PPID", "C", "TTY", "TIME", "CMD"}, Processes: [][]string{}}
	for _, p := range procs {
		out.Processes = append(out.Processes, []string{p.User, strconv.Itoa(p.PID), strconv.Itoa(p.PPID), fmt.Sprintf("%.1f", p.CPU), p.TTY, p.Time.String(), p.Command})
	}
	return out
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
	writeJSON(w, http.StatusOK, filesystemChanges(changes))
}

// filesystemChanges are the changes of GET /containers/{id}/changes.
func filesystemChanges(changes []engine.Change) []container.FilesystemChange {
	out := []container.FilesystemChange{}
	for _, ch := range changes {
		kind := container.ChangeModify
		switch ch.Kind {
		case "A":
			kind = container.ChangeAdd
		case "D":
			kind = container.ChangeDelete
		}
		out = append(out, container.FilesystemChange{Path: ch.Path, Kind: kind})
	}
	return out
}

func (s *Server) containerPause(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	if err := s.Engine.Pause(c); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) containerUnpause(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	if err := s.Engine.Unpause(c); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) containerRename(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	if err := s.Engine.Rename(c, r.URL.Query().Get("name")); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) containerExport(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/x-tar")
	if err := s.Engine.Export(c, w); err != nil {
		// Before any byte the status still says so; after, the client
		// sees a cut archive.
		writeError(w, err)
	}
}

// containerUpdate changes a running container's limits and any
// container's restart policy (POST /containers/{id}/update).
func (s *Server) containerUpdate(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	var u container.UpdateConfig
	if err := json.NewDecoder(r.Body).Decode(&u); err != nil {
		writeError(w, errdefs.Invalid(fmt.Errorf("reading the update request: %w", err)))
		return
	}
	if len(u.Resources.Devices) > 0 {
		writeError(w, errdefs.Invalid(fmt.Errorf("devices: a container's devices are fixed when it is created; create it again with them")))
		return
	}
	if err := refuseResources(&u.Resources); err != nil {
		writeError(w, err)
		return
	}
	l, err := resources(&u.Resources)
	if err != nil {
		writeError(w, err)
		return
	}
	// The limits only when some are given: a restart policy alone changes
	// a stopped container too, as dockerd's.
	if !reflect.DeepEqual(l, engine.Limits{}) {
		if err := s.Engine.Update(c, l); err != nil {
			writeError(w, err)
			return
		}
	}
	if u.RestartPolicy.Name != "" {
		policy, max, err := restartPolicy(u.RestartPolicy)
		if err == nil {
			err = s.Engine.SetRestartPolicy(c, policy, max)
		}
		if err != nil {
			writeError(w, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, container.UpdateResponse{Warnings: []string{}})
}
