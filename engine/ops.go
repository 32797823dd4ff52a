package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/stringid"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
)

// Rename gives a container a new, unused name.
func (e *Engine) Rename(ctr *Container, name string) error {
	if !validName(name) {
		return errdefs.Invalid(fmt.Errorf("invalid container name %q: use letters, digits and _.- (starting with a letter or digit)", name))
	}
	unlock, err := e.lock()
	if err != nil {
		return err
	}
	defer unlock()
	recs, err := e.records()
	if err != nil {
		return err
	}
	for _, r := range recs {
		if r.Name == name && r.ID != ctr.ID {
			return errdefs.Conflict(fmt.Errorf("renaming container %s: the name %q is in use by %s", ctr.Name, name, stringid.TruncateID(r.ID)))
		}
	}
	r, err := e.readRecord(ctr.ID)
	if err != nil {
		return err
	}
	if r.Stored {
		s, err := e.Store()
		if err != nil {
			return err
		}
		if err := s.SetNames(r.ID, []string{name}); err != nil {
			if errors.Is(err, cstorage.ErrDuplicateName) {
				return errdefs.Conflict(fmt.Errorf("renaming container %s: the name %q is in use in the store by another tool", ctr.Name, name))
			}
			return fmt.Errorf("renaming container %s: %w", ctr.Name, err)
		}
	}
	r.Name = name
	ctr.Name = name
	return e.writeRecord(r)
}

// Prune removes every container that is not running and returns their IDs.
func (e *Engine) Prune(ctx context.Context) ([]string, error) {
	ctrs, err := e.List()
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, c := range ctrs {
		if c.Running() {
			continue
		}
		if err := e.Remove(ctx, c, false); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, c.ID)
	}
	return removed, errors.Join(errs...)
}

// Pause freezes a running container with the cgroup v2 freezer of its
// own cgroup (a container gets one with a cgroup manager: systemd or
// cgroupfs); without one it says why it cannot.
func (e *Engine) Pause(ctr *Container) error {
	if !ctr.Running() {
		return errdefs.Conflict(fmt.Errorf("can only pause running containers: %s is %s", ctr.Name, ctr.State.Status))
	}
	if ctr.Paused() {
		return errdefs.Conflict(fmt.Errorf("%s is already paused", ctr.Name))
	}
	if ctr.State.Cgroup == "" {
		why := e.Limits(ctr.Config.CgroupManager).Why()
		if ctr.Config.CgroupsDisabled {
			why = "it was started with --cgroups=disabled"
		} else if why == "" {
			why = "it was started without one"
		}
		return errdefs.Unavailable(fmt.Errorf("pausing %s needs the cgroup v2 freezer of a cgroup of its own: %s; see burrow info (cgroup version and manager)", ctr.Name, why))
	}
	return freeze(ctr, true)
}

// Unpause thaws a paused container; see Pause.
func (e *Engine) Unpause(ctr *Container) error {
	if !ctr.Paused() {
		return errdefs.Conflict(fmt.Errorf("%s is not paused", ctr.Name))
	}
	return freeze(ctr, false)
}

// Paused tells whether the container's cgroup is frozen.
func (c *Container) Paused() bool {
	if !c.Running() || c.State.Cgroup == "" {
		return false
	}
	b, err := os.ReadFile(filepath.Join(c.State.Cgroup, "cgroup.freeze"))
	return err == nil && strings.TrimSpace(string(b)) == "1"
}

// freeze writes the container's cgroup.freeze and waits until the kernel
// reports the cgroup (un)frozen in cgroup.events.
func freeze(ctr *Container, on bool) error {
	what, v := "unpausing", "0"
	if on {
		what, v = "pausing", "1"
	}
	if err := os.WriteFile(filepath.Join(ctr.State.Cgroup, "cgroup.freeze"), []byte(v), 0); err != nil {
		return fmt.Errorf("%s %s: %w", what, ctr.Name, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(filepath.Join(ctr.State.Cgroup, "cgroup.events"))
		if err != nil {
			return fmt.Errorf("%s %s: %w", what, ctr.Name, err)
		}
		if strings.Contains(string(b), "frozen "+v) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s %s: the cgroup did not settle within 10 s", what, ctr.Name)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Process is one process of a container, for top.
type Process struct {
	User    string
	PID     int // as the container sees it
	PPID    int // as the container sees it
	CPU     float64
	Elapsed time.Duration
	TTY     string
	Time    time.Duration
	Command string
}

// Top lists the processes in a running container's PID namespace.
func (e *Engine) Top(ctr *Container) ([]Process, error) {
	if !ctr.Running() {
		return nil, errdefs.Conflict(fmt.Errorf("top needs a running container: %s is %s", ctr.Name, ctr.State.Status))
	}
	initNS, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", ctr.State.Pid))
	if err != nil {
		return nil, fmt.Errorf("reading the PID namespace of %s: %w", ctr.Name, err)
	}
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	uptime := readUptime()
	hz := 100.0 // USER_HZ on every Linux architecture burrow builds for
	nsPID := map[int]int{}
	var procs []Process
	var hostPIDs []int
	for _, ent := range ents {
		pid, err := strconv.Atoi(ent.Name())
		if err != nil {
			continue
		}
		if ns, err := os.Readlink("/proc/" + ent.Name() + "/ns/pid"); err != nil || ns != initNS {
			continue
		}
		st := readStat(pid)
		if st == nil {
			continue
		}
		status := statusMap(pid)
		inner := lastField(status["NSpid"])
		nsPID[pid] = inner
		cmd := cmdline(pid)
		if cmd == "" {
			cmd = "[" + st.comm + "]"
		}
		uid := firstField(status["Uid"])
		cpuSecs := float64(st.utime+st.stime) / hz
		elapsed := uptime - float64(st.start)/hz
		p := Process{
			User: uid, PID: inner, CPU: 0, TTY: ttyName(st.ttyNr), Command: cmd,
			Elapsed: time.Duration(elapsed * float64(time.Second)).Round(time.Second),
			Time:    time.Duration(cpuSecs * float64(time.Second)).Round(time.Second),
		}
		if elapsed > 0 {
			p.CPU = 100 * cpuSecs / elapsed
		}
		procs = append(procs, p)
		hostPIDs = append(hostPIDs, st.ppid)
	}
	for i := range procs {
		procs[i].PPID = nsPID[hostPIDs[i]] // 0 for the init, whose parent is outside
	}
	return procs, nil
}

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

func statusMap(pid int) map[string]string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	m := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m
}

func lastField(s string) int {
	f := strings.Fields(s)
	if len(f) == 0 {
		return 0
	}
	n, _ := strconv.Atoi(f[len(f)-1])
	return n
}

func firstField(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return ""
	}
	return f[0]
}

func cmdline(pid int) string {
	b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	return strings.TrimSpace(strings.ReplaceAll(string(b), "\x00", " "))
}

func readUptime() float64 {
	b, _ := os.ReadFile("/proc/uptime")
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[0], 64)
	return u
}

// ttyName names a tty device number as ps does (pts/N), "?" for none.
func ttyName(nr int) string {
	if nr == 0 {
		return "?"
	}
	major, minor := unix.Major(uint64(nr)), unix.Minor(uint64(nr))
	if major >= 136 && major <= 143 {
		return "pts/" + strconv.Itoa(int((major-136)*256+minor))
	}
	return filepath.Base(fmt.Sprintf("tty%d", minor))
}
