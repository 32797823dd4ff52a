package tests

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// TestAPIListFilters: docker ps and docker images with filters, as the CLI
// and the SDK send them.
func TestAPIListFilters(t *testing.T) {
	t.Parallel()
	host := apiService(t)
	img := busyboxImage(t)
	cli, ctx := sdkClient(t, host, 2*time.Minute)
	tag := randHex()[:8]
	running, exited := "filt-run-"+tag, "filt-exit-"+tag
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", running, exited) })
	runDetached(t, running, nil, "sleep", "1000")
	if r := burrow(t, "run", "--name", exited, img, "sh", "-c", "exit 3"); r.ExitCode != 3 {
		t.Fatalf("run ... exit 3: %s", describe(r))
	}

	names := func(f client.Filters, all bool) []string {
		t.Helper()
		list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: all, Filters: f})
		if err != nil {
			t.Fatalf("list with %v: %v", f, err)
		}
		var out []string
		for _, c := range list.Items {
			out = append(out, strings.TrimPrefix(c.Names[0], "/"))
		}
		return out
	}
	if got := names(make(client.Filters).Add("name", tag), true); len(got) != 2 {
		t.Errorf("name=%s, all: %v", tag, got)
	}
	if got := names(make(client.Filters).Add("name", tag), false); len(got) != 1 || got[0] != running {
		t.Errorf("name=%s, running only: %v", tag, got)
	}
	if got := names(make(client.Filters).Add("name", tag).Add("status", "exited"), false); len(got) != 1 || got[0] != exited {
		t.Errorf("name=%s status=exited: %v", tag, got)
	}
	if got := names(make(client.Filters).Add("name", tag).Add("exited", "3"), false); len(got) != 1 || got[0] != exited {
		t.Errorf("exited=3: %v", got)
	}
	if got := names(make(client.Filters).Add("name", tag).Add("status", "running", "exited"), false); len(got) != 2 {
		t.Errorf("two values of one key match either: %v", got)
	}
	// Labels given at create: kept, shown, filtered on.
	labelled := "filt-label-" + tag
	t.Cleanup(func() { burrow(t, "rm", "-f", labelled) })
	if _, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Name: labelled,
		Config: &container.Config{Image: img, Labels: map[string]string{"org.example.tag": tag}}}); err != nil {
		t.Fatalf("create with labels: %v", err)
	}
	if got := names(make(client.Filters).Add("label", "org.example.tag="+tag), true); len(got) != 1 || got[0] != labelled {
		t.Errorf("label=org.example.tag=%s: %v", tag, got)
	}
	if got := names(make(client.Filters).Add("label", "org.example.tag=other"), true); len(got) != 0 {
		t.Errorf("label=org.example.tag=other: %v", got)
	}
	if ins, err := cli.ContainerInspect(ctx, labelled, client.ContainerInspectOptions{}); err != nil || ins.Container.Config.Labels["org.example.tag"] != tag {
		t.Errorf("inspect's labels: %v", err)
	}
	if _, err := cli.ContainerList(ctx, client.ContainerListOptions{Filters: make(client.Filters).Add("colour", "blue")}); err == nil || !strings.Contains(err.Error(), "colour") {
		t.Errorf("an unknown filter: want an error naming it, got %v", err)
	}
	if _, err := exec.LookPath("docker"); err == nil {
		r := dockerCLI(t, host, "ps", "-a", "--filter", "name="+tag, "--filter", "status=exited", "--format", "{{.Names}}")
		if r.ExitCode != 0 || strings.TrimSpace(r.Stdout) != exited {
			t.Errorf("docker ps --filter: %s", describe(r))
		}
		ref := strings.TrimSuffix(img[strings.LastIndex(img, "/")+1:], ":latest")
		r = dockerCLI(t, host, "images", "--filter", "reference="+ref, "--format", "{{.Repository}}")
		if r.ExitCode != 0 || !strings.Contains(r.Stdout, ref) {
			t.Errorf("docker images --filter reference=%s: %s", ref, describe(r))
		}
		r = dockerCLI(t, host, "images", "--filter", "reference=no-such-image-"+tag, "-q")
		if r.ExitCode != 0 || strings.TrimSpace(r.Stdout) != "" {
			t.Errorf("docker images --filter on an unknown reference: %s", describe(r))
		}
	}
}

