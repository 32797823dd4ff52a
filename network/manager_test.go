package network

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/burrow-containers/burrow/errdefs"
)

func TestUseNetavarkSettlesPodmansBackend(t *testing.T) {
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	graph := t.TempDir()
	file := filepath.Join(graph, "defaultNetworkBackend")
	backend := func() string {
		b, _ := os.ReadFile(file)
		return string(b)
	}
	// Not chosen yet: netavark, for podman too.
	if err := useNetavark(graph, ""); err != nil || backend() != "netavark" {
		t.Fatalf("no choice yet: %v, file %q", err, backend())
	}
	// CNI chosen but no CNI network: switched.
	os.WriteFile(file, []byte("cni"), 0o644)
	if err := useNetavark(graph, ""); err != nil || backend() != "netavark" {
		t.Errorf("cni without networks: %v, file %q", err, backend())
	}
	// CNI networks: left alone, with the reason.
	os.WriteFile(file, []byte("cni"), 0o644)
	cni := filepath.Join(config, "cni", "net.d")
	os.MkdirAll(cni, 0o700)
	os.WriteFile(filepath.Join(cni, "mynet.conflist"), []byte("{}"), 0o644)
	if err := useNetavark(graph, ""); !errdefs.Is(err, errdefs.ClassUnavailable) || backend() != "cni" {
		t.Errorf("cni with a network: want an unavailable error and the file kept, got %v, file %q", err, backend())
	}
	if err := useNetavark(t.TempDir(), "cni"); !errdefs.Is(err, errdefs.ClassUnavailable) {
		t.Errorf("network_backend = cni in containers.conf: want an unavailable error, got %v", err)
	}
}
