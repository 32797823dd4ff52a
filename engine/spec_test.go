package engine

import (
	"reflect"
	"strings"
	"testing"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestCapabilities(t *testing.T) {
	got, err := capabilities(&Config{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(DefaultCapabilities) {
		t.Fatalf("default set %v", got)
	}
	got, _ = capabilities(&Config{CapDrop: []string{"chown"}, CapAdd: []string{"NET_ADMIN"}})
	joined := strings.Join(got, ",")
	if strings.Contains(joined, "CAP_CHOWN") || !strings.Contains(joined, "CAP_NET_ADMIN") {
		t.Fatalf("drop chown, add net_admin: %v", got)
	}
	got, _ = capabilities(&Config{CapDrop: []string{"ALL"}, CapAdd: []string{"CAP_KILL"}})
	if !reflect.DeepEqual(got, []string{"CAP_KILL"}) {
		t.Fatalf("drop all add kill: %v", got)
	}
	if _, err := capabilities(&Config{CapAdd: []string{"CAP_FLY"}}); err == nil {
		t.Fatal("unknown capability accepted")
	}
	all, _ := capabilities(&Config{Privileged: true})
	if len(all) <= len(DefaultCapabilities) {
		t.Fatalf("privileged gives %d caps", len(all))
	}
}

func TestProcessArgs(t *testing.T) {
	img := &v1.ImageConfig{Entrypoint: []string{"/bin/echo", "e"}, Cmd: []string{"c"}}
	empty := ""
	pwd := "/bin/pwd"
	for _, tc := range []struct {
		c    Config
		want []string
	}{
		{Config{}, []string{"/bin/echo", "e", "c"}},
		{Config{Command: []string{"x", "y"}}, []string{"/bin/echo", "e", "x", "y"}},
		{Config{Entrypoint: &pwd}, []string{"/bin/pwd"}},
		{Config{Entrypoint: &empty, Command: []string{"ls"}}, []string{"ls"}},
	} {
		if got := processArgs(&tc.c, img); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v: got %v want %v", tc.c, got, tc.want)
		}
	}
}

func TestMergeEnv(t *testing.T) {
	lookup := func(k string) (string, bool) {
		if k == "FROMHOST" {
			return "h", true
		}
		return "", false
	}
	got := mergeEnv([]string{"PATH=/bin", "FOO=bar"}, []string{"FOO=baz", "NEW=1", "FROMHOST", "MISSING"}, lookup)
	want := []string{"PATH=/bin", "FOO=baz", "NEW=1", "FROMHOST=h"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
}
