package slirp

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/burrow-containers/burrow/errdefs"
)

// PastaBinary finds pasta (Debian's passt), or says how to get it.
func PastaBinary() (string, error) {
	p, err := exec.LookPath("pasta")
	if err != nil {
		return "", errdefs.Unavailable(errors.New("pasta is not installed: install it (apt-get install passt), or use --network slirp4netns"))
	}
	return p, nil
}

// StartPasta runs pasta on the network namespace at netns. pasta copies
// the host's addresses and routes into the namespace (the container has
// the host's IP), forwards DNS to the host's resolvers, and exits when the
// namespace's file goes away (RemoveNetNS). With allowHostLoopback, the
// gateway address reaches the host's loopback. It returns once the
// namespace is configured.
func StartPasta(netns string, o Options) error {
	bin, err := PastaBinary()
	if err != nil {
		return err
	}
	mtu := o.MTU
	if mtu == 0 {
		mtu = 65520
	}
	args := []string{"--config-net", "--netns", netns, "--netns-only", "--mtu", strconv.Itoa(mtu), "--quiet",
		// Ports are published by the port driver, not by pasta itself.
		"--tcp-ports", "none", "--udp-ports", "none", "--tcp-ns", "none", "--udp-ns", "none",
		// pasta confines itself (namespaces, seccomp, capabilities);
		// what burrow adds is fewer parsers facing the container: the
		// addresses are set with --config-net, no DHCP server needed.
		"--no-dhcp", "--no-dhcpv6"}
	if !o.AllowHostLoopback {
		args = append(args, "--no-map-gw")
	}
	cmd := exec.Command(bin, args...)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	// pasta goes to the background by itself once the namespace is set up.
	if err := cmd.Run(); err != nil {
		if o.LogPath != "" {
			os.WriteFile(o.LogPath, []byte(out.String()), 0o600)
		}
		return fmt.Errorf("starting pasta: %w: %s", err, strings.TrimSpace(out.String()))
	}
	return nil
}
