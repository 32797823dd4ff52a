package engine

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/images"
)

// VolumeFilter selects volumes of a listing.
type VolumeFilter func(*Volume) bool

// ParseVolumeFilters reads volume filters as podman's volume ls and
// dockerd take them, KEY=VALUE: name= (a regular expression), driver=, scope=,
// opt=KEY or KEY=VALUE (a create option of podman's), label=KEY
// or KEY=VALUE, label!=, dangling=true|false (no container uses it),
// until= (made before a time or a duration ago). Several values of one
// key match any of them; different keys must all match.
func (e *Engine) ParseVolumeFilters(specs []string) ([]VolumeFilter, error) {
	byKey := map[string][]VolumeFilter{}
	var keys []string
	for _, f := range specs {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, errdefs.Invalid(fmt.Errorf("invalid volume filter %q: use KEY=VALUE (name, driver, scope, opt, label, label!, dangling, until)", f))
		}
		var fn VolumeFilter
		switch k {
		case "name": // a regular expression, as podman's and dockerd's
			re, err := regexp.Compile(v)
			if err != nil {
				return nil, errdefs.Invalid(fmt.Errorf("invalid volume filter name=%s: %v", v, err))
			}
			fn = func(vol *Volume) bool { return re.MatchString(vol.Name) }
		case "driver":
			fn = func(vol *Volume) bool { return vol.Driver == v }
		case "scope":
			fn = func(vol *Volume) bool { return vol.Scope == v }
		case "opt":
			ok, ov, withValue := strings.Cut(v, "=")
			fn = func(vol *Volume) bool {
				got, has := vol.Options[ok]
				return has && (!withValue || got == ov)
			}
		case "label":
			fn = func(vol *Volume) bool { return hasLabel(vol.Labels, v) }
		case "label!":
			fn = func(vol *Volume) bool { return !hasLabel(vol.Labels, v) }
		case "dangling":
			want, err := parseBoolFilter("dangling", []string{v})
			if err != nil {
				return nil, err
			}
			fn = func(vol *Volume) bool { return (len(e.VolumeUsers(vol.Name)) == 0) == want }
		case "until":
			t, err := images.FilterTime(k, v)
			if err != nil {
				return nil, err
			}
			fn = func(vol *Volume) bool { return vol.CreatedAt.Before(t) }
		default:
			return nil, errdefs.Invalid(fmt.Errorf("unsupported volume filter %q: burrow knows name, driver, scope, opt, label, label!, dangling and until", k))
		}
		if k == "label" || k == "label!" {
			k = f // every label must match
		}
		if byKey[k] == nil {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], fn)
	}
	var out []VolumeFilter
	for _, k := range keys {
		any := byKey[k]
		out = append(out, func(vol *Volume) bool {
			for _, f := range any {
				if f(vol) {
					return true
				}
			}
			return false
		})
	}
	return out, nil
}

// Matches tells whether the volume passes every filter.
func (v *Volume) Matches(filters []VolumeFilter) bool {
	for _, f := range filters {
		if !f(v) {
			return false
		}
	}
	return true
}

// hasLabel matches a label filter, as dockerd's: KEY is present,
// KEY=VALUE has that value.
func hasLabel(labels map[string]string, filter string) bool {
	k, v, withValue := strings.Cut(filter, "=")
	got, ok := labels[k]
	return ok && (!withValue || got == v)
}
