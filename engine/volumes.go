package engine

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	securejoin "github.com/cyphar/filepath-securejoin"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.podman.io/storage/pkg/archive"
	"go.podman.io/storage/pkg/chrootarchive"

	"github.com/burrow-containers/burrow/errdefs"
)

// MountSpec is a mount the user asked for (-v, --mount, --tmpfs,
// --volumes-from, or an image's VOLUME).
type MountSpec struct {
	Type        string   `json:"type"`             // bind, volume or tmpfs
	Source      string   `json:"source,omitempty"` // host path (bind) or volume name
	Destination string   `json:"destination"`
	Options     []string `json:"options,omitempty"` // ro, nosuid, nodev, noexec, size=...
	Chown       bool     `json:"chown,omitempty"`   // :U
	Anonymous   bool     `json:"anonymous,omitempty"`
}

// ReadOnly tells whether the mount is read-only.
func (m MountSpec) ReadOnly() bool {
	for _, o := range m.Options {
		if o == "ro" {
			return true
		}
	}
	return false
}

// Volume is a named volume: a directory under the store that outlives the
// containers that use it.
type Volume struct {
	Name       string            `json:"Name"`
	Driver     string            `json:"Driver"`
	Mountpoint string            `json:"Mountpoint"`
	CreatedAt  time.Time         `json:"CreatedAt"`
	Labels     map[string]string `json:"Labels"`
	Anonymous  bool              `json:"Anonymous"`
	// Filled marks a volume already filled from an image, as podman's
	// NeedsCopyUp false.
	Filled bool `json:"-"`
}

// The volumes live where podman keeps its own: <graph root>/volumes/NAME/_data.
// VolumePath is where volumes are kept.
func (e *Engine) VolumePath() string { return e.volumesDir() }

func (e *Engine) volumesDir() string {
	if e.settings.VolumePath != "" {
		return e.settings.VolumePath
	}
	return filepath.Join(e.opts.GraphRoot, "volumes")
}

func (e *Engine) volumeMeta(name string) string {
	return filepath.Join(e.volumesDir(), name, "burrow-volume.json")
}

func validVolumeName(n string) bool { return validName(n) && len(n) <= 255 }

// ParseVolume reads a -v: HOST:CTR[:OPTS], NAME:CTR[:OPTS] or CTR (an
// anonymous volume). A HOST path is absolute, or relative starting with
// "." (made absolute against the working directory, as podman does).
func ParseVolume(s string) (MountSpec, error) {
	bad := func(why string) (MountSpec, error) {
		return MountSpec{}, errdefs.Invalid(fmt.Errorf("invalid -v %q: %s (use HOST-DIR:CONTAINER-DIR[:ro], VOLUME:CONTAINER-DIR or CONTAINER-DIR)", s, why))
	}
	parts := strings.Split(s, ":")
	var m MountSpec
	switch len(parts) {
	case 1:
		m = MountSpec{Type: "volume", Destination: parts[0], Anonymous: true}
	case 2, 3:
		m = MountSpec{Source: parts[0], Destination: parts[1]}
		if len(parts) == 3 {
			for _, o := range strings.Split(parts[2], ",") {
				switch o {
				case "ro", "rw", "nosuid", "nodev", "noexec", "suid", "dev", "exec":
					m.Options = append(m.Options, o)
				case "z", "Z":
					// SELinux relabelling: nothing to do without SELinux.
				case "U":
					m.Chown = true
				case "O":
					return bad("overlay volumes (:O) are not supported")
				case "":
				default:
					return bad("unknown option " + o)
				}
			}
		}
		switch {
		case strings.HasPrefix(m.Source, "/"):
			m.Type = "bind"
		case strings.HasPrefix(m.Source, "."):
			abs, err := filepath.Abs(m.Source)
			if err != nil {
				return bad(err.Error())
			}
			m.Type, m.Source = "bind", abs
		default:
			if !validVolumeName(m.Source) {
				return bad("a volume name is letters, digits and _.-; a host path starts with / or .")
			}
			m.Type = "volume"
		}
	default:
		return bad("too many colons")
	}
	if !filepath.IsAbs(m.Destination) {
		return bad("the container path must be absolute")
	}
	m.Destination = filepath.Clean(m.Destination)
	return m, nil
}

