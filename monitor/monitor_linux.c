// The container monitor: burrow's small, long-lived process per container,
// in C so that an idle container costs little (150 kB of its own memory).
// It runs from an ELF constructor when _BURROW_ROLE=monitor and never lets
// the Go runtime start. docs/monitor.md describes the protocol, monitor.h
// the parts, and monitor_linux.go is the Go half.
#include "monitor.h"

#include <stdlib.h>
#include <string.h>

static void monitor_main(void) {
	static struct monitor m;
	mon_setup(&m);     /* inputs, session, signals, log, attach socket */
	mon_spawn(&m);     /* the init, cloned in the container's namespaces */
	mon_handshake(&m); /* the init protocol, until the process runs */
	mon_loop(&m);      /* output, clients, signals, until the exit */
	mon_cleanup(&m);   /* exit file, last packets, the cleanup command */
}

/* Called by the binary's constructor (cmd/burrow/roles.go). */
void burrow_role_monitor(const char *role) {
	if (role && strcmp(role, "monitor") == 0)
		monitor_main();
}
