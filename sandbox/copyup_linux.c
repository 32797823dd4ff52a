// A tmpfs's copy-up (the OCI option tmpcopyup, podman's default for
// --tmpfs and --mount type=tmpfs): before the new tmpfs is attached, what
// the container's root has at its destination is copied into it, so that
// the image's /etc, or a file cp'd into a created container's /tmp, is
// still there once the tmpfs covers it (as runc and crun do).
//
// The source is walked through descriptors only, from the mount point the
// init opened inside the root: every name is looked at without following
// it (fstatat AT_SYMLINK_NOFOLLOW), opened with O_NOFOLLOW and checked
// again on its descriptor, so a link is copied as a link and never leads
// the copy out of the container's root, even if swapped in meanwhile.
// Regular files, directories, links, fifos and sockets are copied with
// their owner, group and mode; device nodes are made when the init may
// (never in a rootless container: they are left out, as a rootless
// container can have none of its own). Times are not kept (runc's are
// not either).
#define _GNU_SOURCE
#include "child.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* How deep the copy goes: each level holds two descriptors. */
#define COPYUP_MAX_DEPTH 128

/* set_owner gives the file name in dir (the directory itself when name
 * is "") the owner and group of st; an ID the user namespace does not map
 * (the kernel's overflow ID) cannot be given and is left as the init's. */
static int set_owner(int dir, const char *name, const struct stat *st) {
	int flags = AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH);
	if (fchownat(dir, name, st->st_uid, st->st_gid, flags) < 0 && errno != EINVAL)
		return -1;
	return 0;
}

/* copy_file copies the regular file name from src into dst, with the
 * source's owner and mode (set after the owner, which clears set-ID
 * bits). */
static int copy_file(int src, int dst, const char *name) {
	int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (in < 0)
		return -1;
	struct stat st;
	int out = -1, r = -1;
	if (fstat(in, &st) < 0)
		goto done;
	if (!S_ISREG(st.st_mode)) {
		errno = EAGAIN; /* changed since it was looked at */
		goto done;
	}
	out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		goto done;
	char buf[65536];
	for (;;) {
		ssize_t n = read(in, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto done;
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				goto done;
			off += w;
		}
	}
	if (set_owner(out, "", &st) < 0 || fchmod(out, st.st_mode & 07777) < 0)
		goto done;
	r = 0;
done:;
	int saved = errno;
	close(in);
	if (out >= 0)
		close(out);
	errno = saved;
	return r;
}

static int copy_dir(int src, int dst, char *path, size_t len, int depth);

/* copy_entry copies name, of status st, from src into dst. path holds
 * its path below the mount point (for the message) at [0, len). */
static int copy_entry(int src, int dst, const char *name, const struct stat *st, char *path, size_t len, int depth) {
	switch (st->st_mode & S_IFMT) {
	case S_IFREG:
		return copy_file(src, dst, name);
	case S_IFDIR: {
		if (mkdirat(dst, name, 0700) < 0)
			return -1;
		int s = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s < 0)
			return -1;
		int d = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (d < 0) {
			int saved = errno;
			close(s);
			errno = saved;
			return -1;
		}
		int r = copy_dir(s, d, path, len, depth + 1);
		close(d);
		return r;
	}
	case S_IFLNK: {
		char target[PATH_MAX];
		ssize_t n = readlinkat(src, name, target, sizeof target - 1);
		if (n < 0)
			return -1;
		target[n] = 0;
		if (symlinkat(target, dst, name) < 0)
			return -1;
		return set_owner(dst, name, st);
	}
	case S_IFCHR:
	case S_IFBLK:
		if (mknodat(dst, name, st->st_mode, st->st_rdev) < 0)
			return errno == EPERM ? 0 : -1;
		break;
	case S_IFIFO:
	case S_IFSOCK:
		if (mknodat(dst, name, st->st_mode, 0) < 0)
			return -1;
		break;
	default:
		return 0;
	}
	/* A node just made here: not a link, it may be changed by name. */
	if (set_owner(dst, name, st) < 0 || fchmodat(dst, name, st->st_mode & 07777, 0) < 0)
		return -1;
	return 0;
}

/* copy_dir copies the entries of the directory src (a descriptor it
 * closes) into dst, then gives dst src's owner and mode. */
static int copy_dir(int src, int dst, char *path, size_t len, int depth) {
	struct stat self;
	if (depth > COPYUP_MAX_DEPTH) {
		close(src);
		errno = ELOOP;
		return -1;
	}
	if (fstat(src, &self) < 0) {
		int saved = errno;
		close(src);
		errno = saved;
		return -1;
	}
	DIR *d = fdopendir(src);
	if (!d) {
		int saved = errno;
		close(src);
		errno = saved;
		return -1;
	}
	int r = 0;
	struct dirent *e;
	while (r == 0 && (errno = 0, e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		int n = snprintf(path + len, PATH_MAX - len, "/%s", e->d_name);
		if (n < 0 || (size_t)n >= PATH_MAX - len) {
			errno = ENAMETOOLONG;
			r = -1;
			break;
		}
		struct stat st;
		r = fstatat(src, e->d_name, &st, AT_SYMLINK_NOFOLLOW);
		if (r == 0)
			r = copy_entry(src, dst, e->d_name, &st, path, len + (size_t)n, depth);
	}
	if (r == 0 && errno != 0)
		r = -1; /* readdir failed */
	if (r == 0) {
		path[len] = 0;
		r = set_owner(dst, "", &self) < 0 || fchmod(dst, self.st_mode & 07777) < 0 ? -1 : 0;
	}
	int saved = errno;
	closedir(d);
	errno = saved;
	return r;
}

int copyup_tree(int from, int to, char *failed, size_t size) {
	char path[PATH_MAX] = "";
	int src = openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int dst = openat(to, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = -1;
	if (src >= 0 && dst >= 0) {
		r = copy_dir(src, dst, path, 0, 0);
		src = -1; /* closed by copy_dir */
	}
	int saved = errno;
	if (src >= 0)
		close(src);
	if (dst >= 0)
		close(dst);
	snprintf(failed, size, "%s", path);
	errno = saved;
	return r;
}
