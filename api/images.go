package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/types"

	"github.com/moby/moby/api/types/common"
	"github.com/moby/moby/api/types/image"
	"github.com/moby/moby/api/types/registry"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

func (s *Server) imageList(w http.ResponseWriter, r *http.Request) {
	specs, err := filterSpecs(r)
	if err != nil {
		writeError(w, err)
		return
	}
	list, err := s.Engine.Images(r.Context())
	if err != nil {
		writeError(w, err)
		return
	}
	filters, err := engine.ParseImageFilters(specs, list)
	if err != nil {
		writeError(w, err)
		return
	}
	all := boolParam(r, "all")
	out := []imageSummary{}
	for _, im := range list {
		if (im.Intermediate && !all) || !engine.MatchImage(im, filters) {
			continue
		}
		out = append(out, newImageSummary(im))
	}
	writeJSON(w, http.StatusOK, out)
}

// imageSummary is an image as GET /images/json lists it. VirtualSize
// (its Size) is in API versions before 1.44.
type imageSummary struct {
	image.Summary
	VirtualSize int64
}

func newImageSummary(im engine.ImageSummary) imageSummary {
	return imageSummary{Summary: image.Summary{
		ID: "sha256:" + im.ID, RepoTags: familiarAll(im.Names), RepoDigests: repoDigests(im.Names, im.Digest), Created: im.Created.Unix(),
		Size: im.Size, SharedSize: -1, Labels: orEmpty(im.Labels), Containers: -1,
	}, VirtualSize: im.Size}
}

// imageCreate pulls an image (fromImage), or imports one (fromSrc).
func (s *Server) imageCreate(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("fromSrc") != "" {
		s.imageImport(w, r)
		return
	}
	if q.Get("platform") != "" && q.Get("platform") != runtime.GOOS+"/"+runtime.GOARCH {
		writeError(w, errdefs.Invalid(fmt.Errorf("platform %s: burrow pulls the images of %s/%s", q.Get("platform"), runtime.GOOS, runtime.GOARCH)))
		return
	}
	ref := q.Get("fromImage")
	if tag := q.Get("tag"); tag != "" {
		if strings.HasPrefix(tag, "sha256:") {
			ref += "@" + tag
		} else {
			ref += ":" + tag
		}
	}
	ref, err := dockerRef("fromImage", ref)
	if err != nil {
		writeError(w, err)
		return
	}
	o := registryOptions(r, ref)
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	img, err := s.Engine.Pull(r.Context(), ref, o)
	if err != nil {
		// Errors before any output get their status; docker clients also
		// read an "error" line in the stream.
		if errdefs.Is(err, errdefs.ClassNotFound) || errdefs.Is(err, errdefs.ClassUnauthorized) || errdefs.Is(err, errdefs.ClassInvalid) {
			writeError(w, err)
			return
		}
		w.WriteHeader(http.StatusOK)
		enc.Encode(errorMessage(err, 0))
		return
	}
	w.WriteHeader(http.StatusOK)
	enc.Encode(statusMessage("Pulling from " + ref))
	enc.Encode(statusMessage("Digest: " + img.Digest.String()))
	enc.Encode(statusMessage("Status: Downloaded newer image for " + ref))
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
	d, err := s.Engine.InspectImage(r.Context(), s.resolveImage(name))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, imageInspectResponse(d))
}

// imageInspectBody is GET /images/{name}/json. VirtualSize (its Size) is
// in API versions before 1.44.
type imageInspectBody struct {
	image.InspectResponse
	VirtualSize int64
}

func imageInspectResponse(d *engine.ImageInspect) imageInspectBody {
	out := imageInspectBody{InspectResponse: image.InspectResponse{
		ID: "sha256:" + d.ID, RepoTags: familiarAll(d.RepoTags), RepoDigests: familiarAll(d.RepoDigests), Config: &d.Config,
		Architecture: d.Architecture, Os: d.Os, Size: d.Size, Author: d.Author,
		RootFS: image.RootFS{Type: d.RootFS.Type, Layers: d.RootFS.Layers},
	}, VirtualSize: d.Size}
	if d.Created != nil {
		out.Created = d.Created.UTC().Format(time.RFC3339Nano)
	}
	return out
}

