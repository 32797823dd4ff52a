package build

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"go.podman.io/storage/pkg/archive"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/extract"
)

// Stdin is what `build -` or `build -f -` read from standard input, kept
// in a temporary directory for the build: ContextDir and File replace the
// options' "-".
type Stdin struct {
	ContextDir string
	File       string
	tmp        string
}

// Remove deletes the temporary directory.
func (s *Stdin) Remove() error { return os.RemoveAll(s.tmp) }

// ReadStdin takes stdin as podman's build does: with the context "-",
// stdin is a tar archive of the context (plain or compressed), else a
// Containerfile alone, built with an empty context; with -f -, stdin is
// the Containerfile and the context is the one given. A context from an
// archive is extracted confined to its directory.
func ReadStdin(r io.Reader, contextDir, file string) (*Stdin, error) {
	if contextDir == "-" && file == "-" {
		return nil, errdefs.Invalid(fmt.Errorf("the context - and -f - both read stdin: give a context directory or a Containerfile"))
	}
	tmp, err := os.MkdirTemp("", "burrow-build-stdin-")
	if err != nil {
		return nil, err
	}
	s := &Stdin{ContextDir: contextDir, File: file, tmp: tmp}
	if err := s.read(r); err != nil {
		s.Remove()
		return nil, err
	}
	return s, nil
}

func (s *Stdin) read(r io.Reader) error {
	spool := filepath.Join(s.tmp, "stdin")
	f, err := os.OpenFile(spool, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("reading the build's stdin: %w", err)
	}
	if s.File == "-" {
		s.File = spool
		return nil
	}
	ctxDir := filepath.Join(s.tmp, "context")
	if err := os.Mkdir(ctxDir, 0o700); err != nil {
		return err
	}
	s.ContextDir = ctxDir
	if !isTarArchive(spool) {
		if s.File != "" {
			return errdefs.Invalid(fmt.Errorf("-f %s with the context - needs a tar archive of the context on stdin, not a Containerfile", s.File))
		}
		s.File = filepath.Join(s.tmp, "Containerfile")
		return os.Rename(spool, s.File)
	}
	if s.File != "" && !filepath.IsAbs(s.File) {
		s.File = filepath.Join(ctxDir, s.File)
	}
	return extractContext(spool, ctxDir)
}

// extractContext unpacks the archive at p into dir, no entry or symlink
// leading a write out of it.
func extractContext(p, dir string) error {
	f, err := openNoFollow(p)
	if err != nil {
		return err
	}
	defer f.Close()
	rc, err := archive.DecompressStream(f)
	if err != nil {
		return fmt.Errorf("reading the build context from stdin: %w", err)
	}
	defer rc.Close()
	return extract.Extract(rc, dir, "/", extract.Options{What: "the build context from stdin", UID: -1, GID: -1})
}
