package doctor

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/limits"
	"github.com/burrow-containers/burrow/network"
)

// Status of a check.
type Status string

// The statuses, as the doctor prints them.
const (
	OK   Status = "OK"
	Warn Status = "WARN"
	Fail Status = "FAIL"
)

// Result is one check's finding; Fix is set when Status is not OK.
type Result struct {
	Check   string `json:"check"`
	Status  Status `json:"status"`
	Message string `json:"message"`
	Fix     string `json:"fix,omitempty"`
}

// Host describes whom the checks are for.
type Host struct {
	UID, GID int
	User     string
	Home     string
}

// CurrentHost is the user running the doctor (outside any namespace).
func CurrentHost(uid, gid int) Host {
	h := Host{UID: uid, GID: gid, User: strconv.Itoa(uid), Home: os.Getenv("HOME")}
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		h.User, h.Home = u.Username, u.HomeDir
	}
	return h
}

// HostChecks are the checks that need no user namespace.
func HostChecks(h Host) []Result {
	var out []Result
	out = append(out, subIDs(h, "/etc/subuid", "subuid", "--add-subuids")...)
	out = append(out, subIDs(h, "/etc/subgid", "subgid", "--add-subgids")...)
	out = append(out, helper("newuidmap"), helper("newgidmap"))
	out = append(out, userNamespaces()...)
	out = append(out, runtimeDir(h), linger(h))
	out = append(out, cgroups(h)...)
	out = append(out, fuse(), tun(), netHelper(), firewall(), unprivilegedPorts(), homeFS(h))
	return out
}

func readSysctl(name string) (string, bool) {
	b, err := os.ReadFile("/proc/sys/" + strings.ReplaceAll(name, ".", "/"))
	if err != nil {
		return "", false
	}
	return strings.TrimSpace(string(b)), true
}

func subIDs(h Host, file, kind, flag string) []Result {
	name := "/etc/" + kind
	f, err := os.Open(file)
	if err != nil {
		return []Result{{Check: name, Status: Fail, Message: fmt.Sprintf("%s cannot be read: %v", file, err),
			Fix: fmt.Sprintf("sudo usermod %s 100000-165535 %s", flag, h.User)}}
	}
	defer f.Close()
	var total int64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		p := strings.Split(strings.TrimSpace(sc.Text()), ":")
		if len(p) != 3 || (p[0] != h.User && p[0] != strconv.Itoa(h.UID)) {
			continue
		}
		n, err := strconv.ParseInt(p[2], 10, 64)
		if err == nil {
			total += n
		}
	}
	switch {
	case total == 0:
		fix := fmt.Sprintf("sudo usermod %s 100000-165535 %s (pick a range no other user has; see %s)", flag, h.User, file)
		msg := fmt.Sprintf("no range for %s in %s: containers get a single ID (root only)", h.User, file)
		if !inPasswd(h.User) {
			msg += "; the user is not in /etc/passwd (LDAP/SSSD?): the ranges may come from sssd if nsswitch.conf has a subid line"
			fix += ", or ask the directory's administrators for subordinate IDs (sss_subid / FreeIPA)"
		}
		return []Result{{Check: name, Status: Fail, Message: msg, Fix: fix}}
	case total < 65536:
		return []Result{{Check: name, Status: Warn, Message: fmt.Sprintf("%d IDs for %s: images with IDs up to 65535 need 65536", total, h.User),
			Fix: fmt.Sprintf("sudo usermod %s <start>-<start+65535> %s with a free range", flag, h.User)}}
	}
	return []Result{{Check: name, Status: OK, Message: fmt.Sprintf("%d IDs for %s", total, h.User)}}
}

func inPasswd(name string) bool {
	b, _ := os.ReadFile("/etc/passwd")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, name+":") {
			return true
		}
	}
	return false
}

