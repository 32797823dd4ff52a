// Package monitor runs a container away from the command that created it.
//
// Every started container gets a monitor: a small C process (monitor.h and
// its *_linux.c files, one per phase of its life, run from an ELF
// constructor so the Go runtime never starts in it) that outlives the CLI
// and the user's terminal. It clones the container's init itself, playing
// the parent half of package sandbox's init protocol in C, so the init is
// its own child. It then holds the container's stdio (pipes or the pty
// master), appends its output to the log in the k8s-file format podman
// uses, serves attach connections on a socket in the container's run directory without
// ever waiting on one, and when the init exits writes the exit code to the
// file "exit" and, unless an attached client did it, execs `burrow
// container cleanup ID`.
//
// docs/monitor.md has the protocol: environment, descriptors and the packet
// format of attach connections, whose kinds packets.h defines for both
// halves.
package monitor