// TestAPIStatsStream: stats stream one sample a second, with the CPU
// counters docker stats computes its percentage from.
func TestAPIStatsStream(t *testing.T) {
	t.Parallel()
	host := apiService(t)
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	runDetached(t, name, nil, "sleep", "1000")
	cli, ctx := sdkClient(t, host, time.Minute)
	res, err := cli.ContainerStats(ctx, name, client.ContainerStatsOptions{Stream: true})
	if err != nil {
		t.Fatalf("stats: %v", err)
	}
	defer res.Body.Close()
	dec := json.NewDecoder(res.Body)
	start := time.Now()
	var samples []container.StatsResponse
	for len(samples) < 3 {
		var s container.StatsResponse
		if err := dec.Decode(&s); err != nil {
			t.Fatalf("stats stream, sample %d: %v", len(samples)+1, err)
		}
		samples = append(samples, s)
	}
	if d := time.Since(start); d < 1500*time.Millisecond {
		t.Errorf("3 samples in %v: want about one a second", d)
	}
	last := samples[2]
	if last.CPUStats.SystemUsage == 0 || last.PreCPUStats.SystemUsage != samples[1].CPUStats.SystemUsage || last.CPUStats.OnlineCPUs == 0 {
		t.Errorf("stream sample CPU fields: cpu %+v precpu %+v", last.CPUStats, last.PreCPUStats)
	}
	if last.MemoryStats.Limit == 0 || !strings.HasSuffix(last.Name, name) {
		t.Errorf("stream sample: memory %+v name %q", last.MemoryStats, last.Name)
	}
	// The stream ends when the container does.
	must(t, "kill", name)
	done := make(chan error, 1)
	go func() {
		for {
			var s container.StatsResponse
			if err := dec.Decode(&s); err != nil {
				done <- err
				return
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Errorf("the stats stream went on after the container stopped")
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
// UID, as --userns=keep-id does; a bad mode is a 400.
func TestAPIUsernsMode(t *testing.T) {
	t.Parallel()
	host := apiService(t)
	img := busyboxImage(t)
	cli, ctx := sdkClient(t, host, time.Minute)
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name: name, Config: &container.Config{Image: img, Cmd: []string{"id", "-u"}},
		HostConfig: &container.HostConfig{UsernsMode: "keep-id"},
	})
	if err != nil {
		t.Fatalf("create with UsernsMode keep-id: %v", err)
	}
	if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatalf("start: %v", err)
	}
	must(t, "wait", name)
	if got, want := strings.TrimSpace(must(t, "logs", name)), fmt.Sprint(os.Getuid()); got != want {
		t.Errorf("id -u with keep-id: %q, want %q", got, want)
	}
	_, err = cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: &container.Config{Image: img}, HostConfig: &container.HostConfig{UsernsMode: "sideways"},
	})
	if err == nil || !strings.Contains(err.Error(), "sideways") {
		t.Errorf("UsernsMode sideways: want an error naming it, got %v", err)
	}
}

// TestAPIDNSAndSysctls: HostConfig's DnsSearch, DnsOptions and net.*
// Sysctls reach the container (its resolv.conf, its network namespace) and
// inspect, as dockerd's; another sysctl is a 400 naming the field.
func TestAPIDNSAndSysctls(t *testing.T) {
	t.Parallel()
	cli, ctx := sdkClient(t, apiService(t), 2*time.Minute)
	img := busyboxImage(t)
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", "-t", "0", name) })
	_, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Name: name,
		Config: &container.Config{Image: img, Cmd: []string{"sh", "-c", "cat /etc/resolv.conf /proc/sys/net/ipv4/ping_group_range"}},
		HostConfig: &container.HostConfig{DNSSearch: []string{"example.test"}, DNSOptions: []string{"ndots:3"},
			Sysctls: map[string]string{"net.ipv4.ping_group_range": "0 1000"}}})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := cli.ContainerStart(ctx, name, client.ContainerStartOptions{}); err != nil {
		t.Fatalf("start: %v", err)
	}
	if r := burrow(t, "wait", name); strings.TrimSpace(r.Stdout) != "0" {
		t.Fatalf("wait: %s", describe(r))
	}
	out := burrow(t, "logs", name).Stdout
	for _, want := range []string{"search example.test", "options ndots:3", "0\t1000"} {
		if !strings.Contains(out, want) {
			t.Errorf("the container's output lacks %q:\n%s", want, out)
		}
	}
	insp, err := cli.ContainerInspect(ctx, name, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	hc := insp.Container.HostConfig
	if fmt.Sprint(hc.DNSSearch, hc.DNSOptions, hc.Sysctls) != "[example.test] [ndots:3] map[net.ipv4.ping_group_range:0 1000]" {
		t.Errorf("inspect: DnsSearch %v, DnsOptions %v, Sysctls %v", hc.DNSSearch, hc.DNSOptions, hc.Sysctls)
	}
	_, err = cli.ContainerCreate(ctx, client.ContainerCreateOptions{Config: &container.Config{Image: img},
		HostConfig: &container.HostConfig{Sysctls: map[string]string{"kernel.shmmax": "1"}}})
	if err == nil || !strings.Contains(err.Error(), "HostConfig.Sysctls") {
		t.Errorf("a kernel.* sysctl: want a 400 naming HostConfig.Sysctls, got %v", err)
	}
}
