package limits

import (
	"fmt"
	"strconv"
	"strings"

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
