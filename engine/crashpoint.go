package engine

import (
	"os"

	"golang.org/x/sys/unix"
)

// crashAt is the step at which this process kills itself, for the
// fault-injection tests (tests/crash_test.go): they prove that a command
// killed at any step of a launch, a stop, a removal, a commit or a build
// leaves records that match the processes and nothing the next command
// keeps. Empty in normal use.
var crashAt = os.Getenv("_BURROW_CRASH_AT")

// crashPoint is a named step where a kill -9 is tried.
func crashPoint(step string) {
	if crashAt != "" && crashAt == step {
		unix.Kill(os.Getpid(), unix.SIGKILL)
	}
}
