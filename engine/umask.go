package engine

import (
	"fmt"
	"strconv"

	"github.com/burrow-containers/burrow/errdefs"
)

// defaultUmask is podman's umask for a container's processes.
const defaultUmask = "0022"

// settleUmask gives c its umask: --umask, else containers.conf's.
func (e *Engine) settleUmask(c *Config) error {
	if c.Umask == "" {
		if conf, err := e.conf(); err == nil {
			c.Umask = conf.Containers.Umask
		}
	}
	if c.Umask == "" {
		c.Umask = defaultUmask
	}
	if v, err := strconv.ParseUint(c.Umask, 8, 32); err != nil || v > 0o777 {
		return errdefs.Invalid(fmt.Errorf("invalid umask string %s: give an octal mode such as 0022", c.Umask))
	}
	return nil
}

// umaskOf is c's umask for the spec (0022 for a record without one).
func umaskOf(c *Config) *uint32 {
	v, err := strconv.ParseUint(c.Umask, 8, 32)
	if err != nil || v > 0o777 {
		v = 0o022
	}
	m := uint32(v)
	return &m
}
