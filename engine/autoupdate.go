package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"

	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/transports/alltransports"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/images"
)

// AutoUpdateLabel holds a container's auto-update policy;
// AutoUpdateAuthfileLabel the auth file its registry checks use.
const (
	AutoUpdateLabel         = "io.containers.autoupdate"
	AutoUpdateAuthfileLabel = "io.containers.autoupdate.authfile"
)

// Auto-update policies: registry (image is its old name) compares the
// image with the registry's, local with the local image of the same name.
const (
	policyDisabled = "disabled"
	policyRegistry = "registry"
	policyLocal    = "local"
)

// autoUpdatePolicies map the label's values to their policies.
var autoUpdatePolicies = map[string]string{"": policyDisabled, "disabled": policyDisabled, "image": policyRegistry, "registry": policyRegistry, "local": policyLocal}

// lookupPolicy is the policy of a label's value.
func lookupPolicy(v string) (string, error) {
	if p, ok := autoUpdatePolicies[v]; ok {
		return p, nil
	}
	var keys []string
	for k := range autoUpdatePolicies {
		if k != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return "", errdefs.Invalid(fmt.Errorf("invalid auto-update policy %q: valid policies are %+q", v, keys))
}

// CheckAutoUpdateImage refuses, at create, an image a registry policy
// could never update: one of another transport than a registry's, or a
// short name, whose registry is not known for sure.
func CheckAutoUpdateImage(labels map[string]string, image string) error {
	if p, _ := lookupPolicy(labels[AutoUpdateLabel]); p != policyRegistry {
		return nil
	}
	if ref, err := alltransports.ParseImageName(image); err == nil {
		if ref.Transport().Name() != docker.Transport.Name() {
			return errdefs.Invalid(fmt.Errorf("auto updates require the docker image transport but image is of transport %q", ref.Transport().Name()))
		}
		return nil
	}
	named, err := reference.ParseNormalizedNamed(image)
	if err != nil {
		return errdefs.Invalid(fmt.Errorf("enforcing fully-qualified docker transport reference for auto updates: %w", err))
	}
	if !strings.HasPrefix(image, reference.Domain(named)+"/") {
		return errdefs.Invalid(fmt.Errorf("short name: auto updates require fully-qualified image reference: %q", image))
	}
	return nil
}

// AutoUpdateOptions are auto-update's settings.
type AutoUpdateOptions struct {
	DryRun   bool
	Rollback bool
	// Pull are the registry checks' and pulls' options; a container's
	// authfile label replaces AuthFile.
	Pull PullOptions
}

// AutoUpdateReport is one container's line of auto-update's report.
type AutoUpdateReport struct {
	Unit          string
	Container     string // "ID (name)", as podman's
	ContainerID   string
	ContainerName string
	Image         string
	Policy        string
	Updated       string // false, pending, true, failed or rolled back
}

// errNoSystemd is why an update cannot restart a unit here.
var errNoSystemd = errors.New("systemd does not run on this machine (no /run/systemd/system): burrow restarts a container's unit through systemctl; see what would update with --dry-run")

// AutoUpdate checks the running containers with an auto-update policy, as
// podman's auto-update: their image against the registry's (registry) or
// the local one of the same name (local). Without DryRun an update pulls
// the image and restarts the container's systemd unit (the
// PODMAN_SYSTEMD_UNIT label generate systemd's units give it), with
// Rollback back to the old image when the restart fails.
func (e *Engine) AutoUpdate(ctx context.Context, o AutoUpdateOptions) ([]AutoUpdateReport, []error) {
	ctrs, err := e.List()
	if err != nil {
		return nil, []error{err}
	}
	var reports []AutoUpdateReport
	var errs []error
	for _, c := range ctrs {
		v, ok := c.Config.Labels[AutoUpdateLabel]
		if !ok || !c.Running() {
			continue
		}
		policy, err := lookupPolicy(v)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if policy == policyDisabled {
			continue
		}
		r, err := e.autoUpdate(ctx, c, policy, o)
		if r != nil {
			reports = append(reports, *r)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return reports, errs
}

// autoUpdate checks and updates one container.
func (e *Engine) autoUpdate(ctx context.Context, c *Container, policy string, o AutoUpdateOptions) (*AutoUpdateReport, error) {
	unit, ok := c.Config.Labels[SystemdUnitEnv]
	if !ok {
		return nil, errdefs.Invalid(fmt.Errorf("auto-updating container %q: no %s label found: run it from a unit of generate systemd", c.ID, SystemdUnitEnv))
	}
	r := &AutoUpdateReport{
		Unit: unit, Container: fmt.Sprintf("%s (%s)", c.ID[:12], c.Name), ContainerID: c.ID, ContainerName: c.Name,
		Image: c.Image, Policy: policy, Updated: "failed",
	}
	pull := o.Pull
	if f, ok := c.Config.Labels[AutoUpdateAuthfileLabel]; ok {
		pull.AuthFile = f
	}
	newer, err := e.newerImage(ctx, c, policy, pull)
	if err != nil {
		return r, fmt.Errorf("auto-updating container %q: image check for %q failed: %w", c.ID, c.Image, err)
	}
	switch {
	case !newer:
		r.Updated = "false"
		return r, nil
	case o.DryRun:
		r.Updated = "pending"
		return r, nil
	}
	if _, err := os.Stat("/run/systemd/system"); err != nil {
		return r, errdefs.Unavailable(fmt.Errorf("auto-updating container %q: cannot restart unit %q: %w", c.ID, unit, errNoSystemd))
	}
	if policy == policyRegistry {
		if _, err := e.Pull(ctx, c.Image, pull); err != nil {
			return r, fmt.Errorf("auto-updating container %q: image update for %q failed: %w", c.ID, c.Image, err)
		}
	}
	restartErr := restartUnit(ctx, unit)
	if restartErr == nil {
		r.Updated = "true"
		return r, nil
	}
	if !o.Rollback {
		return r, restartErr
	}
	if err := e.Tag(c.ImageID, c.Image); err != nil {
		return r, fmt.Errorf("falling back to the previous image: %w", err)
	}
	if err := restartUnit(ctx, unit); err != nil {
		return r, fmt.Errorf("restarting unit %q with the old image: %w", unit, err)
	}
	r.Updated = "rolled back"
	return r, nil
}

// newerImage tells whether the container's image has a newer version: in
// the registry (its manifest's digest is not the local image's), or
// locally (the name is another image's now).
func (e *Engine) newerImage(ctx context.Context, c *Container, policy string, pull PullOptions) (bool, error) {
	if policy == policyLocal {
		img, err := e.LookupImage(c.Image)
		if err != nil {
			return false, err
		}
		return img.ID != c.ImageID, nil
	}
	remote, err := images.RemoteDigest(ctx, c.Image, pull)
	if err != nil {
		return false, err
	}
	local, err := e.LookupImage(c.ImageID)
	if err != nil {
		return false, err
	}
	return !slices.Contains(local.Digests, remote) && local.Digest != remote, nil
}

// restartUnit restarts a unit of the user's systemd (the system's for
// root), and waits for the restart.
func restartUnit(ctx context.Context, unit string) error {
	args := []string{"restart", unit}
	if os.Geteuid() != 0 || os.Getenv("_CONTAINERS_ROOTLESS_UID") != "" {
		args = append([]string{"--user"}, args...)
	}
	out, err := exec.CommandContext(ctx, "systemctl", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("restarting systemd unit %q failed: %v: %s", unit, err, strings.TrimSpace(string(out)))
	}
	return nil
}
