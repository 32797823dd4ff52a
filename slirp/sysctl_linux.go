package slirp

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

// SetNetSysctls writes network sysctls (net.KEY=VALUE) in the network
// namespace kept at netns: /proc/sys/net names the namespace of the
// thread that opens it, so a thread of its own enters the namespace and
// is never handed back to the Go scheduler.
func SetNetSysctls(netns string, sysctls []string) error {
	if len(sysctls) == 0 {
		return nil
	}
	ns, err := os.Open(netns)
	if err != nil {
		return fmt.Errorf("opening the network namespace: %w", err)
	}
	defer ns.Close()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := unix.Setns(int(ns.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("entering the network namespace: %w", err)
			return
		}
		for _, kv := range sysctls {
			if err := writeSysctl(kv); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	return <-errc
}

// writeSysctl writes KEY=VALUE (KEY with dots or slashes) to /proc/sys.
func writeSysctl(kv string) error {
	k, v, ok := strings.Cut(kv, "=")
	if !ok || !strings.HasPrefix(k, "net.") || strings.Contains(k, "..") {
		return fmt.Errorf("invalid network sysctl %q: use net.KEY=VALUE", kv)
	}
	p := filepath.Join("/proc/sys", strings.ReplaceAll(k, ".", "/"))
	if err := os.WriteFile(p, []byte(v), 0o644); err != nil {
		return fmt.Errorf("setting sysctl %s: %w", k, err)
	}
	return nil
}
