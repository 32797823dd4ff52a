package sandbox

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"
)

// FilterCache is a directory of compiled seccomp programs ("": none).
// libseccomp takes tens of milliseconds to compile podman's default
// profile, the same one at nearly every start and exec; the program is
// kept under a digest of the profile, libseccomp's version and this
// binary, so that a change of any of them compiles anew. The directory
// is the user's own (the engine's run directory, gone at a reboot).
type FilterCache string

// compile is s's program, from the cache when it holds it; a program
// compiled is stored for the next start, and a cache that cannot be read
// or written is only slower.
func (c FilterCache) compile(s *specs.LinuxSeccomp) ([]byte, error) {
	if s == nil || c == "" {
		return compileSeccomp(s)
	}
	key, err := filterKey(s)
	if err != nil {
		return compileSeccomp(s)
	}
	path := filepath.Join(string(c), key+".bpf")
	if b, err := readOwn(path); err == nil && validBPF(b) {
		return b, nil
	}
	b, err := compileSeccomp(s)
	if err == nil {
		c.store(path, b)
	}
	return b, err
}

// readOwn reads a program only from a regular file, not a link, that this
// user owns and nobody else may write, in a directory the same holds for:
// the run directory may sit under /tmp, and a program planted there by
// another user would be every container's seccomp filter.
func readOwn(path string) ([]byte, error) {
	var st unix.Stat_t
	if err := unix.Lstat(filepath.Dir(path), &st); err != nil {
		return nil, err
	}
	if !ownAndPrivate(&st, unix.S_IFDIR) {
		return nil, fmt.Errorf("%s: not a directory of this user's alone", filepath.Dir(path))
	}
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return nil, err
	}
	if !ownAndPrivate(&st, unix.S_IFREG) {
		return nil, fmt.Errorf("%s: not a file of this user's alone", path)
	}
	return io.ReadAll(f)
}

// ownAndPrivate tells whether st is of type kind, owned by this user and
// writable by nobody else.
func ownAndPrivate(st *unix.Stat_t, kind uint32) bool {
	return st.Mode&unix.S_IFMT == kind && int(st.Uid) == os.Geteuid() && st.Mode&0o022 == 0
}

// store writes a program whole (a temporary file renamed), so that a
// reader never sees half of one.
func (c FilterCache) store(path string, b []byte) {
	if err := os.MkdirAll(string(c), 0o700); err != nil {
		return
	}
	f, err := os.CreateTemp(string(c), ".tmp-*")
	if err != nil {
		return
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
}

// filterKey names s's program: a digest of the profile, the library that
// compiles it and the binary that translates it for the library.
func filterKey(s *specs.LinuxSeccomp) (string, error) {
	profile, err := json.Marshal(s)
	if err != nil {
		return "", err
	}
	exe, err := os.Stat("/proc/self/exe")
	if err != nil {
		return "", err
	}
	major, minor, micro := libseccomp.GetLibraryVersion()
	h := sha256.New()
	fmt.Fprintf(h, "libseccomp %d.%d.%d\nbinary %d %d\n", major, minor, micro, exe.Size(), exe.ModTime().UnixNano())
	h.Write(profile)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// validBPF: a whole number of struct sock_filter (8 bytes each), not empty.
func validBPF(b []byte) bool { return len(b) > 0 && len(b)%8 == 0 }
