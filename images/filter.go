package images

import (
	"fmt"
	"path"
	"strings"

	"github.com/burrow-containers/burrow/errdefs"
)

// Filter selects images of a listing.
type Filter func(Summary) bool

// ParseFilters reads filters as podman's --filter takes them, KEY=VALUE:
// reference=PATTERN (the name or its last components, * wildcards),
// dangling=true|false, intermediate=true|false, id=PREFIX.
func ParseFilters(specs []string) ([]Filter, error) {
	var out []Filter
	for _, f := range specs {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, errdefs.Invalid(fmt.Errorf("invalid filter %q: use KEY=VALUE (reference, dangling, id)", f))
		}
		switch k {
		case "reference":
			out = append(out, func(s Summary) bool {
				for _, n := range s.Names {
					if MatchReference(v, n) {
						return true
					}
				}
				return false
			})
		case "dangling", "intermediate":
			want := v == "true" || v == "1"
			if !want && v != "false" && v != "0" {
				return nil, errdefs.Invalid(fmt.Errorf("invalid filter %q: use %s=true or %s=false", f, k, k))
			}
			if k == "dangling" {
				out = append(out, func(s Summary) bool { return s.Dangling == want })
			} else {
				out = append(out, func(s Summary) bool { return s.Intermediate == want })
			}
		case "id":
			out = append(out, func(s Summary) bool { return strings.HasPrefix(s.ID, strings.TrimPrefix(v, "sha256:")) })
		default:
			return nil, errdefs.Invalid(fmt.Errorf("unsupported filter %q: burrow knows reference, dangling, intermediate and id", k))
		}
	}
	return out, nil
}

// Match tells whether s passes every filter.
func Match(s Summary, filters []Filter) bool {
	for _, f := range filters {
		if !f(s) {
			return false
		}
	}
	return true
}

// MatchReference matches an image name against a reference filter: the
// full name, or its last components, with * wildcards.
func MatchReference(pattern, name string) bool {
	if !strings.Contains(pattern, ":") {
		if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
			name = name[:i]
		}
	}
	for cand := name; ; {
		if ok, _ := path.Match(pattern, cand); ok {
			return true
		}
		i := strings.IndexByte(cand, '/')
		if i < 0 {
			return false
		}
		cand = cand[i+1:]
	}
}
