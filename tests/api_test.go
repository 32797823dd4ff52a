package tests

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

// apiService starts `burrow system service` on a socket of its own and
// returns the DOCKER_HOST for it.
func apiService(t *testing.T) string {
	t.Helper()
	return apiServiceWith(t, nil)
}

// apiServiceWith is apiService with variables added to the service's
// environment and more arguments.
func apiServiceWith(t *testing.T, env []string, args ...string) string {
	t.Helper()
	sock := filepath.Join(t.TempDir(), "burrow.sock")
	p := newLiveBurrow(t, append(append([]string{"system", "service", "--time", "0"}, args...), "unix://"+sock)...)
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting the API service: %v", err)
	}
	close(p.drained)
	p.afterStart(t)
	waitDial(t, "unix", sock, p)
	if st, err := os.Stat(sock); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the API socket's mode: %v %v, want 0600", st.Mode().Perm(), err)
	}
	return "unix://" + sock
}

func dockerCLI(t *testing.T, host string, args ...string) result {
	t.Helper()
	cmd := exec.Command("docker", args...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+host, "DOCKER_CONFIG="+t.TempDir())
	return runCommand(t, cmd)
}

// mustDocker is dockerCLI that fails the test unless docker exits 0; it
// returns docker's stdout.
func mustDocker(t *testing.T, host string, args ...string) string {
	t.Helper()
	r := dockerCLI(t, host, args...)
	if r.ExitCode != 0 {
		t.Fatalf("docker %s: %s", strings.Join(args, " "), describe(r))
	}
	return r.Stdout
}

