package images

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"

	"github.com/docker/distribution/registry/api/errcode"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	"github.com/opencontainers/go-digest"
	v1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/copy"
	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/pkg/shortnames"
	"go.podman.io/image/v5/signature"
	istorage "go.podman.io/image/v5/storage"
	"go.podman.io/image/v5/types"
	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/stringid"

	"github.com/burrow-containers/burrow/errdefs"
)

// PullOptions are the knobs of Pull.
type PullOptions struct {
	// TLSVerify: OptionalBoolFalse allows plain HTTP and unverified TLS;
	// undefined leaves it to registries.conf.
	TLSVerify types.OptionalBool
	// Platform is OS/ARCH[/VARIANT]; empty means the host's.
	Platform string
	// Quiet suppresses progress output.
	Quiet bool
	// ManifestType "docker" stores images made here (commit, build) with a
	// Docker schema 2 manifest; empty or "oci" keeps OCI.
	ManifestType string
	// Out receives progress (nil: none).
	Out io.Writer
	// AuthFile overrides the auth.json location.
	AuthFile string
	// Credentials, when set, are used instead of auth.json (the Docker
	// API's X-Registry-Auth).
	Credentials *types.DockerAuthConfig
	// TempDir holds the big temporary files of a copy (layers on their way
	// into the store); "" leaves them to containers/image ($TMPDIR or
	// /var/tmp).
	TempDir string
	// RemoveSignatures copies without the image's signatures: a push that
	// compresses the layers cannot keep them (podman's --remove-signatures;
	// the Docker API, which has no signatures, always).
	RemoveSignatures bool
}

// systemContext builds the containers/image context for opts.
func (o PullOptions) systemContext() (*types.SystemContext, error) {
	sys := &types.SystemContext{AuthFilePath: o.AuthFile, DockerAuthConfig: o.Credentials, BigFilesTemporaryDir: o.TempDir}
	if o.TLSVerify != types.OptionalBoolUndefined {
		sys.DockerInsecureSkipTLSVerify = types.NewOptionalBool(o.TLSVerify == types.OptionalBoolFalse)
	}
	if o.Platform != "" {
		parts := strings.Split(o.Platform, "/")
		if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
			return nil, errdefs.Invalid(fmt.Errorf("invalid --platform %q: use OS/ARCH[/VARIANT], e.g. linux/amd64", o.Platform))
		}
		sys.OSChoice, sys.ArchitectureChoice = parts[0], parts[1]
		if len(parts) == 3 {
			sys.VariantChoice = parts[2]
		}
	}
	return sys, nil
}

// policyContext loads policy.json as podman does.
func policyContext(sys *types.SystemContext) (*signature.PolicyContext, error) {
	policy, err := signature.DefaultPolicy(sys)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, errdefs.Unavailable(fmt.Errorf("reading the image trust policy: no policy.json found: install golang-github-containers-common (Debian) or containers-common, or write ~/.config/containers/policy.json"))
		}
		return nil, fmt.Errorf("reading the image trust policy (policy.json): %w", err)
	}
	return signature.NewPolicyContext(policy)
}

// Pull copies ref from its registry (or, named with another transport,
// from there: HasTransport) into store and returns the stored image.
// Short names are tried against each resolved candidate in turn.
func Pull(ctx context.Context, store cstorage.Store, ref string, opts PullOptions) (*cstorage.Image, error) {
	sys, err := opts.systemContext()
	if err != nil {
		return nil, err
	}
	if HasTransport(ref) {
		return pullTransport(ctx, store, ref, opts)
	}
	ref = stripTagOfDigested(strings.TrimPrefix(ref, "docker://"))
	resolved, err := shortnames.Resolve(sys, ref)
	if err != nil {
		return nil, errdefs.Invalid(fmt.Errorf("pulling %q: %w", ref, err))
	}
	if d := resolved.Description(); d != "" && !opts.Quiet && opts.Out != nil {
		fmt.Fprintln(opts.Out, d)
	}
	pc, err := policyContext(sys)
	if err != nil {
		return nil, err
	}
	defer pc.Destroy()

	var pullErrs []error
	for _, cand := range resolved.PullCandidates {
		if !opts.Quiet && opts.Out != nil {
			fmt.Fprintf(opts.Out, "Trying to pull %s...\n", cand.Value.String())
		}
		img, err := pullOne(ctx, store, pc, sys, cand.Value, opts)
		if err != nil {
			pullErrs = append(pullErrs, err)
			continue
		}
		if err := cand.Record(); err != nil && opts.Out != nil {
			fmt.Fprintf(opts.Out, "Warning: %v\n", err)
		}
		return img, nil
	}
	err = pullErrs[len(pullErrs)-1]
	if len(pullErrs) > 1 {
		err = errdefs.WithClass(errdefs.ClassOf(err), resolved.FormatPullErrors(pullErrs))
	}
	return nil, err
}

// stripTagOfDigested drops the tag of a reference that has a digest too
// (name:tag@sha256:...), as podman does: the digest alone names the image.
func stripTagOfDigested(ref string) string {
	base, dgst, ok := strings.Cut(ref, "@")
	if !ok {
		return ref
	}
	if i := strings.LastIndex(base, ":"); i > strings.LastIndex(base, "/") {
		base = base[:i]
	}
	return base + "@" + dgst
}

