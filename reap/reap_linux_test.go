package reap

import (
	"os/exec"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A child reaped later leaves no zombie once it exits.
func TestLaterReaps(t *testing.T) {
	cmd := exec.Command("sleep", "0.1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	Later(pid)
	deadline := time.Now().Add(10 * time.Second)
	for {
		// Reaped: the PID is no child of ours any more.
		var ws unix.WaitStatus
		if _, err := unix.Wait4(pid, &ws, unix.WNOHANG, nil); err == unix.ECHILD {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the child was not reaped")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
