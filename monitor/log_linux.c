// The container's log, in the k8s-file format podman's conmon writes:
// "TIME STREAM F|P DATA" per line, P when the line goes on in the next
// record. With a maximum size, the log starts over as conmon's does: a
// record that would take it past the maximum goes to a new, empty file
// that replaces it (rename), so a reader following the log sees a new
// file, and the log never holds more than the maximum.
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/uio.h>

void mon_log_open(struct monitor *m) {
	if (!m->cfg.log)
		return;
	m->log = open(m->cfg.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (m->log < 0)
		mon_die(m, "opening the container log");
	/* A restarted container appends: its earlier output counts. */
	struct stat st;
	m->log_size = fstat(m->log, &st) == 0 ? st.st_size : 0;
}

/* rotate replaces the log with an empty file. Should that fail, the log
 * is emptied in place, so that it stays bounded whatever happens. */
static void rotate(struct monitor *m) {
	char tmp[PATH_MAX];
	int fd = -1;
	if (snprintf(tmp, sizeof tmp, "%s.tmp", m->cfg.log) < (int)sizeof tmp)
		fd = open(tmp, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0 && rename(tmp, m->cfg.log) == 0) {
		close(m->log);
		m->log = fd;
	} else {
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		(void)!ftruncate(m->log, 0);
	}
	m->log_size = 0;
}

/* mon_log_chunk appends output to the log, a record per line. */
void mon_log_chunk(struct monitor *m, int kind, const char *buf, size_t len) {
	if (m->log < 0 || len == 0)
		return;
	struct timespec ts;
	struct tm tm;
	char stamp[64], head[96];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
	const char *name = kind == MON_PKT_STDERR ? "stderr" : "stdout";
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
		long long size = (long long)(iov[0].iov_len + iov[1].iov_len + iov[2].iov_len);
		if (m->cfg.log_max > 0 && m->log_size > 0 && m->log_size + size > m->cfg.log_max)
			rotate(m);
		/* A record is written with one writev so readers never see
		 * half of it. */
		ssize_t w = writev(m->log, iov, 3);
		if (w > 0)
			m->log_size += w;
		off = end;
	}
}
