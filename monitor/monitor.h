/* The container monitor's parts, shared between its C files: the state of
 * one monitor and the phases of its life, each in a file of its own:
 *
 *   monitor_linux.c    the constructor: runs the phases in order
 *   setup_linux.c      inputs, session, signals, the attach socket
 *   spawn_linux.c      the container's init, cloned in its namespaces
 *   handshake_linux.c  the parent half of the init protocol
 *   loop_linux.c       the event loop: output, signals, OOM kills
 *   clients_linux.c    attach connections, never waited on
 *   log_linux.c        the k8s-file log and its rotation
 *   cleanup_linux.c    the exit file, the last packets, the cleanup command
 *   health_linux.c     the container's health checks, every interval
 *
 * docs/monitor.md describes the protocol. Functions and globals that leave
 * their file start with mon_: every C file of the binary links together. */
#ifndef BURROW_MONITOR_H
#define BURROW_MONITOR_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "packets.h"

#define MON_MAX_CLIENTS 32

/* How far a client may fall behind the container's output: its queue
 * holds this many bytes of packets at most. Another client is dropped
 * then. The spawner's (a foreground run, start -a, the API's attach before
 * the start) holds the output back instead, as podman's and docker's do,
 * so that `run ... | gzip` loses nothing, for as long as it goes on taking
 * it: once it has taken nothing for MON_STALL_MS it is dropped too. */
#define MON_BEHIND_MAX (1 << 20)
#define MON_STALL_MS 10000

/* What the spawner asked for (docs/monitor.md), from the environment. */
struct mon_config {
	const char *id;           /* the container, for the cleanup command */
	const char *dir;          /* the run directory; the monitor's working directory */
	const char *log;          /* the k8s-file log; NULL without one (drivers none, passthrough) */
	long long log_max;        /* rotate the log before it grows past this; 0: never */
	int passthrough;          /* the container's stdio are the monitor's own, the caller's */
	int tty, stdin_open;
	int client_fd;            /* the spawner's attach connection, or -1 */
	int spec_fd;              /* the socket the init reads its spec from */
	int hold_fd, hold_count;  /* descriptors held for the container's life */
	long long timeout_ms;     /* kill the container after this long (--timeout); 0: never */
	unsigned long clone_flags;
	const char *uidmap, *gidmap, *netns;
	const char *join; /* namespaces to enter before the clone, comma-separated paths */
	long long health_ms;      /* run `burrow healthcheck run ID` this often; 0: never */
};

/* An attach connection. Sends never block: what the socket does not take
 * waits in queue, so that no client holds back the reaping or a stop. */
struct mon_client {
	int fd;             /* -1: a free slot */
	int spawner;        /* the spawner's connection: it runs the cleanup itself */
	int cleaner;        /* said MON_PKT_CLEANING: it runs the cleanup itself too */
	char *queue;        /* packets not sent yet, each a uint32 length and the packet */
	size_t len, off, cap;
	long long progress; /* when it last took a packet (mon_now_ms), while it has a queue */
};

struct monitor {
	struct mon_config cfg;
	int sync;       /* fd 3, to the spawner, until the process runs */
	sigset_t mask;  /* the signals taken through sfd */
	int sfd;
	int listen;     /* the attach socket */
	pid_t pid;      /* the container's init */
	int init_sock;  /* the monitor's end of the init protocol's socket */
	int out, err;   /* the output pipes, or out = the pty master; -1 once ended */
	int in;         /* the stdin pipe or the pty master; -1 when closed */
	char *in_queue; /* client input the container has not taken yet */
	size_t in_len, in_off;
	int log;        /* the log, or -1 */
	long long log_size;
	int oomfd, oom; /* memory.events of the container's cgroup; an OOM kill seen */
	int exited, code;
	int timed_out;  /* killed by the timeout: the exit code is -1, as podman's */
	int cleaned;    /* the spawner's client has run the cleanup */
	pid_t health_pid;       /* the health check running, or 0 */
	long long health_next;  /* when the next one is due (mon_now_ms) */
	struct mon_client clients[MON_MAX_CLIENTS];
};

/* mon_now_ms is the monotonic clock in milliseconds. */
long long mon_now_ms(void);

/* setup_linux.c */
void mon_die(struct monitor *m, const char *what) __attribute__((noreturn));
void mon_setup(struct monitor *m);

/* spawn_linux.c */
void mon_spawn(struct monitor *m);

/* handshake_linux.c */
void mon_handshake(struct monitor *m);

/* loop_linux.c */
void mon_loop(struct monitor *m);
void mon_oom_check(struct monitor *m);

/* clients_linux.c */
struct mon_client *mon_client_add(struct monitor *m, int fd, int spawner);
struct mon_client *mon_holding_back(struct monitor *m);
void mon_client_drop(struct mon_client *c);
void mon_client_send(struct mon_client *c, int kind, const void *data, size_t len);
void mon_broadcast(struct monitor *m, int kind, const void *data, size_t len);
int mon_client_queued(const struct mon_client *c);
void mon_client_flush(struct mon_client *c);
void mon_client_packet(struct monitor *m, struct mon_client *c);
void mon_client_events(struct monitor *m, struct mon_client *c, short revents);
int mon_input_pending(const struct monitor *m);
void mon_input_flush(struct monitor *m);
void mon_input_close(struct monitor *m);

/* log_linux.c */
void mon_log_open(struct monitor *m);
void mon_log_chunk(struct monitor *m, int kind, const char *buf, size_t len);

/* cleanup_linux.c */
void mon_cleanup(struct monitor *m) __attribute__((noreturn));
void mon_exec_burrow(struct monitor *m, const char *cmd, const char *sub) __attribute__((noreturn));

/* health_linux.c */
int mon_health_due(struct monitor *m);
void mon_health_reaped(struct monitor *m, pid_t pid);

#endif
