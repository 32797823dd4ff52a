package sandbox

import (
	"fmt"
	"strings"

	"github.com/moby/sys/capability"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
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

// finalizeCredentials gives the current thread the spec's bounding set,
// user, groups, capabilities and no_new_privs, in the order the kernel
// allows: bounding set and groups while we still hold every capability,
// then the user switch keeping the permitted set, then capset.
func finalizeCredentials(p *specs.Process) error {
	caps, err := capability.NewPid2(0)
	if err != nil {
		return err
	}
	if err := caps.Load(); err != nil {
		return err
	}
	var sets struct{ bnd, eff, prm, inh, amb []capability.Cap }
	if c := p.Capabilities; c != nil {
		for _, x := range []struct {
			names []string
			dst   *[]capability.Cap
		}{{c.Bounding, &sets.bnd}, {c.Effective, &sets.eff}, {c.Permitted, &sets.prm}, {c.Inheritable, &sets.inh}, {c.Ambient, &sets.amb}} {
			if *x.dst, err = capList(x.names); err != nil {
				return err
			}
		}
	}
	caps.Clear(capability.BOUNDING)
	caps.Set(capability.BOUNDING, sets.bnd...)
	if err := caps.Apply(capability.BOUNDS); err != nil {
		return fmt.Errorf("setting the capability bounding set: %w", err)
	}

	u := p.User
	groups := make([]int, 0, len(u.AdditionalGids))
	for _, g := range u.AdditionalGids {
		groups = append(groups, int(g))
	}
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("keeping capabilities: %w", err)
	}
	if err := unix.Setgroups(groups); err != nil && len(groups) > 0 {
		return fmt.Errorf("setting supplementary groups: %w", err)
	}
	if err := unix.Setresgid(int(u.GID), int(u.GID), int(u.GID)); err != nil {
		return fmt.Errorf("setting gid %d: %w", u.GID, err)
	}
	if err := unix.Setresuid(int(u.UID), int(u.UID), int(u.UID)); err != nil {
		return fmt.Errorf("setting uid %d: %w", u.UID, err)
	}
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("resetting keep-capabilities: %w", err)
	}

	caps.Clear(capability.CAPS | capability.AMBS)
	caps.Set(capability.EFFECTIVE, sets.eff...)
	caps.Set(capability.PERMITTED, sets.prm...)
	caps.Set(capability.INHERITABLE, sets.inh...)
	caps.Set(capability.AMBIENT, sets.amb...)
	if err := caps.Apply(capability.CAPS | capability.AMBS); err != nil {
		return fmt.Errorf("setting capabilities: %w", err)
	}
	if p.NoNewPrivileges {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("setting no_new_privs: %w", err)
		}
	}
	return nil
}
