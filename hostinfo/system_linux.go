package hostinfo

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Distribution is the host's distribution, from /etc/os-release, with
// podman's names.
type Distribution struct {
	Distribution string `json:"distribution"`
	Variant      string `json:"variant,omitempty"`
	Version      string `json:"version"`
	Codename     string `json:"codename,omitempty"`
}

// GatherDistribution reads /etc/os-release (ID, VARIANT_ID, VERSION_ID,
// VERSION_CODENAME).
func GatherDistribution() Distribution {
	var d Distribution
	f, err := os.Open("/etc/os-release")
	if err != nil {
		return d
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"'`)
		switch k {
		case "ID":
			d.Distribution = v
		case "VARIANT_ID":
			d.Variant = v
		case "VERSION_ID":
			d.Version = v
		case "VERSION_CODENAME":
			d.Codename = v
		}
	}
	return d
}

// Memory is the host's memory and swap in bytes, and how long it has run.
type Memory struct {
	MemTotal, MemFree, SwapTotal, SwapFree int64
	Uptime                                 time.Duration
}

// GatherMemory asks the kernel (sysinfo).
func GatherMemory() Memory {
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return Memory{}
	}
	unit := int64(si.Unit)
	return Memory{
		MemTotal: int64(si.Totalram) * unit, MemFree: int64(si.Freeram) * unit,
		SwapTotal: int64(si.Totalswap) * unit, SwapFree: int64(si.Freeswap) * unit,
		Uptime: time.Duration(si.Uptime) * time.Second,
	}
}

// FormatUptime writes an uptime as podman does: "1h 55m 53.00s
// (Approximately 0.04 days)".
func FormatUptime(d time.Duration) string {
	h := int(d.Hours())
	m := int(d.Minutes()) % 60
	s := d.Seconds() - float64(h*3600+m*60)
	return fmt.Sprintf("%dh %dm %.2fs (Approximately %.2f days)", h, m, s, d.Hours()/24)
}

// CPUUsage is the share of the CPUs' time since boot, in percent.
type CPUUsage struct {
	UserPercent   float64 `json:"userPercent"`
	SystemPercent float64 `json:"systemPercent"`
	IdlePercent   float64 `json:"idlePercent"`
}

// GatherCPUUsage reads the first line of /proc/stat.
func GatherCPUUsage() CPUUsage {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return CPUUsage{}
	}
	line, _, _ := strings.Cut(string(b), "\n")
	fields := strings.Fields(line)
	if len(fields) < 5 || fields[0] != "cpu" {
		return CPUUsage{}
	}
	var v []float64
	total := 0.0
	for _, f := range fields[1:] {
		n, _ := strconv.ParseFloat(f, 64)
		v = append(v, n)
		total += n
	}
	if total == 0 {
		return CPUUsage{}
	}
	pct := func(x float64) float64 { return float64(int(x/total*10000)) / 100 }
	return CPUUsage{UserPercent: pct(v[0] + v[1]), SystemPercent: pct(v[2]), IdlePercent: pct(v[3])}
}

// Package names the Debian package that holds path as podman does
// ("conmon_2.1.6+ds1-1_amd64"), "" when dpkg does not know it.
func Package(path string) string {
	owner := strings.TrimSpace(commandOutput("dpkg-query", "-S", path))
	pkg, _, ok := strings.Cut(owner, ":")
	if !ok || strings.Contains(pkg, " ") {
		return ""
	}
	out := strings.TrimSpace(commandOutput("dpkg-query", "-W", "-f", "${Package}_${Version}_${Architecture}", pkg))
	if out == "" || strings.Contains(out, " ") {
		return ""
	}
	return out
}

// Version asks a helper program for its version (see version).
func Version(path string) string { return version(path) }
