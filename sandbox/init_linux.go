package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

const (
	configFd = 3
	socketFd = 4
)

// initError is a failure of the child half with the kind the parent maps
// to an exit code.
type initError struct {
	kind string
	err  error
}

func (e *initError) Error() string { return e.err.Error() }

func setupErr(format string, a ...any) error {
	return &initError{kind: kindSetup, err: fmt.Errorf(format, a...)}
}

// InitMain is the "init" role: the child half of the init protocol, whose
// parent is the container's monitor. It never returns.
func InitMain() {
	// Capabilities, no_new_privs and the credentials the exec'd process
	// inherits are per thread: everything from here to execve stays on one.
	runtime.LockOSThread()
	err := initContainer()
	ie, ok := err.(*initError)
	if !ok {
		ie = &initError{kind: kindSetup, err: err}
	}
	sendMsg(socketFd, message{Type: msgError, Kind: ie.kind, Message: ie.Error()})
	switch ie.kind {
	case kindNotFound:
		os.Exit(127)
	case kindCannotInvoke:
		os.Exit(126)
	}
	os.Exit(125)
}

func initContainer() error {
	unix.CloseOnExec(socketFd)
	// A session of its own, whoever spawned it: no terminal can be the
	// process's controlling terminal but the pty made for it here.
	if _, err := unix.Setsid(); err != nil {
		return setupErr("creating a session: %w", err)
	}
	raw, trees, err := readConfig(configFd)
	if err != nil {
		return setupErr("reading the container spec: %w", err)
	}
	var spec specs.Spec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return setupErr("reading the container spec: %w", err)
	}
	if spec.Root == nil || spec.Process == nil {
		return setupErr("the container spec has no root or no process")
	}
	rootfs, err := filepath.Abs(spec.Root.Path)
	if err != nil {
		return setupErr("finding the root filesystem: %w", err)
	}
	nested := NestedUserNS(&spec)
	newNet := hasNamespace(&spec, specs.NetworkNamespace)
	if newNamespace(&spec, specs.CgroupNamespace) {
		if err := unix.Unshare(unix.CLONE_NEWCGROUP); err != nil {
			return setupErr("creating the cgroup namespace: %w", err)
		}
	}
	// A network namespace made beforehand (with its user-mode network
	// already attached) is joined by path; this thread is the one that
	// execs, so the process ends up in it. With a user namespace of its
	// own the init could not join it (the namespace belongs to burrow's;
	// its path may not even be reachable): the monitor cloned the init
	// inside it.
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == specs.NetworkNamespace && ns.Path != "" && !nested {
			fd, err := unix.Open(ns.Path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err != nil {
				return setupErr("opening the network namespace %s: %w", ns.Path, err)
			}
			err = unix.Setns(fd, unix.CLONE_NEWNET)
			unix.Close(fd)
			if err != nil {
				return setupErr("joining the network namespace %s: %w", ns.Path, err)
			}
		}
	}

	// Nothing mounted from here on may reach the caller's mount namespace.
	if err := unix.Mount("", "/", "", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return setupErr("making / a slave mount: %w", err)
	}
	var sources []int // bind mount sources as mount trees, in spec order
	switch {
	case nested:
		// The root and every bind source arrive as detached mount trees
		// (sandbox.OpenTrees): their paths may lead through directories
		// of IDs this namespace does not map. The root is attached on top
		// of our own "/", which hides nothing from path lookups (they
		// start below it) and is gone after pivot_root; until then it is
		// reached through its descriptor.
		if len(trees) == 0 {
			return setupErr("no root filesystem was sent for a container with its own user namespace")
		}
		if err := unix.MoveMount(trees[0], "", unix.AT_FDCWD, "/", unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
			return setupErr("attaching the root filesystem: %w", err)
		}
		rootfs = fmt.Sprintf("/proc/self/fd/%d", trees[0])
		sources = trees[1:]
	case len(trees) > 0:
		// The root, mounted after this namespace was made, arrives as
		// a detached mount tree.
		err := unix.MoveMount(trees[0], "", unix.AT_FDCWD, rootfs, unix.MOVE_MOUNT_F_EMPTY_PATH)
		for _, fd := range trees {
			unix.Close(fd)
		}
		if err != nil {
			return setupErr("attaching the root filesystem %s: %w", rootfs, err)
		}
	}
	if !nested {
		if err := unix.Mount(rootfs, rootfs, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return setupErr("bind-mounting the root filesystem %s: %w", rootfs, err)
		}
	}
	root, err := openRoot(rootfs)
	if err != nil {
		return setupErr("opening the root filesystem %s: %w", rootfs, err)
	}
	defer root.Close()
	for _, m := range spec.Mounts {
		source := -1
		if nested && isBind(m) {
			if len(sources) == 0 {
				return setupErr("no mount tree was sent for the bind mount on %s", m.Destination)
			}
			source, sources = sources[0], sources[1:]
		}
		err := mountOne(root, m, newNet, source)
		if source >= 0 {
			unix.Close(source)
		}
		if err != nil {
			return setupErr("mounting %s on %s: %w", m.Type, m.Destination, err)
		}
	}
	if err := createDevices(root, spec.Linux.Devices); err != nil {
		return setupErr("creating devices: %w", err)
	}
	if spec.Hostname != "" && newNamespace(&spec, specs.UTSNamespace) {
		if err := unix.Sethostname([]byte(spec.Hostname)); err != nil {
			return setupErr("setting the hostname: %w", err)
		}
	}
	if newNet {
		if err := loopbackUp(); err != nil {
			return setupErr("bringing up lo: %w", err)
		}
	}
	// The working directory is made before the root may turn read-only.
	cwd := spec.Process.Cwd
	if cwd == "" {
		cwd = "/"
	}
	dir, err := root.mkdirAll(cwd)
	if err != nil {
		return setupErr("creating working directory %s: %w", cwd, err)
	}
	dir.Close()
	// No descriptor of the old root is left for a working directory
	// such as /proc/self/fd/N to reach.
	root.Close()
	if err := pivotRoot(rootfs); err != nil {
		return setupErr("pivoting to the root filesystem: %w", err)
	}
	for _, p := range spec.Linux.MaskedPaths {
		if err := maskPath(p); err != nil {
			return setupErr("masking %s: %w", p, err)
		}
	}
	for _, p := range spec.Linux.ReadonlyPaths {
		if err := readonlyPath(p); err != nil {
			return setupErr("making %s read-only: %w", p, err)
		}
	}
	if spec.Root.Readonly {
		if err := readonlyRoot(); err != nil {
			return setupErr("making the root filesystem read-only: %w", err)
		}
	}
	user := spec.Process.User
	if spec.Process.Terminal {
		if err := setupTerminal(spec.Process, int(user.UID)); err != nil {
			return setupErr("setting up the terminal: %w", err)
		}
	}
	if err := sendMsg(socketFd, message{Type: msgReady}); err != nil {
		return setupErr("reporting ready: %w", err)
	}
	m, _, err := recvMsg(socketFd)
	if err != nil || m.Type != msgStart {
		return setupErr("waiting for start: %v", err)
	}

	if err := enterWorkdir(cwd); err != nil {
		return err
	}
	env := spec.Process.Env
	path, err := lookPath(spec.Process.Args[0], envValue(env, "PATH"))
	if err != nil {
		return err
	}
	if a := spec.Process.OOMScoreAdj; a != nil {
		if err := os.WriteFile("/proc/self/oom_score_adj", []byte(strconv.Itoa(*a)), 0); err != nil {
			return setupErr("setting oom_score_adj to %d: %w", *a, err)
		}
	}
	// No descriptor but stdio may reach the process: the caller may have
	// inherited some without close-on-exec (CVE-2024-21626 was such a leak).
	if err := unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return setupErr("marking descriptors close-on-exec: %w", err)
	}
	// The filter goes on while this thread still has CAP_SYS_ADMIN in the
	// user namespace; what follows (setresuid, capset, execve) it allows.
	if err := loadSeccomp(spec.Linux.Seccomp); err != nil {
		return setupErr("%w", err)
	}
	if err := finalizeCredentials(spec.Process); err != nil {
		return setupErr("%w", err)
	}
	err = unix.Exec(path, spec.Process.Args, env)
	return execError(spec.Process.Args[0], err)
}

