package main

import (
	"strings"
	"testing"
	"time"

	"github.com/burrow-containers/burrow/engine"
)

func TestTopDescriptors(t *testing.T) {
	procs := []engine.Process{
		{User: "root", PID: 1, Command: "/pause", Comm: "pause", HostPID: 100, State: "S", Elapsed: time.Second, TTY: "?"},
		{User: "root", PID: 1, Command: "/pause", Comm: "pause", HostPID: 100, State: "S"}, // the same, seen from a second member
		{User: "1000", PID: 7, PPID: 1, Command: "sleep 9", Comm: "sleep", HostPID: 107, State: "R", TTY: "pts/0"},
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "USER  PID  PPID  %CPU   ELAPSED  TTY    TIME  COMMAND\nroot  1    0     0.000  1s       ?      0s    /pause\n1000  7    1     0.000  0s       pts/0  0s    sleep 9\n"},
		{[]string{"pid,comm", "state"}, "PID  COMMAND  STATE\n1    pause    S\n7    sleep    R\n"},
		{[]string{"hpid", "args"}, "HPID  COMMAND\n100   /pause\n107   sleep 9\n"},
	} {
		cols, err := parseTopDescriptors(tc.args)
		if err != nil {
			t.Fatalf("%q: %v", tc.args, err)
		}
		var b strings.Builder
		tab := newTopTable(&b, cols)
		tab.add(procs)
		tab.flush()
		if b.String() != tc.want {
			t.Errorf("%q:\n%s\nwant:\n%s", tc.args, b.String(), tc.want)
		}
	}
	if _, err := parseTopDescriptors([]string{"-eo", "pid"}); err == nil || !strings.HasPrefix(err.Error(), "'-eo pid': unknown descriptor") {
		t.Errorf("ps(1) options: %v, want podman's unknown descriptor", err)
	}
}
