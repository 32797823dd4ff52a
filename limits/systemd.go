package limits

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	sdbus "github.com/coreos/go-systemd/v22/dbus"
	godbus "github.com/godbus/dbus/v5"
	"go.podman.io/storage/pkg/stringid"

	"github.com/burrow-containers/burrow/errdefs"
)

// systemd is the manager that asks the user's systemd instance, over
// D-Bus, for a transient scope per container (burrow-ID.scope) with
// Delegate=yes and the limits as the scope's properties, as crun does for
// rootless podman.
type systemd struct {
	host
	// bus is the user bus's socket; uid the user's real UID, which the
	// EXTERNAL authentication names.
	bus string
	uid int
}

// detectSystemd finds the user's systemd instance: the cgroup it
// delegates (its controllers) and its bus.
func detectSystemd(uid int, runtimeDir string) *systemd {
	m := &systemd{uid: uid}
	svc := fmt.Sprintf("%s/user.slice/user-%d.slice/user@%d.service", cgroupRoot, uid, uid)
	b, err := os.ReadFile(filepath.Join(svc, "cgroup.controllers"))
	if err != nil {
		m.why = fmt.Sprintf("no systemd user instance delegates a cgroup to uid %d: enable lingering (loginctl enable-linger) or log in through systemd-logind", uid)
		return m
	}
	m.controllers = strings.Fields(string(b))
	bus := filepath.Join(runtimeDir, "bus")
	if runtimeDir == "" {
		bus = fmt.Sprintf("/run/user/%d/bus", uid)
	}
	if _, err := os.Stat(bus); err != nil {
		m.why = fmt.Sprintf("the systemd user bus %s is missing: log in through systemd-logind (not su/sudo), or install dbus-user-session", bus)
		return m
	}
	m.bus = bus
	return m
}

func (m *systemd) String() string {
	if m.why != "" {
		return "none: " + m.why
	}
	return Systemd
}

func (m *systemd) Check(l Limits) error {
	return m.check(l, func(missing string) error {
		return fmt.Errorf("cannot apply the limits asked for: the %s controller is not delegated to you: install contrib/systemd/user@.service.d/delegate.conf (burrow system doctor); or run with --cgroups=disabled", missing)
	})
}

// unitName is the scope of a container.
func unitName(id string) string { return "burrow-" + stringid.TruncateID(id) + ".scope" }

// conn dials the user's systemd over D-Bus, authenticating as the real
// user (from inside the user namespace, where our UID is 0).
func (m *systemd) conn() (*sdbus.Conn, error) {
	if m.why != "" {
		return nil, errdefs.Unavailable(fmt.Errorf("no systemd user instance: %s", m.why))
	}
	c, err := sdbus.NewConnection(func() (*godbus.Conn, error) {
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
	if err != nil {
		return nil, errdefs.Unavailable(fmt.Errorf("connecting to your systemd instance (%s): %w", m.bus, err))
	}
	return c, nil
}

// Apply starts the container's scope with pid in it. Without a systemd
// instance (or a bus that answers) and no limit asked for, the container
// runs without a cgroup of its own.
func (m *systemd) Apply(id string, pid int, l Limits) (string, error) {
	if m.why != "" {
		return "", m.Check(l)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := m.conn()
	if err != nil {
		if l.Requested() {
			return "", err
		}
		return "", nil
	}
	defer c.Close()
	unit := unitName(id)
	props := append([]sdbus.Property{
		sdbus.PropDescription("burrow container " + stringid.TruncateID(id)),
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
	return cgroupOf(pid), nil
}

// Update sets the scope's properties; systemd writes the cgroup files.
func (m *systemd) Update(id, cgroup string, l Limits) error {
	if err := m.Check(l); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := m.conn()
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SetUnitPropertiesContext(ctx, unitName(id), true, m.properties(l, false)...); err != nil {
		return fmt.Errorf("updating the limits of %s: %w", unitName(id), err)
	}
	return nil
}

// Join asks systemd to attach pid to the container's scope, as it placed
// the init.
func (m *systemd) Join(id, cgroup string, pid int) error {
	const fix = "check your systemd user instance (burrow system doctor)"
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := m.conn()
	if err != nil {
		return fmt.Errorf("moving process %d into %s: %w; %s", pid, unitName(id), err, fix)
	}
	defer c.Close()
	if err := c.AttachProcessesToUnit(ctx, unitName(id), "", []uint32{uint32(pid)}); err != nil {
		return fmt.Errorf("attaching process %d to %s: %w; %s", pid, unitName(id), err, fix)
	}
	return nil
}

// Exited resets the scope when systemd keeps it as failed (after an OOM
// kill systemd stops the whole scope and marks it so).
func (m *systemd) Exited(id, cgroup string) error {
	if m.why != "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := m.conn()
	if err != nil {
		return err
	}
	defer c.Close()
	// An error here means the scope is gone or did not fail: nothing to
	// release.
	c.ResetFailedUnitContext(ctx, unitName(id))
	return nil
}

// properties turns limits into systemd unit properties.
func (m *systemd) properties(l Limits, defaultPids bool) []sdbus.Property {
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
	case defaultPids && m.delegated("pids"):
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
