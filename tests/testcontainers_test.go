package tests

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"
	tcexec "github.com/testcontainers/testcontainers-go/exec"
	"github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"
)

// TestTestcontainers drives the API service with testcontainers-go v0.45,
// as CI suites start their services, unchanged and with Ryuk off as
// rootless CI sets it: a web server started behind an HTTP wait strategy
// on a published port, exec, logs, and two containers on a network of
// their own, one reaching the other by its alias; then the other flows
// suites use (testcontainersFlows).
func TestTestcontainers(t *testing.T) {
	host := apiService(t)
	t.Setenv("DOCKER_HOST", host)
	t.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	t.Setenv("HOME", t.TempDir()) // no ~/.testcontainers.properties of the user's
	// Where testcontainers-go finds /.dockerenv (this test bed may itself
	// be a container) it dials published ports at the bridge network's
	// gateway, as a Docker-in-Docker client would; burrow publishes on
	// the host it runs on, as a CI job in a container sets it.
	t.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "localhost")
	img := testImage(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	web, err := testcontainers.Run(ctx, img,
		testcontainers.WithCmd("sh", "-c", "mkdir -p /www && echo tc-page > /www/index.html && echo web-ready && exec httpd -f -p 80 -h /www"),
		testcontainers.WithExposedPorts("80/tcp"),
		testcontainers.WithLabels(map[string]string{"suite": "burrow"}),
		testcontainers.WithWaitStrategy(wait.ForHTTP("/").WithPort("80/tcp").WithStartupTimeout(time.Minute)),
	)
	testcontainers.CleanupContainer(t, web)
	if err != nil {
		t.Fatalf("Run with an HTTP wait strategy: %v", err)
	}
	if body := tcGet(t, ctx, web, "80/tcp"); body != "tc-page\n" {
		t.Errorf("the page through the published port: %q", body)
	}

	code, out, err := web.Exec(ctx, []string{"sh", "-c", "echo exec-out; exit 3"}, tcexec.Multiplexed())
	if err != nil {
		t.Fatalf("Exec: %v", err)
	}
	b, _ := io.ReadAll(out)
	if code != 3 || string(b) != "exec-out\n" {
		t.Errorf("Exec: code %d, output %q; want 3, %q", code, b, "exec-out\n")
	}
	logs, err := web.Logs(ctx)
	if err != nil {
		t.Fatalf("Logs: %v", err)
	}
	b, _ = io.ReadAll(logs)
	logs.Close()
	if !strings.Contains(string(b), "web-ready") {
		t.Errorf("Logs: %q", b)
	}
	insp, err := web.Inspect(ctx)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	session := insp.Config.Labels[tcSessionLabel]
	if insp.Config.Labels["suite"] != "burrow" || session == "" {
		t.Errorf("the labels testcontainers-go sets and reads: %v", insp.Config.Labels)
	}

	nw, err := network.New(ctx)
	if err != nil {
		t.Fatalf("network.New: %v", err)
	}
	testcontainers.CleanupNetwork(t, nw)
	db, err := testcontainers.Run(ctx, img,
		testcontainers.WithCmd("sh", "-c", "mkdir -p /www && echo from-db > /www/index.html && exec httpd -f -p 8080 -h /www"),
		network.WithNetwork([]string{"database"}, nw),
		testcontainers.WithWaitStrategy(wait.ForExec([]string{"wget", "-q", "-O-", "http://127.0.0.1:8080/"}).WithStartupTimeout(time.Minute)),
	)
	testcontainers.CleanupContainer(t, db)
	if err != nil {
		t.Fatalf("Run on the network: %v", err)
	}
	client, err := testcontainers.Run(ctx, img,
		testcontainers.WithCmd("sleep", "300"),
		network.WithNetwork([]string{"app"}, nw),
	)
	testcontainers.CleanupContainer(t, client)
	if err != nil {
		t.Fatalf("Run the second container on the network: %v", err)
	}
	code, out, err = client.Exec(ctx, []string{"wget", "-q", "-O-", "http://database:8080/"}, tcexec.Multiplexed())
	if err != nil {
		t.Fatalf("Exec wget: %v", err)
	}
	b, _ = io.ReadAll(out)
	if code != 0 || string(b) != "from-db\n" {
		t.Errorf("the second container reaches the first by its alias: code %d, %q", code, b)
	}
	for _, c := range []testcontainers.Container{client, db, web} {
		if err := c.Terminate(ctx); err != nil {
			t.Errorf("Terminate: %v", err)
		}
	}
	if err := nw.Remove(ctx); err != nil {
		t.Errorf("removing the network: %v", err)
	}
	t.Run("flows", func(t *testing.T) { testcontainersFlows(t, img) })
	if r := burrow(t, "ps", "-a", "--filter", "label="+tcSessionLabel+"="+session, "-q"); r.ExitCode != 0 || strings.TrimSpace(r.Stdout) != "" {
		t.Errorf("containers left after Terminate: %s", describe(r))
	}
}

