package tests

import (
	"archive/tar"
	"bytes"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
