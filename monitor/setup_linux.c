// Setup: the monitor's inputs, its session, its signals and the attach
// socket, before anything of the container exists.
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* mon_die reports a failure before the container's process runs, in the
 * init protocol's words (`error setup MESSAGE`), and exits. */
void mon_die(struct monitor *m, const char *what) {
	char msg[512];
	int n = snprintf(msg, sizeof msg, "error setup monitor: %s: %s\n", what, strerror(errno));
	if (m->sync >= 0 && n > 0)
		(void)!write(m->sync, msg, (size_t)n);
	_exit(1);
}

static int env_flag(const char *name) {
	const char *v = getenv(name);
	return v && strcmp(v, "1") == 0;
}

static long long env_num(const char *name, long long unset) {
	const char *v = getenv(name);
	return v && *v ? strtoll(v, NULL, 10) : unset;
}

/* read_config takes the spawner's inputs from the environment. */
static void read_config(struct monitor *m) {
	struct mon_config *c = &m->cfg;
	c->id = getenv("_BURROW_MON_ID");
	c->dir = getenv("_BURROW_MON_DIR");
	c->log = getenv("_BURROW_MON_LOG");
	if (c->log && !*c->log)
		c->log = NULL;
	c->log_max = env_num("_BURROW_MON_LOG_MAX", 0);
	c->passthrough = env_flag("_BURROW_MON_PASSTHROUGH");
	c->tty = env_flag("_BURROW_MON_TTY");
	c->stdin_open = env_flag("_BURROW_MON_STDIN");
	c->client_fd = (int)env_num("_BURROW_MON_CLIENT_FD", -1);
	c->spec_fd = (int)env_num("_BURROW_MON_SPEC_FD", -1);
	c->hold_fd = (int)env_num("_BURROW_MON_HOLD_FD", -1);
	c->hold_count = (int)env_num("_BURROW_MON_HOLD_COUNT", 0);
	c->timeout_ms = env_num("_BURROW_MON_TIMEOUT", 0) * 1000;
	c->clone_flags = (unsigned long)env_num("_BURROW_MON_CLONEFLAGS", 0);
	c->uidmap = getenv("_BURROW_MON_UIDMAP");
	c->gidmap = getenv("_BURROW_MON_GIDMAP");
	c->netns = getenv("_BURROW_MON_NETNS");
	c->join = getenv("_BURROW_MON_JOIN");
	if (c->join && !*c->join)
		c->join = NULL;
	c->health_ms = env_num("_BURROW_MON_HEALTH_MS", 0);
	if (!c->dir || !c->id || c->spec_fd < 0) {
		errno = EINVAL;
		mon_die(m, "missing _BURROW_MON_DIR, _BURROW_MON_ID or _BURROW_MON_SPEC_FD");
	}
	/* The monitor's own descriptors must not reach the cleanup command. */
	fcntl(c->spec_fd, F_SETFD, FD_CLOEXEC);
	if (c->client_fd >= 0)
		fcntl(c->client_fd, F_SETFD, FD_CLOEXEC);
}

/* take_signals routes the signals the monitor cares about to a signalfd.
 * SIGTERM and the like are ignored: the container is stopped through its
 * init, and the monitor goes when the init does. */
static void take_signals(struct monitor *m) {
	sigemptyset(&m->mask);
	sigaddset(&m->mask, SIGCHLD);
	sigaddset(&m->mask, SIGTERM);
	sigaddset(&m->mask, SIGINT);
	sigaddset(&m->mask, SIGHUP);
	sigaddset(&m->mask, SIGPIPE);
	sigprocmask(SIG_BLOCK, &m->mask, NULL);
	m->sfd = signalfd(-1, &m->mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (m->sfd < 0)
		mon_die(m, "creating a signalfd");
}

/* listen_attach makes the attach socket. Its path is relative to the run
 * directory, so it stays within the 108 bytes of sun_path whatever the run
 * root is. */
static void listen_attach(struct monitor *m) {
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, "attach");
	unlink("attach");
	m->listen = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (m->listen < 0 || bind(m->listen, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(m->listen, 8) < 0)
		mon_die(m, "creating the attach socket");
	if (m->cfg.client_fd >= 0)
		mon_client_add(m, m->cfg.client_fd, 1);
}

void mon_setup(struct monitor *m) {
	m->sync = 3;
	m->sfd = m->listen = m->init_sock = m->log = m->oomfd = -1;
	m->out = m->err = m->in = -1;
	m->code = -1;
	for (int i = 0; i < MON_MAX_CLIENTS; i++)
		m->clients[i].fd = -1;
	read_config(m);
	if (getpid() != getsid(0))
		setsid();
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		mon_die(m, "becoming a subreaper");
	if (chdir(m->cfg.dir) < 0)
		mon_die(m, "entering the container's run directory");
	take_signals(m);
	mon_log_open(m);
	listen_attach(m);
}