// tcSessionLabel is the label testcontainers-go puts on what a test run
// makes.
const tcSessionLabel = "org.testcontainers.sessionId"

// testcontainersFlows drives the rest of what testcontainers-go suites
// commonly do: a GenericContainer with files copied in before its start
// and a wait for a log line and a listening port together, files copied
// in and out while it runs, exec with its output, a stop and a start
// again, and Terminate. It runs inside TestTestcontainers, on its service:
// testcontainers-go keeps the first Docker host it resolves for the
// whole process, so a second service would never be dialled.
func testcontainersFlows(t *testing.T, img string) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	c, err := testcontainers.GenericContainer(ctx, testcontainers.GenericContainerRequest{
		ContainerRequest: testcontainers.ContainerRequest{
			Image:        img,
			Cmd:          []string{"sh", "-c", "echo starting; sleep 1; echo ready; exec httpd -f -p 8080 -h /www"},
			ExposedPorts: []string{"8080/tcp"},
			Env:          map[string]string{"GREETING": "hi"},
			Files: []testcontainers.ContainerFile{
				{Reader: strings.NewReader("page-before-start\n"), ContainerFilePath: "/www/index.html", FileMode: 0o644},
			},
			WaitingFor: wait.ForAll(
				wait.ForLog("ready").WithStartupTimeout(time.Minute),
				wait.ForListeningPort("8080/tcp").WithStartupTimeout(time.Minute),
			),
		},
		Started: true,
	})
	testcontainers.CleanupContainer(t, c)
	if err != nil {
		t.Fatalf("GenericContainer with a log and a port wait: %v", err)
	}
	if body := tcGet(t, ctx, c, "8080/tcp"); body != "page-before-start\n" {
		t.Errorf("the file copied in before the start, served: %q", body)
	}

	if err := c.CopyToContainer(ctx, []byte("copied-in\n"), "/data/sub/copied.txt", 0o600); err != nil {
		t.Fatalf("CopyToContainer: %v", err)
	}
	code, out, err := c.Exec(ctx, []string{"sh", "-c", "stat -c %a /data/sub/copied.txt; cat /data/sub/copied.txt; echo $GREETING"}, tcexec.Multiplexed())
	if err != nil {
		t.Fatalf("Exec: %v", err)
	}
	b, _ := io.ReadAll(out)
	if code != 0 || string(b) != "600\ncopied-in\nhi\n" {
		t.Errorf("the copied file through exec: code %d, %q", code, b)
	}
	rc, err := c.CopyFileFromContainer(ctx, "/data/sub/copied.txt")
	if err != nil {
		t.Fatalf("CopyFileFromContainer: %v", err)
	}
	b, _ = io.ReadAll(rc)
	rc.Close()
	if string(b) != "copied-in\n" {
		t.Errorf("CopyFileFromContainer: %q", b)
	}

	stop := time.Second
	if err := c.Stop(ctx, &stop); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if st, err := c.State(ctx); err != nil || st.Running {
		t.Errorf("State after Stop: %+v, %v", st, err)
	}
	if err := c.Start(ctx); err != nil {
		t.Fatalf("Start again: %v", err)
	}
	if st, err := c.State(ctx); err != nil || !st.Running {
		t.Errorf("State after Start: %+v, %v", st, err)
	}
	if err := c.Terminate(ctx); err != nil {
		t.Errorf("Terminate: %v", err)
	}
	if r := burrow(t, "ps", "-a", "-q", "--filter", "id="+c.GetContainerID()); strings.TrimSpace(r.Stdout) != "" {
		t.Errorf("the container is left after Terminate: %s", describe(r))
	}
}

// tcGet is the page c serves on its published port, as a client finds the
// port: testcontainers-go's Host and MappedPort.
func tcGet(t *testing.T, ctx context.Context, c testcontainers.Container, port string) string {
	t.Helper()
	h, err := c.Host(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.MappedPort(ctx, port)
	if err != nil {
		t.Fatalf("MappedPort %s: %v", port, err)
	}
	resp, err := http.Get("http://" + h + ":" + p.Port() + "/")
	if err != nil {
		t.Fatalf("GET the published port: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return string(body)
}