func TestDockerCLI(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("the docker CLI is not installed (this machine kind has it at /usr/local/bin/docker)")
	}
	host := apiService(t)
	if v := mustDocker(t, host, "version", "--format", "{{.Server.APIVersion}}"); !strings.HasPrefix(v, "1.4") {
		t.Errorf("docker version: API %q", v)
	}
	// docker version's Server part is the Engine component's details.
	if _, server, _ := strings.Cut(mustDocker(t, host, "version"), "Server:"); !regexp.MustCompile(`Go version:\s+go1`).MatchString(server) ||
		!regexp.MustCompile(`OS/Arch:\s+linux/\w+`).MatchString(server) || !regexp.MustCompile(`Built:\s+\w`).MatchString(server) {
		t.Errorf("docker version's Server part lacks the engine's Go version, OS/Arch or build time:\n%s", server)
	}
	// A registry on 127.0.0.1 is plain HTTP for docker clients, unasked.
	img := testImage(t)
	mustDocker(t, host, "pull", "-q", img)
	if out := mustDocker(t, host, "images", "--format", "{{.Repository}}:{{.Tag}}"); !strings.Contains(out, strings.TrimSuffix(img, ":latest")) {
		t.Errorf("docker images lacks %s:\n%s", img, out)
	}
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	hp := freePort(t, "tcp")
	id := strings.TrimSpace(mustDocker(t, host, "run", "-d", "--name", name, "-p", fmt.Sprintf("127.0.0.1:%d:8080", hp), img,
		"sh", "-c", "echo to-stdout; echo to-stderr >&2; mkdir /www && echo via-api > /www/index.html && exec httpd -f -p 8080 -h /www"))
	if !fullID.MatchString(id) {
		t.Fatalf("docker run -d printed %q", id)
	}
	// The API and the CLI share the containers.
	if st := psStatus(t, name); !strings.HasPrefix(st, "Up ") {
		t.Errorf("burrow ps shows the container docker started as %q", st)
	}
	if got := httpGet(t, fmt.Sprintf("http://127.0.0.1:%d/", hp)); got != "via-api\n" {
		t.Errorf("the port docker published: %q", got)
	}
	if out := mustDocker(t, host, "ps", "--format", "{{.Names}} {{.Ports}}"); !strings.Contains(out, name) || !strings.Contains(out, fmt.Sprintf("127.0.0.1:%d->8080/tcp", hp)) {
		t.Errorf("docker ps:\n%s", out)
	}
	r := dockerCLI(t, host, "logs", name)
	if r.Stdout != "to-stdout\n" || r.Stderr != "to-stderr\n" {
		t.Errorf("docker logs keeps the streams apart: %s", describe(r))
	}
	if got := strings.TrimSpace(mustDocker(t, host, "inspect", "-f", "{{.State.Status}} {{.Name}}", name)); got != "running /"+name {
		t.Errorf("docker inspect: %q", got)
	}
	mustDocker(t, host, "stop", "-t", "1", name)
	if got := strings.TrimSpace(mustDocker(t, host, "inspect", "-f", "{{.State.ExitCode}}", name)); got != "137" {
		t.Errorf("exit code after docker stop: %q", got)
	}
	mustDocker(t, host, "rm", name)
	if st := psStatus(t, name); st != "" {
		t.Errorf("docker rm left %q", st)
	}
	// A container made by burrow shows in docker ps -a.
	other := ctrName(t)
	runDetached(t, other, nil, "sleep", "1000")
	if out := mustDocker(t, host, "ps", "-a", "--format", "{{.Names}}"); !strings.Contains(out, other) {
		t.Errorf("docker ps -a lacks burrow's %s:\n%s", other, out)
	}
	// docker run in the foreground: attach before start, output, exit code,
	// stdin, --rm.
	fg := ctrName(t)
	r = dockerCLI(t, host, "run", "--rm", "--name", fg, img, "sh", "-c", "echo attached-out; echo attached-err >&2; exit 3")
	if r.ExitCode != 3 || r.Stdout != "attached-out\n" || r.Stderr != "attached-err\n" {
		t.Errorf("docker run (attached): %s", describe(r))
	}
	if st := psStatus(t, fg); st != "" {
		t.Errorf("docker run --rm left %q", st)
	}
	// A start that fails under --rm: dockerd removes the container, and
	// docker run waits for that before it reports the error (127: no such
	// command), attached or not.
	for _, mode := range [][]string{{"-a", "stdout"}, {"-d"}} {
		bad := ctrName(t)
		t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", bad) })
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		args := append([]string{"run", "--rm", "--name", bad}, mode...)
		cmd := exec.CommandContext(ctx, "docker", append(args, img, "/no-such-command")...)
		cmd.Env = append(os.Environ(), "DOCKER_HOST="+host, "DOCKER_CONFIG="+t.TempDir())
		r := runCommand(t, cmd)
		cancel()
		if r.ExitCode != 127 || !strings.Contains(r.Stderr, "no such file or directory") {
			t.Errorf("docker run %s --rm of a missing command (want 127 at once): %s", mode, describe(r))
		}
		if st := psStatus(t, bad); st != "" {
			t.Errorf("docker run %s --rm whose start failed left %q", mode, st)
		}
	}
	cmd := exec.Command("docker", "run", "--rm", "-i", img, "cat")
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+host, "DOCKER_CONFIG="+t.TempDir())
	cmd.Stdin = strings.NewReader("through stdin\n")
	if out, err := cmd.Output(); err != nil || string(out) != "through stdin\n" {
		t.Errorf("docker run -i: %q, %v", out, err)
	}
	// docker exec: exit codes, stdin, 127.
	r = dockerCLI(t, host, "exec", other, "sh", "-c", "echo exec-out; exit 6")
	if r.ExitCode != 6 || r.Stdout != "exec-out\n" {
		t.Errorf("docker exec: %s", describe(r))
	}
	if r := dockerCLI(t, host, "exec", other, "no-such-command"); r.ExitCode != 127 {
		t.Errorf("docker exec of a missing command: %s", describe(r))
	}
	// Errors keep their classes: 404 for what does not exist.
	r = dockerCLI(t, host, "inspect", "no-such-thing-"+randHex()[:6])
	if r.ExitCode == 0 || !strings.Contains(strings.ToLower(r.Stderr), "no such") {
		t.Errorf("docker inspect of nothing: %s", describe(r))
	}
	r = dockerCLI(t, host, "stop", "no-such-thing-"+randHex()[:6])
	if r.ExitCode == 0 || !strings.Contains(strings.ToLower(r.Stderr), "no container") {
		t.Errorf("docker stop of nothing: %s", describe(r))
	}
}

