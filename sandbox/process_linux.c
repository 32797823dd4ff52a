// The process half of the C children: what the container's init and an
// exec's child both do to become the container's process, and how they
// report on the protocol socket (sandbox/doc.go). The order is the one
// the kernel allows: the filter while this process still has
// CAP_SYS_ADMIN in burrow's user namespace (so no_new_privs is not forced
// on a process that did not ask for it), then the bounding set and the
// groups while it still holds every capability, the user keeping the
// permitted set, the capabilities, and execve.
#define _GNU_SOURCE
#include "child.h"
#include "plan.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* The protocol socket: CHILD_SOCKET_FD, until descriptors passed on to
 * the process take its place (place_fds). */
static int socket_fd = CHILD_SOCKET_FD;

/* errtext is strerror as Go's errors print it: lower case. */
static void errtext(int err, char *out, size_t len) {
	snprintf(out, len, "%s", strerror(err));
	out[0] = (char)tolower((unsigned char)out[0]);
}

/* json_escape appends s to out as the inside of a JSON string. */
static size_t json_escape(char *out, size_t o, size_t len, const char *s) {
	for (; *s && o + 7 < len; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(out + o, len - o, "\\u%04x", c);
		} else {
			out[o++] = (char)c;
		}
	}
	out[o] = 0;
	return o;
}

int child_send(const char *json, int fd) {
	struct iovec iov = {(void *)json, strlen(json)};
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	if (fd >= 0) {
		memset(cbuf, 0, sizeof cbuf);
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof cbuf;
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof fd);
	}
	ssize_t n;
	do
		n = sendmsg(socket_fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -1 : 0;
}

void child_fail(const char *kind, int err, const char *fmt, ...) {
	char text[2048], e[256], msg[8192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (err) {
		errtext(err, e, sizeof e);
		size_t n = strlen(text);
		snprintf(text + n, sizeof text - n, ": %s", e);
	}
	size_t o = (size_t)snprintf(msg, sizeof msg, "{\"type\":\"error\",\"kind\":\"%s\",\"message\":\"", kind);
	o = json_escape(msg, o, sizeof msg - 3, text);
	snprintf(msg + o, sizeof msg - o, "\"}");
	child_send(msg, -1);
	if (strcmp(kind, KIND_NOTFOUND) == 0)
		_exit(127);
	if (strcmp(kind, KIND_CANNOTINVOKE) == 0)
		_exit(126);
	_exit(125);
}

void child_terminal(const struct plan *p) {
	int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		child_fail(KIND_SETUP, errno, "setting up the terminal");
	int unlock = 0;
	if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
		child_fail(KIND_SETUP, errno, "setting up the terminal: unlocking pty");
	/* TIOCGPTPEER opens the slave without a path lookup; older kernels
	 * lack it: the name then. */
	int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
	if (slave < 0) {
		int n;
		char name[64];
		if (ioctl(master, TIOCGPTN, &n) < 0)
			child_fail(KIND_SETUP, errno, "setting up the terminal");
		snprintf(name, sizeof name, "/dev/pts/%d", n);
		if ((slave = open(name, O_RDWR | O_NOCTTY)) < 0)
			child_fail(KIND_SETUP, errno, "setting up the terminal");
	}
	if (p->rows || p->cols) {
		struct winsize ws = {.ws_row = (unsigned short)p->rows, .ws_col = (unsigned short)p->cols};
		ioctl(slave, TIOCSWINSZ, &ws);
	}
	if (p->uid != 0)
		(void)!fchown(slave, p->uid, (gid_t)-1);
	if (child_send("{\"type\":\"pty\"}", master) < 0)
		child_fail(KIND_SETUP, errno, "setting up the terminal");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		child_fail(KIND_SETUP, errno, "setting up the terminal: making the pty the controlling terminal");
	for (int fd = 0; fd <= 2; fd++)
		if (dup3(slave, fd, 0) < 0 && slave != fd)
			child_fail(KIND_SETUP, errno, "setting up the terminal");
	if (slave > 2)
		close(slave);
	close(master);
}

/* enter_workdir changes to the working directory, which must be inside
 * the container: through a magic link such as /proc/self/fd/N it could
 * lead to a descriptor of burrow's (CVE-2024-21626), and getcwd then
 * reports it unreachable from the root. */
static void enter_workdir(const char *cwd) {
	char buf[PATH_MAX];
	if (chdir(cwd) < 0)
		child_fail(KIND_SETUP, errno, "changing to working directory %s", cwd);
	/* The system call, not glibc's: its "(unreachable)" prefix is what
	 * tells. */
	long n = syscall(SYS_getcwd, buf, sizeof buf);
	if (n < 0)
		child_fail(KIND_SETUP, errno, "working directory %s is not inside the container", cwd);
	if (buf[0] != '/')
		child_fail(KIND_SETUP, ENOENT, "working directory %s is not inside the container", cwd);
}

/* env_value is the last value of key in env, as execvp would take it. */
static const char *env_value(char **env, const char *key) {
	const char *v = NULL;
	size_t k = strlen(key);
	for (char **e = env; *e; e++)
		if (strncmp(*e, key, k) == 0 && (*e)[k] == '=')
			v = *e + k + 1;
	return v;
}

/* look_path resolves the command as execvp would, inside the container. */
static void look_path(const struct plan *p, char *out, size_t len) {
	const char *file = p->args[0];
	if (strchr(file, '/')) {
		snprintf(out, len, "%s", file);
		return;
	}
	const char *path = env_value(p->env, "PATH");
	if (!path || !*path)
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (const char *d = path;;) {
		size_t n = strcspn(d, ":");
		struct stat st;
		if (n == 0)
			snprintf(out, len, "./%s", file);
		else
			snprintf(out, len, "%.*s/%s", (int)n, d, file);
		if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111))
			return;
		if (!d[n])
			break;
		d += n + 1;
	}
	child_fail(KIND_NOTFOUND, 0, "executable file `%s` not found in $PATH: no such file or directory", file);
}

