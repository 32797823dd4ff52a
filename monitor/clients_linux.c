// Attach connections (SOCK_SEQPACKET, a kind byte first in every packet:
// packets.h). The monitor never blocks on one: a packet the socket does
// not take at once waits in the client's queue, and a client that falls
// MON_BEHIND_MAX bytes behind is dropped, or for the spawner's, holds the
// output back until it stalls (monitor.h). Input for the container waits
// in one queue of its own, and clients are not read while it is full, so a
// container that does not read its stdin holds back only the clients.
#include "monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>

long long mon_now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct mon_client *mon_client_add(struct monitor *m, int fd, int spawner) {
	fcntl(fd, F_SETFL, O_NONBLOCK);
	for (int i = 0; i < MON_MAX_CLIENTS; i++) {
		struct mon_client *c = &m->clients[i];
		if (c->fd < 0) {
			memset(c, 0, sizeof *c);
			c->fd = fd;
			c->spawner = spawner;
			return c;
		}
	}
	close(fd);
	return NULL;
}

void mon_client_drop(struct mon_client *c) {
	if (c->fd >= 0)
		close(c->fd);
	free(c->queue);
	memset(c, 0, sizeof *c);
	c->fd = -1;
}

int mon_client_queued(const struct mon_client *c) { return c->fd >= 0 && c->off < c->len; }

