package monitor

import (
	"encoding/json"
	"fmt"
	"os"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/sandbox"
)

// StartMain is the starter role: the monitor's short-lived child that
// builds the container from the spec in _BURROW_MON_SPEC with its own stdio
// (the monitor's pipes), reports "pid N" (with the pty master when there is
// a terminal) on fd 3, and exits, leaving the container's init to the
// monitor, which is a subreaper.
func StartMain() {
	report := os.NewFile(3, "report")
	err := start(report)
	if err != nil {
		sendReport(report, encodeError(err), -1)
		os.Exit(1)
	}
	os.Exit(0)
}

func start(report *os.File) error {
	b, err := os.ReadFile(os.Getenv("_BURROW_MON_SPEC"))
	if err != nil {
		return fmt.Errorf("reading the container's spec: %w", err)
	}
	var spec specs.Spec
	if err := json.Unmarshal(b, &spec); err != nil {
		return fmt.Errorf("reading the container's spec: %w", err)
	}
	ctr, err := sandbox.Start(&spec, sandbox.Options{InheritStdio: true})
	if err != nil {
		return err
	}
	ptyFd := -1
	if ctr.Pty != nil {
		ptyFd = int(ctr.Pty.Fd())
	}
	return sendReport(report, fmt.Sprintf("pid %d\n", ctr.Pid), ptyFd)
}

func sendReport(report *os.File, msg string, fd int) error {
	var oob []byte
	if fd >= 0 {
		oob = unix.UnixRights(fd)
	}
	return unix.Sendmsg(int(report.Fd()), []byte(msg), oob, nil, 0)
}
