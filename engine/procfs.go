package engine

import (
	"os"
	"strconv"
	"strings"
)

// procStat is what burrow reads of /proc/PID/stat (proc(5)).
type procStat struct {
	comm         string
	state        string // R, S, ..., Z (zombie), X (dead)
	ppid         int
	ttyNr        int
	utime, stime uint64
	start        uint64 // clock ticks after boot
}

// readStat parses /proc/PID/stat; nil when there is no such process.
func readStat(pid int) *procStat {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return nil
	}
	// The command name may hold spaces and parentheses: it ends at the
	// last ')', and the fields are counted after it.
	s := string(b)
	i, j := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if i < 0 || j < i {
		return nil
	}
	f := strings.Fields(s[j+1:])
	// f[0] is field 3 (state); starttime is field 22.
	if len(f) < 20 {
		return nil
	}
	num := func(k int) uint64 { n, _ := strconv.ParseUint(f[k], 10, 64); return n }
	return &procStat{comm: s[i+1 : j], state: f[0], ppid: int(num(1)), ttyNr: int(num(4)), utime: num(11), stime: num(12), start: num(19)}
}
