package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunProcessAndHostsFlags: podman's --umask (and its 0022 default,
// whatever the caller's umask), --env-host, --no-hosts, --expose with -P,
// --annotation (beside podman's own), --pod-id-file and
// --arch/--platform's conflict.
func TestRunProcessAndHostsFlags(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	if got := strings.TrimSpace(must(t, "run", "--rm", img, "sh", "-c", "umask")); got != "0022" {
		t.Errorf("default umask %q, want 0022", got)
	}
	if got := strings.TrimSpace(must(t, "run", "--rm", "--umask", "0027", img, "sh", "-c", "umask; mkdir /d; stat -c %a /d")); got != "0027\n750" {
		t.Errorf("--umask 0027: %q, want 0027 and a directory of mode 750", got)
	}
	cmd := exec.Command(burrowBin(t), "run", "--rm", "--env-host", "-e", "B=2", img, "sh", "-c", "echo $BURROW_ENV_HOST_TEST $B")
	cmd.Env = append(os.Environ(), "BURROW_ENV_HOST_TEST=from-host")
	if r := runCommand(t, cmd); strings.TrimSpace(r.Stdout) != "from-host 2" {
		t.Errorf("--env-host: %q, %q; want from-host 2", r.Stdout, r.Stderr)
	}
	if r := burrow(t, "run", "--rm", "--no-hosts", img, "cat", "/etc/hosts"); r.ExitCode == 0 || strings.Contains(r.Stdout, "localhost") {
		t.Errorf("--no-hosts on an image without /etc/hosts: exit %d, %q; want no file of burrow's", r.ExitCode, r.Stdout)
	}
	for _, bad := range [][]string{
		{"--no-hosts", "--add-host", "a:1.2.3.4"}, {"--expose", "0"}, {"--umask", "999"},
		{"--platform", "linux/amd64", "--arch", "amd64"}, {"--pod", "x", "--pod-id-file", "/nonexistent"},
	} {
		r := burrow(t, append(append([]string{"create"}, bad...), img)...)
		if r.ExitCode != 125 || strings.Count(strings.TrimSpace(r.Stderr), "\n") != 0 {
			t.Errorf("create %q: exit %d, %q; want 125 and one line", bad, r.ExitCode, r.Stderr)
		}
	}
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	must(t, "create", "--name", name, "--expose", "7000-7001", "--expose", "53/udp", "-P", img, "true")
	out := must(t, "inspect", "--format", "{{json .Config.ExposedPorts}} {{json .HostConfig.PortBindings}}", name)
	for _, want := range []string{`"53/udp":{}`, `"7000/tcp":{}`, `"7001/tcp":{}`, `"7001/tcp":[{`} {
		if !strings.Contains(out, want) {
			t.Errorf("--expose 7000-7001 --expose 53/udp -P: inspect %q lacks %s", out, want)
		}
	}
	annotated := ctrName(t) + "-annotated"
	t.Cleanup(func() { burrow(t, "rm", "-f", annotated) })
	must(t, "create", "--name", annotated, "--annotation", "org.example.team=dev", img, "true")
	out = must(t, "inspect", "--format", "{{json .Config.Annotations}}", annotated)
	for _, want := range []string{`"org.example.team":"dev"`, `"io.podman.annotations.autoremove":"FALSE"`, `"io.kubernetes.cri-o.TTY":"false"`} {
		if !strings.Contains(out, want) {
			t.Errorf("--annotation org.example.team=dev: inspect's annotations %s lack %s", out, want)
		}
	}
	if r := burrow(t, "create", "--annotation", "bogus", img); r.ExitCode != 125 || !strings.Contains(r.Stderr, "KEY=VALUE") {
		t.Errorf("--annotation bogus: exit %d, %q", r.ExitCode, r.Stderr)
	}
	pod := ctrName(t) + "-pod"
	idFile := filepath.Join(t.TempDir(), "pod.id")
	t.Cleanup(func() { burrow(t, "pod", "rm", "-f", "-t", "0", pod) })
	must(t, "pod", "create", "--name", pod, "--pod-id-file", idFile)
	member := ctrName(t) + "-member"
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", member) })
	must(t, "create", "--name", member, "--pod-id-file", idFile, img, "true")
	id, err := os.ReadFile(idFile)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(must(t, "inspect", "--format", "{{.Pod}}", member)); got != strings.TrimSpace(string(id)) {
		t.Errorf("--pod-id-file: the container is in pod %q, want %s's ID %s", got, pod, id)
	}
}
