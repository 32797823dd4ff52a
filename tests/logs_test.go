package tests

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// chatty is a container command that writes numbered lines as fast as it
// can, forever.
var chatty = []string{"sh", "-c", "i=0; while :; do i=$((i+1)); echo line $i; done"}

// lastLogLine is the number of the last "line N" in the container's log.
func lastLogLine(t testing.TB, name string) int {
	t.Helper()
	out := must(t, "logs", "--tail", "1", name)
	n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(out), "line "))
	if err != nil {
		t.Fatalf("logs --tail 1 printed %q, want one line N", out)
	}
	return n
}

// TestAttachedClientThatNeverReads attaches to a chatty container through
// the API and never reads: the monitor drops the client once it falls
// behind, so the log goes on growing and a stop does not wait for it.
func TestAttachedClientThatNeverReads(t *testing.T) {
	t.Parallel()
	host := apiService(t)
	name := ctrName(t)
	runDetached(t, name, nil, chatty...)
	conn, err := net.Dial("unix", strings.TrimPrefix(host, "unix://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.(*net.UnixConn).SetReadBuffer(4096)
	fmt.Fprintf(conn, "POST /v1.41/containers/%s/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\n"+
		"Host: burrow\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n", name)
	// Long enough for every buffer between the container and this
	// client to fill.
	time.Sleep(3 * time.Second)
	before := lastLogLine(t, name)
	time.Sleep(time.Second)
	if after := lastLogLine(t, name); after <= before {
		t.Errorf("the log stopped growing (line %d, a second later %d) while an attached client did not read", before, after)
	}
	start := time.Now()
	r := burrow(t, "stop", "-t", "2", name)
	if took := time.Since(start); r.ExitCode != 0 || took > 10*time.Second {
		t.Errorf("stop -t 2 with an attached client that does not read: %v, %s", took, describe(r))
	}
}

// TestForegroundOutputIsNotLost pipes a foreground run into a reader that
// pauses: the container waits for it, as with podman and docker, and
// nothing is lost.
func TestForegroundOutputIsNotLost(t *testing.T) {
	t.Parallel()
	const size = 10_000_000
	cmd := exec.Command(burrowBin(t), "run", "--rm", busyboxImage(t), "sh", "-c", fmt.Sprintf("yes 0123456789 | head -c %d", size))
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = pw, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	time.Sleep(3 * time.Second) // far behind the container, and not reading
	n, _ := io.Copy(io.Discard, pr)
	if err := cmd.Wait(); err != nil || n != size {
		t.Errorf("run | a reader that pauses: %d bytes of %d, %v\n%s", n, size, err, stderr.String())
	}
}
