package engine

import (
	"errors"
	"fmt"
	"os/user"
	"sort"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.podman.io/storage/pkg/idtools"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/userns"
)

// User namespace modes (--userns). The default, "", is burrow's own user
// namespace: the container's root is the user.
const (
	// UserNSKeepID maps the user's own IDs to the same numbers inside,
	// the container's root to the first subordinate ID (podman's keep-id).
	UserNSKeepID = "keep-id"
	// UserNSNoMap leaves the user's own IDs out of the container.
	UserNSNoMap = "nomap"
	// UserNSAuto (auto[:size=N]) maps the container's IDs 0..N-1 to a
	// range of subordinate IDs no other container of the store uses,
	// picked by containers/storage as for podman's containers: the
	// range is settled at create and kept in UIDMap and GIDMap.
	UserNSAuto = "auto"
)

// maxIDMapLines is the kernel's bound on the lines of a uid_map.
const maxIDMapLines = 340

// ParseUserNS checks --userns and returns it as Config.UserNS keeps it:
// "" (burrow's own namespace: also "host"), keep-id[:uid=U,gid=G] or nomap.
func ParseUserNS(s string) (string, error) {
	mode, opts, hasOpts := strings.Cut(s, ":")
	switch mode {
	case "", "host":
		if hasOpts {
			return "", errdefs.Invalid(fmt.Errorf("--userns %s takes no options", mode))
		}
		return "", nil
	case UserNSAuto:
		if _, err := autoSize(s); err != nil {
			return "", err
		}
		return s, nil
	case UserNSNoMap:
		if hasOpts {
			return "", errdefs.Invalid(errors.New("--userns nomap takes no options"))
		}
		return UserNSNoMap, nil
	case UserNSKeepID:
		if _, _, err := keepIDOptions(s); err != nil {
			return "", err
		}
		if !hasOpts || opts == "" {
			return UserNSKeepID, nil
		}
		return s, nil
	}
	return "", errdefs.Invalid(fmt.Errorf("unsupported --userns %q: burrow knows host, auto[:size=N], keep-id[:uid=UID,gid=GID] and nomap (or --uidmap/--gidmap)", s))
}

