// Package monitor runs a container away from the command that created it.
//
// Every started container gets a monitor: a small C process (monitor_linux.c,
// run from an ELF constructor so the Go runtime never starts in it) that
// outlives the CLI and the user's terminal. It is a child subreaper: it
// spawns a short-lived Go "starter" that builds the container with package
// sandbox and exits, so the container's init becomes the monitor's child.
// The monitor then holds the container's stdio (pipes or the pty master),
// appends its output to the log in the k8s-file format podman uses, serves
// attach connections on a socket in the container's run directory, and when
// the init exits writes the exit code to the file "exit" and execs
// `burrow container cleanup ID`.
//
// docs/monitor.md has the protocol: environment, descriptors and the packet
// format of attach connections.
package monitor
