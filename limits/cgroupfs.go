package limits

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
)

// cgroupfs is the manager that makes the cgroups itself, with no D-Bus:
// BASE/burrow/ID per container, in the subtree delegated to the user.
type cgroupfs struct {
	host
	// base is the delegated cgroup under which burrow makes its own.
	base string
}

// detectCgroupfs finds the delegated cgroup burrow makes its own under:
// the topmost ancestor of burrow's own cgroup that the user owns.
func detectCgroupfs() *cgroupfs {
	m := &cgroupfs{}
	self, err := ownCgroup()
	if err != nil {
		m.why = err.Error()
		return m
	}
	base, err := findBase(cgroupRoot, self, os.Getuid(), statOwner)
	if err != nil {
		m.why = err.Error()
		return m
	}
	b, err := os.ReadFile(filepath.Join(base, "cgroup.subtree_control"))
	if err != nil {
		m.why = fmt.Sprintf("reading the controllers of %s: %v", base, err)
		return m
	}
	m.base = base
	m.controllers = strings.Fields(string(b))
	return m
}

func (m *cgroupfs) String() string {
	if m.why != "" {
		return "none: " + m.why
	}
	return Cgroupfs + " (" + m.base + ")"
}

func (m *cgroupfs) Check(l Limits) error {
	return m.check(l, func(missing string) error {
		return fmt.Errorf("cannot apply the limits asked for: the %s controller is not delegated to you (not in %s): run burrow in a cgroup delegated with it (systemd-run --user --scope -p Delegate=yes ...; contrib/README.md), or use --cgroup-manager systemd; or run with --cgroups=disabled",
			missing, filepath.Join(m.base, "cgroup.subtree_control"))
	})
}

// ownCgroup is this process's cgroup v2 path ("0::" in /proc/self/cgroup).
func ownCgroup() (string, error) {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return "", fmt.Errorf("reading your cgroup: %v", err)
	}
	if p, ok := unifiedPath(string(b)); ok {
		return p, nil
	}
	return "", errors.New("no cgroup v2 line in /proc/self/cgroup")
}

// statOwner is the UID owning path, as this process sees it: inside
// burrow's user namespace the user's own files show as owned by 0, the
// UID burrow runs as there.
func statOwner(path string) (int, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	if !fi.IsDir() {
		return 0, fmt.Errorf("%s is not a directory", path)
	}
	return int(fi.Sys().(*syscall.Stat_t).Uid), nil
}

// findBase walks up from the cgroup self (a path under root, as in
// /proc/self/cgroup) to its topmost ancestor, not above root, that uid
// owns. self itself must be owned by uid.
func findBase(root, self string, uid int, owner func(string) (int, error)) (string, error) {
	root = filepath.Clean(root)
	dir := filepath.Join(root, filepath.Clean("/"+self))
	o, err := owner(dir)
	if err != nil {
		return "", fmt.Errorf("reading your cgroup %s: %v", self, err)
	}
	if o != uid {
		return "", fmt.Errorf("your cgroup %s is not delegated to you: use --cgroup-manager systemd, or run burrow inside a delegated cgroup (systemd-run --user --scope -p Delegate=yes burrow ...)", self)
	}
	for dir != root {
		parent := filepath.Dir(dir)
		if o, err := owner(parent); err != nil || o != uid {
			break
		}
		dir = parent
	}
	return dir, nil
}

// setting is one write to a cgroup file.
type setting struct {
	file, value string
}

