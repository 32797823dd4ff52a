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
#include <time.h>

void burrow_role_userns(const char *role);
void burrow_role_exec(const char *role);
void burrow_role_monitor(const char *role);
void burrow_role_infra(const char *role);
void burrow_monitor_set_init(void (*entry)(void));
void burrow_init_main(void);
void burrow_populate_binary(void);

// When the constructor began and when the CLI had joined burrow's user
// namespace, for BURROW_TRACE (package timing): two vDSO reads of the clock.
static struct timespec burrow_ctor_times[2];

static long long burrow_ctor_ns(int i) {
	return (long long)burrow_ctor_times[i].tv_sec * 1000000000LL + burrow_ctor_times[i].tv_nsec;
}

__attribute__((constructor)) static void burrow_roles(void) {
	const char *role = getenv("_BURROW_ROLE");
	clock_gettime(CLOCK_REALTIME, &burrow_ctor_times[0]);
	burrow_role_userns(role);
	clock_gettime(CLOCK_REALTIME, &burrow_ctor_times[1]);
	burrow_role_exec(role);
	// The monitor runs the container's init in the clone it makes,
	// without exec'ing the binary once more.
	burrow_monitor_set_init(burrow_init_main);
	burrow_role_monitor(role);
	burrow_role_infra(role);
	// The CLI: its code mapped at once (pagefaults.go).
	burrow_populate_binary();
}
*/
import "C"

import (
	"time"

	"github.com/burrow-containers/burrow/timing"
)

// traceStart marks, for BURROW_TRACE, what came before main: the exec and
// the dynamic loader, the constructor's join of the user namespace, and
// the Go runtime's start with every package's initialisation.
func traceStart() {
	if !timing.On() {
		return
	}
	t0 := time.Unix(0, int64(C.burrow_ctor_ns(0)))
	timing.Start(t0)
	timing.MarkAt("exec and dynamic loading", t0)
	timing.MarkAt("constructor: user namespace joined", time.Unix(0, int64(C.burrow_ctor_ns(1))))
	timing.Mark("go runtime and package init")
}
