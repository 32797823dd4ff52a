package tests

import (
	"encoding/json"
	"os/exec"
	"testing"
)

// podmanCmd is podman as this host runs it rootless, on burrow's store
// (same driver: podman before 4.4 would pick vfs on its own).
func podmanCmd(t testing.TB) []string {
	t.Helper()
	if _, err := exec.LookPath("podman"); err != nil {
		msg := "podman is not installed: the test bed installs it (apt-get install podman runc)"
		if testbedStrict() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	var info struct {
		Store struct {
			GraphDriverName string `json:"graphDriverName"`
		} `json:"store"`
	}
	if err := json.Unmarshal([]byte(must(t, "info", "--format", "json")), &info); err != nil {
		t.Fatalf("burrow info --format json: %v", err)
	}
	// podman 4 picks CNI for a store that holds images and has not chosen
	// yet (the test bed's store is new): burrow's first look at the
	// networks settles netavark for both, as for a user who used burrow's
	// networks before podman's.
	must(t, "network", "ls")
	return []string{"podman", "--runtime", "runc", "--cgroup-manager", "cgroupfs", "--events-backend", "file",
		"--storage-driver", info.Store.GraphDriverName}
}

func podman(t testing.TB, args ...string) result {
	t.Helper()
	base := podmanCmd(t)
	cmd := exec.Command(base[0], append(base[1:], args...)...)
	return runCommand(t, cmd)
}

func TestPodmanSharesTheStore(t *testing.T) {
	// Not parallel: podman takes the store's locks its own way, and its
	// first run sets up its own state.
	podmanCmd(t)
	// burrow pulls, podman runs.
	img := configImage(t)
	if r := podman(t, "run", "--rm", "--network", "none", "--entrypoint", "cat", img, "/srv/hello.txt"); r.ExitCode != 0 || r.Stdout != "hello from testimg\n" {
		t.Errorf("podman running an image burrow pulled: %s", describe(r))
	}
	// podman pulls, burrow runs.
	ref := testRef(t, "podmanpull")
	t.Cleanup(func() { burrow(t, "rmi", "-f", ref) })
	if r := podman(t, "pull", "-q", "--tls-verify=false", ref); r.ExitCode != 0 {
		t.Fatalf("podman pull: %s", describe(r))
	}
	if got := mustRun(t, ref, nil, "cat", "/etc/burrow-test-image"); got != "podmanpull\n" {
		t.Errorf("burrow running an image podman pulled: %q", got)
	}
	if ids := imageIDs(t); ids[ref] == "" {
		t.Errorf("burrow images does not list what podman pulled")
	}
}
