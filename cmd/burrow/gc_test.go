package main

import (
	"os"
	"runtime/debug"
	"testing"
	"time"
)

func TestTuneGCRespectsTheUsersGOGC(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)

	t.Setenv("GOGC", "50")
	tuneGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set, tuneGC changed GOGC to %d", got)
	}

	os.Unsetenv("GOGC") // t.Setenv restores it
	tuneGC()
	if got := debug.SetGCPercent(100); got != cliGCPercent {
		t.Errorf("a command's GOGC is %d, want %d", got, cliGCPercent)
	}
	serviceGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("the service's GOGC is %d, want 100", got)
	}
}

func TestAttachedGCWaitsBeforeGoingBack(t *testing.T) {
	old := debug.SetGCPercent(cliGCPercent)
	defer debug.SetGCPercent(old)
	os.Unsetenv("GOGC")

	stop := attachedGC()
	if got := debug.SetGCPercent(cliGCPercent); got != cliGCPercent {
		t.Fatalf("right after the attach GOGC is %d, want %d", got, cliGCPercent)
	}
	if !stop() {
		t.Fatal("the switch back ran before attachedGCDelay")
	}
	time.Sleep(attachedGCDelay + 100*time.Millisecond)
	if got := debug.SetGCPercent(cliGCPercent); got != cliGCPercent {
		t.Errorf("a stopped switch set GOGC to %d", got)
	}

	attachedGC()
	time.Sleep(attachedGCDelay + 200*time.Millisecond)
	if got := debug.SetGCPercent(cliGCPercent); got != 100 {
		t.Errorf("after attachedGCDelay GOGC is %d, want 100", got)
	}
}
