/* Packet kinds of attach connections: the first byte of every packet.
 * The one definition, read by the monitor (C) and by its Go client
 * (monitor_linux.go, through cgo); docs/monitor.md describes them. */
#ifndef BURROW_MONITOR_PACKETS_H
#define BURROW_MONITOR_PACKETS_H

#define MON_PKT_STDIN 0       /* client -> monitor: bytes for the container's stdin */
#define MON_PKT_RESIZE 1      /* client -> monitor: rows, cols (uint16 each, host order) */
#define MON_PKT_CLOSE_STDIN 2 /* client -> monitor: close the container's stdin */
#define MON_PKT_STDOUT 3      /* monitor -> client: output bytes */
#define MON_PKT_STDERR 4      /* monitor -> client: output bytes */
#define MON_PKT_EXIT 5        /* monitor -> client: int32 exit code, host order */
#define MON_PKT_STARTED 6     /* monitor -> client: int32 PID of the container's init, sent first */
#define MON_PKT_CLEANED 7     /* client -> monitor, after the exit: the client has run the cleanup */
#define MON_PKT_CLEANING 8    /* client -> monitor: the client will run the cleanup after the exit
                               * (a stop): wait for its MON_PKT_CLEANED as for the spawner's */

/* The largest body of a packet, either way. */
#define MON_PKT_MAX 32768

#endif
