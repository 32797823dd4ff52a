package main

// The binary's one ELF constructor: it starts the roles written in C
// (docs/roles.md) before the Go runtime does, from _BURROW_ROLE. It lives
// here, in the binary, and not in the packages that hold those roles, so
// that tests and other programs that link them never join burrow's user
// namespace or turn into a monitor.
//
// The monitor, pause, infra, init and exec roles never return: the Go runtime
// never starts in them (init and exec make themselves undumpable, exec
// joins the container's namespaces and forks, and both run a plan the CLI
// prepared, sandbox/plan.h); the CLI (no role) joins burrow's user
// namespace.

/*
#include <stdlib.h>

void burrow_role_userns(const char *role);
void burrow_role_exec(const char *role);
void burrow_role_monitor(const char *role);
void burrow_role_infra(const char *role);
void burrow_monitor_set_init(void (*entry)(void));
void burrow_init_main(void);

__attribute__((constructor)) static void burrow_roles(void) {
	const char *role = getenv("_BURROW_ROLE");
	burrow_role_userns(role);
	burrow_role_exec(role);
	// The monitor runs the container's init in the clone it makes,
	// without exec'ing the binary once more.
	burrow_monitor_set_init(burrow_init_main);
	burrow_role_monitor(role);
	burrow_role_infra(role);
}
*/
import "C"