// readConfig reads the spec from fd to its end. From a socket it also takes
// the mount trees sent with the first bytes: the root's, then (for a
// container with its own user namespace) the bind sources' (OpenTrees).
func readConfig(fd int) ([]byte, []int, error) {
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, nil, err
	}
	var out []byte
	var trees []int
	buf := make([]byte, 64*1024)
	oob := make([]byte, unix.CmsgSpace(4*(maxTrees+3)))
	for {
		var n, oobn int
		var err error
		if st.Mode&unix.S_IFMT == unix.S_IFSOCK {
			n, oobn, _, _, err = unix.Recvmsg(fd, buf, oob, unix.MSG_CMSG_CLOEXEC)
		} else {
			n, err = unix.Read(fd, buf)
		}
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, trees, err
		}
		if oobn > 0 {
			if scms, err := unix.ParseSocketControlMessage(oob[:oobn]); err == nil {
				for _, scm := range scms {
					if fds, err := unix.ParseUnixRights(&scm); err == nil {
						trees = append(trees, fds...)
					}
				}
			}
		}
		if n == 0 {
			return out, trees, nil
		}
		out = append(out, buf[:n]...)
	}
}

// newNamespace tells whether the spec makes a namespace of type t (not one
// joined by path, whose hostname or cgroup root belong to its owner).
func newNamespace(spec *specs.Spec, t specs.LinuxNamespaceType) bool {
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == t && ns.Path == "" {
			return true
		}
	}
	return false
}

