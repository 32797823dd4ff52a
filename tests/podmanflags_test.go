package tests

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestExecCommitPullFlags: podman's exec --env-file and --latest, commit
// --iidfile, --format docker and --include-volumes, pull --arch (and its
// conflict with --platform), start --sig-proxy without --attach.
func TestExecCommitPullFlags(t *testing.T) {
	img := busyboxImage(t) // not parallel: exec --latest needs the newest container to be this test's
	dir := t.TempDir()
	envFile := filepath.Join(dir, "env")
	if err := os.WriteFile(envFile, []byte("A=1\nB=2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	name, vol := ctrName(t), ctrName(t)+"-vol"
	ref := "localhost/" + name + ":committed"
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name); burrow(t, "rmi", ref); burrow(t, "volume", "rm", vol) })
	must(t, "run", "-d", "--name", name, "-v", vol+":/data", img, "sleep", "300")
	if got := strings.TrimSpace(must(t, "exec", "--env-file", envFile, "-e", "B=3", name, "sh", "-c", "echo $A $B")); got != "1 3" {
		t.Errorf("exec --env-file (A=1 B=2) -e B=3: %q, want 1 3", got)
	}
	if got := strings.TrimSpace(must(t, "exec", "-l", "cat", "/etc/hostname")); !strings.HasPrefix(strings.TrimSpace(must(t, "inspect", "--format", "{{.Id}}", name)), got) {
		t.Errorf("exec -l ran in %q, not the newest container %s", got, name)
	}
	iid := filepath.Join(dir, "iid")
	must(t, "commit", "-q", "--iidfile", iid, "--format", "docker", "--include-volumes", name, ref)
	b, err := os.ReadFile(iid)
	if err != nil || len(b) != 64 {
		t.Fatalf("--iidfile holds %q (%v), want the image's ID", b, err)
	}
	if got := strings.TrimSpace(must(t, "image", "inspect", "--format", "{{.Id}} {{.ManifestType}} {{json .Config.Volumes}}", ref)); got != string(b)+` application/vnd.docker.distribution.manifest.v2+json {"/data":{}}` {
		t.Errorf("the committed image: %s", got)
	}
	must(t, "pull", "-q", "--tls-verify=false", "--arch", runtime.GOARCH, testImage(t))
	for _, bad := range [][]string{
		{"pull", "--platform", "linux/" + runtime.GOARCH, "--arch", runtime.GOARCH, testImage(t)},
		{"start", "--sig-proxy", name},
		{"commit", "--squash", name},
	} {
		if r := burrow(t, bad...); r.ExitCode != 125 || strings.Count(strings.TrimSpace(r.Stderr), "\n") != 0 {
			t.Errorf("%q: exit %d, %q; want 125 and one line", bad, r.ExitCode, r.Stderr)
		}
	}
}

// TestContainerSizes: inspect --size, and the API's size=1 of docker ps -s
// and docker inspect -s, measure what the container wrote; inspect's
// State has podman's OciVersion and zero checkpoint times.
func TestContainerSizes(t *testing.T) {
	t.Parallel()
	host := apiService(t)
	img := busyboxImage(t)
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	must(t, "run", "--name", name, img, "sh", "-c", "head -c 200000 /dev/zero > /big")
	rw := func(s string) bool {
		n := 0
		for _, c := range strings.TrimSpace(s) {
			if c < '0' || c > '9' {
				return false
			}
			n = n*10 + int(c-'0')
		}
		return n >= 200000
	}
	if got := strings.TrimSpace(must(t, "inspect", "--format", "{{.State.OciVersion}} {{.State.CheckpointedAt}} {{.State.RestoredAt}}", name)); !strings.HasPrefix(got, "1.") || !strings.HasSuffix(got, " 0001-01-01T00:00:00Z 0001-01-01T00:00:00Z") {
		t.Errorf("inspect's State.OciVersion, CheckpointedAt and RestoredAt, as podman's: %q", got)
	}
	if got := must(t, "inspect", "--size", "--format", "{{.SizeRw}}", name); !rw(got) {
		t.Errorf("inspect --size: SizeRw %q, want at least 200000", got)
	}
	if got := mustDocker(t, host, "inspect", "-s", "--format", "{{.SizeRw}}", name); !rw(got) {
		t.Errorf("docker inspect -s: SizeRw %q, want at least 200000", got)
	}
	if got := mustDocker(t, host, "ps", "-a", "-s", "--filter", "name="+name, "--format", "{{.Size}}"); !strings.HasPrefix(got, "20") || !strings.Contains(got, "kB (virtual ") {
		t.Errorf("docker ps -s: %q, want about 200kB", got)
	}
}

// TestPullAllTags: pull --all-tags pulls every tag of a repository; a
// reference with a tag is refused.
func TestPullAllTags(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	repo := testbedVar(t, "BURROW_TEST_REGISTRY") + "/alltags-" + randHex()[:8]
	t.Cleanup(func() { burrow(t, "rmi", repo+":a", repo+":b") }) // untags: the image keeps its other names
	for _, tag := range []string{"a", "b"} {
		must(t, "tag", img, repo+":"+tag)
		must(t, "push", "--tls-verify=false", repo+":"+tag)
	}
	must(t, "rmi", repo+":a", repo+":b")
	must(t, "pull", "-q", "--tls-verify=false", "--all-tags", repo)
	for _, tag := range []string{"a", "b"} {
		if r := burrow(t, "image", "exists", repo+":"+tag); r.ExitCode != 0 {
			t.Errorf("after pull --all-tags, %s:%s is not there", repo, tag)
		}
	}
	if r := burrow(t, "pull", "--tls-verify=false", "--all-tags", repo+":a"); r.ExitCode != 125 {
		t.Errorf("pull --all-tags of a tagged reference: exit %d, %q", r.ExitCode, r.Stderr)
	}
}
