package engine

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/burrow-containers/burrow/errdefs"
)

// RuntimeName is the OCI runtime burrow reports (info, inspect): its own,
// the init role of its binary (docs/roles.md).
const RuntimeName = "burrow"

// CheckRuntime accepts a --runtime that names burrow's own runtime: its
// name, or a path to this very binary (a copy of it too, as podman's
// tests make), which runs the container the same. Another runtime (runc,
// crun) cannot run burrow's containers: it is refused with the reason.
func CheckRuntime(runtime string) error {
	if runtime == "" || runtime == RuntimeName {
		return nil
	}
	refuse := func(why string) error {
		return errdefs.Invalid(fmt.Errorf("--runtime %s: %s: burrow runs containers with its own runtime (the burrow binary); leave --runtime out", runtime, why))
	}
	if !filepath.IsAbs(runtime) {
		return refuse("not burrow's runtime")
	}
	same, err := sameContent(runtime, "/proc/self/exe")
	if err != nil {
		return refuse(err.Error())
	}
	if !same {
		return refuse("not a copy of this burrow binary")
	}
	return nil
}

// sameContent tells whether two files hold the same bytes.
func sameContent(a, b string) (bool, error) {
	sum := func(p string) ([]byte, int64, error) {
		f, err := os.Open(p)
		if err != nil {
			return nil, 0, err
		}
		defer f.Close()
		h := sha256.New()
		n, err := io.Copy(h, f)
		return h.Sum(nil), n, err
	}
	ha, na, err := sum(a)
	if err != nil {
		return false, err
	}
	hb, nb, err := sum(b)
	if err != nil {
		return false, err
	}
	return na == nb && bytes.Equal(ha, hb), nil
}
