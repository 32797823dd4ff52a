package userns

/*
#cgo CFLAGS: -Wall -Wextra -Wno-unused-parameter
int burrow_userns_joined_pid(void);
int burrow_userns_host_uid(void);
int burrow_userns_host_gid(void);
const char *burrow_userns_join_error(void);
*/
import "C"

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/roles"
)

// Environment variables of the protocol (docs/userns.md).
const (
	// envReexec marks the re-exec after creating the pause process.
	envReexec = "_BURROW_REEXEC"
	// EnvNoJoin keeps the constructor from joining, for debugging (docs/roles.md).
	EnvNoJoin = "_BURROW_NOJOIN"
)

// Joined reports whether this process joined burrow's user namespace in the
// constructor.
func Joined() bool { return C.burrow_userns_joined_pid() != 0 }

// PausePID is the PID of the joined pause process, 0 when not joined.
func PausePID() int { return int(C.burrow_userns_joined_pid()) }

// HostUID is the user's UID outside the user namespace.
func HostUID() int {
	if Joined() {
		return int(C.burrow_userns_host_uid())
	}
	if v, err := strconv.Atoi(os.Getenv("_CONTAINERS_ROOTLESS_UID")); err == nil {
		return v
	}
	return os.Getuid()
}

// HostGID is the user's GID outside the user namespace.
func HostGID() int {
	if Joined() {
		return int(C.burrow_userns_host_gid())
	}
	if v, err := strconv.Atoi(os.Getenv("_CONTAINERS_ROOTLESS_GID")); err == nil {
		return v
	}
	return os.Getgid()
}

// Rootless reports whether burrow works for a non-root user (inside its
// user namespace), as opposed to being run by real root.
func Rootless() bool { return HostUID() != 0 }

func init() {
	// The constructor set these with C setenv, which Go's copy of the
	// environment does not see; children (the runtime's init, helpers) must.
	if Joined() {
		os.Setenv("_CONTAINERS_ROOTLESS_UID", strconv.Itoa(HostUID()))
		os.Setenv("_CONTAINERS_ROOTLESS_GID", strconv.Itoa(HostGID()))
		os.Setenv("_CONTAINERS_USERNS_CONFIGURED", "done")
		os.Unsetenv(envReexec)
	}
}

// StateDir is the per-user directory holding pause.pid and pause.lock:
// $XDG_RUNTIME_DIR/burrow when XDG_RUNTIME_DIR is a directory owned by the
// user, else /tmp/burrow-run-UID. join_linux.c applies the same rule.
func StateDir() string {
	uid := HostUID()
	if xdg := os.Getenv("XDG_RUNTIME_DIR"); strings.HasPrefix(xdg, "/") {
		var st unix.Stat_t
		if unix.Stat(xdg, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFDIR && int(st.Uid) == uid {
			return filepath.Join(xdg, "burrow")
		}
	}
	return fmt.Sprintf("/tmp/burrow-run-%d", uid)
}

// ensureStateDir creates StateDir with mode 0700 and checks that nobody else
// owns or can write it (it may be under /tmp).
func ensureStateDir() (string, error) {
	dir := StateDir()
	if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
		return "", fmt.Errorf("creating state directory %s: %w", dir, err)
	}
	var st unix.Stat_t
	if err := unix.Lstat(dir, &st); err != nil {
		return "", fmt.Errorf("checking state directory %s: %w", dir, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFDIR || int(st.Uid) != os.Getuid() || st.Mode&0o022 != 0 {
		return "", fmt.Errorf("state directory %s is not a directory owned by you with mode 0700: remove it", dir)
	}
	return dir, nil
}

// Warning is something the caller should tell the user, with its fix.
type Warning string

// Ensure makes sure the process runs as root of burrow's user namespace.
// For real root and for a process that already joined it returns at once.
// Otherwise it creates the pause process (under a lock, so that concurrent
// invocations share one) and re-executes the binary, whose constructor
// then joins it; Ensure does not return in that case unless it fails.
// warn receives warnings (the single-ID fallback) before the re-exec.
func Ensure(warn func(Warning)) error {
	if os.Geteuid() == 0 {
		return nil
	}
	if os.Getenv(envReexec) != "" {
		msg := C.GoString(C.burrow_userns_join_error())
		if msg == "" {
			msg = "the pause process vanished"
		}
		return fmt.Errorf("joining burrow's user namespace: %s", msg)
	}
	dir, err := ensureStateDir()
	if err != nil {
		return err
	}
	lock, err := os.OpenFile(filepath.Join(dir, "pause.lock"), os.O_RDWR|os.O_CREATE|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("opening pause lock: %w", err)
	}
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		return fmt.Errorf("locking %s: %w", lock.Name(), err)
	}
	// Another invocation may have created it while we waited for the lock:
	// the re-exec joins whichever pause process pause.pid names.
	if pid, err := readPID(filepath.Join(dir, "pause.pid")); err != nil || !isPauseProcess(pid) {
		if err := createPause(dir, warn); err != nil {
			lock.Close()
			return err
		}
	}
	lock.Close()
	env := append(os.Environ(), envReexec+"=1")
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding burrow's own binary: %w", err)
	}
	return fmt.Errorf("re-executing %s: %w", exe, syscall.Exec("/proc/self/exe", os.Args, env))
}

