package api

import (
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/sirupsen/logrus"
	"github.com/vishvananda/netlink"
)

// SameUserListener accepts only the connections whose peer socket, on this
// host, belongs to the user the service runs as; it closes the others and
// logs one line for each. It guards a plain-TCP listener on a loopback
// address: every local user reaches 127.0.0.1, and whoever talks to the
// service controls the user's containers. The peer's owner comes from the
// kernel (sock_diag of the connection's 4-tuple), mapped into the user
// namespace the service runs in, as its own uid is.
func SameUserListener(l net.Listener) net.Listener {
	return &sameUserListener{Listener: l, uid: uint32(os.Getuid())}
}

type sameUserListener struct {
	net.Listener
	uid uint32
}

func (l *sameUserListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		uid, err := peerUID(c)
		if err == nil && uid == l.uid {
			return c, nil
		}
		if err != nil {
			logrus.Warnf("refused a connection from %s: its owner is unknown: %v", c.RemoteAddr(), err)
		} else {
			logrus.Warnf("refused a connection from %s: it belongs to uid %d, not to the service's user", c.RemoteAddr(), uid)
		}
		c.Close()
	}
}

// peerUID is the owner of the socket at the other end of a TCP connection
// on this host: the socket whose source is c's remote address and whose
// destination is c's local one.
func peerUID(c net.Conn) (uint32, error) {
	local, ok1 := c.LocalAddr().(*net.TCPAddr)
	remote, ok2 := c.RemoteAddr().(*net.TCPAddr)
	if !ok1 || !ok2 {
		return 0, errors.New("not a TCP connection")
	}
	s, err := netlink.SocketGet(remote, local)
	if err != nil {
		return 0, fmt.Errorf("looking up the peer socket: %w", err)
	}
	// The kernel matches a dump by ports only: make sure of the addresses.
	if !s.ID.Source.Equal(remote.IP) || !s.ID.Destination.Equal(local.IP) ||
		int(s.ID.SourcePort) != remote.Port || int(s.ID.DestinationPort) != local.Port {
		return 0, fmt.Errorf("the kernel answered for another socket (%s:%d)", s.ID.Source, s.ID.SourcePort)
	}
	return s.UID, nil
}
