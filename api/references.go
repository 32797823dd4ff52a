package api

import (
	"fmt"
	"strings"

	"go.podman.io/image/v5/docker/reference"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// Image references as dockerd takes them from API clients: a name without
// a registry is Docker Hub's (busybox:1 is docker.io/library/busybox:1),
// where burrow's CLI, as podman's, makes it localhost/'s. The service
// names what it stores (pull, commit, tag, build) the Docker way, and
// looks a name up the Docker way first, then podman's way, so that a
// Docker client finds the CLI's images and the reverse (images.Lookup
// completes short names with docker.io/library/ last).

// dockerRef is a name as dockerd stores it: fully qualified, :latest
// when it has no tag.
func dockerRef(field, name string) (string, error) {
	named, err := reference.ParseNormalizedNamed(name)
	if err != nil {
		return "", errdefs.Invalid(fmt.Errorf("%s: invalid reference %q: %w", field, name, err))
	}
	return reference.TagNameOnly(named).String(), nil
}

// familiar is a stored name as dockerd shows it to clients: Docker Hub's
// names short (busybox:latest), others whole (localhost/app:v1).
func familiar(name string) string {
	named, err := reference.ParseNormalizedNamed(name)
	if err != nil {
		return name
	}
	return reference.FamiliarString(named)
}

func familiarAll(names []string) []string {
	out := []string{}
	for _, n := range names {
		out = append(out, familiar(n))
	}
	return out
}

// resolveImage is what a request's image name means to the engine: the
// stored name dockerd's reading of it gives, when the store has it; else
// the name as given, which the engine resolves as podman does (an ID or
// ID prefix, localhost/ for a short name, a digest).
func (s *Server) resolveImage(name string) string {
	if name == "" || strings.HasPrefix(name, "sha256:") {
		return name
	}
	if full, err := dockerRef("", name); err == nil {
		if img, err := s.Engine.LookupImage(full); err == nil && hasName(img, full) {
			return full
		}
	}
	return name
}

func hasName(img *engine.Image, name string) bool {
	for _, n := range img.Names {
		if n == name {
			return true
		}
	}
	return false
}