// cgroupfsSettings are the cgroup file writes for l, for the controllers
// that have (delegated). start adds what only a new cgroup gets: the
// default pids limit and the OOM kill of the whole group. devnum gives a
// device's MAJ:MIN.
func cgroupfsSettings(l Limits, start bool, has func(string) bool, devnum func(string) (string, error)) ([]setting, error) {
	var s []setting
	set := func(file, value string) { s = append(s, setting{file, value}) }
	size := func(v int64) string {
		if v < 0 {
			return "max"
		}
		return strconv.FormatInt(v, 10)
	}
	if l.Memory != 0 {
		set("memory.max", size(l.Memory))
	}
	if l.MemoryReservation > 0 {
		set("memory.low", size(l.MemoryReservation))
	}
	switch {
	case l.MemorySwap < 0:
		set("memory.swap.max", "max")
	case l.MemorySwap > 0 && l.MemorySwap >= l.Memory:
		set("memory.swap.max", size(l.MemorySwap-max(l.Memory, 0)))
	}
	if start && has("memory") {
		// An OOM kill takes the whole container, as systemd's scopes do.
		set("memory.oom.group", "1")
	}
	if v, ok := cpuMax(l); ok {
		set("cpu.max", v)
	}
	if l.CPUShares > 0 {
		set("cpu.weight", strconv.FormatUint(cpuWeight(l.CPUShares), 10))
	}
	if l.CpusetCpus != "" {
		if _, err := cpusetBits(l.CpusetCpus); err != nil {
			return nil, err
		}
		set("cpuset.cpus", l.CpusetCpus)
	}
	if l.CpusetMems != "" {
		if _, err := cpusetBits(l.CpusetMems); err != nil {
			return nil, errdefs.Invalid(fmt.Errorf("invalid memory node list %q", l.CpusetMems))
		}
		set("cpuset.mems", l.CpusetMems)
	}
	switch {
	case l.PidsLimit != 0:
		set("pids.max", size(l.PidsLimit))
	case start && has("pids"):
		set("pids.max", strconv.Itoa(DefaultPidsLimit))
	}
	if l.BlkioWeight > 0 {
		set("io.weight", "default "+strconv.FormatUint(ioWeight(l.BlkioWeight), 10))
	}
	lines, err := ioMaxLines(l, devnum)
	if err != nil {
		return nil, err
	}
	for _, line := range lines {
		set("io.max", line)
	}
	return s, nil
}

// cpuMax is the cpu.max line for l ("QUOTA PERIOD"), if l sets one.
func cpuMax(l Limits) (string, bool) {
	quota, period := cpuQuota(l)
	switch {
	case quota > 0:
		return fmt.Sprintf("%d %d", quota, period), true
	case quota < 0 || l.CPUPeriod != 0:
		return fmt.Sprintf("max %d", period), true
	}
	return "", false
}

// ioMaxLines are the io.max lines for l's device rates, one per device:
// "MAJ:MIN rbps=N wbps=N riops=N wiops=N" with only the rates set.
func ioMaxLines(l Limits, devnum func(string) (string, error)) ([]string, error) {
	var order []string
	rates := map[string]map[string]uint64{}
	for _, x := range []struct {
		key  string
		list []Throttle
	}{{"rbps", l.DeviceReadBps}, {"wbps", l.DeviceWriteBps}, {"riops", l.DeviceReadIOps}, {"wiops", l.DeviceWriteIOps}} {
		for _, t := range x.list {
			n, err := devnum(t.Device)
			if err != nil {
				return nil, err
			}
			if rates[n] == nil {
				rates[n] = map[string]uint64{}
				order = append(order, n)
			}
			rates[n][x.key] = t.Rate
		}
	}
	var lines []string
	for _, n := range order {
		line := n
		for _, k := range []string{"rbps", "wbps", "riops", "wiops"} {
			if v, ok := rates[n][k]; ok {
				line += fmt.Sprintf(" %s=%d", k, v)
			}
		}
		lines = append(lines, line)
	}
	return lines, nil
}

// blockDevice is the MAJ:MIN of the block device at path.
func blockDevice(path string) (string, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return "", errdefs.Invalid(fmt.Errorf("invalid device %s: %w", path, err))
	}
	if st.Mode&unix.S_IFMT != unix.S_IFBLK {
		return "", errdefs.Invalid(fmt.Errorf("invalid device %s: not a block device", path))
	}
	return fmt.Sprintf("%d:%d", unix.Major(st.Rdev), unix.Minor(st.Rdev)), nil
}

// writeSettings writes the settings into the cgroup dir.
func writeSettings(dir string, s []setting) error {
	for _, x := range s {
		if err := os.WriteFile(filepath.Join(dir, x.file), []byte(x.value), 0o644); err != nil {
			return fmt.Errorf("setting %s to %q in cgroup %s: %w", x.file, x.value, dir, err)
		}
	}
	return nil
}