// autoSize reads the size= of auto[:size=N]: 0 when not given (storage
// then sizes the namespace for the image's users, at least 1024 IDs).
func autoSize(mode string) (uint32, error) {
	_, opts, _ := strings.Cut(mode, ":")
	if opts == "" {
		return 0, nil
	}
	var size uint32
	for _, o := range strings.Split(opts, ",") {
		k, v, _ := strings.Cut(o, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if k != "size" || err != nil || n == 0 {
			return 0, errdefs.Invalid(fmt.Errorf("invalid --userns %q: use auto[:size=N] (burrow does not take uidmapping= or gidmapping=)", mode))
		}
		size = uint32(n)
	}
	return size, nil
}

// DefaultUserNS is the user namespace mode of a container that names none:
// containers.conf's userns ("" for host).
func (e *Engine) DefaultUserNS() (string, error) {
	conf, err := e.conf()
	if err != nil {
		return "", err
	}
	mode, err := ParseUserNS(conf.Containers.UserNS)
	if err != nil {
		return "", fmt.Errorf("userns in containers.conf: %w", err)
	}
	return mode, nil
}

// keepIDOptions reads the uid= and gid= of keep-id[:uid=U,gid=G]; -1 for
// one not given.
func keepIDOptions(mode string) (uid, gid int64, err error) {
	uid, gid = -1, -1
	_, opts, _ := strings.Cut(mode, ":")
	if opts == "" {
		return uid, gid, nil
	}
	for _, o := range strings.Split(opts, ",") {
		k, v, _ := strings.Cut(o, "=")
		n, perr := strconv.ParseUint(v, 10, 32)
		if perr != nil || (k != "uid" && k != "gid") {
			return 0, 0, errdefs.Invalid(fmt.Errorf("invalid --userns %q: use keep-id[:uid=UID,gid=GID]", mode))
		}
		if k == "uid" {
			uid = int64(n)
		} else {
			gid = int64(n)
		}
	}
	return uid, gid, nil
}

// ParseIDMaps reads the values of --uidmap or --gidmap (flag names it):
// CONTAINER_ID:HOST_ID:SIZE each, HOST_ID an ID of burrow's user
// namespace (as under rootless podman: 0 is the user, 1.. the subordinate
// IDs).
func ParseIDMaps(flag string, vals []string) ([]specs.LinuxIDMapping, error) {
	var out []specs.LinuxIDMapping
	for _, v := range vals {
		f := strings.Split(v, ":")
		var n [3]uint64
		ok := len(f) == 3
		for i := 0; ok && i < 3; i++ {
			var err error
			n[i], err = strconv.ParseUint(f[i], 10, 32)
			ok = err == nil
		}
		if !ok || n[2] == 0 || n[0]+n[2] > 1<<32 || n[1]+n[2] > 1<<32 {
			return nil, errdefs.Invalid(fmt.Errorf("invalid %s %q: use CONTAINER_ID:HOST_ID:SIZE with SIZE at least 1", flag, v))
		}
		out = append(out, specs.LinuxIDMapping{ContainerID: uint32(n[0]), HostID: uint32(n[1]), Size: uint32(n[2])})
	}
	return out, nil
}

// nestedUserNS tells whether c's container gets a user namespace of its
// own, nested in burrow's.
func nestedUserNS(c *Config) bool {
	return c.UserNS != "" || len(c.UIDMap) > 0 || len(c.GIDMap) > 0
}

// idMappings is a container's own user namespace: its maps, container IDs
// to IDs of burrow's namespace, and the user keep-id runs the process as.
type idMappings struct {
	UIDs, GIDs []specs.LinuxIDMapping
	KeepID     bool
	UID, GID   uint32 // the keep-id user
	// Auto asks containers/storage to pick the maps (userns=auto) of
	// AutoSize IDs (0: its choice) when it makes the container's layer.
	Auto     bool
	AutoSize uint32
}

// userMappings resolves c's user namespace against burrow's (that of the
// calling process): nil when the container shares burrow's.
func userMappings(c *Config) (*idMappings, error) {
	if !nestedUserNS(c) {
		return nil, nil
	}
	if autoUserNS(c) {
		return autoMappings(c)
	}
	explicit := len(c.UIDMap) > 0 || len(c.GIDMap) > 0
	if c.UserNS != "" && explicit {
		return nil, errdefs.Invalid(fmt.Errorf("--userns %s and --uidmap/--gidmap conflict: choose one", c.UserNS))
	}
	uids, gids, err := userns.Mappings()
	if err != nil {
		return nil, fmt.Errorf("reading burrow's user namespace: %w", err)
	}
	if explicit {
		um, gm := c.UIDMap, c.GIDMap
		if len(um) == 0 {
			um = gm // as podman: one of the two serves for both
		}
		if len(gm) == 0 {
			gm = um
		}
		if err := checkIDMap("--uidmap", um, uids, "/etc/subuid"); err != nil {
			return nil, err
		}
		if err := checkIDMap("--gidmap", gm, gids, "/etc/subgid"); err != nil {
			return nil, err
		}
		um, gm = splitIDMap(um, uids), splitIDMap(gm, gids)
		if len(um) > maxIDMapLines || len(gm) > maxIDMapLines {
			return nil, errdefs.Invalid(fmt.Errorf("--uidmap/--gidmap: more than %d ranges once split where burrow's own ranges meet", maxIDMapLines))
		}
		return &idMappings{UIDs: um, GIDs: gm}, nil
	}
	if !userns.Rootless() {
		return nil, errdefs.Invalid(fmt.Errorf("--userns %s is for rootless use: as root, give --uidmap and --gidmap", c.UserNS))
	}
	topU, topG := highestContiguous(uids), highestContiguous(gids)
	if topU < 1 || topG < 1 {
		return nil, errdefs.Invalid(fmt.Errorf("--userns %s needs subordinate IDs, and burrow's user namespace maps only your own: add a range to /etc/subuid and /etc/subgid (sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 $USER), then %s", c.UserNS, remapHint()))
	}
	if c.UserNS == UserNSNoMap {
		return &idMappings{
			UIDs: []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1, Size: uint32(topU)}},
			GIDs: []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1, Size: uint32(topG)}},
		}, nil
	}
	uid, gid, err := keepIDOptions(c.UserNS)
	if err != nil {
		return nil, err
	}
	if uid < 0 {
		uid = int64(userns.HostUID())
	}
	if gid < 0 {
		gid = int64(userns.HostGID())
	}
	return &idMappings{
		UIDs: keepIDMap(uid, topU), GIDs: keepIDMap(gid, topG),
		KeepID: true, UID: uint32(uid), GID: uint32(gid),
	}, nil
}

