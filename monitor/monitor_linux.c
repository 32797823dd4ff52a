// The container monitor: burrow's small, long-lived process per container,
// in C so that an idle container costs about a megabyte. It runs from an ELF
// constructor when _BURROW_ROLE=monitor and never lets the Go runtime start.
// docs/monitor.md describes the protocol; monitor_linux.go is the Go half.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <linux/close_range.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <sched.h>
#include <termios.h>
#include <unistd.h>

/* Packet kinds on attach connections (first byte of each packet). */
enum {
	PKT_STDIN = 0,  /* client -> monitor: bytes for the container's stdin */
	PKT_RESIZE = 1, /* client -> monitor: rows, cols (uint16 each, host order) */
	PKT_CLOSE_STDIN = 2,
	PKT_STDOUT = 3, /* monitor -> client */
	PKT_STDERR = 4,
	PKT_EXIT = 5,   /* monitor -> client: int32 exit code, host order */
	PKT_STARTED = 6, /* monitor -> client: int32 pid of the container's init */
	PKT_CLEANED = 7  /* client -> monitor, after the exit: the client has run the cleanup */
};

#define MAX_CLIENTS 32
#define BUF 32768

static int mon_sync = -1;           /* fd 3: to whoever spawned us, closed once started */
static int mon_log = -1;
static int mon_listen = -1;
static int mon_clients[MAX_CLIENTS];
static int mon_out = -1, mon_err = -1; /* pipes from the container, or mon_out = pty master */
static int mon_in = -1;             /* pipe to the container's stdin, or the pty master */
static int mon_tty;

static void die(const char *what) {
	char msg[512];
	int n = snprintf(msg, sizeof msg, "error setup monitor: %s: %s\n", what, strerror(errno));
	if (mon_sync >= 0 && n > 0)
		(void)!write(mon_sync, msg, (size_t)n);
	_exit(1);
}

static void log_chunk(int stream, const char *buf, size_t len) {
	if (mon_log < 0 || len == 0)
		return;
	struct timespec ts;
	struct tm tm;
	char stamp[64], head[96];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	const char *name = stream == PKT_STDERR ? "stderr" : "stdout";
	size_t off = 0;
	while (off < len) {
		const char *nl = memchr(buf + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - buf) + 1 : len;
		int full = nl != NULL;
		int hn = snprintf(head, sizeof head, "%s.%09ldZ %s %s ", stamp, ts.tv_nsec, name, full ? "F" : "P");
		struct iovec iov[3] = {
			{head, (size_t)hn},
			{(void *)(buf + off), end - off},
			{"\n", full ? 0 : 1},
		};
		/* A line is written with one writev so readers never see half of it. */
		(void)!writev(mon_log, iov, 3);
		off = end;
	}
}

static void client_drop(int i) {
	if (mon_clients[i] >= 0)
		close(mon_clients[i]);
	mon_clients[i] = -1;
}

static void broadcast(int kind, const void *data, size_t len) {
	char pkt[BUF + 1];
	if (len > BUF)
		len = BUF;
	pkt[0] = (char)kind;
	memcpy(pkt + 1, data, len);
	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (mon_clients[i] < 0)
			continue;
		/* Blocking, as an attached docker or podman client: a client
		 * that does not read holds the container's output back rather
		 * than losing it. A client that goes away is dropped (EPIPE). */
		if (send(mon_clients[i], pkt, len + 1, MSG_NOSIGNAL) < 0)
			client_drop(i);
	}
}

static void client_add(int fd) {
	for (int i = 0; i < MAX_CLIENTS; i++) {
		if (mon_clients[i] < 0) {
			mon_clients[i] = fd;
			return;
		}
	}
	close(fd);
}

