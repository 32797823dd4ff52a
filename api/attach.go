package api

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// attachment is a client attached to a container that is not started yet:
// the start hands it the monitor connection made before the process runs,
// so no output is missed (docker run attaches, then starts).
type attachment struct {
	ready chan *engine.AttachConn
}

type attachState struct {
	mu      sync.Mutex
	pending map[string]*attachment
	clients map[string]*engine.AttachConn
}

func (s *Server) attachments() *attachState {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.att == nil {
		s.att = &attachState{pending: map[string]*attachment{}, clients: map[string]*engine.AttachConn{}}
	}
	return s.att
}

// hijack takes the connection over and answers the upgrade.
func hijack(w http.ResponseWriter, r *http.Request, tty bool) (net.Conn, *bufio.ReadWriter, error) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("the connection cannot be hijacked")
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return nil, nil, err
	}
	ct := "application/vnd.docker.multiplexed-stream"
	if tty {
		ct = "application/vnd.docker.raw-stream"
	}
	if r.Header.Get("Upgrade") != "" {
		fmt.Fprintf(buf, "HTTP/1.1 101 UPGRADED\r\nContent-Type: %s\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n", ct)
	} else {
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n\r\n", ct)
	}
	if err := buf.Flush(); err != nil {
		conn.Close()
		return nil, nil, err
	}
	return conn, buf, nil
}

func (s *Server) containerAttach(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	if !boolParam(r, "stream") && !boolParam(r, "logs") {
		writeError(w, errdefs.Invalid(errors.New("attach needs stream=1")))
		return
	}
	att := s.attachments()
	var pending *attachment
	if !c.Running() {
		pending = &attachment{ready: make(chan *engine.AttachConn, 1)}
		att.mu.Lock()
		att.pending[c.ID] = pending
		att.mu.Unlock()
	}
	conn, buf, err := hijack(w, r, c.Config.TTY)
	if err != nil {
		return
	}
	defer conn.Close()
	var client *engine.AttachConn
	started := false
	if pending != nil {
		// Until the start; a client that never starts it is let go.
		select {
		case client = <-pending.ready:
			started = true
		case <-time.After(10 * time.Minute):
		}
		att.mu.Lock()
		delete(att.pending, c.ID)
		att.mu.Unlock()
		if client == nil {
			return
		}
	} else {
		if client, err = s.Engine.Attach(c); err != nil {
			fmt.Fprintf(conn, "%v\n", err)
			return
		}
	}
	defer client.Close()
	att.mu.Lock()
	att.clients[c.ID] = client
	att.mu.Unlock()
	defer func() {
		att.mu.Lock()
		delete(att.clients, c.ID)
		att.mu.Unlock()
	}()

	var stdout, stderr io.Writer
	mu := &sync.Mutex{}
	if c.Config.TTY {
		stdout, stderr = conn, conn
	} else {
		stdout, stderr = frameWriter{mu, conn, 1}, frameWriter{mu, conn, 2}
	}
	if !boolParam(r, "stdout") {
		stdout = nil
	}
	if !boolParam(r, "stderr") {
		stderr = nil
	}
	if boolParam(r, "stdin") && c.Config.Interactive {
		go client.CopyStdin(buf, !c.Config.TTY)
	}
	_, err = client.Output(stdout, stderr)
	if started && err == nil {
		if fresh, gerr := s.Engine.Get(c.ID); gerr == nil {
			s.Engine.Finish(fresh, client)
		}
	}
	if cw, ok := conn.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
}

// startAttached starts c for a client waiting in containerAttach, and
// reports whether there was one.
func (s *Server) startAttached(c *engine.Container) (bool, error) {
	att := s.attachments()
	att.mu.Lock()
	p := att.pending[c.ID]
	att.mu.Unlock()
	if p == nil {
		return false, nil
	}
	client, err := s.Engine.Start(c, engine.StartOptions{Attach: true})
	if err != nil {
		select { // the client is let go: there is nothing to attach to
		case p.ready <- nil:
		default:
		}
		return true, err
	}
	p.ready <- client
	return true, nil
}

func (s *Server) containerResize(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	h, _ := strconv.Atoi(r.URL.Query().Get("h"))
	wd, _ := strconv.Atoi(r.URL.Query().Get("w"))
	att := s.attachments()
	att.mu.Lock()
	client := att.clients[c.ID]
	att.mu.Unlock()
	if client == nil {
		var err error
		if client, err = s.Engine.Attach(c); err != nil {
			writeError(w, err)
			return
		}
		defer client.Close()
	}
	if err := client.Resize(uint16(h), uint16(wd)); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}