// autoUserNS tells whether c asks for userns=auto.
func autoUserNS(c *Config) bool {
	mode, _, _ := strings.Cut(c.UserNS, ":")
	return mode == UserNSAuto
}

// autoMappings are the maps of a userns=auto container: those settled at
// its create, or, before, a request for storage to pick them.
func autoMappings(c *Config) (*idMappings, error) {
	if len(c.UIDMap) > 0 && len(c.GIDMap) > 0 {
		return &idMappings{UIDs: c.UIDMap, GIDs: c.GIDMap}, nil
	}
	if c.Rootfs != "" {
		return nil, errdefs.Invalid(fmt.Errorf("--userns %s needs an image: storage picks the IDs as it makes the container's layer; give --uidmap/--gidmap with --rootfs", c.UserNS))
	}
	size, err := autoSize(c.UserNS)
	if err != nil {
		return nil, err
	}
	return &idMappings{Auto: true, AutoSize: size}, nil
}

// settleAutoMappings keeps the maps storage picked for a userns=auto
// container (sc's, IDs of burrow's namespace) in m and in c.
func settleAutoMappings(m *idMappings, c *Config, uids, gids []idtools.IDMap) {
	conv := func(in []idtools.IDMap) []specs.LinuxIDMapping {
		var out []specs.LinuxIDMapping
		for _, e := range in {
			out = append(out, specs.LinuxIDMapping{ContainerID: uint32(e.ContainerID), HostID: uint32(e.HostID), Size: uint32(e.Size)})
		}
		return out
	}
	m.UIDs, m.GIDs, m.Auto = conv(uids), conv(gids), false
	c.UIDMap, c.GIDMap = m.UIDs, m.GIDs
}

// keepIDMap is podman's keep-id map for id with burrow's namespace
// holding IDs 0..top: the container's 0..id-1 are the subordinate IDs
// 1..id, id is the user (0 here), and the IDs above id are themselves.
func keepIDMap(id, top int64) []specs.LinuxIDMapping {
	var m []specs.LinuxIDMapping
	if id > 0 {
		m = append(m, specs.LinuxIDMapping{ContainerID: 0, HostID: 1, Size: uint32(min(id, top))})
	}
	m = append(m, specs.LinuxIDMapping{ContainerID: uint32(id), HostID: 0, Size: 1})
	if top > id {
		m = append(m, specs.LinuxIDMapping{ContainerID: uint32(id + 1), HostID: uint32(id + 1), Size: uint32(top - id)})
	}
	return m
}

// highestContiguous is the highest ID n of the namespace whose map is
// given such that 0..n are all mapped; -1 when 0 is not.
func highestContiguous(m []userns.IDMap) int64 {
	sorted := append([]userns.IDMap(nil), m...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ContainerID < sorted[j].ContainerID })
	var next int64
	for _, r := range sorted {
		if int64(r.ContainerID) > next {
			break
		}
		next = max(next, int64(r.ContainerID)+int64(r.Size))
	}
	return next - 1
}