func helper(name string) Result {
	p, err := exec.LookPath(name)
	if err != nil {
		return Result{Check: name, Status: Fail, Message: name + " not found", Fix: "sudo apt-get install uidmap (Debian/Ubuntu), sudo dnf install shadow-utils (Fedora), sudo pacman -S shadow (Arch)"}
	}
	var st unix.Stat_t
	if err := unix.Stat(p, &st); err != nil {
		return Result{Check: name, Status: Fail, Message: err.Error(), Fix: "reinstall uidmap"}
	}
	// Seen from burrow's user namespace the host's root is unmapped and
	// shows as the overflow UID.
	overflow := uint32(65534)
	if v, ok := readSysctl("kernel.overflowuid"); ok {
		if n, err := strconv.Atoi(v); err == nil {
			overflow = uint32(n)
		}
	}
	setuid := st.Mode&unix.S_ISUID != 0 && (st.Uid == 0 || st.Uid == overflow)
	caps := false
	if sz, err := unix.Getxattr(p, "security.capability", nil); err == nil && sz > 0 {
		caps = true
	}
	if !setuid && !caps {
		return Result{Check: name, Status: Fail, Message: p + " is neither setuid root nor has file capabilities",
			Fix: fmt.Sprintf("sudo chmod u+s %s (or sudo setcap cap_setuid+ep %s; for newgidmap cap_setgid+ep)", p, p)}
	}
	how := "setuid"
	if caps {
		how = "file capabilities"
	}
	// shadow before 4.6 mishandles several ranges and setgroups.
	if v := shadowVersion(); v != "" {
		how += ", shadow " + v
		if versionLess(v, "4.6") {
			return Result{Check: name, Status: Warn, Message: p + " is from shadow " + v + ", older than 4.6",
				Fix: "upgrade uidmap (Debian/Ubuntu) or shadow-utils to 4.6 or newer"}
		}
	}
	return Result{Check: name, Status: OK, Message: p + " (" + how + ")"}
}

// shadowVersion is the upstream version of the package of newuidmap, from
// dpkg or rpm ("" when neither knows).
func shadowVersion() string {
	for _, q := range [][]string{{"dpkg-query", "-W", "-f", "${Version}", "uidmap"}, {"rpm", "-q", "--qf", "%{VERSION}", "shadow-utils"}} {
		out, err := exec.Command(q[0], q[1:]...).Output()
		if err != nil || len(out) == 0 {
			continue
		}
		v := string(out)
		if i := strings.IndexByte(v, ':'); i >= 0 {
			v = v[i+1:] // epoch
		}
		if i := strings.IndexAny(v, "+-~"); i >= 0 {
			v = v[:i]
		}
		return v
	}
	return ""
}

// versionLess compares dotted numbers.
func versionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}

func userNamespaces() []Result {
	var out []Result
	if v, ok := readSysctl("user.max_user_namespaces"); ok {
		if v == "0" {
			out = append(out, Result{Check: "user namespaces", Status: Fail, Message: "user.max_user_namespaces is 0",
				Fix: "sudo sysctl -w user.max_user_namespaces=28633 (and in /etc/sysctl.d/99-userns.conf)"})
		} else {
			out = append(out, Result{Check: "user namespaces", Status: OK, Message: "user.max_user_namespaces=" + v})
		}
	}
	if v, ok := readSysctl("kernel.unprivileged_userns_clone"); ok && v == "0" {
		out = append(out, Result{Check: "unprivileged user namespaces", Status: Fail, Message: "kernel.unprivileged_userns_clone is 0 (Debian/Arch kernels)",
			Fix: "sudo sysctl -w kernel.unprivileged_userns_clone=1 (and in /etc/sysctl.d/99-userns.conf)"})
	}
	if v, ok := readSysctl("kernel.apparmor_restrict_unprivileged_userns"); ok && v == "1" {
		self, _ := os.Executable()
		out = append(out, Result{Check: "AppArmor user namespaces", Status: Fail, Message: "kernel.apparmor_restrict_unprivileged_userns is 1 (Ubuntu 23.10+)",
			Fix: fmt.Sprintf("install an AppArmor profile allowing userns for %s (profile burrow %s flags=(unconfined) { userns, } in /etc/apparmor.d/burrow, then sudo apparmor_parser -r /etc/apparmor.d/burrow), or sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0", self, self)})
	}
	return out
}

