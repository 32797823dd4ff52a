package engine

import (
	"errors"
	"fmt"
	"os"

	mobyseccomp "github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/burrow-containers/burrow/errdefs"
)

// DefaultSeccompProfiles are where the containers ecosystem's default
// profile lives (containers-common), in the order podman reads them.
var DefaultSeccompProfiles = []string{"/etc/containers/seccomp.json", "/usr/share/containers/seccomp.json"}

// seccompProfile is the filter of a container: podman's default profile
// (containers-common's seccomp.json, or moby's built-in one when that is
// not installed), the user's, or none with --privileged or
// seccomp=unconfined. Rules that depend on capabilities follow the spec's.
func seccompProfile(c *Config, spec *specs.Spec) (*specs.LinuxSeccomp, error) {
	switch {
	case c.Seccomp == "unconfined":
		return nil, nil
	case c.Seccomp != "":
		b, err := os.ReadFile(c.Seccomp)
		if err != nil {
			return nil, errdefs.NotFound(fmt.Errorf("reading the seccomp profile %s: %w", c.Seccomp, errors.Unwrap(err)))
		}
		p, err := mobyseccomp.LoadProfile(string(b), spec)
		if err != nil {
			return nil, errdefs.Invalid(fmt.Errorf("the seccomp profile %s: %w", c.Seccomp, err))
		}
		return p, nil
	case c.Privileged:
		return nil, nil
	}
	for _, path := range DefaultSeccompProfiles {
		b, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		p, err := mobyseccomp.LoadProfile(string(b), spec)
		if err != nil {
			return nil, fmt.Errorf("the default seccomp profile %s: %w", path, err)
		}
		return p, nil
	}
	return mobyseccomp.GetDefaultProfile(spec)
}
