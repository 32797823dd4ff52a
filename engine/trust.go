package engine

import (
	"context"

	"github.com/burrow-containers/burrow/images"
)

// Image trust needs no store, only policy.json and registries.d; signing
// reads the registry with the user's gpg (the engine's environment:
// auth.json under the runtime directory New settles).
type (
	TrustSetOptions = images.TrustSetOptions
	TrustPolicy     = images.TrustPolicy
	SignOptions     = images.SignOptions
)

// SetTrust sets scope's requirements in the trust policy (image trust set).
func SetTrust(scope string, o TrustSetOptions) error { return images.SetTrust(scope, o) }

// ShowTrust describes the trust policy and returns the file as it is
// (image trust show).
func ShowTrust(policyPath, registriesDir string) ([]TrustPolicy, []byte, error) {
	return images.ShowTrust(policyPath, registriesDir)
}

// SignImages signs images in a registry with the user's GPG key and
// stores the signatures in the lookaside layout (image sign).
func (e *Engine) SignImages(ctx context.Context, names []string, o SignOptions) error {
	return images.Sign(ctx, names, o)
}