// Apply makes BASE/burrow/ID with the limits and moves pid in. Without a
// delegated cgroup and no limit asked for, the container runs without a
// cgroup of its own, quietly, as without systemd.
func (m *cgroupfs) Apply(id string, pid int, l Limits) (string, error) {
	if err := m.Check(l); err != nil || m.why != "" {
		return "", err
	}
	settings, err := cgroupfsSettings(l, true, m.delegated, blockDevice)
	if err != nil {
		return "", err
	}
	parent := filepath.Join(m.base, "burrow")
	if err := makeParent(parent); err != nil {
		return "", err
	}
	dir := filepath.Join(parent, id)
	err = os.Mkdir(dir, 0o755)
	if errors.Is(err, os.ErrExist) {
		// Left by a container whose monitor died: empty, or in use.
		if err = removeCgroup(dir, 0); err == nil {
			err = os.Mkdir(dir, 0o755)
		}
	}
	if err != nil {
		return "", fmt.Errorf("creating cgroup %s: %w", dir, err)
	}
	if err := writeSettings(dir, settings); err != nil {
		os.Remove(dir)
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0o644); err != nil {
		os.Remove(dir)
		return "", fmt.Errorf("moving the container's init to cgroup %s: %w", dir, err)
	}
	return dir, nil
}

// makeParent makes BASE/burrow, with every controller it can have
// enabled for its children (the containers).
func makeParent(dir string) error {
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("creating cgroup %s: %w", dir, err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.controllers"))
	if err != nil {
		return fmt.Errorf("creating cgroup %s: %w", dir, err)
	}
	on, err := os.ReadFile(filepath.Join(dir, "cgroup.subtree_control"))
	if err != nil {
		return fmt.Errorf("creating cgroup %s: %w", dir, err)
	}
	enabled := strings.Fields(string(on))
	for _, c := range strings.Fields(string(b)) {
		if slices.Contains(enabled, c) {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, "cgroup.subtree_control"), []byte("+"+c), 0o644); err != nil {
			return fmt.Errorf("enabling the %s controller in cgroup %s: %w", c, dir, err)
		}
	}
	return nil
}

// Update writes new limits into the container's cgroup, checked against
// the controllers that cgroup has, whatever cgroup this process runs in.
func (m *cgroupfs) Update(id, cgroup string, l Limits) error {
	b, err := os.ReadFile(filepath.Join(cgroup, "cgroup.controllers"))
	if err != nil {
		return errdefs.Unavailable(fmt.Errorf("reading the controllers of cgroup %s: %w", cgroup, err))
	}
	own := &cgroupfs{host: host{controllers: strings.Fields(string(b))}, base: filepath.Dir(cgroup)}
	if err := own.Check(l); err != nil {
		return err
	}
	settings, err := cgroupfsSettings(l, false, own.delegated, blockDevice)
	if err != nil {
		return err
	}
	return writeSettings(cgroup, settings)
}

// Join writes pid into the container's cgroup.procs. The kernel refuses
// it from outside the delegated cgroup the container was made in.
func (m *cgroupfs) Join(id, cgroup string, pid int) error {
	if err := os.WriteFile(filepath.Join(cgroup, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0); err != nil {
		return fmt.Errorf("moving process %d into %s: %w; run exec from a cgroup delegated to you (systemd-run --user --scope -p Delegate=yes)", pid, cgroup, err)
	}
	return nil
}

// Exited removes the cgroup burrow made for container id, waiting a
// little for the last processes to go.
func (m *cgroupfs) Exited(id, cgroup string) error {
	if cgroup == "" || filepath.Base(cgroup) != id || filepath.Base(filepath.Dir(cgroup)) != "burrow" {
		return nil // not one of ours
	}
	return removeCgroup(cgroup, 2*time.Second)
}

// removeCgroup removes an empty cgroup, retrying for wait while it is
// still populated (EBUSY).
func removeCgroup(dir string, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		err := unix.Rmdir(dir)
		if err == nil || errors.Is(err, unix.ENOENT) {
			return nil
		}
		if !errors.Is(err, unix.EBUSY) || time.Now().After(deadline) {
			return fmt.Errorf("removing cgroup %s: %w", dir, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
