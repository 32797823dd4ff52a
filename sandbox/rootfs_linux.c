// The container's filesystem, built by the C init through descriptors:
// every mount point is opened (or created) inside the root once, with
// openat2(RESOLVE_IN_ROOT), so that links are followed as the container
// would see them and never out of its root; the mount is made as a
// detached tree (open_tree for a bind, fsopen/fsmount for a new
// filesystem), attached to that descriptor (move_mount) and given its
// flags on the mount itself (mount_setattr, every mount below it too). No
// path is walked twice, so a container sharing a volume with this one
// cannot swap a directory for a link to a host path between the check
// and the mount.
#define _GNU_SOURCE
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/mount.h>
#include <linux/openat2.h>

#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef MNT_DETACH
#define MNT_DETACH 2 /* <sys/mount.h>'s, which <linux/mount.h> conflicts with */
#endif

/* How many links a path may lead through, as the kernel's ELOOP. */
#define MAX_LINKS 40

static int sys_openat2(int dir, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
	struct open_how how = {.flags = flags, .mode = mode, .resolve = resolve};
	return (int)syscall(SYS_openat2, dir, path, &how, sizeof how);
}

static int sys_mount(const char *src, const char *dst, const char *type, unsigned long flags, const char *data) {
	return (int)syscall(SYS_mount, src, dst, type, flags, data);
}

/* open_in_root opens path inside the root for O_PATH, links followed as
 * they lead inside it. */