func runtimeDir(h Host) Result {
	d := os.Getenv("XDG_RUNTIME_DIR")
	if d == "" {
		return Result{Check: "XDG_RUNTIME_DIR", Status: Warn, Message: "unset (su, sudo -u, cron): burrow keeps its run state in /tmp/storage-run-" + strconv.Itoa(h.UID) + " and auth.json there",
			Fix: fmt.Sprintf("log in for real (ssh, machinectl shell %s@) or export XDG_RUNTIME_DIR=/run/user/%d if it exists", h.User, h.UID)}
	}
	var st unix.Stat_t
	if err := unix.Stat(d, &st); err != nil {
		return Result{Check: "XDG_RUNTIME_DIR", Status: Fail, Message: d + " does not exist", Fix: "unset XDG_RUNTIME_DIR, or log in again so that systemd-logind creates it"}
	}
	// Inside burrow's user namespace the user's own files show as root's.
	mine := int(st.Uid) == h.UID || (int(st.Uid) == os.Geteuid() && h.UID != os.Geteuid())
	if !mine || st.Mode&0o077 != 0 {
		return Result{Check: "XDG_RUNTIME_DIR", Status: Fail, Message: fmt.Sprintf("%s belongs to uid %d with mode %o (sudo -u keeps the caller's)", d, st.Uid, st.Mode&0o777),
			Fix: fmt.Sprintf("export XDG_RUNTIME_DIR=/run/user/%d (yours), or unset it", h.UID)}
	}
	return Result{Check: "XDG_RUNTIME_DIR", Status: OK, Message: d}
}

func systemdPresent() bool {
	_, err := os.Stat("/run/systemd/system")
	return err == nil
}

func linger(h Host) Result {
	if !systemdPresent() {
		return Result{Check: "lingering", Status: OK, Message: "no systemd: detached containers are not stopped at logout"}
	}
	if _, err := os.Stat("/var/lib/systemd/linger/" + h.User); err != nil {
		return Result{Check: "lingering", Status: Warn, Message: "not enabled: systemd-logind may stop detached containers when you log out",
			Fix: "loginctl enable-linger " + h.User}
	}
	return Result{Check: "lingering", Status: OK, Message: "enabled"}
}

func cgroups(h Host) []Result {
	if !limits.CgroupV2() {
		return []Result{{Check: "cgroups", Status: Warn, Message: "cgroup v1 (or hybrid): limits (-m, --cpus, --pids-limit) cannot be applied to rootless containers",
			Fix: "boot with systemd.unified_cgroup_hierarchy=1 (add it to GRUB_CMDLINE_LINUX in /etc/default/grub, then update-grub and reboot)"}}
	}
	out := []Result{{Check: "cgroups", Status: OK, Message: "cgroup v2"}}
	if !systemdPresent() {
		return append(out, Result{Check: "cgroup delegation", Status: Warn, Message: "no systemd: nothing delegates a cgroup to you",
			Fix: "ask an administrator to create a cgroup for you and chown it (see contrib/README.md)"})
	}
	svc := fmt.Sprintf("/sys/fs/cgroup/user.slice/user-%d.slice/user@%d.service", h.UID, h.UID)
	b, err := os.ReadFile(filepath.Join(svc, "cgroup.controllers"))
	if err != nil {
		return append(out, Result{Check: "systemd user instance", Status: Warn, Message: "no user@" + strconv.Itoa(h.UID) + ".service cgroup: your systemd user instance is not running",
			Fix: "loginctl enable-linger " + h.User + " (or log in through logind)"})
	}
	have := strings.Fields(string(b))
	var missing []string
	for _, want := range []string{"cpu", "cpuset", "io", "memory", "pids"} {
		found := false
		for _, c := range have {
			found = found || c == want
		}
		if !found {
			missing = append(missing, want)
		}
	}
	if len(missing) > 0 {
		return append(out, Result{Check: "cgroup delegation", Status: Warn, Message: fmt.Sprintf("delegated: %s; missing: %s", strings.Join(have, " "), strings.Join(missing, " ")),
			Fix: "install contrib/systemd/user@.service.d/delegate.conf into /etc/systemd/system/user@.service.d/, then sudo systemctl daemon-reload and log in again"})
	}
	return append(out, Result{Check: "cgroup delegation", Status: OK, Message: "delegated: " + strings.Join(have, " ")})
}

