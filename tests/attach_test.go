package tests

import (
	"strings"
	"testing"
	"time"
)

// TestAttachAndDetachKeys: attach passes stdin to a running container and
// exits with its code; the detach keys (ctrl-p,ctrl-q by default, or
// --detach-keys) leave it running with exit 0, from attach and from an
// attached run alike, and the monitor still records its exit (or removes
// a --rm one); attach to a stopped container is podman's error.
func TestAttachAndDetachKeys(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	reader, catter, later, gone := ctrName(t), ctrName(t)+"-cat", ctrName(t)+"-later", ctrName(t)+"-rm"
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", reader, catter, later, gone) })
	must(t, "run", "-d", "-i", "--name", reader, img, "sh", "-c", "while read l; do echo got:$l; done; exit 3")
	r := burrowStdin(t, "a\n", "attach", reader)
	if r.ExitCode != 3 || strings.TrimSpace(r.Stdout) != "got:a" {
		t.Errorf("attach with stdin a: exit %d, %q; want 3 and got:a", r.ExitCode, r.Stdout)
	}
	must(t, "run", "-d", "-i", "--name", catter, img, "cat")
	if r := burrowStdin(t, "\x10\x11", "attach", catter); r.ExitCode != 0 {
		t.Errorf("attach, then ctrl-p ctrl-q: exit %d, %q", r.ExitCode, r.Stderr)
	}
	if r := burrowStdin(t, "\x01", "attach", "--detach-keys", "ctrl-a", catter); r.ExitCode != 0 {
		t.Errorf("attach --detach-keys ctrl-a, then ctrl-a: exit %d, %q", r.ExitCode, r.Stderr)
	}
	if got := strings.TrimSpace(must(t, "inspect", "--format", "{{.State.Status}}", catter)); got != "running" {
		t.Errorf("after the detaches the container is %s, want running", got)
	}
	if r := burrowStdin(t, "\x10\x11", "run", "-i", "--name", later, img, "sh", "-c", "sleep 1; exit 5"); r.ExitCode != 0 {
		t.Errorf("run -i, then ctrl-p ctrl-q: exit %d, %q", r.ExitCode, r.Stderr)
	}
	if r := burrowStdin(t, "\x10\x11", "run", "-i", "--rm", "--name", gone, img, "sh", "-c", "sleep 1; exit 6"); r.ExitCode != 0 {
		t.Errorf("run -i --rm, then ctrl-p ctrl-q: exit %d, %q", r.ExitCode, r.Stderr)
	}
	must(t, "wait", later)
	if got := strings.TrimSpace(must(t, "inspect", "--format", "{{.State.Status}} {{.State.ExitCode}}", later)); got != "exited 5" {
		t.Errorf("the detached container's end: %q, want exited 5", got)
	}
	deadline := time.Now().Add(30 * time.Second)
	for burrow(t, "container", "exists", gone).ExitCode == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the detached --rm container %s was not removed at its exit", gone)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if r := burrow(t, "attach", later); r.ExitCode != 125 || !strings.Contains(r.Stderr, "only attach to running containers") {
		t.Errorf("attach to an exited container: exit %d, %q", r.ExitCode, r.Stderr)
	}
	if r := burrow(t, "attach", "--detach-keys", "bogus", catter); r.ExitCode != 125 {
		t.Errorf("--detach-keys bogus: exit %d, %q", r.ExitCode, r.Stderr)
	}
}
