package engine

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/burrow-containers/burrow/errdefs"
)

// Filter selects containers of a listing.
type Filter func(*Container) bool

// ParseFilters reads filters as podman's ps --filter takes them,
// KEY=VALUE: status=, name= (a regular expression), id= (a prefix),
// ancestor= (an image name or ID), exited= (an exit code). Several values
// of one key match any of them; different keys must all match.
func ParseFilters(specs []string) ([]Filter, error) {
	byKey := map[string][]Filter{}
	var keys []string
	for _, f := range specs {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, errdefs.Invalid(fmt.Errorf("invalid filter %q: use KEY=VALUE (status, name, id, ancestor, exited)", f))
		}
		var fn Filter
		switch k {
		case "status":
			switch v {
			case "created", "running", "exited", "paused", "stopped", "restarting", "removing", "unknown", "dead":
			default:
				return nil, errdefs.Invalid(fmt.Errorf("invalid status filter %q: use created, running, exited, paused or unknown", v))
			}
			fn = func(c *Container) bool {
				if c.Paused() {
					return v == "paused"
				}
				return c.State.Status == v
			}
		case "name":
			re, err := regexp.Compile(v)
			if err != nil {
				return nil, errdefs.Invalid(fmt.Errorf("invalid name filter %q: %v", v, err))
			}
			fn = func(c *Container) bool { return re.MatchString(c.Name) }
		case "id":
			fn = func(c *Container) bool { return strings.HasPrefix(c.ID, v) }
		case "ancestor":
			fn = func(c *Container) bool {
				repo := strings.Split(c.Image, ":")[0]
				return c.Image == v || (c.ImageID != "" && strings.HasPrefix(c.ImageID, strings.TrimPrefix(v, "sha256:"))) ||
					repo == v || strings.HasSuffix(repo, "/"+v) || strings.HasSuffix(c.Image, "/"+v)
			}
		case "exited":
			code, err := strconv.Atoi(v)
			if err != nil {
				return nil, errdefs.Invalid(fmt.Errorf("invalid exited filter %q: use an exit code", v))
			}
			fn = func(c *Container) bool { return c.State.Status == StatusExited && c.State.ExitCode == code }
		default:
			return nil, errdefs.Invalid(fmt.Errorf("unsupported filter %q: burrow knows status, name, id, ancestor and exited", k))
		}
		if byKey[k] == nil {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], fn)
	}
	var out []Filter
	for _, k := range keys {
		any := byKey[k]
		out = append(out, func(c *Container) bool {
			for _, f := range any {
				if f(c) {
					return true
				}
			}
			return false
		})
	}
	return out, nil
}

// Matches tells whether c passes every filter.
func (c *Container) Matches(filters []Filter) bool {
	for _, f := range filters {
		if !f(c) {
			return false
		}
	}
	return true
}