static int open_in_root(int root, const char *path, int flags) {
	while (*path == '/')
		path++;
	int fd;
	/* EAGAIN: a rename elsewhere raced with a ".." the kernel resolved;
	 * it asks to try again. */
	for (int try = 0; try < 16; try++) {
		fd = sys_openat2(root, *path ? path : ".", O_PATH | O_CLOEXEC | flags, 0,
				 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
		if (fd >= 0 || errno != EAGAIN)
			break;
	}
	return fd;
}

/* next_component finds the component of path at *pos, skipping slashes:
 * its start and length (0 at the end). */
static size_t next_component(const char *path, size_t *pos, size_t *start) {
	while (path[*pos] == '/')
		(*pos)++;
	*start = *pos;
	while (path[*pos] && path[*pos] != '/')
		(*pos)++;
	return *pos - *start;
}

/* follow_dangling replaces, in path, the component at [start, start+len)
 * of the directory prefix dir (as written) by where the link target
 * leads, the rest kept: "dir/TARGET/rest", or "TARGET/rest" when it is
 * absolute. */
static int follow_dangling(char *path, size_t size, const char *target, size_t start, size_t len) {
	char rest[PATH_MAX], head[PATH_MAX];
	snprintf(rest, sizeof rest, "%s", path + start + len);
	if (target[0] == '/')
		head[0] = 0;
	else
		snprintf(head, sizeof head, "%.*s", (int)start, path);
	int n = snprintf(path, size, "%s/%s%s", head, target, rest);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* mkdir_all makes path a directory inside the root, with its parents, and
 * returns a descriptor of it. A dangling link on the way is followed (an
 * image's link may point at a directory not made yet): what it names is
 * made, inside the root. Each directory made is opened from its parent's
 * descriptor without following links, so one swapped in meanwhile fails
 * the call. Returns -1 with errno set. */
static int mkdir_all(int root, const char *path_in) {
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s", path_in) >= (int)sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (int links = 0; links <= MAX_LINKS; links++) {
		int fd = open_in_root(root, path, O_DIRECTORY);
		if (fd >= 0 || errno != ENOENT)
			return fd;
		int dir = open_in_root(root, "", O_DIRECTORY);
		if (dir < 0)
			return -1;
		size_t pos = 0, start, len;
		int restart = 0;
		while (!restart && (len = next_component(path, &pos, &start)) > 0) {
			char prefix[PATH_MAX], name[NAME_MAX + 1], target[PATH_MAX];
			snprintf(prefix, sizeof prefix, "%.*s", (int)pos, path);
			int next = open_in_root(root, prefix, O_DIRECTORY);
			if (next < 0 && errno == ENOENT) {
				if (len > NAME_MAX) {
					close(dir);
					errno = ENAMETOOLONG;
					return -1;
				}
				snprintf(name, sizeof name, "%.*s", (int)len, path + start);
				ssize_t n = readlinkat(dir, name, target, sizeof target - 1);
				if (n >= 0) {
					target[n] = 0;
					if (follow_dangling(path, sizeof path, target, start, len) < 0) {
						close(dir);
						return -1;
					}
					restart = 1;
					continue;
				}
				if (mkdirat(dir, name, 0755) < 0 && errno != EEXIST) {
					close(dir);
					return -1;
				}
				next = openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			}
			int saved = errno;
			close(dir);
			errno = saved;
			if (next < 0)
				return -1;
			dir = next;
		}
		if (!restart)
			return dir;
		close(dir);
	}
	errno = ELOOP;
	return -1;
}

/* mkfile returns a descriptor of the file at path inside the root,
 * creating it (empty) and its directory when missing: a mount point for
 * a file. A dangling link is followed as by mkdir_all. */
static int mkfile(int root, const char *path_in) {
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s", path_in) >= (int)sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (int links = 0; links <= MAX_LINKS; links++) {
		int fd = open_in_root(root, path, 0);
		if (fd >= 0 || errno != ENOENT)
			return fd;
		/* The directory, then the name in it. */
		size_t end = strlen(path);
		while (end > 0 && path[end - 1] == '/')
			end--;
		size_t start = end;
		while (start > 0 && path[start - 1] != '/')
			start--;
		size_t len = end - start;
		if (len == 0 || len > NAME_MAX || (len == 1 && path[start] == '.') || (len == 2 && strncmp(path + start, "..", 2) == 0)) {
			errno = EINVAL;
			return -1;
		}
		char dirpath[PATH_MAX], name[NAME_MAX + 1], target[PATH_MAX];
		snprintf(dirpath, sizeof dirpath, "%.*s", (int)start, path);
		snprintf(name, sizeof name, "%.*s", (int)len, path + start);
		int dir = mkdir_all(root, dirpath);
		if (dir < 0)
			return -1;
		ssize_t n = readlinkat(dir, name, target, sizeof target - 1);
		if (n >= 0) {
			close(dir);
			target[n] = 0;
			if (follow_dangling(path, sizeof path, target, start, len) < 0)
				return -1;
			continue;
		}
		fd = openat(dir, name, O_CREAT | O_EXCL | O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
		int saved = errno;
		close(dir);
		if (fd >= 0)
			return fd;
		if (saved != EEXIST) {
			errno = saved;
			return -1;
		}
		/* Made meanwhile: look again. */
	}
	errno = ELOOP;
	return -1;
}

/* clone_tree is a detached copy of the mount at path from dir (an empty
 * path: dir itself), with the mounts below it when recursive. */
static int clone_tree(int dir, const char *path, int recursive) {
	unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
	if (recursive)
		flags |= AT_RECURSIVE;
	if (!*path)
		flags |= AT_EMPTY_PATH;
	return (int)syscall(SYS_open_tree, dir, path, flags);
}

/* new_mount makes a detached mount of a new filesystem with its options
 * and attributes; a failing option is named in *bad. */
static int new_mount(const char *type, const char *source, const char *const *data, size_t ndata,
		     uint64_t attr, const char **bad) {
	int fs = (int)syscall(SYS_fsopen, type, FSOPEN_CLOEXEC);
	if (fs < 0)
		return -1;
	int ok = !*source || syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "source", source, 0) == 0;
	for (size_t i = 0; ok && i < ndata; i++) {
		char key[256];
		const char *eq = strchr(data[i], '=');
		if (eq && (size_t)(eq - data[i]) < sizeof key) {
			snprintf(key, sizeof key, "%.*s", (int)(eq - data[i]), data[i]);
			ok = syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, key, eq + 1, 0) == 0;
		} else {
			ok = syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, data[i], NULL, 0) == 0;
		}
		if (!ok)
			*bad = data[i];
	}
	if (ok)
		ok = syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0;
	int mnt = ok ? (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, (unsigned)attr) : -1;
	int saved = errno;
	close(fs);
	errno = saved;
	return mnt;
}

