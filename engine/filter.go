package engine

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/images"
	"github.com/burrow-containers/burrow/network"
)

// Filter selects containers of a listing.
type Filter func(*Container) bool

// ParseFilters reads filters as podman's ps --filter and dockerd's
// container list take them, KEY=VALUE: status=, name= (a regular
// expression), id= (a prefix), ancestor= (an image name or ID), exited=
// (an exit code), label=KEY or KEY=VALUE, label!=, before= and since= (a
// container made earlier or later), until= (a time), volume= (a volume
// name, bind source or mount point), network= (a network's name or ID,
// or a mode), health= (starting, healthy, unhealthy or none), and
// podman's restart-policy= and command= (podmanFilter). Several
// values of one key match any of them, but for labels; different keys
// must all match.
func (e *Engine) ParseFilters(specs []string) ([]Filter, error) {
	byKey := map[string][]Filter{}
	var keys []string
	for _, f := range specs {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, errdefs.Invalid(fmt.Errorf("invalid filter %q: use KEY=VALUE (status, name, id, ancestor, exited, label, before, since, until, volume, network, health, restart-policy, command)", f))
		}
		fn, err := e.parseFilter(k, v)
		if err != nil {
			return nil, err
		}
		if k == "label" || k == "label!" {
			k = f // as podman's and dockerd's: every label must match
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

// parseFilter reads one KEY=VALUE of ParseFilters.
func (e *Engine) parseFilter(k, v string) (Filter, error) {
	var fn Filter
	switch k {
	case "status":
		switch v {
		case "created", "running", "exited", "paused", "restarting", "removing", "unknown", "dead", "stopping":
		case "stopped": // podman's other name of exited
			v = StatusExited
		case "configured", "initialized": // podman's states before created
			v = StatusCreated
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
			return c.Image == v || (c.ImageID != "" && strings.HasPrefix(c.ImageID, strings.TrimPrefix(v, "sha256:"))) ||
				images.MatchReference(v, c.Image)
		}
	case "exited":
		code, err := strconv.Atoi(v)
		if err != nil {
			return nil, errdefs.Invalid(fmt.Errorf("invalid exited filter %q: use an exit code", v))
		}
		fn = func(c *Container) bool { return c.State.Status == StatusExited && c.State.ExitCode == code }
	case "label":
		fn = func(c *Container) bool { return hasLabel(c.Config.Labels, v) }
	case "label!":
		fn = func(c *Container) bool { return !hasLabel(c.Config.Labels, v) }
	case "before", "since":
		other, err := e.Get(v)
		if err != nil {
			return nil, fmt.Errorf("filter %s=%s: %w", k, v, err)
		}
		t := other.Created
		if k == "before" {
			fn = func(c *Container) bool { return c.Created.Before(t) }
		} else {
			fn = func(c *Container) bool { return c.Created.After(t) }
		}
	case "until":
		t, err := images.FilterTime(k, v)
		if err != nil {
			return nil, err
		}
		fn = func(c *Container) bool { return c.Created.Before(t) }
	case "volume":
		src, dst, both := strings.Cut(v, ":") // podman's SOURCE:DESTINATION
		fn = func(c *Container) bool {
			for _, m := range c.Config.Mounts {
				if both && m.Type != "tmpfs" && m.Source == src && m.Destination == dst ||
					!both && ((m.Type != "tmpfs" && m.Source == v) || m.Destination == v) {
					return true
				}
			}
			return false
		}
	case "network":
		name := v
		if m, err := e.networks(); err == nil {
			if n, err := m.Inspect(v); err == nil {
				name = n.Name
			}
		}
		fn = func(c *Container) bool {
			return networkMode(&c.Config) == v || slices.ContainsFunc(c.Config.Networks, func(a network.Attachment) bool { return a.Network == name })
		}
	case "health":
		switch v {
		case HealthStarting, HealthHealthy, HealthUnhealthy, "none":
		default:
			return nil, errdefs.Invalid(fmt.Errorf("invalid health filter %q: use starting, healthy, unhealthy or none", v))
		}
		fn = func(c *Container) bool {
			h := e.Health(c)
			if h == nil {
				return v == "none"
			}
			return h.Status == v
		}
	default:
		return podmanFilter(k, v)
	}
	return fn, nil
}

// podmanFilter reads the keys podman's ps has and dockerd's list has
// not: restart-policy= (none for no policy) and command= (a regular
// expression on the command's first word).
func podmanFilter(k, v string) (Filter, error) {
	switch k {
	case "restart-policy":
		switch v {
		case "none", "no", "always", "unless-stopped", "on-failure":
		default:
			return nil, errdefs.Invalid(fmt.Errorf("%s invalid restart policy", v))
		}
		return func(c *Container) bool { return c.Config.Restart == v || v == "none" && c.Config.Restart == "" }, nil
	case "command":
		re, err := regexp.Compile(v)
		if err != nil {
			return nil, errdefs.Invalid(fmt.Errorf("invalid command filter %q: %v", v, err))
		}
		return func(c *Container) bool { return len(c.Args) > 0 && re.MatchString(c.Args[0]) }, nil
	}
	return nil, errdefs.Invalid(fmt.Errorf("unsupported filter %q: burrow knows status, name, id, ancestor, exited, label, label!, before, since, until, volume, network, health, restart-policy and command", k))
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
