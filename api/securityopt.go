package api

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/moby/moby/api/types/container"

	"github.com/burrow-containers/burrow/engine"
	"github.com/burrow-containers/burrow/errdefs"
)

// security applies HostConfig.SecurityOpt, MaskedPaths and ReadonlyPaths.
// SecurityOpt takes what the docker CLI sends for --security-opt (KEY=VALUE,
// or the older KEY:VALUE): no-new-privileges[=true|false],
// seccomp=unconfined|builtin|PROFILE (the profile's JSON, which the CLI
// reads from the file), label=disable and apparmor=unconfined (burrow
// applies no SELinux label and no AppArmor profile: asking for none is
// honoured), and podman's mask=PATHS and unmask=PATHS|ALL. Anything else,
// an SELinux label or an AppArmor profile among them, is refused.
func (p *plan) security(hc *container.HostConfig) error {
	c := &p.config
	for _, o := range hc.SecurityOpt {
		k, v, ok := strings.Cut(o, "=")
		if !ok {
			k, v, ok = strings.Cut(o, ":")
		}
		bad := func(why string) error {
			return errdefs.Invalid(fmt.Errorf("HostConfig.SecurityOpt %q: %s", shorten(o), why))
		}
		switch k {
		case "no-new-privileges":
			switch {
			case !ok || v == "true":
				c.NoNewPrivileges = true
			case v == "false":
				c.NoNewPrivileges = false
			default:
				return bad("use no-new-privileges=true or false")
			}
		case "seccomp":
			switch {
			case v == "unconfined":
				c.Seccomp = "unconfined"
			case v == "builtin" || v == "default":
				c.Seccomp, p.seccomp = "", ""
			case json.Valid([]byte(v)):
				p.seccomp = v
			default:
				return bad("give unconfined, builtin or the profile's JSON (the docker CLI reads --security-opt seccomp=FILE for you)")
			}
		case "label":
			if v != "disable" {
				return bad("burrow applies no SELinux labels; only label=disable is taken")
			}
		case "apparmor":
			if v != "unconfined" {
				return bad("burrow applies no AppArmor profile; only apparmor=unconfined is taken")
			}
		case "mask":
			c.Mask = append(c.Mask, strings.Split(v, ":")...)
		case "unmask":
			c.Unmask = append(c.Unmask, strings.Split(v, ":")...)
		default:
			return bad("burrow knows no-new-privileges, seccomp, label=disable, apparmor=unconfined, mask and unmask")
		}
	}
	return p.systemPaths(hc.MaskedPaths, hc.ReadonlyPaths)
}

// systemPaths applies HostConfig.MaskedPaths and ReadonlyPaths (nil: the
// defaults). Both empty is --security-opt systempaths=unconfined; other
// lists are taken as masks added to or taken from the defaults, with the
// default read-only paths.
func (p *plan) systemPaths(masked, readonly []string) error {
	if masked == nil && readonly == nil {
		return nil
	}
	if masked == nil {
		masked = engine.DefaultMaskedPaths
	}
	if readonly == nil {
		readonly = engine.DefaultReadonlyPaths
	}
	c := &p.config
	if len(masked) == 0 && len(readonly) == 0 {
		c.Unmask = append(c.Unmask, "ALL")
		return nil
	}
	if !sameSet(readonly, engine.DefaultReadonlyPaths) {
		return errdefs.Invalid(fmt.Errorf("HostConfig.ReadonlyPaths: burrow takes the default read-only paths (%s), or none with no MaskedPaths either",
			strings.Join(engine.DefaultReadonlyPaths, " ")))
	}
	for _, m := range masked {
		if !slices.Contains(engine.DefaultMaskedPaths, m) {
			c.Mask = append(c.Mask, m)
		}
	}
	for _, m := range engine.DefaultMaskedPaths {
		if !slices.Contains(masked, m) {
			c.Unmask = append(c.Unmask, m)
		}
	}
	return nil
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// shorten keeps an error about a long value (a seccomp profile) readable.
func shorten(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}
