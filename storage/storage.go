package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/homedir"
	"go.podman.io/storage/types"
	"golang.org/x/sys/unix"
)

// DefaultOptions returns the store options podman would use for this user:
// the built-in rootless defaults overlaid with storage.conf and the
// STORAGE_DRIVER environment variable.
func DefaultOptions() (types.StoreOptions, error) {
	opts, err := types.DefaultStoreOptions()
	if err != nil {
		return types.StoreOptions{}, fmt.Errorf("reading storage configuration (storage.conf): %w", err)
	}
	return opts, nil
}

// Options returns the options of the user's store, without opening it:
// enough to know the graph and run roots.
//
// When XDG_RUNTIME_DIR is unset (a CI job, `su`, a cron job), Options sets
// it to the runtime directory containers/storage picked, so that the run
// root and containers/image's per-session auth.json agree on one place owned
// by the user instead of /run/containers/0, which belongs to the host's root.
func Options() (types.StoreOptions, error) {
	if os.Getenv("XDG_RUNTIME_DIR") == "" {
		if dir, err := homedir.GetRuntimeDir(); err == nil {
			os.Setenv("XDG_RUNTIME_DIR", dir)
		}
	}
	return DefaultOptions()
}

// OpenWith opens (creating when needed) the user's store with opts (from
// Options). The caller must be inside burrow's user namespace and must
// call Shutdown on the result.
func OpenWith(opts types.StoreOptions) (cstorage.Store, error) {
	s, err := cstorage.GetStore(opts)
	if err != nil {
		return nil, fmt.Errorf("opening storage at %s: %w", opts.GraphRoot, err)
	}
	return s, nil
}

// StoreInfo describes an open store, for `burrow info`: podman's fields.
type StoreInfo struct {
	ConfigFile      string `json:"configFile"`
	GraphDriverName string `json:"graphDriverName"`
	// GraphOptions are the driver's options, "overlay.mount_program" ->
	// "/usr/bin/fuse-overlayfs".
	GraphOptions       map[string]any    `json:"graphOptions"`
	GraphRoot          string            `json:"graphRoot"`
	GraphRootAllocated uint64            `json:"graphRootAllocated"`
	GraphRootUsed      uint64            `json:"graphRootUsed"`
	GraphStatus        map[string]string `json:"graphStatus"`
	ImageCopyTmpDir    string            `json:"imageCopyTmpDir"`
	ImageStore         struct {
		Number int `json:"number"`
	} `json:"imageStore"`
	RunRoot string `json:"runRoot"`
}

// Info reports the store's driver, locations and counts. Counts that
// cannot be read are reported as -1.
func Info(s cstorage.Store) StoreInfo {
	info := StoreInfo{
		ConfigFile:      configFile(),
		GraphDriverName: s.GraphDriverName(),
		GraphOptions:    map[string]any{},
		GraphRoot:       s.GraphRoot(),
		GraphStatus:     map[string]string{},
		ImageCopyTmpDir: "/var/tmp",
		RunRoot:         s.RunRoot(),
	}
	info.ImageStore.Number = -1
	if d := os.Getenv("TMPDIR"); d != "" {
		info.ImageCopyTmpDir = d
	}
	for _, o := range s.GraphOptions() {
		k, v, _ := strings.Cut(o, "=")
		info.GraphOptions[k] = v
	}
	var st unix.Statfs_t
	if unix.Statfs(info.GraphRoot, &st) == nil {
		info.GraphRootAllocated = st.Blocks * uint64(st.Bsize)
		info.GraphRootUsed = (st.Blocks - st.Bfree) * uint64(st.Bsize)
	}
	if status, err := s.Status(); err == nil {
		for _, kv := range status {
			info.GraphStatus[kv[0]] = kv[1]
		}
	}
	if imgs, err := s.Images(); err == nil {
		info.ImageStore.Number = len(imgs)
	}
	return info
}

// configFile is the storage.conf that applies to the user, as podman
// reports it: $CONTAINERS_STORAGE_CONF, else the user's own (which may not
// exist) for a rootless user, else the system's.
func configFile() string {
	if f := os.Getenv("CONTAINERS_STORAGE_CONF"); f != "" {
		return f
	}
	if os.Geteuid() != 0 || os.Getenv("_CONTAINERS_ROOTLESS_UID") != "" {
		if dir, err := homedir.GetConfigHome(); err == nil {
			return filepath.Join(dir, "containers", "storage.conf")
		}
	}
	return "/etc/containers/storage.conf"
}
