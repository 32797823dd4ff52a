// Spawn: the container's init, cloned by the monitor itself with the
// namespaces asked for, so that it is the monitor's own child.
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* write_id_map writes a uid_map or gid_map of pid from the monitor's
 * "C H S,C H S" form. The monitor is root of burrow's user namespace, so
 * it may map any of that namespace's IDs without a setuid helper, and
 * setgroups stays "allow". Returns -1 with errno set. */
static int write_id_map(pid_t pid, const char *file, const char *map) {
	char path[64], buf[4096];
	size_t n = strlen(map);
	if (n + 2 > sizeof buf) {
		errno = E2BIG;
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		buf[i] = map[i] == ',' ? '\n' : map[i];
	buf[n++] = '\n';
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t w = write(fd, buf, n);
	int saved = errno;
	close(fd);
	errno = saved;
	return w == (ssize_t)n ? 0 : -1;
}

/* enter_namespaces enters the namespaces whose files the comma-separated
 * list names (setns takes each for what it is). Returns 0, or -1 with
 * errno set. */
static int enter_namespaces(const char *list) {
	char path[4096];
	while (list && *list) {
		const char *end = strchr(list, ',');
		size_t n = end ? (size_t)(end - list) : strlen(list);
		if (n >= sizeof path) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(path, list, n);
		path[n] = 0;
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		int r = setns(fd, 0);
		int saved = errno;
		close(fd);
		errno = saved;
		if (r < 0)
			return -1;
		list = end ? end + 1 : NULL;
	}
	return 0;
}

/* clone_in_namespaces clones the container's init with flags from a
 * helper that first enters the network namespace at netns (NULL: none)
 * and the namespaces join lists (a pod's, held by its infra); the init is
 * our child (CLONE_PARENT). Returns its PID, 0 in the init, -1 with errno
 * set. */
static pid_t clone_in_namespaces(const char *netns, const char *join, unsigned long flags) {
	int rp[2];
	if (pipe2(rp, O_CLOEXEC) < 0)
		return -1;
	pid_t helper = fork();
	if (helper < 0)
		return -1;
	if (helper == 0) {
		int32_t res;
		int fd = netns ? open(netns, O_RDONLY | O_CLOEXEC) : -1;
		if (netns && (fd < 0 || setns(fd, CLONE_NEWNET) < 0)) {
			res = -errno;
		} else if (enter_namespaces(join) < 0) {
			res = -errno;
		} else {
			pid_t pid = (pid_t)syscall(SYS_clone, flags | CLONE_PARENT | SIGCHLD, 0, NULL, NULL, 0);
			if (pid == 0) {
				close(rp[0]);
				close(rp[1]);
				return 0; /* the init */
			}
			res = pid < 0 ? -errno : pid;
		}
		(void)!write(rp[1], &res, sizeof res);
		_exit(0);
	}
	close(rp[1]);
	int32_t res = -EPIPE;
	ssize_t n;
	do
		n = read(rp[0], &res, sizeof res);
	while (n < 0 && errno == EINTR);
	close(rp[0]);
	while (waitpid(helper, NULL, 0) < 0 && errno == EINTR)
		;
	if (n != sizeof res || res < 0) {
		errno = n == sizeof res ? -res : EPIPE;
		return -1;
	}
	return (pid_t)res;
}

/* The pipes and sockets between the monitor and the init. */
struct spawn_fds {
	int sock[2];                      /* the init protocol: ours, the init's fd 4 */
	int in[2], out[2], err[2];        /* the container's stdio, without a terminal */
	int user[2];                      /* released once the init's ID maps are written */
};

/* default_signals gives the container's init every signal's default
 * action: a signal ignored where burrow was started (bash ignores SIGINT
 * and SIGQUIT in a background job without job control) would otherwise
 * stay ignored across execve into the container, where a shell cannot
 * even trap it, and run's --sig-proxy would forward it in vain. */
static void default_signals(void) {
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);
}

/* The container's init (sandbox/init_linux.c), when the binary links it:
 * cmd/burrow/roles.go hands it over before the monitor starts. */
static void (*init_entry)(void);

void burrow_monitor_set_init(void (*entry)(void)) { init_entry = entry; }

/* exec_init is the init's side of the clone: with a user namespace of its
 * own it waits for its ID maps and its spec, then it places its
 * descriptors (stdio, the spec on 3, the protocol socket on 4) and runs
 * the init, here in the clone, or else by exec'ing burrow's init role. */
static void exec_init(struct monitor *m, struct spawn_fds *f) __attribute__((noreturn));
static void exec_init(struct monitor *m, struct spawn_fds *f) {
	if (f->user[0] >= 0) {
		char c;
		close(f->user[1]);
		if (read(f->user[0], &c, 1) != 1)
			_exit(125); /* the monitor could not map us */
		close(f->user[0]);
		/* Still the user (on the host) until the spawner has placed us
		 * in the container's cgroup and sent the spec: systemd moves
		 * only a process of the user's own UID into the user's scope. */
		struct pollfd pf = {m->cfg.spec_fd, POLLIN, 0};
		while (poll(&pf, 1, -1) < 0 && errno == EINTR)
			;
		/* Root of the new namespace, so that the init keeps its
		 * capabilities across execve. */
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0 || setgroups(0, NULL) < 0)
			_exit(125);
	}
	int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	int src[5] = {f->in[0] >= 0 ? f->in[0] : devnull, f->out[1] >= 0 ? f->out[1] : devnull,
		      f->err[1] >= 0 ? f->err[1] : devnull, m->cfg.spec_fd, f->sock[1]};
	if (m->cfg.passthrough)
		src[0] = 0, src[1] = 1, src[2] = 2;
	/* Move the sources out of the way first: one may sit on 0..4. */
	for (int k = 0; k < 5; k++)
		if ((src[k] = fcntl(src[k], F_DUPFD_CLOEXEC, 64)) < 0)
			_exit(125);
	for (int k = 0; k < 5; k++)
		if (dup2(src[k], k) < 0) /* clears close-on-exec */
			_exit(125);
	close_range(5, ~0U, 0);
	sigprocmask(SIG_UNBLOCK, &m->mask, NULL);
	default_signals();
	if (chdir("/") < 0)
		_exit(125);
	if (init_entry)
		init_entry(); /* never returns */
	/* HOME set: no package init asks the C library for a home directory
	 * (sandbox/exec_linux.go says why). */
	char *envp[] = {"_BURROW_ROLE=init", "HOME=/", NULL};
	execle("/proc/self/exe", "burrow-init", (char *)NULL, envp);
	_exit(125);
}