func hasNamespace(spec *specs.Spec, t specs.LinuxNamespaceType) bool {
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == t {
			return true
		}
	}
	return false
}

func envValue(env []string, key string) string {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v
		}
	}
	return ""
}

// lookPath resolves a command as execvp would, inside the container's root.
func lookPath(file, path string) (string, error) {
	if strings.Contains(file, "/") {
		return file, nil
	}
	if path == "" {
		path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, file)
		st, err := os.Stat(p)
		if err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", &initError{kind: kindNotFound, err: fmt.Errorf("executable file `%s` not found in $PATH: no such file or directory", file)}
}

// enterWorkdir changes to the process's working directory, which must be
// inside the container: through a magic link such as /proc/self/fd/N it
// could lead to a descriptor of burrow's (CVE-2024-21626), and getcwd then
// reports it unreachable from the root.
func enterWorkdir(cwd string) error {
	if err := unix.Chdir(cwd); err != nil {
		return setupErr("changing to working directory %s: %w", cwd, err)
	}
	if _, err := unix.Getwd(); err != nil {
		return setupErr("working directory %s is not inside the container: %w", cwd, err)
	}
	return nil
}

func execError(cmd string, err error) error {
	switch {
	case errors.Is(err, unix.ENOENT):
		return &initError{kind: kindNotFound, err: fmt.Errorf("executing %s: no such file or directory", cmd)}
	case errors.Is(err, unix.EACCES), errors.Is(err, unix.EPERM):
		return &initError{kind: kindCannotInvoke, err: fmt.Errorf("executing %s: permission denied", cmd)}
	}
	return &initError{kind: kindCannotInvoke, err: fmt.Errorf("executing %s: %w", cmd, err)}
}

func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return err
	}
	if ifr.Uint16()&unix.IFF_UP != 0 {
		// Up already: a namespace made beforehand (slirp.NewNetNS),
		// which a nested user namespace could not change.
		return nil
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	return unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr)
}

// pivotRoot makes rootfs the root and detaches the old root, leaving no
// path to the host's filesystem.
func pivotRoot(rootfs string) error {
	oldroot, err := unix.Open("/", unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(oldroot)
	newroot, err := unix.Open(rootfs, unix.O_DIRECTORY|unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(newroot)
	if err := unix.Fchdir(newroot); err != nil {
		return err
	}
	// pivot_root(".", ".") stacks the old root on top of the new one; it is
	// then unmounted from where we stand.
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root: %w", err)
	}
	if err := unix.Fchdir(oldroot); err != nil {
		return err
	}
	if err := unix.Mount("", ".", "", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
		return err
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detaching the old root: %w", err)
	}
	return unix.Chdir("/")
}

// setupTerminal creates the container's terminal in its own devpts
// instance, sends the master to the parent and makes the slave the
// controlling terminal and stdio of the process, which already leads a
// session of its own (no other terminal).
func setupTerminal(p *specs.Process, uid int) error {
	master, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(master)
	if err := unix.IoctlSetPointerInt(master, unix.TIOCSPTLCK, 0); err != nil {
		return fmt.Errorf("unlocking pty: %w", err)
	}
	// TIOCGPTPEER opens the slave without a path lookup; its argument is
	// the open flags. Older kernels lack it: fall back to the name.
	r, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(master), unix.TIOCGPTPEER, unix.O_RDWR|unix.O_NOCTTY)
	slave := int(r)
	if errno != 0 {
		n, err := unix.IoctlGetInt(master, unix.TIOCGPTN)
		if err != nil {
			return err
		}
		slave, err = unix.Open(fmt.Sprintf("/dev/pts/%d", n), unix.O_RDWR|unix.O_NOCTTY, 0)
		if err != nil {
			return err
		}
	}
	if p.ConsoleSize != nil {
		unix.IoctlSetWinsize(slave, unix.TIOCSWINSZ, &unix.Winsize{Row: uint16(p.ConsoleSize.Height), Col: uint16(p.ConsoleSize.Width)})
	}
	if uid != 0 {
		unix.Fchown(slave, uid, -1)
	}
	if err := sendMsg(socketFd, message{Type: msgPty}, master); err != nil {
		return err
	}
	if err := unix.IoctlSetInt(slave, unix.TIOCSCTTY, 0); err != nil {
		return fmt.Errorf("making the pty the controlling terminal: %w", err)
	}
	for fd := 0; fd <= 2; fd++ {
		if err := unix.Dup3(slave, fd, 0); err != nil {
			return err
		}
	}
	if slave > 2 {
		unix.Close(slave)
	}
	return nil
}