func canOpen(path string) error {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return err
	}
	unix.Close(fd)
	return nil
}

func fuse() Result {
	err := canOpen("/dev/fuse")
	_, lerr := exec.LookPath("fuse-overlayfs")
	switch {
	case err != nil && lerr != nil:
		return Result{Check: "fuse", Status: Warn, Message: "no /dev/fuse access and no fuse-overlayfs: where native overlay is not allowed, storage falls back to vfs (slow, large)",
			Fix: "sudo apt-get install fuse-overlayfs; sudo chmod 0666 /dev/fuse"}
	case err != nil:
		return Result{Check: "fuse", Status: Warn, Message: "/dev/fuse cannot be opened: " + err.Error(), Fix: "sudo chmod 0666 /dev/fuse (the usual mode)"}
	case lerr != nil:
		return Result{Check: "fuse", Status: Warn, Message: "fuse-overlayfs is not installed (native overlay is used where the kernel allows it)", Fix: "sudo apt-get install fuse-overlayfs"}
	}
	return Result{Check: "fuse", Status: OK, Message: "/dev/fuse usable, fuse-overlayfs installed"}
}

func tun() Result {
	if err := canOpen("/dev/net/tun"); err != nil {
		return Result{Check: "tun", Status: Fail, Message: "/dev/net/tun cannot be opened (" + err.Error() + "): containers get no network (only --network none or host work)",
			Fix: "sudo chmod 0666 /dev/net/tun (the usual mode; if missing: sudo modprobe tun)"}
	}
	return Result{Check: "tun", Status: OK, Message: "/dev/net/tun usable"}
}

func netHelper() Result {
	if p, err := exec.LookPath("slirp4netns"); err == nil {
		return Result{Check: "network helper", Status: OK, Message: "slirp4netns at " + p}
	}
	if p, err := exec.LookPath("pasta"); err == nil {
		return Result{Check: "network helper", Status: Warn, Message: "only pasta (" + p + "): the default --network slirp4netns fails", Fix: "sudo apt-get install slirp4netns, or run with --network pasta"}
	}
	return Result{Check: "network helper", Status: Fail, Message: "neither slirp4netns nor pasta is installed", Fix: "sudo apt-get install slirp4netns"}
}

// firewall checks for the program netavark writes a network's rules with:
// without it the default network works and `network create`'s do not.
func firewall() Result {
	if p := network.FirewallTool(); p != "" {
		return Result{Check: "network rules", Status: OK, Message: "netavark writes the rules of created networks with " + p}
	}
	return Result{Check: "network rules", Status: Warn, Message: "neither iptables nor nft is installed: containers cannot join networks made with network create (netavark writes their rules with iptables)",
		Fix: "sudo apt-get install iptables"}
}

func unprivilegedPorts() Result {
	v, ok := readSysctl("net.ipv4.ip_unprivileged_port_start")
	if !ok {
		return Result{Check: "published ports", Status: OK, Message: "unknown lowest unprivileged port"}
	}
	return Result{Check: "published ports", Status: OK, Message: "ports from " + v + " can be published (net.ipv4.ip_unprivileged_port_start; lower it with sudo sysctl for 80/443)"}
}

func homeFS(h Host) Result {
	dir := filepath.Join(h.Home, ".local/share/containers")
	for d := dir; d != "/" && d != "."; d = filepath.Dir(d) {
		var st unix.Statfs_t
		if unix.Statfs(d, &st) != nil {
			continue
		}
		if st.Type == unix.NFS_SUPER_MAGIC {
			return Result{Check: "store filesystem", Status: Fail, Message: dir + " is on NFS: overlay and extended attributes do not work there",
				Fix: fmt.Sprintf("set graphroot = \"/var/tmp/%s-containers\" (a local disk) in ~/.config/containers/storage.conf", h.User)}
		}
		break
	}
	return Result{Check: "store filesystem", Status: OK, Message: dir + " is on a local filesystem"}
}
