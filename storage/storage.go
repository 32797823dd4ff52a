package storage

import (
	"fmt"
	"os"

	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/homedir"
	"go.podman.io/storage/types"
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

// StoreInfo describes an open store, for `burrow info`.
type StoreInfo struct {
	GraphDriverName string            `json:"graphDriverName"`
	GraphRoot       string            `json:"graphRoot"`
	RunRoot         string            `json:"runRoot"`
	GraphOptions    []string          `json:"graphOptions,omitempty"`
	GraphStatus     map[string]string `json:"graphStatus,omitempty"`
	ImageCount      int               `json:"imageCount"`
	ContainerCount  int               `json:"containerCount"`
}

// Info reports the store's driver, locations and counts. Counts that
// cannot be read are reported as -1.
func Info(s cstorage.Store) StoreInfo {
	info := StoreInfo{
		GraphDriverName: s.GraphDriverName(),
		GraphRoot:       s.GraphRoot(),
		RunRoot:         s.RunRoot(),
		GraphOptions:    s.GraphOptions(),
		ImageCount:      -1,
		ContainerCount:  -1,
	}
	if status, err := s.Status(); err == nil {
		info.GraphStatus = map[string]string{}
		for _, kv := range status {
			info.GraphStatus[kv[0]] = kv[1]
		}
	}
	if imgs, err := s.Images(); err == nil {
		info.ImageCount = len(imgs)
	}
	if ctrs, err := s.Containers(); err == nil {
		info.ContainerCount = len(ctrs)
	}
	return info
}
