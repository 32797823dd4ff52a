package engine

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

func TestReadStat(t *testing.T) {
	st := readStat(os.Getpid())
	if st == nil || st.comm == "" || st.state == "" || st.ppid != os.Getppid() || st.start == 0 {
		t.Fatalf("readStat(self) = %+v", st)
	}
	if got := procStart(os.Getpid()); got != st.start {
		t.Errorf("procStart(self) = %d, want %d", got, st.start)
	}
	if readStat(-1) != nil || procStart(0) != 0 {
		t.Error("a process that does not exist has a stat")
	}
}

// A process that has exited but is not reaped yet no longer runs.
func TestProcStartOfAZombie(t *testing.T) {
	cmd := exec.Command("true")
	if err := cmd.Start(); err != nil {
		t.Skip("cannot start true:", err)
	}
	defer cmd.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st := readStat(cmd.Process.Pid)
		if st != nil && st.state == "Z" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the child never became a zombie: %+v", st)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := procStart(cmd.Process.Pid); got != 0 {
		t.Errorf("procStart of a zombie = %d, want 0", got)
	}
}
