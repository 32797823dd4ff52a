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
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	securejoin "github.com/cyphar/filepath-securejoin"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.podman.io/storage/pkg/archive"
	"go.podman.io/storage/pkg/chrootarchive"
	"golang.org/x/sys/unix"

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
// containers that use it; with options, a bind of a host directory or a
// tmpfs instead. Its JSON is podman's volume inspect.
type Volume struct {
	Name       string            `json:"Name"`
	Driver     string            `json:"Driver"`
	Mountpoint string            `json:"Mountpoint"`
	CreatedAt  time.Time         `json:"CreatedAt"`
	Labels     map[string]string `json:"Labels"`
	Scope      string            `json:"Scope"`
	// Options are volume create -o's: type (bind or tmpfs), device (the
	// directory bound; tmpfs for a tmpfs), o (mount options), uid, gid.
	Options    map[string]string `json:"Options"`
	MountCount uint              `json:"MountCount"`
	// NeedsCopyUp: the image's content at the mount point is copied in
	// at the first mount where the image has some, as podman's.
	NeedsCopyUp bool `json:"NeedsCopyUp"`
	// NeedsChown: the first container to mount it gets it, owned as its
	// mount point in the image (or by its user), as podman's.
	NeedsChown bool `json:"NeedsChown"`
	Anonymous  bool `json:"Anonymous"`
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
		case "tmpcopyup", "notmpcopyup":
			m.Options = append(m.Options, k)
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
		if err := checkCopyUp(m.Options); err != nil {
			return bad(err.Error())
		}
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
	if err := checkCopyUp(m.Options); err != nil {
		return MountSpec{}, errdefs.Invalid(fmt.Errorf("invalid --tmpfs %q: %w", s, err))
	}
	return m, nil
}

// checkCopyUp refuses a tmpfs's tmpcopyup or notmpcopyup given twice, as
// podman does (with its words).
func checkCopyUp(opts []string) error {
	n := 0
	for _, o := range opts {
		if o == "tmpcopyup" || o == "notmpcopyup" {
			n++
		}
	}
	if n > 1 {
		return errors.New("the 'tmpcopyup' or 'notmpcopyup' option can only be set once: duplicate mount option passed")
	}
	return nil
}

// tmpfsOptions are the OCI options of a tmpfs the user asked for: it is
// given the root's content at its destination (tmpcopyup) unless
// notmpcopyup says not, as podman's, and neither reaches the kernel.
func tmpfsOptions(opts []string) []string {
	rest, copyUp := splitCopyUp(opts)
	out := append([]string{"nosuid", "nodev"}, rest...)
	if copyUp {
		out = append(out, "tmpcopyup")
	}
	return out
}

// splitCopyUp is a tmpfs's options without tmpcopyup and notmpcopyup,
// and whether it copies up: unless notmpcopyup says not.
func splitCopyUp(opts []string) (rest []string, copyUp bool) {
	copyUp = true
	for _, o := range opts {
		switch o {
		case "notmpcopyup":
			copyUp = false
		case "tmpcopyup":
		default:
			rest = append(rest, o)
		}
	}
	return rest, copyUp
}

// VolumeOptions are what volume create takes besides the name.
type VolumeOptions struct {
	Driver         string            // local ("" too); others are refused
	Labels         map[string]string // -l
	Options        map[string]string // -o: type, device, o, uid, gid
	IgnoreExisting bool              // --ignore: an existing volume is returned
	anonymous      bool
}

// CreateVolume makes a named volume; an existing one is an error (Conflict)
// unless o.IgnoreExisting. An empty name draws one.
func (e *Engine) CreateVolume(name string, o VolumeOptions) (*Volume, error) {
	if name == "" {
		b := make([]byte, 32)
		rand.Read(b)
		name = hex.EncodeToString(b)
	}
	if !validVolumeName(name) {
		return nil, errdefs.Invalid(fmt.Errorf("invalid volume name %q: use letters, digits and _.-", name))
	}
	if o.Driver != "" && o.Driver != "local" {
		return nil, errdefs.Invalid(fmt.Errorf("volume driver %q: burrow has the local driver only", o.Driver))
	}
	if err := checkVolumeOptions(o.Options); err != nil {
		return nil, err
	}
	if v, err := e.GetVolume(name); err == nil {
		if o.IgnoreExisting {
			return v, nil
		}
		return nil, errdefs.Conflict(fmt.Errorf("volume with name %s already exists: volume already exists", name))
	}
	v := &Volume{Name: name, Driver: "local", Mountpoint: filepath.Join(e.volumesDir(), name, "_data"),
		CreatedAt: time.Now(), Labels: o.Labels, Scope: "local", Options: o.Options, Anonymous: o.anonymous,
		NeedsCopyUp: true, NeedsChown: true}
	if v.Labels == nil {
		v.Labels = map[string]string{}
	}
	if v.Options == nil {
		v.Options = map[string]string{}
	}
	if err := os.MkdirAll(v.Mountpoint, 0o755); err != nil {
		return nil, fmt.Errorf("creating volume %s: %w", name, err)
	}
	if err := e.writeVolume(v); err != nil {
		os.RemoveAll(filepath.Join(e.volumesDir(), name))
		return nil, err
	}
	e.recordEvents(volumeEvent("create", name))
	return v, nil
}

