package images

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/copy"
	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/manifest"
	istorage "go.podman.io/image/v5/storage"
	"go.podman.io/image/v5/tarball"
	"go.podman.io/image/v5/types"
	cstorage "go.podman.io/storage"
	"go.podman.io/storage/pkg/stringid"

	"github.com/burrow-containers/burrow/errdefs"
)

// copyImage copies src to dst with the policy and progress of opts; when
// stored is not nil, a store destination reports there the image it made.
func copyImage(ctx context.Context, dst, src types.ImageReference, opts PullOptions, what string, stored *types.ImageReference) error {
	sys, err := opts.systemContext()
	if err != nil {
		return err
	}
	pc, err := policyContext(sys)
	if err != nil {
		return err
	}
	defer pc.Destroy()
	copts := &copy.Options{SourceCtx: sys, DestinationCtx: sys, ImageListSelection: copy.CopySystemImage, RemoveSignatures: opts.RemoveSignatures}
	if !opts.Quiet && opts.Out != nil {
		copts.ReportWriter = opts.Out
	}
	if opts.ManifestType == "docker" {
		copts.ForceManifestMIMEType = manifest.DockerV2Schema2MediaType
	}
	copts.ReportResolvedReference = stored
	if _, err := copy.Image(ctx, pc, dst, src, copts); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// CopyInto copies src into the store reference dst with the policy of
// opts and returns the image it stored: for images made by other packages
// (commit).
func CopyInto(ctx context.Context, dst, src types.ImageReference, opts PullOptions, what string) (*cstorage.Image, error) {
	return copyToStore(ctx, dst, src, opts, what)
}

// copyToStore copies src into the store reference dst and returns exactly
// the image it stored: the store reports a reference by ID, so another
// image given the same name meanwhile cannot be returned instead.
//
// A layer the copy found in the store and reused (the same content as
// another image's) may be removed with that image before the copy names
// its own (an rmi beside a commit or a pull): the store then refuses the
// image, "layer not known", and the copy is made once more, which writes
// the layer this time.
func copyToStore(ctx context.Context, dst, src types.ImageReference, opts PullOptions, what string) (*cstorage.Image, error) {
	var stored types.ImageReference
	err := copyImage(ctx, dst, src, opts, what, &stored)
	if err != nil && layerGone(err) {
		err = copyImage(ctx, dst, src, opts, what, &stored)
	}
	if err != nil {
		return nil, err
	}
	return storedImage(stored, what)
}

// layerGone tells whether err is the store's refusal of an image whose
// layer is not there (any more).
func layerGone(err error) bool {
	return errors.Is(err, cstorage.ErrLayerUnknown) || strings.Contains(err.Error(), cstorage.ErrLayerUnknown.Error())
}

// copyToStoreAs copies src into the store under named; without a name
// (import and load of unnamed images, as podman allows), under a temporary
// one that is removed again, as the storage transport needs a name or an
// ID to write to.
func copyToStoreAs(ctx context.Context, store cstorage.Store, named reference.Named, src types.ImageReference, opts PullOptions, what string) (*cstorage.Image, error) {
	tmp := named == nil
	if tmp {
		n, err := reference.ParseNormalizedNamed("localhost/burrow-unnamed-" + stringid.GenerateRandomID()[:16])
		if err != nil {
			return nil, err
		}
		named = reference.TagNameOnly(n)
	}
	dst, err := istorage.Transport.NewStoreReference(store, named, "")
	if err != nil {
		return nil, err
	}
	img, err := copyToStore(ctx, dst, src, opts, what)
	if err != nil || !tmp {
		return img, err
	}
	if err := store.RemoveNames(img.ID, []string{named.String()}); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	img.Names = slices.DeleteFunc(img.Names, func(n string) bool { return n == named.String() })
	return img, nil
}

// storedImage is the image a copy into the store reported it stored.
func storedImage(stored types.ImageReference, what string) (*cstorage.Image, error) {
	if stored == nil {
		return nil, fmt.Errorf("%s: the store did not report the image it stored", what)
	}
	_, img, err := istorage.ResolveReference(stored)
	if err != nil {
		return nil, fmt.Errorf("%s: finding the stored image: %w", what, err)
	}
	return img, nil
}

// storeRef is the containers-storage reference of a stored image.
func storeRef(store cstorage.Store, img *cstorage.Image, named reference.Named) (types.ImageReference, error) {
	return istorage.Transport.NewStoreReference(store, named, img.ID)
}

// Push copies a stored image to a registry. dest is a registry reference
// (with or without docker://), or names a place with another transport
// (dir:, oci:, docker-archive:, oci-archive:); empty pushes to the image's
// own name.
func Push(ctx context.Context, store cstorage.Store, image, dest string, opts PullOptions) error {
	img, err := Lookup(store, image)
	if err != nil {
		return err
	}
	if dest == "" {
		dest = image
		if !strings.HasPrefix(img.ID, image) {
			// The stored name the user meant, fully qualified.
			if named, err := NormalizeName(image); err == nil && hasName(img, named.String()) {
				dest = named.String()
			} else if len(img.Names) == 1 {
				dest = img.Names[0]
			}
		}
	}
	if HasTransport(dest) {
		return pushTransport(ctx, store, img, dest, opts)
	}
	dest = strings.TrimPrefix(dest, "docker://")
	named, err := reference.ParseNormalizedNamed(dest)
	if err != nil {
		return errdefs.Invalid(fmt.Errorf("pushing to %q: invalid reference: %w", dest, err))
	}
	named = reference.TagNameOnly(named)
	dst, err := docker.NewReference(named)
	if err != nil {
		return errdefs.Invalid(fmt.Errorf("pushing to %q: %w", dest, err))
	}
	src, err := storeRef(store, img, nil)
	if err != nil {
		return err
	}
	if err := copyImage(ctx, dst, src, opts, fmt.Sprintf("pushing %q", named.String()), nil); err != nil {
		return classifyPullError(err, named)
	}
	return nil
}

func hasName(img *cstorage.Image, n string) bool {
	for _, x := range img.Names {
		if x == n {
			return true
		}
	}
	return false
}

// ImportOptions describe the image made from a root filesystem tarball.
type ImportOptions struct {
	Changes []string // Dockerfile-style: CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE
	Message string
}

// Import makes an image of one layer from a tarball of a root filesystem
// ("-" reads stdin) and names it ref (none when empty).
func Import(ctx context.Context, store cstorage.Store, tarPath, ref string, io ImportOptions, opts PullOptions) (*cstorage.Image, error) {
	if tarPath != "-" {
		st, err := os.Stat(tarPath)
		if err != nil {
			return nil, errdefs.NotFound(fmt.Errorf("importing %s: %w", tarPath, errors.Unwrap(err)))
		}
		if st.Size() == 0 {
			return nil, errdefs.Invalid(fmt.Errorf("importing %s: the file is empty: give a tarball of a root filesystem", tarPath))
		}
	}
	src, err := tarball.Transport.ParseReference(tarPath)
	if err != nil {
		return nil, errdefs.Invalid(fmt.Errorf("importing %s: %w", tarPath, err))
	}
	now := time.Now().UTC()
	cfg := imgspecv1.Image{Created: &now}
	cfg.OS, cfg.Architecture = runtime.GOOS, runtime.GOARCH
	if err := ApplyChanges(&cfg.Config, io.Changes); err != nil {
		return nil, err
	}
	cfg.History = []imgspecv1.History{{Created: &now, CreatedBy: "/bin/sh -c #(nop) ADD file:" + filepath.Base(tarPath) + " in /", Comment: io.Message}}
	if u, ok := src.(tarball.ConfigUpdater); ok {
		if err := u.ConfigUpdate(cfg, nil); err != nil {
			return nil, err
		}
	}
	var named reference.Named
	if ref != "" {
		if named, err = NormalizeName(ref); err != nil {
			return nil, err
		}
	}
	return copyToStoreAs(ctx, store, named, src, opts, "importing "+tarPath)
}

// ApplyChanges applies Dockerfile-style instructions (--change) to an image
// configuration: CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE,
// STOPSIGNAL. CMD and ENTRYPOINT take JSON arrays or a shell form.
func ApplyChanges(c *imgspecv1.ImageConfig, changes []string) error {
	for _, ch := range changes {
		instr, arg, _ := strings.Cut(strings.TrimSpace(ch), " ")
		if i := strings.IndexByte(instr, '='); i > 0 && arg == "" {
			instr, arg = instr[:i], instr[i+1:]
		}
		arg = strings.TrimSpace(arg)
		switch strings.ToUpper(instr) {
		case "CMD":
			c.Cmd = commandForm(arg)
		case "ENTRYPOINT":
			c.Entrypoint = commandForm(arg)
		case "ENV":
			k, v, ok := strings.Cut(arg, "=")
			if !ok {
				k, v, _ = strings.Cut(arg, " ")
			}
			c.Env = SetEnv(c.Env, strings.TrimSpace(k), strings.TrimSpace(v))
		case "WORKDIR":
			c.WorkingDir = arg
		case "USER":
			c.User = arg
		case "STOPSIGNAL":
			c.StopSignal = arg
		case "LABEL":
			k, v, _ := strings.Cut(arg, "=")
			if c.Labels == nil {
				c.Labels = map[string]string{}
			}
			c.Labels[k] = strings.Trim(v, `"`)
		case "EXPOSE":
			if c.ExposedPorts == nil {
				c.ExposedPorts = map[string]struct{}{}
			}
			for _, p := range strings.Fields(arg) {
				if !strings.Contains(p, "/") {
					p += "/tcp"
				}
				c.ExposedPorts[p] = struct{}{}
			}
		default:
			return errdefs.Invalid(fmt.Errorf("invalid --change %q: burrow knows CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE and STOPSIGNAL", ch))
		}
	}
	return nil
}

// commandForm reads CMD/ENTRYPOINT arguments: a JSON array, or a shell form
// run by /bin/sh -c.
func commandForm(arg string) []string {
	if strings.HasPrefix(arg, "[") {
		var v []string
		if err := jsonUnmarshal(arg, &v); err == nil {
			return v
		}
	}
	return []string{"/bin/sh", "-c", arg}
}

// SetEnv sets K=V in an environment list, in place of an earlier K.
func SetEnv(env []string, k, v string) []string {
	for i, kv := range env {
		if strings.HasPrefix(kv, k+"=") {
			env[i] = k + "=" + v
			return env
		}
	}
	return append(env, k+"="+v)
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
