package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"github.com/moby/sys/user"
	"golang.org/x/sys/unix"
)

// maxUserFile bounds what is read of a container's /etc/passwd or
// /etc/group: far above any real one, far below what would hurt the CLI.
const maxUserFile = 8 << 20

// LookupUser resolves a user spec (NAME, UID, NAME:GROUP, UID:GID, ...)
// with the /etc/passwd and /etc/group under root: a layer's directory, or
// /proc/PID/root of a running container. Both files are opened inside root
// (openat2 RESOLVE_IN_ROOT), so a link the container placed cannot lead to
// a host file, even one swapped in while this looks; a FIFO, a device or a
// huge file is refused rather than read.
func LookupUser(root, spec string) (*user.ExecUser, error) {
	dir, err := os.OpenFile(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening the container's root: %w", err)
	}
	defer dir.Close()
	passwd, err := readInRoot(dir, "/etc/passwd")
	if err != nil {
		return nil, err
	}
	group, err := readInRoot(dir, "/etc/group")
	if err != nil {
		return nil, err
	}
	return user.GetExecUser(spec, &user.ExecUser{Home: "/"}, passwd, group)
}

// UserNames maps the UIDs of the users in /etc/passwd under root (as
// LookupUser opens it) to their names; empty when there is none.
func UserNames(root string) map[int]string {
	out := map[int]string{}
	dir, err := os.OpenFile(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return out
	}
	defer dir.Close()
	passwd, err := readInRoot(dir, "/etc/passwd")
	if err != nil || passwd == nil {
		return out
	}
	users, _ := user.ParsePasswd(passwd)
	for _, u := range users {
		if _, ok := out[u.Uid]; !ok {
			out[u.Uid] = u.Name
		}
	}
	return out
}

// readInRoot reads the regular file at name inside root; a missing file is
// a nil reader, as user.GetExecUser takes it.
func readInRoot(root *os.File, name string) (io.Reader, error) {
	handle, err := pathrs.OpenatInRoot(root, name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("opening %s in the container: %w", name, err)
	}
	defer handle.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(handle.Fd()), &st); err != nil {
		return nil, fmt.Errorf("%s in the container: %w", name, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, fmt.Errorf("%s in the container is not a regular file", name)
	}
	// The handle is O_PATH: opening the file for reading happens only now
	// that it is known to be a regular file (no FIFO to block on), through
	// the handle's own magic link. The /proc it goes through is burrow's,
	// where no container mounts anything: pathrs.Reopen's private procfs,
	// against a /proc a container prepared, would cost a new procfs
	// mount at every look-up.
	f, err := os.OpenFile(fdPath(int(handle.Fd())), unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening %s in the container: %w", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxUserFile+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s in the container: %w", name, err)
	}
	if len(b) > maxUserFile {
		return nil, fmt.Errorf("%s in the container is larger than %d MiB", name, maxUserFile>>20)
	}
	return bytes.NewReader(b), nil
}

// LookupGroups resolves supplementary groups (GIDs, or names of the
// /etc/group under root, opened as LookupUser opens it) to GIDs.
func LookupGroups(root string, groups []string) ([]int, error) {
	dir, err := os.OpenFile(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening the container's root: %w", err)
	}
	defer dir.Close()
	group, err := readInRoot(dir, "/etc/group")
	if err != nil {
		return nil, err
	}
	return user.GetAdditionalGroups(groups, group)
}
