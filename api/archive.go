package api

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/moby/api/types/container"
	"go.podman.io/storage/pkg/archive"
	"go.podman.io/storage/pkg/chrootarchive"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/extract"
)

// archivePath is a path of GET and HEAD /containers/{id}/archive, found in
// the container's root as docker finds it.
type archivePath struct {
	abs      string // the path in the root: absolute, clean, "/." kept
	name     string // the last component of the path asked for, which names the top entry
	resolved string // on the host, under the root: the directories on the way resolved inside it, the last component as it is (followed with a trailing "/")
	stat     container.PathStat
}

// archiveAbs is p made absolute and clean, a "/." suffix kept.
func archiveAbs(p string) string {
	abs := path.Clean("/" + p)
	if strings.HasSuffix(p, "/.") && abs != "/" {
		abs += "/."
	}
	return abs
}

// findArchivePath resolves p in root, the container's root or the source
// of the mount p lies in (engine.WithContainerPath), for asked, the
// container's path.
func findArchivePath(rootfs, p, asked string) (*archivePath, error) {
	abs := archiveAbs(p)
	a := &archivePath{abs: abs, name: path.Base(archiveAbs(asked))}
	var err error
	if strings.HasSuffix(p, "/") || strings.HasSuffix(p, "/.") || abs == "/" {
		a.resolved, err = securejoin.SecureJoin(rootfs, abs)
	} else {
		var dir string
		dir, err = securejoin.SecureJoin(rootfs, path.Dir(abs))
		a.resolved = filepath.Join(dir, path.Base(abs))
	}
	if err != nil {
		return nil, err
	}
	fi, err := os.Lstat(a.resolved)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, errdefs.NotFound(fmt.Errorf("could not find the file %s in the container", asked))
		}
		return nil, err
	}
	a.stat = container.PathStat{Name: a.name, Size: fi.Size(), Mode: fi.Mode(), Mtime: fi.ModTime()}
	if fi.Mode()&os.ModeSymlink != 0 {
		// Where the link leads, inside the container.
		if target, err := securejoin.SecureJoin(rootfs, abs); err == nil {
			if rel, err := filepath.Rel(rootfs, target); err == nil {
				a.stat.LinkTarget = path.Join("/", filepath.ToSlash(rel))
			}
		}
	}
	return a, nil
}

// header is the X-Docker-Container-Path-Stat header: the stat, base64 JSON.
func (a *archivePath) header() string {
	b, _ := json.Marshal(a.stat)
	return base64.StdEncoding.EncodeToString(b)
}

// tar streams the path as docker cp expects it: one top entry named as
// the path's last component, made in a chroot of the container's root
// (links in it cannot lead the reads out) and never copied to the host.
func (a *archivePath) tar(rootfs string) (io.ReadCloser, error) {
	dir, base := filepath.Split(a.resolved)
	rebase := a.name
	if strings.HasSuffix(a.abs, "/.") || filepath.Clean(a.resolved) == filepath.Clean(rootfs) {
		dir, base, rebase = a.resolved, ".", "."
	}
	return chrootarchive.Tar(dir, &archive.TarOptions{
		IncludeFiles: []string{base}, IncludeSourceDir: true, RebaseNames: map[string]string{base: rebase},
	}, rootfs)
}

// archiveGet is GET and HEAD /containers/{id}/archive (docker cp out of a
// container): the archive streams from the container's root to the client.
func (s *Server) archiveGet(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	asked := r.URL.Query().Get("path")
	err := s.Engine.WithContainerPath(c, asked, true, func(rootfs, p string, _, _ int) error {
		a, err := findArchivePath(rootfs, p, asked)
		if err != nil {
			return err
		}
		w.Header().Set("X-Docker-Container-Path-Stat", a.header())
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusOK)
			return nil
		}
		rd, err := a.tar(rootfs)
		if err != nil {
			return err
		}
		defer rd.Close()
		w.Header().Set("Content-Type", "application/x-tar")
		w.WriteHeader(http.StatusOK)
		if _, err := io.Copy(w, rd); err != nil {
			fmt.Fprintf(os.Stderr, "burrow: sending %s:%s: %v\n", c.Name, a.abs, err)
		}
		return nil
	})
	if err != nil {
		writeError(w, err)
	}
}

// archivePut is PUT /containers/{id}/archive (docker cp into a container):
// the tar streams from the request into the directory path of the
// container's root, every name and link resolved inside that root, owned
// by the container's root user.
func (s *Server) archivePut(w http.ResponseWriter, r *http.Request) {
	c, ok := s.container(w, r)
	if !ok {
		return
	}
	dst := r.URL.Query().Get("path")
	err := s.Engine.WithContainerPath(c, dst, false, func(rootfs, p string, uid, gid int) error {
		rd, err := archive.DecompressStream(s.limitBody(w, r))
		if err != nil {
			return s.overLimit(errdefs.Invalid(fmt.Errorf("reading the archive: %w", err)), "the archive")
		}
		defer rd.Close()
		err = extract.Extract(rd, rootfs, p, extract.Options{
			What: fmt.Sprintf("copying to %s:%s", c.Name, dst), UID: uid, GID: gid,
			NoDirOverNonDir: boolParam(r, "noOverwriteDirNonDir"), MaxBytes: s.uploadLimit(),
		})
		return s.overLimit(err, "the archive")
	})
	if err != nil {
		writeError(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}
