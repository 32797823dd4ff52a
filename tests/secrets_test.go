package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// podman's secrets, and what a container gets of them.
func TestSecrets(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(file, []byte("s3cret-file"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { burrow(t, "secret", "rm", "e2e-file", "e2e-stdin") })
	id := strings.TrimSpace(must(t, "secret", "create", "e2e-file", file))
	if r := burrowStdin(t, "s3cret-stdin", "secret", "create", "e2e-stdin", "-"); r.ExitCode != 0 {
		t.Fatalf("secret create from stdin:\n%s", describe(r))
	}
	if got := must(t, "secret", "ls", "--filter", "name=e2e-file", "--format", "{{.ID}} {{.Name}}"); got != id+" e2e-file\n" {
		t.Errorf("secret ls: %q", got)
	}
	if got := strings.TrimSpace(must(t, "secret", "inspect", "--format", "{{.Spec.Name}} {{.Spec.Driver.Name}}", id)); got != "e2e-file file" {
		t.Errorf("secret inspect: %q", got)
	}
	out := shOut(t, "cat /run/secrets/e2e-file; echo; stat -c '%u %a' /run/secrets/e2e-file; echo $PW; stat -c '%u %a' /etc/pw; cat /etc/pw",
		"--secret", "e2e-file", "--secret", "e2e-stdin,type=env,target=PW", "--secret", "e2e-file,target=/etc/pw,uid=1000,mode=0400")
	if want := "s3cret-file\n0 444\ns3cret-stdin\n1000 400\ns3cret-file"; out != want {
		t.Errorf("the container's secrets: got %q, want %q", out, want)
	}
	if r := burrow(t, "secret", "create", "e2e-file", file); r.ExitCode != 125 {
		t.Errorf("a second secret of the same name: want exit 125, got:\n%s", describe(r))
	}
	if r := runRm(t, busyboxImage(t), []string{"--secret", "e2e-none"}, "true"); r.ExitCode != 125 || !strings.Contains(r.Stderr, "no such secret") {
		t.Errorf("an unknown secret: want exit 125, got:\n%s", describe(r))
	}
	must(t, "secret", "rm", "e2e-file")
	if r := burrow(t, "secret", "exists", "e2e-file"); r.ExitCode != 1 {
		t.Errorf("secret exists after rm: want exit 1, got:\n%s", describe(r))
	}
}

// userns=auto (from containers.conf too) gives each container a range of
// subordinate IDs of its own, without the user's ID; a secret is readable
// there.
func TestUsernsAuto(t *testing.T) {
	t.Parallel()
	firstSubIDRange(t, "/etc/subuid")
	conf := filepath.Join(t.TempDir(), "containers.conf")
	if err := os.WriteFile(conf, []byte("[containers]\nuserns = \"auto\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	withConf := func(args ...string) result {
		cmd := exec.Command(burrowBin(t), args...)
		cmd.Env = append(os.Environ(), "CONTAINERS_CONF="+conf)
		return runCommand(t, cmd)
	}
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", "auto-a") })
	if r := withConf("run", "-d", "--name", "auto-a", busyboxImage(t), "sleep", "300"); r.ExitCode != 0 {
		t.Fatalf("run under userns=auto in containers.conf:\n%s", describe(r))
	}
	runDetached(t, "auto-b", []string{"--userns=auto:size=2000"}, "sleep", "300")
	if got := inspectField(t, "auto-a", "{{.HostConfig.UsernsMode}}"); got != "private" {
		t.Errorf("UsernsMode %q, want podman's private", got)
	}
	a := strings.Fields(must(t, "exec", "auto-a", "cat", "/proc/self/uid_map"))
	b := strings.Fields(must(t, "exec", "auto-b", "cat", "/proc/self/uid_map"))
	if len(a) != 3 || len(b) != 3 || a[1] == "0" || b[1] == "0" || a[1] == b[1] || b[2] != "2000" {
		t.Errorf("uid maps %v and %v: want two ranges of their own, without the user (0), the second of 2000", a, b)
	}
	own := must(t, "unshare", "cat", "/proc/self/uid_map")
	if r := withConf("run", "--rm", "--userns=host", busyboxImage(t), "cat", "/proc/self/uid_map"); r.ExitCode != 0 || r.Stdout != own {
		t.Errorf("--userns=host under userns=auto in containers.conf: want burrow's namespace (%q), got:\n%s", own, describe(r))
	}
	file := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(file, []byte("auto-secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { burrow(t, "secret", "rm", "e2e-auto") })
	must(t, "secret", "create", "e2e-auto", file)
	if got := shOut(t, "cat /run/secrets/e2e-auto", "--secret", "e2e-auto", "--userns=auto:size=1000"); got != "auto-secret" {
		t.Errorf("a secret under userns=auto: %q", got)
	}
}
