// Cleanup, after the init's exit: the exit file, the helpers let go, the
// last packets, then `burrow container cleanup ID` unless the spawner's
// attached CLI, or a stop's, says it ran the cleanup itself.
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/close_range.h>

/* How long clients get for the exit packet and the output before it: the
 * spawner's CLI (it runs the cleanup, so that `run --rm` returns once the
 * container is gone, and says so with MON_PKT_CLEANED), and any other. */
#define SPAWNER_WAIT_MS 30000
#define FLUSH_WAIT_MS 1000

extern char **environ;

/* write_exit_file leaves "CODE UNIXNANO OOM" in the file "exit",
 * atomically: readers take it for the container's end. Not synced: the
 * attached CLI waits for the exit packet sent after it, and a crash of the
 * machine that loses it leaves a record from an earlier boot, which
 * readers take as exited (-1) anyway. */
static void write_exit_file(struct monitor *m) {
	char body[80];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int n = snprintf(body, sizeof body, "%d %lld %d\n", m->code, (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, m->oom);
	int fd = open("exit.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	(void)!write(fd, body, (size_t)n);
	close(fd);
	rename("exit.tmp", "exit");
}

/* release lets go of what only the running container needed: its input,
 * the attach socket (a late `attach` is refused, not left hanging), the
 * log, and the descriptors held for the network helpers, which end now
 * rather than when the last client has gone. */
static void release(struct monitor *m) {
	mon_input_close(m);
	close(m->listen);
	m->listen = -1;
	unlink("attach");
	if (m->log >= 0)
		close(m->log);
	m->log = -1;
	if (m->cfg.hold_fd >= 0 && m->cfg.hold_count > 0)
		close_range((unsigned)m->cfg.hold_fd, (unsigned)(m->cfg.hold_fd + m->cfg.hold_count - 1), 0);
}

/* take_sent acts on the packets clients sent before the exit that the loop
 * had not read yet: a stop's MON_PKT_CLEANING goes out just before its
 * signal, and the exit may come first. */
static void take_sent(struct monitor *m) {
	for (int round = 0; round < 4; round++) {
		struct pollfd pf[MON_MAX_CLIENTS];
		for (int i = 0; i < MON_MAX_CLIENTS; i++)
			pf[i] = (struct pollfd){m->clients[i].fd, POLLIN, 0};
		if (poll(pf, MON_MAX_CLIENTS, 0) <= 0)
			return;
		for (int i = 0; i < MON_MAX_CLIENTS; i++)
			if (pf[i].revents & POLLIN)
				mon_client_packet(m, &m->clients[i]);
	}
}

/* last_packets sends the exit to the clients. It waits for a client that
 * runs the cleanup (the spawner's CLI, a stop's) to say it has cleaned up
 * (or to go away), and for other clients to take what is queued for them,
 * each for a bounded time. Nothing a user waits for depends on this: the
 * exit file is written, and `stop`, `rm` and `wait` read that. */
static void last_packets(struct monitor *m) {
	int32_t c32 = m->code;
	take_sent(m);
	mon_broadcast(m, MON_PKT_EXIT, &c32, sizeof c32);
	long long start = mon_now_ms();
	while (!m->cleaned) {
		int cleaner = 0, queued = 0;
		struct pollfd pf[MON_MAX_CLIENTS];
		for (int i = 0; i < MON_MAX_CLIENTS; i++) {
			struct mon_client *c = &m->clients[i];
			cleaner |= c->fd >= 0 && (c->spawner || c->cleaner);
			queued |= mon_client_queued(c);
			pf[i] = (struct pollfd){c->fd, (short)(POLLIN | (mon_client_queued(c) ? POLLOUT : 0)), 0};
		}
		long long left = start + (cleaner ? SPAWNER_WAIT_MS : queued ? FLUSH_WAIT_MS : 0) - mon_now_ms();
		if (left <= 0)
			return;
		int r = poll(pf, MON_MAX_CLIENTS, (int)left);
		if (r < 0 && errno != EINTR)
			return;
		for (int i = 0; r > 0 && i < MON_MAX_CLIENTS; i++)
			if (pf[i].revents)
				mon_client_events(m, &m->clients[i], pf[i].revents);
	}
}

/* mon_exec_burrow becomes `burrow CMD SUB ID` (the container's ID): the
 * CLI, with stdio on /dev/null, none of the monitor's descriptors, signals
 * or variables. */
void mon_exec_burrow(struct monitor *m, const char *cmd, const char *sub) {
	sigprocmask(SIG_UNBLOCK, &m->mask, NULL);
	int devnull = open("/dev/null", O_RDWR);
	dup2(devnull, 0);
	dup2(devnull, 1);
	dup2(devnull, 2);
	close_range(3, ~0U, 0);
	for (char **e = environ; e && *e;) {
		if (strncmp(*e, "_BURROW_MON_", 12) == 0 || strncmp(*e, "_BURROW_ROLE=", 13) == 0) {
			char name[64];
			size_t n = strcspn(*e, "=");
			snprintf(name, sizeof name, "%.*s", (int)n, *e);
			unsetenv(name);
			e = environ; /* unsetenv moved the entries */
			continue;
		}
		e++;
	}
	execl("/proc/self/exe", "burrow", cmd, sub, m->cfg.id, (char *)NULL);
	_exit(0);
}

void mon_cleanup(struct monitor *m) {
	write_exit_file(m);
	release(m);
	last_packets(m);
	for (int i = 0; i < MON_MAX_CLIENTS; i++)
		mon_client_drop(&m->clients[i]);
	if (m->cleaned)
		_exit(0);
	/* `burrow container cleanup ID` records the exit in the container's
	 * record, unmounts, and removes or restarts. Its PID is the
	 * monitor's, so "monitor alive" covers the cleanup too. */
	mon_exec_burrow(m, "container", "cleanup");
}