static void set_oom_score_adj(int v) {
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%d", v);
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		child_fail(KIND_SETUP, errno, "setting oom_score_adj to %d", v);
	close(fd);
}

static void load_seccomp(const struct plan *p) {
	if (!p->filter)
		return;
	/* The program sits unaligned in the plan: the kernel gets a copy. */
	struct sock_filter *prog = malloc(p->filter_len * sizeof *prog);
	if (!prog)
		child_fail(KIND_SETUP, ENOMEM, "loading the seccomp filter");
	memcpy(prog, p->filter, p->filter_len * sizeof *prog);
	struct sock_fprog fprog = {.len = (unsigned short)p->filter_len, .filter = prog};
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0)
		child_fail(KIND_SETUP, errno, "loading the seccomp filter");
	free(prog);
}

/* last_cap is the highest capability this kernel knows. */
static int last_cap(void) {
	int last = 0;
	while (prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0) >= 0)
		last++;
	return last;
}

enum { CAP_BND, CAP_EFF, CAP_PRM, CAP_INH, CAP_AMB };

static void set_credentials(const struct plan *p) {
	int last = last_cap();
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	if (syscall(SYS_capget, &hdr, data) < 0)
		child_fail(KIND_SETUP, errno, "reading capabilities");
	if (data[0].effective & (1u << CAP_SETPCAP)) {
		for (int i = 0; i <= last; i++)
			if (!(p->caps[CAP_BND] & (1ull << i)) && prctl(PR_CAPBSET_DROP, i, 0, 0, 0) < 0 && errno != EINVAL)
				child_fail(KIND_SETUP, errno, "setting the capability bounding set");
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		child_fail(KIND_SETUP, errno, "keeping capabilities");
	if (setgroups(p->ngids, p->gids) < 0 && p->ngids > 0)
		child_fail(KIND_SETUP, errno, "setting supplementary groups");
	if (setresgid(p->gid, p->gid, p->gid) < 0)
		child_fail(KIND_SETUP, errno, "setting gid %u", (unsigned)p->gid);
	if (setresuid(p->uid, p->uid, p->uid) < 0)
		child_fail(KIND_SETUP, errno, "setting uid %u", (unsigned)p->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		child_fail(KIND_SETUP, errno, "resetting keep-capabilities");
	for (int i = 0; i < 2; i++) {
		data[i].effective = (uint32_t)(p->caps[CAP_EFF] >> (32 * i));
		data[i].permitted = (uint32_t)(p->caps[CAP_PRM] >> (32 * i));
		data[i].inheritable = (uint32_t)(p->caps[CAP_INH] >> (32 * i));
	}
	if (syscall(SYS_capset, &hdr, data) < 0)
		child_fail(KIND_SETUP, errno, "setting capabilities");
	/* EINVAL: a kernel without ambient capabilities (before 4.3). */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		child_fail(KIND_SETUP, errno, "setting capabilities");
	for (int i = 0; i <= last; i++)
		if ((p->caps[CAP_AMB] & (1ull << i)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, i, 0, 0) < 0 && errno != EINVAL)
			child_fail(KIND_SETUP, errno, "setting capabilities");
	if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_fail(KIND_SETUP, errno, "setting no_new_privs");
}

/* place_fds makes the descriptors passed on (--preserve-fds) the
 * process's 3, 4, ..., open across the exec; the socket and the received
 * copies move above them first, and close at the exec. */
static void place_fds(const struct plan *p) {
	if (p->npreserve == 0)
		return;
	int top = 3 + (int)p->npreserve;
	int moved[PLAN_MAX_TREES];
	int s = fcntl(socket_fd, F_DUPFD_CLOEXEC, top);
	if (s < 0)
		child_fail(KIND_SETUP, errno, "passing on descriptors");
	socket_fd = s;
	for (size_t i = 0; i < p->npreserve; i++) {
		moved[i] = p->preserved[i];
		if (moved[i] < top && (moved[i] = fcntl(moved[i], F_DUPFD_CLOEXEC, top)) < 0)
			child_fail(KIND_SETUP, errno, "passing on descriptors");
	}
	for (size_t i = 0; i < p->npreserve; i++)
		if (dup3(moved[i], 3 + (int)i, 0) < 0)
			child_fail(KIND_SETUP, errno, "passing on descriptor %d", 3 + (int)i);
}

/* set_rlimits sets the plan's resource limits (--ulimit, and podman's
 * nofile and nproc defaults). Raising a hard limit needs privilege the
 * user's namespace does not give: that is the user's error, named. */
static void set_rlimits(const struct plan *p) {
	static const char *const names[] = {"cpu", "fsize", "data", "stack", "core", "rss", "nproc", "nofile",
					    "memlock", "as", "locks", "sigpending", "msgqueue", "nice", "rtprio", "rttime"};
	for (size_t i = 0; i < p->nrlimits; i++) {
		const struct plan_rlimit *r = &p->rlimits[i];
		struct rlimit rl = {.rlim_cur = r->soft, .rlim_max = r->hard};
		const char *name = r->resource >= 0 && r->resource < (int)(sizeof names / sizeof *names) ? names[r->resource] : "?";
		if (setrlimit(r->resource, &rl) < 0)
			child_fail(KIND_SETUP, errno, "setting ulimit %s=%llu:%llu (a container gets at most your own hard limit, ulimit -H)", name,
				   (unsigned long long)r->soft, (unsigned long long)r->hard);
	}
}

void child_exec(const struct plan *p) {
	char path[PATH_MAX];
	enter_workdir(p->cwd);
	look_path(p, path, sizeof path);
	if (p->has_oom)
		set_oom_score_adj(p->oom_score_adj);
	set_rlimits(p);
	if (p->has_umask)
		umask((mode_t)p->umask);
	/* No descriptor but stdio (and those passed on on purpose) may reach
	 * the process: the caller may have inherited some without
	 * close-on-exec (CVE-2024-21626 was such a leak). The socket stays
	 * open until the exec succeeds. */
	if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		child_fail(KIND_SETUP, errno, "marking descriptors close-on-exec");
	place_fds(p);
	load_seccomp(p);
	set_credentials(p);
	execve(path, p->args, p->env);
	int err = errno;
	if (err == ENOENT)
		child_fail(KIND_NOTFOUND, 0, "executing %s: no such file or directory", p->args[0]);
	if (err == EACCES || err == EPERM)
		child_fail(KIND_CANNOTINVOKE, 0, "executing %s: permission denied", p->args[0]);
	child_fail(KIND_CANNOTINVOKE, err, "executing %s", p->args[0]);
}
