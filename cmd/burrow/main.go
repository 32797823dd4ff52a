// Command burrow is a rootless, daemonless container tool with podman's
// command line. One binary plays several roles, chosen from the
// environment before any command-line parsing (docs/roles.md; names in
// package roles, the C roles started by the constructor in roles.go):
//
//	_BURROW_ROLE unset  the CLI (joins the user namespace in the constructor)
//	_BURROW_ROLE=pause  holds the user and mount namespaces (C only, userns/join_linux.c)
//	_BURROW_ROLE=monitor  a container's monitor (C only, monitor/monitor_linux.c)
//	_BURROW_ROLE=exec  joins a running container and execs a process there (C only, sandbox/nsenter_linux.c)
//	_BURROW_ROLE=port  forwards a container's published ports (slirp.PortMain)
//	_BURROW_ROLE=init  a container's init: builds its filesystem and execs its process (C only, sandbox/init_linux.c)
//	_BURROW_ROLE=infra  a pod's built-in infra process (C only, infra/pause_linux.c)
//	argv[0] storage-*   containers/storage's own helpers (layer unpacking in a chroot), reexec.Init
package main

import (
	"fmt"
	"os"

	"go.podman.io/storage/pkg/reexec"

	_ "github.com/burrow-containers/burrow/infra" // the infra role, in C (started in roles.go)
	"github.com/burrow-containers/burrow/roles"
	"github.com/burrow-containers/burrow/slirp"
)

func main() {
	traceStart()
	// containers/storage re-executes the binary under names such as
	// "storage-untar" to unpack layers inside a chroot; those run here.
	if reexec.Init() {
		return
	}
	switch role := os.Getenv(roles.Env); role {
	case "":
		tuneGC()
		os.Exit(runCLI(os.Args[1:]))
	case roles.Port:
		slirp.PortMain()
	default:
		// "pause", "monitor", "init" and "exec" never get here: the
		// constructor runs them and they never return.
		fmt.Fprintf(os.Stderr, "Error: unknown burrow role %q\n", role)
		os.Exit(125)
	}
}