func readPID(path string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(strings.TrimSpace(string(b)))
}

func isPauseProcess(pid int) bool {
	if pid <= 0 {
		return false
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil || string(b) != "burrow-pause\n" {
		return false
	}
	// A killed, unreaped pause process keeps its comm but no namespaces.
	_, err = os.Readlink(fmt.Sprintf("/proc/%d/ns/user", pid))
	return err == nil
}

// createPause starts the pause process in a new user and mount namespace,
// maps its IDs and records its PID.
func createPause(dir string, warn func(Warning)) error {
	uid, gid := os.Getuid(), os.Getgid()
	name := strconv.Itoa(uid)
	if u, err := user.LookupId(name); err == nil {
		name = u.Username
	}
	subuids, err := readSubIDs("/etc/subuid", name, uid)
	if err != nil {
		return errdefs.Invalid(err)
	}
	subgids, err := readSubIDs("/etc/subgid", name, uid)
	if err != nil {
		return errdefs.Invalid(err)
	}
	single := len(subuids) == 0 || len(subgids) == 0
	var newuidmap, newgidmap string
	if single {
		warn(Warning(fmt.Sprintf("no subordinate ID range for %q in /etc/subuid and /etc/subgid: using a single-ID mapping, so images with files of other owners will fail; fix: sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 %s", name, name)))
	} else {
		if newuidmap, err = findHelper("newuidmap"); err != nil {
			return err
		}
		if newgidmap, err = findHelper("newgidmap"); err != nil {
			return err
		}
	}

	syncR, syncW, err := os.Pipe()
	if err != nil {
		return err
	}
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return err
	}
	defer syncW.Close()
	defer readyR.Close()
	cmd := exec.Command("/proc/self/exe")
	cmd.Args = []string{"burrow-pause"}
	cmd.Env = append(os.Environ(), roles.Env+"="+roles.Pause)
	cmd.ExtraFiles = []*os.File{syncR, readyW}
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
		Setsid:     true,
	}
	if err := cmd.Start(); err != nil {
		syncR.Close()
		readyW.Close()
		return userNamespaceError(err)
	}
	syncR.Close()
	readyW.Close()
	pid := cmd.Process.Pid
	fail := func(err error) error {
		cmd.Process.Kill()
		cmd.Wait()
		return err
	}

	if single {
		err = writeSingleMapping(pid, uid, gid)
	} else {
		err = runHelper(newuidmap, helperArgs(pid, Mapping(uid, subuids)))
		if err == nil {
			err = runHelper(newgidmap, helperArgs(pid, Mapping(gid, subgids)))
		}
	}
	if err != nil {
		return fail(err)
	}
	if _, err := syncW.Write([]byte{1}); err != nil {
		return fail(fmt.Errorf("starting pause process: %w", err))
	}
	if n, _ := readyR.Read(make([]byte, 1)); n != 1 {
		return fail(errors.New("the pause process failed to start"))
	}
	tmp := filepath.Join(dir, "pause.pid.tmp")
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(pid)), 0o600); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, "pause.pid")); err != nil {
		return fail(err)
	}
	// The pause process outlives us; the init of the PID namespace reaps it.
	return cmd.Process.Release()
}

