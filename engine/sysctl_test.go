package engine

import "testing"

func TestParseSysctls(t *testing.T) {
	if _, err := ParseSysctls([]string{"net.ipv4.ip_unprivileged_port_start=80", "net.core.somaxconn=512"}); err != nil {
		t.Errorf("network sysctls: %v", err)
	}
	for _, bad := range []string{"kernel.msgmax=1", "net.ipv4.ping_group_range", "net/../../x=1", "=1"} {
		if _, err := ParseSysctls([]string{bad}); err == nil {
			t.Errorf("--sysctl %q accepted", bad)
		}
	}
}

func TestCheckSysctlsNetwork(t *testing.T) {
	for _, tc := range []struct {
		network string
		ok      bool
	}{
		{"", true}, {NetworkSlirp, true}, {NetworkPasta, true}, {NetworkBridge, true},
		{NetworkHost, false}, {NetworkNone, false}, {"container:db", false},
	} {
		err := checkSysctlsNetwork(&Config{Network: tc.network, Sysctls: []string{"net.ipv4.ping_group_range=0 0"}})
		if (err == nil) != tc.ok {
			t.Errorf("network %q: %v", tc.network, err)
		}
		if err := checkSysctlsNetwork(&Config{Network: tc.network}); err != nil {
			t.Errorf("network %q without sysctls: %v", tc.network, err)
		}
	}
}
