package build

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"syscall"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/sys/user"

	"github.com/burrow-containers/burrow/errdefs"
)

// ResolveChown turns a --chown value ("user", "user:group", "uid:gid",
// "1000") into ids, looking names up in rootfs/etc/passwd and
// rootfs/etc/group (read without following a symlink out of rootfs). A user
// given without a group gets the user's primary group; a numeric uid that
// passwd does not know gets gid = uid, as docker has it. Numeric ids need no
// entry. Unknown names are invalid-input errors.
func ResolveChown(rootfs, spec string) (uid, gid int, err error) {
	userPart, groupPart, hasGroup := strings.Cut(spec, ":")
	if userPart == "" || (hasGroup && groupPart == "") {
		return 0, 0, errdefs.Invalid(fmt.Errorf("--chown=%s: expected USER[:GROUP], with names or numeric ids", spec))
	}

	users, err := readEtcFile(rootfs, "/etc/passwd", user.ParsePasswd)
	if err != nil {
		return 0, 0, fmt.Errorf("--chown=%s: %w", spec, err)
	}
	primary := -1
	if n, ok, err := numericID(userPart); err != nil {
		return 0, 0, errdefs.Invalid(fmt.Errorf("--chown=%s: %w", spec, err))
	} else if ok {
		uid, primary = n, n
		for _, u := range users {
			if u.Uid == n {
				primary = u.Gid
				break
			}
		}
	} else {
		found := false
		for _, u := range users {
			if u.Name == userPart {
				uid, primary, found = u.Uid, u.Gid, true
				break
			}
		}
		if !found {
			return 0, 0, errdefs.Invalid(fmt.Errorf("--chown=%s: no such user in the image", spec))
		}
	}
	if !hasGroup {
		return uid, primary, nil
	}

	if n, ok, err := numericID(groupPart); err != nil {
		return 0, 0, errdefs.Invalid(fmt.Errorf("--chown=%s: %w", spec, err))
	} else if ok {
		return uid, n, nil
	}
	groups, err := readEtcFile(rootfs, "/etc/group", user.ParseGroup)
	if err != nil {
		return 0, 0, fmt.Errorf("--chown=%s: %w", spec, err)
	}
	for _, g := range groups {
		if g.Name == groupPart {
			return uid, g.Gid, nil
		}
	}
	return 0, 0, errdefs.Invalid(fmt.Errorf("--chown=%s: no such group in the image", spec))
}

// numericID reads an all-digit id; ok is false for a name.
func numericID(s string) (id int, ok bool, err error) {
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false, nil
		}
	}
	n, err := strconv.ParseUint(s, 10, 32)
	if err != nil || n == 1<<32-1 {
		return 0, false, fmt.Errorf("id %s is out of range", s)
	}
	return int(n), true, nil
}

// readEtcFile parses a file of the image, resolved inside rootfs; a
// missing file (a scratch image) has no entries.
func readEtcFile[T any](rootfs, name string, parse func(io.Reader) ([]T, error)) ([]T, error) {
	if rootfs == "" {
		return nil, nil
	}
	p, err := securejoin.SecureJoin(rootfs, name)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	f, err := openNoFollow(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) {
			return nil, nil
		}
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	defer f.Close()
	list, err := parse(f)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	return list, nil
}
