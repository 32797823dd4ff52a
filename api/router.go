package api

import (
	"context"
	"errors"
	"net"
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/moby/moby/api/types/common"

	"github.com/burrow-containers/burrow/engine"
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
	// UploadLimit bounds what a request may put on disk: a build context,
	// an image to load, a docker cp upload (DefaultUploadLimit when 0).
	UploadLimit int64
	// CORSOrigin is --cors: the origin whose web pages may use the API
	// ("*": any page), sent as Access-Control-Allow-Origin. Empty: every
	// request a browser sends is refused.
	CORSOrigin string

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
	mux.HandleFunc("GET /system/df", s.systemDF)
	mux.HandleFunc("GET /containers/json", s.containerList)
	mux.HandleFunc("POST /containers/create", jsonBody(s.containerCreate))
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
	mux.HandleFunc("POST /containers/{id}/pause", s.containerPause)
	mux.HandleFunc("POST /containers/{id}/unpause", s.containerUnpause)
	mux.HandleFunc("POST /containers/{id}/rename", s.containerRename)
	mux.HandleFunc("POST /containers/{id}/update", jsonBody(s.containerUpdate))
	mux.HandleFunc("GET /containers/{id}/export", s.containerExport)
	mux.HandleFunc("POST /containers/{id}/exec", jsonBody(s.execCreate))
	mux.HandleFunc("POST /exec/{id}/start", jsonBody(s.execStart))
	mux.HandleFunc("GET /exec/{id}/json", s.execInspect)
	mux.HandleFunc("POST /exec/{id}/resize", s.execResize)
	mux.HandleFunc("POST /commit", jsonBody(s.commit))
	mux.HandleFunc("POST /build", s.imageBuild)
	mux.HandleFunc("POST /build/prune", s.buildPrune)
	mux.HandleFunc("POST /auth", jsonBody(s.auth))
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
	mux.HandleFunc("GET /images/search", s.imageSearch)
	mux.HandleFunc("GET /distribution/{name...}", s.distributionInspect)
	mux.HandleFunc("GET /networks", s.networkList)
	mux.HandleFunc("GET /networks/{id}", s.networkInspect)
	mux.HandleFunc("POST /networks/create", jsonBody(s.networkCreate))
	mux.HandleFunc("DELETE /networks/{id}", s.networkRemove)
	mux.HandleFunc("POST /networks/prune", s.networkPrune)
	mux.HandleFunc("POST /networks/{id}/connect", jsonBody(s.networkConnect))
	mux.HandleFunc("POST /networks/{id}/disconnect", jsonBody(s.networkDisconnect))
	mux.HandleFunc("GET /volumes", s.volumeList)
	mux.HandleFunc("POST /volumes/create", jsonBody(s.volumeCreate))
	mux.HandleFunc("GET /volumes/{name}", s.volumeInspect)
	mux.HandleFunc("DELETE /volumes/{name}", s.volumeRemove)
	mux.HandleFunc("POST /volumes/prune", s.volumePrune)
	mux.HandleFunc("POST /images/create", s.imageCreate)
	mux.HandleFunc("GET /images/{name...}", s.imageInspectRoute)
	mux.HandleFunc("DELETE /images/{name...}", s.imageRemove)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.busy(1)
		defer s.busy(-1)
		r.URL.Path = versionPrefix.ReplaceAllString(r.URL.Path, "")
		w.Header().Set("Api-Version", MaxAPIVersion)
		w.Header().Set("Server", "burrow/"+s.Version)
		s.setCORS(w)
		if !s.corsAllows(r) {
			if err := notFromBrowser(r); err != nil {
				writeJSON(w, http.StatusForbidden, common.ErrorResponse{Message: err.Error()})
				return
			}
		}
		if r.Method == http.MethodOptions && s.CORSOrigin != "" {
			// A preflight: the headers above answer it.
			w.WriteHeader(http.StatusOK)
			return
		}
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