static void fd_path(int fd, char *out, size_t len) { snprintf(out, len, "/proc/self/fd/%d", fd); }

/* The flags a mount made in a less privileged user namespace must keep on
 * remount (the kernel locks them). */
#define LOCKED_FLAGS (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME)

/* remount_top adds flags to the attached mount mnt by remounting it,
 * keeping those it has: before Linux 5.12 (no mount_setattr) only the top
 * mount of a tree can be changed. */
static int remount_top(int mnt, uint64_t flags) {
	struct statfs st;
	char p[64];
	if (fstatfs(mnt, &st) < 0)
		return -1;
	fd_path(mnt, p, sizeof p);
	unsigned long keep = (unsigned long)st.f_flags & LOCKED_FLAGS;
	return sys_mount("", p, NULL, MS_BIND | MS_REMOUNT | keep | ((unsigned long)flags & ~(unsigned long)MS_REC), NULL);
}

/* set_attr gives the attached mount mnt and every mount below it the
 * attributes (a :ro bind is read-only all through), then the propagation. */
static int set_attr(int mnt, uint64_t set, uint64_t clr, uint64_t flags, uint64_t propagation) {
	if (set | clr) {
		struct mount_attr a = {.attr_set = set, .attr_clr = clr};
		int r = (int)syscall(SYS_mount_setattr, mnt, "", AT_EMPTY_PATH | AT_RECURSIVE, &a, sizeof a);
		if (r < 0 && errno == ENOSYS)
			r = remount_top(mnt, flags);
		if (r < 0)
			return -1;
	}
	if (!propagation)
		return 0;
	struct mount_attr a = {.propagation = propagation & ~(uint64_t)MS_REC};
	unsigned at = AT_EMPTY_PATH | ((propagation & MS_REC) ? AT_RECURSIVE : 0);
	int r = (int)syscall(SYS_mount_setattr, mnt, "", at, &a, sizeof a);
	if (r < 0 && errno == ENOSYS) {
		char p[64];
		fd_path(mnt, p, sizeof p);
		r = sys_mount("", p, NULL, (unsigned long)propagation, NULL);
	}
	return r;
}