static void client_packet(int i) {
	char pkt[BUF + 1];
	ssize_t n = recv(mon_clients[i], pkt, sizeof pkt, 0);
	if (n <= 0) {
		client_drop(i);
		return;
	}
	switch (pkt[0]) {
	case PKT_STDIN:
		if (mon_in >= 0 && n > 1) {
			ssize_t off = 1;
			while (off < n) {
				ssize_t w = write(mon_in, pkt + off, (size_t)(n - off));
				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0)
					break;
				off += w;
			}
		}
		break;
	case PKT_RESIZE:
		if (mon_tty && n >= 5) {
			uint16_t rc[2];
			memcpy(rc, pkt + 1, sizeof rc);
			struct winsize ws = {.ws_row = rc[0], .ws_col = rc[1]};
			ioctl(mon_out, TIOCSWINSZ, &ws);
		}
		break;
	case PKT_CLOSE_STDIN:
		if (!mon_tty && mon_in >= 0) {
			close(mon_in);
			mon_in = -1;
		}
		break;
	}
}

/* pump reads what one output has; returns 0 at its end. */
static int pump(int fd, int kind) {
	char buf[BUF];
	ssize_t n = read(fd, buf, sizeof buf);
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0)
		return 0; /* EOF, or EIO from a pty whose last slave closed */
	log_chunk(kind, buf, (size_t)n);
	broadcast(kind, buf, (size_t)n);
	return 1;
}

static int mon_oomfd = -1; /* memory.events of the container's cgroup */
static int mon_oom;

/* oom_check reads memory.events: the kernel counts OOM kills there as they
 * happen, before the process is reaped and its cgroup removed. */
static void oom_check(void) {
	char buf[512];
	if (mon_oomfd < 0)
		return;
	ssize_t n = pread(mon_oomfd, buf, sizeof buf - 1, 0);
	if (n <= 0)
		return;
	buf[n] = 0;
	char *p = strstr(buf, "oom_kill ");
	if (p && atol(p + 9) > 0)
		mon_oom = 1;
}

/* oom_watch opens memory.events of pid's cgroup v2 cgroup, if any. */
static void oom_watch(pid_t pid) {
	char path[PATH_MAX + 64], line[PATH_MAX];
	snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = 0;
			snprintf(path, sizeof path, "/sys/fs/cgroup%s/memory.events", line + 3);
			mon_oomfd = open(path, O_RDONLY | O_CLOEXEC);
			break;
		}
	}
	fclose(f);
}

