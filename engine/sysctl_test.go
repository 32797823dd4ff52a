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
