package engine

import (
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
)

func TestRlimits(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "containers.conf")
	os.WriteFile(conf, []byte("[containers]\ndefault_ulimits = [\"core=1:2\", \"nofile=5:6\"]\n"), 0o644)
	t.Setenv("CONTAINERS_CONF", conf)
	t.Setenv("CONTAINERS_CONF_OVERRIDE", "")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	var nproc unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NPROC, &nproc); err != nil {
		t.Fatal(err)
	}
	dflt := min(uint64(rlimitDefault), nproc.Max)
	e := &Engine{}
	got, err := e.rlimits(&Config{Ulimits: []string{"nofile=7:8", "stack=-1:-1"}})
	if err != nil {
		t.Fatal(err)
	}
	var stack unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_STACK, &stack)
	want := []specs.POSIXRlimit{
		{Type: "RLIMIT_CORE", Soft: 1, Hard: 2},
		{Type: "RLIMIT_NOFILE", Soft: 7, Hard: 8}, // --ulimit over containers.conf's
		{Type: "RLIMIT_STACK", Soft: stack.Max, Hard: stack.Max},
		{Type: "RLIMIT_NPROC", Soft: dflt, Hard: dflt},
	}
	if len(got) != len(want) {
		t.Fatalf("rlimits %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("rlimit %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	var nofile unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_NOFILE, &nofile)
	got, err = e.rlimits(&Config{Ulimits: []string{"host"}})
	if err != nil || len(got) < 15 {
		t.Fatalf("--ulimit host: %+v, %v; want every limit of this process", got, err)
	}
	for _, r := range got {
		if r.Type == "RLIMIT_NOFILE" && (r.Soft != nofile.Max || r.Hard != nofile.Max) {
			t.Errorf("--ulimit host's nofile %+v, want both at the hard limit %d", r, nofile.Max)
		}
	}
	for _, bad := range []string{"bogus=1", "nofile=3:2", "nofile"} {
		if err := CheckUlimits([]string{bad}); !errdefs.Is(err, errdefs.ClassInvalid) {
			t.Errorf("--ulimit %s: %v, want invalid", bad, err)
		}
	}
}

func TestSettleShmSize(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "containers.conf")
	os.WriteFile(conf, []byte("[containers]\nshm_size = \"32m\"\n"), 0o644)
	t.Setenv("CONTAINERS_CONF", conf)
	t.Setenv("CONTAINERS_CONF_OVERRIDE", "")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	e := &Engine{}
	c := Config{}
	if err := e.settleShmSize(&c); err != nil || c.ShmSize != 32<<20 {
		t.Errorf("containers.conf's shm_size: %d, %v", c.ShmSize, err)
	}
	c = Config{ShmSize: 8 << 20}
	if err := e.settleShmSize(&c); err != nil || c.ShmSize != 8<<20 {
		t.Errorf("--shm-size 8m: %d, %v", c.ShmSize, err)
	}
	if ShmBytes(0) != 64<<20 {
		t.Errorf("a record without a size: %d, want 64 MiB", ShmBytes(0))
	}
}