func TestDockerCLIImagesAndFiles(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("the docker CLI is not installed (this machine kind has it at /usr/local/bin/docker)")
	}
	host := apiService(t)
	img := busyboxImage(t)
	tagged := testRegistry(t) + "/api-tagged-" + randHex()[:6] + ":v1"
	t.Cleanup(func() { burrow(t, "rmi", "-f", tagged) })
	mustDocker(t, host, "tag", img, tagged)
	if out := mustDocker(t, host, "push", tagged); !strings.Contains(out, "Pushed") {
		t.Errorf("docker push: %q", out)
	}
	if out := mustDocker(t, host, "history", tagged); !strings.HasPrefix(out, "IMAGE") {
		t.Errorf("docker history: %q", out)
	}
	dir := t.TempDir()
	mustDocker(t, host, "save", "-o", dir+"/img.tar", tagged)
	mustDocker(t, host, "rmi", tagged)
	if out := mustDocker(t, host, "load", "-i", dir+"/img.tar"); !strings.Contains(out, tagged) {
		t.Errorf("docker load: %q", out)
	}
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	mustDocker(t, host, "run", "-d", "--name", name, img, "sh", "-c", "echo inside > /f; sleep 1000")
	waitLog := func() {
		for i := 0; i < 100; i++ {
			if dockerCLI(t, host, "exec", name, "test", "-e", "/f").ExitCode == 0 {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitLog()
	if out := mustDocker(t, host, "top", name); !strings.Contains(out, "sleep 1000") {
		t.Errorf("docker top: %q", out)
	}
	if out := mustDocker(t, host, "diff", name); !strings.Contains(out, "A /f") {
		t.Errorf("docker diff: %q", out)
	}
	mustDocker(t, host, "cp", name+":/f", dir+"/f")
	if b, _ := os.ReadFile(dir + "/f"); string(b) != "inside\n" {
		t.Errorf("docker cp out: %q", b)
	}
	os.WriteFile(dir+"/up", []byte("from host\n"), 0o644)
	mustDocker(t, host, "cp", dir+"/up", name+":/tmp/")
	if got := mustDocker(t, host, "exec", name, "cat", "/tmp/up"); got != "from host\n" {
		t.Errorf("docker cp in: %q", got)
	}
	reg := testbedVar(t, "BURROW_TEST_AUTH_REGISTRY")
	cmd := exec.Command("docker", "login", "-u", testbedVar(t, "BURROW_TEST_AUTH_USER"), "--password-stdin", reg)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+host, "DOCKER_CONFIG="+t.TempDir())
	cmd.Stdin = strings.NewReader(testbedVar(t, "BURROW_TEST_AUTH_PASSWORD") + "\n")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "Login Succeeded") {
		t.Errorf("docker login: %s %v", out, err)
	}
	cmd = exec.Command("docker", "login", "-u", "tester", "--password-stdin", reg)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+host, "DOCKER_CONFIG="+t.TempDir())
	cmd.Stdin = strings.NewReader("wrong\n")
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("docker login with a wrong password succeeded: %s", out)
	}
}

