package main

import (
	"os"
	"runtime/debug"
	"testing"
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
