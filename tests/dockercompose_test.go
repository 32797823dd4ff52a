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

// composeFlowsFile has a service built from a Dockerfile (compose's
// classic builder, without buildx) and one from the test image.
const composeFlowsFile = `services:
  app:
    build:
      context: ./app
    command: ["sh", "-c", "echo app-up; exec httpd -f -p 8080 -h /www"]
    ports:
      - "127.0.0.1::8080"
    stop_grace_period: 1s
    healthcheck:
      test: ["CMD", "wget", "-q", "-O-", "http://127.0.0.1:8080/"]
      interval: 1s
      retries: 30
  worker:
    image: %[1]s
    command: ["sh", "-c", "echo worker-up; exec sleep 1000"]
    stop_grace_period: 1s
    volumes:
      - scratch:/scratch
volumes:
  scratch:
`

// TestDockerComposeFlows drives docker compose v5 through the rest of its
// everyday commands: up -d --wait with a service it builds, ps, port, top,
// images, cp both ways, run --rm, exec -T, restart, stop, logs, and
// down -v --rmi local leaving nothing of the project.
func TestDockerComposeFlows(t *testing.T) {
	t.Parallel()
	compose := testbedVar(t, "BURROW_TEST_COMPOSE")
	img := testImage(t)
	host := apiService(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(fmt.Sprintf(composeFlowsFile, img)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "app"), 0o755); err != nil {
		t.Fatal(err)
	}
	dockerfile := fmt.Sprintf("FROM %s\nRUN mkdir -p /www && echo built-page > /www/index.html\n", img)
	if err := os.WriteFile(filepath.Join(dir, "app", "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "to-copy.txt"), []byte("copied-in\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	project := "burrow-" + randHex()[:8]
	home := t.TempDir()
	run := func(args ...string) result {
		t.Helper()
		// -f: without it, down reads the project from its containers,
		// where a built service's image looks like a named one.
		cmd := exec.Command(compose, append([]string{"--ansi", "never", "-f", "compose.yaml", "-p", project}, args...)...)
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
	t.Cleanup(func() { run("down", "-v", "-t", "0", "--rmi", "local") })

	must("up", "-d", "--wait")
	states := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(must("ps", "--format", "json")), "\n") {
		var row struct{ Service, State, Health string }
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatalf("compose ps --format json: %v: %q", err, line)
		}
		states[row.Service] = row.State + "/" + row.Health
	}
	if fmt.Sprint(states) != "map[app:running/healthy worker:running/]" {
		t.Errorf("compose ps after up --wait: %v", states)
	}
	addr := strings.TrimSpace(must("port", "app", "8080"))
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatalf("GET %s (compose port): %v", addr, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "built-page\n" {
		t.Errorf("the built service's page: %q", body)
	}
	if out := must("top", "worker"); !strings.Contains(out, "sleep 1000") {
		t.Errorf("compose top: %q", out)
	}
	if out := must("images"); !strings.Contains(out, project+"-app") {
		t.Errorf("compose images does not list the built image: %q", out)
	}

	must("cp", "to-copy.txt", "worker:/scratch/copied.txt")
	if out := must("exec", "-T", "worker", "cat", "/scratch/copied.txt"); out != "copied-in\n" {
		t.Errorf("the file copied in: %q", out)
	}
	must("cp", "worker:/scratch/copied.txt", "back.txt")
	if b, err := os.ReadFile(filepath.Join(dir, "back.txt")); err != nil || string(b) != "copied-in\n" {
		t.Errorf("the file copied out: %q, %v", b, err)
	}
	if out := must("run", "--rm", "-T", "worker", "sh", "-c", "cat /scratch/copied.txt; echo one-off"); !strings.Contains(out, "copied-in\none-off\n") {
		t.Errorf("compose run --rm (the volume shared): %q", out)
	}
	if r := run("run", "--rm", "-T", "worker", "sh", "-c", "exit 4"); r.ExitCode != 4 {
		t.Errorf("compose run's exit code: %s", describe(r))
	}

	must("restart", "worker")
	if out := must("exec", "-T", "worker", "cat", "/scratch/copied.txt"); out != "copied-in\n" {
		t.Errorf("the volume after restart: %q", out)
	}
	if logs := must("logs", "worker"); strings.Count(logs, "worker-up") != 2 {
		t.Errorf("compose logs after a restart: %q", logs)
	}
	must("stop")
	if out := must("ps", "-a", "--format", "{{.Service}} {{.State}}"); !strings.Contains(out, "app exited") || !strings.Contains(out, "worker exited") {
		t.Errorf("compose ps -a after stop: %q", out)
	}

	must("down", "-v", "--rmi", "local")
	if r := burrow(t, "ps", "-a", "-q", "--filter", "label=com.docker.compose.project="+project); strings.TrimSpace(r.Stdout) != "" {
		t.Errorf("containers left after down (one-off ones included): %s", describe(r))
	}
	if r := burrow(t, "images", "--format", "{{.Repository}}"); strings.Contains(r.Stdout, project) {
		t.Errorf("the built image left after down --rmi local: %q", r.Stdout)
	}
	// Nor the build's steps, as dockerd's image removal deletes the
	// untagged parents with it.
	for _, id := range strings.Fields(burrow(t, "images", "-a", "-q", "--filter", "dangling=true").Stdout) {
		if r := burrow(t, "image", "inspect", "--format", "{{json .History}}", id); strings.Contains(r.Stdout, "built-page") {
			t.Errorf("a step of the build left after down --rmi local: %s %s", id, r.Stdout)
		}
	}
	if r := burrow(t, "volume", "ls", "-q"); strings.Contains(r.Stdout, project) {
		t.Errorf("volumes left after down -v: %q", r.Stdout)
	}
}
