package tests

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

// TestServiceURIs: system service takes podman's URIs: tcp:HOST:PORT and
// unix:/path besides tcp:// and unix://; plain TCP on a loopback address
// is served (to the user's own connections: api/peeruid_test.go has
// another user's refused), plain TCP elsewhere needs --insecure-tcp or
// TLS; another scheme is podman's error, exit 125.
func TestServiceURIs(t *testing.T) {
	t.Parallel()
	for uri, want := range map[string]string{
		"localhost:9292": `Error: API Service endpoint scheme "localhost" is not supported. Try tcp://localhost:9292 or unix:/localhost:9292`,
		"myunix.sock":    `Error: API Service endpoint scheme "" is not supported. Try tcp://myunix.sock or unix:/myunix.sock`,
	} {
		r := burrow(t, "system", "service", uri)
		if r.ExitCode != 125 || strings.TrimSpace(r.Stderr) != want {
			t.Errorf("system service %s: want exit 125 and %q, got:\n%s", uri, want, describe(r))
		}
	}
	requireBurrowError(t, burrow(t, "system", "service", "--time", "1", "tcp://0.0.0.0:0"), true)

	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t, "tcp"))
	p := startBurrow(t, "system", "service", "--time", "0", "tcp:"+addr)
	waitDial(t, "tcp", addr, p)
	cli, ctx := sdkClient(t, "tcp://"+addr, time.Minute)
	if _, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true}); err != nil {
		t.Errorf("tcp:%s, the user's own client: %v", addr, err)
	}
	if strings.Contains(p.out.String(), "Warning:") {
		t.Errorf("plain TCP on loopback warned: %s", p.out.String())
	}

	sock := filepath.Join(t.TempDir(), "s.sock")
	p = startBurrow(t, "system", "service", "--time", "0", "unix:"+sock)
	waitDial(t, "unix", sock, p)
	cli, ctx = sdkClient(t, "unix://"+sock, time.Minute)
	if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
		t.Errorf("unix:%s: %v", sock, err)
	}
}

// apiHeaders sends a request to the service at the TCP address addr and
// returns the response's status and headers.
func apiHeaders(t *testing.T, addr, method, path string, header http.Header) (int, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+addr+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

// TestServiceCORS: --cors ORIGIN sets podman's CORS headers on every
// response, answers a preflight, and lets that origin's pages through the
// refusal of web pages, and only that origin's; the debug log says so, in
// podman's words. Without --cors no CORS header is sent.
func TestServiceCORS(t *testing.T) {
	t.Parallel()
	const origin = "http://app.example"
	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t, "tcp"))
	p := startBurrow(t, "--log-level", "debug", "system", "service", "--time", "0", "--cors", origin, "tcp:"+addr)
	waitDial(t, "tcp", addr, p)
	if !strings.Contains(p.out.String(), `CORS Headers were set to \"`+origin+`\"`) {
		t.Errorf("the debug log does not say the CORS headers: %s", p.out.String())
	}
	st, h := apiHeaders(t, addr, "GET", "/_ping", nil)
	if st != http.StatusOK || h.Get("Access-Control-Allow-Origin") != origin ||
		!strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") || !strings.Contains(h.Get("Access-Control-Allow-Headers"), "X-Registry-Auth") {
		t.Errorf("GET /_ping with --cors: %d %v, want 200 and the CORS headers", st, h)
	}
	preflight := http.Header{"Origin": {origin}, "Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"content-type"}}
	if st, h := apiHeaders(t, addr, "OPTIONS", "/v1.43/containers/create", preflight); st != http.StatusOK || h.Get("Access-Control-Allow-Origin") != origin {
		t.Errorf("a preflight of the named origin: %d %v, want 200 with its origin", st, h)
	}
	page := http.Header{"Origin": {origin}, "Sec-Fetch-Mode": {"cors"}, "Sec-Fetch-Site": {"cross-site"}}
	if st, _ := apiHeaders(t, addr, "GET", "/v1.43/containers/json", page); st != http.StatusOK {
		t.Errorf("a page of the named origin: %d, want 200", st)
	}
	for _, hdr := range []http.Header{
		{"Origin": {"http://attacker.example"}, "Sec-Fetch-Mode": {"cors"}},
		{"Origin": {"http://attacker.example"}, "Access-Control-Request-Method": {"POST"}},
		{"Sec-Fetch-Mode": {"no-cors"}, "Sec-Fetch-Site": {"cross-site"}},
	} {
		method := "GET"
		if hdr.Get("Access-Control-Request-Method") != "" {
			method = "OPTIONS"
		}
		if st, _ := apiHeaders(t, addr, method, "/v1.43/containers/json", hdr); st != http.StatusForbidden {
			t.Errorf("%s with %v: %d, want 403", method, hdr, st)
		}
	}

	plain := fmt.Sprintf("127.0.0.1:%d", freePort(t, "tcp"))
	p = startBurrow(t, "system", "service", "--time", "0", "tcp:"+plain)
	waitDial(t, "tcp", plain, p)
	if _, h := apiHeaders(t, plain, "GET", "/_ping", nil); h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("without --cors: Access-Control-Allow-Origin %q", h.Get("Access-Control-Allow-Origin"))
	}
}

// TestRunSigProxyFromBackgroundJob: `burrow run -i ... &` in a script
// starts with SIGINT ignored (bash does that for a background job without
// job control); the SIGINT sent to burrow still reaches the container,
// whose shell traps it: podman's 032-sig-proxy.
func TestRunSigProxyFromBackgroundJob(t *testing.T) {
	t.Parallel()
	img := busyboxImage(t)
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	script := `"$0" run -i --name "$1" "$2" sh -c 'trap "echo BYE; exit 0" INT; echo READY; while :; do sleep 0.1; done' &
echo "PID=$!"
wait $!
echo "EXIT=$?"`
	p := newLiveBurrow(t)
	p.cmd.Path = "/bin/bash"
	p.cmd.Args = []string{"bash", "-c", script, burrowBin(t), name, img}
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	close(p.drained)
	p.afterStart(t)
	p.waitFor(t, "READY", 2*time.Minute)
	var pid int
	for _, l := range strings.Split(p.out.String(), "\n") {
		fmt.Sscanf(l, "PID=%d", &pid)
	}
	if pid == 0 {
		t.Fatalf("no PID of the background job: %s", p.out.String())
	}
	// The background job, a child of the bash this test started.
	if err := syscall.Kill(pid, syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	p.waitFor(t, "EXIT=", 30*time.Second)
	if out := p.out.String(); !strings.Contains(out, "BYE") || !strings.Contains(out, "EXIT=0") {
		t.Errorf("the container's trap did not run on the SIGINT burrow got: %s", out)
	}
}
