package api

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// execSession is an exec instance: made by create, run by start, read by
// inspect. They live in the service's memory, as Docker's, until they
// expire.
type execSession struct {
	ID          string
	ContainerID string
	Config      engine.ExecConfig
	AttachOut   bool
	Running     bool
	ExitCode    *int
	// changed is when the session was made, or ended.
	changed time.Time
}

// execRetention is how long an exec that does not run is kept for inspect
// (docker exec reads the exit code after the end): dockerd's collector
// forgets one 5 to 10 minutes after it ends.
const execRetention = 5 * time.Minute

// expired tells whether sess may be forgotten at now: its container is no
// longer running (dockerd forgets a container's execs when it stops), or
// the session has not been running (ended, or never started) for longer
// than execRetention.
func (sess *execSession) expired(now time.Time, containerRunning bool) bool {
	if !containerRunning {
		return true
	}
	return !sess.Running && now.Sub(sess.changed) > execRetention
}

// sweepExecs forgets the expired exec sessions, so that they do not grow
// with every exec the service ever ran.
func (s *Server) sweepExecs() {
	ex := s.execs()
	ex.mu.Lock()
	byCtr := map[string][]*execSession{}
	for _, sess := range ex.sessions {
		byCtr[sess.ContainerID] = append(byCtr[sess.ContainerID], sess)
	}
	ex.mu.Unlock()
	now := time.Now()
	var gone []string
	for id, list := range byCtr {
		c, err := s.Engine.Get(id)
		if err != nil && !errdefs.Is(err, errdefs.ClassNotFound) {
			continue // not known to be gone
		}
		running := err == nil && c.Running()
		ex.mu.Lock()
		for _, sess := range list {
			if sess.expired(now, running) {
				gone = append(gone, sess.ID)
			}
		}
		ex.mu.Unlock()
	}
	ex.mu.Lock()
	for _, id := range gone {
		delete(ex.sessions, id)
	}
	ex.mu.Unlock()
}

type execState struct {
	mu       sync.Mutex
	sessions map[string]*execSession
}

func (s *Server) execs() *execState {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ex == nil {
		s.ex = &execState{sessions: map[string]*execSession{}}
	}
	return s.ex
}

func (s *Server) execCreate(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	var b container.ExecCreateRequest
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		writeError(w, errdefs.Invalid(fmt.Errorf("reading the exec request: %w", err)))
		return
	}
	if !c.Running() {
		writeError(w, errdefs.Conflict(fmt.Errorf("container %s is not running", c.Name)))
		return
	}
	var base []string
	if hasBareNames(b.Env) {
		base = c.Inspect().Config.Env
	}
	env, err := envOverrides("Env", b.Env, base)
	if err != nil {
		writeError(w, err)
		return
	}
	id := make([]byte, 32)
	rand.Read(id)
	s.sweepExecs()
	sess := &execSession{ID: hex.EncodeToString(id), ContainerID: c.ID, AttachOut: b.AttachStdout || b.AttachStderr, changed: time.Now(),
		Config: engine.ExecConfig{Command: b.Cmd, Env: env, User: b.User, Workdir: b.WorkingDir, TTY: b.Tty,
			Interactive: b.AttachStdin, Privileged: b.Privileged}}
	ex := s.execs()
	ex.mu.Lock()
	ex.sessions[sess.ID] = sess
	ex.mu.Unlock()
	writeJSON(w, http.StatusCreated, container.ExecCreateResponse{ID: sess.ID})
}

// execIDs are the container's exec sessions the service knows, as
// inspect's ExecIDs.
func (s *Server) execIDs(ctrID string) []string {
	ex := s.execs()
	ex.mu.Lock()
	defer ex.mu.Unlock()
	var ids []string
	for id, sess := range ex.sessions {
		if sess.ContainerID == ctrID {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

func (s *Server) execSession(w http.ResponseWriter, r *http.Request) (*execSession, bool) {
	s.sweepExecs()
	ex := s.execs()
	ex.mu.Lock()
	sess := ex.sessions[r.PathValue("id")]
	ex.mu.Unlock()
	if sess == nil {
		writeError(w, errdefs.NotFound(fmt.Errorf("no such exec instance: %s", r.PathValue("id"))))
		return nil, false
	}
	return sess, true
}

func (s *Server) execStart(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.execSession(w, r)
	if !ok {
		return
	}
	var b container.ExecStartRequest
	json.NewDecoder(r.Body).Decode(&b)
	c, err := s.Engine.Get(sess.ContainerID)
	if err != nil {
		writeError(w, err)
		return
	}
	cfg := sess.Config
	ex := s.execs()
	finish := func(code int) {
		ex.mu.Lock()
		sess.Running, sess.ExitCode, sess.changed = false, &code, time.Now()
		ex.mu.Unlock()
	}
	ex.mu.Lock()
	sess.Running = true
	ex.mu.Unlock()
	if b.Detach {
		cfg.Detach = true
		p, err := s.Engine.Exec(r.Context(), c, cfg, engine.Attach{})
		if err != nil {
			finish(-1)
			writeError(w, err)
			return
		}
		go func() {
			code, err := p.Wait()
			if err != nil {
				code = -1
			}
			finish(code)
		}()
		w.WriteHeader(http.StatusOK)
		return
	}
	conn, buf, err := hijack(w, r, cfg.TTY)
	if err != nil {
		return
	}
	defer conn.Close()
	a := engine.Attach{}
	mu := &sync.Mutex{}
	if cfg.TTY {
		a.Stdout, a.Stderr = conn, conn
	} else {
		a.Stdout, a.Stderr = frameWriter{mu, conn, 1}, frameWriter{mu, conn, 2}
	}
	if cfg.Interactive {
		a.Stdin = io.Reader(buf)
	}
	code := 0
	p, err := s.Engine.Exec(r.Context(), c, cfg, a)
	if err == nil {
		code, err = p.Wait()
	}
	if err != nil {
		code = errdefs.ExitCode(err)
		fmt.Fprintf(a.Stderr, "%v\n", err)
	}
	finish(code)
	if cw, ok := conn.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
}

func (s *Server) execInspect(w http.ResponseWriter, r *http.Request) {
	sess, ok := s.execSession(w, r)
	if !ok {
		return
	}
	ex := s.execs()
	ex.mu.Lock()
	defer ex.mu.Unlock()
	writeJSON(w, http.StatusOK, execInspectResponse(sess))
}

// execInspectResponse is GET /exec/{id}/json.
func execInspectResponse(sess *execSession) container.ExecInspectResponse {
	return container.ExecInspectResponse{
		ID: sess.ID, ContainerID: sess.ContainerID, Running: sess.Running, ExitCode: sess.ExitCode,
		ProcessConfig: &container.ExecProcessConfig{
			Entrypoint: firstOr(sess.Config.Command), Arguments: restOf(sess.Config.Command), Tty: sess.Config.TTY,
		},
		OpenStdin: sess.Config.Interactive, OpenStdout: sess.AttachOut, OpenStderr: sess.AttachOut,
	}
}

func (s *Server) execResize(w http.ResponseWriter, r *http.Request) {
	// The exec's terminal follows the one it was started with; a resize is
	// accepted and ignored rather than failing docker exec -it.
	if _, ok := s.execSession(w, r); ok {
		w.WriteHeader(http.StatusOK)
	}
}

func firstOr(l []string) string {
	if len(l) == 0 {
		return ""
	}
	return l[0]
}

func restOf(l []string) []string {
	if len(l) < 2 {
		return []string{}
	}
	return l[1:]
}
