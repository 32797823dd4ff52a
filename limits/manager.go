package limits

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
)

// The cgroup managers (--cgroup-manager).
const (
	// Systemd asks the user's systemd instance for a scope per container.
	Systemd = "systemd"
	// Cgroupfs writes into the delegated cgroup burrow runs in.
	Cgroupfs = "cgroupfs"
)

// cgroupRoot is where the cgroup v2 hierarchy is mounted.
const cgroupRoot = "/sys/fs/cgroup"

// Manager places a container's processes in a cgroup of its own and
// applies its limits there. The two implementations, systemd (a transient
// scope per container, over D-Bus) and cgroupfs (directories burrow makes
// in its delegated cgroup), are chosen once, by Detect; the callers never
// ask which one they hold.
type Manager interface {
	// Why is why no limit can be applied on this host, with the fix; ""
	// when they can.
	Why() string
	// Controllers are the controllers delegated to the user.
	Controllers() []string
	// String names the manager for burrow info: "systemd",
	// "cgroupfs (BASE)", or "none: " and why.
	String() string
	// Check fails, with the reason and the fix, when l cannot be enforced.
	Check(l Limits) error
	// Apply puts pid, the container's init, in a new cgroup for container
	// id with the limits l, and returns that cgroup's directory. With no
	// cgroup to be had and no limit asked for it does nothing ("", nil).
	Apply(id string, pid int, l Limits) (cgroup string, err error)
	// Update changes the limits of the running container id, whose
	// cgroup is cgroup.
	Update(id, cgroup string, l Limits) error
	// Join puts pid, a process about to run in the container (exec), in
	// the container's cgroup, so that the container's limits hold it too.
	// Its errors name the fix.
	Join(id, cgroup string, pid int) error
	// Exited releases the cgroup of a container whose init has exited.
	// The OOM kill itself is seen by the monitor in the cgroup's
	// memory.events, before the cgroup goes away.
	Exited(id, cgroup string) error
}

// ValidKind tells whether kind names a cgroup manager ("" is the default,
// systemd).
func ValidKind(kind string) bool { return kind == "" || kind == Systemd || kind == Cgroupfs }

// Detect finds how limits apply on this host with the manager kind (""
// means systemd) and returns that manager. uid is the user's real UID;
// runtimeDir their XDG_RUNTIME_DIR ("" unset).
func Detect(kind string, uid int, runtimeDir string) Manager {
	var v1 host
	if !CgroupV2() {
		v1.why = "the host uses cgroup v1 (or hybrid), where a rootless user cannot own a cgroup: boot with systemd.unified_cgroup_hierarchy=1 (burrow system doctor)"
	}
	if kind == Cgroupfs {
		if v1.why != "" {
			return &cgroupfs{host: v1}
		}
		return detectCgroupfs()
	}
	if v1.why != "" {
		return &systemd{host: v1, uid: uid}
	}
	return detectSystemd(uid, runtimeDir)
}

// CgroupV2 tells whether the host mounts the unified cgroup v2 hierarchy
// at /sys/fs/cgroup; hybrid hosts, with the controllers in v1
// hierarchies, do not.
func CgroupV2() bool {
	var st unix.Statfs_t
	return unix.Statfs(cgroupRoot, &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC
}

// host is what both managers found on the host: whether limits can apply
// and with which controllers.
type host struct {
	// why is set when no limit can be applied: the reason and the fix.
	why         string
	controllers []string
}

func (h *host) Why() string { return h.why }

func (h *host) Controllers() []string { return h.controllers }

func (h *host) delegated(c string) bool { return slices.Contains(h.controllers, c) }

// check fails when l cannot be enforced: no manager at all, or a
// controller l needs is not delegated, in which case notDelegated (the
// missing controllers, sorted and joined) says where to delegate it.
func (h *host) check(l Limits, notDelegated func(missing string) error) error {
	if !l.Requested() {
		return nil
	}
	if h.why != "" {
		return errdefs.Unavailable(fmt.Errorf("cannot apply the resource limits asked for: %s; or run with --cgroups=disabled to do without", h.why))
	}
	var missing []string
	for _, c := range needed(l) {
		if !h.delegated(c) {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		return errdefs.Unavailable(notDelegated(strings.Join(missing, ", ")))
	}
	return nil
}

// needed are the controllers the limits of l need, sorted.
func needed(l Limits) []string {
	var need []string
	if l.Memory != 0 || l.MemorySwap != 0 || l.MemoryReservation != 0 {
		need = append(need, "memory")
	}
	if l.CPUs != 0 || l.CPUShares != 0 || l.CPUQuota != 0 || l.CPUPeriod != 0 {
		need = append(need, "cpu")
	}
	if l.CpusetCpus != "" || l.CpusetMems != "" {
		need = append(need, "cpuset")
	}
	if l.PidsLimit != 0 {
		need = append(need, "pids")
	}
	if l.BlkioWeight != 0 || len(l.DeviceReadBps)+len(l.DeviceWriteBps)+len(l.DeviceReadIOps)+len(l.DeviceWriteIOps) > 0 {
		need = append(need, "io")
	}
	sort.Strings(need)
	return need
}

// cgroupOf is the cgroup v2 directory pid is in ("" when unknown).
func cgroupOf(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		return ""
	}
	if p, ok := unifiedPath(string(b)); ok {
		return filepath.Join(cgroupRoot, p)
	}
	return ""
}

// unifiedPath is the cgroup v2 path ("0::" line) in the text of a
// /proc/PID/cgroup file.
func unifiedPath(procCgroup string) (string, bool) {
	for _, l := range strings.Split(procCgroup, "\n") {
		if p, ok := strings.CutPrefix(l, "0::"); ok {
			return p, true
		}
	}
	return "", false
}