// ParseMount reads a --mount: type=bind|volume|tmpfs,source=,target=,...
func ParseMount(s string) (MountSpec, error) {
	bad := func(why string) (MountSpec, error) {
		return MountSpec{}, errdefs.Invalid(fmt.Errorf("invalid --mount %q: %s", s, why))
	}
	m := MountSpec{Type: "volume"}
	for _, kv := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "type":
			m.Type = v
		case "source", "src":
			m.Source = v
		case "target", "dst", "destination":
			m.Destination = v
		case "readonly", "ro":
			if v == "" || v == "true" || v == "1" {
				m.Options = append(m.Options, "ro")
			}
		case "tmpfs-size":
			m.Options = append(m.Options, "size="+v)
		case "tmpfs-mode":
			m.Options = append(m.Options, "mode="+v)
		case "U", "chown":
			m.Chown = v == "" || v == "true"
		case "bind-propagation", "z", "Z", "relabel":
		default:
			return bad("unknown option " + k)
		}
	}
	switch m.Type {
	case "bind":
		if m.Source == "" {
			return bad("a bind mount needs source=")
		}
		if !filepath.IsAbs(m.Source) {
			abs, err := filepath.Abs(m.Source)
			if err != nil {
				return bad(err.Error())
			}
			m.Source = abs
		}
	case "volume":
		if m.Source == "" {
			m.Anonymous = true
		} else if !validVolumeName(m.Source) {
			return bad("invalid volume name " + m.Source)
		}
	case "tmpfs":
	default:
		return bad("type must be bind, volume or tmpfs")
	}
	if !filepath.IsAbs(m.Destination) {
		return bad("target= must be an absolute container path")
	}
	m.Destination = filepath.Clean(m.Destination)
	return m, nil
}

// ParseTmpfs reads a --tmpfs PATH[:OPTS].
func ParseTmpfs(s string) (MountSpec, error) {
	dst, opts, _ := strings.Cut(s, ":")
	if !filepath.IsAbs(dst) {
		return MountSpec{}, errdefs.Invalid(fmt.Errorf("invalid --tmpfs %q: the path must be absolute", s))
	}
	m := MountSpec{Type: "tmpfs", Destination: filepath.Clean(dst)}
	if opts != "" {
		m.Options = strings.Split(opts, ",")
	}
	return m, nil
}

// CreateVolume makes a named volume; an existing one is an error (Conflict)
// unless ignoreExisting.
func (e *Engine) CreateVolume(name string, labels map[string]string, ignoreExisting bool) (*Volume, error) {
	anonymous := name == ""
	if anonymous {
		b := make([]byte, 32)
		rand.Read(b)
		name = hex.EncodeToString(b)
	}
	if !validVolumeName(name) {
		return nil, errdefs.Invalid(fmt.Errorf("invalid volume name %q: use letters, digits and _.-", name))
	}
	if v, err := e.GetVolume(name); err == nil {
		if ignoreExisting {
			return v, nil
		}
		return nil, errdefs.Conflict(fmt.Errorf("volume %q already exists: remove it first (burrow volume rm %s) or pick another name", name, name))
	}
	v := &Volume{Name: name, Driver: "local", Mountpoint: filepath.Join(e.volumesDir(), name, "_data"),
		CreatedAt: time.Now(), Labels: labels, Anonymous: anonymous}
	if v.Labels == nil {
		v.Labels = map[string]string{}
	}
	if err := os.MkdirAll(v.Mountpoint, 0o755); err != nil {
		return nil, fmt.Errorf("creating volume %s: %w", name, err)
	}
	if err := writeJSON(e.volumeMeta(name), v); err != nil {
		os.RemoveAll(filepath.Join(e.volumesDir(), name))
		return nil, err
	}
	return v, nil
}

