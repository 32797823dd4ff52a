package api

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"

	"github.com/moby/moby/api/types/common"
	"github.com/moby/moby/api/types/jsonstream"

	"github.com/burrow-containers/burrow/errdefs"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeError answers with the error's status and {"message": ...}, as the
// SDK's errdefs helpers expect.
func writeError(w http.ResponseWriter, err error) {
	writeJSON(w, errorStatus(err), common.ErrorResponse{Message: err.Error()})
}

// errorStatus maps error classes to the API's statuses; a request body
// over its limit is 413.
func errorStatus(err error) int {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return http.StatusRequestEntityTooLarge
	}
	switch errdefs.ClassOf(err) {
	case errdefs.ClassNotFound:
		return http.StatusNotFound
	case errdefs.ClassConflict:
		return http.StatusConflict
	case errdefs.ClassInvalid, errdefs.ClassCommandNotFound, errdefs.ClassCannotInvoke:
		// A container command that is missing or cannot run is the
		// request's fault, as dockerd's start answers it.
		return http.StatusBadRequest
	case errdefs.ClassUnauthorized:
		return http.StatusUnauthorized
	}
	return http.StatusInternalServerError
}

// streamMessage is one line of the JSON streams of pull, push, load and
// build. ErrorMessage repeats errorDetail's message under "error", the
// field clients older than errorDetail (docker-py among them) read.
type streamMessage struct {
	jsonstream.Message
	ErrorMessage string `json:"error,omitempty"`
}

func statusMessage(s string) streamMessage {
	return streamMessage{Message: jsonstream.Message{Status: s}}
}

func textMessage(s string) streamMessage {
	return streamMessage{Message: jsonstream.Message{Stream: s}}
}

func errorMessage(err error, code int) streamMessage {
	return streamMessage{
		Message:      jsonstream.Message{Error: &jsonstream.Error{Code: code, Message: err.Error()}},
		ErrorMessage: err.Error(),
	}
}

// auxMessage carries out-of-band data, as a build's image ID.
func auxMessage(v any) streamMessage {
	b, _ := json.Marshal(v)
	raw := json.RawMessage(b)
	return streamMessage{Message: jsonstream.Message{Aux: &raw}}
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
