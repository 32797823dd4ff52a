// Handshake: the parent half of the init protocol (sandbox/doc.go), from
// the init's clone until its process runs or failed to start.
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

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

/* oom_watch opens memory.events of the init's cgroup v2 cgroup, if any:
 * the spawner placed it there before it sent the spec. */
static void oom_watch(struct monitor *m) {
	char path[PATH_MAX + 64], line[PATH_MAX];
	snprintf(path, sizeof path, "/proc/%d/cgroup", (int)m->pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = 0;
			snprintf(path, sizeof path, "/sys/fs/cgroup%s/memory.events", line + 3);
			m->oomfd = open(path, O_RDONLY | O_CLOEXEC);
			break;
		}
	}
	fclose(f);
}

/* fail reports that nothing ran, reaps the init and leaves no socket. */
static void fail(struct monitor *m, const char *kind, const char *text) __attribute__((noreturn));
static void fail(struct monitor *m, const char *kind, const char *text) {
	char report[1200];
	snprintf(report, sizeof report, "error %s %s\n", kind, text);
	(void)!write(m->sync, report, strlen(report));
	while (waitpid(m->pid, NULL, 0) < 0 && errno == EINTR)
		;
	unlink("attach");
	_exit(1);
}

/* started tells the spawner and the attached clients that the process
 * runs, and leaves its PID in the file "pid". */
static void started(struct monitor *m) {
	char line[32];
	int n = snprintf(line, sizeof line, "pid %d\n", (int)m->pid);
	(void)!write(m->sync, line, (size_t)n);
	close(m->sync);
	m->sync = -1;
	oom_watch(m);
	int32_t p32 = m->pid;
	mon_broadcast(m, MON_PKT_STARTED, &p32, sizeof p32);
	int fd = open("pid", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		n = snprintf(line, sizeof line, "%d\n", (int)m->pid);
		(void)!write(fd, line, (size_t)n);
		close(fd);
	}
}

/* mon_handshake answers the init's messages: keeps the pty master it
 * sends, answers "ready" with "start", and takes the end of the stream as
 * the process being executed. */
void mon_handshake(struct monitor *m) {
	char msg[65536], kind[32] = "", text[1024] = "";
	int ptyfd = -1, go = 0;
	for (;;) {
		int fd = -1;
		if (recv_init(m->init_sock, msg, sizeof msg, &fd) <= 0)
			break;
		if (strstr(msg, "\"type\":\"pty\"") && fd >= 0) {
			ptyfd = fd;
		} else if (strstr(msg, "\"type\":\"ready\"")) {
			const char *start = "{\"type\":\"start\"}";
			if (send(m->init_sock, start, strlen(start), MSG_NOSIGNAL) < 0)
				break;
			go = 1;
		} else if (strstr(msg, "\"type\":\"error\"")) {
			json_str(msg, "kind", kind, sizeof kind);
			json_str(msg, "message", text, sizeof text);
		} else if (fd >= 0) {
			close(fd);
		}
	}
	close(m->init_sock);
	m->init_sock = -1;
	if (kind[0])
		fail(m, kind, text);
	if (!go)
		fail(m, "setup", "container init exited during set-up");
	if (m->cfg.tty && ptyfd >= 0) {
		fcntl(ptyfd, F_SETFL, O_NONBLOCK);
		m->out = m->in = ptyfd;
	}
	started(m);
}
