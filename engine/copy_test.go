package engine

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"strings"
	"testing"
)

// Relative paths in a container are its working directory's, as podman
// cp reads them; the trailing "/" or "/." that tells how a copy is placed
// survives.
func TestInContainer(t *testing.T) {
	for _, c := range []struct{ cwd, p, want string }{
		{"/srv", "/tmp/.", "/tmp/."},
		{"/srv", ".", "/srv/."},
		{"/srv", "./", "/srv/"},
		{"/srv", "anotherbase.txt", "/srv/anotherbase.txt"},
		{"/srv", "subdir/.", "/srv/subdir/."},
		{"/srv", "sub/file", "/srv/sub/file"},
		{"", "a", "/a"},
		{"/", ".", "/."},
	} {
		if got := inContainer(c.cwd, c.p); got != c.want {
			t.Errorf("inContainer(%q, %q) = %q, want %q", c.cwd, c.p, got, c.want)
		}
	}
}

func TestTarStreamTakesTarArchivesOnly(t *testing.T) {
	var plain bytes.Buffer
	tw := tar.NewWriter(&plain)
	tw.WriteHeader(&tar.Header{Name: "f", Mode: 0o644, Size: 2})
	tw.Write([]byte("hi"))
	tw.Close()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain.Bytes())
	zw.Close()
	for name, in := range map[string][]byte{"tar": plain.Bytes(), "tar.gz": gz.Bytes()} {
		r, err := tarStream(bytes.NewReader(in))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		h, err := tar.NewReader(r).Next()
		if err != nil || h.Name != "f" {
			t.Errorf("%s: the stream's first entry: %v %v", name, h, err)
		}
	}
	for name, in := range map[string]io.Reader{"text": strings.NewReader("just text\n"), "empty": strings.NewReader("")} {
		if _, err := tarStream(in); err == nil || !strings.Contains(err.Error(), "source must be a (compressed) tar archive") {
			t.Errorf("%s: want podman's error, got %v", name, err)
		}
	}
}