// checkIDMap checks a --uidmap or --gidmap against the namespace's own map
// ns: the host side must be IDs of burrow's namespace, no two ranges may
// overlap on either side, and the container's root must be mapped.
func checkIDMap(flag string, m []specs.LinuxIDMapping, ns []userns.IDMap, subidFile string) error {
	if len(m) > maxIDMapLines {
		return errdefs.Invalid(fmt.Errorf("%s: at most %d ranges", flag, maxIDMapLines))
	}
	root := false
	for i, e := range m {
		lo, hi := int64(e.HostID), int64(e.HostID)+int64(e.Size)
		if !covered(ns, lo, hi) {
			return errdefs.Invalid(fmt.Errorf("%s %d:%d:%d: IDs %d-%d are not mapped in burrow's user namespace, which has %s: use host IDs within it (0 is you, 1.. your subordinate IDs), or add subordinate IDs to %s, then %s",
				flag, e.ContainerID, e.HostID, e.Size, lo, hi-1, describeNS(ns), subidFile, remapHint()))
		}
		for _, o := range m[i+1:] {
			if overlaps(e.ContainerID, e.Size, o.ContainerID, o.Size) {
				return errdefs.Invalid(fmt.Errorf("%s: the container ranges from %d and from %d overlap", flag, e.ContainerID, o.ContainerID))
			}
			if overlaps(e.HostID, e.Size, o.HostID, o.Size) {
				return errdefs.Invalid(fmt.Errorf("%s: the host ranges from %d and from %d overlap", flag, e.HostID, o.HostID))
			}
		}
		if e.ContainerID == 0 {
			root = true
		}
	}
	if !root {
		return errdefs.Invalid(fmt.Errorf("%s must map container ID 0, the container's root (e.g. 0:1:65536)", flag))
	}
	return nil
}

func overlaps(a, an, b, bn uint32) bool {
	return int64(a) < int64(b)+int64(bn) && int64(b) < int64(a)+int64(an)
}

// splitIDMap cuts the entries of m (checked: their host side is mapped in
// ns) where the ranges of ns meet: the kernel takes a line of a nested
// namespace's map only when it lies in one line of its parent's (0:0:2000
// spans the user and the subordinate IDs: two lines).
func splitIDMap(m []specs.LinuxIDMapping, ns []userns.IDMap) []specs.LinuxIDMapping {
	var out []specs.LinuxIDMapping
	for _, e := range m {
		c, lo, hi := int64(e.ContainerID), int64(e.HostID), int64(e.HostID)+int64(e.Size)
		for lo < hi {
			end := hi
			for _, r := range ns {
				if int64(r.ContainerID) <= lo && lo < int64(r.ContainerID)+int64(r.Size) {
					end = min(hi, int64(r.ContainerID)+int64(r.Size))
					break
				}
			}
			out = append(out, specs.LinuxIDMapping{ContainerID: uint32(c), HostID: uint32(lo), Size: uint32(end - lo)})
			c += end - lo
			lo = end
		}
	}
	return out
}

// covered tells whether IDs lo..hi-1 of the namespace are all mapped.
func covered(ns []userns.IDMap, lo, hi int64) bool {
	for lo < hi {
		moved := false
		for _, r := range ns {
			if int64(r.ContainerID) <= lo && lo < int64(r.ContainerID)+int64(r.Size) {
				lo = int64(r.ContainerID) + int64(r.Size)
				moved = true
			}
		}
		if !moved {
			return false
		}
	}
	return true
}

// describeNS lists the IDs a namespace maps, contiguous ranges merged.
func describeNS(ns []userns.IDMap) string {
	sorted := append([]userns.IDMap(nil), ns...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ContainerID < sorted[j].ContainerID })
	var parts []string
	for i := 0; i < len(sorted); {
		lo, hi := int64(sorted[i].ContainerID), int64(sorted[i].ContainerID)+int64(sorted[i].Size)
		for i++; i < len(sorted) && int64(sorted[i].ContainerID) <= hi; i++ {
			hi = max(hi, int64(sorted[i].ContainerID)+int64(sorted[i].Size))
		}
		parts = append(parts, fmt.Sprintf("%d-%d", lo, hi-1))
	}
	return "IDs " + strings.Join(parts, ", ")
}

// remapHint says how burrow's namespace picks up new subordinate IDs: it
// is mapped once, when its pause process starts.
func remapHint() string {
	if pid := userns.PausePID(); pid > 0 {
		return fmt.Sprintf("stop your containers and end burrow's pause process (kill %d): the next command maps the new IDs", pid)
	}
	return "stop your containers and end burrow's pause process: the next command maps the new IDs"
}

