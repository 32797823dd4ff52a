package tests

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// The attacks on the API service of docs/security.md ("The Docker API
// service"): what a client, or a web page, sends.

// dirUsage is how many bytes the files under dir take on disk.
func dirUsage(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// TestAPIArchiveUploadStaysInContainer: the archive docker cp and the SDK's
// CopyToContainer may carry, a symlink to the user's home and then a file
// through it, lands in the container and writes nothing on the host.
func TestAPIArchiveUploadStaysInContainer(t *testing.T) {
	t.Parallel()
	host := apiService(t)
	cli, ctx := sdkClient(t, host, time.Minute)
	name := ctrName(t)
	runDetached(t, name, nil, "sleep", "1000")
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	file := "burrow-cp-escape-" + randHex()[:8]
	t.Cleanup(func() { os.Remove(filepath.Join(home, file)) })
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "x", Typeflag: tar.TypeSymlink, Linkname: home})
	tw.WriteHeader(&tar.Header{Name: "x/" + file, Typeflag: tar.TypeReg, Mode: 0o644, Size: 6})
	tw.Write([]byte("owned\n"))
	tw.Close()
	_, err = cli.CopyToContainer(ctx, name, client.CopyToContainerOptions{DestinationPath: "/tmp", Content: &buf})
	if _, serr := os.Lstat(filepath.Join(home, file)); serr == nil {
		t.Fatalf("the archive wrote %s on the host (CopyToContainer: %v)", filepath.Join(home, file), err)
	}
	if err != nil {
		t.Fatalf("CopyToContainer: %v", err)
	}
	if got := must(t, "exec", name, "cat", home+"/"+file); got != "owned\n" {
		t.Errorf("the file through the link, in the container: %q", got)
	}
	if got := strings.TrimSpace(must(t, "exec", name, "readlink", "/tmp/x")); got != home {
		t.Errorf("the link in the container: %q", got)
	}
}

// TestAPIArchiveDownloadStreams: GET /containers/{id}/archive of a large
// sparse file streams it, without a copy in the service's $TMPDIR.
func TestAPIArchiveDownloadStreams(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	host := apiServiceWith(t, []string{"TMPDIR=" + tmp})
	cli, ctx := sdkClient(t, host, 2*time.Minute)
	name := ctrName(t)
	runDetached(t, name, nil, "sh", "-c", "truncate -s 1G /big && sleep 1000")
	for i := 0; burrow(t, "exec", name, "test", "-e", "/big").ExitCode != 0; i++ {
		if i > 100 {
			t.Fatal("the sparse file never appeared")
		}
		time.Sleep(50 * time.Millisecond)
	}
	type answer struct {
		res client.CopyFromContainerResult
		err error
	}
	got := make(chan answer, 1)
	go func() {
		res, err := cli.CopyFromContainer(ctx, name, client.CopyFromContainerOptions{SourcePath: "/big"})
		got <- answer{res, err}
	}()
	const bound = 64 << 20
	var a answer
	for waiting := true; waiting; {
		select {
		case a = <-got:
			waiting = false
		case <-time.After(100 * time.Millisecond):
			if n := dirUsage(tmp); n > bound {
				t.Fatalf("the service's $TMPDIR holds %d bytes before the archive starts", n)
			}
		}
	}
	if a.err != nil {
		t.Fatalf("CopyFromContainer: %v", a.err)
	}
	defer a.res.Content.Close()
	if a.res.Stat.Size != 1<<30 || a.res.Stat.Name != "big" {
		t.Errorf("the path's stat: %+v", a.res.Stat)
	}
	tr := tar.NewReader(a.res.Content)
	h, err := tr.Next()
	if err != nil || h.Name != "big" || h.Size != 1<<30 {
		t.Fatalf("the archive's entry: %+v %v", h, err)
	}
	if n, err := io.CopyN(io.Discard, tr, 32<<20); err != nil || n != 32<<20 {
		t.Fatalf("reading the stream: %d %v", n, err)
	}
	if n := dirUsage(tmp); n > bound {
		t.Errorf("the service's $TMPDIR holds %d bytes while the archive streams", n)
	}
}

