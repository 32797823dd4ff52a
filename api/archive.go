package api

import (
	"archive/tar"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/moby/moby/api/types/container"

	"github.com/burrow-containers/burrow/errdefs"
)

// pathStat is the X-Docker-Container-Path-Stat header: the path's
// description, base64 JSON.
func pathStat(fi os.FileInfo, name, link string) string {
	b, _ := json.Marshal(container.PathStat{Name: name, Size: fi.Size(), Mode: fi.Mode(), Mtime: fi.ModTime(), LinkTarget: link})
	return base64.StdEncoding.EncodeToString(b)
}

func (s *Server) archiveGet(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	p := r.URL.Query().Get("path")
	tmp, err := os.MkdirTemp("", "burrow-archive-")
	if err != nil {
		writeError(w, err)
		return
	}
	defer os.RemoveAll(tmp)
	base := filepath.Base(filepath.Clean(p))
	if err := s.Engine.CopyFrom(c, p, filepath.Join(tmp, base)); err != nil {
		writeError(w, err)
		return
	}
	fi, err := os.Lstat(filepath.Join(tmp, base))
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("X-Docker-Container-Path-Stat", pathStat(fi, base, ""))
	if r.Method == http.MethodHead {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/x-tar")
	w.WriteHeader(http.StatusOK)
	tw := tar.NewWriter(w)
	filepath.Walk(filepath.Join(tmp, base), func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(tmp, path)
		link := ""
		if info.Mode()&os.ModeSymlink != 0 {
			link, _ = os.Readlink(path)
		}
		h, err := tar.FileInfoHeader(info, link)
		if err != nil {
			return nil
		}
		h.Name = rel
		if info.IsDir() {
			h.Name += "/"
		}
		tw.WriteHeader(h)
		if info.Mode().IsRegular() {
			if f, err := os.Open(path); err == nil {
				io.Copy(tw, f)
				f.Close()
			}
		}
		return nil
	})
	tw.Close()
}

func (s *Server) archivePut(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	dst := r.URL.Query().Get("path")
	tmp, err := os.MkdirTemp("", "burrow-archive-")
	if err != nil {
		writeError(w, err)
		return
	}
	defer os.RemoveAll(tmp)
	// Unpacked here first (names checked to stay in tmp), then copied into
	// the container the way burrow cp does: chrooted, links resolved inside.
	tr := tar.NewReader(r.Body)
	var tops []string
	seen := map[string]bool{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			writeError(w, errdefs.Invalid(fmt.Errorf("reading the archive: %w", err)))
			return
		}
		target := filepath.Join(tmp, filepath.Clean("/"+h.Name))
		if rel, _ := filepath.Rel(tmp, target); rel == "." {
			continue
		}
		first := filepath.Clean("/" + h.Name)[1:]
		if i := indexSlash(first); i >= 0 {
			first = first[:i]
		}
		top := filepath.Join(tmp, first)
		if !seen[top] {
			seen[top] = true
			tops = append(tops, top)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			os.MkdirAll(target, 0o755)
		case tar.TypeReg:
			os.MkdirAll(filepath.Dir(target), 0o755)
			f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, os.FileMode(h.Mode)&0o777)
			if err != nil {
				writeError(w, err)
				return
			}
			io.Copy(f, tr)
			f.Close()
		case tar.TypeSymlink:
			os.MkdirAll(filepath.Dir(target), 0o755)
			os.Symlink(h.Linkname, target)
		}
	}
	for _, top := range tops {
		if err := s.Engine.CopyTo(c, top, dst+"/"); err != nil {
			writeError(w, err)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

func indexSlash(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '/' {
			return i
		}
	}
	return -1
}
