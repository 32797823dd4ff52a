// The roles that enter a container, run from an ELF constructor before the
// Go runtime would start, which they never do: the container's init
// (init_linux.c), and `burrow exec`. A multithreaded process cannot join a
// mount namespace, and joining a PID namespace only applies to children:
// exec joins the namespaces of the container's init and forks. The child
// runs the plan it reads on fd 3 inside the container (process_linux.c);
// the parent stays behind as a relay that forwards signals to the child
// and exits with its status. Protocol: sandbox/doc.go.
#define _GNU_SOURCE
#include "child.h"
#include "plan.h"

#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t exec_child = -1;

static void exec_forward(int sig) {
	if (exec_child > 0)
		kill(exec_child, sig);
}

/* exec_fail reports "WHAT NS namespace: ERROR" (or "WHAT: ERROR" without
 * ns) on the init socket (fd 4) as the Go half would, then exits as podman
 * does for its own failures. */
static void exec_fail(const char *what, const char *ns) {
	char msg[512];
	int n = snprintf(msg, sizeof msg, "{\"type\":\"error\",\"kind\":\"setup\",\"message\":\"%s%s%s%s: %s\"}",
			 what, ns ? " " : "", ns ? ns : "", ns ? " namespace" : "", strerror(errno));
	if (n > 0)
		send(4, msg, (size_t)n, MSG_NOSIGNAL);
	_exit(125);
}

static void exec_enter(void) {
	const char *pid = getenv("_BURROW_EXEC_PID");
	/* The mount namespace after the others, which are opened through
	 * /proc as the caller sees it; the user namespace of a container
	 * that has its own (docs/userns.md) very last: the network namespace
	 * may belong to burrow's, which can only be entered from there. */
	static const char *names[] = {"cgroup", "ipc", "uts", "net", "pid", "mnt", "user"};
	enum { NNS = sizeof names / sizeof names[0], USERNS = NNS - 1 };
	int fds[NNS];
	if (!pid)
		exec_fail("missing _BURROW_EXEC_PID", NULL);
	/* Nothing happens before the caller has placed this process (in the
	 * container's cgroup) and sent the configuration on fd 3: what is
	 * forked below inherits the place. */
	struct pollfd cfg = {.fd = 3, .events = POLLIN};
	while (poll(&cfg, 1, -1) < 0)
		if (errno != EINTR)
			exec_fail("waiting to enter the container", NULL);
	for (int i = 0; i < NNS; i++) {
		char path[64], self[64];
		struct stat a, b;
		snprintf(path, sizeof path, "/proc/%s/ns/%s", pid, names[i]);
		snprintf(self, sizeof self, "/proc/self/ns/%s", names[i]);
		fds[i] = -1;
		if (stat(path, &a) < 0) {
			if (errno == ENOENT && i == 0)
				continue; /* no cgroup namespaces on this kernel */
			exec_fail("finding the container's", names[i]);
		}
		if (stat(self, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			continue; /* shared with us: nothing to join */
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			exec_fail("opening the container's", names[i]);
	}
	for (int i = 0; i < NNS; i++) {
		if (fds[i] >= 0 && setns(fds[i], 0) < 0)
			exec_fail("joining the container's", names[i]);
		if (fds[i] >= 0)
			close(fds[i]);
	}
	/* In a user namespace of the container's own we are whoever burrow's
	 * root maps to (the user, under keep-id): become its root, as the
	 * init was, before the process's own credentials are set. */
	if (fds[USERNS] >= 0 && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0 || setgroups(0, NULL) < 0))
		exec_fail("becoming root of the container's", "user");
	exec_child = fork();
	if (exec_child < 0)
		exec_fail("forking into the container's", "pid");
	if (exec_child == 0) {
		/* A session of its own, without the caller's controlling
		 * terminal: the process may not open the user's terminal and
		 * type into it (TIOCSTI). Signals reach it through the relay;
		 * a terminal of its own, when asked for, is made from the
		 * plan. */
		if (setsid() < 0)
			exec_fail("leaving the caller's session", NULL);
		exec_child_main();
	}

	/* The relay holds none of the protocol's descriptors, so the caller
	 * sees the socket close when the child execs. */
	close(3);
	close(4);
	int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGCONT, SIGWINCH};
	struct sigaction sa = {0};
	sa.sa_handler = exec_forward;
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
	int st;
	while (waitpid(exec_child, &st, 0) < 0)
		if (errno != EINTR)
			_exit(125);
	if (WIFSIGNALED(st))
		_exit(128 + WTERMSIG(st));
	_exit(WEXITSTATUS(st));
}

/* The roles that enter a container run burrow's binary in it until they
 * exec the container's process: not dumpable, a process in the container
 * can neither ptrace them nor open their /proc/PID/exe (CVE-2019-5736;
 * sandbox/exe_linux.go). execve makes the container's process dumpable
 * again. Called by the binary's constructor (cmd/burrow/roles.go); neither
 * role returns: the Go runtime never starts in the container. */
void burrow_role_exec(const char *role) {
	if (!role || (strcmp(role, "exec") != 0 && strcmp(role, "init") != 0))
		return;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		_exit(125);
	if (strcmp(role, "exec") == 0)
		exec_enter();
	else
		burrow_init_main();
}

void exec_child_main(void) {
	struct plan p;
	int trees[PLAN_MAX_TREES];
	size_t ntrees;
	fcntl(CHILD_SOCKET_FD, F_SETFD, FD_CLOEXEC);
	plan_read(CHILD_PLAN_FD, &p, trees, &ntrees);
	if (p.terminal)
		child_terminal(&p);
	child_exec(&p);
}