// apiCall sends one request to the service at host (unix://PATH) and
// returns the status and the body.
func apiCall(t *testing.T, host, method, path string, header http.Header, body io.Reader) (int, string) {
	t.Helper()
	sock := strings.TrimPrefix(host, "unix://")
	c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}, Timeout: time.Minute}
	req, err := http.NewRequest(method, "http://burrow"+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestAPIRefusesWebPages: what a web page can send (a text/plain or form
// POST, anything with an Origin) is refused, before anything is made: a
// page must not create a container with the user's home bound in.
func TestAPIRefusesWebPages(t *testing.T) {
	t.Parallel()
	host := apiService(t)
	img := busyboxImage(t)
	home, _ := os.UserHomeDir()
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", name) })
	create := `{"Image":"` + img + `","Cmd":["true"],"HostConfig":{"Binds":["` + home + `:/h"]}}`
	for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""} {
		st, body := apiCall(t, host, "POST", "/v1.43/containers/create?name="+name, http.Header{"Content-Type": {ct}}, strings.NewReader(create))
		if st != http.StatusBadRequest || !strings.Contains(body, "application/json") {
			t.Errorf("create with Content-Type %q: %d %s, want 400 naming application/json", ct, st, body)
		}
	}
	origin := http.Header{"Content-Type": {"application/json"}, "Origin": {"http://attacker.example"}}
	if st, body := apiCall(t, host, "POST", "/v1.43/containers/create?name="+name, origin, strings.NewReader(create)); st != http.StatusForbidden || !strings.Contains(body, "browser") {
		t.Errorf("create with an Origin: %d %s, want 403", st, body)
	}
	if st, _ := apiCall(t, host, "GET", "/v1.43/containers/json", http.Header{"Sec-Fetch-Mode": {"no-cors"}}, nil); st != http.StatusForbidden {
		t.Errorf("a browser's GET (Sec-Fetch-Mode): %d, want 403", st)
	}
	if r := burrow(t, "inspect", name); r.ExitCode == 0 {
		t.Errorf("a refused request made the container")
	}
	// What clients send passes: a charset parameter, and no body at all.
	if st, body := apiCall(t, host, "POST", "/v1.43/containers/create?name="+name, http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		strings.NewReader(`{"Image":"`+img+`","Cmd":["true"]}`)); st != http.StatusCreated {
		t.Errorf("create with application/json; charset=utf-8: %d %s", st, body)
	}
	if st, body := apiCall(t, host, "POST", "/v1.43/commit?container="+name+"&repo=localhost/refuse-"+randHex()[:6], nil, nil); st != http.StatusCreated {
		t.Errorf("commit without a body: %d %s", st, body)
	} else {
		var id struct{ ID string }
		json.Unmarshal([]byte(body), &id)
		burrow(t, "rmi", "-f", id.ID)
	}
}

// TestAPIUploadLimit: a build context or an image archive larger than
// --upload-limit is refused with 413 naming the flag, and nothing of it
// stays on disk; $TMPDIR is not used.
func TestAPIUploadLimit(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	host := apiServiceWith(t, []string{"TMPDIR=" + tmp}, "--upload-limit", "1m")
	big := make([]byte, 3<<20)
	rand.New(rand.NewSource(1)).Read(big)
	var ctxTar bytes.Buffer
	tw := tar.NewWriter(&ctxTar)
	tw.WriteHeader(&tar.Header{Name: "Dockerfile", Typeflag: tar.TypeReg, Mode: 0o644, Size: 14})
	tw.Write([]byte("FROM scratch\n\n"))
	tw.WriteHeader(&tar.Header{Name: "big", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(big))})
	tw.Write(big)
	tw.Close()
	for _, tc := range []struct {
		path string
		body []byte
	}{
		{"/v1.43/build", ctxTar.Bytes()},
		{"/v1.43/images/load", big},
	} {
		st, body := apiCall(t, host, "POST", tc.path, http.Header{"Content-Type": {"application/x-tar"}}, bytes.NewReader(tc.body))
		if st != http.StatusRequestEntityTooLarge || !strings.Contains(body, "--upload-limit") {
			t.Errorf("POST %s of %d bytes over a limit of 1m: %d %s, want 413 naming --upload-limit", tc.path, len(tc.body), st, body)
		}
	}
	var info struct{ DockerRootDir string }
	if st, body := apiCall(t, host, "GET", "/v1.43/info", nil, nil); st != 200 || json.Unmarshal([]byte(body), &info) != nil {
		t.Fatalf("info: %d %s", st, body)
	}
	if n := dirUsage(filepath.Join(info.DockerRootDir, "burrow-uploads")); n != 0 {
		t.Errorf("the refused uploads left %d bytes", n)
	}
	if n := dirUsage(tmp); n != 0 {
		t.Errorf("the uploads went to $TMPDIR: %d bytes", n)
	}
}

