package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"

	securejoin "github.com/cyphar/filepath-securejoin"
	"go.podman.io/image/v5/types"
	"go.podman.io/storage/pkg/archive"
	"go.podman.io/storage/pkg/stringid"

	buildtypes "github.com/moby/moby/api/types/build"
	"github.com/moby/moby/api/types/container"

	"github.com/burrow-containers/burrow/build"
	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/extract"
)

// streamWriter sends what a build prints as the API's JSON stream
// messages, flushed as they come.
type streamWriter struct {
	mu  sync.Mutex
	enc *json.Encoder
	f   http.Flusher
}

func (s *streamWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.encode(textMessage(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// send writes one message of the stream.
func (s *streamWriter) send(m streamMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.encode(m)
}

func (s *streamWriter) encode(m streamMessage) error {
	if err := s.enc.Encode(m); err != nil {
		return err
	}
	if s.f != nil {
		s.f.Flush()
	}
	return nil
}

func queryBool(r *http.Request, name string) bool {
	v, _ := strconv.ParseBool(r.URL.Query().Get(name))
	return v
}

// imageBuild is POST /build: the body is the context as a tar (the docker
// CLI's legacy builder; BuildKit sessions are not served).
func (s *Server) imageBuild(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("version") == "2" {
		writeError(w, errdefs.Invalid(errors.New("burrow serves the classic builder only: set DOCKER_BUILDKIT=0 for docker build")))
		return
	}
	dir, err := s.uploadDir("build")
	if err != nil {
		writeError(w, err)
		return
	}
	defer os.RemoveAll(dir)
	if err := s.readContext(w, r, dir); err != nil {
		writeError(w, err)
		return
	}
	var tags []string
	for _, t := range q["t"] {
		full, err := dockerRef("t", t)
		if err != nil {
			writeError(w, err)
			return
		}
		tags = append(tags, full)
	}
	o := build.Options{
		ContextDir: dir, Tags: tags, Target: q.Get("target"), NoCache: queryBool(r, "nocache"),
		Squash: queryBool(r, "squash"), Layers: true, Pull: "missing",
	}
	if queryBool(r, "pull") {
		o.Pull = "always"
	}
	if f := q.Get("dockerfile"); f != "" {
		if o.File, err = securejoin.SecureJoin(dir, f); err != nil {
			writeError(w, errdefs.Invalid(err))
			return
		}
	}
	if nm := q.Get("networkmode"); nm == "none" || nm == "host" {
		o.Network = nm
	}
	if err := buildRunOptions(r, &o); err != nil {
		writeError(w, err)
		return
	}
	if v := q.Get("buildargs"); v != "" {
		var args map[string]*string
		if err := json.Unmarshal([]byte(v), &args); err != nil {
			writeError(w, errdefs.Invalid(fmt.Errorf("invalid buildargs: %w", err)))
			return
		}
		o.BuildArgs = map[string]string{}
		for k, v := range args {
			if v != nil {
				o.BuildArgs[k] = *v
			}
		}
	}
	if v := q.Get("labels"); v != "" {
		var labels map[string]string
		if err := json.Unmarshal([]byte(v), &labels); err != nil {
			writeError(w, errdefs.Invalid(fmt.Errorf("invalid labels: %w", err)))
			return
		}
		for k, v := range labels {
			o.Labels = append(o.Labels, k+"="+v)
		}
	}
	o.Registry.Credentials = registryAuth(r)
	for _, t := range o.Tags {
		if loopbackRegistry(t) {
			o.Registry.TLSVerify = types.OptionalBoolFalse
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	f, _ := w.(http.Flusher)
	out := &streamWriter{enc: json.NewEncoder(w), f: f}
	if !queryBool(r, "q") {
		o.Out = out
	}
	res, err := build.Build(r.Context(), s.Engine, o)
	if err != nil {
		code := 1
		var se *build.StepError
		if errors.As(err, &se) {
			code = se.Code
		}
		out.send(errorMessage(err, code))
		return
	}
	out.send(auxMessage(buildtypes.Result{ID: "sha256:" + res.ID}))
	if !queryBool(r, "q") {
		fmt.Fprintf(out, "Successfully built %s\n", stringid.TruncateID(res.ID))
	}
}

// readContext unpacks the build context, the request's tar (compressed or
// not), into dir with package extract: no entry lands outside dir, and
// neither the body nor the files it holds may pass the upload limit.
func (s *Server) readContext(w http.ResponseWriter, r *http.Request, dir string) error {
	rd, err := archive.DecompressStream(s.limitBody(w, r))
	if err != nil {
		return s.overLimit(errdefs.Invalid(fmt.Errorf("reading the build context: %w", err)), "the build context")
	}
	defer rd.Close()
	err = extract.Extract(rd, dir, "/", extract.Options{What: "reading the build context", UID: -1, GID: -1, MaxBytes: s.uploadLimit()})
	return s.overLimit(err, "the build context")
}

// buildPrune is POST /build/prune (docker builder prune, and the last step
// of docker system prune): the classic builder's cache is forgotten whole,
// as nothing of it is in use between builds. Filters and the storage to
// keep, which would spare part of it, are refused.
func (s *Server) buildPrune(w http.ResponseWriter, r *http.Request) {
	specs, err := filterSpecs(r)
	if err != nil {
		writeError(w, err)
		return
	}
	if len(specs) > 0 {
		writeError(w, errdefs.Invalid(fmt.Errorf("build cache prune filter %q: burrow forgets the whole build cache; leave the filters out", specs[0])))
		return
	}
	for _, keep := range []string{"keep-storage", "reserved-space", "max-used-space", "min-free-space"} {
		if v := r.URL.Query().Get(keep); v != "" && v != "0" {
			writeError(w, errdefs.Invalid(fmt.Errorf("build cache prune %s: burrow forgets the whole build cache; leave it out", keep)))
			return
		}
	}
	keys, err := s.Engine.ForgetBuildCache()
	if err != nil {
		writeError(w, err)
		return
	}
	if keys == nil {
		keys = []string{}
	}
	writeJSON(w, http.StatusOK, buildtypes.CachePruneReport{CachesDeleted: keys})
}

// buildRunOptions reads what POST /build asks of the containers of RUN
// steps (extrahosts, shmsize, ulimits) and of FROM's pulls (platform). The
// limits a classic build may set on RUN (memory, CPU) are refused when
// asked: burrow's RUN steps run without them.
func buildRunOptions(r *http.Request, o *build.Options) error {
	q := r.URL.Query()
	for _, name := range []string{"memory", "memswap", "cpushares", "cpuperiod", "cpuquota"} {
		if v := q.Get(name); v != "" && v != "0" && v != "-1" {
			return errdefs.Invalid(fmt.Errorf("%s=%s: burrow's RUN steps run without resource limits; leave it out", name, v))
		}
	}
	for _, name := range []string{"cpusetcpus", "cpusetmems", "cgroupparent"} {
		if v := q.Get(name); v != "" {
			return errdefs.Invalid(fmt.Errorf("%s=%s: burrow's RUN steps run without resource limits; leave it out", name, v))
		}
	}
	o.Run.AddHosts = q["extrahosts"]
	if v := q.Get("shmsize"); v != "" && v != "0" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return errdefs.Invalid(fmt.Errorf("invalid shmsize %q: give bytes", v))
		}
		o.Run.ShmSize = n
	}
	if v := q.Get("ulimits"); v != "" {
		var ulimits []*container.Ulimit
		if err := json.Unmarshal([]byte(v), &ulimits); err != nil {
			return errdefs.Invalid(fmt.Errorf("invalid ulimits: %w", err))
		}
		var err error
		if o.Run.Ulimits, err = ulimitSpecs("ulimits", ulimits); err != nil {
			return err
		}
	}
	o.Registry.Platform = q.Get("platform")
	return nil
}
