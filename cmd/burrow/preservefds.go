package main

import (
	"golang.org/x/sys/unix"
)

// preservedFDs are the descriptors --preserve-fds=n passes on, 3 to 3+n-1,
// each of which this command must have been given, as podman's has it.
// Given means open without close-on-exec: a descriptor survives an exec
// only so, and every one this process opens itself (the Go runtime's
// cgroup files among them) has the flag.
func preservedFDs(n uint) ([]int, error) {
	var fds []int
	for fd := 3; fd < 3+int(n); fd++ {
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil || flags&unix.FD_CLOEXEC != 0 {
			return nil, invalidf("file descriptor %d is not available - the preserve-fds option requires that file descriptors must be passed", fd)
		}
		fds = append(fds, fd)
	}
	return fds, nil
}