static void make_fds(struct monitor *m, struct spawn_fds *f) {
	const struct mon_config *c = &m->cfg;
	f->in[0] = f->in[1] = f->out[0] = f->out[1] = f->err[0] = f->err[1] = -1;
	f->user[0] = f->user[1] = -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, f->sock) < 0)
		mon_die(m, "creating the init socket");
	if (!c->tty && !c->passthrough) {
		if (pipe2(f->out, O_CLOEXEC) < 0 || pipe2(f->err, O_CLOEXEC) < 0)
			mon_die(m, "creating output pipes");
		if (c->stdin_open && pipe2(f->in, O_CLOEXEC) < 0)
			mon_die(m, "creating the input pipe");
	}
	if (c->clone_flags & CLONE_NEWUSER) {
		if (!c->uidmap || !c->gidmap) {
			errno = EINVAL;
			mon_die(m, "a user namespace without _BURROW_MON_UIDMAP and _BURROW_MON_GIDMAP");
		}
		if (pipe2(f->user, O_CLOEXEC) < 0)
			mon_die(m, "creating the user namespace pipe");
	}
}

/* map_user writes the ID maps of the init's user namespace and lets it go. */
static void map_user(struct monitor *m, struct spawn_fds *f) {
	close(f->user[0]);
	if (write_id_map(m->pid, "uid_map", m->cfg.uidmap) < 0 || write_id_map(m->pid, "gid_map", m->cfg.gidmap) < 0) {
		int saved = errno;
		kill(m->pid, SIGKILL);
		waitpid(m->pid, NULL, 0);
		errno = saved;
		mon_die(m, "writing the ID maps of the container's user namespace");
	}
	if (write(f->user[1], "1", 1) != 1) {
		kill(m->pid, SIGKILL);
		mon_die(m, "starting the container's init");
	}
	close(f->user[1]);
}

/* keep_parent_ends closes the init's ends of the pipes and keeps ours. */
static void keep_parent_ends(struct monitor *m, struct spawn_fds *f) {
	close(f->sock[1]);
	close(m->cfg.spec_fd);
	m->cfg.spec_fd = -1;
	m->init_sock = f->sock[0];
	if (f->in[0] >= 0)
		close(f->in[0]);
	if (f->out[1] >= 0)
		close(f->out[1]);
	if (f->err[1] >= 0)
		close(f->err[1]);
	m->in = f->in[1];
	m->out = f->out[0];
	m->err = f->err[0];
	if (m->in >= 0)
		fcntl(m->in, F_SETFL, O_NONBLOCK); /* input waits in in_queue, never in a write */
	if (m->cfg.passthrough) {
		/* The container has the caller's stdio; the monitor lets go of
		 * them, so that they close when the container's process does. */
		int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
		for (int k = 0; k < 3 && devnull >= 0; k++)
			dup2(devnull, k);
		if (devnull > 2)
			close(devnull);
	}
}

/* mon_spawn clones the container's init and tells the spawner its PID
 * ("init N"), so that the spawner can place it in its cgroup before it
 * sends the spec the init waits for.
 *
 * A user namespace of the container's own (docs/userns.md): the network
 * namespace, made beforehand, belongs to burrow's user namespace and can
 * be entered only from there, before the clone makes the new one. A
 * process entering it cannot come back (burrow's namespace does not own
 * the host's network namespace), so a helper enters it and clones the
 * init with CLONE_PARENT: the init is still our child. It waits until we
 * have written its ID maps. The namespaces of a pod's infra that a member
 * shares are entered by the same helper: a PID namespace applies only to
 * the children of the process that enters it, and the monitor itself
 * stays in burrow's. */
void mon_spawn(struct monitor *m) {
	const struct mon_config *c = &m->cfg;
	struct spawn_fds f;
	make_fds(m, &f);
	const char *netns = (c->clone_flags & CLONE_NEWUSER) && c->netns && c->netns[0] ? c->netns : NULL;
	if (netns || c->join)
		m->pid = clone_in_namespaces(netns, c->join, c->clone_flags);
	else
		m->pid = (pid_t)syscall(SYS_clone, c->clone_flags | SIGCHLD, 0, NULL, NULL, 0);
	if (m->pid < 0)
		mon_die(m, "creating the container's namespaces");
	if (m->pid == 0)
		exec_init(m, &f);
	if (f.user[0] >= 0)
		map_user(m, &f);
	char line[32];
	int n = snprintf(line, sizeof line, "init %d\n", (int)m->pid);
	(void)!write(m->sync, line, (size_t)n);
	keep_parent_ends(m, &f);
}
