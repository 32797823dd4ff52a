package images

import (
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/burrow-containers/burrow/errdefs"
)

// Filter selects images of a listing.
type Filter func(Summary) bool

// ParseFiltersIn reads filters as podman's --filter takes them, KEY=VALUE:
// reference=PATTERN (the name or its last components, * wildcards),
// dangling=true|false, intermediate=true|false, id=PREFIX, label=KEY[=VALUE],
// readonly=, containers=, manifest= (true|false), until=TIMESTAMP, and
// before=, after= and since=IMAGE, the image looked up in list.
func ParseFiltersIn(specs []string, list []Summary) ([]Filter, error) {
	var out []Filter
	for _, f := range specs {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, errdefs.Invalid(fmt.Errorf("invalid filter %q: use KEY=VALUE (reference, dangling, id)", f))
		}
		if fl, handled, err := parseMoreFilter(k, v, list); handled {
			if err != nil {
				return nil, err
			}
			out = append(out, fl)
			continue
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
			return nil, errdefs.Invalid(fmt.Errorf("invalid image filter %q: use after, before, containers, dangling, id, intermediate, label, manifest, readonly, reference, since or until", k))
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

// parseMoreFilter reads the filters that compare an image with another one,
// or with its labels, flags and time; handled tells whether k is one.
func parseMoreFilter(k, v string, list []Summary) (f Filter, handled bool, err error) {
	boolean := func() (bool, error) {
		switch v {
		case "true", "1":
			return true, nil
		case "false", "0":
			return false, nil
		}
		return false, errdefs.Invalid(fmt.Errorf("invalid filter %s=%s: use %s=true or %s=false", k, v, k, k))
	}
	switch k {
	case "before", "after", "since":
		ref, err := findSummary(list, v)
		if err != nil {
			return nil, true, err
		}
		if k == "before" {
			return func(s Summary) bool { return s.Created.Before(ref.Created) }, true, nil
		}
		return func(s Summary) bool { return s.Created.After(ref.Created) }, true, nil
	case "until":
		t, err := parseTime(v)
		if err != nil {
			return nil, true, errdefs.Invalid(fmt.Errorf("invalid filter until=%s: %w", v, err))
		}
		return func(s Summary) bool { return s.Created.Before(t) }, true, nil
	case "label":
		key, val, hasVal := strings.Cut(v, "=")
		return func(s Summary) bool {
			got, ok := s.Labels[key]
			return ok && (!hasVal || got == val)
		}, true, nil
	case "readonly", "containers", "manifest":
		want, err := boolean()
		if err != nil {
			return nil, true, err
		}
		return func(s Summary) bool {
			switch k {
			case "readonly":
				return s.ReadOnly == want
			case "containers":
				return (s.Containers > 0) == want
			}
			return s.ManifestList == want
		}, true, nil
	}
	return nil, false, nil
}

// findSummary finds the image ref names in list: by ID (or its prefix),
// full name, or a short name as MatchReference reads it.
func findSummary(list []Summary, ref string) (Summary, error) {
	id := strings.TrimPrefix(ref, "sha256:")
	for _, s := range list {
		if strings.HasPrefix(s.ID, id) {
			return s, nil
		}
	}
	for _, s := range list {
		for _, n := range s.Names {
			if n == ref || MatchReference(ref, n) {
				return s, nil
			}
		}
	}
	return Summary{}, errdefs.NotFound(fmt.Errorf("%s: image not known", ref))
}

// FilterTime reads the time of an until (since, before) filter of
// containers, volumes and events, as parseTime, and also Unix seconds with
// a fraction, as docker clients send them.
func FilterTime(key, v string) (time.Time, error) {
	if sec, frac, ok := strings.Cut(v, "."); ok {
		s, err1 := strconv.ParseInt(sec, 10, 64)
		ns, err2 := strconv.ParseInt((frac + "000000000")[:9], 10, 64)
		if err1 == nil && err2 == nil {
			return time.Unix(s, ns), nil
		}
	}
	t, err := parseTime(v)
	if err != nil {
		return t, errdefs.Invalid(fmt.Errorf("invalid filter %s=%s: %w", key, v, err))
	}
	return t, nil
}

// parseTime reads a timestamp as podman's until= takes it: RFC 3339, a
// date, Unix seconds, or a duration before now (10m).
func parseTime(v string) (time.Time, error) {
	if d, err := time.ParseDuration(v); err == nil {
		return time.Now().Add(-d), nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return time.Unix(n, 0), nil
	}
	for _, layout := range []string{time.RFC3339Nano, time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a time: use RFC 3339, a date, Unix seconds or a duration")
}
