package limits

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	sdbus "github.com/coreos/go-systemd/v22/dbus"
	godbus "github.com/godbus/dbus/v5"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
)

// Limits a user can ask for (podman's flags). Zero values mean "not set".
type Limits struct {
	Memory            int64      `json:"memory,omitempty"`            // -m, bytes
	MemorySwap        int64      `json:"memorySwap,omitempty"`        // --memory-swap, memory+swap bytes; -1 unlimited
	MemoryReservation int64      `json:"memoryReservation,omitempty"` // soft limit
	CPUs              float64    `json:"cpus,omitempty"`
	CPUShares         uint64     `json:"cpuShares,omitempty"`
	CPUQuota          int64      `json:"cpuQuota,omitempty"`  // microseconds per period
	CPUPeriod         uint64     `json:"cpuPeriod,omitempty"` // microseconds
	CpusetCpus        string     `json:"cpusetCpus,omitempty"`
	CpusetMems        string     `json:"cpusetMems,omitempty"`
	PidsLimit         int64      `json:"pidsLimit,omitempty"` // -1 unlimited
	BlkioWeight       uint16     `json:"blkioWeight,omitempty"`
	DeviceReadBps     []Throttle `json:"deviceReadBps,omitempty"`
	DeviceWriteBps    []Throttle `json:"deviceWriteBps,omitempty"`
	DeviceReadIOps    []Throttle `json:"deviceReadIOps,omitempty"`
	DeviceWriteIOps   []Throttle `json:"deviceWriteIOps,omitempty"`
}

// Throttle is a per-device rate: DEVICE:RATE.
type Throttle struct {
	Device string `json:"device"`
	Rate   uint64 `json:"rate"`
}

// DefaultPidsLimit is podman's default --pids-limit.
const DefaultPidsLimit = 2048

// Requested tells whether the user asked for any limit.
func (l Limits) Requested() bool {
	return l.Memory != 0 || l.MemorySwap != 0 || l.MemoryReservation != 0 || l.CPUs != 0 || l.CPUShares != 0 ||
		l.CPUQuota != 0 || l.CPUPeriod != 0 || l.CpusetCpus != "" || l.CpusetMems != "" || l.PidsLimit != 0 ||
		l.BlkioWeight != 0 || len(l.DeviceReadBps)+len(l.DeviceWriteBps)+len(l.DeviceReadIOps)+len(l.DeviceWriteIOps) > 0
}

// ParseThrottle reads DEVICE:RATE; bytes accept k, m, g suffixes.
func ParseThrottle(s string, bytes bool) (Throttle, error) {
	dev, rate, ok := strings.Cut(s, ":")
	if !ok || !strings.HasPrefix(dev, "/dev/") {
		return Throttle{}, errdefs.Invalid(fmt.Errorf("invalid device rate %q: use /dev/DEVICE:RATE", s))
	}
	var n uint64
	var err error
	if bytes {
		var v int64
		v, err = ParseBytes(rate)
		n = uint64(v)
	} else {
		n, err = strconv.ParseUint(rate, 10, 64)
	}
	if err != nil || n == 0 {
		return Throttle{}, errdefs.Invalid(fmt.Errorf("invalid device rate %q: the rate must be a positive number", s))
	}
	return Throttle{Device: dev, Rate: n}, nil
}

// ParseBytes reads a size: 512m, 1g, 100k, 1048576 (binary multiples, as podman).
func ParseBytes(s string) (int64, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	mult := int64(1)
	v = strings.TrimSuffix(strings.TrimSuffix(v, "ib"), "b")
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"t", 1 << 40}} {
		if num, ok := strings.CutSuffix(v, u.suffix); ok {
			v, mult = num, u.mult
			break
		}
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		return 0, errdefs.Invalid(fmt.Errorf("invalid size %q: use a number with k, m or g (e.g. 512m)", s))
	}
	return int64(f * float64(mult)), nil
}

// The cgroup managers (--cgroup-manager).
const (
	// Systemd asks the user's systemd instance for a scope per container.
	Systemd = "systemd"
	// Cgroupfs writes into the delegated cgroup burrow runs in.
	Cgroupfs = "cgroupfs"
)

// Manager is how limits are applied on this host, and why not when they
// cannot be.
type Manager struct {
	// Kind is Systemd or Cgroupfs.
	Kind string
	// Why is set when no limit can be applied: the reason and the fix.
	Why string
	// Controllers are the delegated controllers.
	Controllers []string
	// Base is, with Cgroupfs, the delegated cgroup under which burrow
	// makes its own (BASE/burrow/ID).
	Base string
	bus  string
	uid  int
}

