package network

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
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

func TestExplainHelperError(t *testing.T) {
	plain := errors.New("netavark: No such file or directory (os error 2)")
	t.Setenv("PATH", t.TempDir())
	noSbin(t)
	got := classify(plain)
	if !strings.Contains(got.Error(), "install iptables") || !errors.Is(got, plain) {
		t.Errorf("classify(%q) = %q: want the error kept and iptables named", plain, got)
	}
	if errdefs.ClassOf(got) != errdefs.ClassUnavailable {
		t.Errorf("class %v, want unavailable", errdefs.ClassOf(got))
	}
	other := errors.New("netavark: IO error: address in use")
	if got := classify(other); got != other {
		t.Errorf("classify(%q) = %q: want it unchanged", other, got)
	}
}

func TestFirewallToolInPath(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "iptables"), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	noSbin(t)
	if got := FirewallTool(); got != filepath.Join(dir, "iptables") {
		t.Errorf("FirewallTool() = %q, want %s/iptables", got, dir)
	}
	plain := errors.New("netavark: No such file or directory (os error 2)")
	if got := classify(plain); got != plain {
		t.Errorf("with iptables installed classify(%q) = %q: want it unchanged", plain, got)
	}
}

// noSbin keeps the host's /usr/sbin and /sbin out of FirewallTool's search
// until the test ends.
func noSbin(t *testing.T) {
	saved := sbinDirs
	sbinDirs = nil
	t.Cleanup(func() { sbinDirs = saved })
}
