/* The plan: a container's set-up as the C init and exec child run it. Go
 * (plan.go) reads the OCI spec, parses the mount options, names the
 * capabilities and compiles the seccomp filter; the C side (init_linux.c,
 * process_linux.c) only makes the system calls. The one definition of the
 * format, read by both sides (Go through cgo).
 *
 * Layout: PLAN_MAGIC, then records until the end. A record is a tag and
 * the length of its body (uint32 each, host order), then the body: items,
 * each a length (uint32) and that many bytes. A string item ends with its
 * one NUL; a number is 8 bytes (uint64, host order); a record without
 * items is a flag. Items are in the order the comments below give. */
#ifndef BURROW_SANDBOX_PLAN_H
#define BURROW_SANDBOX_PLAN_H

#define PLAN_MAGIC "BRWPLAN1"
#define PLAN_MAGIC_LEN 8

/* The process: the init's and an exec's. */
#define PLAN_ARGS 1          /* str... */
#define PLAN_ENV 2           /* str... */
#define PLAN_CWD 3           /* str */
#define PLAN_USER 4          /* num uid, num gid, num additional gid... */
#define PLAN_CAPS 5          /* num bounding, effective, permitted, inheritable, ambient: bit N is capability N */
#define PLAN_NO_NEW_PRIVS 6  /* flag */
#define PLAN_OOM_SCORE_ADJ 7 /* num (an int) */
#define PLAN_TERMINAL 8      /* num rows, num cols (0 0: not known) */
#define PLAN_SECCOMP 9       /* bytes: the filter, struct sock_filter[] */
#define PLAN_PRESERVE_FDS 10 /* num N: the last N descriptors sent with the plan become the process's 3..3+N-1 */
#define PLAN_RLIMIT 11       /* num resource (RLIMIT_*), num soft, num hard; one record per limit */
#define PLAN_UMASK 12        /* num: the process's umask (absent: the caller's) */

/* The container: the init's only. */
#define PLAN_ROOT 32     /* str path, num readonly */
#define PLAN_HOSTNAME 33 /* str */
#define PLAN_CGROUPNS 34 /* flag: a cgroup namespace of its own */
#define PLAN_NETNS 35    /* str: the network namespace to join */
#define PLAN_NEWNET 36   /* flag: a network namespace of its own, lo to bring up */
#define PLAN_NESTED 37   /* flag: a user namespace of its own; the root and bind sources come as mount trees */
#define PLAN_MOUNT 38    /* see PLAN_MOUNT_* */
#define PLAN_DEVICE 39   /* str: a host device node, bound at the same path */
#define PLAN_MASK 40     /* str: a path masked (after pivot_root) */
#define PLAN_READONLY 41 /* str: a path made read-only (after pivot_root) */
#define PLAN_CWD_EXISTING 42 /* str: the container's ID (for the message): the working directory must exist, it is not made */
#define PLAN_DOMAINNAME 43   /* str: the NIS domain name of a UTS namespace of its own */

/* A PLAN_MOUNT's items: str type, str source, str destination, then these
 * numbers, then the filesystem's options (str "KEY" or "KEY=VALUE"), for
 * fsconfig. The flags are MS_ flags (for a remount where mount_setattr is
 * missing), the attributes mount_setattr's; the fallback ones are for a
 * sysfs that cannot be mounted, the host's /sys bound read-only instead. */
#define PLAN_MOUNT_BIND 0        /* 1: a bind mount of source */
#define PLAN_MOUNT_RECURSIVE 1   /* 1: rbind */
#define PLAN_MOUNT_FLAGS 2       /* MS_ flags */
#define PLAN_MOUNT_ATTR_SET 3    /* MOUNT_ATTR_ to set */
#define PLAN_MOUNT_ATTR_CLR 4    /* MOUNT_ATTR_ to clear */
#define PLAN_MOUNT_PROPAGATION 5 /* MS_SHARED, MS_SLAVE, ... with MS_REC */
#define PLAN_MOUNT_FB_FLAGS 6
#define PLAN_MOUNT_FB_ATTR_SET 7
#define PLAN_MOUNT_FB_ATTR_CLR 8
#define PLAN_MOUNT_COPYUP 9      /* 1: a tmpfs given the root's content at its destination first (tmpcopyup) */
#define PLAN_MOUNT_NUMS 10

/* The init protocol's limits. */
#define PLAN_MAX_BYTES (64 << 20) /* a plan larger than this is refused */
#define PLAN_MAX_TREES 250        /* mount trees sent with it: at most 253 in one SCM_RIGHTS message */

#endif
