// Package userns gives a non-root user the user namespace that every burrow
// invocation shares, as rootless podman does.
//
// The namespace is held by a pause process (role "pause") created on first
// use with the user's /etc/subuid and /etc/subgid ranges written by the setuid
// helpers newuidmap and newgidmap: 0 maps to the user, 1..N to the
// subordinate ranges. Later invocations join it, together with its mount
// namespace, from an ELF constructor that runs before the Go runtime starts
// (join_linux.c), because a multithreaded process cannot join either. See
// docs/userns.md for the protocol.
package userns
