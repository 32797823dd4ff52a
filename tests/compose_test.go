package tests

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// podmanCompose runs Debian's podman-compose (1.0.3) in dir with burrow as
// its podman, as a user who has no podman would.
func podmanCompose(t *testing.T, dir string, args ...string) result {
	t.Helper()
	bin, err := exec.LookPath("podman-compose")
	if err != nil {
		if testbedStrict() {
			t.Fatalf("podman-compose is not installed: hack/testbed.sh deps installs it")
		}
		t.Skip("podman-compose is not installed (apt-get install podman-compose, or hack/testbed.sh deps)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"--podman-path", burrowBin(t)}, args...)...)
	cmd.Dir = dir
	return runCommand(t, cmd)
}

// The podman-compose half of issue 20's compose files: a two-service app
// brought up through burrow's CLI (podman-compose 1.0.3 runs one container
// per service, on a network of the project's, not in a pod) and taken
// down with nothing left.
func TestPodmanComposeTwoServices(t *testing.T) {
	t.Parallel()
	project := strings.ReplaceAll(ctrName(t), "-", "")
	port := freePort(t, "tcp")
	dir := t.TempDir()
	compose := fmt.Sprintf(`services:
  db:
    image: %[1]s
    command: ["httpd", "-f", "-p", "5432", "-h", "/data"]
    volumes:
      - dbdata:/data
    healthcheck:
      test: ["CMD-SHELL", "test -d /data"]
      interval: 1s
    shm_size: 16m
    ulimits:
      nofile:
        soft: 1000
        hard: 2000
  web:
    image: %[1]s
    command: ["sh", "-c", "mkdir -p /www && echo web-up > /www/index.html && exec httpd -f -p 80 -h /www"]
    ports:
      - "127.0.0.1:%[2]d:80"
    depends_on:
      - db
volumes:
  dbdata:
`, busyboxImage(t), port)
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	db, web, vol, net := project+"_db_1", project+"_web_1", project+"_dbdata", project+"_default"
	t.Cleanup(func() {
		burrow(t, "rm", "-f", "-t", "0", db, web)
		burrow(t, "volume", "rm", "-f", vol)
		burrow(t, "network", "rm", "-f", "-t", "0", net)
	})
	if r := podmanCompose(t, dir, "-p", project, "up", "-d"); r.ExitCode != 0 {
		t.Fatalf("podman-compose up -d:\n%s", describe(r))
	}
	for _, c := range []string{db, web} {
		if st := psStatus(t, c); !strings.HasPrefix(st, "Up") {
			t.Errorf("after up, %s is %q", c, st)
		}
	}
	// The web service reaches the db service by its name, on the
	// project's network; db serves what is in its named volume.
	token := randHex()
	must(t, "exec", db, "sh", "-c", "echo "+token+" > /data/index.html")
	if got := strings.TrimSpace(must(t, "exec", web, "wget", "-q", "-O", "-", "http://db:5432/")); got != token {
		t.Errorf("web fetching http://db:5432/: %q, want %s", got, token)
	}
	if got := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/", port)); strings.TrimSpace(got) != "web-up" {
		t.Errorf("the host fetching the published port: %q", got)
	}
	var vols []struct{ Labels map[string]string }
	if err := json.Unmarshal([]byte(must(t, "volume", "inspect", vol)), &vols); err != nil || len(vols) != 1 || vols[0].Labels["io.podman.compose.project"] != project {
		t.Errorf("the named volume %s, labelled for the project: %+v (%v)", vol, vols, err)
	}
	if got := inspectField(t, db, `{{index .Config.Labels "com.docker.compose.service"}}`); got != "db" {
		t.Errorf("the db container's service label: %q", got)
	}
	// podman-compose passes podman's old --healthcheck-* flags, --shm-size
	// and --ulimit.
	if got := strings.Fields(must(t, "exec", db, "sh", "-c", "ulimit -n; ulimit -Hn; df -k /dev/shm | tail -1")); len(got) < 4 || got[0] != "1000" || got[1] != "2000" || got[3] != "16384" {
		t.Errorf("the db container's nofile limits and /dev/shm: %q, want 1000 2000 and 16384 kB", got)
	}
	deadline := time.Now().Add(30 * time.Second)
	for inspectField(t, db, "{{.State.Health.Status}}") != "healthy" {
		if time.Now().After(deadline) {
			t.Fatalf("the db service's health check never passed: %s", inspectField(t, db, "{{json .State.Health}}"))
		}
		time.Sleep(200 * time.Millisecond)
	}
	ids := []string{containerIDByName(t, db), containerIDByName(t, web)}

	if r := podmanCompose(t, dir, "-p", project, "down", "-v", "-t", "1"); r.ExitCode != 0 {
		t.Fatalf("podman-compose down -v:\n%s", describe(r))
	}
	for _, c := range []string{db, web} {
		if id := containerIDByName(t, c); id != "" {
			t.Errorf("after down, container %s is left", c)
		}
	}
	if r := burrow(t, "volume", "inspect", vol); r.ExitCode == 0 {
		t.Errorf("after down -v, volume %s is left", vol)
	}
	// podman-compose 1.0.3 leaves the project's network, as with podman;
	// nothing uses it any more, and nothing of the containers is left.
	must(t, "network", "rm", net)
	runRoot := burrowRunRoot(t)
	for _, id := range ids {
		if left := leftovers(t, id); len(left) > 0 {
			t.Errorf("after down, of container %s:\n%s", id[:12], strings.Join(left, "\n"))
		}
	}
	if slices.ContainsFunc(attachments(t, runRoot), func(n string) bool { return n == db || n == web }) {
		t.Errorf("after down, a container of the project is still attached to a network")
	}
}
