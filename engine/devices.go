package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/burrow-containers/burrow/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Device is a host device given to a container (--device, the Docker
// API's HostConfig.Devices; the JSON is Docker's and podman's inspect).
// burrow's user cannot make device nodes, so, as rootless podman does, the
// host's node is bind-mounted where the container wants it; the cgroup's
// device rules are not for an unprivileged user to write, and the node's
// own permissions on the host decide what the container may do with it.
type Device struct {
	PathOnHost        string `json:"PathOnHost"`
	PathInContainer   string `json:"PathInContainer"`
	CgroupPermissions string `json:"CgroupPermissions"`
}

// ParseDevice reads podman's HOST[:CONTAINER][:PERMISSIONS], permissions
// being some of r, w and m (default rwm).
func ParseDevice(s string) (Device, error) {
	parts := strings.Split(s, ":")
	d := Device{PathOnHost: parts[0], CgroupPermissions: "rwm"}
	switch {
	case len(parts) == 2 && isDevicePerms(parts[1]):
		d.CgroupPermissions = parts[1]
	case len(parts) == 2:
		d.PathInContainer = parts[1]
	case len(parts) == 3 && isDevicePerms(parts[2]):
		d.PathInContainer, d.CgroupPermissions = parts[1], parts[2]
	case len(parts) != 1:
		return Device{}, errdefs.Invalid(fmt.Errorf("invalid device specification %q: use HOST[:CONTAINER][:PERMISSIONS]", s))
	}
	if d.PathInContainer == "" {
		d.PathInContainer = d.PathOnHost
	}
	if !filepath.IsAbs(d.PathOnHost) || !filepath.IsAbs(d.PathInContainer) {
		return Device{}, errdefs.Invalid(fmt.Errorf("invalid device specification %q: the paths must be absolute", s))
	}
	return d, nil
}

func isDevicePerms(s string) bool {
	return s != "" && strings.Trim(s, "rwm") == ""
}

// deviceMounts are the bind mounts of c's devices: a device node as
// itself, a directory as every device node under it (podman's
// --device /dev/dri). A path that is no device is refused.
func deviceMounts(c *Config) ([]specs.Mount, error) {
	var out []specs.Mount
	for _, d := range c.Devices {
		nodes, err := deviceNodes(d.PathOnHost)
		if err != nil {
			return nil, err
		}
		perm := "ro"
		if strings.Contains(d.CgroupPermissions, "w") {
			perm = "rw"
		}
		for _, n := range nodes {
			rel, _ := filepath.Rel(d.PathOnHost, n)
			out = append(out, specs.Mount{Destination: filepath.Join(d.PathInContainer, rel), Type: "bind", Source: n,
				Options: []string{"bind", "nosuid", "noexec", perm}})
		}
	}
	return out, nil
}

// deviceNodes are the character and block devices at path: itself, or
// those under a directory.
func deviceNodes(path string) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, errdefs.NotFound(fmt.Errorf("stat %s: %w", path, err))
	}
	if isDeviceNode(fi.Mode()) {
		return []string{path}, nil
	}
	if !fi.IsDir() {
		return nil, errdefs.Invalid(fmt.Errorf("%s is not a device: give a character or block device, or a directory of them", path))
	}
	var nodes []string
	err = filepath.WalkDir(path, func(p string, de fs.DirEntry, err error) error {
		if err != nil {
			return nil // a subdirectory we may not read holds nothing we can give
		}
		if isDeviceNode(de.Type()) {
			nodes = append(nodes, p)
		}
		return nil
	})
	if err == nil && len(nodes) == 0 {
		err = errdefs.Invalid(fmt.Errorf("%s holds no device", path))
	}
	return nodes, err
}

func isDeviceNode(m fs.FileMode) bool { return m&fs.ModeDevice != 0 }
