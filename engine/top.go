package engine

import (
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/sandbox"
	"github.com/burrow-containers/burrow/userns"
)

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
	Comm    string // the kernel's name of the command (/proc/PID/comm)
	HostPID int    // as burrow's namespace sees it
	State   string // R, S, D, Z, T...
	// HostUser and HostGroup are its user and group as the host sees
	// them (podman's huser, hgroup); Group is the container's (its
	// number).
	HostUser  string
	Group     string
	HostGroup string
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
		uid, gid := firstField(status["Uid"]), firstField(status["Gid"])
		cpuSecs := float64(st.utime+st.stime) / hz
		elapsed := uptime - float64(st.start)/hz
		p := Process{
			User: uid, PID: inner, CPU: 0, TTY: ttyName(st.ttyNr), Command: cmd, Comm: st.comm, HostPID: pid, State: st.state,
			Group: gid, HostUser: hostAccount("uid_map", uid, userName), HostGroup: hostAccount("gid_map", gid, groupName),
			Elapsed: time.Duration(elapsed * float64(time.Second)).Round(time.Second),
			Time:    time.Duration(cpuSecs * float64(time.Second)).Round(time.Second),
		}
		if elapsed > 0 {
			p.CPU = 100 * cpuSecs / elapsed
		}
		procs = append(procs, p)
		hostPIDs = append(hostPIDs, st.ppid)
	}
	// Users by name, as podman's top, from the container's /etc/passwd;
	// a container with a user namespace of its own has its IDs mapped
	// from burrow's through its map.
	names := sandbox.UserNames(fmt.Sprintf("/proc/%d/root", ctr.State.Pid))
	var uidMap []userns.IDMap
	if nestedUserNS(&ctr.Config) {
		if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/uid_map", ctr.State.Pid)); err == nil {
			uidMap, _ = userns.ParseIDMap(string(b))
		}
	}
	for i := range procs {
		procs[i].PPID = nsPID[hostPIDs[i]] // 0 for the init, whose parent is outside
		uid, err := strconv.Atoi(procs[i].User)
		if err != nil {
			continue
		}
		if uidMap != nil {
			if uid = insideID(uidMap, uid); uid < 0 {
				procs[i].User = "65534" // not mapped: the overflow ID, as the kernel shows it
				continue
			}
			procs[i].User = strconv.Itoa(uid)
		}
		if names[uid] != "" {
			procs[i].User = names[uid]
		}
	}
	return procs, nil
}

// hostAccount is the name (else the number) on the host of id, an ID of
// burrow's user namespace, mapped through this process's map file.
func hostAccount(mapFile, id string, name func(string) (string, error)) string {
	n, err := strconv.Atoi(id)
	if err != nil {
		return id
	}
	b, err := os.ReadFile("/proc/self/" + mapFile)
	if err != nil {
		return id
	}
	maps, err := userns.ParseIDMap(string(b))
	if err != nil {
		return id
	}
	for _, m := range maps {
		if n >= m.ContainerID && n < m.ContainerID+m.Size {
			host := strconv.Itoa(m.HostID + n - m.ContainerID)
			if s, err := name(host); err == nil {
				return s
			}
			return host
		}
	}
	return id
}

// insideID is the ID inside a user namespace of id, one of its parent's,
// through the namespace's map; -1 when not mapped.
func insideID(maps []userns.IDMap, id int) int {
	for _, m := range maps {
		if id >= m.HostID && id < m.HostID+m.Size {
			return m.ContainerID + id - m.HostID
		}
	}
	return -1
}

func userName(uid string) (string, error) {
	u, err := user.LookupId(uid)
	if err != nil {
		return "", err
	}
	return u.Username, nil
}

func groupName(gid string) (string, error) {
	g, err := user.LookupGroupId(gid)
	if err != nil {
		return "", err
	}
	return g.Name, nil
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
