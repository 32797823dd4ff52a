package limits

import "testing"

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int64{"512m": 512 << 20, "1g": 1 << 30, "1gb": 1 << 30, "100k": 100 << 10, "1048576": 1048576, "64MiB": 64 << 20, "1.5g": 3 << 29} {
		got, err := ParseBytes(in)
		if err != nil || got != want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "x", "-1m", "1q"} {
		if _, err := ParseBytes(bad); err == nil {
			t.Errorf("ParseBytes(%q) accepted", bad)
		}
	}
}

func TestCpusetBits(t *testing.T) {
	b, err := cpusetBits("0-2,9")
	if err != nil || len(b) != 2 || b[0] != 0b111 || b[1] != 0b10 {
		t.Errorf("cpusetBits(0-2,9) = %08b, %v", b, err)
	}
	if _, err := cpusetBits("3-1"); err == nil {
		t.Error("a reversed range was accepted")
	}
}

func TestCheckWithoutManager(t *testing.T) {
	var m Manager = &systemd{host: host{why: "cgroup v1"}}
	if err := m.Check(Limits{}); err != nil {
		t.Errorf("no limits asked for: %v", err)
	}
	if err := m.Check(Limits{Memory: 1 << 20}); err == nil {
		t.Error("a memory limit on a host without cgroup v2 passed")
	}
	m = &systemd{host: host{controllers: []string{"pids"}}}
	if err := m.Check(Limits{PidsLimit: 10}); err != nil {
		t.Errorf("pids delegated: %v", err)
	}
	if err := m.Check(Limits{Memory: 1 << 20}); err == nil {
		t.Error("memory not delegated, yet the limit passed")
	}
}