static ssize_t send_packet(int fd, int kind, const void *data, size_t len) {
	unsigned char k = (unsigned char)kind;
	struct iovec iov[2] = {{&k, 1}, {(void *)data, len}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};
	ssize_t n;
	do
		n = sendmsg(fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n;
}

static int would_block(void) { return errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS; }

/* mon_holding_back is the spawner's client when it is MON_BEHIND_MAX
 * behind: the container's output waits until it takes some. */
struct mon_client *mon_holding_back(struct monitor *m) {
	for (int i = 0; i < MON_MAX_CLIENTS; i++) {
		struct mon_client *c = &m->clients[i];
		if (c->fd >= 0 && c->spawner && c->len - c->off >= MON_BEHIND_MAX)
			return c;
	}
	return NULL;
}

/* enqueue keeps a packet the socket did not take; 0 when the client is
 * too far behind for it. The spawner's queue may grow past MON_BEHIND_MAX
 * by what is read before the output is held back, and by what the pipes
 * still hold after the exit, when nothing is held back any more. */
static int enqueue(struct mon_client *c, int kind, const void *data, size_t len) {
	size_t need = sizeof(uint32_t) + 1 + len;
	if (c->len - c->off + need > (c->spawner ? 2 * MON_BEHIND_MAX : MON_BEHIND_MAX))
		return 0;
	if (c->off == c->len)
		c->progress = mon_now_ms();
	if (c->off > 0 && c->len + need > c->cap) {
		memmove(c->queue, c->queue + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
	}
	if (c->len + need > c->cap) {
		size_t cap = c->cap ? c->cap : 65536;
		while (cap < c->len + need)
			cap *= 2;
		char *q = realloc(c->queue, cap);
		if (!q)
			return 0;
		c->queue = q, c->cap = cap;
	}
	uint32_t n = (uint32_t)(1 + len);
	memcpy(c->queue + c->len, &n, sizeof n);
	c->queue[c->len + sizeof n] = (char)kind;
	memcpy(c->queue + c->len + sizeof n + 1, data, len);
	c->len += need;
	return 1;
}

void mon_client_send(struct mon_client *c, int kind, const void *data, size_t len) {
	if (c->fd < 0)
		return;
	if (len > MON_PKT_MAX)
		len = MON_PKT_MAX;
	if (!mon_client_queued(c)) {
		if (send_packet(c->fd, kind, data, len) >= 0)
			return;
		if (!would_block()) {
			mon_client_drop(c); /* gone (EPIPE) */
			return;
		}
	}
	if (!enqueue(c, kind, data, len))
		mon_client_drop(c); /* fallen behind */
}

void mon_broadcast(struct monitor *m, int kind, const void *data, size_t len) {
	for (int i = 0; i < MON_MAX_CLIENTS; i++)
		mon_client_send(&m->clients[i], kind, data, len);
}

/* mon_client_flush sends what the socket takes of the client's queue. */
void mon_client_flush(struct mon_client *c) {
	while (mon_client_queued(c)) {
		uint32_t n;
		memcpy(&n, c->queue + c->off, sizeof n);
		const char *p = c->queue + c->off + sizeof n;
		if (send_packet(c->fd, p[0], p + 1, n - 1) < 0) {
			if (!would_block())
				mon_client_drop(c);
			return;
		}
		c->off += sizeof n + n;
		c->progress = mon_now_ms();
	}
	free(c->queue);
	c->queue = NULL;
	c->len = c->off = c->cap = 0;
}

int mon_input_pending(const struct monitor *m) { return m->in_off < m->in_len; }

void mon_input_close(struct monitor *m) {
	if (m->in >= 0 && m->in != m->out)
		close(m->in);
	m->in = -1;
	free(m->in_queue);
	m->in_queue = NULL;
	m->in_len = m->in_off = 0;
}

/* write_input writes what the container takes now; 0 when it will take
 * no more (its stdin is closed). */
static ssize_t write_input(struct monitor *m, const char *p, size_t n) {
	ssize_t w;
	do
		w = write(m->in, p, n);
	while (w < 0 && errno == EINTR);
	if (w < 0 && would_block())
		return 0;
	return w < 0 ? -1 : w;
}

static void input(struct monitor *m, const char *p, size_t n) {
	if (m->in < 0 || n == 0)
		return;
	ssize_t w = write_input(m, p, n);
	if (w < 0 || (size_t)w == n)
		return; /* all taken, or never will be */
	if (!m->in_queue && !(m->in_queue = malloc(MON_PKT_MAX)))
		return;
	memcpy(m->in_queue, p + w, n - (size_t)w);
	m->in_off = 0;
	m->in_len = n - (size_t)w;
}

/* mon_input_flush goes on with input the container did not take at once. */
void mon_input_flush(struct monitor *m) {
	if (m->in < 0) {
		m->in_len = m->in_off = 0;
		return;
	}
	ssize_t w = write_input(m, m->in_queue + m->in_off, m->in_len - m->in_off);
	if (w < 0) {
		m->in_len = m->in_off = 0; /* the container closed its stdin */
		return;
	}
	m->in_off += (size_t)w;
	if (!mon_input_pending(m)) {
		free(m->in_queue);
		m->in_queue = NULL;
		m->in_len = m->in_off = 0;
	}
}

/* mon_client_packet reads one packet from a client and acts on it. */
void mon_client_packet(struct monitor *m, struct mon_client *c) {
	char pkt[MON_PKT_MAX + 1];
	ssize_t n = recv(c->fd, pkt, sizeof pkt, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		mon_client_drop(c);
		return;
	}
	switch (pkt[0]) {
	case MON_PKT_STDIN:
		input(m, pkt + 1, (size_t)n - 1);
		break;
	case MON_PKT_RESIZE:
		if (m->cfg.tty && m->out >= 0 && n >= 5) {
			uint16_t rc[2];
			memcpy(rc, pkt + 1, sizeof rc);
			struct winsize ws = {.ws_row = rc[0], .ws_col = rc[1]};
			ioctl(m->out, TIOCSWINSZ, &ws);
		}
		break;
	case MON_PKT_CLOSE_STDIN:
		if (!m->cfg.tty)
			mon_input_close(m);
		break;
	case MON_PKT_CLEANING:
		c->cleaner = 1;
		break;
	case MON_PKT_CLEANED:
		if (m->exited && (c->spawner || c->cleaner))
			m->cleaned = 1;
		break;
	}
}

/* mon_client_events handles what poll reported for a client. */
void mon_client_events(struct monitor *m, struct mon_client *c, short revents) {
	if (c->fd >= 0 && (revents & POLLOUT))
		mon_client_flush(c);
	if (c->fd >= 0 && (revents & POLLIN) && !mon_input_pending(m))
		mon_client_packet(m, c);
	else if (c->fd >= 0 && (revents & (POLLHUP | POLLERR)) && !(revents & POLLIN))
		mon_client_drop(c);
}
