package engine

import (
	"fmt"
	"strings"

	units "github.com/docker/go-units"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/burrow-containers/burrow/errdefs"
)

// UlimitHost is --ulimit host: the container keeps the limits of the
// process that starts it, as podman's copies the host's.
const UlimitHost = "host"

// rlimitDefault is what podman gives nofile and nproc when neither
// --ulimit nor containers.conf's default_ulimits names them, lowered to
// the user's hard limit (which a rootless user cannot raise).
const rlimitDefault = 1048576

// InspectUlimit is one of inspect's HostConfig.Ulimits.
type InspectUlimit struct {
	Name string `json:"Name"`
	Soft uint64 `json:"Soft"`
	Hard uint64 `json:"Hard"`
}

// ParseUlimit checks one --ulimit: NAME=SOFT[:HARD] (-1: the user's hard
// limit), or host. The error is podman's.
func ParseUlimit(s string) (*units.Ulimit, error) {
	if s == UlimitHost {
		return nil, nil
	}
	u, err := units.ParseUlimit(s)
	if err != nil {
		return nil, errdefs.Invalid(fmt.Errorf("ulimit option %q requires name=SOFT:HARD, failed to be parsed: %w", s, err))
	}
	return u, nil
}

// CheckUlimits refuses a bad --ulimit before anything is made.
func CheckUlimits(ulimits []string) error {
	for _, s := range ulimits {
		if _, err := ParseUlimit(s); err != nil {
			return err
		}
	}
	return nil
}

// rlimits are the container's process limits: containers.conf's
// default_ulimits, then --ulimit's (the last of a name wins), and podman's
// defaults for nofile and nproc; with host, this process's own.
func (e *Engine) rlimits(c *Config) ([]specs.POSIXRlimit, error) {
	asked := c.Ulimits
	if conf, err := e.conf(); err == nil {
		asked = append(append([]string(nil), conf.Containers.DefaultUlimits.Get()...), c.Ulimits...)
	}
	var out []specs.POSIXRlimit
	index := map[string]int{}
	for _, s := range asked {
		u, err := ParseUlimit(s)
		if err != nil {
			return nil, err
		}
		if u == nil {
			return hostRlimits(), nil
		}
		r := specs.POSIXRlimit{Type: "RLIMIT_" + strings.ToUpper(u.Name), Soft: limitValue(u.Soft, u.Name), Hard: limitValue(u.Hard, u.Name)}
		if i, ok := index[r.Type]; ok {
			out[i] = r
			continue
		}
		index[r.Type] = len(out)
		out = append(out, r)
	}
	for _, name := range []string{"nofile", "nproc"} {
		typ := "RLIMIT_" + strings.ToUpper(name)
		if _, ok := index[typ]; ok {
			continue
		}
		v := min(uint64(rlimitDefault), currentHard(name))
		out = append(out, specs.POSIXRlimit{Type: typ, Soft: v, Hard: v})
	}
	return out, nil
}

// limitValue is v as a limit: -1 is the user's hard limit of that resource
// (podman's meaning for a rootless user).
func limitValue(v int64, name string) uint64 {
	if v < 0 {
		return currentHard(name)
	}
	return uint64(v)
}

// currentHard is this process's hard limit of the resource go-units
// names name: the most a container of a user without privilege may get.
func currentHard(name string) uint64 {
	cur, ok := processLimit(name)
	if !ok {
		return unix.RLIM_INFINITY
	}
	return cur.Max
}

// processLimit is this process's limit of the resource go-units names
// name.
func processLimit(name string) (unix.Rlimit, bool) {
	var cur unix.Rlimit
	u := units.Ulimit{Name: name}
	rl, err := u.GetRlimit()
	return cur, err == nil && unix.Getrlimit(rl.Type, &cur) == nil
}

// hostRlimits are --ulimit host's: every limit of this process, as
// podman's copies its own, whose open-files soft limit it raised to the
// hard one as it started.
func hostRlimits() []specs.POSIXRlimit {
	var out []specs.POSIXRlimit
	for _, name := range []string{"core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"} {
		cur, ok := processLimit(name)
		if !ok {
			continue
		}
		if name == "nofile" {
			cur.Cur = cur.Max
		}
		out = append(out, specs.POSIXRlimit{Type: "RLIMIT_" + strings.ToUpper(name), Soft: cur.Cur, Hard: cur.Max})
	}
	return out
}