func pullOne(ctx context.Context, store cstorage.Store, pc *signature.PolicyContext, sys *types.SystemContext, named reference.Named, opts PullOptions) (*cstorage.Image, error) {
	src, err := docker.NewReference(named)
	if err != nil {
		return nil, errdefs.Invalid(fmt.Errorf("pulling %q: %w", named.String(), err))
	}
	dst, err := istorage.Transport.NewStoreReference(store, named, "")
	if err != nil {
		return nil, fmt.Errorf("pulling %q: %w", named.String(), err)
	}
	var stored types.ImageReference
	copts := &copy.Options{SourceCtx: sys, DestinationCtx: sys, ImageListSelection: copy.CopySystemImage, ReportResolvedReference: &stored}
	if !opts.Quiet && opts.Out != nil {
		copts.ReportWriter = opts.Out
	}
	if _, err := copy.Image(ctx, pc, dst, src, copts); err != nil {
		return nil, classifyPullError(fmt.Errorf("pulling %q: %w", named.String(), err), named)
	}
	return storedImage(stored, fmt.Sprintf("pulling %q", named.String()))
}

// classifyPullError gives registry failures an error class and, where a
// user can act, the fix.
func classifyPullError(err error, named reference.Named) error {
	var unauth docker.ErrUnauthorizedForCredentials
	if errors.As(err, &unauth) {
		return errdefs.Unauthorized(fmt.Errorf("%w: log in with `burrow login %s`", err, reference.Domain(named)))
	}
	var ec errcode.Error
	if errors.As(err, &ec) {
		switch ec.Code.Descriptor().HTTPStatusCode {
		case http.StatusNotFound:
			return errdefs.NotFound(err)
		case http.StatusUnauthorized, http.StatusForbidden:
			return errdefs.Unauthorized(fmt.Errorf("%w: log in with `burrow login %s`", err, reference.Domain(named)))
		}
	}
	var unexpected docker.UnexpectedHTTPStatusError
	if errors.As(err, &unexpected) && unexpected.StatusCode == http.StatusNotFound {
		return errdefs.NotFound(err)
	}
	return classifyRegistryError(err)
}

// Lookup finds an image in store by ID (with or without sha256:), ID
// prefix, name or name@digest; short names are completed as podman does
// (localhost/, aliases, search registries) and then as dockerd does
// (docker.io/library/), so that the CLI finds what Docker clients named
// through the API; a missing tag means :latest.
func Lookup(store cstorage.Store, nameOrID string) (*cstorage.Image, error) {
	if nameOrID == "" {
		return nil, errdefs.Invalid(errors.New("no image given"))
	}
	if img, err := store.Image(strings.TrimPrefix(nameOrID, "sha256:")); err == nil {
		return img, nil
	}
	ref := strings.TrimPrefix(nameOrID, "docker://")
	if named, err := reference.ParseNormalizedNamed(ref); err == nil {
		if d, ok := named.(reference.Digested); ok {
			return byDigest(store, named, d.Digest())
		}
	}
	candidates, err := shortnames.ResolveLocally(nil, ref)
	if err != nil {
		return nil, errdefs.Invalid(fmt.Errorf("invalid image reference %q: %w", nameOrID, err))
	}
	if named, err := reference.ParseNormalizedNamed(ref); err == nil {
		candidates = append(candidates, reference.TagNameOnly(named))
	}
	for _, c := range candidates {
		if img, err := store.Image(c.String()); err == nil {
			return img, nil
		}
	}
	return nil, errdefs.NotFound(fmt.Errorf("image %q not known: pull it with `burrow pull %s`", nameOrID, nameOrID))
}

// byDigest finds the image of a name@digest reference: one of the
// repository's (or, for a short name, any repository's of that name) with
// that manifest digest.
func byDigest(store cstorage.Store, named reference.Named, d digest.Digest) (*cstorage.Image, error) {
	imgs, err := store.Images()
	if err != nil {
		return nil, fmt.Errorf("listing images: %w", err)
	}
	repo := reference.Path(named)
	for i := range imgs {
		if !slices.Contains(imgs[i].Digests, d) && imgs[i].Digest != d {
			continue
		}
		for _, n := range imgs[i].Names {
			if nn, err := reference.ParseNormalizedNamed(n); err == nil && (nn.Name() == named.Name() || reference.Path(nn) == repo) {
				return &imgs[i], nil
			}
		}
	}
	return nil, errdefs.NotFound(fmt.Errorf("image %q not known: pull it with `burrow pull %s`", named, named))
}

// Config reads the image's OCI configuration (entrypoint, cmd, env, ...).
func Config(ctx context.Context, store cstorage.Store, img *cstorage.Image) (*v1.Image, error) {
	cfg, err := DockerConfig(ctx, store, img)
	if err != nil {
		return nil, err
	}
	return &cfg.Image, nil
}

// DockerConfig reads the image's configuration with Docker's extensions
// (healthcheck, onbuild, shell), which the OCI form drops.
func DockerConfig(ctx context.Context, store cstorage.Store, img *cstorage.Image) (*dockerspec.DockerOCIImage, error) {
	ref, err := istorage.Transport.NewStoreReference(store, nil, img.ID)
	if err != nil {
		return nil, fmt.Errorf("reading image %s: %w", stringid.TruncateID(img.ID), err)
	}
	src, err := ref.NewImage(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("reading image %s: %w", stringid.TruncateID(img.ID), err)
	}
	defer src.Close()
	oci, err := src.OCIConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the configuration of image %s: %w", stringid.TruncateID(img.ID), err)
	}
	raw, err := src.ConfigBlob(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the configuration of image %s: %w", stringid.TruncateID(img.ID), err)
	}
	var cfg dockerspec.DockerOCIImage
	// The extensions come from the stored blob; the rest from the OCI
	// form, which containers/image converts from any schema.
	json.Unmarshal(raw, &cfg)
	ext := cfg.Config.DockerOCIImageConfigExt
	cfg = dockerspec.DockerOCIImage{Image: *oci}
	cfg.Config.ImageConfig = oci.Config
	cfg.Config.DockerOCIImageConfigExt = ext
	return &cfg, nil
}
