package sandbox

// #include "plan.h"
import "C"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	units "github.com/docker/go-units"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// A plan is what the C init (init_linux.c) and exec child
// (process_linux.c) get on fd 3 instead of the OCI spec: the set-up with
// every decision taken here, in the CLI, so that no Go runtime starts in
// the container (plan.h has the format). The options are parsed into mount
// flags and attributes, the capabilities into numbers, the seccomp profile
// compiled into the kernel's program.

// InitOptions are what a container's init is told beyond its spec.
type InitOptions struct {
	// ID names the container in the init's messages.
	ID string
	// WorkdirMustExist keeps the init from making the working directory
	// (podman's -w), unless it is on one of the spec's mounts, which make
	// it or hold it.
	WorkdirMustExist bool
	// PreserveFDs is how many descriptors, sent last with the plan,
	// become the process's 3, 4, ... (--preserve-fds).
	PreserveFDs int
}

// MaxSentFDs is how many descriptors the init takes with its plan: mount
// trees and those to pass on.
const MaxSentFDs = C.PLAN_MAX_TREES

// EncodeInit is the plan of a container's init for spec, its seccomp
// filter compiled or taken from cache.
func EncodeInit(spec *specs.Spec, cache FilterCache, o InitOptions) ([]byte, error) {
	if spec.Root == nil || spec.Process == nil || spec.Linux == nil {
		return nil, errors.New("the container spec has no root, process or linux section")
	}
	var w planWriter
	w.magic()
	if err := w.process(spec.Process, spec.Linux.Seccomp, cache); err != nil {
		return nil, err
	}
	if o.PreserveFDs > 0 {
		w.record(C.PLAN_PRESERVE_FDS, num(uint64(o.PreserveFDs)))
	}
	if o.WorkdirMustExist && !onMount(spec.Process.Cwd, spec.Mounts) {
		w.record(C.PLAN_CWD_EXISTING, w.str(o.ID))
	}
	if spec.Process.OOMScoreAdj != nil {
		w.record(C.PLAN_OOM_SCORE_ADJ, num(uint64(*spec.Process.OOMScoreAdj)))
	}
	// The init runs in "/": a relative root is taken from there.
	w.record(C.PLAN_ROOT, w.str(filepath.Join("/", spec.Root.Path)), boolNum(spec.Root.Readonly))
	nested := NestedUserNS(spec)
	if nested {
		w.record(C.PLAN_NESTED)
	}
	// A namespace joined by path (a pod's UTS or cgroup namespace) keeps
	// the hostname and cgroup root its owner gave it.
	if spec.Domainname != "" && newNamespace(spec, specs.UTSNamespace) {
		w.record(C.PLAN_DOMAINNAME, w.str(spec.Domainname))
	}
	if spec.Hostname != "" && newNamespace(spec, specs.UTSNamespace) {
		w.record(C.PLAN_HOSTNAME, w.str(spec.Hostname))
	}
	if newNamespace(spec, specs.CgroupNamespace) {
		w.record(C.PLAN_CGROUPNS)
	}
	if hasNamespace(spec, specs.NetworkNamespace) {
		w.record(C.PLAN_NEWNET)
	}
	// A network namespace made beforehand is joined by path; a nested
	// user namespace was cloned inside it by the monitor already.
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == specs.NetworkNamespace && ns.Path != "" && !nested {
			w.record(C.PLAN_NETNS, w.str(ns.Path))
		}
	}
	for _, m := range spec.Mounts {
		w.mount(m)
	}
	for _, d := range spec.Linux.Devices {
		w.record(C.PLAN_DEVICE, w.str(d.Path))
	}
	for _, p := range spec.Linux.MaskedPaths {
		w.record(C.PLAN_MASK, w.str(p))
	}
	for _, p := range spec.Linux.ReadonlyPaths {
		w.record(C.PLAN_READONLY, w.str(p))
	}
	return w.bytes()
}

