// Package sandbox is burrow's container runtime: it runs the process of an
// OCI runtime spec (github.com/opencontainers/runtime-spec) as PID 1 of new
// PID, mount, UTS, IPC, network and cgroup namespaces, on the spec's root
// filesystem, with its mounts, devices, masked and read-only paths,
// capabilities, no_new_privs and user.
//
// The container's init is the child half of a protocol (the "init" role of
// the burrow binary, in C: init_linux.c); the parent half is the
// container's monitor (monitor/monitor_linux.c, in C), which clones the
// init with the namespaces CloneFlags names. They talk over two inherited
// descriptors:
//
//	fd 3  the plan (EncodeInit, plan.h), parent to child, closed after writing
//	fd 4  a SOCK_SEQPACKET socket for messages both ways (see message)
//
// The plan is the OCI spec with every decision taken in the CLI: mount
// options parsed into flags and attributes, capabilities into numbers, the
// seccomp profile compiled by libseccomp into the kernel's program; the C
// children only make the system calls, and no Go runtime starts in a
// container. Through a socket on fd 3 the plan may come with mount trees
// (SCM_RIGHTS):
// the root filesystem's, made after the init's mount namespace was, or, for
// a container with a user namespace of its own, the root's and every bind
// source's (OpenTrees), which the init attaches instead of walking paths;
// after them come the descriptors passed on to the process as its 3, 4,
// ... (--preserve-fds).
//
// The child reads the spec, builds the container's filesystem, sends the
// pty master when the spec asks for a terminal, reports "ready", waits for
// "start" (the parent's hook point for networking and cgroups), then drops
// privileges and execs the process. A successful exec closes the socket
// (close-on-exec); a failure is reported as an "error" message whose class
// tells 126 (cannot invoke) from 127 (not found).
//
// Exec is the same protocol for a process joining a running container (the
// "exec" role): a C constructor (nsenter_linux.c) waits until fd 3 is
// readable (the caller first places the process, ExecOptions.Place: the
// container's cgroup, which the fork then inherits), joins the namespaces
// of the container's init and forks; the child, now inside the
// container's PID namespace and root, reads the process's plan
// (EncodeExec) on fd 3 and reports on the fd 4 socket exactly as init does
// (process_linux.c), without the ready/start handshake. The fork's parent
// relays signals and the status.
//
// Both the init and the exec child lead a session of their own, so the
// process never has the caller's controlling terminal (it could type into
// the user's shell with TIOCSTI); with a terminal asked for, the pty made
// for it becomes its controlling terminal.
package sandbox
