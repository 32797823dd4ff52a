package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"sort"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

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

// filterArgs reads the filters parameter, JSON as docker clients send it:
// {"status":["running"]}, or the older {"status":{"running":true}}.
func filterArgs(r *http.Request) (map[string][]string, error) {
	raw := r.URL.Query().Get("filters")
	if raw == "" {
		return map[string][]string{}, nil
	}
	var lists map[string][]string
	if err := json.Unmarshal([]byte(raw), &lists); err == nil {
		return lists, nil
	}
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
	return lists, nil
}

// filterSpecs is the filters parameter as KEY=VALUE specs, sorted.
func filterSpecs(r *http.Request) ([]string, error) {
	lists, err := filterArgs(r)
	if err != nil {
		return nil, err
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

// notFromBrowser refuses a request a web browser sends: with an Origin
// (every cross-site request that can change state carries one) or the
// Sec-Fetch- headers browsers add to every request. A page must not drive
// the API, be it through a TCP port or a DNS name rebound to it, unless
// the user named its origin with --cors (Server.corsAllows).
func notFromBrowser(r *http.Request) error {
	if o := r.Header.Get("Origin"); o != "" {
		return fmt.Errorf("refused: a web browser sent this request (Origin %s); the Docker API serves programs, not web pages (system service --cors ORIGIN lets one origin's pages in)", o)
	}
	if r.Header.Get("Sec-Fetch-Mode") != "" || r.Header.Get("Sec-Fetch-Site") != "" {
		return errors.New("refused: a web browser sent this request (Sec-Fetch- headers); the Docker API serves programs, not web pages")
	}
	return nil
}

// maxJSONBody bounds a JSON request body (a create request with a seccomp
// profile is some tens of kilobytes).
const maxJSONBody = 8 << 20

// jsonBody serves h with a JSON body only, as dockerd's CheckForJSON: a
// body must say Content-Type application/json (no Content-Type passes
// when there is no body), so that a web page's form or text/plain post
// is refused; and it is bounded.
func jsonBody(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := checkJSON(r); err != nil {
			writeError(w, err)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
		h(w, r)
	}
}

func checkJSON(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" && (r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0) {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return errdefs.Invalid(fmt.Errorf("malformed Content-Type %q: a JSON body needs Content-Type application/json", ct))
	}
	if mt != "application/json" {
		return errdefs.Invalid(fmt.Errorf("unsupported Content-Type %q: a JSON body needs Content-Type application/json", ct))
	}
	return nil
}