// TestAPISecurityOpt: HostConfig.SecurityOpt is applied, as the docker CLI
// sends it (a seccomp profile as its JSON), and what burrow cannot honour,
// in SecurityOpt or elsewhere in the create request, is a 400 naming it.
func TestAPISecurityOpt(t *testing.T) {
	t.Parallel()
	host := apiService(t)
	img := busyboxImage(t)
	cli, ctx := sdkClient(t, host, 2*time.Minute)
	run := func(opts []string, cmd ...string) string {
		t.Helper()
		name := ctrName(t)
		t.Cleanup(func() { burrow(t, "rm", "-f", name) })
		created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
			Name: name, Config: &container.Config{Image: img, Cmd: cmd}, HostConfig: &container.HostConfig{SecurityOpt: opts},
		})
		if err != nil {
			t.Fatalf("create with SecurityOpt %q: %v", opts, err)
		}
		if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
			t.Fatalf("start: %v", err)
		}
		must(t, "wait", name)
		return must(t, "logs", name)
	}
	if got := run([]string{"no-new-privileges:true"}, "grep", "NoNewPrivs", "/proc/self/status"); !strings.Contains(got, "1") {
		t.Errorf("no-new-privileges (compose's form): %q", got)
	}
	profile := `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}`
	if got := run([]string{"seccomp=" + profile}, "sh", "-c", "mkdir /made 2>&1; echo rc=$?"); !strings.Contains(got, "rc=1") {
		t.Errorf("a seccomp profile refusing mkdir: %q", got)
	}
	if _, err := exec.LookPath("docker"); err == nil {
		file := filepath.Join(t.TempDir(), "profile.json")
		os.WriteFile(file, []byte(profile), 0o644)
		r := dockerCLI(t, host, "run", "--rm", "--security-opt", "seccomp="+file, "--security-opt", "no-new-privileges", img,
			"sh", "-c", "grep NoNewPrivs /proc/self/status; mkdir /made || echo refused")
		if !strings.Contains(r.Stdout, "refused") || !strings.Contains(r.Stdout, "1") {
			t.Errorf("docker run --security-opt seccomp=FILE --security-opt no-new-privileges: %s", describe(r))
		}
	}
	for _, tc := range []struct {
		hc    container.HostConfig
		field string
	}{
		{container.HostConfig{SecurityOpt: []string{"label=type:container_t"}}, "HostConfig.SecurityOpt"},
		{container.HostConfig{SecurityOpt: []string{"apparmor=docker-default"}}, "HostConfig.SecurityOpt"},
		{container.HostConfig{Resources: container.Resources{Devices: []container.DeviceMapping{{PathOnHost: "dev/null", PathInContainer: "/dev/x"}}}}, "HostConfig.Devices"},
		{container.HostConfig{Sysctls: map[string]string{"kernel.shmmax": "1"}}, "HostConfig.Sysctls"},
		{container.HostConfig{NetworkMode: "host", Sysctls: map[string]string{"net.ipv4.ip_forward": "1"}}, "can't be set since the network namespace is host"},
	} {
		_, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{Config: &container.Config{Image: img}, HostConfig: &tc.hc})
		if err == nil || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("create asking for %s: %v, want a 400 naming it", tc.field, err)
		}
	}
}

// TestAPIEnvNotFromService: Env ["NAME"] never takes the service's own
// value of NAME, for create or for exec (dockerd never does).
func TestAPIEnvNotFromService(t *testing.T) {
	t.Parallel()
	host := apiServiceWith(t, []string{"BURROW_API_LEAK=service-secret"})
	img := busyboxImage(t)
	cli, ctx := sdkClient(t, host, time.Minute)
	name := ctrName(t)
	t.Cleanup(func() { burrow(t, "rm", "-f", name) })
	created, err := cli.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name: name, Config: &container.Config{Image: img, Cmd: []string{"sleep", "1000"}, Env: []string{"BURROW_API_LEAK", "SET=1"}},
	})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := cli.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		t.Fatalf("start: %v", err)
	}
	if env := must(t, "exec", name, "env"); strings.Contains(env, "service-secret") || !strings.Contains(env, "SET=1") {
		t.Errorf("the container's environment:\n%s", env)
	}
	ex, err := cli.ExecCreate(ctx, name, client.ExecCreateOptions{Cmd: []string{"env"}, Env: []string{"BURROW_API_LEAK"}, AttachStdout: true})
	if err != nil {
		t.Fatalf("exec create: %v", err)
	}
	att, err := cli.ExecAttach(ctx, ex.ID, client.ExecAttachOptions{})
	if err != nil {
		t.Fatalf("exec attach: %v", err)
	}
	var out bytes.Buffer
	stdcopy.StdCopy(&out, io.Discard, att.Reader)
	att.Close()
	if strings.Contains(out.String(), "service-secret") || !strings.Contains(out.String(), "PATH=") {
		t.Errorf("the exec's environment:\n%s", out.String())
	}
}

