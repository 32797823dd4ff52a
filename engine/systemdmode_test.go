package engine

import "testing"

func TestUsesSystemdMode(t *testing.T) {
	for _, tc := range []struct {
		mode string
		args []string
		want bool
	}{
		{"", []string{"/sbin/init"}, true},
		{SystemdTrue, []string{"/usr/lib/systemd/systemd", "--log-level=debug"}, true},
		{SystemdTrue, []string{"/bin/sh", "-c", "/usr/sbin/init"}, true},
		{SystemdTrue, []string{"top"}, false},
		{SystemdTrue, nil, false},
		{SystemdFalse, []string{"/sbin/init"}, false},
		{SystemdAlways, []string{"printenv"}, true},
	} {
		if got := usesSystemdMode(tc.mode, tc.args); got != tc.want {
			t.Errorf("--systemd=%s %v: systemd mode %v, want %v", tc.mode, tc.args, got, tc.want)
		}
	}
	if err := CheckSystemdMode("sometimes"); err == nil {
		t.Error("--systemd=sometimes was taken")
	}
}
