package images

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/pkg/docker/config"

	"github.com/burrow-containers/burrow/errdefs"
)

// registryKey is the auth.json key for what the user typed: a registry
// host, optionally with a repository, without a scheme.
func registryKey(registry string) (string, error) {
	r := strings.TrimPrefix(strings.TrimPrefix(registry, "https://"), "http://")
	r = strings.TrimPrefix(r, "docker://")
	r = strings.TrimSuffix(r, "/")
	if r == "" || strings.ContainsAny(r, " \t") {
		return "", errdefs.Invalid(fmt.Errorf("invalid registry %q: give a host such as registry.example.com or 127.0.0.1:5000", registry))
	}
	if r == "docker.io" || r == "index.docker.io" {
		r = "docker.io"
	}
	return r, nil
}

// Login checks the credentials against the registry and stores them in
// the containers auth.json (or opts.AuthFile). It returns where they went.
func Login(ctx context.Context, registry, username, password string, opts PullOptions) (string, error) {
	key, err := registryKey(registry)
	if err != nil {
		return "", err
	}
	if username == "" || password == "" {
		return "", errdefs.Invalid(errors.New("logging in needs a user name and a password (or --password-stdin)"))
	}
	sys, err := opts.systemContext()
	if err != nil {
		return "", err
	}
	host, _, _ := strings.Cut(key, "/")
	if err := docker.CheckAuth(ctx, sys, username, password, host); err != nil {
		var unauth docker.ErrUnauthorizedForCredentials
		if errors.As(err, &unauth) || strings.Contains(err.Error(), "401") {
			return "", errdefs.Unauthorized(fmt.Errorf("logging in to %s: the registry refused the user name or password", key))
		}
		return "", classifyRegistryError(fmt.Errorf("logging in to %s: %w", key, err))
	}
	where, err := config.SetCredentials(sys, key, username, password)
	if err != nil {
		return "", fmt.Errorf("storing the credentials for %s: %w", key, err)
	}
	return where, nil
}

// CheckLogin checks credentials against a registry without storing them.
func CheckLogin(ctx context.Context, registry, username, password string, opts PullOptions) error {
	key, err := registryKey(registry)
	if err != nil {
		return err
	}
	sys, err := opts.systemContext()
	if err != nil {
		return err
	}
	host, _, _ := strings.Cut(key, "/")
	if err := docker.CheckAuth(ctx, sys, username, password, host); err != nil {
		var unauth docker.ErrUnauthorizedForCredentials
		if errors.As(err, &unauth) || strings.Contains(err.Error(), "401") {
			return errdefs.Unauthorized(fmt.Errorf("logging in to %s: the registry refused the user name or password", key))
		}
		return classifyRegistryError(fmt.Errorf("logging in to %s: %w", key, err))
	}
	return nil
}

// Logout removes the stored credentials for registry, or all with all.
func Logout(registry string, all bool, opts PullOptions) error {
	sys, err := opts.systemContext()
	if err != nil {
		return err
	}
	if all {
		return config.RemoveAllAuthentication(sys)
	}
	key, err := registryKey(registry)
	if err != nil {
		return err
	}
	if err := config.RemoveAuthentication(sys, key); err != nil {
		if errors.Is(err, config.ErrNotLoggedIn) {
			return errdefs.NotFound(fmt.Errorf("not logged in to %s", key))
		}
		return fmt.Errorf("logging out of %s: %w", key, err)
	}
	return nil
}

// classifyRegistryError names the fix for a plain-HTTP registry.
func classifyRegistryError(err error) error {
	if strings.Contains(err.Error(), "server gave HTTP response to HTTPS client") {
		return errdefs.Unavailable(fmt.Errorf("%w: for a plain-HTTP registry use --tls-verify=false or mark it insecure in registries.conf", err))
	}
	return err
}