// onMount tells whether path is a mount's destination, below one (the
// init makes it there, as runc does) or above one (making the mount point
// made it), as podman's check of -w has it.
func onMount(path string, mounts []specs.Mount) bool {
	path = filepath.Clean(filepath.Join("/", path))
	for _, m := range mounts {
		dest := filepath.Clean(m.Destination)
		if within(path, dest) || (path != "/" && within(dest, path)) {
			return true
		}
	}
	return false
}

// within tells whether path is dir or below it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}

// EncodeExec is the plan of a process joining a running container, under
// that container's seccomp filter (compiled or taken from cache).
func EncodeExec(p *specs.Process, seccomp *specs.LinuxSeccomp, cache FilterCache) ([]byte, error) {
	var w planWriter
	w.magic()
	if err := w.process(p, seccomp, cache); err != nil {
		return nil, err
	}
	return w.bytes()
}

// planWriter builds a plan; the first error sticks.
type planWriter struct {
	buf []byte
	err error
}

func (w *planWriter) magic() { w.buf = append(w.buf, C.PLAN_MAGIC...) }

func (w *planWriter) bytes() ([]byte, error) {
	if w.err != nil {
		return nil, w.err
	}
	if len(w.buf) > C.PLAN_MAX_BYTES {
		return nil, fmt.Errorf("the container's set-up takes %d bytes, more than the %d the init reads", len(w.buf), C.PLAN_MAX_BYTES)
	}
	return w.buf, nil
}

// record appends a record of items.
func (w *planWriter) record(tag int, items ...[]byte) {
	n := 0
	for _, it := range items {
		n += 4 + len(it)
	}
	w.buf = binary.NativeEndian.AppendUint32(w.buf, uint32(tag))
	w.buf = binary.NativeEndian.AppendUint32(w.buf, uint32(n))
	for _, it := range items {
		w.buf = binary.NativeEndian.AppendUint32(w.buf, uint32(len(it)))
		w.buf = append(w.buf, it...)
	}
}

// str is a string item; a NUL inside it could not reach the kernel.
func (w *planWriter) str(s string) []byte {
	if strings.IndexByte(s, 0) >= 0 && w.err == nil {
		w.err = fmt.Errorf("%q contains a NUL byte", s)
	}
	return append([]byte(s), 0)
}

func (w *planWriter) strs(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = w.str(s)
	}
	return out
}

func num(v uint64) []byte { return binary.NativeEndian.AppendUint64(nil, v) }

func boolNum(b bool) []byte {
	if b {
		return num(1)
	}
	return num(0)
}

// process appends what both the init and an exec do to become p.
func (w *planWriter) process(p *specs.Process, seccomp *specs.LinuxSeccomp, cache FilterCache) error {
	if len(p.Args) == 0 {
		return errors.New("no command given")
	}
	w.record(C.PLAN_ARGS, w.strs(p.Args)...)
	w.record(C.PLAN_ENV, w.strs(p.Env)...)
	cwd := p.Cwd
	if cwd == "" {
		cwd = "/"
	}
	w.record(C.PLAN_CWD, w.str(cwd))
	user := [][]byte{num(uint64(p.User.UID)), num(uint64(p.User.GID))}
	for _, g := range p.User.AdditionalGids {
		user = append(user, num(uint64(g)))
	}
	w.record(C.PLAN_USER, user...)
	caps, err := capSets(p.Capabilities)
	if err != nil {
		return err
	}
	w.record(C.PLAN_CAPS, caps...)
	if p.NoNewPrivileges {
		w.record(C.PLAN_NO_NEW_PRIVS)
	}
	if p.User.Umask != nil {
		w.record(C.PLAN_UMASK, num(uint64(*p.User.Umask)))
	}
	for _, r := range p.Rlimits {
		n, err := rlimitNumber(r.Type)
		if err != nil {
			return err
		}
		w.record(C.PLAN_RLIMIT, num(uint64(n)), num(r.Soft), num(r.Hard))
	}
	if p.Terminal {
		var rows, cols uint64
		if p.ConsoleSize != nil {
			rows, cols = uint64(p.ConsoleSize.Height), uint64(p.ConsoleSize.Width)
		}
		w.record(C.PLAN_TERMINAL, num(rows), num(cols))
	}
	filter, err := cache.compile(seccomp)
	if err != nil {
		return err
	}
	if filter != nil {
		w.record(C.PLAN_SECCOMP, filter)
	}
	return nil
}

