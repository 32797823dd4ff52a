package main

import (
	"fmt"

	"github.com/burrow-containers/burrow/errdefs"
)

func invalidf(format string, a ...any) error {
	return errdefs.Invalid(fmt.Errorf(format, a...))
}

// exitError is an error that exits with a code of its own (podman's rm
// exits 1 for a missing container, 2 for a running one).
type exitError struct {
	err  error
	code int
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func withExit(err error, code int) error { return &exitError{err: err, code: code} }
