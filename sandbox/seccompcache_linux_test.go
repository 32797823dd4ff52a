package sandbox

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestFilterCache(t *testing.T) {
	cache := FilterCache(filepath.Join(t.TempDir(), "seccomp"))
	s := testSpec().Linux.Seccomp
	want, err := compileSeccomp(s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := cache.compile(s)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("first compile: %v, same program %v", err, bytes.Equal(got, want))
	}
	files, _ := filepath.Glob(filepath.Join(string(cache), "*.bpf"))
	if len(files) != 1 {
		t.Fatalf("cache holds %q, want one program", files)
	}
	// The cached program is what the next start loads.
	marker := bytes.Repeat([]byte{6, 0, 0, 0, 0, 0, 0xff, 0x7f}, 2)
	if err := os.WriteFile(files[0], marker, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, _ := cache.compile(s); !bytes.Equal(got, marker) {
		t.Errorf("second compile did not read the cache: %d bytes", len(got))
	}
	// A program others may write, or a link, is not loaded: the run
	// directory may be under /tmp.
	os.Chmod(files[0], 0o666)
	if got, _ := cache.compile(s); bytes.Equal(got, marker) {
		t.Errorf("a program others may write was loaded")
	}
	planted := filepath.Join(t.TempDir(), "planted")
	os.WriteFile(planted, marker, 0o600)
	os.Remove(files[0])
	os.Symlink(planted, files[0])
	if got, _ := cache.compile(s); bytes.Equal(got, marker) {
		t.Errorf("a program behind a link was loaded")
	}
	os.Remove(files[0])
	os.WriteFile(files[0], marker, 0o600)
	os.Chmod(string(cache), 0o777)
	if got, _ := cache.compile(s); bytes.Equal(got, marker) {
		t.Errorf("a program in a directory others may write was loaded")
	}
	os.Chmod(string(cache), 0o700)
	// A program cut short is compiled again.
	os.WriteFile(files[0], marker[:5], 0o600)
	if got, _ := cache.compile(s); !bytes.Equal(got, want) {
		t.Errorf("a truncated cache entry was used")
	}
	// Another profile is another entry.
	other := *s
	other.Syscalls = append([]specs.LinuxSyscall{{Names: []string{"getpid"}, Action: specs.ActAllow}}, s.Syscalls...)
	if got, _ := cache.compile(&other); bytes.Equal(got, want) {
		t.Errorf("another profile got the first one's program")
	}
	if files, _ := filepath.Glob(filepath.Join(string(cache), "*.bpf")); len(files) != 2 {
		t.Errorf("cache holds %q, want two programs", files)
	}
}
