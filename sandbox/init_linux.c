// The container's init (the "init" role): the child half of the init
// protocol (sandbox/doc.go), in C, run from the ELF constructor before the
// Go runtime would start. It reads the plan (plan.h) on fd 3, builds the
// container's filesystem (rootfs_linux.c), reports "ready" on the fd 4
// socket, waits for "start", and becomes the container's process
// (process_linux.c), which is then PID 1 of the container.
#define _GNU_SOURCE
#include "child.h"
#include "plan.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/mount.h>

/* join_netns enters a network namespace made beforehand (with its
 * user-mode network attached already): this process is the one that
 * execs, so the container's process ends up in it. */
static void join_netns(const char *path) {
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		child_fail(KIND_SETUP, errno, "opening the network namespace %s", path);
	if (setns(fd, CLONE_NEWNET) < 0)
		child_fail(KIND_SETUP, errno, "joining the network namespace %s", path);
	close(fd);
}

/* wait_start reports ready and waits for the parent's "start" (its hook
 * point for networking and cgroups). */
static void wait_start(void) {
	char msg[256];
	if (child_send("{\"type\":\"ready\"}", -1) < 0)
		child_fail(KIND_SETUP, errno, "reporting ready");
	ssize_t n;
	do
		n = recv(CHILD_SOCKET_FD, msg, sizeof msg - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		child_fail(KIND_SETUP, errno, "waiting for start");
	msg[n > 0 ? n : 0] = 0;
	if (!strstr(msg, "\"type\":\"start\""))
		child_fail(KIND_SETUP, 0, "waiting for start: the parent went away");
}

void burrow_init_main(void) {
	struct plan p;
	int trees[PLAN_MAX_TREES];
	size_t ntrees;
	/* Not dumpable until the exec: a process in the container can
	 * neither ptrace this one nor open its /proc/PID/exe
	 * (CVE-2019-5736). */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		child_fail(KIND_SETUP, errno, "making the init undumpable");
	fcntl(CHILD_SOCKET_FD, F_SETFD, FD_CLOEXEC);
	/* A session of its own, whoever spawned it: no terminal can be the
	 * process's controlling terminal but the pty made for it here. */
	if (setsid() < 0)
		child_fail(KIND_SETUP, errno, "creating a session");
	plan_read(CHILD_PLAN_FD, &p, trees, &ntrees);
	if (!p.root)
		child_fail(KIND_SETUP, 0, "the container's set-up has no root filesystem");
	if (p.cgroupns && unshare(CLONE_NEWCGROUP) < 0)
		child_fail(KIND_SETUP, errno, "creating the cgroup namespace");
	if (p.netns)
		join_netns(p.netns);
	/* Nothing mounted from here on may reach the caller's mount
	 * namespace. */
	if (syscall(SYS_mount, "", "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		child_fail(KIND_SETUP, errno, "making / a slave mount");
	char rootpath[PATH_MAX];
	snprintf(rootpath, sizeof rootpath, "%s", p.root);
	const int *sources = NULL;
	size_t nsources = 0;
	if (p.nested) {
		/* The root and every bind source arrive as detached mount trees
		 * (sandbox.OpenTrees): their paths may lead through
		 * directories of IDs this namespace does not map. The root is
		 * attached on top of our own "/", which hides nothing from path
		 * lookups (they start below it) and is gone after pivot_root;
		 * until then it is reached through its descriptor. */
		if (ntrees == 0)
			child_fail(KIND_SETUP, 0, "no root filesystem was sent for a container with its own user namespace");
		if (syscall(SYS_move_mount, trees[0], "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0)
			child_fail(KIND_SETUP, errno, "attaching the root filesystem");
		snprintf(rootpath, sizeof rootpath, "/proc/self/fd/%d", trees[0]);
		sources = trees + 1;
		nsources = ntrees - 1;
	} else if (ntrees > 0) {
		/* The root, mounted after this namespace was made, arrives as a
		 * detached mount tree. */
		int r = (int)syscall(SYS_move_mount, trees[0], "", AT_FDCWD, rootpath, MOVE_MOUNT_F_EMPTY_PATH);
		int saved = errno;
		for (size_t i = 0; i < ntrees; i++)
			close(trees[i]);
		errno = saved;
		if (r < 0)
			child_fail(KIND_SETUP, errno, "attaching the root filesystem %s", rootpath);
	}
	if (!p.nested && syscall(SYS_mount, rootpath, rootpath, NULL, MS_BIND | MS_REC, NULL) < 0)
		child_fail(KIND_SETUP, errno, "bind-mounting the root filesystem %s", rootpath);
	int root = open(rootpath, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		child_fail(KIND_SETUP, errno, "opening the root filesystem %s", rootpath);
	rootfs_build(&p, root, rootpath, sources, nsources);
	rootfs_finish(&p);
	if (p.terminal)
		child_terminal(&p);
	wait_start();
	child_exec(&p);
}
