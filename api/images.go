package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.podman.io/image/v5/types"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/images"
)

func (s *Server) imageList(w http.ResponseWriter, r *http.Request) {
	st, err := s.Engine.Store()
	if err != nil {
		writeError(w, err)
		return
	}
	specs, err := filterSpecs(r)
	if err != nil {
		writeError(w, err)
		return
	}
	filters, err := images.ParseFilters(specs)
	if err != nil {
		writeError(w, err)
		return
	}
	list, err := images.List(r.Context(), st)
	if err != nil {
		writeError(w, err)
		return
	}
	all := boolParam(r, "all")
	out := []map[string]any{}
	for _, im := range list {
		if (im.Intermediate && !all) || !images.Match(im, filters) {
			continue
		}
		tags := im.Names
		if tags == nil {
			tags = []string{}
		}
		out = append(out, map[string]any{
			"Id": "sha256:" + im.ID, "ParentId": "", "RepoTags": tags, "RepoDigests": []string{}, "Created": im.Created.Unix(),
			"Size": im.Size, "VirtualSize": im.Size, "SharedSize": -1, "Labels": map[string]string{}, "Containers": -1,
		})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) imageCreate(w http.ResponseWriter, r *http.Request) {
	ref := r.URL.Query().Get("fromImage")
	if tag := r.URL.Query().Get("tag"); tag != "" {
		if strings.HasPrefix(tag, "sha256:") {
			ref += "@" + tag
		} else {
			ref += ":" + tag
		}
	}
	st, err := s.Engine.Store()
	if err != nil {
		writeError(w, err)
		return
	}
	o := images.PullOptions{Quiet: true, Credentials: registryAuth(r)}
	if loopbackRegistry(ref) {
		o.TLSVerify = types.OptionalBoolFalse
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	img, err := images.Pull(r.Context(), st, ref, o)
	if err != nil {
		// Errors before any output get their status; docker clients also
		// read an "error" line in the stream.
		if errdefs.Is(err, errdefs.ClassNotFound) || errdefs.Is(err, errdefs.ClassUnauthorized) || errdefs.Is(err, errdefs.ClassInvalid) {
			writeError(w, err)
			return
		}
		w.WriteHeader(http.StatusOK)
		enc.Encode(map[string]any{"error": err.Error(), "errorDetail": map[string]string{"message": err.Error()}})
		return
	}
	w.WriteHeader(http.StatusOK)
	enc.Encode(map[string]string{"status": "Pulling from " + ref})
	enc.Encode(map[string]string{"status": "Digest: " + img.Digest.String()})
	enc.Encode(map[string]string{"status": "Status: Downloaded newer image for " + ref})
}

func (s *Server) imageInspectRoute(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if n, ok := strings.CutSuffix(name, "/json"); ok {
		s.imageInspect(w, r, n)
		return
	}
	if n, ok := strings.CutSuffix(name, "/history"); ok {
		s.imageHistory(w, r, n)
		return
	}
	if n, ok := strings.CutSuffix(name, "/get"); ok {
		s.imageGet(w, r, n)
		return
	}
	if name == "get" {
		s.imageGet(w, r, r.URL.Query().Get("names"))
		return
	}
	writeError(w, errdefs.NotFound(fmt.Errorf("no route for GET /images/%s", name)))
}

func (s *Server) imagePostRoute(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if n, ok := strings.CutSuffix(name, "/tag"); ok {
		s.imageTag(w, r, n)
		return
	}
	if n, ok := strings.CutSuffix(name, "/push"); ok {
		s.imagePush(w, r, n)
		return
	}
	writeError(w, errdefs.NotFound(fmt.Errorf("no route for POST /images/%s", name)))
}

func (s *Server) imageInspect(w http.ResponseWriter, r *http.Request, name string) {
	st, img, ok := s.image(w, name)
	if !ok {
		return
	}
	d, err := images.Inspect(r.Context(), st, img)
	if err != nil {
		writeError(w, err)
		return
	}
	created := ""
	if d.Created != nil {
		created = d.Created.UTC().Format(time.RFC3339Nano)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"Id": "sha256:" + d.ID, "RepoTags": d.RepoTags, "RepoDigests": d.RepoDigests, "Created": created,
		"Config": d.Config, "Architecture": d.Architecture, "Os": d.Os, "Size": d.Size, "VirtualSize": d.Size,
		"RootFS": map[string]any{"Type": d.RootFS.Type, "Layers": d.RootFS.Layers}, "Author": d.Author,
	})
}

func (s *Server) imageRemove(w http.ResponseWriter, r *http.Request) {
	st, err := s.Engine.Store()
	if err != nil {
		writeError(w, err)
		return
	}
	users := func(id string) []string {
		var n []string
		ctrs, _ := s.Engine.List()
		for _, c := range ctrs {
			if c.ImageID == id {
				n = append(n, c.Name)
			}
		}
		return n
	}
	untagged, deleted, err := images.Remove(st, r.PathValue("name"), boolParam(r, "force"), users, func(id string) error {
		ctrs, _ := s.Engine.List()
		for _, c := range ctrs {
			if c.ImageID == id {
				if err := s.Engine.Remove(r.Context(), c, true); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		writeError(w, err)
		return
	}
	out := []map[string]string{}
	for _, u := range untagged {
		out = append(out, map[string]string{"Untagged": u})
	}
	if deleted != "" {
		out = append(out, map[string]string{"Deleted": "sha256:" + deleted})
	}
	writeJSON(w, http.StatusOK, out)
}

// commit makes an image of a container (POST /commit). A request with no
// body is valid: the SDK sends none when it has no Config.
func (s *Server) commit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c, err := s.Engine.Get(q.Get("container"))
	if err != nil {
		writeError(w, err)
		return
	}
	ref := q.Get("repo")
	if ref != "" && q.Get("tag") != "" {
		ref += ":" + q.Get("tag")
	}
	img, err := s.Engine.Commit(r.Context(), c, ref, engine.CommitOptions{Changes: q["changes"], Message: q.Get("comment"), Author: q.Get("author")},
		images.PullOptions{Quiet: true})
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"Id": "sha256:" + img.ID})
}

func (s *Server) imageTag(w http.ResponseWriter, r *http.Request, name string) {
	st, img, ok := s.image(w, name)
	if !ok {
		return
	}
	ref := r.URL.Query().Get("repo")
	if t := r.URL.Query().Get("tag"); t != "" {
		ref += ":" + t
	}
	if err := images.Tag(st, img, ref); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

func (s *Server) imagePush(w http.ResponseWriter, r *http.Request, name string) {
	st, err := s.Engine.Store()
	if err != nil {
		writeError(w, err)
		return
	}
	if t := r.URL.Query().Get("tag"); t != "" {
		name += ":" + t
	}
	o := images.PullOptions{Quiet: true, Credentials: registryAuth(r)}
	if loopbackRegistry(name) {
		o.TLSVerify = types.OptionalBoolFalse
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	if err := images.Push(r.Context(), st, name, "", o); err != nil {
		enc.Encode(map[string]any{"error": err.Error(), "errorDetail": map[string]string{"message": err.Error()}})
		return
	}
	enc.Encode(map[string]string{"status": "Pushed " + name})
}

func (s *Server) imageHistory(w http.ResponseWriter, r *http.Request, name string) {
	st, img, ok := s.image(w, name)
	if !ok {
		return
	}
	hist, err := images.History(r.Context(), st, img)
	if err != nil {
		writeError(w, err)
		return
	}
	out := []map[string]any{}
	for i, h := range hist {
		id := h.ID
		if i == 0 {
			id = "sha256:" + id
		}
		out = append(out, map[string]any{"Id": id, "Created": h.Created.Unix(), "CreatedBy": h.CreatedBy, "Tags": nil, "Size": h.Size, "Comment": h.Comment})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) imagePrune(w http.ResponseWriter, r *http.Request) {
	st, err := s.Engine.Store()
	if err != nil {
		writeError(w, err)
		return
	}
	specs, err := filterSpecs(r)
	if err != nil {
		writeError(w, err)
		return
	}
	// dangling=false is docker image prune -a.
	all := false
	for _, f := range specs {
		switch f {
		case "dangling=false", "dangling=0":
			all = true
		case "dangling=true", "dangling=1":
		default:
			writeError(w, errdefs.Invalid(fmt.Errorf("unsupported prune filter %q: burrow knows dangling", f)))
			return
		}
	}
	ids, err := images.Prune(r.Context(), st, all)
	if err != nil {
		writeError(w, err)
		return
	}
	deleted := []map[string]string{}
	for _, id := range ids {
		deleted = append(deleted, map[string]string{"Deleted": "sha256:" + id})
	}
	writeJSON(w, http.StatusOK, map[string]any{"ImagesDeleted": deleted, "SpaceReclaimed": 0})
}

func (s *Server) imageGet(w http.ResponseWriter, r *http.Request, name string) {
	st, err := s.Engine.Store()
	if err != nil {
		writeError(w, err)
		return
	}
	tmp, err := os.MkdirTemp("", "burrow-save-")
	if err != nil {
		writeError(w, err)
		return
	}
	defer os.RemoveAll(tmp)
	file := filepath.Join(tmp, "image.tar")
	if err := images.Save(r.Context(), st, name, file, "docker-archive", images.PullOptions{Quiet: true}); err != nil {
		writeError(w, err)
		return
	}
	f, err := os.Open(file)
	if err != nil {
		writeError(w, err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/x-tar")
	w.WriteHeader(http.StatusOK)
	io.Copy(w, f)
}

func (s *Server) imageLoad(w http.ResponseWriter, r *http.Request) {
	st, err := s.Engine.Store()
	if err != nil {
		writeError(w, err)
		return
	}
	f, err := os.CreateTemp("", "burrow-load-")
	if err != nil {
		writeError(w, err)
		return
	}
	defer os.Remove(f.Name())
	io.Copy(f, r.Body)
	f.Close()
	names, err := images.Load(r.Context(), st, f.Name(), images.PullOptions{Quiet: true})
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	for _, n := range names {
		enc.Encode(map[string]string{"stream": "Loaded image: " + n + "\n"})
	}
}
