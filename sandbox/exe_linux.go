package sandbox

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// The CVE-2019-5736 lesson: a process that enters a container runs burrow's
// own binary until it execs the container's process, and a process in the
// container that reaches it (/proc/PID/exe, ptrace) must not find a binary
// it can write. The container's root is the user, so a binary the user owns
// (make install PREFIX=~/.local) would be writable. Two defences:
//
//   - the init and exec roles are not dumpable (PR_SET_DUMPABLE 0, set by a
//     C constructor in nsenter_linux.c as they start), so /proc/PID/exe and
//     ptrace are closed to a container without CAP_SYS_PTRACE;
//   - they run from a read-only clone of the binary (Executable): a bind
//     mount of the one file, made read-only and then unmounted while this
//     process still holds it, so that it can be neither written nor
//     remounted writable, by anyone, and costs no copy. Only when that
//     cannot be made (the binary was replaced since this process started)
//     is the binary copied into a sealed memfd instead.

// Executable returns the path to exec the burrow binary through for a role
// that enters a container (the monitor, which execs the init, and exec):
// /proc/self/exe when no container could write it, else a read-only clone.
func Executable() (string, error) {
	f, err := sealedExe()
	if err != nil {
		return "", err
	}
	if f == nil {
		return "/proc/self/exe", nil
	}
	return fdPath(int(f.Fd())), nil
}

var sealedExe = sync.OnceValues(func() (*os.File, error) {
	// What burrow's root cannot write, a container's root cannot either
	// (it is the user at most): a binary that belongs to root, or one on
	// a read-only mount, such as the clone a parent made.
	err := unix.Faccessat(unix.AT_FDCWD, "/proc/self/exe", unix.W_OK, unix.AT_EACCESS)
	if errors.Is(err, unix.EACCES) || errors.Is(err, unix.EROFS) || errors.Is(err, unix.EPERM) {
		return nil, nil
	}
	f, err := readonlyClone()
	if err != nil {
		if f, err = sealedCopy(); err != nil {
			return nil, fmt.Errorf("making a read-only copy of burrow's binary for entering containers: %w", err)
		}
	}
	defer f.Close()
	// Above the descriptors os/exec moves around in the child (stdio,
	// ExtraFiles and as many again), so /proc/self/fd/N still names the
	// binary when the child execs it.
	fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 100)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
})

// readonlyClone clones the mount of the running binary's file (open_tree),
// makes the clone read-only and returns a new descriptor of the file on it.
// Closing the open_tree descriptor then unmounts the clone: a mount that is
// no longer mounted cannot be remounted or given new flags.
func readonlyClone() (*os.File, error) {
	var want unix.Stat_t
	if err := unix.Stat("/proc/self/exe", &want); err != nil {
		return nil, err
	}
	// open_tree clones mounts of this mount namespace only: go by the
	// path, and check that it still names this binary.
	path, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return nil, err
	}
	tree, err := unix.OpenTree(unix.AT_FDCWD, path, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
	if err != nil {
		return nil, err
	}
	defer unix.Close(tree)
	var got unix.Stat_t
	if err := unix.Fstat(tree, &got); err != nil {
		return nil, err
	}
	if got.Dev != want.Dev || got.Ino != want.Ino {
		return nil, fmt.Errorf("%s is no longer the running binary", path)
	}
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV}
	if err := unix.MountSetattr(tree, "", unix.AT_EMPTY_PATH, &attr); err != nil {
		return nil, err
	}
	fd, err := unix.Open(fdPath(tree), unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), path), nil
}

// sealedCopy copies the running binary into a memfd sealed against any
// change.
func sealedCopy() (*os.File, error) {
	const seals = unix.F_SEAL_SEAL | unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE
	fd, err := unix.MemfdCreate("burrow", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING|unix.MFD_EXEC)
	if errors.Is(err, unix.EINVAL) { // before Linux 6.3, no MFD_EXEC
		fd, err = unix.MemfdCreate("burrow", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	}
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "burrow (sealed copy)")
	src, err := os.Open("/proc/self/exe")
	if err == nil {
		_, err = io.Copy(f, src)
		src.Close()
	}
	if err == nil {
		_, err = unix.FcntlInt(f.Fd(), unix.F_ADD_SEALS, seals)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
