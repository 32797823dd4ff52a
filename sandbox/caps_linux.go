package sandbox

import (
	"fmt"
	"strings"

	"github.com/moby/sys/capability"
)

// CapNames is every capability the kernel knows, as CAP_ names.
func CapNames() []string {
	var out []string
	for _, c := range capability.ListKnown() {
		out = append(out, capName(c))
	}
	return out
}

func capName(c capability.Cap) string { return "CAP_" + strings.ToUpper(c.String()) }

// ParseCap accepts "CAP_NET_ADMIN", "NET_ADMIN" or "net_admin".
func ParseCap(name string) (capability.Cap, bool) {
	n := strings.ToUpper(name)
	if !strings.HasPrefix(n, "CAP_") {
		n = "CAP_" + n
	}
	for _, c := range capability.ListKnown() {
		if capName(c) == n {
			return c, true
		}
	}
	return 0, false
}

func capList(names []string) ([]capability.Cap, error) {
	var out []capability.Cap
	for _, n := range names {
		c, ok := ParseCap(n)
		if !ok {
			return nil, fmt.Errorf("unknown capability %q", n)
		}
		out = append(out, c)
	}
	return out, nil
}
