// Reading the plan (plan.h) that the CLI sends the init and exec children
// on fd 3. Every length is checked against what was read: a malformed plan
// fails the child, never makes it read past its buffer.
#define _GNU_SOURCE
#include "child.h"
#include "plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

struct reader {
	const char *p;
	size_t n;
};

static void bad(const char *what) __attribute__((noreturn));
static void bad(const char *what) { child_fail(KIND_SETUP, 0, "reading the container's set-up: malformed %s", what); }

static uint32_t take32(struct reader *r, const char *what) {
	uint32_t v;
	if (r->n < sizeof v)
		bad(what);
	memcpy(&v, r->p, sizeof v);
	r->p += sizeof v;
	r->n -= sizeof v;
	return v;
}

/* item takes the next item of a record. */
static struct reader item(struct reader *r, const char *what) {
	uint32_t len = take32(r, what);
	if (len > r->n)
		bad(what);
	struct reader it = {r->p, len};
	r->p += len;
	r->n -= len;
	return it;
}

static const char *str(struct reader *r, const char *what) {
	struct reader it = item(r, what);
	if (it.n == 0 || it.p[it.n - 1] != 0 || memchr(it.p, 0, it.n - 1))
		bad(what);
	return it.p;
}

static uint64_t num(struct reader *r, const char *what) {
	struct reader it = item(r, what);
	uint64_t v;
	if (it.n != sizeof v)
		bad(what);
	memcpy(&v, it.p, sizeof v);
	return v;
}

static size_t count(struct reader r, const char *what) {
	size_t n = 0;
	while (r.n > 0) {
		item(&r, what);
		n++;
	}
	return n;
}

static void *alloc(size_t n, size_t size) {
	void *p = calloc(n + 1, size);
	if (!p)
		child_fail(KIND_SETUP, ENOMEM, "reading the container's set-up");
	return p;
}

/* strs takes the rest of a record as strings, NULL-terminated. */
static char **strs(struct reader *r, size_t *n, const char *what) {
	size_t k = count(*r, what);
	char **out = alloc(k, sizeof *out);
	for (size_t i = 0; i < k; i++)
		out[i] = (char *)str(r, what);
	if (n)
		*n = k;
	return out;
}

/* append adds s to a NULL-terminated list of n. */
static void append(const char ***list, size_t *n, const char *s) {
	const char **l = realloc(*list, (*n + 2) * sizeof *l);
	if (!l)
		child_fail(KIND_SETUP, ENOMEM, "reading the container's set-up");
	l[(*n)++] = s;
	l[*n] = NULL;
	*list = l;
}

static void parse_mount(struct reader *r, struct plan *p) {
	struct plan_mount *ms = realloc(p->mounts, (p->nmounts + 1) * sizeof *ms);
	if (!ms)
		child_fail(KIND_SETUP, ENOMEM, "reading the container's set-up");
	p->mounts = ms;
	struct plan_mount *m = &ms[p->nmounts++];
	m->type = str(r, "mount");
	m->source = str(r, "mount");
	m->dest = str(r, "mount");
	uint64_t v[PLAN_MOUNT_NUMS];
	for (int i = 0; i < PLAN_MOUNT_NUMS; i++)
		v[i] = num(r, "mount");
	m->bind = v[PLAN_MOUNT_BIND] != 0;
	m->recursive = v[PLAN_MOUNT_RECURSIVE] != 0;
	m->flags = v[PLAN_MOUNT_FLAGS];
	m->attr_set = v[PLAN_MOUNT_ATTR_SET];
	m->attr_clr = v[PLAN_MOUNT_ATTR_CLR];
	m->propagation = v[PLAN_MOUNT_PROPAGATION];
	m->fb_flags = v[PLAN_MOUNT_FB_FLAGS];
	m->fb_attr_set = v[PLAN_MOUNT_FB_ATTR_SET];
	m->fb_attr_clr = v[PLAN_MOUNT_FB_ATTR_CLR];
	m->copyup = v[PLAN_MOUNT_COPYUP] != 0;
	m->data = (const char **)strs(r, &m->ndata, "mount");
}

