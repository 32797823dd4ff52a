package limits

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// A fake cgroup tree: the user owns user@1000.service and below.
func fakeTree(t *testing.T) (root string, owner func(string) (int, error)) {
	root = t.TempDir()
	owned := map[string]int{}
	for dir, uid := range map[string]int{
		"":                                   0,
		"user.slice":                         0,
		"user.slice/user-1000.slice":         0,
		"user.slice/user-1000.slice/s.scope": 0,
		"user.slice/user-1000.slice/user@1000.service":                    1000,
		"user.slice/user-1000.slice/user@1000.service/app.slice":          1000,
		"user.slice/user-1000.slice/user@1000.service/app.slice/r.scope":  1000,
		"user.slice/user-1000.slice/user@1000.service/app.slice/r2.scope": 0,
	} {
		p := filepath.Join(root, dir)
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		owned[p] = uid
	}
	return root, func(p string) (int, error) {
		uid, ok := owned[p]
		if !ok {
			return 0, os.ErrNotExist
		}
		return uid, nil
	}
}

func TestFindBase(t *testing.T) {
	root, owner := fakeTree(t)
	svc := filepath.Join(root, "user.slice/user-1000.slice/user@1000.service")
	for self, want := range map[string]string{
		"/user.slice/user-1000.slice/user@1000.service/app.slice/r.scope": svc,
		"/user.slice/user-1000.slice/user@1000.service":                   svc,
	} {
		got, err := findBase(root, self, 1000, owner)
		if err != nil || got != want {
			t.Errorf("findBase(%s) = %q, %v; want %q", self, got, err, want)
		}
	}
	for _, self := range []string{"/user.slice/user-1000.slice/s.scope", "/user.slice/user-1000.slice/user@1000.service/app.slice/r2.scope"} {
		_, err := findBase(root, self, 1000, owner)
		if err == nil || !strings.Contains(err.Error(), self+" is not delegated to you") || !strings.Contains(err.Error(), "--cgroup-manager systemd") ||
			!strings.Contains(err.Error(), "Delegate=yes") {
			t.Errorf("findBase(%s): %v; want the reason and the fix", self, err)
		}
	}
	if _, err := findBase(root, "/gone.scope", 1000, owner); err == nil {
		t.Error("findBase of a missing cgroup passed")
	}
	// Owned all the way up: the walk stops at the root.
	got, err := findBase(root, "/user.slice", 0, owner)
	if err != nil || got != root {
		t.Errorf("findBase(/user.slice) as the owner of everything = %q, %v; want the root", got, err)
	}
}

func TestCPUMax(t *testing.T) {
	for _, c := range []struct {
		l    Limits
		want string
	}{
		{Limits{CPUs: 0.5}, "50000 100000"},
		{Limits{CPUs: 1.5, CPUPeriod: 50000}, "75000 50000"},
		{Limits{CPUQuota: 20000}, "20000 100000"},
		{Limits{CPUQuota: -1}, "max 100000"},
		{Limits{CPUPeriod: 10000}, "max 10000"},
		{Limits{}, ""},
	} {
		got, ok := cpuMax(c.l)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("cpuMax(%+v) = %q, %v; want %q", c.l, got, ok, c.want)
		}
	}
}

func fakeDevnum(p string) (string, error) {
	switch p {
	case "/dev/vda":
		return "254:0", nil
	case "/dev/sda", "/dev/disk/by-id/x":
		return "8:0", nil
	}
	return "", errors.New("no such device")
}

func TestIOMaxLines(t *testing.T) {
	l := Limits{
		DeviceReadBps:   []Throttle{{"/dev/vda", 1 << 20}},
		DeviceWriteBps:  []Throttle{{"/dev/vda", 2 << 20}, {"/dev/sda", 500}},
		DeviceWriteIOps: []Throttle{{"/dev/disk/by-id/x", 100}},
		DeviceReadIOps:  []Throttle{{"/dev/vda", 7}},
	}
	got, err := ioMaxLines(l, fakeDevnum)
	want := []string{"254:0 rbps=1048576 wbps=2097152 riops=7", "8:0 wbps=500 wiops=100"}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ioMaxLines = %q, %v; want %q", got, err, want)
	}
	if _, err := ioMaxLines(Limits{DeviceReadBps: []Throttle{{"/dev/nope", 1}}}, fakeDevnum); err == nil {
		t.Error("an unknown device was accepted")
	}
}