/* attach moves the detached mount mnt onto target and sets its flags. */
static int attach(int mnt, int target, uint64_t set, uint64_t clr, uint64_t flags, uint64_t propagation) {
	if (syscall(SYS_move_mount, mnt, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -1;
	return set_attr(mnt, set, clr, flags, propagation);
}

/* bind_mount binds the tree (or, when tree is -1, a clone of source) on
 * dest inside the root, made a directory or a file like the source. */
static int bind_mount(int root, const char *dest, const char *source, int tree, int recursive, uint64_t set,
		      uint64_t clr, uint64_t flags, uint64_t propagation) {
	int own = -1;
	if (tree < 0 && (tree = own = clone_tree(AT_FDCWD, source, recursive)) < 0)
		return -1;
	struct stat st;
	int target = -1, r = -1;
	if (fstat(tree, &st) == 0)
		target = S_ISDIR(st.st_mode) ? mkdir_all(root, dest) : mkfile(root, dest);
	if (target >= 0)
		r = attach(tree, target, set, clr, flags, propagation);
	int saved = errno;
	if (target >= 0)
		close(target);
	if (own >= 0)
		close(own);
	errno = saved;
	return r;
}

static void mount_fail(const struct plan_mount *m, const char *bad) __attribute__((noreturn));
static void mount_fail(const struct plan_mount *m, const char *bad) {
	if (bad)
		child_fail(KIND_SETUP, errno, "mounting %s on %s: option %s", m->type, m->dest, bad);
	child_fail(KIND_SETUP, errno, "mounting %s on %s", m->type, m->dest);
}

/* mount_one makes mount m inside the root. A bind's source is the mount
 * tree tree when it is not -1 (a container with its own user namespace),
 * else its path. */
/* A read-only tmpfs is mounted writable and made read-only once every
 * mount is made (rootfs_finish), as runc does: the mounts on top of it
 * (a --tmpfs /etc:ro gets /etc/hosts and /etc/hostname bound in) need
 * their mount points made in it first. */
static const char **late_readonly;
static size_t nlate_readonly;

static void mount_one(int root, const struct plan_mount *m, int newnet, int tree) {
	if (m->bind) {
		if (bind_mount(root, m->dest, m->source, tree, m->recursive, m->attr_set, m->attr_clr, m->flags, m->propagation) < 0)
			mount_fail(m, NULL);
		return;
	}
	/* A mount point the root lacks is made empty: nothing to copy up,
	 * and the tmpfs keeps its own mode (1777, or mode=) as runc's. On a
	 * directory of the image, a tmpfs takes that directory's mode unless
	 * mode= says otherwise, as runc's. */
	int copyup = 0;
	char mode_opt[32] = "";
	if (m->copyup || strcmp(m->type, "tmpfs") == 0) {
		int fd = open_in_root(root, m->dest, O_DIRECTORY);
		struct stat st;
		copyup = m->copyup && fd >= 0;
		if (fd >= 0 && strcmp(m->type, "tmpfs") == 0 && fstat(fd, &st) == 0)
			snprintf(mode_opt, sizeof mode_opt, "mode=%04o", (unsigned)(st.st_mode & 07777));
		if (fd >= 0)
			close(fd);
	}
	const char **data = m->data;
	size_t ndata = m->ndata;
	for (size_t i = 0; i < m->ndata; i++)
		if (strncmp(m->data[i], "mode=", 5) == 0)
			mode_opt[0] = 0;
	if (mode_opt[0]) {
		data = calloc(m->ndata + 1, sizeof *data);
		if (!data)
			child_fail(KIND_SETUP, ENOMEM, "mounting %s", m->dest);
		data[0] = mode_opt;
		for (size_t i = 0; i < m->ndata; i++)
			data[i + 1] = m->data[i];
		ndata = m->ndata + 1;
	}
	int target = mkdir_all(root, m->dest);
	if (target < 0)
		mount_fail(m, NULL);
	/* A new filesystem has its flags from fsmount: only the propagation
	 * is left to set once attached. */
	uint64_t set = 0, clr = 0, flags = 0;
	const char *bad = NULL;
	uint64_t attr = m->attr_set;
	if (strcmp(m->type, "tmpfs") == 0 && (attr & MOUNT_ATTR_RDONLY) && late_readonly) {
		attr &= ~(uint64_t)MOUNT_ATTR_RDONLY;
		late_readonly[nlate_readonly++] = m->dest;
	} else if (copyup) {
		/* Filled before it is attached: read-only only then. */
		attr &= ~(uint64_t)MOUNT_ATTR_RDONLY;
		set = m->attr_set & MOUNT_ATTR_RDONLY;
		flags = set ? MS_RDONLY : 0;
	}
	int mnt = new_mount(m->type, m->source, data, ndata, attr, &bad);
	if (mnt >= 0 && copyup) {
		char failed[PATH_MAX];
		if (copyup_tree(target, mnt, failed, sizeof failed) < 0)
			child_fail(KIND_SETUP, errno, "copying the content of %s%s into its tmpfs", m->dest, failed);
	}
	if (mnt < 0 && strcmp(m->type, "sysfs") == 0 && (errno == EPERM || !newnet)) {
		/* sysfs can only be mounted by the owner of the network
		 * namespace: the host's, read-only all through. */
		bad = NULL;
		mnt = clone_tree(AT_FDCWD, "/sys", 1);
		set = m->fb_attr_set, clr = m->fb_attr_clr, flags = m->fb_flags;
	}
	if (mnt < 0 && strcmp(m->type, "devpts") == 0) {
		/* A gid= option naming an unmapped group fails: retry
		 * without. */
		const char **kept = calloc(m->ndata + 1, sizeof *kept);
		size_t n = 0;
		for (size_t i = 0; kept && i < m->ndata; i++)
			if (strncmp(m->data[i], "gid=", 4) != 0)
				kept[n++] = m->data[i];
		bad = NULL;
		mnt = kept ? new_mount(m->type, m->source, kept, n, m->attr_set, &bad) : -1;
	}
	if (mnt < 0)
		mount_fail(m, bad);
	int r = attach(mnt, target, set, clr, flags, m->propagation);
	if (r < 0)
		mount_fail(m, NULL);
	close(mnt);
	close(target);
}

static void create_devices(int root, const struct plan *p) {
	for (size_t i = 0; i < p->ndevices; i++)
		if (bind_mount(root, p->devices[i], p->devices[i], -1, 0, 0, 0, 0, 0) < 0)
			child_fail(KIND_SETUP, errno, "creating devices: %s", p->devices[i]);
	int dev = mkdir_all(root, "/dev");
	if (dev < 0)
		child_fail(KIND_SETUP, errno, "creating devices");
	static const char *const links[][2] = {
	    {"fd", "/proc/self/fd"},   {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
	    {"stderr", "/proc/self/fd/2"}, {"ptmx", "pts/ptmx"},      {"core", "/proc/kcore"},
	};
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
		if (symlinkat(links[i][1], dev, links[i][0]) < 0 && errno != EEXIST)
			child_fail(KIND_SETUP, errno, "creating devices");
	close(dev);
}

static int loopback_up(void) {
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	int r = ioctl(fd, SIOCGIFFLAGS, &ifr);
	/* Up already: a namespace made beforehand (slirp.NewNetNS), which a
	 * nested user namespace could not change. */
	if (r == 0 && !(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		r = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	int saved = errno;
	close(fd);
	errno = saved;
	return r;
}

/* existing_workdir opens the working directory that must be in the image
 * or on a mount (podman's -w), the mounts made: podman's start fails
 * with these words, and exit code 126, where it is not. */
static int existing_workdir(int root, const struct plan *p) {
	struct stat st;
	int dir = open_in_root(root, p->cwd, 0);
	if (dir < 0 && errno == ENOENT)
		child_fail(KIND_CANNOTINVOKE, 0, "workdir \"%s\" does not exist on container %s", p->cwd, p->cwd_existing);
	if (dir >= 0 && fstat(dir, &st) == 0 && !S_ISDIR(st.st_mode))
		child_fail(KIND_CANNOTINVOKE, 0, "workdir \"%s\" exists on container %s, but is not a directory", p->cwd,
			   p->cwd_existing);
	return dir;
}

/* pivot makes rootpath the root and detaches the old root, leaving no
 * path to the host's filesystem. */
static void pivot(const char *rootpath) {
	int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	int newroot = open(rootpath, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (oldroot < 0 || newroot < 0 || fchdir(newroot) < 0)
		child_fail(KIND_SETUP, errno, "pivoting to the root filesystem");
	/* pivot_root(".", ".") stacks the old root on top of the new one; it
	 * is then unmounted from where we stand. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		child_fail(KIND_SETUP, errno, "pivoting to the root filesystem: pivot_root");
	if (fchdir(oldroot) < 0 || sys_mount("", ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		child_fail(KIND_SETUP, errno, "pivoting to the root filesystem");
	if (syscall(SYS_umount2, ".", MNT_DETACH) < 0)
		child_fail(KIND_SETUP, errno, "pivoting to the root filesystem: detaching the old root");
	if (chdir("/") < 0)
		child_fail(KIND_SETUP, errno, "pivoting to the root filesystem");
	close(oldroot);
	close(newroot);
}

void rootfs_build(const struct plan *p, int root, const char *rootpath, const int *sources, size_t nsources) {
	late_readonly = calloc(p->nmounts + 1, sizeof *late_readonly);
	if (!late_readonly)
		child_fail(KIND_SETUP, ENOMEM, "building the container's root");
	for (size_t i = 0; i < p->nmounts; i++) {
		const struct plan_mount *m = &p->mounts[i];
		int source = -1;
		if (p->nested && m->bind) {
			if (nsources == 0)
				child_fail(KIND_SETUP, 0, "no mount tree was sent for the bind mount on %s", m->dest);
			source = *sources++;
			nsources--;
		}
		mount_one(root, m, p->newnet, source);
		if (source >= 0)
			close(source);
	}
	create_devices(root, p);
	if (p->hostname && sethostname(p->hostname, strlen(p->hostname)) < 0)
		child_fail(KIND_SETUP, errno, "setting the hostname");
	if (p->domainname && setdomainname(p->domainname, strlen(p->domainname)) < 0)
		child_fail(KIND_SETUP, errno, "setting the domain name");
	if (p->newnet && loopback_up() < 0)
		child_fail(KIND_SETUP, errno, "bringing up lo");
	/* The working directory is made before the root may turn
	 * read-only; podman's -w is not (existing_workdir). */
	int dir = p->cwd_existing ? existing_workdir(root, p) : mkdir_all(root, p->cwd);
	if (dir < 0)
		child_fail(KIND_SETUP, errno, "creating working directory %s", p->cwd);
	close(dir);
	/* No descriptor of the old root is left for a working directory such
	 * as /proc/self/fd/N to reach. */
	close(root);
	pivot(rootpath);
}

/* mask_path hides path (inside the container) under an empty read-only
 * tmpfs, or /dev/null for a file. */
static void mask_path(const char *path) {
	int target = open(path, O_PATH | O_CLOEXEC);
	if (target < 0 && errno == ENOENT)
		return;
	struct stat st;
	if (target < 0 || fstat(target, &st) < 0)
		child_fail(KIND_SETUP, errno, "masking %s", path);
	int mnt;
	const char *bad = NULL;
	if (S_ISDIR(st.st_mode)) {
		static const char *const size[] = {"size=0k"};
		mnt = new_mount("tmpfs", "tmpfs", size, 1, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, &bad);
	} else {
		mnt = clone_tree(AT_FDCWD, "/dev/null", 0);
	}
	if (mnt < 0 || attach(mnt, target, 0, 0, 0, 0) < 0)
		child_fail(KIND_SETUP, errno, "masking %s", path);
	close(mnt);
	close(target);
}

/* readonly_path makes path (inside the container) read-only, every mount
 * below it included, by binding it over itself. */
static void readonly_path(const char *path) {
	int target = open(path, O_PATH | O_CLOEXEC);
	if (target < 0 && errno == ENOENT)
		return;
	if (target < 0)
		child_fail(KIND_SETUP, errno, "making %s read-only", path);
	int mnt = clone_tree(target, "", 1);
	const uint64_t flags = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC;
	const uint64_t attr = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
	if (mnt < 0 || attach(mnt, target, attr, 0, flags, 0) < 0)
		child_fail(KIND_SETUP, errno, "making %s read-only", path);
	close(mnt);
	close(target);
}

/* readonly_root makes the container's root mount read-only, and only it:
 * volumes, /dev and the others keep their flags (--read-only). */
static void readonly_root(void) {
	struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
	int r = (int)syscall(SYS_mount_setattr, AT_FDCWD, "/", 0, &a, sizeof a);
	if (r < 0 && errno == ENOSYS) {
		int root = open("/", O_PATH | O_CLOEXEC);
		r = root < 0 ? -1 : remount_top(root, MS_RDONLY);
		if (root >= 0)
			close(root);
	}
	if (r < 0)
		child_fail(KIND_SETUP, errno, "making the root filesystem read-only");
}

/* readonly_top makes the mount at path (inside the container) read-only,
 * itself only: what is mounted on it keeps its flags. */
static void readonly_top(const char *path) {
	struct mount_attr a = {.attr_set = MOUNT_ATTR_RDONLY};
	int r = (int)syscall(SYS_mount_setattr, AT_FDCWD, path, 0, &a, sizeof a);
	if (r < 0 && errno == ENOSYS) {
		int mnt = open(path, O_PATH | O_CLOEXEC);
		r = mnt < 0 ? -1 : remount_top(mnt, MS_RDONLY);
		if (mnt >= 0)
			close(mnt);
	}
	if (r < 0)
		child_fail(KIND_SETUP, errno, "making the tmpfs on %s read-only", path);
}

void rootfs_finish(const struct plan *p) {
	for (size_t i = 0; i < nlate_readonly; i++)
		readonly_top(late_readonly[i]);
	for (size_t i = 0; i < p->nmasks; i++)
		mask_path(p->masks[i]);
	for (size_t i = 0; i < p->nreadonly; i++)
		readonly_path(p->readonly[i]);
	if (p->readonly_root)
		readonly_root();
}
