package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"

	units "github.com/docker/go-units"

	"github.com/burrow-containers/burrow/extract"
)

// DefaultUploadLimit is the most a request may put on disk unless the
// service is told otherwise (burrow system service --upload-limit).
const DefaultUploadLimit = 16 << 30

func (s *Server) uploadLimit() int64 {
	if s.UploadLimit > 0 {
		return s.UploadLimit
	}
	return DefaultUploadLimit
}

// uploadDir makes a directory for what one request uploads, on the
// store's disk: not in $TMPDIR (often a small tmpfs) nor in the run
// directory (a tmpfs).
func (s *Server) uploadDir(kind string) (string, error) {
	parent := filepath.Join(s.Engine.GraphRoot(), "burrow-uploads")
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return "", err
	}
	return os.MkdirTemp(parent, kind+"-")
}

// limitBody bounds r's body to the upload limit.
func (s *Server) limitBody(w http.ResponseWriter, r *http.Request) io.Reader {
	return http.MaxBytesReader(w, r.Body, s.uploadLimit())
}

// overLimit names the flag that raises the limit when err is a body, or
// an archive's files, over it; it returns err as it is otherwise.
func (s *Server) overLimit(err error, what string) error {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) || errors.Is(err, extract.ErrTooLarge) {
		return fmt.Errorf("%s is larger than the upload limit of %s: raise it with burrow system service --upload-limit SIZE: %w",
			what, units.BytesSize(float64(s.uploadLimit())), &http.MaxBytesError{Limit: s.uploadLimit()})
	}
	return err
}
