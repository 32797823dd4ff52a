// Package timing prints, when BURROW_TRACE is set, when each phase of a
// command ends, so that the milliseconds of a start can be told apart
// (docs/performance.md). Unset, a mark costs one branch.
//
// BURROW_TRACE=1 measures from the binary's ELF constructor; a number,
// such as a shell's $EPOCHREALTIME taken just before the command, is the
// origin instead (seconds since the epoch), so that the exec and the
// dynamic loader's work are counted too. Each line goes to stderr:
//
//	burrow-trace PID +ELAPSED_MS (+SINCE_LAST_MS) PHASE
package timing

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"
)

var (
	on     = os.Getenv("BURROW_TRACE") != ""
	mu     sync.Mutex
	origin time.Time
	last   time.Time
)

// On reports whether phases are traced.
func On() bool { return on }

// Start sets the origin the marks are measured from, where BURROW_TRACE
// gives none: the process's own start, as its constructor saw it.
func Start(t time.Time) {
	if !on {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	if s, err := strconv.ParseFloat(os.Getenv("BURROW_TRACE"), 64); err == nil && s > 1e9 {
		sec := int64(s)
		t = time.Unix(sec, int64((s-float64(sec))*1e9))
	}
	origin, last = t, t
}

// Mark says that the phase named ends now.
func Mark(phase string) {
	if on {
		MarkAt(phase, time.Now())
	}
}

// MarkAt says that the phase named ended at t.
func MarkAt(phase string, t time.Time) {
	if !on {
		return
	}
	mu.Lock()
	defer mu.Unlock()
	if origin.IsZero() {
		origin, last = t, t
	}
	fmt.Fprintf(os.Stderr, "burrow-trace %d +%.2fms (+%.2fms) %s\n", os.Getpid(),
		float64(t.Sub(origin).Microseconds())/1000, float64(t.Sub(last).Microseconds())/1000, phase)
	last = t
}
