package errdefs

import "errors"

// Class is the kind of an error, as callers need to tell them apart.
type Class int

const (
	// Unknown is the class of errors that carry no class.
	Unknown Class = iota
	// ClassNotFound: the named object (image, container, file) does not exist.
	ClassNotFound
	// ClassConflict: the request clashes with existing state (a name in use).
	ClassConflict
	// ClassInvalid: the request itself is malformed.
	ClassInvalid
	// ClassUnavailable: a prerequisite of the host is missing (subuid range, helper binary).
	ClassUnavailable
	// ClassUnauthorized: a registry refused the credentials (or their absence).
	ClassUnauthorized
	// ClassCannotInvoke: the container command exists but cannot be executed (exit 126).
	ClassCannotInvoke
	// ClassCommandNotFound: the container command does not exist (exit 127).
	ClassCommandNotFound
)

func (c Class) String() string {
	switch c {
	case ClassNotFound:
		return "not found"
	case ClassConflict:
		return "conflict"
	case ClassInvalid:
		return "invalid"
	case ClassUnavailable:
		return "unavailable"
	case ClassUnauthorized:
		return "unauthorized"
	case ClassCannotInvoke:
		return "cannot invoke"
	case ClassCommandNotFound:
		return "command not found"
	}
	return "unknown"
}

type classed struct {
	class Class
	err   error
}

func (e *classed) Error() string { return e.err.Error() }
func (e *classed) Unwrap() error { return e.err }

// WithClass returns err marked with class c; nil stays nil.
func WithClass(c Class, err error) error {
	if err == nil {
		return nil
	}
	return &classed{class: c, err: err}
}

// NotFound marks err as ClassNotFound.
func NotFound(err error) error { return WithClass(ClassNotFound, err) }

// Conflict marks err as ClassConflict.
func Conflict(err error) error { return WithClass(ClassConflict, err) }

// Invalid marks err as ClassInvalid.
func Invalid(err error) error { return WithClass(ClassInvalid, err) }

// Unavailable marks err as ClassUnavailable.
func Unavailable(err error) error { return WithClass(ClassUnavailable, err) }

// Unauthorized marks err as ClassUnauthorized.
func Unauthorized(err error) error { return WithClass(ClassUnauthorized, err) }

// ClassOf returns the outermost class found in err's chain, or Unknown.
func ClassOf(err error) Class {
	var c *classed
	if errors.As(err, &c) {
		return c.class
	}
	return Unknown
}

// Is reports whether err carries class c.
func Is(err error, c Class) bool { return ClassOf(err) == c }

// ExitCode maps an error to podman's exit codes: 126 when the container
// command cannot be invoked, 127 when it is not found, 125 for every other
// failure of the tool itself, 0 for nil.
func ExitCode(err error) int {
	if err == nil {
		return 0
	}
	switch ClassOf(err) {
	case ClassCannotInvoke:
		return 126
	case ClassCommandNotFound:
		return 127
	}
	return 125
}
