package main

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// socketActivation hands systemd's socket activation of this command on
// to the container, as podman's run and start do: with LISTEN_FDS set,
// the process gets LISTEN_FDS, LISTEN_FDNAMES and LISTEN_PID=1 (its own
// PID in the container), and the descriptors 3, 4, ... when this command
// was given them all (systemd passes them open, without close-on-exec).
// A unit that starts burrow sets the variables for burrow's PID; podman
// passes them whatever that PID, and so does burrow. --preserve-fds
// (preserving > 0) takes the descriptors instead, as podman's warns.
func socketActivation(preserving uint) (env []string, fds []int) {
	n, ok := os.LookupEnv("LISTEN_FDS")
	if !ok {
		return nil, nil
	}
	env = []string{"LISTEN_FDS=" + n, "LISTEN_PID=1"}
	if names, ok := os.LookupEnv("LISTEN_FDNAMES"); ok {
		env = append(env, "LISTEN_FDNAMES="+names)
	}
	count, err := strconv.Atoi(n)
	if err != nil || count <= 0 {
		return env, nil
	}
	if preserving > 0 {
		warn("Ignoring LISTEN_FDS to preserve custom user-specified FDs")
		return env, nil
	}
	for fd := 3; fd < 3+count; fd++ {
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil || flags&unix.FD_CLOEXEC != 0 {
			return env, nil // not systemd's: pass none rather than others
		}
		fds = append(fds, fd)
	}
	return env, fds
}
