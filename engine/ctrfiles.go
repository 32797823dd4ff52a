package engine

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	securejoin "github.com/cyphar/filepath-securejoin"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
)

// The files podman puts into every container besides the image's, and
// burrow likewise: /run/.containerenv, /etc/localtime (--tz), /etc/mtab,
// and accounts added to /etc/passwd and /etc/group (--userns=keep-id,
// --hostuser).

// Version is burrow's version, for /run/.containerenv (set by the CLI).
var Version = "unknown"

// containerEnv is /run/.containerenv: empty, as podman's, unless the
// container is privileged; then it says what runs it. Its engine line has
// podman's shape, "podman-...", for the scripts that tell podman's
// containers so.
func (ctr *Container) containerEnv() string {
	if !ctr.Config.Privileged {
		return ""
	}
	return fmt.Sprintf("engine=\"podman-compatible burrow-%s\"\nname=%q\nid=%q\nimage=%q\nimageid=%q\nrootless=1\n",
		Version, ctr.Name, ctr.ID, ctr.Image, ctr.ImageID)
}

// timezoneFile copies the zone --tz names (local: the host's own) into
// the container's directory for a bind mount on /etc/localtime, as
// podman 4 does; it returns the copy's path.
func (ctr *Container) timezoneFile(dir string) (string, error) {
	tz := ctr.Config.Timezone
	zone := "/etc/localtime"
	if tz != "local" {
		if _, err := time.LoadLocation(tz); err != nil || strings.Contains(tz, "..") {
			return "", errdefs.Invalid(fmt.Errorf("finding timezone for container %s: unknown time zone %s: use a name of /usr/share/zoneinfo, such as Europe/Paris, or local", ctr.ID, tz))
		}
		zone = filepath.Join("/usr/share/zoneinfo", tz)
	}
	src, err := os.Open(zone)
	if err != nil {
		return "", errdefs.Invalid(fmt.Errorf("finding timezone for container %s: %w", ctr.ID, err))
	}
	defer src.Close()
	if st, err := src.Stat(); err != nil || !st.Mode().IsRegular() {
		return "", errdefs.Invalid(fmt.Errorf("finding timezone for container %s: %s is not a zone file", ctr.ID, zone))
	}
	p := filepath.Join(dir, "localtime")
	dst, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return "", err
	}
	_, err = io.Copy(dst, src)
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("copying the time zone for the container: %w", err)
	}
	return p, nil
}

// ensureMtab makes /etc/mtab a link to /proc/mounts when the image has
// none, as podman does (mount, df read it). It reports whether it made
// one.
func ensureMtab(rootfs string) bool {
	etc, err := securejoin.SecureJoin(rootfs, "/etc")
	if err != nil {
		return false
	}
	fd, err := unix.Open(etc, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if unix.Fstatat(fd, "mtab", &st, unix.AT_SYMLINK_NOFOLLOW) == nil {
		return false
	}
	return unix.Symlinkat("/proc/mounts", fd, "mtab") == nil
}

// accountFiles adds accounts to a container's /etc/passwd and /etc/group
// as podman does: in place in the container's own layer, or, for a
// --rootfs container (the user's directory, not burrow's to change), in
// copies bound over them.
type accountFiles struct {
	rootfs  string
	inPlace bool
	dir     string // where the copies go
	mounts  []specs.Mount
}

// find returns the fields of the first entry of file that match, nil
// when none does.
func (a *accountFiles) find(file string, match func(fields []string) bool) ([]string, error) {
	b, err := a.read(file)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if f := strings.Split(sc.Text(), ":"); match(f) {
			return f, nil
		}
	}
	return nil, nil
}

// read reads file of the container, resolved inside its root; a file
// that is not a regular one (a FIFO would block) is an error, a missing
// one empty.
func (a *accountFiles) read(file string) ([]byte, error) {
	f, err := a.open(file, unix.O_RDONLY)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// open opens file inside the root, never following a link out of it.
func (a *accountFiles) open(file string, flags int) (*os.File, error) {
	p, err := securejoin.SecureJoin(a.rootfs, file)
	if err != nil {
		return nil, err
	}
	fd, err := unix.Open(p, flags|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: file, Err: err}
	}
	f := os.NewFile(uintptr(fd), file)
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("the container's %s is not a regular file", file)
	}
	return f, nil
}

// add appends line to file.
func (a *accountFiles) add(file, line string) error {
	if a.inPlace {
		f, err := a.open(file, unix.O_WRONLY|unix.O_APPEND)
		if errors.Is(err, os.ErrNotExist) {
			return nil // no such file: nothing reads accounts there
		}
		if err != nil {
			return err
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil && st.Size() > 0 {
			var last [1]byte
			if _, err := f.ReadAt(last[:], st.Size()-1); err == nil && last[0] != '\n' {
				line = "\n" + line
			}
		}
		if _, err := f.WriteString(line); err != nil {
			return fmt.Errorf("adding to the container's %s: %w", file, err)
		}
		return nil
	}
	b, err := a.read(file)
	if err != nil {
		return err
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		b = append(b, '\n')
	}
	copyPath := filepath.Join(a.dir, filepath.Base(file))
	if err := os.MkdirAll(a.dir, 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(copyPath, append(b, line...), 0o644); err != nil {
		return fmt.Errorf("writing %s for the container: %w", file, err)
	}
	for _, m := range a.mounts {
		if m.Destination == file {
			return nil
		}
	}
	a.mounts = append(a.mounts, specs.Mount{Destination: file, Type: "bind", Source: copyPath, Options: []string{"bind", "nosuid", "nodev", "noexec"}})
	return nil
}

// hostUser adds the host's account name (or UID) to the container's
// /etc/passwd (--hostuser), unless the container has that user already.
func (a *accountFiles) hostUser(name string) error {
	u, err := user.Lookup(name)
	if err != nil {
		if u, err = user.LookupId(name); err != nil {
			return errdefs.WithClass(errdefs.ClassCannotInvoke, fmt.Errorf("--hostuser %s: no such user on the host: %w", name, err))
		}
	}
	have, err := a.find("/etc/passwd", func(f []string) bool { return len(f) > 2 && (f[0] == u.Username || f[2] == u.Uid) })
	if err != nil || have != nil {
		return err
	}
	return a.add("/etc/passwd", fmt.Sprintf("%s:x:%s:%s:%s:%s:/bin/sh\n", u.Username, u.Uid, u.Gid, u.Name, u.HomeDir))
}