// The service takes the socket systemd passes (socket activation).
func TestServiceSocketActivation(t *testing.T) {
	t.Parallel()
	sock := filepath.Join(t.TempDir(), "activated.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	ul := l.(*net.UnixListener)
	f, err := ul.File()
	if err != nil {
		t.Fatal(err)
	}
	ul.SetUnlinkOnClose(false) // the socket stays, as systemd's does
	l.Close()
	p := newLiveBurrow(t, "system", "service", "--time", "0")
	p.cmd.Env = append(os.Environ(), "LISTEN_FDS=1")
	p.cmd.ExtraFiles = []*os.File{f}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	close(p.drained)
	p.afterStart(t)
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.Dial("unix", sock)
		if err == nil {
			fmt.Fprintf(c, "GET /_ping HTTP/1.0\r\nHost: d\r\n\r\n")
			b := make([]byte, 512)
			n, _ := c.Read(b)
			c.Close()
			if strings.Contains(string(b[:n]), "200 OK") {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no answer on the activated socket: %v; service output:\n%s", err, p.out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestDockerEvents(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("the docker CLI is not installed (this machine kind has it at /usr/local/bin/docker)")
	}
	host := apiService(t)
	ev := exec.Command("docker", "events", "--format", "{{.Action}} {{.Actor.Attributes.name}}")
	ev.Env = append(os.Environ(), "DOCKER_HOST="+host, "DOCKER_CONFIG="+t.TempDir())
	out := &lockedBuffer{}
	ev.Stdout, ev.Stderr = out, out
	if err := ev.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { ev.Process.Kill(); ev.Wait() }()
	time.Sleep(700 * time.Millisecond)
	// Made by the CLI, seen through the API.
	name := ctrName(t)
	runDetached(t, name, nil, "sh", "-c", "sleep 1; exit 2")
	must(t, "wait", name)
	must(t, "rm", name)
	deadline := time.Now().Add(15 * time.Second)
	want := []string{"create " + name, "start " + name, "die " + name, "destroy " + name}
	for {
		got := out.String()
		missing := ""
		for _, w := range want {
			if !strings.Contains(got, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("docker events never showed %q:\n%s", missing, got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestDockerBuilderPrune is not parallel: it forgets the test user's whole
// build cache, which other tests' builds count on. docker builder prune,
// and docker system prune whose last step it is, forget the classic
// builder's cache, so the next build runs its steps again.
func TestDockerBuilderPrune(t *testing.T) {
	if _, err := exec.LookPath("docker"); err != nil {
		t.Skip("the docker CLI is not installed (this machine kind has it at /usr/local/bin/docker)")
	}
	host := apiService(t)
	dir := buildContext(t, map[string]string{"Dockerfile": "FROM " + busyboxImage(t) + "\nRUN echo step-" + randHex()[:8] + " > /f\n"})
	tag := "localhost/api-pruned-" + randHex()[:8] + ":latest"
	t.Cleanup(func() { burrow(t, "rmi", "-f", tag) })
	build := func() string {
		t.Helper()
		r := dockerCLI(t, host, "build", "-t", tag, dir)
		if r.ExitCode != 0 {
			t.Fatalf("docker build: %s", describe(r))
		}
		return r.Stdout + r.Stderr
	}
	build()
	if out := build(); !strings.Contains(out, "Using cache") {
		t.Fatalf("a second docker build of the same steps uses no cache:\n%s", out)
	}
	if out := mustDocker(t, host, "builder", "prune", "-f"); !strings.Contains(out, "Total") {
		t.Errorf("docker builder prune: %q", out)
	}
	if out := build(); strings.Contains(out, "Using cache") {
		t.Errorf("a docker build after docker builder prune still uses the cache:\n%s", out)
	}
	mustDocker(t, host, "system", "prune", "-f")
	if out := build(); strings.Contains(out, "Using cache") {
		t.Errorf("a docker build after docker system prune still uses the cache:\n%s", out)
	}
	if r := dockerCLI(t, host, "builder", "prune", "-f", "--filter", "until=1h"); r.ExitCode == 0 || !strings.Contains(r.Stderr, "until=1h") {
		t.Errorf("docker builder prune with a filter burrow cannot honour: %s", describe(r))
	}
}

// sdkClient is a Docker SDK client of the service at host, and a context
// that ends after timeout; both are released when the test ends.
func sdkClient(t *testing.T, host string, timeout time.Duration) (*client.Client, context.Context) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	cli, err := client.New(client.WithHost(host))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close() })
	return cli, ctx
}