// ValidKind tells whether kind names a cgroup manager ("" is the default,
// systemd).
func ValidKind(kind string) bool { return kind == "" || kind == Systemd || kind == Cgroupfs }

// Detect finds how limits apply with the manager kind ("": systemd). uid
// is the user's real UID; runtimeDir their XDG_RUNTIME_DIR ("" unset).
func Detect(kind string, uid int, runtimeDir string) *Manager {
	if kind == "" {
		kind = Systemd
	}
	m := &Manager{Kind: kind, uid: uid}
	var st unix.Statfs_t
	if unix.Statfs(cgroupRoot, &st) != nil || st.Type != unix.CGROUP2_SUPER_MAGIC {
		m.Why = "the host uses cgroup v1 (or hybrid), where a rootless user cannot own a cgroup: boot with systemd.unified_cgroup_hierarchy=1 (burrow system doctor)"
		return m
	}
	if kind == Cgroupfs {
		m.detectCgroupfs()
		return m
	}
	svc := fmt.Sprintf("/sys/fs/cgroup/user.slice/user-%d.slice/user@%d.service", uid, uid)
	b, err := os.ReadFile(filepath.Join(svc, "cgroup.controllers"))
	if err != nil {
		m.Why = fmt.Sprintf("no systemd user instance delegates a cgroup to uid %d: enable lingering (loginctl enable-linger) or log in through systemd-logind", uid)
		return m
	}
	m.Controllers = strings.Fields(string(b))
	bus := filepath.Join(runtimeDir, "bus")
	if runtimeDir == "" {
		bus = fmt.Sprintf("/run/user/%d/bus", uid)
	}
	if _, err := os.Stat(bus); err != nil {
		m.Why = fmt.Sprintf("the systemd user bus %s is missing: log in through systemd-logind (not su/sudo), or install dbus-user-session", bus)
		return m
	}
	m.bus = bus
	return m
}

// Delegated tells whether a controller is delegated.
func (m *Manager) Delegated(c string) bool {
	for _, x := range m.Controllers {
		if x == c {
			return true
		}
	}
	return false
}

