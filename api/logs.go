package api

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/burrow-containers/burrow/engine"
)

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
