package api

import (
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"

	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/types"

	"github.com/moby/moby/api/types/registry"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// registryAuth decodes X-Registry-Auth (base64url JSON).
func registryAuth(r *http.Request) *types.DockerAuthConfig {
	h := r.Header.Get("X-Registry-Auth")
	if h == "" {
		return nil
	}
	b, err := base64.URLEncoding.DecodeString(h)
	if err != nil {
		if b, err = base64.StdEncoding.DecodeString(h); err != nil {
			return nil
		}
	}
	var a registry.AuthConfig
	if json.Unmarshal(b, &a) != nil || (a.Username == "" && a.IdentityToken == "") {
		return nil
	}
	return &types.DockerAuthConfig{Username: a.Username, Password: a.Password, IdentityToken: a.IdentityToken}
}

// loopbackRegistry tells the Docker engine's rule: a registry on
// 127.0.0.0/8 or localhost may be plain HTTP without configuration.
func loopbackRegistry(ref string) bool {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return false
	}
	host := reference.Domain(named)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *Server) auth(w http.ResponseWriter, r *http.Request) {
	var b registry.AuthConfig
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		writeError(w, errdefs.Invalid(err))
		return
	}
	o := engine.PullOptions{}
	if loopbackRegistry(b.ServerAddress + "/x") {
		o.TLSVerify = types.OptionalBoolFalse
	}
	// Checked only: the docker client keeps its credentials itself.
	if err := s.Engine.CheckLogin(r.Context(), b.ServerAddress, b.Username, b.Password, o); err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, registry.AuthResponse{Status: "Login Succeeded"})
}

// registryOptions are the options of a request's look at the registry of
// ref: the client's credentials (X-Registry-Auth), and plain HTTP for a
// loopback registry.
func registryOptions(r *http.Request, ref string) engine.PullOptions {
	o := engine.PullOptions{Quiet: true, Credentials: registryAuth(r)}
	if loopbackRegistry(ref) {
		o.TLSVerify = types.OptionalBoolFalse
	}
	return o
}
