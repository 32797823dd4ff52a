// The event loop, while the container runs: its output to the log and
// the clients, clients' input to it, the init's exit, OOM kills. Nothing
// here waits on anything but poll.
#include "monitor.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

/* After the init exits, output still in flight is taken until the pipes
 * are quiet for DRAIN_QUIET_MS (processes the init left behind may hold
 * them open for long), and for DRAIN_MAX_MS at most. */
#define DRAIN_QUIET_MS 100
#define DRAIN_MAX_MS 2000

/* mon_oom_check reads memory.events: the kernel counts OOM kills there as
 * they happen, before the process is reaped and its cgroup removed. */
void mon_oom_check(struct monitor *m) {
	char buf[512];
	if (m->oomfd < 0)
		return;
	ssize_t n = pread(m->oomfd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return;
	buf[n] = 0;
	char *p = strstr(buf, "oom_kill ");
	if (p && atol(p + 9) > 0)
		m->oom = 1;
}

static int status_code(int st) {
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

/* reap takes the signals; the init's exit ends the container. */
static void reap(struct monitor *m) {
	struct signalfd_siginfo si;
	while (read(m->sfd, &si, sizeof si) == sizeof si) {
		if (si.ssi_signo != SIGCHLD)
			continue; /* the container is stopped through its init, not us */
		int st;
		pid_t w;
		while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
			if (w == m->pid) {
				m->code = m->timed_out ? -1 : status_code(st);
				m->exited = 1;
				mon_oom_check(m);
			}
			mon_health_reaped(m, w);
		}
	}
}

static void accept_client(struct monitor *m) {
	int fd = accept4(m->listen, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	struct mon_client *c = mon_client_add(m, fd, 0);
	int32_t p32 = m->pid;
	if (c)
		mon_client_send(c, MON_PKT_STARTED, &p32, sizeof p32);
}

/* pump reads what one output has; 0 at its end. */
static int pump(struct monitor *m, int fd, int kind) {
	char buf[MON_PKT_MAX];
	ssize_t n = read(fd, buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0)
		return 0; /* EOF, or EIO from a pty whose last slave closed */
	mon_log_chunk(m, kind, buf, (size_t)n);
	mon_broadcast(m, kind, buf, (size_t)n);
	return 1;
}

static void output_ended(struct monitor *m, int *fd) {
	if (*fd == m->in)
		mon_input_close(m); /* the pty master: input goes with it */
	close(*fd);
	*fd = -1;
}

enum { P_SIG, P_LISTEN, P_OUT, P_ERR, P_IN, P_OOM, P_CLIENTS };

/* time_out kills the container once its --timeout has passed; it returns
 * how long until then for poll (-1: no timeout pending). */
static int time_out(struct monitor *m, long long deadline) {
	if (!deadline || m->exited || m->timed_out)
		return -1;
	long long left = deadline - mon_now_ms();
	if (left > 0)
		return left > 60000 ? 60000 : (int)left;
	m->timed_out = 1;
	kill(m->pid, SIGKILL);
	return -1;
}

/* mon_loop runs until the init has exited and its output is taken. */
void mon_loop(struct monitor *m) {
	long long exited_at = 0;
	long long deadline = m->cfg.timeout_ms > 0 ? mon_now_ms() + m->cfg.timeout_ms : 0;
	for (;;) {
		if (m->exited && !exited_at)
			exited_at = mon_now_ms();
		if (m->exited && m->out < 0 && m->err < 0)
			break;
		int timeout = time_out(m, deadline);
		if (m->exited) {
			long long left = exited_at + DRAIN_MAX_MS - mon_now_ms();
			if (left <= 0)
				break;
			timeout = left < DRAIN_QUIET_MS ? (int)left : DRAIN_QUIET_MS;
		}
		/* A spawner's client far behind holds the output back
		 * while it takes some, until the exit. */
		struct mon_client *held = m->exited ? NULL : mon_holding_back(m);
		if (held) {
			long long stall = held->progress + MON_STALL_MS - mon_now_ms();
			if (stall <= 0) {
				mon_client_drop(held);
				continue;
			}
			timeout = (int)stall;
		}
		int health = mon_health_due(m);
		if (health >= 0 && (timeout < 0 || health < timeout))
			timeout = health;
		struct pollfd pf[P_CLIENTS + MON_MAX_CLIENTS];
		int reading = !mon_input_pending(m);
		pf[P_SIG] = (struct pollfd){m->sfd, POLLIN, 0};
		pf[P_LISTEN] = (struct pollfd){m->listen, POLLIN, 0};
		pf[P_OUT] = (struct pollfd){held ? -1 : m->out, POLLIN, 0};
		pf[P_ERR] = (struct pollfd){held ? -1 : m->err, POLLIN, 0};
		pf[P_IN] = (struct pollfd){reading ? -1 : m->in, POLLOUT, 0};
		pf[P_OOM] = (struct pollfd){m->oomfd, POLLPRI, 0};
		for (int i = 0; i < MON_MAX_CLIENTS; i++) {
			struct mon_client *c = &m->clients[i];
			short ev = (short)((reading ? POLLIN : 0) | (mon_client_queued(c) ? POLLOUT : 0));
			pf[P_CLIENTS + i] = (struct pollfd){c->fd, ev, 0};
		}
		int r = poll(pf, P_CLIENTS + MON_MAX_CLIENTS, timeout);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 && m->exited)
			break;
		if (pf[P_SIG].revents)
			reap(m);
		if (pf[P_LISTEN].revents & POLLIN)
			accept_client(m);
		if (pf[P_OUT].revents && !pump(m, m->out, MON_PKT_STDOUT))
			output_ended(m, &m->out);
		if (pf[P_ERR].revents && !pump(m, m->err, MON_PKT_STDERR))
			output_ended(m, &m->err);
		if (pf[P_IN].revents)
			mon_input_flush(m);
		for (int i = 0; i < MON_MAX_CLIENTS; i++)
			if (pf[P_CLIENTS + i].revents)
				mon_client_events(m, &m->clients[i], pf[P_CLIENTS + i].revents);
		if (pf[P_OOM].revents)
			mon_oom_check(m);
	}
}
