// The container's log, in the k8s-file format podman's conmon writes:
// "TIME STREAM F|P DATA" per line, P when the line goes on in the next
// record.
#include "monitor.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/uio.h>

void mon_log_open(struct monitor *m) {
	m->log = open(m->cfg.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (m->log < 0)
		mon_die(m, "opening the container log");
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
		/* A record is written with one writev so readers never see
		 * half of it. */
		(void)!writev(m->log, iov, 3);
		off = end;
	}
}