func TestCgroupfsSettings(t *testing.T) {
	all := func(string) bool { return true }
	none := func(string) bool { return false }
	got, err := cgroupfsSettings(Limits{Memory: 64 << 20, MemorySwap: 96 << 20, CPUs: 0.5, CPUShares: 1024, CpusetCpus: "0-1",
		BlkioWeight: 500, DeviceWriteBps: []Throttle{{"/dev/vda", 1 << 20}}}, true, all, fakeDevnum)
	want := []setting{
		{"memory.max", "67108864"}, {"memory.swap.max", "33554432"}, {"memory.oom.group", "1"},
		{"cpu.max", "50000 100000"}, {"cpu.weight", "39"}, {"cpuset.cpus", "0-1"},
		{"pids.max", "2048"}, {"io.weight", "default 4950"}, {"io.max", "254:0 wbps=1048576"},
	}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("settings at start:\n got %v, %v\nwant %v", got, err, want)
	}
	// Where pids and memory are not delegated, the defaults are skipped.
	if got, err := cgroupfsSettings(Limits{}, true, none, fakeDevnum); err != nil || len(got) != 0 {
		t.Errorf("no limits, no controllers: %v, %v", got, err)
	}
	// An update writes only what is given.
	got, err = cgroupfsSettings(Limits{Memory: 128 << 20, PidsLimit: -1}, false, all, fakeDevnum)
	want = []setting{{"memory.max", "134217728"}, {"pids.max", "max"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("settings of an update: %v, %v; want %v", got, err, want)
	}
	if _, err := cgroupfsSettings(Limits{CpusetCpus: "3-1"}, true, all, fakeDevnum); err == nil {
		t.Error("a bad CPU list was accepted")
	}
}

func TestCheckCgroupfs(t *testing.T) {
	m := &cgroupfs{host: host{controllers: []string{"memory", "pids"}}, base: "/sys/fs/cgroup/x"}
	if err := m.Check(Limits{Memory: 1 << 20, PidsLimit: 5}); err != nil {
		t.Errorf("memory and pids delegated: %v", err)
	}
	err := m.Check(Limits{CPUs: 1, BlkioWeight: 100})
	if err == nil || !strings.Contains(err.Error(), "the cpu, io controller") || !strings.Contains(err.Error(), "/sys/fs/cgroup/x/cgroup.subtree_control") {
		t.Errorf("cpu and io not delegated: %v", err)
	}
}

func TestWriteSettingsAndRemove(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "burrow", "abc")
	os.MkdirAll(dir, 0o755)
	if err := writeSettings(dir, []setting{{"memory.max", "1"}}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "memory.max")); string(b) != "1" {
		t.Errorf("memory.max = %q", b)
	}
	err := writeSettings(filepath.Join(dir, "missing"), []setting{{"pids.max", "5"}})
	if err == nil || !strings.Contains(err.Error(), "setting pids.max to \"5\" in cgroup") {
		t.Errorf("a failed write: %v", err)
	}
	os.Remove(filepath.Join(dir, "memory.max"))
	if err := (&cgroupfs{}).Exited("other", dir); err != nil || !exists(dir) {
		t.Errorf("a cgroup not named for the container was touched: %v", err)
	}
	if err := (&cgroupfs{}).Exited("abc", dir); err != nil || exists(dir) {
		t.Errorf("removing the container's cgroup: %v", err)
	}
	if err := (&cgroupfs{}).Exited("abc", dir); err != nil {
		t.Errorf("removing it twice: %v", err)
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