// Check fails, with the reason and the fix, when l cannot be enforced.
func (m *Manager) Check(l Limits) error {
	if !l.Requested() {
		return nil
	}
	if m.Why != "" {
		return errdefs.Unavailable(fmt.Errorf("cannot apply the resource limits asked for: %s; or run with --cgroups=disabled to do without", m.Why))
	}
	need := map[string]bool{}
	if l.Memory != 0 || l.MemorySwap != 0 || l.MemoryReservation != 0 {
		need["memory"] = true
	}
	if l.CPUs != 0 || l.CPUShares != 0 || l.CPUQuota != 0 || l.CPUPeriod != 0 {
		need["cpu"] = true
	}
	if l.CpusetCpus != "" || l.CpusetMems != "" {
		need["cpuset"] = true
	}
	if l.PidsLimit != 0 {
		need["pids"] = true
	}
	if l.BlkioWeight != 0 || len(l.DeviceReadBps)+len(l.DeviceWriteBps)+len(l.DeviceReadIOps)+len(l.DeviceWriteIOps) > 0 {
		need["io"] = true
	}
	var missing []string
	for c := range need {
		if !m.Delegated(c) {
			missing = append(missing, c)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 && m.Kind == Cgroupfs {
		return errdefs.Unavailable(fmt.Errorf("cannot apply the limits asked for: the %s controller is not delegated to you (not in %s): run burrow in a cgroup delegated with it (systemd-run --user --scope -p Delegate=yes ...; contrib/README.md), or use --cgroup-manager systemd; or run with --cgroups=disabled",
			strings.Join(missing, ", "), filepath.Join(m.Base, "cgroup.subtree_control")))
	}
	if len(missing) > 0 {
		return errdefs.Unavailable(fmt.Errorf("cannot apply the limits asked for: the %s controller is not delegated to you: install contrib/systemd/user@.service.d/delegate.conf (burrow system doctor); or run with --cgroups=disabled",
			strings.Join(missing, ", ")))
	}
	return nil
}

// conn dials the user's systemd over D-Bus, authenticating as the real
// user (from inside the user namespace, where our UID is 0).
func (m *Manager) conn(ctx context.Context) (*sdbus.Conn, error) {
	return sdbus.NewConnection(func() (*godbus.Conn, error) {
		c, err := godbus.Dial("unix:path=" + m.bus)
		if err != nil {
			return nil, err
		}
		if err := c.Auth([]godbus.Auth{godbus.AuthExternal(strconv.Itoa(m.uid))}); err != nil {
			c.Close()
			return nil, err
		}
		if err := c.Hello(); err != nil {
			c.Close()
			return nil, err
		}
		return c, nil
	})
}

// Unit is the scope of a container.
func Unit(id string) string { return "burrow-" + id[:min(12, len(id))] + ".scope" }

// properties turns limits into systemd unit properties.
func (m *Manager) properties(l Limits, defaultPids bool) []sdbus.Property {
	var p []sdbus.Property
	add := func(name string, v any) { p = append(p, sdbus.Property{Name: name, Value: godbus.MakeVariant(v)}) }
	if l.Memory > 0 {
		add("MemoryMax", uint64(l.Memory))
	}
	if l.MemoryReservation > 0 {
		add("MemoryLow", uint64(l.MemoryReservation))
	}
	switch {
	case l.MemorySwap < 0:
		add("MemorySwapMax", uint64(math.MaxUint64))
	case l.MemorySwap > 0 && l.MemorySwap >= l.Memory:
		add("MemorySwapMax", uint64(l.MemorySwap-l.Memory))
	}
	quota, period := cpuQuota(l)
	if quota > 0 {
		add("CPUQuotaPerSecUSec", uint64(quota)*1000000/period)
		if l.CPUPeriod != 0 {
			add("CPUQuotaPeriodUSec", period)
		}
	}
	if l.CPUShares > 0 {
		add("CPUWeight", cpuWeight(l.CPUShares))
	}
	if l.CpusetCpus != "" {
		if b, err := cpusetBits(l.CpusetCpus); err == nil {
			add("AllowedCPUs", b)
		}
	}
	if l.CpusetMems != "" {
		if b, err := cpusetBits(l.CpusetMems); err == nil {
			add("AllowedMemoryNodes", b)
		}
	}
	switch {
	case l.PidsLimit > 0:
		add("TasksMax", uint64(l.PidsLimit))
	case l.PidsLimit < 0:
		add("TasksMax", uint64(math.MaxUint64))
	case defaultPids && m.Delegated("pids"):
		add("TasksMax", uint64(DefaultPidsLimit))
	}
	if l.BlkioWeight > 0 {
		add("IOWeight", ioWeight(l.BlkioWeight))
	}
	type devRate struct {
		Path string
		Rate uint64
	}
	for name, list := range map[string][]Throttle{"IOReadBandwidthMax": l.DeviceReadBps, "IOWriteBandwidthMax": l.DeviceWriteBps,
		"IOReadIOPSMax": l.DeviceReadIOps, "IOWriteIOPSMax": l.DeviceWriteIOps} {
		if len(list) == 0 {
			continue
		}
		var v []devRate
		for _, t := range list {
			v = append(v, devRate{t.Device, t.Rate})
		}
		add(name, v)
	}
	return p
}

// cpuQuota is the CPU time allowed per period, microseconds, from --cpus
// or --cpu-quota (0: not set, negative: unlimited), and the period.
func cpuQuota(l Limits) (quota int64, period uint64) {
	period = l.CPUPeriod
	if period == 0 {
		period = 100000
	}
	quota = l.CPUQuota
	if l.CPUs > 0 {
		quota = int64(l.CPUs * float64(period))
	}
	return quota, period
}

// cpuWeight turns cgroup v1 CPU shares (2..262144) into a v2 weight
// (1..10000), as crun does.
func cpuWeight(shares uint64) uint64 {
	shares = min(max(shares, 2), 262144)
	return 1 + ((shares-2)*9999)/262142
}

// ioWeight turns a blkio weight (10..1000) into a v2 io weight (1..10000).
func ioWeight(w uint16) uint64 {
	v := uint64(min(max(w, 10), 1000))
	return 1 + (v-10)*9999/990
}

// cpusetBits is systemd's byte array form of a CPU list (0-3,5).
func cpusetBits(list string) ([]byte, error) {
	var bits []byte
	for _, part := range strings.Split(list, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, errdefs.Invalid(fmt.Errorf("invalid CPU list %q", list))
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, errdefs.Invalid(fmt.Errorf("invalid CPU list %q", list))
			}
		}
		for i := a; i <= b; i++ {
			for len(bits) <= i/8 {
				bits = append(bits, 0)
			}
			bits[i/8] |= 1 << (i % 8)
		}
	}
	return bits, nil
}

