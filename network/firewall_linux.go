package network

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/burrow-containers/burrow/errdefs"
)

// firewallTools are the programs netavark runs to write a network's NAT
// and forwarding rules: iptables (netavark 1.4 to 1.x, Debian 12's) or nft
// (newer netavark built for nftables). netavark finds them in PATH, which
// libnetwork extends with /usr/sbin.
var firewallTools = []string{"iptables", "nft"}

// sbinDirs are searched after PATH, as libnetwork adds them to netavark's.
var sbinDirs = []string{"/usr/sbin", "/sbin"}

// FirewallTool is the path of the first firewall program netavark can
// run, or "" when none is installed: then attaching a container to a
// network fails with netavark's bare "No such file or directory".
func FirewallTool() string {
	dirs := filepath.SplitList(os.Getenv("PATH"))
	dirs = append(dirs, sbinDirs...)
	for _, tool := range firewallTools {
		for _, d := range dirs {
			p := filepath.Join(d, tool)
			if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
				return p
			}
		}
	}
	return ""
}

// explainHelperError names the fix when netavark failed to start a program
// it runs (os error 2, or 13 when a directory of PATH is closed to the
// user) and no firewall program is installed: netavark's own message names
// neither the program nor the package.
func explainHelperError(err error) error {
	msg := err.Error()
	if !strings.Contains(msg, "(os error 2)") && !strings.Contains(msg, "(os error 13)") {
		return err
	}
	if FirewallTool() != "" {
		return err
	}
	return errdefs.Unavailable(fmt.Errorf("%w: netavark found no iptables to write the network's rules: install iptables (sudo apt-get install iptables)", err))
}
