// The pre-runtime half of burrow's user namespace handling. It runs as an
// ELF constructor, before the Go runtime starts its threads, because a
// multithreaded process can join neither a user nor a mount namespace.
// docs/userns.md describes the protocol; userns.go is the Go half.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <grp.h>

static int burrow_joined_pid;      /* PID of the pause process joined, 0 if none */
static int burrow_host_uid = -1;   /* the user's UID outside the namespace */
static int burrow_host_gid = -1;
static char burrow_join_error[256];

int burrow_userns_joined_pid(void) { return burrow_joined_pid; }
int burrow_userns_host_uid(void) { return burrow_host_uid; }
int burrow_userns_host_gid(void) { return burrow_host_gid; }
const char *burrow_userns_join_error(void) { return burrow_join_error; }

/* burrow_state_dir computes the per-user directory that holds pause.pid:
 * $XDG_RUNTIME_DIR/burrow when XDG_RUNTIME_DIR is a directory owned by the
 * user, else /tmp/burrow-run-UID. userns.StateDir mirrors this rule. */
static int burrow_state_dir(char *buf, size_t len, uid_t uid) {
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	if (xdg && xdg[0] == '/' && stat(xdg, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == uid)
		return snprintf(buf, len, "%s/burrow", xdg) >= (int)len ? -1 : 0;
	return snprintf(buf, len, "/tmp/burrow-run-%u", (unsigned)uid) >= (int)len ? -1 : 0;
}

static int read_pid_file(const char *dir, uid_t uid) {
	char path[PATH_MAX], buf[32];
	struct stat st;
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != uid || (st.st_mode & 022))
		return 0;
	if (snprintf(path, sizeof path, "%s/pause.pid", dir) >= (int)sizeof path)
		return 0;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	long pid = strtol(buf, NULL, 10);
	return pid > 0 && pid < INT_MAX ? (int)pid : 0;
}

/* is_pause_process checks that pid is one of this user's burrow pause
 * processes (a recycled PID must not be joined). */
static int is_pause_process(int pid, uid_t uid) {
	char path[64], comm[32];
	struct stat st;
	snprintf(path, sizeof path, "/proc/%d", pid);
	if (stat(path, &st) != 0 || st.st_uid != uid)
		return 0;
	snprintf(path, sizeof path, "/proc/%d/comm", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, comm, sizeof comm - 1);
	close(fd);
	if (n <= 0)
		return 0;
	comm[n] = 0;
	if (strcmp(comm, "burrow-pause\n") != 0)
		return 0;
	/* A killed pause process that is not reaped yet keeps its comm but
	 * has no namespaces left: it counts as gone. */
	snprintf(path, sizeof path, "/proc/%d/ns/user", pid);
	return access(path, F_OK) == 0;
}

static void join_pause_process(void) {
	uid_t uid = getuid();
	gid_t gid = getgid();
	char dir[PATH_MAX], path[64];

	if (geteuid() == 0 || getenv("_BURROW_ROLE") != NULL || getenv("_BURROW_NOJOIN") != NULL)
		return;
	if (burrow_state_dir(dir, sizeof dir, uid) != 0)
		return;
	int pid = read_pid_file(dir, uid);
	if (pid == 0 || !is_pause_process(pid, uid))
		return;

	snprintf(path, sizeof path, "/proc/%d/ns/user", pid);
	int userfd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof path, "/proc/%d/ns/mnt", pid);
	int mntfd = open(path, O_RDONLY | O_CLOEXEC);
	if (userfd < 0 || mntfd < 0) {
		snprintf(burrow_join_error, sizeof burrow_join_error, "opening namespaces of pause process %d: %s", pid, strerror(errno));
		goto out;
	}
	/* Joining a mount namespace moves the working directory to its root:
	 * remember where the user was, so relative paths keep their meaning. */
	char cwd[PATH_MAX];
	int cwdfd = open(".", O_PATH | O_CLOEXEC);
	if (getcwd(cwd, sizeof cwd) == NULL)
		cwd[0] = 0;
	if (setns(userfd, CLONE_NEWUSER) != 0) {
		snprintf(burrow_join_error, sizeof burrow_join_error, "joining user namespace of pause process %d: %s", pid, strerror(errno));
		goto out;
	}
	if (setns(mntfd, CLONE_NEWNS) != 0) {
		/* Half joined is not a state to continue in. */
		fprintf(stderr, "Error: joining mount namespace of pause process %d: %s\n", pid, strerror(errno));
		_exit(125);
	}
	if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) {
		fprintf(stderr, "Error: becoming root in burrow's user namespace: %s\n", strerror(errno));
		_exit(125);
	}
	setgroups(0, NULL); /* the host's supplementary groups are unmapped here */
	/* The pause process's mount namespace is a copy of the host's: the
	 * same path names the same directory. */
	if ((cwd[0] == 0 || chdir(cwd) != 0) && cwdfd >= 0)
		(void)!fchdir(cwdfd);
	if (cwdfd >= 0)
		close(cwdfd);

	burrow_joined_pid = pid;
	burrow_host_uid = (int)uid;
	burrow_host_gid = (int)gid;
	/* containers/storage and containers/image read these (through C getenv
	 * under cgo) to pick the rootless default paths, as under podman. */
	char num[32];
	snprintf(num, sizeof num, "%u", (unsigned)uid);
	setenv("_CONTAINERS_ROOTLESS_UID", num, 1);
	snprintf(num, sizeof num, "%u", (unsigned)gid);
	setenv("_CONTAINERS_ROOTLESS_GID", num, 1);
	setenv("_CONTAINERS_USERNS_CONFIGURED", "done", 1);
out:
	if (userfd >= 0)
		close(userfd);
	if (mntfd >= 0)
		close(mntfd);
}

/* pause_main is the whole life of the pause process (role "pause"): it
 * waits on fd 3 until its parent has written the ID maps, becomes root of
 * the new namespace, reports on fd 4 and then holds the user and mount
 * namespaces until it is killed. The Go runtime never starts in it. */
static void pause_main(void) {
	char c;
	sigset_t all;
	if (read(3, &c, 1) != 1)
		_exit(1); /* the parent gave up before mapping us */
	close(3);
	if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0)
		_exit(1);
	prctl(PR_SET_NAME, "burrow-pause", 0, 0, 0);
	if (chdir("/") != 0)
		_exit(1);
	if (write(4, "1", 1) != 1)
		_exit(1);
	close(4);
	/* Hold nothing of the caller's: an inherited pipe kept open for ever
	 * would keep whoever reads its other end waiting. */
	close_range(3, ~0U, 0);
	sigfillset(&all);
	sigdelset(&all, SIGTERM);
	sigdelset(&all, SIGKILL);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (;;)
		pause();
}

/* Called by the binary's constructor (cmd/burrow/roles.go), role being
 * _BURROW_ROLE: the pause role, or the CLI's join. */
void burrow_role_userns(const char *role) {
	if (role && strcmp(role, "pause") == 0)
		pause_main();
	join_pause_process();
}
