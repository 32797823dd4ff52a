package sandbox

import (
	"encoding/binary"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// planRecord is a record of a plan as the C side reads it.
type planRecord struct {
	tag   uint32
	items [][]byte
}

// decodePlan reads a plan back, checking the framing plan_linux.c checks.
func decodePlan(t *testing.T, b []byte) []planRecord {
	t.Helper()
	if !strings.HasPrefix(string(b), "BRWPLAN1") {
		t.Fatalf("no magic: %q", b[:min(len(b), 8)])
	}
	b = b[8:]
	var out []planRecord
	for len(b) > 0 {
		if len(b) < 8 {
			t.Fatalf("truncated record header")
		}
		tag, n := binary.NativeEndian.Uint32(b), binary.NativeEndian.Uint32(b[4:])
		body := b[8 : 8+n]
		b = b[8+n:]
		r := planRecord{tag: tag}
		for len(body) > 0 {
			l := binary.NativeEndian.Uint32(body)
			r.items = append(r.items, body[4:4+l])
			body = body[4+l:]
		}
		out = append(out, r)
	}
	return out
}

func records(rs []planRecord, tag uint32) []planRecord {
	var out []planRecord
	for _, r := range rs {
		if r.tag == tag {
			out = append(out, r)
		}
	}
	return out
}

func itemStr(t *testing.T, it []byte) string {
	t.Helper()
	if len(it) == 0 || it[len(it)-1] != 0 {
		t.Fatalf("string item without its NUL: %q", it)
	}
	return string(it[:len(it)-1])
}

func itemNum(t *testing.T, it []byte) uint64 {
	t.Helper()
	if len(it) != 8 {
		t.Fatalf("number item of %d bytes", len(it))
	}
	return binary.NativeEndian.Uint64(it)
}

func testSpec() *specs.Spec {
	adj := -500
	return &specs.Spec{
		Hostname: "box",
		Root:     &specs.Root{Path: "rootfs", Readonly: true},
		Process: &specs.Process{
			Args: []string{"sh", "-c", "true"}, Env: []string{"PATH=/bin"}, Cwd: "/work",
			User:         specs.User{UID: 1000, GID: 100, AdditionalGids: []uint32{10, 20}},
			Capabilities: &specs.LinuxCapabilities{Bounding: []string{"CAP_CHOWN", "NET_RAW"}, Effective: []string{"cap_chown"}},
			OOMScoreAdj:  &adj, NoNewPrivileges: true,
		},
		Mounts: []specs.Mount{
			{Destination: "/proc", Type: "proc", Source: "proc", Options: []string{"nosuid", "noexec", "nodev"}},
			{Destination: "/data", Type: "bind", Source: "/srv/data", Options: []string{"rbind", "ro", "rslave"}},
			{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs", Options: []string{"sync", "tmpcopyup", "mode=1777", "size=65536k"}},
		},
		Linux: &specs.Linux{
			Namespaces: []specs.LinuxNamespace{
				{Type: specs.PIDNamespace}, {Type: specs.MountNamespace}, {Type: specs.UTSNamespace},
				{Type: specs.NetworkNamespace, Path: "/run/netns/x"}, {Type: specs.CgroupNamespace},
			},
			Devices:       []specs.LinuxDevice{{Path: "/dev/null"}},
			MaskedPaths:   []string{"/proc/kcore"},
			ReadonlyPaths: []string{"/proc/sys"},
			Seccomp: &specs.LinuxSeccomp{
				DefaultAction: specs.ActErrno, Architectures: []specs.Arch{specs.ArchX86_64},
				Syscalls: []specs.LinuxSyscall{{Names: []string{"read", "write", "exit_group"}, Action: specs.ActAllow}},
			},
		},
	}
}

func TestEncodeInit(t *testing.T) {
	b, err := EncodeInit(testSpec(), "", InitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rs := decodePlan(t, b)
	one := func(tag uint32) planRecord {
		t.Helper()
		got := records(rs, tag)
		if len(got) != 1 {
			t.Fatalf("%d records of tag %d, want 1", len(got), tag)
		}
		return got[0]
	}
	if args := one(1); len(args.items) != 3 || itemStr(t, args.items[2]) != "true" {
		t.Errorf("args %q", args.items)
	}
	if cwd := itemStr(t, one(3).items[0]); cwd != "/work" {
		t.Errorf("cwd %q", cwd)
	}
	user := one(4)
	if len(user.items) != 4 || itemNum(t, user.items[0]) != 1000 || itemNum(t, user.items[1]) != 100 || itemNum(t, user.items[3]) != 20 {
		t.Errorf("user %v", user.items)
	}
	caps := one(5)
	if bnd := itemNum(t, caps.items[0]); bnd != 1<<unix.CAP_CHOWN|1<<unix.CAP_NET_RAW {
		t.Errorf("bounding set %#x", bnd)
	}
	if eff := itemNum(t, caps.items[1]); eff != 1<<unix.CAP_CHOWN {
		t.Errorf("effective set %#x", eff)
	}
	one(6) // no_new_privs
	if adj := int(int64(itemNum(t, one(7).items[0]))); adj != -500 {
		t.Errorf("oom_score_adj %d", adj)
	}
	if prog := one(9).items[0]; len(prog) == 0 || len(prog)%8 != 0 {
		t.Errorf("seccomp program of %d bytes", len(prog))
	}
	root := one(32)
	if itemStr(t, root.items[0]) != "/rootfs" || itemNum(t, root.items[1]) != 1 {
		t.Errorf("root %q: a relative root is taken from /, read-only kept", root.items)
	}
	if h := itemStr(t, one(33).items[0]); h != "box" {
		t.Errorf("hostname %q", h)
	}
	one(34) // cgroup namespace
	if ns := itemStr(t, one(35).items[0]); ns != "/run/netns/x" {
		t.Errorf("netns %q", ns)
	}
	one(36) // a network namespace: lo up
	if len(records(rs, 37)) != 0 {
		t.Error("a nested user namespace without one in the spec")
	}
	mounts := records(rs, 38)
	if len(mounts) != 3 {
		t.Fatalf("%d mounts", len(mounts))
	}
	proc, data, tmp := mounts[0].items, mounts[1].items, mounts[2].items
	if itemStr(t, proc[0]) != "proc" || itemNum(t, proc[3]) != 0 || itemNum(t, proc[6]) != unix.MOUNT_ATTR_NOSUID|unix.MOUNT_ATTR_NOEXEC|unix.MOUNT_ATTR_NODEV {
		t.Errorf("proc %q", proc)
	}
	if len(proc) != 3+10 {
		t.Errorf("proc has %d items, want no options", len(proc))
	}
	if itemNum(t, data[3]) != 1 || itemNum(t, data[4]) != 1 || itemNum(t, data[6]) != unix.MOUNT_ATTR_RDONLY || itemNum(t, data[8]) != unix.MS_SLAVE|unix.MS_REC {
		t.Errorf("rbind,ro,rslave: %v", data[3:12])
	}
	if itemNum(t, tmp[3+9]) != 1 || itemNum(t, proc[3+9]) != 0 {
		t.Errorf("copy-up of the tmpfs %d, of proc %d", itemNum(t, tmp[3+9]), itemNum(t, proc[3+9]))
	}
	var opts []string
	for _, it := range tmp[13:] {
		opts = append(opts, itemStr(t, it))
	}
	if strings.Join(opts, ",") != "sync,mode=1777,size=65536k" {
		t.Errorf("tmpfs options %q", opts)
	}
	if fb := itemNum(t, proc[10]); fb&unix.MOUNT_ATTR_RDONLY == 0 {
		t.Errorf("fallback attributes %#x are not read-only", fb)
	}
	if d := itemStr(t, one(39).items[0]); d != "/dev/null" {
		t.Errorf("device %q", d)
	}
	if m := itemStr(t, one(40).items[0]); m != "/proc/kcore" {
		t.Errorf("masked %q", m)
	}
	if r := itemStr(t, one(41).items[0]); r != "/proc/sys" {
		t.Errorf("read-only %q", r)
	}
}

func TestEncodeInitWorkdirAndDescriptors(t *testing.T) {
	if rs := decodePlan(t, mustEncodeInit(t, testSpec(), InitOptions{ID: "abc"})); len(records(rs, 42))+len(records(rs, 10)) != 0 {
		t.Error("a workdir that may be made, or no descriptors to pass on, need no record")
	}
	rs := decodePlan(t, mustEncodeInit(t, testSpec(), InitOptions{ID: "abc", WorkdirMustExist: true, PreserveFDs: 2}))
	if got := records(rs, 42); len(got) != 1 || itemStr(t, got[0].items[0]) != "abc" {
		t.Errorf("the existing workdir's record: %v", got)
	}
	if got := records(rs, 10); len(got) != 1 || itemNum(t, got[0].items[0]) != 2 {
		t.Errorf("the descriptors' record: %v", got)
	}
	// On a mount, below one or above one: the mounts make it.
	for _, cwd := range []string{"/data", "/data/sub", "/tmp/x/y", "/proc/"} {
		s := testSpec()
		s.Process.Cwd = cwd
		s.Mounts = append(s.Mounts, specs.Mount{Destination: "/a/b/c", Type: "tmpfs", Source: "tmpfs"})
		if rs := decodePlan(t, mustEncodeInit(t, s, InitOptions{WorkdirMustExist: true})); len(records(rs, 42)) != 0 {
			t.Errorf("workdir %s is on a mount: it must not be required in the image", cwd)
		}
	}
	for _, cwd := range []string{"/a/b", "/a"} {
		s := testSpec()
		s.Process.Cwd = cwd
		s.Mounts = append(s.Mounts, specs.Mount{Destination: "/a/b/c", Type: "tmpfs", Source: "tmpfs"})
		if rs := decodePlan(t, mustEncodeInit(t, s, InitOptions{WorkdirMustExist: true})); len(records(rs, 42)) != 0 {
			t.Errorf("workdir %s holds a mount point: it must not be required in the image", cwd)
		}
	}
	s := testSpec()
	s.Process.Cwd = "/database"
	if rs := decodePlan(t, mustEncodeInit(t, s, InitOptions{WorkdirMustExist: true})); len(records(rs, 42)) != 1 {
		t.Error("/database is not on /data: it must be in the image")
	}
}

func mustEncodeInit(t *testing.T, s *specs.Spec, o InitOptions) []byte {
	t.Helper()
	b, err := EncodeInit(s, "", o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEncodeRefusesWhatCannotReachTheKernel(t *testing.T) {
	s := testSpec()
	s.Process.Env = append(s.Process.Env, "A=b\x00c")
	if _, err := EncodeInit(s, "", InitOptions{}); err == nil || !strings.Contains(err.Error(), "NUL") {
		t.Errorf("an environment with a NUL: %v", err)
	}
	s = testSpec()
	s.Process.Capabilities.Bounding = []string{"CAP_NO_SUCH"}
	if _, err := EncodeInit(s, "", InitOptions{}); err == nil || !strings.Contains(err.Error(), "CAP_NO_SUCH") {
		t.Errorf("an unknown capability: %v", err)
	}
	if _, err := EncodeExec(&specs.Process{}, nil, ""); err == nil {
		t.Error("a process without a command")
	}
}

func TestEncodeExecWithoutFilter(t *testing.T) {
	b, err := EncodeExec(&specs.Process{Args: []string{"ls"}, Terminal: true, ConsoleSize: &specs.Box{Height: 24, Width: 80}}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	rs := decodePlan(t, b)
	if len(records(rs, 9)) != 0 {
		t.Error("a seccomp filter without a profile")
	}
	term := records(rs, 8)
	if len(term) != 1 || itemNum(t, term[0].items[0]) != 24 || itemNum(t, term[0].items[1]) != 80 {
		t.Errorf("terminal %v", term)
	}
	if cwd := itemStr(t, records(rs, 3)[0].items[0]); cwd != "/" {
		t.Errorf("default working directory %q", cwd)
	}
	if len(records(rs, 32)) != 0 {
		t.Error("an exec's plan with a root")
	}
}

// Each rlimit is a record of its resource number, soft and hard limits
// (an unknown type is refused before anything starts); the umask one.
func TestEncodeRlimitsAndUmask(t *testing.T) {
	mask := uint32(0o027)
	p := &specs.Process{Args: []string{"ls"}, User: specs.User{Umask: &mask}, Rlimits: []specs.POSIXRlimit{
		{Type: "RLIMIT_NOFILE", Soft: 100, Hard: 200}, {Type: "RLIMIT_CORE", Soft: 0, Hard: 0},
	}}
	b, err := EncodeExec(p, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	rs := decodePlan(t, b)
	if um := records(rs, 12); len(um) != 1 || itemNum(t, um[0].items[0]) != 0o027 {
		t.Errorf("umask records %v, want one of 027", um)
	}
	rl := records(rs, 11)
	if len(rl) != 2 {
		t.Fatalf("%d rlimit records, want 2", len(rl))
	}
	got := [3]uint64{itemNum(t, rl[0].items[0]), itemNum(t, rl[0].items[1]), itemNum(t, rl[0].items[2])}
	if got != [3]uint64{unix.RLIMIT_NOFILE, 100, 200} {
		t.Errorf("nofile record %v", got)
	}
	if n := itemNum(t, rl[1].items[0]); n != unix.RLIMIT_CORE {
		t.Errorf("core's resource %d", n)
	}
	p.Rlimits = []specs.POSIXRlimit{{Type: "RLIMIT_BOGUS"}}
	if _, err := EncodeExec(p, nil, ""); err == nil || !strings.Contains(err.Error(), "RLIMIT_BOGUS") {
		t.Errorf("an unknown rlimit type: %v", err)
	}
}

// A domain name goes with a UTS namespace of the container's own only.
func TestEncodeDomainname(t *testing.T) {
	s := testSpec()
	s.Domainname = "example.test"
	b, err := EncodeInit(s, "", InitOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d := records(decodePlan(t, b), 43); len(d) != 1 || itemStr(t, d[0].items[0]) != "example.test" {
		t.Errorf("domain name records %v", d)
	}
	s.Linux.Namespaces[2].Path = "/proc/1/ns/uts"
	if b, err = EncodeInit(s, "", InitOptions{}); err != nil || len(records(decodePlan(t, b), 43)) != 0 {
		t.Errorf("a joined UTS namespace got a domain name (%v)", err)
	}
}
