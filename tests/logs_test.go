package tests

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"regexp"
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

// logFileSize is the size of the container's log, as its owner sees it.
func logFileSize(t testing.TB, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatalf("the container's log: %v", err)
	}
	return st.Size()
}

func TestLogMaxSize(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	runDetached(t, name, []string{"--log-opt", "max-size=64kb"}, chatty...)
	if got := inspectField(t, name, "{{.HostConfig.LogConfig.Type}} {{.HostConfig.LogConfig.Size}}"); got != "k8s-file 64kB" {
		t.Errorf("inspect's LogConfig: %q, want k8s-file 64kB", got)
	}
	path := inspectField(t, name, "{{.LogPath}}")
	var largest int64
	for range 20 {
		largest = max(largest, logFileSize(t, path))
		time.Sleep(100 * time.Millisecond)
	}
	if largest > 64000 {
		t.Errorf("the log grew to %d bytes with max-size=64kb", largest)
	}
	// About 30 bytes a line: the container wrote far more than the log
	// holds, and logs shows the latest of it.
	if n := lastLogLine(t, name); n < 10000 {
		t.Errorf("after 2 s the log's last line is line %d", n)
	}
	if out := must(t, "logs", name); strings.HasPrefix(out, "line 1\n") || len(out) > 64000 {
		t.Errorf("logs after rotation: %d bytes starting with %q", len(out), out[:min(len(out), 20)])
	}
}

func TestLogsTailOfABigLog(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/usr/bin/time"); err != nil {
		t.Skip("/usr/bin/time (Debian's time) is not installed: it measures the CLI's memory")
	}
	name := ctrName(t)
	// About 100 MB of log: 200000 lines of 480 bytes, then 1..5.
	runDetached(t, name, nil, "sh", "-c", "yes "+strings.Repeat("0123456789", 48)+" | head -n 200000; seq 1 5")
	must(t, "wait", name)
	if size := logFileSize(t, inspectField(t, name, "{{.LogPath}}")); size < 100e6 {
		t.Fatalf("the log is %d bytes, want 100 MB or more", size)
	}
	cmd := exec.Command("/usr/bin/time", "-v", burrowBin(t), "logs", "--tail", "3", name)
	start := time.Now()
	r := runCommand(t, cmd)
	took := time.Since(start)
	if r.ExitCode != 0 || r.Stdout != "3\n4\n5\n" {
		t.Fatalf("logs --tail 3: %s", describe(r))
	}
	m := regexp.MustCompile(`Maximum resident set size \(kbytes\): (\d+)`).FindStringSubmatch(r.Stderr)
	if m == nil {
		t.Fatalf("no maximum RSS from /usr/bin/time:\n%s", r.Stderr)
	}
	// The CLI alone takes about 35 MB; reading the log whole took twice
	// its size.
	if kb, _ := strconv.Atoi(m[1]); kb > 64<<10 {
		t.Errorf("logs --tail 3 of a 100 MB log took %d kB of memory", kb)
	}
	if took > 5*time.Second {
		t.Errorf("logs --tail 3 of a 100 MB log took %v", took)
	}
}

func TestLogsFollowAcrossRotation(t *testing.T) {
	t.Parallel()
	name := ctrName(t)
	// 400 lines of about 140 bytes in the log, 5 ms apart, in logs of 10
	// kB: five rotations and more, each a few hundred ms apart.
	runDetached(t, name, []string{"--log-opt", "max-size=10kb"}, "sh", "-c",
		"sleep 0.5; i=0; while [ $i -lt 400 ]; do i=$((i+1)); echo line $i "+strings.Repeat("x", 90)+"; sleep 0.005; done")
	r := burrow(t, "logs", "-f", name)
	lines := nonEmptyLines(r.Stdout)
	if r.ExitCode != 0 || len(lines) != 400 {
		t.Fatalf("logs -f across rotations: %d lines, want 400:\n%s", len(lines), describe(r))
	}
	for i, l := range lines {
		if !strings.HasPrefix(l, fmt.Sprintf("line %d ", i+1)) {
			t.Fatalf("logs -f: line %d is %q", i+1, l)
		}
	}
	if out := must(t, "logs", name); strings.HasPrefix(out, "line 1 ") {
		t.Errorf("the log was not rotated: logs starts with line 1")
	}
}

