package sandbox

import (
	"encoding/json"
	"fmt"

	"golang.org/x/sys/unix"
)

// Message types of the init protocol, which the C children send
// (process_linux.c, init_linux.c) and the monitor answers.
const (
	msgPty   = "pty"   // child → parent, carries the pty master as SCM_RIGHTS
	msgError = "error" // child → parent: setting up or exec failed
)

// Error kinds carried by an error message (child.h's KIND_).
const (
	kindSetup        = "setup"
	kindNotFound     = "notfound"
	kindCannotInvoke = "cannotinvoke"
)

type message struct {
	Type    string `json:"type"`
	Kind    string `json:"kind,omitempty"`
	Message string `json:"message,omitempty"`
}

// recvMsg reads one message; io.EOF-like end of stream is reported as a
// message of empty Type.
func recvMsg(fd int) (message, []int, error) {
	buf := make([]byte, 64*1024)
	oob := make([]byte, unix.CmsgSpace(4*4))
	for {
		n, oobn, _, _, err := unix.Recvmsg(fd, buf, oob, unix.MSG_CMSG_CLOEXEC)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return message{}, nil, err
		}
		if n == 0 && oobn == 0 {
			return message{}, nil, nil
		}
		var fds []int
		if oobn > 0 {
			scms, err := unix.ParseSocketControlMessage(oob[:oobn])
			if err != nil {
				return message{}, nil, err
			}
			for _, scm := range scms {
				got, err := unix.ParseUnixRights(&scm)
				if err == nil {
					fds = append(fds, got...)
				}
			}
		}
		var m message
		if err := json.Unmarshal(buf[:n], &m); err != nil {
			return message{}, fds, fmt.Errorf("malformed init message: %w", err)
		}
		return m, fds, nil
	}
}
