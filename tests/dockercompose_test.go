package tests

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// composeFile is a two-service application: db serves a page from a named
// volume and has a health check; web waits for db to be healthy, fetches
// the page from db by its service name and serves it on a published port.
const composeFile = `services:
  db:
    image: %[1]s
    command: ["sh", "-c", "echo db-up; mkdir -p /data/www; echo hello-from-db > /data/www/index.html; exec httpd -f -p 8080 -h /data/www"]
    volumes:
      - dbdata:/data
    stop_grace_period: 1s
    healthcheck:
      test: ["CMD", "wget", "-q", "-O-", "http://127.0.0.1:8080/"]
      interval: 1s
      timeout: 5s
      retries: 30
  web:
    image: %[1]s
    command: ["sh", "-c", "echo web-up; mkdir -p /www; while ! wget -q -O /www/index.html http://db:8080/; do sleep 0.2; done; exec httpd -f -p 80 -h /www"]
    ports:
      - "127.0.0.1:%[2]d:80"
    stop_grace_period: 1s
    depends_on:
      db:
        condition: service_healthy
volumes:
  dbdata:
`

// TestDockerCompose drives the API service with docker compose v5, built
// from its Go module (hack/testbed.sh), unchanged: up -d (a network, a
// volume, depends_on with service_healthy), ps, logs, exec, down -v, and
// nothing of the project is left after down.
func TestDockerCompose(t *testing.T) {
	t.Parallel()
	compose := testbedVar(t, "BURROW_TEST_COMPOSE")
	img := testImage(t)
	host := apiService(t)
	dir := t.TempDir()
	port := freePort(t, "tcp")
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(fmt.Sprintf(composeFile, img, port)), 0o644); err != nil {
		t.Fatal(err)
	}
	project := "burrow-" + randHex()[:8]
	home := t.TempDir()
	run := func(args ...string) result {
		t.Helper()
		cmd := exec.Command(compose, append([]string{"--ansi", "never", "-p", project}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "DOCKER_HOST="+host, "HOME="+home, "DOCKER_CONFIG="+filepath.Join(home, ".docker"))
		return runCommand(t, cmd)
	}
	must := func(args ...string) string {
		t.Helper()
		r := run(args...)
		if r.ExitCode != 0 {
			t.Fatalf("docker compose %s: %s", strings.Join(args, " "), describe(r))
		}
		return r.Stdout
	}
	t.Cleanup(func() { run("down", "-v", "-t", "0") })

	must("up", "-d")
	var ps []struct {
		Service, State, Health string
	}
	for _, line := range strings.Split(strings.TrimSpace(must("ps", "--format", "json")), "\n") {
		var row struct{ Service, State, Health string }
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatalf("compose ps --format json: %v: %q", err, line)
		}
		ps = append(ps, row)
	}
	if fmt.Sprint(ps) != "[{db running healthy} {web running }]" {
		t.Errorf("compose ps: %v, want db running and healthy, web running", ps)
	}
	var body string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if body = string(b); resp.StatusCode == http.StatusOK {
				break
			}
		}
	}
	if body != "hello-from-db\n" {
		t.Errorf("the published port of web (db's page, fetched by service name): %q", body)
	}
	logs := must("logs")
	if !strings.Contains(logs, "db-up") || !strings.Contains(logs, "web-up") {
		t.Errorf("compose logs: %q", logs)
	}
	if out := must("exec", "-T", "db", "cat", "/data/www/index.html"); out != "hello-from-db\n" {
		t.Errorf("compose exec: %q", out)
	}
	if r := run("exec", "-T", "web", "sh", "-c", "exit 7"); r.ExitCode != 7 {
		t.Errorf("compose exec's exit code: %s", describe(r))
	}

	must("down", "-v")
	label := "label=com.docker.compose.project=" + project
	if r := burrow(t, "ps", "-a", "-q", "--filter", label); r.ExitCode != 0 || strings.TrimSpace(r.Stdout) != "" {
		t.Errorf("containers left after down: %s", describe(r))
	}
	if r := burrow(t, "volume", "ls", "-q"); strings.Contains(r.Stdout, project) {
		t.Errorf("volumes left after down -v: %q", r.Stdout)
	}
	if r := burrow(t, "network", "ls"); strings.Contains(r.Stdout, project) {
		t.Errorf("networks left after down: %q", r.Stdout)
	}
}