// storageIDMappings is m for containers/storage, which then gives the
// container a copy of the image's layers owned by the mapped IDs (chowned,
// or idmapped where the kernel allows it), so that the image's files
// belong to the right users inside.
func storageIDMappings(m *idMappings) []idtools.IDMap {
	var out []idtools.IDMap
	for _, e := range m.UIDs {
		out = append(out, idtools.IDMap{ContainerID: int(e.ContainerID), HostID: int(e.HostID), Size: int(e.Size)})
	}
	return out
}

func storageGIDMappings(m *idMappings) []idtools.IDMap {
	var out []idtools.IDMap
	for _, e := range m.GIDs {
		out = append(out, idtools.IDMap{ContainerID: int(e.ContainerID), HostID: int(e.HostID), Size: int(e.Size)})
	}
	return out
}

// mapID is the ID of burrow's namespace that the container's id is, under
// the map m (itself with no map: the container shares the namespace).
func mapID(m []specs.LinuxIDMapping, id uint32) (int, bool) {
	if len(m) == 0 {
		return int(id), true
	}
	for _, e := range m {
		if id >= e.ContainerID && int64(id) < int64(e.ContainerID)+int64(e.Size) {
			return int(e.HostID + (id - e.ContainerID)), true
		}
	}
	return 0, false
}

// specIDs maps a container's uid and gid through the spec's user
// namespace to IDs of burrow's; an unmapped one is an error.
func specIDs(spec *specs.Spec, uid, gid uint32) (int, int, error) {
	var um, gm []specs.LinuxIDMapping
	if spec != nil && spec.Linux != nil {
		um, gm = spec.Linux.UIDMappings, spec.Linux.GIDMappings
	}
	u, ok := mapID(um, uid)
	if !ok {
		return 0, 0, errdefs.Invalid(fmt.Errorf("user %d of the container is not mapped in its user namespace", uid))
	}
	g, ok := mapID(gm, gid)
	if !ok {
		return 0, 0, errdefs.Invalid(fmt.Errorf("group %d of the container is not mapped in its user namespace", gid))
	}
	return u, g, nil
}

// keepIDUser adds the keep-id user to the container's /etc/passwd and
// /etc/group when they lack it, as podman does: the user's name is the
// host account's; its home is the host one when a mount puts it in the
// container (podman 4.3 looks at the mounts only, not at the image), the
// working directory otherwise. It returns the user's home.
func (ctr *Container) keepIDUser(a *accountFiles, uid, gid uint32, workdir string) (string, error) {
	name, hostHome := "user", "/"
	if u, err := user.LookupId(strconv.Itoa(userns.HostUID())); err == nil {
		name, hostHome = u.Username, u.HomeDir
	}
	u, g := strconv.FormatUint(uint64(uid), 10), strconv.FormatUint(uint64(gid), 10)
	home := workdir
	if ctr.Config.mountedAt(hostHome) {
		home = hostHome
	}
	f, err := a.find("/etc/passwd", func(f []string) bool { return len(f) >= 6 && f[2] == u })
	switch {
	case err != nil:
		return "", err
	case f != nil:
		home = f[5]
	default:
		if err := a.add("/etc/passwd", fmt.Sprintf("%s:*:%s:%s:%s:%s:/bin/sh\n", name, u, g, name, home)); err != nil {
			return "", err
		}
	}
	f, err = a.find("/etc/group", func(f []string) bool { return len(f) >= 3 && f[2] == g })
	if err == nil && f == nil {
		err = a.add("/etc/group", fmt.Sprintf("%s:x:%s:\n", name, g))
	}
	return home, err
}

// mountedAt tells whether one of the container's mounts holds path.
func (c *Config) mountedAt(path string) bool {
	for _, m := range c.Mounts {
		if path == m.Destination || strings.HasPrefix(path, strings.TrimSuffix(m.Destination, "/")+"/") {
			return true
		}
	}
	return false
}