func (s *Server) imageRemove(w http.ResponseWriter, r *http.Request) {
	untagged, deleted, err := s.Engine.RemoveImageAndParents(r.Context(), s.resolveImage(r.PathValue("name")), boolParam(r, "force"))
	if err != nil {
		writeError(w, err)
		return
	}
	out := []image.DeleteResponse{}
	for _, u := range untagged {
		out = append(out, image.DeleteResponse{Untagged: familiar(u)})
	}
	for _, d := range deleted {
		out = append(out, image.DeleteResponse{Deleted: "sha256:" + d})
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
	if ref != "" {
		if ref, err = dockerRef("repo", ref); err != nil {
			writeError(w, err)
			return
		}
	}
	img, err := s.Engine.Commit(r.Context(), c, ref, engine.CommitOptions{Changes: q["changes"], Message: q.Get("comment"), Author: q.Get("author")},
		engine.PullOptions{Quiet: true})
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, common.IDResponse{ID: "sha256:" + img.ID})
}

func (s *Server) imageTag(w http.ResponseWriter, r *http.Request, name string) {
	ref := r.URL.Query().Get("repo")
	if t := r.URL.Query().Get("tag"); t != "" {
		ref += ":" + t
	}
	ref, err := dockerRef("repo", ref)
	if err != nil {
		writeError(w, err)
		return
	}
	if err := s.Engine.Tag(s.resolveImage(name), ref); err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

func (s *Server) imagePush(w http.ResponseWriter, r *http.Request, name string) {
	if t := r.URL.Query().Get("tag"); t != "" {
		name += ":" + t
	}
	o := engine.PullOptions{Quiet: true, Credentials: registryAuth(r), RemoveSignatures: true}
	if loopbackRegistry(name) {
		o.TLSVerify = types.OptionalBoolFalse
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	if err := s.Engine.Push(r.Context(), s.resolveImage(name), "", o); err != nil {
		enc.Encode(errorMessage(err, 0))
		return
	}
	enc.Encode(statusMessage("Pushed " + name))
}

func (s *Server) imageHistory(w http.ResponseWriter, r *http.Request, name string) {
	hist, err := s.Engine.ImageHistory(r.Context(), s.resolveImage(name))
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, historyResponse(hist))
}

// historyResponse is GET /images/{name}/history: the image's own ID on
// the newest entry, "<missing>" on the others.
func historyResponse(hist []engine.ImageHistoryEntry) []image.HistoryResponseItem {
	out := []image.HistoryResponseItem{}
	for i, h := range hist {
		id := h.ID
		if i == 0 {
			id = "sha256:" + id
		}
		out = append(out, image.HistoryResponseItem{ID: id, Created: h.Created.Unix(), CreatedBy: h.CreatedBy, Size: h.Size, Comment: h.Comment, Tags: h.Tags})
	}
	return out
}

func (s *Server) imagePrune(w http.ResponseWriter, r *http.Request) {
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
	ids, err := s.Engine.PruneImages(r.Context(), all)
	if err != nil {
		writeError(w, err)
		return
	}
	report := image.PruneReport{ImagesDeleted: []image.DeleteResponse{}}
	for _, id := range ids {
		report.ImagesDeleted = append(report.ImagesDeleted, image.DeleteResponse{Deleted: "sha256:" + id})
	}
	writeJSON(w, http.StatusOK, report)
}

func (s *Server) imageGet(w http.ResponseWriter, r *http.Request, name string) {
	tmp, err := os.MkdirTemp("", "burrow-save-")
	if err != nil {
		writeError(w, err)
		return
	}
	defer os.RemoveAll(tmp)
	file := filepath.Join(tmp, "image.tar")
	if err := s.Engine.Save(r.Context(), s.resolveImage(name), file, "docker-archive", engine.PullOptions{Quiet: true}); err != nil {
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
	dir, err := s.uploadDir("load")
	if err != nil {
		writeError(w, err)
		return
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "image.tar")
	if err := s.receive(w, r, file); err != nil {
		writeError(w, s.overLimit(err, "the image archive"))
		return
	}
	names, err := s.Engine.Load(r.Context(), file, engine.PullOptions{Quiet: true})
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	for _, n := range names {
		enc.Encode(textMessage("Loaded image: " + n + "\n"))
	}
}

// imageImport makes an image of a root filesystem tarball (POST
// /images/create?fromSrc=-, the body; a URL is refused), named repo:tag.
func (s *Server) imageImport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("fromSrc") != "-" {
		writeError(w, errdefs.Invalid(fmt.Errorf("fromSrc %q: burrow imports the request's body (fromSrc=-), not a URL", q.Get("fromSrc"))))
		return
	}
	ref := q.Get("repo")
	if ref != "" {
		if t := q.Get("tag"); t != "" {
			ref += ":" + t
		}
		var err error
		if ref, err = dockerRef("repo", ref); err != nil {
			writeError(w, err)
			return
		}
	}
	dir, err := s.uploadDir("import")
	if err != nil {
		writeError(w, err)
		return
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "rootfs.tar")
	if err := s.receive(w, r, file); err != nil {
		writeError(w, s.overLimit(err, "the root filesystem"))
		return
	}
	img, err := s.Engine.Import(r.Context(), file, ref, engine.ImportOptions{Changes: q["changes"], Message: q.Get("message")}, engine.PullOptions{Quiet: true})
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, statusMessage("sha256:"+img.ID))
}

