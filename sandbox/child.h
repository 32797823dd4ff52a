/* The C children of the init protocol (sandbox/doc.go): the container's
 * init (init_linux.c) and an exec's child (nsenter_linux.c), which run a
 * plan (plan.h) from fd 3 and report on the fd 4 socket, without the Go
 * runtime ever starting in them. */
#ifndef BURROW_SANDBOX_CHILD_H
#define BURROW_SANDBOX_CHILD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CHILD_PLAN_FD 3
#define CHILD_SOCKET_FD 4

/* Error kinds of the "error" message (sandbox/protocol.go). */
#define KIND_SETUP "setup"
#define KIND_NOTFOUND "notfound"
#define KIND_CANNOTINVOKE "cannotinvoke"

struct plan_mount {
	const char *type, *source, *dest;
	int bind, recursive, copyup;
	uint64_t flags, attr_set, attr_clr, propagation;
	uint64_t fb_flags, fb_attr_set, fb_attr_clr;
	const char **data; /* fsconfig options */
	size_t ndata;
};

struct plan {
	/* the process */
	char **args, **env; /* NULL-terminated */
	const char *cwd;
	uid_t uid;
	gid_t gid;
	gid_t *gids;
	size_t ngids;
	uint64_t caps[5]; /* bounding, effective, permitted, inheritable, ambient */
	int no_new_privs;
	int has_oom;
	int oom_score_adj;
	int terminal;
	unsigned rows, cols;
	const void *filter; /* struct sock_filter[] */
	size_t filter_len;  /* in instructions */
	size_t npreserve;   /* descriptors passed on as 3, 4, ... */
	int has_umask;
	unsigned umask;
	struct plan_rlimit {
		int resource;
		uint64_t soft, hard;
	} *rlimits;
	size_t nrlimits;
	const int *preserved; /* them, as received (plan_read) */
	/* the container (init only) */
	const char *root;
	int readonly_root, cgroupns, newnet, nested;
	const char *hostname, *domainname, *netns;
	const char *cwd_existing; /* the container's ID when the working directory must exist */
	struct plan_mount *mounts;
	size_t nmounts;
	const char **devices, **masks, **readonly;
	size_t ndevices, nmasks, nreadonly;
};

/* plan_read reads the plan on fd (to its end) and the descriptors sent
 * with it (trees, at most PLAN_MAX_TREES; those to pass on to the process
 * are set apart in p->preserved), and closes fd; it fails the child on a
 * malformed plan. */
void plan_read(int fd, struct plan *p, int *trees, size_t *ntrees);

/* child_fail reports an error of kind on the socket, as "WHAT: ERROR"
 * when err is not 0, and exits as podman does: 127 not found, 126 cannot
 * invoke, 125 for the rest. */
void child_fail(const char *kind, int err, const char *fmt, ...) __attribute__((noreturn, format(printf, 3, 4)));

/* child_send sends a message of the protocol, with a descriptor when fd
 * is not -1. */
int child_send(const char *json, int fd);

/* child_terminal makes the process's terminal (a pty of the devpts at
 * /dev/pts), sends its master to the parent and makes it the controlling
 * terminal and stdio. */
void child_terminal(const struct plan *p);

/* child_exec becomes the plan's process: working directory, executable,
 * oom_score_adj, resource limits, umask, descriptors, seccomp,
 * credentials, then execve. */
void child_exec(const struct plan *p) __attribute__((noreturn));

/* burrow_init_main is the container's init: the "init" role, or called
 * by the monitor in the clone it made, without an exec of the binary
 * (cmd/burrow/roles.go hands it over). */
void burrow_init_main(void) __attribute__((noreturn));

/* exec_child_main is an exec's child, inside the container's namespaces. */
void exec_child_main(void) __attribute__((noreturn));

/* rootfs_build makes the container's filesystem under the plan's root
 * (open_root is its descriptor) and pivots to it. */
void rootfs_build(const struct plan *p, int root, const char *rootpath, const int *sources, size_t nsources);

/* copyup_tree copies the content of the directory from (a descriptor,
 * O_PATH will do) into the directory to, owners and modes kept, links
 * copied as links and never followed (copyup_linux.c). On failure it
 * returns -1 with errno set and names, in failed, the path below from it
 * failed on ("" for from itself). */
int copyup_tree(int from, int to, char *failed, size_t size);

/* rootfs_finish masks and makes read-only what the plan says, inside the
 * container (after pivot_root). */
void rootfs_finish(const struct plan *p);

#endif
