// Package extract unpacks a tar stream into a directory tree, confined to
// a root: the one extractor for archives burrow did not make, as build's
// ADD unpacks them and as the API service takes `docker cp` uploads and
// build contexts.
//
// Every path is resolved with openat2(RESOLVE_IN_ROOT) from a descriptor
// of the root, and every file is made relative to a descriptor of its
// parent directory, never through a path the host resolves: neither an
// absolute name, nor "../", nor a symlink (from the archive, or placed by
// a container running while the archive is unpacked) leads a write out of
// the root.
package extract
