// The infra role: the whole life of a pod's built-in infra process, started
// by the binary's constructor (cmd/burrow/roles.go) before the Go runtime
// would be.
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* burrow_role_infra, for the infra role, waits for signals as PID 1 of the pod: it reaps the children
 * it inherits (the pod may share its PID namespace) and exits at the
 * signals a stop or a terminal sends. Every signal is blocked and taken
 * with sigwaitinfo, so none has its default action, and none is missed. */
void burrow_role_infra(const char *role) {
	if (!role || strcmp(role, "infra") != 0)
		return;
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		switch (sigwaitinfo(&all, NULL)) {
		case SIGCHLD:
			while (waitpid(-1, NULL, WNOHANG) > 0)
				;
			break;
		case SIGTERM:
		case SIGINT:
		case SIGHUP:
		case SIGQUIT:
			_exit(0);
		}
	}
}