// checkVolumeOptions checks volume create -o's as podman's local driver
// does: type bind needs an existing device; tmpfs takes mount options.
func checkVolumeOptions(opts map[string]string) error {
	for k, v := range opts {
		switch k {
		case "type":
			if v != "bind" && v != "tmpfs" && v != "none" {
				return errdefs.Invalid(fmt.Errorf("invalid volume option type %s for driver 'local': burrow mounts bind and tmpfs volumes (others need root)", v))
			}
		case "device":
			if volumeBinds(opts) {
				if _, err := os.Stat(v); err != nil {
					return errdefs.Invalid(fmt.Errorf("invalid volume option device for driver 'local': %w", err))
				}
			}
		case "o":
			// mount options: flags (ro, noexec, ...) and, for tmpfs, its
			// own (size=, mode=), checked when mounted
		case "uid", "gid":
			if _, err := strconv.Atoi(v); err != nil {
				return errdefs.Invalid(fmt.Errorf("invalid volume option %s=%s: give a number", k, v))
			}
		default:
			return errdefs.Invalid(fmt.Errorf("invalid mount option %s for driver 'local': burrow takes type, device, o, uid and gid", k))
		}
	}
	if volumeBinds(opts) && opts["device"] == "" {
		return errdefs.Invalid(errors.New("invalid volume option type bind for driver 'local': give the directory with -o device=PATH"))
	}
	return nil
}

// volumeBinds tells whether a volume of opts binds its device: type bind
// (podman's), or Docker's local driver's type none with o=bind.
func volumeBinds(opts map[string]string) bool {
	if opts["type"] == "bind" {
		return true
	}
	return opts["type"] == "none" && slices.ContainsFunc(strings.Split(opts["o"], ","), func(o string) bool { return o == "bind" || o == "rbind" })
}

// writeVolume stores a volume's metadata.
func (e *Engine) writeVolume(v *Volume) error {
	return writeJSON(e.volumeMeta(v.Name), v)
}