func TestLogDrivers(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	t.Run("none", func(t *testing.T) {
		t.Parallel()
		name := ctrName(t)
		runDetached(t, name, []string{"--log-driver", "none"}, "echo", "hello")
		must(t, "wait", name)
		if got := inspectField(t, name, "{{.HostConfig.LogConfig.Type}}|{{.LogPath}}"); got != "none|" {
			t.Errorf("inspect: %q, want none and no log path", got)
		}
		r := burrow(t, "logs", name)
		if r.ExitCode != 125 || !strings.Contains(r.Stderr, "this container is using the 'none' log driver, cannot read logs") {
			t.Errorf("logs of a --log-driver none container: %s", describe(r))
		}
	})
	t.Run("json-file is a k8s-file kept under its name", func(t *testing.T) {
		t.Parallel()
		name := ctrName(t)
		runDetached(t, name, []string{"--log-driver", "json-file"}, "echo", "hello")
		must(t, "wait", name)
		if got := inspectField(t, name, "{{.HostConfig.LogConfig.Type}}"); got != "json-file" {
			t.Errorf("inspect: %q, want json-file as given, as podman's", got)
		}
		if out := must(t, "logs", name); out != "hello\n" {
			t.Errorf("logs: %q", out)
		}
	})
	t.Run("passthrough", func(t *testing.T) {
		t.Parallel()
		name := ctrName(t)
		t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
		r := burrowStdin(t, "through stdin\n", "run", "-i", "--name", name, "--log-driver", "passthrough", img,
			"sh", "-c", "cat; echo to-stderr >&2; exit 3")
		if r.ExitCode != 3 || r.Stdout != "through stdin\n" || r.Stderr != "to-stderr\n" {
			t.Errorf("run --log-driver passthrough: %s", describe(r))
		}
		r = burrow(t, "logs", name)
		if r.ExitCode != 125 || !strings.Contains(r.Stderr, "'passthrough' log driver, cannot read logs") {
			t.Errorf("logs of a passthrough container: %s", describe(r))
		}
		// Detached, the ID is not printed: stdout is the container's.
		r = burrow(t, "run", "-d", "--rm", "--log-driver", "passthrough", img, "echo", "from-the-container")
		if r.ExitCode != 0 || r.Stdout != "from-the-container\n" {
			t.Errorf("run -d --log-driver passthrough: %s", describe(r))
		}
	})
	t.Run("passthrough refuses a terminal", func(t *testing.T) {
		t.Parallel()
		p, _ := startOnPty(t, 24, 80, "run", "--rm", "--log-driver", "passthrough", img, "echo", "hello")
		if code := p.exitCode(t, time.Minute); code != 125 || !strings.Contains(p.out.String(), "terminal") {
			t.Errorf("run --log-driver passthrough on a terminal: exit %d:\n%s", code, p.out.String())
		}
	})
	t.Run("bad input", func(t *testing.T) {
		t.Parallel()
		for _, args := range [][]string{
			{"--log-driver", "journald"}, {"--log-opt", "max-size=lots"}, {"--log-opt", "path=/tmp/x"},
			{"--log-driver", "passthrough", "-t"},
		} {
			name := ctrName(t)
			r := burrow(t, append(append([]string{"run", "--name", name}, args...), img, "true")...)
			if r.ExitCode != 125 || len(nonEmptyLines(r.Stderr)) != 1 {
				t.Errorf("run %v: want exit 125 and one line, got %s", args, describe(r))
			}
			if st := psStatus(t, name); st != "" {
				t.Errorf("run %v left a container: %q", args, st)
			}
		}
	})
}
