// Package reap takes the end of a child process that runs on after the
// call that started it returns.
package reap

import (
	"os"

	"golang.org/x/sys/unix"
)

// Later reaps the child pid once it exits, so that a long-lived parent
// (the API service) leaves no zombie behind it. The goroutine waits in the
// runtime's poller on a pidfd: one blocked in wait4 holds a P in a system
// call, and a short command whose other goroutine then blocks on a socket
// (an attached run reading its container's exit) waited for the
// scheduler's monitor, up to 10 ms, to notice the socket was ready.
// Without pidfds (before Linux 5.3) it blocks in wait4.
func Later(pid int) {
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		go func() {
			var ws unix.WaitStatus
			unix.Wait4(pid, &ws, 0, nil)
		}()
		return
	}
	f := os.NewFile(uintptr(fd), "pidfd")
	go func() {
		defer f.Close()
		rc, err := f.SyscallConn()
		if err != nil {
			return
		}
		rc.Read(func(uintptr) bool {
			var ws unix.WaitStatus
			wpid, err := unix.Wait4(pid, &ws, unix.WNOHANG, nil)
			return wpid == pid || (err != nil && err != unix.EINTR)
		})
	}()
}