// GetVolume finds a volume by name (also one podman made in this store).
func (e *Engine) GetVolume(name string) (*Volume, error) {
	notFound := errdefs.NotFound(fmt.Errorf("no volume with name %q found: no such volume", name))
	if !validVolumeName(name) {
		return nil, notFound
	}
	dir := filepath.Join(e.volumesDir(), name)
	st, err := os.Stat(filepath.Join(dir, "_data"))
	if err != nil || !st.IsDir() {
		return nil, notFound
	}
	v := &Volume{Name: name, Driver: "local", Mountpoint: filepath.Join(dir, "_data"), CreatedAt: st.ModTime(),
		Labels: map[string]string{}, Options: map[string]string{}, Scope: "local"}
	if b, err := os.ReadFile(e.volumeMeta(name)); err == nil {
		json.Unmarshal(b, v)
	}
	v.MountCount = 0
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

// VolumeUsers are the IDs of the containers whose mounts name the volume.
func (e *Engine) VolumeUsers(name string) []string {
	recs, _ := e.records()
	var users []string
	for _, r := range recs {
		for _, m := range r.Config.Mounts {
			if m.Type == "volume" && m.Source == name {
				users = append(users, r.ID)
				break
			}
		}
	}
	return users
}

// RemoveVolume deletes a volume and its data; one a container uses is
// refused (podman's error, which exits 2) unless force, which removes
// those containers first.
func (e *Engine) RemoveVolume(name string, force bool, removeCtr func(id string) error) error {
	if _, err := e.GetVolume(name); err != nil {
		return err
	}
	if users := e.VolumeUsers(name); len(users) > 0 {
		if !force {
			return errdefs.Conflict(fmt.Errorf("volume %s is being used by the following container(s): %s: volume is being used", name, strings.Join(users, ",")))
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
	e.recordEvents(volumeEvent("remove", name))
	return nil
}

// PruneCandidates are the volumes no container uses that pass the filters
// (volume prune's).
func (e *Engine) PruneCandidates(filters []VolumeFilter) ([]*Volume, error) {
	vols, err := e.Volumes()
	if err != nil {
		return nil, err
	}
	var out []*Volume
	for _, v := range vols {
		if len(e.VolumeUsers(v.Name)) == 0 && v.Matches(filters) {
			out = append(out, v)
		}
	}
	return out, nil
}

// PruneVolumes removes every volume no container uses that passes the
// filters, and returns their names.
func (e *Engine) PruneVolumes(filters []VolumeFilter) ([]string, error) {
	vols, err := e.PruneCandidates(filters)
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, v := range vols {
		if err := e.RemoveVolume(v.Name, false, nil); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, v.Name)
		e.recordEvents(volumeEvent("prune", v.Name))
	}
	return removed, errors.Join(errs...)
}

// resolveMounts turns the container's mount requests into OCI mounts:
// volumes created (and, on their first use, filled from the image's
// content at the mount point and given its owner), bind sources checked.
// The image's VOLUMEs the user did not cover become anonymous volumes
// (--image-volume bind), tmpfs mounts (tmpfs), or nothing (ignore). It
// records anonymous volumes' names in c.Mounts.
func (e *Engine) resolveMounts(ctr *Container, rootfs string, img []string) ([]specs.Mount, error) {
	c := &ctr.Config
	covered := map[string]bool{}
	for _, m := range c.Mounts {
		covered[m.Destination] = true
	}
	mode, err := e.imageVolumeMode(c)
	if err != nil {
		return nil, err
	}
	for _, d := range img {
		d = filepath.Clean(d)
		if covered[d] || mode == "ignore" {
			continue
		}
		covered[d] = true
		if mode == "tmpfs" {
			c.Mounts = append(c.Mounts, MountSpec{Type: "tmpfs", Destination: d})
			continue
		}
		c.Mounts = append(c.Mounts, MountSpec{Type: "volume", Destination: d, Anonymous: true})
	}
	var out []specs.Mount
	for i := range c.Mounts {
		m := &c.Mounts[i]
		switch m.Type {
		case "tmpfs":
			out = append(out, specs.Mount{Destination: m.Destination, Type: "tmpfs", Source: "tmpfs",
				Options: tmpfsOptions(m.Options)})
		case "bind":
			if _, err := os.Stat(m.Source); err != nil {
				return nil, errdefs.NotFound(fmt.Errorf("bind mount of %s: %w: create it first", m.Source, errors.Unwrap(err)))
			}
			if m.Chown {
				if err := chownTree(m.Source, ctr.Spec); err != nil {
					return nil, err
				}
			}
			out = append(out, specs.Mount{Destination: m.Destination, Type: "bind", Source: m.Source, Options: append([]string{"rbind"}, m.Options...)})
		case "volume":
			vm, err := e.mountVolume(ctr, m, rootfs)
			if err != nil {
				return nil, err
			}
			out = append(out, vm)
		}
	}
	return out, nil
}

// imageVolumeMode is what the image's VOLUMEs become: --image-volume,
// else containers.conf's image_volume_mode, else bind (volumes).
func (e *Engine) imageVolumeMode(c *Config) (string, error) {
	mode := c.ImageVolumes
	if mode == "" {
		if conf, err := e.conf(); err == nil {
			mode = conf.Engine.ImageVolumeMode
		}
	}
	switch mode {
	case "", "bind", "anonymous":
		return "bind", nil
	case "tmpfs", "ignore":
		return mode, nil
	}
	return "", errdefs.Invalid(fmt.Errorf("invalid image volume mode %q: use bind, tmpfs or ignore", mode))
}

// mountVolume is the mount of the volume m names, made (anonymous, or
// named and missing) when needed; its first use fills it from the image
// and gives it the mount point's owner, as podman's.
func (e *Engine) mountVolume(ctr *Container, m *MountSpec, rootfs string) (specs.Mount, error) {
	var v *Volume
	var err error
	if m.Anonymous && m.Source == "" {
		v, err = e.CreateVolume("", VolumeOptions{anonymous: true})
	} else if v, err = e.GetVolume(m.Source); errdefs.Is(err, errdefs.ClassNotFound) {
		v, err = e.CreateVolume(m.Source, VolumeOptions{})
	}
	if err != nil {
		return specs.Mount{}, err
	}
	m.Source = v.Name
	var extra []string
	if o := v.Options["o"]; o != "" {
		// bind and rbind say what the mount is; the mount adds rbind.
		extra = slices.DeleteFunc(strings.Split(o, ","), func(o string) bool { return o == "bind" || o == "rbind" })
	}
	source := v.Mountpoint
	switch {
	case v.Options["type"] == "tmpfs":
		opts := append(append([]string{"nosuid", "nodev"}, extra...), m.Options...)
		return specs.Mount{Destination: m.Destination, Type: "tmpfs", Source: "tmpfs", Options: opts}, nil
	case volumeBinds(v.Options):
		source = v.Options["device"]
	default:
		if err := e.firstUse(ctr, v, m.Destination, rootfs); err != nil {
			return specs.Mount{}, err
		}
	}
	if m.Chown {
		if err := chownTree(source, ctr.Spec); err != nil {
			return specs.Mount{}, err
		}
	}
	opts := append(append([]string{"rbind"}, extra...), m.Options...)
	return specs.Mount{Destination: m.Destination, Type: "bind", Source: source, Options: opts}, nil
}

// firstUse does what a volume's first use does, as podman: it gets the
// owner of the image's mount point (else the container's user) and, once
// the image has content there, that content.
func (e *Engine) firstUse(ctr *Container, v *Volume, dest, rootfs string) error {
	if !v.NeedsChown && !v.NeedsCopyUp {
		return nil
	}
	inImage := ""
	if rootfs != "" {
		if p, err := securejoin.SecureJoin(rootfs, dest); err == nil {
			inImage = p
		}
	}
	if v.NeedsChown {
		if err := giveOwner(ctr.Spec, v, inImage); err != nil {
			return fmt.Errorf("giving volume %s its owner: %w", v.Name, err)
		}
		v.NeedsChown = false
	}
	if v.NeedsCopyUp && inImage != "" {
		filled, err := fillVolume(rootfs, inImage, v.Mountpoint)
		if err != nil {
			return fmt.Errorf("filling volume %s from the image: %w", v.Name, err)
		}
		v.NeedsCopyUp = !filled
	}
	return e.writeVolume(v)
}

// giveOwner gives a volume the owner and mode of the image's mount point
// at inImage, else -o uid/gid's or the container's user, as podman's
// first mount does.
func giveOwner(spec *specs.Spec, v *Volume, inImage string) error {
	var uid, gid uint32
	if p := spec.Process; p != nil {
		uid, gid = p.User.UID, p.User.GID
	}
	if u, err := strconv.Atoi(v.Options["uid"]); err == nil {
		uid = uint32(u)
	}
	if g, err := strconv.Atoi(v.Options["gid"]); err == nil {
		gid = uint32(g)
	}
	hu, hg, err := specIDs(spec, uid, gid)
	if err != nil {
		return err
	}
	if st, err := os.Lstat(inImage); err == nil && st.IsDir() && v.Options["uid"] == "" {
		sys := st.Sys().(*syscall.Stat_t)
		hu, hg = int(sys.Uid), int(sys.Gid)
		if err := os.Chmod(v.Mountpoint, st.Mode().Perm()); err != nil {
			return err
		}
	}
	return os.Lchown(v.Mountpoint, hu, hg)
}

// fillVolume copies the image's content at src (inside rootfs) into a
// volume, as podman does, reading it inside the root (links stay in it).
// It reports whether there was content to copy.
func fillVolume(rootfs, src, volume string) (bool, error) {
	st, err := os.Stat(src)
	if err != nil || !st.IsDir() {
		return false, nil // nothing there to copy
	}
	ents, err := os.ReadDir(src)
	if err != nil || len(ents) == 0 {
		return false, nil
	}
	rd, err := chrootarchive.Tar(src, &archive.TarOptions{}, rootfs)
	if err != nil {
		return false, err
	}
	defer rd.Close()
	return true, chrootarchive.Untar(rd, volume, &archive.TarOptions{})
}

// chownMounts gives the :U mounts to the container's user again at a
// start, as podman does, when their top is no longer the user's.
func (e *Engine) chownMounts(c *Config, spec *specs.Spec) error {
	for _, m := range c.Mounts {
		if !m.Chown {
			continue
		}
		src := m.Source
		if m.Type == "volume" {
			v, err := e.GetVolume(m.Source)
			if err != nil {
				return err
			}
			src = v.Mountpoint
			if volumeBinds(v.Options) {
				src = v.Options["device"]
			}
		}
		uid, gid, err := specIDs(spec, spec.Process.User.UID, spec.Process.User.GID)
		if err != nil {
			return err
		}
		var st unix.Stat_t
		if err := unix.Lstat(src, &st); err != nil || int(st.Uid) == uid && int(st.Gid) == gid {
			continue
		}
		if err := chownTree(src, spec); err != nil {
			return err
		}
	}
	return nil
}

// dedupeMounts drops a mount given twice alike, and refuses two different
// ones on the same destination, with podman's error.
func dedupeMounts(c *Config) error {
	seen := map[string]MountSpec{}
	var out []MountSpec
	for _, m := range c.Mounts {
		if prev, ok := seen[m.Destination]; ok {
			if prev.Type == m.Type && prev.Source == m.Source && slices.Equal(prev.Options, m.Options) && !m.Anonymous {
				continue
			}
			return errdefs.Invalid(fmt.Errorf("%s: duplicate mount destination", m.Destination))
		}
		seen[m.Destination] = m
		out = append(out, m)
	}
	c.Mounts = out
	return nil
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