static void write_exit_file(const char *dir, int code) {
	char tmp[PATH_MAX], path[PATH_MAX], body[64];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(tmp, sizeof tmp, "%s/exit.tmp", dir);
	snprintf(path, sizeof path, "%s/exit", dir);
	int n = snprintf(body, sizeof body, "%d %lld %d\n", code, (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, mon_oom);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	(void)!write(fd, body, (size_t)n);
	fsync(fd);
	close(fd);
	rename(tmp, path);
}

static int status_code(int st) {
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

/* recv_init reads one message of the init protocol (sandbox/protocol.go):
 * a JSON object, with a descriptor attached to "pty". Returns the length,
 * 0 at the end of the stream (the process was executed, or init died). */
static ssize_t recv_init(int sock, char *msg, size_t len, int *fd) {
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {msg, len - 1};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	ssize_t n;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return 0;
	msg[n] = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(c), sizeof(int));
	return n;
}

/* json_str copies the string value of key from a flat JSON object made by
 * Go's encoding/json, undoing its escapes (non-ASCII \uXXXX become '?'). */
static void json_str(const char *obj, const char *key, char *out, size_t len) {
	char pat[64];
	size_t o = 0;
	snprintf(pat, sizeof pat, "\"%s\":\"", key);
	const char *p = strstr(obj, pat);
	if (p)
		for (p += strlen(pat); *p && *p != '"' && o + 1 < len; p++) {
			if (*p == '\\' && p[1]) {
				p++;
				if (*p == 'n' || *p == 't' || *p == 'r')
					out[o++] = ' ';
				else if (*p == 'u') {
					out[o++] = '?';
					for (int k = 0; k < 4 && p[1]; k++)
						p++;
				} else
					out[o++] = *p;
				continue;
			}
			out[o++] = *p;
		}
	out[o] = 0;
}

/* write_all writes the whole buffer (a pipe may take it in pieces). */
static int write_all(int fd, const char *b, size_t n) {
	while (n > 0) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* read_file returns the contents of path, malloc'd, or NULL. */
static char *read_file(const char *path, size_t *len) {
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size > (16 << 20)) {
		close(fd);
		return NULL;
	}
	char *b = malloc((size_t)st.st_size);
	ssize_t n = b ? read(fd, b, (size_t)st.st_size) : -1;
	close(fd);
	if (n != st.st_size) {
		free(b);
		return NULL;
	}
	*len = (size_t)n;
	return b;
}

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

/* clone_in_netns clones the container's init with flags from a helper
 * that first enters the network namespace at path; the init is our child
 * (CLONE_PARENT). Returns its PID, 0 in the init, -1 with errno set. */
static pid_t clone_in_netns(const char *path, unsigned long flags) {
	int rp[2];
	if (pipe2(rp, O_CLOEXEC) < 0)
		return -1;
	pid_t helper = fork();
	if (helper < 0)
		return -1;
	if (helper == 0) {
		int32_t res;
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWNET) < 0) {
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

static void monitor_main(void) {
	const char *dir = getenv("_BURROW_MON_DIR");
	const char *logpath = getenv("_BURROW_MON_LOG");
	const char *id = getenv("_BURROW_MON_ID");
	const char *e;
	mon_tty = (e = getenv("_BURROW_MON_TTY")) && strcmp(e, "1") == 0;
	int want_stdin = (e = getenv("_BURROW_MON_STDIN")) && strcmp(e, "1") == 0;
	int first_client = (e = getenv("_BURROW_MON_CLIENT_FD")) ? atoi(e) : -1;

	mon_sync = 3;
	for (int i = 0; i < MAX_CLIENTS; i++)
		mon_clients[i] = -1;
	if (!dir || !logpath || !id)
		die("missing _BURROW_MON_DIR, _BURROW_MON_LOG or _BURROW_MON_ID");
	if (getpid() != getsid(0))
		setsid();
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die("becoming a subreaper");
	if (chdir(dir) < 0)
		die("entering the container's run directory");

	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGPIPE);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		die("creating a signalfd");

	mon_log = open(logpath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (mon_log < 0)
		die("opening the container log");

	/* The attach socket; its path is relative to dir so that it stays
	 * within the 108 bytes of sun_path whatever the run root is. */
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, "attach");
	unlink("attach");
	mon_listen = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (mon_listen < 0 || bind(mon_listen, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(mon_listen, 8) < 0)
		die("creating the attach socket");
	if (first_client >= 0) {
		fcntl(first_client, F_SETFD, FD_CLOEXEC);
		client_add(first_client);
	}

	/* The parent half of the init protocol (sandbox.Start does the same in
	 * Go): the init is cloned here, so that it is our child. */
	/* The spec comes from a file (written), or from the spawner through a
	 * pipe handed on to the init as is: then the init's runtime starts
	 * while the spawner is still preparing the root filesystem. */
	const char *specpath = getenv("_BURROW_MON_SPEC");
	unsigned long flags = (e = getenv("_BURROW_MON_CLONEFLAGS")) ? strtoul(e, NULL, 10) : 0;
	int sp[2], cfg[2] = {-1, -1}, outp[2] = {-1, -1}, errp[2] = {-1, -1}, inp[2] = {-1, -1};
	size_t speclen = 0;
	char *spec = NULL;
	if ((e = getenv("_BURROW_MON_SPEC_FD"))) {
		cfg[0] = atoi(e);
		fcntl(cfg[0], F_SETFD, FD_CLOEXEC);
	} else {
		spec = specpath ? read_file(specpath, &speclen) : NULL;
		if (!spec)
			die("reading the container's spec");
		if (pipe2(cfg, O_CLOEXEC) < 0)
			die("creating the spec pipe");
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		die("creating the init socket");
	if (!mon_tty) {
		if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0)
			die("creating output pipes");
		if (want_stdin && pipe2(inp, O_CLOEXEC) < 0)
			die("creating the input pipe");
	}

	/* A user namespace of the container's own (docs/userns.md). The
	 * network namespace, made beforehand, belongs to burrow's user
	 * namespace: it can be entered only from there, before the clone
	 * makes the new one. A process entering it cannot come back (burrow's
	 * namespace does not own the host's network namespace), so a helper
	 * enters it and clones the init with CLONE_PARENT: the init is still
	 * our child. It waits on userp until we have written its ID maps. */
	const char *uidmap = getenv("_BURROW_MON_UIDMAP"), *gidmap = getenv("_BURROW_MON_GIDMAP");
	const char *netns = getenv("_BURROW_MON_NETNS");
	int userp[2] = {-1, -1};
	pid_t pid;
	if (flags & CLONE_NEWUSER) {
		if (!uidmap || !gidmap)
			die("a user namespace without _BURROW_MON_UIDMAP and _BURROW_MON_GIDMAP");
		if (pipe2(userp, O_CLOEXEC) < 0)
			die("creating the user namespace pipe");
	}
	if ((flags & CLONE_NEWUSER) && netns && netns[0])
		pid = clone_in_netns(netns, flags);
	else
		pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, 0, NULL, NULL, 0);
	if (pid < 0)
		die("creating the container's namespaces");
	if (pid == 0 && userp[0] >= 0) {
		char c;
		close(userp[1]);
		if (read(userp[0], &c, 1) != 1)
			_exit(125); /* the monitor could not map us */
		close(userp[0]);
		/* Still the user (on the host) until the spawner has placed us
		 * in the container's cgroup and sent the spec: systemd moves
		 * only a process of the user's own UID into the user's scope. */
		struct pollfd pf = {cfg[0], POLLIN, 0};
		while (poll(&pf, 1, -1) < 0 && errno == EINTR)
			;
		/* Root of the new namespace, so that the init keeps its
		 * capabilities across execve. */
		if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0 || setgroups(0, NULL) < 0)
			_exit(125);
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
		int src[5] = {inp[0] >= 0 ? inp[0] : devnull, outp[1] >= 0 ? outp[1] : devnull,
			      errp[1] >= 0 ? errp[1] : devnull, cfg[0], sp[1]};
		/* Move the sources out of the way first: one may sit on 0..4. */
		for (int k = 0; k < 5; k++)
			if ((src[k] = fcntl(src[k], F_DUPFD_CLOEXEC, 64)) < 0)
				_exit(125);
		for (int k = 0; k < 5; k++)
			if (dup2(src[k], k) < 0) /* clears close-on-exec */
				_exit(125);
		close_range(5, ~0U, 0);
		sigprocmask(SIG_UNBLOCK, &mask, NULL);
		if (chdir("/") < 0)
			_exit(125);
		char *envp[] = {"_BURROW_ROLE=init", NULL};
		execle("/proc/self/exe", "burrow-init", (char *)NULL, envp);
		_exit(125);
	}
	if (userp[0] >= 0) {
		close(userp[0]);
		if (write_id_map(pid, "uid_map", uidmap) < 0 || write_id_map(pid, "gid_map", gidmap) < 0) {
			int saved = errno;
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			errno = saved;
			die("writing the ID maps of the container's user namespace");
		}
		if (write(userp[1], "1", 1) != 1) {
			kill(pid, SIGKILL);
			die("starting the container's init");
		}
		close(userp[1]);
	}
	/* The init's PID first, so that the spawner can place it (a cgroup
	 * scope) before sending the spec it waits for. */
	{
		char line[32];
		int n = snprintf(line, sizeof line, "init %d\n", (int)pid);
		(void)!write(mon_sync, line, (size_t)n);
	}
	close(sp[1]);
	close(cfg[0]);
	if (inp[0] >= 0)
		close(inp[0]);
	if (outp[1] >= 0)
		close(outp[1]);
	if (errp[1] >= 0)
		close(errp[1]);
	mon_in = inp[1];
	mon_out = outp[0];
	mon_err = errp[0];
	int wrote = 0;
	if (spec) {
		wrote = write_all(cfg[1], spec, speclen);
		close(cfg[1]);
		free(spec);
	}

	char msg[65536], report[1200], kind[32] = "", text[1024] = "";
	int ptyfd = -1, started = 0;
	while (wrote == 0) {
		int fd = -1;
		if (recv_init(sp[0], msg, sizeof msg, &fd) <= 0)
			break;
		if (strstr(msg, "\"type\":\"pty\"") && fd >= 0) {
			ptyfd = fd;
		} else if (strstr(msg, "\"type\":\"ready\"")) {
			const char *go = "{\"type\":\"start\"}";
			if (send(sp[0], go, strlen(go), MSG_NOSIGNAL) < 0)
				break;
			started = 1;
		} else if (strstr(msg, "\"type\":\"error\"")) {
			json_str(msg, "kind", kind, sizeof kind);
			json_str(msg, "message", text, sizeof text);
		} else if (fd >= 0) {
			close(fd);
		}
	}
	close(sp[0]);
	if (!kind[0] && !started)
		snprintf(kind, sizeof kind, "setup"), snprintf(text, sizeof text, "container init exited during set-up");
	if (kind[0]) {
		/* Nothing ran: report, reap, and leave no socket behind. */
		snprintf(report, sizeof report, "error %s %s\n", kind, text);
		(void)!write(mon_sync, report, strlen(report));
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		unlink("attach");
		_exit(1);
	}
	snprintf(report, sizeof report, "pid %d\n", (int)pid);
	(void)!write(mon_sync, report, strlen(report));
	close(mon_sync);
	mon_sync = -1;
	if (mon_tty) {
		mon_out = ptyfd;
		mon_in = ptyfd;
	}
	/* Placed in its cgroup before it got its spec: watch it for OOM kills. */
	oom_watch(pid);
	int32_t p32 = pid;
	broadcast(PKT_STARTED, &p32, sizeof p32);
	{
		char pidbuf[32];
		int n = snprintf(pidbuf, sizeof pidbuf, "%d\n", pid);
		int fd = open("pid", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd >= 0) {
			(void)!write(fd, pidbuf, (size_t)n);
			close(fd);
		}
	}

	int code = -1, exited = 0;
	for (;;) {
		struct pollfd pf[5 + MAX_CLIENTS];
		int n = 0;
		pf[n++] = (struct pollfd){sfd, POLLIN, 0};
		pf[n++] = (struct pollfd){mon_listen, POLLIN, 0};
		pf[n++] = (struct pollfd){mon_out, POLLIN, 0};
		pf[n++] = (struct pollfd){mon_err, POLLIN, 0};
		for (int i = 0; i < MAX_CLIENTS; i++)
			pf[n++] = (struct pollfd){mon_clients[i], POLLIN, 0};
		pf[n++] = (struct pollfd){mon_oomfd, POLLPRI, 0};
		if (exited && mon_out < 0 && mon_err < 0)
			break;
		/* After the init exits, wait briefly for output still in flight:
		 * processes it left behind may hold the pipes open for long. */
		int r = poll(pf, (nfds_t)n, exited ? 100 : -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 && exited)
			break;
		if (pf[0].revents) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof si) == sizeof si) {
				if (si.ssi_signo != SIGCHLD)
					continue; /* the container is stopped through its init, not us */
				int st;
				pid_t w;
				while ((w = waitpid(-1, &st, WNOHANG)) > 0) {
					if (w == pid) {
						code = status_code(st);
						exited = 1;
						oom_check();
					}
				}
			}
		}
		if (pf[1].revents & POLLIN) {
			int c = accept4(mon_listen, NULL, NULL, SOCK_CLOEXEC);
			if (c >= 0) {
				char pkt[1 + sizeof(int32_t)];
				pkt[0] = PKT_STARTED;
				memcpy(pkt + 1, &p32, sizeof p32);
				send(c, pkt, sizeof pkt, MSG_DONTWAIT | MSG_NOSIGNAL);
				client_add(c);
			}
		}
		if (pf[2].revents && !pump(mon_out, PKT_STDOUT)) {
			if (mon_out == mon_in)
				mon_in = -1;
			close(mon_out);
			mon_out = -1;
		}
		if (pf[3].revents && !pump(mon_err, PKT_STDERR)) {
			close(mon_err);
			mon_err = -1;
		}
		for (int i = 0; i < MAX_CLIENTS; i++)
			if (mon_clients[i] >= 0 && pf[4 + i].revents)
				client_packet(i);
		if (pf[4 + MAX_CLIENTS].revents)
			oom_check();
	}
	write_exit_file(".", code);
	int32_t c32 = code;
	broadcast(PKT_EXIT, &c32, sizeof c32);
	/* An attached CLI runs the cleanup itself, so that `run --rm` returns
	 * only once the container is gone; it says so with PKT_CLEANED. Wait
	 * for that, or for every client to leave, before doing it here. */
	int cleaned = 0;
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += 30;
	for (;;) {
		struct pollfd pf[MAX_CLIENTS];
		int idx[MAX_CLIENTS], n = 0;
		for (int i = 0; i < MAX_CLIENTS; i++)
			if (mon_clients[i] >= 0) {
				idx[n] = i;
				pf[n++] = (struct pollfd){mon_clients[i], POLLIN, 0};
			}
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long left = (until.tv_sec - now.tv_sec) * 1000 + (until.tv_nsec - now.tv_nsec) / 1000000;
		if (n == 0 || cleaned || left <= 0)
			break;
		int r = poll(pf, (nfds_t)n, (int)left);
		if (r < 0 && errno != EINTR)
			break;
		for (int k = 0; r > 0 && k < n; k++) {
			if (!pf[k].revents)
				continue;
			char pkt[BUF + 1];
			ssize_t got = recv(mon_clients[idx[k]], pkt, sizeof pkt, MSG_DONTWAIT);
			if (got > 0 && pkt[0] == PKT_CLEANED)
				cleaned = 1;
			else if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
				client_drop(idx[k]);
		}
	}
	for (int i = 0; i < MAX_CLIENTS; i++)
		client_drop(i);
	close(mon_listen);
	unlink("attach");
	close(mon_log);
	if (cleaned)
		_exit(0);

	/* Hand over to `burrow container cleanup ID`: it records the exit in
	 * the container's state, unmounts, and removes or restarts. */
	sigprocmask(SIG_UNBLOCK, &mask, NULL);
	int devnull = open("/dev/null", O_RDWR);
	dup2(devnull, 0);
	dup2(devnull, 1);
	dup2(devnull, 2);
	close_range(3, ~0U, 0);
	static const char *own[] = {"_BURROW_ROLE", "_BURROW_MON_ID", "_BURROW_MON_DIR", "_BURROW_MON_LOG",
				    "_BURROW_MON_SPEC", "_BURROW_MON_SPEC_FD", "_BURROW_MON_CLONEFLAGS",
				    "_BURROW_MON_TTY", "_BURROW_MON_STDIN", "_BURROW_MON_CLIENT_FD",
				    "_BURROW_MON_UIDMAP", "_BURROW_MON_GIDMAP", "_BURROW_MON_NETNS"};
	for (size_t k = 0; k < sizeof own / sizeof own[0]; k++)
		unsetenv(own[k]);
	execl("/proc/self/exe", "burrow", "container", "cleanup", id, (char *)NULL);
	_exit(0);
}

__attribute__((constructor)) static void burrow_monitor_init(void) {
	const char *role = getenv("_BURROW_ROLE");
	if (role && strcmp(role, "monitor") == 0)
		monitor_main();
}
