package api

import "net/http"

// CORS headers podman's service sets with --cors, beside the origin.
const (
	corsAllowHeaders = "Origin, X-Requested-With, Content-Type, Accept, X-Registry-Auth, Connection, Upgrade, X-Registry-Config"
	corsAllowMethods = "HEAD, GET, POST, DELETE, PUT, OPTIONS"
)

// setCORS adds podman's CORS headers to every response when the service
// was given an origin (--cors), whether or not the request has one.
func (s *Server) setCORS(w http.ResponseWriter) {
	if s.CORSOrigin == "" {
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", s.CORSOrigin)
	h.Set("Access-Control-Allow-Headers", corsAllowHeaders)
	h.Set("Access-Control-Allow-Methods", corsAllowMethods)
}

// corsAllows tells whether --cors lets a browser's request through the
// refusal of web pages: every request with "*", the named origin's
// requests otherwise. An explicit --cors is the user's opt-in to let that
// origin drive the API.
func (s *Server) corsAllows(r *http.Request) bool {
	switch s.CORSOrigin {
	case "":
		return false
	case "*":
		return true
	}
	return r.Header.Get("Origin") == s.CORSOrigin
}
