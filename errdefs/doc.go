// Package errdefs defines burrow's error classes. Libraries wrap errors with
// a class (NotFound, Conflict, Invalid, ...) so that the CLI can map them to
// podman's exit codes and the API service to HTTP statuses without matching
// strings.
package errdefs
