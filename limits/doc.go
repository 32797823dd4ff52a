// Package limits applies cgroup v2 resource limits to rootless containers.
//
// A Manager places a container in a cgroup of its own and applies its
// limits there. It has two implementations, as runc's cgroup managers do,
// chosen once by Detect from --cgroup-manager: systemd (systemd.go) and
// cgroupfs (cgroupfs.go); the callers never ask which one they hold.
//
// With systemd (the default manager, as podman's), each container's init
// is put in a transient scope, burrow-<ID>.scope, started on the user's
// systemd instance over D-Bus with Delegate=yes and the limits as the
// scope's properties (MemoryMax, CPUQuota, TasksMax, ...), as crun does for
// podman. The D-Bus connection is made from inside burrow's user namespace
// with the EXTERNAL authentication naming the user's real UID, which is
// what the kernel reports for the socket's peer.
//
// With cgroupfs (cgroupfs.go), burrow makes the cgroups itself in the
// subtree delegated to the user: the base is the topmost ancestor of its
// own cgroup that the user owns, each container gets BASE/burrow/<ID> with
// the limits written to its files, and the init is moved in.
//
// Where limits cannot apply (cgroup v1, no systemd user instance, a
// controller not delegated) nothing is dropped silently: asking for a limit
// fails with the reason and the fix (Unavailable), unless the caller
// disabled cgroups; built-in defaults (the pids limit) are skipped quietly.
package limits
