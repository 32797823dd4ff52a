package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"

	cstorage "go.podman.io/storage"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/images"
)

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
