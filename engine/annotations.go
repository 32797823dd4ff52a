package engine

import (
	"errors"
	"maps"
	"strings"

	"github.com/burrow-containers/burrow/errdefs"
)

// ParseAnnotation reads --annotation KEY=VALUE; the error is podman's.
func ParseAnnotation(s string) (key, value string, err error) {
	key, value, ok := strings.Cut(s, "=")
	if !ok || key == "" {
		return "", "", errdefs.Invalid(errors.New("annotations must be formatted KEY=VALUE"))
	}
	return key, value, nil
}

// annotations are the container's OCI annotations, as podman's inspect
// shows them: podman's own of the container's settings, then the user's
// (--annotation, the API's HostConfig.Annotations).
func annotations(c *Config) map[string]string {
	flag := func(b bool) string {
		if b {
			return "TRUE"
		}
		return "FALSE"
	}
	tty := "false"
	if c.TTY {
		tty = "true"
	}
	out := map[string]string{
		"io.kubernetes.cri-o.TTY":           tty,
		"io.podman.annotations.autoremove":  flag(c.Remove),
		"io.podman.annotations.init":        flag(c.Init),
		"io.podman.annotations.privileged":  flag(c.Privileged),
		"io.podman.annotations.publish-all": flag(c.PublishAll),
	}
	maps.Copy(out, c.Annotations)
	return out
}