func writeSingleMapping(pid, uid, gid int) error {
	p := fmt.Sprintf("/proc/%d/", pid)
	if err := os.WriteFile(p+"setgroups", []byte("deny"), 0); err != nil {
		return fmt.Errorf("writing setgroups of the pause process: %w", err)
	}
	if err := os.WriteFile(p+"uid_map", []byte(fmt.Sprintf("0 %d 1\n", uid)), 0); err != nil {
		return fmt.Errorf("writing uid_map of the pause process: %w", err)
	}
	if err := os.WriteFile(p+"gid_map", []byte(fmt.Sprintf("0 %d 1\n", gid)), 0); err != nil {
		return fmt.Errorf("writing gid_map of the pause process: %w", err)
	}
	return nil
}

// findHelper finds newuidmap/newgidmap and checks that it can work: setuid
// root or carrying file capabilities.
func findHelper(name string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return "", errdefs.Unavailable(fmt.Errorf("%s not found: install it (Debian/Ubuntu: apt-get install uidmap; Fedora: dnf install shadow-utils)", name))
	}
	st, err := os.Stat(path)
	if err != nil {
		return "", errdefs.Unavailable(fmt.Errorf("checking %s: %w", path, err))
	}
	if st.Mode()&os.ModeSetuid == 0 {
		if sz, _ := unix.Getxattr(path, "security.capability", nil); sz <= 0 {
			return "", errdefs.Unavailable(fmt.Errorf("%s is neither setuid nor has file capabilities: fix with `sudo chmod u+s %s` or reinstall uidmap", path, path))
		}
	}
	return path, nil
}

func runHelper(path string, args []string) error {
	var stderr bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return errdefs.Unavailable(fmt.Errorf("%s %s: %s: check your ranges in /etc/subuid and /etc/subgid", filepath.Base(path), strings.Join(args, " "), msg))
	}
	return nil
}

// userNamespaceError explains why creating a user namespace failed.
func userNamespaceError(err error) error {
	if b, e := os.ReadFile("/proc/sys/user/max_user_namespaces"); e == nil && strings.TrimSpace(string(b)) == "0" {
		return errdefs.Unavailable(fmt.Errorf("creating a user namespace: user namespaces are disabled: fix with `sudo sysctl -w user.max_user_namespaces=28633`"))
	}
	if b, e := os.ReadFile("/proc/sys/kernel/unprivileged_userns_clone"); e == nil && strings.TrimSpace(string(b)) == "0" {
		return errdefs.Unavailable(fmt.Errorf("creating a user namespace: unprivileged user namespaces are disabled: fix with `sudo sysctl -w kernel.unprivileged_userns_clone=1`"))
	}
	if b, e := os.ReadFile("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"); e == nil && strings.TrimSpace(string(b)) == "1" {
		return errdefs.Unavailable(fmt.Errorf("creating a user namespace: AppArmor restricts unprivileged user namespaces: install an AppArmor profile for burrow or run `sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0`"))
	}
	return errdefs.Unavailable(fmt.Errorf("creating a user namespace: %w", err))
}

// Mappings returns the uid and gid maps of the current process.
func Mappings() (uids, gids []IDMap, err error) {
	b, err := os.ReadFile("/proc/self/uid_map")
	if err != nil {
		return nil, nil, err
	}
	if uids, err = ParseIDMap(string(b)); err != nil {
		return nil, nil, err
	}
	b, err = os.ReadFile("/proc/self/gid_map")
	if err != nil {
		return nil, nil, err
	}
	gids, err = ParseIDMap(string(b))
	return uids, gids, err
}