// repoDigests are an image's name@digest forms, as dockerd shows them.
func repoDigests(names []string, digest string) []string {
	out := []string{}
	if digest == "" {
		return out
	}
	seen := map[string]bool{}
	for _, n := range names {
		named, err := reference.ParseNormalizedNamed(n)
		if err != nil || seen[named.Name()] {
			continue
		}
		seen[named.Name()] = true
		out = append(out, familiar(named.Name()+"@"+digest))
	}
	return out
}

// receive writes the request's body, within the upload limit, to file.
func (s *Server) receive(w http.ResponseWriter, r *http.Request, file string) error {
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, s.limitBody(w, r)); err != nil {
		f.Close()
		return fmt.Errorf("receiving the image archive: %w", err)
	}
	return f.Close()
}

// imageSearch is GET /images/search (docker search): the registry the term
// names, else registries.conf's unqualified-search ones, as podman's
// search; a loopback registry is spoken to over plain HTTP, as for pulls.
func (s *Server) imageSearch(w http.ResponseWriter, r *http.Request) {
	term := r.URL.Query().Get("term")
	if term == "" {
		writeError(w, errdefs.Invalid(errors.New("term is required: the name to search for")))
		return
	}
	so := engine.SearchOptions{}
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			writeError(w, errdefs.Invalid(fmt.Errorf("invalid limit %q: give a number", l)))
			return
		}
		so.Limit = n
	}
	var err error
	if so.Filters, err = filterSpecs(r); err != nil {
		writeError(w, err)
		return
	}
	reg, _, _ := strings.Cut(term, "/")
	o := registryOptions(r, reg+"/x")
	res, err := s.Engine.Search(r.Context(), term, so, o)
	if err != nil {
		writeError(w, err)
		return
	}
	out := []registry.SearchResult{}
	for _, x := range res {
		out = append(out, registry.SearchResult{Name: x.Name, Description: x.Description, StarCount: x.Stars, IsOfficial: x.Official == "[OK]"})
	}
	writeJSON(w, http.StatusOK, out)
}

// distributionInspect is GET /distribution/{name}/json: the registry's
// manifest descriptor for name and its platforms, nothing pulled (compose
// config --resolve-image-digests, compose publish).
func (s *Server) distributionInspect(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutSuffix(r.PathValue("name"), "/json")
	if !ok {
		writeError(w, errdefs.NotFound(fmt.Errorf("no such endpoint %s", r.URL.Path)))
		return
	}
	ref, err := dockerRef("name", name)
	if err != nil {
		writeError(w, err)
		return
	}
	o := registryOptions(r, ref)
	desc, platforms, err := s.Engine.Distribution(r.Context(), ref, o)
	if err != nil {
		writeError(w, err)
		return
	}
	if platforms == nil {
		platforms = []ocispec.Platform{}
	}
	writeJSON(w, http.StatusOK, registry.DistributionInspect{Descriptor: desc, Platforms: platforms})
}