// Apply puts pid in a new scope for the container with the limits. It
// returns the scope's cgroup directory. With no manager available and
// nothing asked for, it does nothing ("", nil).
func (m *Manager) Apply(id string, pid int, l Limits) (string, error) {
	if m.Kind == Cgroupfs {
		return m.applyCgroupfs(id, pid, l)
	}
	if m.Why != "" || m.bus == "" {
		if l.Requested() {
			return "", m.Check(l)
		}
		return "", nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := m.conn(ctx)
	if err != nil {
		if l.Requested() {
			return "", errdefs.Unavailable(fmt.Errorf("connecting to your systemd instance (%s): %w", m.bus, err))
		}
		return "", nil
	}
	defer c.Close()
	unit := Unit(id)
	props := append([]sdbus.Property{
		sdbus.PropDescription("burrow container " + id[:min(12, len(id))]),
		sdbus.PropPids(uint32(pid)),
		{Name: "Delegate", Value: godbus.MakeVariant(true)},
	}, m.properties(l, true)...)
	done := make(chan string, 1)
	if _, err := c.StartTransientUnitContext(ctx, unit, "fail", props, done); err != nil {
		return "", fmt.Errorf("starting the scope %s: %w", unit, err)
	}
	select {
	case r := <-done:
		if r != "done" {
			return "", fmt.Errorf("starting the scope %s: %s", unit, r)
		}
	case <-ctx.Done():
		return "", fmt.Errorf("starting the scope %s: %w", unit, ctx.Err())
	}
	return CgroupOf(pid), nil
}

// Update changes the limits of a running container, whose cgroup is
// cgroup.
func (m *Manager) Update(id, cgroup string, l Limits) error {
	if m.Kind == Cgroupfs {
		return updateCgroupfs(cgroup, l)
	}
	if err := m.Check(l); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := m.conn(ctx)
	if err != nil {
		return errdefs.Unavailable(fmt.Errorf("connecting to your systemd instance: %w", err))
	}
	defer c.Close()
	if err := c.SetUnitPropertiesContext(ctx, Unit(id), true, m.properties(l, false)...); err != nil {
		return fmt.Errorf("updating the limits of %s: %w", Unit(id), err)
	}
	return nil
}

// Join puts pid, a process about to run in the container (exec), in the
// container's cgroup, so that the container's limits hold it too: with
// cgroupfs by writing cgroup.procs, with systemd by asking it to attach
// the process to the container's scope (as it placed the init).
func (m *Manager) Join(id, cgroup string, pid int) error {
	if m.Kind == Cgroupfs {
		if err := os.WriteFile(filepath.Join(cgroup, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0); err != nil {
			return fmt.Errorf("moving process %d into %s: %w", pid, cgroup, err)
		}
		return nil
	}
	if m.Why != "" || m.bus == "" {
		return errdefs.Unavailable(fmt.Errorf("moving process %d into %s: %s", pid, Unit(id), m.Why))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := m.conn(ctx)
	if err != nil {
		return errdefs.Unavailable(fmt.Errorf("connecting to your systemd instance (%s): %w", m.bus, err))
	}
	defer c.Close()
	if err := c.AttachProcessesToUnit(ctx, Unit(id), "", []uint32{uint32(pid)}); err != nil {
		return fmt.Errorf("attaching process %d to %s: %w", pid, Unit(id), err)
	}
	return nil
}

// CgroupOf is the cgroup v2 directory pid is in.
func CgroupOf(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		if p, ok := strings.CutPrefix(l, "0::"); ok {
			return filepath.Join(cgroupRoot, p)
		}
	}
	return ""
}

// OOMKilled tells whether the kernel killed a process of the cgroup for
// memory.
func OOMKilled(cgroup string) bool {
	b, err := os.ReadFile(filepath.Join(cgroup, "memory.events"))
	if err != nil {
		return false
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "oom_kill" && f[1] != "0" {
			return true
		}
	}
	return false
}

// Exited releases the cgroup of a container whose init has exited: with
// cgroupfs it removes the directory; with systemd it resets the scope when
// systemd keeps it as failed (an OOM kill). The OOM kill itself is seen by
// the monitor in the cgroup's memory.events, before the cgroup goes away.
func (m *Manager) Exited(id, cgroup string) error {
	if m.Kind == Cgroupfs {
		return removeContainerCgroup(id, cgroup)
	}
	if m.Why != "" || m.bus == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := m.conn(ctx)
	if err != nil {
		return fmt.Errorf("connecting to your systemd instance (%s): %w", m.bus, err)
	}
	defer c.Close()
	// An error here means the scope is gone or did not fail: nothing to
	// release.
	c.ResetFailedUnitContext(ctx, Unit(id))
	return nil
}
