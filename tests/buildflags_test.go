package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// flagsContext writes a context of one Containerfile (named name) whose
// RUN prints what the build's flags change.
func flagsContext(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	file := "FROM " + testImage(t) + "\nENV KEEP=1 DROP=2\nRUN grep example.test /etc/hosts && ulimit -n && df -k /dev/shm | tail -1\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBuildRunFlags: podman build's flags reach the containers of RUN
// steps (--add-host, --ulimit, --shm-size, -v, --cap-drop) and the final
// image (--env, --unsetenv); --iidfile and --logfile are written; what
// burrow cannot do is refused.
func TestBuildRunFlags(t *testing.T) {
	t.Parallel()
	busyboxImage(t)
	dir := flagsContext(t, "Containerfile")
	mounted := t.TempDir()
	os.Chmod(mounted, 0o755)
	os.WriteFile(filepath.Join(mounted, "f"), []byte("from-the-host\n"), 0o644)
	ref := "localhost/" + ctrName(t)
	t.Cleanup(func() { burrow(t, "rmi", ref) })
	iid, logFile := filepath.Join(t.TempDir(), "iid"), filepath.Join(t.TempDir(), "log")
	must(t, "build", "--tls-verify=false", "--no-cache", "--add-host", "example.test:10.9.8.7", "--ulimit", "nofile=111:222",
		"--shm-size", "16m", "-v", mounted+":/in:ro", "--cap-drop", "ALL", "--env", "NEW=3", "--unsetenv", "DROP",
		"--iidfile", iid, "--logfile", logFile, "-t", ref, dir)
	log, _ := os.ReadFile(logFile)
	for _, want := range []string{"10.9.8.7\texample.test\n111\n", " 16384 "} {
		if !strings.Contains(string(log), want) {
			t.Errorf("the build's log lacks %q:\n%s", want, log)
		}
	}
	id, _ := os.ReadFile(iid)
	if got := strings.TrimSpace(must(t, "image", "inspect", "--format", "sha256:{{.Id}} {{json .Config.Env}}", ref)); !strings.HasPrefix(got, string(id)+" ") || !strings.Contains(got, `"KEEP=1","NEW=3"]`) || strings.Contains(got, "DROP") {
		t.Errorf("the image: %s (--iidfile %q); want KEEP and NEW, not DROP", got, id)
	}
	for _, bad := range [][]string{{"--rm=false"}, {"--ulimit", "bogus=1"}, {"--platform", "linux/amd64", "--os", "linux"}} {
		if r := burrow(t, append(append([]string{"build", "--tls-verify=false"}, bad...), dir)...); r.ExitCode != 125 {
			t.Errorf("build %q: exit %d, %q; want 125", bad, r.ExitCode, r.Stderr)
		}
	}
}

// TestDockerBuildRunOptions: docker build (the classic builder) sends
// --add-host, --shm-size and --ulimit for RUN steps; a memory limit, which
// burrow's RUN steps do not take, is a 400 rather than ignored.
func TestDockerBuildRunOptions(t *testing.T) {
	t.Parallel()
	host := apiService(t)
	busyboxImage(t)
	dir := flagsContext(t, "Dockerfile")
	out := mustDocker(t, host, "build", "--no-cache", "--add-host", "example.test:10.9.8.7", "--shm-size", "16m", "--ulimit", "nofile=111:222", dir)
	for _, want := range []string{"10.9.8.7\texample.test\n111\n", " 16384 "} {
		if !strings.Contains(out, want) {
			t.Errorf("docker build's output lacks %q:\n%s", want, out)
		}
	}
	if r := dockerCLI(t, host, "build", "-m", "100m", dir); r.ExitCode == 0 || !strings.Contains(r.Stderr, "memory") {
		t.Errorf("docker build -m 100m: exit %d, %q; want refused naming memory", r.ExitCode, r.Stderr)
	}
}