// TestAPIExecSessionsForgotten: exec sessions do not stay in the service
// forever: a finished one can be inspected (docker exec reads its exit
// code), and all of a container's go when the container does, as dockerd
// forgets them.
func TestAPIExecSessionsForgotten(t *testing.T) {
	t.Parallel()
	host := apiService(t)
	cli, ctx := sdkClient(t, host, time.Minute)
	name := ctrName(t)
	runDetached(t, name, nil, "sleep", "1000")
	var ids []string
	for i := 0; i < 5; i++ {
		ex, err := cli.ExecCreate(ctx, name, client.ExecCreateOptions{Cmd: []string{"sh", "-c", "exit 3"}, AttachStdout: true})
		if err != nil {
			t.Fatalf("exec create: %v", err)
		}
		att, err := cli.ExecAttach(ctx, ex.ID, client.ExecAttachOptions{})
		if err != nil {
			t.Fatalf("exec attach: %v", err)
		}
		io.Copy(io.Discard, att.Reader)
		att.Close()
		ids = append(ids, ex.ID)
	}
	for _, id := range ids {
		ins, err := cli.ExecInspect(ctx, id, client.ExecInspectOptions{})
		if err != nil || ins.ExitCode != 3 || ins.Running {
			t.Errorf("inspect of a finished exec: %+v %v", ins, err)
		}
	}
	unstarted, err := cli.ExecCreate(ctx, name, client.ExecCreateOptions{Cmd: []string{"true"}})
	if err != nil {
		t.Fatalf("exec create: %v", err)
	}
	must(t, "rm", "-f", name)
	for _, id := range append(ids, unstarted.ID) {
		if _, err := cli.ExecInspect(ctx, id, client.ExecInspectOptions{}); err == nil || !strings.Contains(strings.ToLower(err.Error()), "no such exec") {
			t.Errorf("exec %s of a removed container: %v, want no such exec instance", id[:12], err)
		}
	}
}

// TestAPIArchiveStoppedContainerVolume: docker cp (the SDK's
// CopyToContainer and CopyFromContainer) of a created container reads and
// writes a path under its volume in the volume, as docker does, and the
// mount point comes out named as the container's path.
func TestAPIArchiveStoppedContainerVolume(t *testing.T) {
	t.Parallel()
	host := apiService(t)
	cli, ctx := sdkClient(t, host, time.Minute)
	name, vol := ctrName(t), "apiv-"+randHex()[:8]
	t.Cleanup(func() { burrow(t, "volume", "rm", "-f", vol) })
	createCtr(t, name, []string{"-v", vol + ":/srv/data"}, "true")
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "in-volume", Typeflag: tar.TypeReg, Mode: 0o644, Size: 3})
	tw.Write([]byte("vol"))
	tw.Close()
	if _, err := cli.CopyToContainer(ctx, name, client.CopyToContainerOptions{DestinationPath: "/srv/data", Content: &buf}); err != nil {
		t.Fatalf("CopyToContainer into the volume of a created container: %v", err)
	}
	mp := strings.TrimSpace(must(t, "volume", "inspect", "--format", "{{.Mountpoint}}", vol))
	if b, err := os.ReadFile(filepath.Join(mp, "in-volume")); err != nil || string(b) != "vol" {
		t.Fatalf("the volume holds %q, %v", b, err)
	}
	res, err := cli.CopyFromContainer(ctx, name, client.CopyFromContainerOptions{SourcePath: "/srv/data"})
	if err != nil {
		t.Fatalf("CopyFromContainer of the volume's mount point: %v", err)
	}
	defer res.Content.Close()
	if res.Stat.Name != "data" || !res.Stat.Mode.IsDir() {
		t.Errorf("the mount point's stat: %+v", res.Stat)
	}
	var names []string
	tr := tar.NewReader(res.Content)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		names = append(names, strings.TrimSuffix(h.Name, "/"))
	}
	if strings.Join(names, " ") != "data data/in-volume" {
		t.Errorf("the archive of the mount point: %q", names)
	}
}