static void parse(struct reader r, struct plan *p) {
	while (r.n > 0) {
		uint32_t tag = take32(&r, "record");
		uint32_t len = take32(&r, "record");
		if (len > r.n)
			bad("record");
		struct reader b = {r.p, len};
		r.p += len;
		r.n -= len;
		switch (tag) {
		case PLAN_ARGS:
			p->args = strs(&b, NULL, "arguments");
			break;
		case PLAN_ENV:
			p->env = strs(&b, NULL, "environment");
			break;
		case PLAN_CWD:
			p->cwd = str(&b, "working directory");
			break;
		case PLAN_USER:
			p->uid = (uid_t)num(&b, "user");
			p->gid = (gid_t)num(&b, "user");
			p->ngids = count(b, "user");
			p->gids = alloc(p->ngids, sizeof *p->gids);
			for (size_t i = 0; i < p->ngids; i++)
				p->gids[i] = (gid_t)num(&b, "user");
			break;
		case PLAN_CAPS:
			for (int i = 0; i < 5; i++)
				p->caps[i] = num(&b, "capabilities");
			break;
		case PLAN_NO_NEW_PRIVS:
			p->no_new_privs = 1;
			break;
		case PLAN_OOM_SCORE_ADJ:
			p->has_oom = 1;
			p->oom_score_adj = (int)(int64_t)num(&b, "oom_score_adj");
			break;
		case PLAN_TERMINAL:
			p->terminal = 1;
			p->rows = (unsigned)num(&b, "terminal");
			p->cols = (unsigned)num(&b, "terminal");
			break;
		case PLAN_SECCOMP: {
			struct reader f = item(&b, "seccomp filter");
			if (f.n == 0 || f.n % 8 != 0 || f.n / 8 > 0xffff)
				bad("seccomp filter");
			p->filter = f.p;
			p->filter_len = f.n / 8;
			break;
		}
		case PLAN_UMASK:
			p->has_umask = 1;
			p->umask = (unsigned)num(&b, "umask") & 0777;
			break;
		case PLAN_RLIMIT: {
			struct plan_rlimit *rl = realloc(p->rlimits, (p->nrlimits + 1) * sizeof *rl);
			if (!rl)
				child_fail(KIND_SETUP, ENOMEM, "reading the container's set-up");
			p->rlimits = rl;
			rl[p->nrlimits].resource = (int)num(&b, "resource limit");
			rl[p->nrlimits].soft = num(&b, "resource limit");
			rl[p->nrlimits].hard = num(&b, "resource limit");
			p->nrlimits++;
			break;
		}
		case PLAN_PRESERVE_FDS:
			p->npreserve = (size_t)num(&b, "descriptors to pass on");
			if (p->npreserve > PLAN_MAX_TREES)
				bad("descriptors to pass on");
			break;
		case PLAN_ROOT:
			p->root = str(&b, "root");
			p->readonly_root = num(&b, "root") != 0;
			break;
		case PLAN_HOSTNAME:
			p->hostname = str(&b, "hostname");
			break;
		case PLAN_DOMAINNAME:
			p->domainname = str(&b, "domain name");
			break;
		case PLAN_CGROUPNS:
			p->cgroupns = 1;
			break;
		case PLAN_NETNS:
			p->netns = str(&b, "network namespace");
			break;
		case PLAN_NEWNET:
			p->newnet = 1;
			break;
		case PLAN_CWD_EXISTING:
			p->cwd_existing = str(&b, "working directory");
			break;
		case PLAN_NESTED:
			p->nested = 1;
			break;
		case PLAN_MOUNT:
			parse_mount(&b, p);
			break;
		case PLAN_DEVICE:
			append(&p->devices, &p->ndevices, str(&b, "device"));
			break;
		case PLAN_MASK:
			append(&p->masks, &p->nmasks, str(&b, "masked path"));
			break;
		case PLAN_READONLY:
			append(&p->readonly, &p->nreadonly, str(&b, "read-only path"));
			break;
		default:
			bad("record kind");
		}
	}
	if (!p->args || !p->args[0] || !p->env || !p->cwd)
		bad("process");
}

/* take_fds keeps the descriptors a message carried. */
static void take_fds(struct msghdr *mh, int *trees, size_t *ntrees) {
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
			if (*ntrees < PLAN_MAX_TREES)
				trees[(*ntrees)++] = fd;
			else
				close(fd);
		}
	}
}

void plan_read(int fd, struct plan *p, int *trees, size_t *ntrees) {
	struct stat st;
	int sock = fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
	size_t cap = 64 << 10, len = 0;
	char *buf = malloc(cap);
	char cbuf[CMSG_SPACE(sizeof(int) * (PLAN_MAX_TREES + 3))];
	*ntrees = 0;
	for (;;) {
		if (!buf)
			child_fail(KIND_SETUP, ENOMEM, "reading the container's set-up");
		if (len == cap) {
			if (cap >= PLAN_MAX_BYTES)
				child_fail(KIND_SETUP, E2BIG, "reading the container's set-up");
			cap *= 2;
			buf = realloc(buf, cap);
			continue;
		}
		ssize_t n;
		if (sock) {
			struct iovec iov = {buf + len, cap - len};
			struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
			n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
			if (n >= 0)
				take_fds(&mh, trees, ntrees);
		} else {
			n = read(fd, buf + len, cap - len);
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			child_fail(KIND_SETUP, errno, "reading the container's set-up");
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len == 0)
		child_fail(KIND_SETUP, 0, "reading the container's set-up: nothing was sent");
	if (len < PLAN_MAGIC_LEN || memcmp(buf, PLAN_MAGIC, PLAN_MAGIC_LEN) != 0)
		bad("header (a burrow of another version?)");
	memset(p, 0, sizeof *p);
	parse((struct reader){buf + PLAN_MAGIC_LEN, len - PLAN_MAGIC_LEN}, p);
	/* The descriptors to pass on come last, after the mount trees. */
	if (p->npreserve > *ntrees)
		child_fail(KIND_SETUP, 0, "the descriptors to pass on (--preserve-fds) were not sent");
	*ntrees -= p->npreserve;
	p->preserved = trees + *ntrees;
}
