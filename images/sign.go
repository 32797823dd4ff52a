package images

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"

	"github.com/opencontainers/go-digest"
	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/manifest"
	"go.podman.io/image/v5/signature"
	"go.podman.io/image/v5/transports"
	"go.podman.io/image/v5/transports/alltransports"
	"go.podman.io/image/v5/types"

	"github.com/burrow-containers/burrow/errdefs"
)

// SignOptions are `image sign`'s flags.
type SignOptions struct {
	// SignBy names the GPG key (fingerprint, key ID or e-mail address).
	SignBy string
	// Directory is where the signatures go ("": registries.d's
	// lookaside for the image, which must be a file: URL).
	Directory string
	// CertDir holds the registry's TLS certificates and keys.
	CertDir string
	// AuthFile overrides the auth.json location.
	AuthFile string
	// All signs each image of a manifest list instead of the list.
	All bool
}

// Sign signs each image (TRANSPORT:NAME, e.g. docker://REGISTRY/NAME:TAG)
// as podman's `image sign` does: a simple-signing signature of the
// registry's manifest, claiming the image's name, stored in the lookaside
// layout DIR/REPOSITORY@sha256=DIGEST/signature-N.
func Sign(ctx context.Context, names []string, o SignOptions) error {
	if o.SignBy == "" {
		return errdefs.Invalid(errors.New("no identity provided: name the key with --sign-by"))
	}
	if o.AuthFile != "" {
		if _, err := os.Stat(o.AuthFile); err != nil {
			return errdefs.Invalid(fmt.Errorf("checking authfile: %w", err))
		}
	}
	if o.Directory != "" {
		if _, err := os.Stat(o.Directory); err != nil {
			return errdefs.Invalid(fmt.Errorf("signature directory: %w", err))
		}
	}
	mech, err := newGPGMechanism()
	if err != nil {
		return err
	}
	sys := &types.SystemContext{DockerCertPath: o.CertDir, AuthFilePath: o.AuthFile}
	for _, name := range names {
		if err := signOne(ctx, sys, mech, name, o); err != nil {
			return err
		}
	}
	return nil
}

func signOne(ctx context.Context, sys *types.SystemContext, mech signature.SigningMechanism, name string, o SignOptions) error {
	ref, err := alltransports.ParseImageName(name)
	if err != nil {
		return errdefs.Invalid(fmt.Errorf("parsing image name %q: %w: give TRANSPORT:NAME, e.g. docker://REGISTRY/NAME:TAG", name, err))
	}
	src, err := ref.NewImageSource(ctx, sys)
	if err != nil {
		return fmt.Errorf("getting image source of %s: %w", name, err)
	}
	defer src.Close()
	top, mimeType, err := src.GetManifest(ctx, nil)
	if err != nil {
		return fmt.Errorf("getting manifest of %s: %w", name, err)
	}
	named := src.Reference().DockerReference()
	if named == nil {
		return errdefs.Invalid(fmt.Errorf("cannot determine canonical Docker reference for %s", transports.ImageName(src.Reference())))
	}
	dir, err := signatureDir(sys, src.Reference(), named, o.Directory)
	if err != nil {
		return err
	}
	if !o.All {
		d, err := manifest.Digest(top)
		if err != nil {
			return err
		}
		return putSignature(top, mech, dir, d, named, o.SignBy)
	}
	if !manifest.MIMETypeIsMultiImage(mimeType) {
		return errdefs.Invalid(fmt.Errorf("%s is not a multi-architecture image (manifest type %s)", name, mimeType))
	}
	list, err := manifest.ListFromBlob(top, mimeType)
	if err != nil {
		return fmt.Errorf("parsing manifest list of %s: %w", name, err)
	}
	for _, d := range list.Instances() {
		m, _, err := src.GetManifest(ctx, &d)
		if err != nil {
			return fmt.Errorf("getting manifest %s of %s: %w", d, name, err)
		}
		if err := putSignature(m, mech, dir, d, named, o.SignBy); err != nil {
			return err
		}
	}
	return nil
}

// signatureDir is where the image's signatures go: under dir by the
// repository's path, or registries.d's lookaside for ref.
func signatureDir(sys *types.SystemContext, ref types.ImageReference, named reference.Named, dir string) (string, error) {
	if dir != "" {
		repo := reference.Path(named)
		if path.Clean(repo) != repo {
			return "", errdefs.Invalid(fmt.Errorf("unexpected path elements in Docker reference %s for signature storage", named))
		}
		return filepath.Join(dir, repo), nil
	}
	u, err := docker.SignatureStorageBaseURL(sys, ref, true)
	if err != nil {
		return "", fmt.Errorf("reading registries.d: %w", err)
	}
	if u.Scheme != "file" {
		return "", errdefs.Invalid(fmt.Errorf("writing to %s is not supported: use --directory, or a file: lookaside in registries.d", u.Redacted()))
	}
	return u.Path, nil
}

// putSignature signs m and writes the signature as the first
// signature-N that its digest's directory lacks.
func putSignature(m []byte, mech signature.SigningMechanism, dir string, d digest.Digest, named reference.Named, signBy string) error {
	sig, err := signature.SignDockerManifest(m, named.String(), mech, signBy)
	if err != nil {
		return fmt.Errorf("signing %s: %w", named, err)
	}
	sigDir := fmt.Sprintf("%s@%s=%s", dir, d.Algorithm(), d.Encoded())
	if err := os.MkdirAll(sigDir, 0o751); err != nil {
		return fmt.Errorf("storing signature for %s: %w", named, err)
	}
	for n := 1; ; n++ {
		f, err := os.OpenFile(filepath.Join(sigDir, "signature-"+strconv.Itoa(n)), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("storing signature for %s: %w", named, err)
		}
		_, err = f.Write(sig)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("storing signature for %s: %w", named, err)
		}
		return nil
	}
}
