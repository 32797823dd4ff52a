package tests

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
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

// writeCert makes a key and a certificate signed by parent (self-signed
// when nil), as PEM files in dir; it returns the certificate and key.
func writeCert(t *testing.T, dir, name string, tmpl *x509.Certificate, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(filepath.Join(dir, name+".pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	os.WriteFile(filepath.Join(dir, name+"-key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	return cert, key
}

// TestAPITCP: tcp:// needs mutual TLS (a client without a certificate of
// the CA is refused), or --insecure-tcp with a warning.
func TestAPITCP(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	now := time.Now()
	ca, caKey := writeCert(t, dir, "ca", &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "burrow test CA"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}, nil, nil)
	writeCert(t, dir, "server", &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}, ca, caKey)
	writeCert(t, dir, "client", &x509.Certificate{
		SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "client"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}, ca, caKey)
	// A client certificate of another CA.
	other, otherKey := writeCert(t, dir, "otherca", &x509.Certificate{
		SerialNumber: big.NewInt(4), Subject: pkix.Name{CommonName: "other CA"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}, nil, nil)
	writeCert(t, dir, "stranger", &x509.Certificate{
		SerialNumber: big.NewInt(5), Subject: pkix.Name{CommonName: "stranger"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}, other, otherKey)

	// Plain TCP beyond loopback without --insecure-tcp: refused, nothing listens.
	requireBurrowError(t, burrow(t, "system", "service", "--time", "1", "tcp://0.0.0.0:0"), true)

	addr := fmt.Sprintf("127.0.0.1:%d", freePort(t, "tcp"))
	p := startBurrow(t, "system", "service", "--time", "0", "--tls-cert", filepath.Join(dir, "server.pem"),
		"--tls-key", filepath.Join(dir, "server-key.pem"), "--tls-client-ca", filepath.Join(dir, "ca.pem"), "tcp://"+addr)
	waitDial(t, "tcp", addr, p)
	mk := func(cert string) (*client.Client, error) {
		opts := []client.Opt{client.WithHost("tcp://" + addr)}
		if cert != "" {
			opts = append(opts, client.WithTLSClientConfig(filepath.Join(dir, "ca.pem"), filepath.Join(dir, cert+".pem"), filepath.Join(dir, cert+"-key.pem")))
		} else {
			opts = append(opts, client.WithTLSClientConfig(filepath.Join(dir, "ca.pem"), "", ""))
		}
		return client.New(opts...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	good, err := mk("client")
	if err != nil {
		t.Fatal(err)
	}
	defer good.Close()
	if _, err := good.ContainerList(ctx, client.ContainerListOptions{All: true}); err != nil {
		t.Errorf("a client with a certificate of the CA: %v", err)
	}
	for _, who := range []string{"", "stranger"} {
		c, err := mk(who)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.ContainerList(ctx, client.ContainerListOptions{}); err == nil {
			t.Errorf("a client with certificate %q was served", who)
		}
		c.Close()
	}
	if _, err := exec.LookPath("docker"); err == nil {
		r := dockerCLI(t, "tcp://"+addr, "--tlsverify", "--tlscacert", filepath.Join(dir, "ca.pem"), "--tlscert", filepath.Join(dir, "client.pem"),
			"--tlskey", filepath.Join(dir, "client-key.pem"), "version", "--format", "{{.Server.APIVersion}}")
		if r.ExitCode != 0 {
			t.Errorf("docker --tlsverify: %s", describe(r))
		}
	}

	// --insecure-tcp serves plain TCP, with a warning.
	addr = fmt.Sprintf("127.0.0.1:%d", freePort(t, "tcp"))
	p = startBurrow(t, "system", "service", "--time", "0", "--insecure-tcp", "tcp://"+addr)
	waitDial(t, "tcp", addr, p)
	plain, err := client.New(client.WithHost("tcp://" + addr))
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	if _, err := plain.Ping(ctx, client.PingOptions{}); err != nil {
		t.Errorf("--insecure-tcp: %v", err)
	}
	if !strings.Contains(p.out.String(), "Warning:") {
		t.Errorf("--insecure-tcp gave no warning: %s", p.out.String())
	}
}

// waitDial waits until the service p started answers on addr.
func waitDial(t *testing.T, network, addr string, p *liveBurrow) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if c, err := net.Dial(network, addr); err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the API service did not listen on %s: %s", addr, p.out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestAPIUsernsMode: HostConfig.UsernsMode keep-id runs as the user's own
