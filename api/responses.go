package api

import (
	"encoding/binary"
	"encoding/json"
	"io"
	"net/http"
	"sync"

	"github.com/burrow-containers/burrow/errdefs"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeError maps error classes to the API's statuses, as the SDK's
// errdefs helpers expect.
func writeError(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch errdefs.ClassOf(err) {
	case errdefs.ClassNotFound:
		status = http.StatusNotFound
	case errdefs.ClassConflict:
		status = http.StatusConflict
	case errdefs.ClassInvalid:
		status = http.StatusBadRequest
	case errdefs.ClassUnauthorized:
		status = http.StatusUnauthorized
	}
	writeJSON(w, status, map[string]string{"message": err.Error()})
}

// frameWriter writes the API's multiplexed stream framing: an 8-byte
// header (stream, 0, 0, 0, big-endian length) before each chunk.
type frameWriter struct {
	mu     *sync.Mutex
	w      io.Writer
	stream byte
}

func (f frameWriter) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	hdr := make([]byte, 8)
	hdr[0] = f.stream
	binary.BigEndian.PutUint32(hdr[4:], uint32(len(p)))
	if _, err := f.w.Write(append(hdr, p...)); err != nil {
		return 0, err
	}
	if fl, ok := f.w.(http.Flusher); ok {
		fl.Flush()
	}
	return len(p), nil
}