// GetVolume finds a volume by name (also one podman made in this store).
func (e *Engine) GetVolume(name string) (*Volume, error) {
	if !validVolumeName(name) {
		return nil, errdefs.Invalid(fmt.Errorf("invalid volume name %q", name))
	}
	dir := filepath.Join(e.volumesDir(), name)
	st, err := os.Stat(filepath.Join(dir, "_data"))
	if err != nil || !st.IsDir() {
		return nil, errdefs.NotFound(fmt.Errorf("no volume %q: create it with burrow volume create %s", name, name))
	}
	v := &Volume{Name: name, Driver: "local", Mountpoint: filepath.Join(dir, "_data"), CreatedAt: st.ModTime(), Labels: map[string]string{}}
	if b, err := os.ReadFile(e.volumeMeta(name)); err == nil {
		json.Unmarshal(b, v)
	}
	return v, nil
}

// Volumes lists the volumes, by name.
func (e *Engine) Volumes() ([]*Volume, error) {
	ents, err := os.ReadDir(e.volumesDir())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var out []*Volume
	for _, ent := range ents {
		if v, err := e.GetVolume(ent.Name()); err == nil {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// VolumeUsers are the containers whose mounts name the volume.
func (e *Engine) VolumeUsers(name string) []string {
	recs, _ := e.records()
	var users []string
	for _, r := range recs {
		for _, m := range r.Config.Mounts {
			if m.Type == "volume" && m.Source == name {
				users = append(users, r.Name)
				break
			}
		}
	}
	return users
}

// RemoveVolume deletes a volume and its data; one a container uses is
// refused unless force, which removes those containers first.
func (e *Engine) RemoveVolume(name string, force bool, removeCtr func(name string) error) error {
	if _, err := e.GetVolume(name); err != nil {
		return err
	}
	if users := e.VolumeUsers(name); len(users) > 0 {
		if !force {
			return errdefs.Conflict(fmt.Errorf("volume %s is used by container %s: remove the container first or use volume rm -f", name, strings.Join(users, ", ")))
		}
		for _, u := range users {
			if err := removeCtr(u); err != nil {
				return err
			}
		}
	}
	if err := os.RemoveAll(filepath.Join(e.volumesDir(), name)); err != nil {
		return fmt.Errorf("removing volume %s: %w (files of subordinate IDs: burrow unshare rm -rf ...)", name, err)
	}
	return nil
}

// PruneVolumes removes every volume no container uses.
func (e *Engine) PruneVolumes() ([]string, error) {
	vols, err := e.Volumes()
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, v := range vols {
		if len(e.VolumeUsers(v.Name)) > 0 {
			continue
		}
		if err := e.RemoveVolume(v.Name, false, nil); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, v.Name)
	}
	return removed, errors.Join(errs...)
}

// resolveMounts turns the container's mount requests into OCI mounts:
// volumes created (and, when new, filled from the image's content at the
// mount point), bind sources checked. It records anonymous volumes' names
// in c.Mounts.
func (e *Engine) resolveMounts(ctr *Container, rootfs string, img []string) ([]specs.Mount, error) {
	c := &ctr.Config
	// Image VOLUMEs that the user did not cover become anonymous volumes.
	covered := map[string]bool{}
	for _, m := range c.Mounts {
		covered[m.Destination] = true
	}
	for _, d := range img {
		d = filepath.Clean(d)
		if !covered[d] {
			c.Mounts = append(c.Mounts, MountSpec{Type: "volume", Destination: d, Anonymous: true})
			covered[d] = true
		}
	}
	var out []specs.Mount
	for i := range c.Mounts {
		m := &c.Mounts[i]
		opts := append([]string{"rbind"}, m.Options...)
		switch m.Type {
		case "tmpfs":
			out = append(out, specs.Mount{Destination: m.Destination, Type: "tmpfs", Source: "tmpfs",
				Options: append([]string{"nosuid", "nodev"}, m.Options...)})
			continue
		case "bind":
			if _, err := os.Stat(m.Source); err != nil {
				return nil, errdefs.NotFound(fmt.Errorf("bind mount of %s: %w: create it first", m.Source, errors.Unwrap(err)))
			}
			if m.Chown {
				if err := chownTree(m.Source, ctr.Spec); err != nil {
					return nil, err
				}
			}
		case "volume":
			fresh := false
			if m.Anonymous && m.Source == "" {
				v, err := e.CreateVolume("", nil, false)
				if err != nil {
					return nil, err
				}
				m.Source, fresh = v.Name, true
			}
			v, err := e.GetVolume(m.Source)
			if errdefs.Is(err, errdefs.ClassNotFound) {
				if v, err = e.CreateVolume(m.Source, nil, false); err == nil {
					fresh = true
				}
			}
			if err != nil {
				return nil, err
			}
			if fresh && ctr.idmaps != nil {
				// A new volume belongs to the container's root, as the
				// image's files do.
				u, g, err := specIDs(ctr.Spec, 0, 0)
				if err == nil {
					err = os.Lchown(v.Mountpoint, u, g)
				}
				if err != nil {
					return nil, fmt.Errorf("handing volume %s to the container's root: %w", v.Name, err)
				}
			}
			if fresh && rootfs != "" {
				if err := fillVolume(rootfs, m.Destination, v.Mountpoint); err != nil {
					return nil, fmt.Errorf("filling volume %s from the image: %w", v.Name, err)
				}
			}
			if m.Chown {
				if err := chownTree(v.Mountpoint, ctr.Spec); err != nil {
					return nil, err
				}
			}
			m.Source = v.Name
			out = append(out, specs.Mount{Destination: m.Destination, Type: "bind", Source: v.Mountpoint, Options: opts})
			continue
		}
		out = append(out, specs.Mount{Destination: m.Destination, Type: "bind", Source: m.Source, Options: opts})
	}
	return out, nil
}

// fillVolume copies the image's content at dest into a new volume, as
// podman does, reading it inside the root (links stay in it).
func fillVolume(rootfs, dest, volume string) error {
	src, err := securejoin.SecureJoin(rootfs, dest)
	if err != nil {
		return err
	}
	st, err := os.Stat(src)
	if err != nil || !st.IsDir() {
		return nil // nothing there to copy
	}
	rd, err := chrootarchive.Tar(src, &archive.TarOptions{}, rootfs)
	if err != nil {
		return err
	}
	defer rd.Close()
	return chrootarchive.Untar(rd, volume, &archive.TarOptions{})
}

// chownTree gives a volume to the container's user (:U), as podman does:
// to the IDs of burrow's namespace that the user is, through the
// container's own user namespace when it has one.
func chownTree(dir string, spec *specs.Spec) error {
	var cuid, cgid uint32
	if spec != nil && spec.Process != nil {
		cuid, cgid = spec.Process.User.UID, spec.Process.User.GID
	}
	uid, gid, err := specIDs(spec, cuid, cgid)
	if err != nil {
		return fmt.Errorf("chowning %s (:U): %w", dir, err)
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := os.Lchown(p, uid, gid); err != nil {
			return fmt.Errorf("chowning %s to %s:%s (:U): %w", p, strconv.Itoa(uid), strconv.Itoa(gid), err)
		}
		return nil
	})
}

// removeAnonymousVolumes deletes the anonymous volumes of a removed
// container (--rm, rm -v).
func (e *Engine) removeAnonymousVolumes(r *Record) {
	for _, m := range r.Config.Mounts {
		if m.Type == "volume" && m.Anonymous && m.Source != "" && len(e.VolumeUsers(m.Source)) == 0 {
			os.RemoveAll(filepath.Join(e.volumesDir(), m.Source))
		}
	}
}

// addVolumesFrom copies the volume and bind mounts of the containers
// --volumes-from names (CTR[:ro|rw]).
func (e *Engine) addVolumesFrom(c *Config) error {
	for _, vf := range c.VolumesFrom {
		name, mode, _ := strings.Cut(vf, ":")
		if mode != "" && mode != "ro" && mode != "rw" {
			return errdefs.Invalid(fmt.Errorf("invalid --volumes-from %q: use CONTAINER[:ro|rw]", vf))
		}
		other, err := e.Get(name)
		if err != nil {
			return fmt.Errorf("--volumes-from %s: %w", name, err)
		}
		for _, m := range other.Config.Mounts {
			if m.Type == "tmpfs" {
				continue
			}
			m.Anonymous = false // the other container's
			m.Chown = false
			if mode == "ro" && !m.ReadOnly() {
				m.Options = append(m.Options, "ro")
			}
			c.Mounts = append(c.Mounts, m)
		}
	}
	return nil
}