// capSets are the bounding, effective, permitted, inheritable and ambient
// sets as bit masks (bit N: capability N).
func capSets(c *specs.LinuxCapabilities) ([][]byte, error) {
	var lists [5][]string
	if c != nil {
		lists = [5][]string{c.Bounding, c.Effective, c.Permitted, c.Inheritable, c.Ambient}
	}
	out := make([][]byte, len(lists))
	for i, names := range lists {
		var mask uint64
		caps, err := capList(names)
		if err != nil {
			return nil, err
		}
		for _, cp := range caps {
			if cp > 63 {
				return nil, fmt.Errorf("capability %s is beyond what burrow can pass on", capName(cp))
			}
			mask |= 1 << uint(cp)
		}
		out[i] = num(mask)
	}
	return out, nil
}

// mount appends a mount of the spec, its options parsed.
func (w *planWriter) mount(m specs.Mount) {
	o := parseMountOptions(m.Options)
	bind := m.Type == "bind" || o.bind
	nums := make([][]byte, C.PLAN_MOUNT_NUMS)
	nums[C.PLAN_MOUNT_BIND] = boolNum(bind)
	nums[C.PLAN_MOUNT_RECURSIVE] = boolNum(o.recursive)
	nums[C.PLAN_MOUNT_PROPAGATION] = num(uint64(o.propagation))
	// The flags and attributes are a bind's, set on the mount once
	// attached, and a new filesystem's, which fsmount gives it (only its
	// propagation is set once attached).
	a := o.attr()
	nums[C.PLAN_MOUNT_FLAGS] = num(uint64(o.flags))
	nums[C.PLAN_MOUNT_ATTR_SET] = num(a.Attr_set)
	nums[C.PLAN_MOUNT_ATTR_CLR] = num(a.Attr_clr)
	// sysfs can only be mounted by the owner of the network namespace;
	// the host's is bound instead, read-only all through (the host's
	// cgroup hierarchies below it included), as podman does.
	fb := mountOptions{flags: o.flags | unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC}
	fa := fb.attr()
	nums[C.PLAN_MOUNT_FB_FLAGS] = num(uint64(fb.flags))
	nums[C.PLAN_MOUNT_FB_ATTR_SET] = num(fa.Attr_set)
	nums[C.PLAN_MOUNT_FB_ATTR_CLR] = num(fa.Attr_clr)
	nums[C.PLAN_MOUNT_COPYUP] = boolNum(o.copyUp && m.Type == "tmpfs" && !bind)
	items := [][]byte{w.str(m.Type), w.str(m.Source), w.str(m.Destination)}
	items = append(items, nums...)
	if !bind {
		// The filesystem's own options for fsconfig: sync and dirsync
		// belong to the filesystem, the others were made attributes.
		items = append(items, w.strs(o.superFlags())...)
		items = append(items, w.strs(o.data)...)
	}
	w.record(C.PLAN_MOUNT, items...)
}

// rlimitNumber is the resource number of an OCI rlimit type
// (RLIMIT_NOFILE), by go-units' table of the names --ulimit takes.
func rlimitNumber(typ string) (int, error) {
	name, ok := strings.CutPrefix(typ, "RLIMIT_")
	u := units.Ulimit{Name: strings.ToLower(name)}
	rl, err := u.GetRlimit()
	if !ok || err != nil {
		return 0, fmt.Errorf("invalid rlimit type %q", typ)
	}
	return rl.Type, nil
}
