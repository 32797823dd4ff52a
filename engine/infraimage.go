package engine

import (
	"context"
	"fmt"
	"os"

	"github.com/burrow-containers/burrow/errdefs"
)

// DefaultInfraImage is the built-in infra image of an engine opened
// without Options.InfraImage. The CLI names it as podman names its own,
// localhost/podman-pause:VERSION-BUILT, from what `burrow version` says,
// so that scripts written for podman find it.
const DefaultInfraImage = "localhost/podman-pause:burrow"

// builtinInfraImage returns the name of the image of pods' built-in infra
// containers, making it when it is missing: a layer with no file and
// /pause as entrypoint. The infra's process is burrow's own binary, bound
// there when the infra starts (pod_sandbox.go), so nothing is pulled and
// the image costs a few hundred bytes.
func (e *Engine) builtinInfraImage(ctx context.Context) (string, error) {
	name := e.settings.InfraImage
	if name == "" {
		name = DefaultInfraImage
	}
	if _, err := e.LookupImage(name); err == nil || !errdefs.Is(err, errdefs.ClassNotFound) {
		return name, err
	}
	// An empty tar archive: two blocks of zeros.
	f, err := os.CreateTemp("", "burrow-infra-*.tar")
	if err != nil {
		return "", fmt.Errorf("making the built-in infra image: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = f.Write(make([]byte, 1024))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("making the built-in infra image: %w", err)
	}
	o := ImportOptions{
		Changes: []string{`ENTRYPOINT ["` + infraPausePath + `"]`},
		Message: "burrow's built-in pod infra: burrow's own binary holds the pod's namespaces",
	}
	if _, err := e.Import(ctx, f.Name(), name, o, PullOptions{}); err != nil {
		return "", fmt.Errorf("making the built-in infra image %s: %w", name, err)
	}
	return name, nil
}
