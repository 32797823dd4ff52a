package slirp

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	rkslirp "github.com/rootless-containers/rootlesskit/v3/pkg/network/slirp4netns"
	"golang.org/x/sys/unix"
)

// featuresFile holds, in a cache directory, what the installed
// slirp4netns can do, and which binary (and kernel) that was found for.
const featuresFile = "slirp4netns-features.json"

type cachedFeatures struct {
	Key      string           `json:"key"`
	Features rkslirp.Features `json:"features"`
}

// detectFeatures is rootlesskit's probe of the slirp4netns at bin, which
// runs `slirp4netns --help`: a process on the path of every start, so the
// answer is kept in cacheDir, for as long as the same binary is installed
// (its inode, size and times) under the same kernel.
func detectFeatures(bin, cacheDir string) (*rkslirp.Features, error) {
	key, ok := binaryKey(bin)
	path := filepath.Join(cacheDir, featuresFile)
	if ok && cacheDir != "" {
		var c cachedFeatures
		if b, err := os.ReadFile(path); err == nil && json.Unmarshal(b, &c) == nil && c.Key == key {
			return &c.Features, nil
		}
	}
	f, err := rkslirp.DetectFeatures(bin)
	if err != nil || !ok || cacheDir == "" {
		return f, err
	}
	if b, err := json.Marshal(cachedFeatures{Key: key, Features: *f}); err == nil && os.MkdirAll(cacheDir, 0o700) == nil {
		// Atomically: another start may read it meanwhile.
		tmp := fmt.Sprintf("%s.%d", path, os.Getpid())
		if os.WriteFile(tmp, b, 0o600) == nil && os.Rename(tmp, path) != nil {
			os.Remove(tmp)
		}
	}
	return f, nil
}

// binaryKey identifies the file at bin and the running kernel.
func binaryKey(bin string) (string, bool) {
	var st syscall.Stat_t
	var u unix.Utsname
	if syscall.Stat(bin, &st) != nil || unix.Uname(&u) != nil {
		return "", false
	}
	return fmt.Sprintf("%s %d:%d %d %d.%d %d.%d %s", bin, st.Dev, st.Ino, st.Size, st.Mtim.Sec, st.Mtim.Nsec,
		st.Ctim.Sec, st.Ctim.Nsec, unix.ByteSliceToString(u.Release[:])), true
}
