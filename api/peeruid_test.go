package api

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// serveHello answers every connection l accepts with "hello".
func serveHello(t *testing.T, l net.Listener) {
	t.Helper()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("hello"))
			c.Close()
		}
	}()
	t.Cleanup(func() { l.Close() })
}

// TestSameUserListenerAcceptsOwner: a connection of the service's own user
// is served, on IPv4 and IPv6 loopback.
func TestSameUserListenerAcceptsOwner(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0"} {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Logf("%s: %v (no such loopback here)", addr, err)
			continue
		}
		serveHello(t, SameUserListener(l))
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		b, _ := io.ReadAll(c)
		c.Close()
		if string(b) != "hello" {
			t.Errorf("%s: the owner's connection read %q, want hello", addr, b)
		}
	}
}

// TestSameUserListenerRefusesOtherUser: a real connection from another
// local user (nobody, through bash's /dev/tcp) is closed unanswered, while
// the service's own user is answered. Needs root to start the other user's
// process.
func TestSameUserListenerRefusesOtherUser(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to connect as another user (make unit runs as root)")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("needs bash for its /dev/tcp")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveHello(t, SameUserListener(l))
	port := l.Addr().(*net.TCPAddr).Port
	dial := func(uid uint32) string {
		cmd := exec.Command(bash, "-c", fmt.Sprintf("exec 3<>/dev/tcp/127.0.0.1/%d && timeout 10 cat <&3", port))
		cmd.Dir = "/"
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Logf("uid %d: %v: %s", uid, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if got := dial(0); got != "hello" {
		t.Fatalf("the service's own user read %q, want hello", got)
	}
	if got := dial(65534); got != "" {
		t.Errorf("another user (nobody) read %q from the service: want the connection closed unanswered", got)
	}
}
