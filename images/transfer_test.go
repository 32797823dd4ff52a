package images

import (
	"errors"
	"fmt"
	"testing"

	cstorage "go.podman.io/storage"
)

func TestLayerGone(t *testing.T) {
	wrapped := fmt.Errorf("storing the image: committing the finished image: creating image %q: %w", "e9fc", cstorage.ErrLayerUnknown)
	flat := errors.New(`creating image "e9fc": layer not known`)
	if !layerGone(wrapped) || !layerGone(flat) || layerGone(errors.New("no space left on device")) {
		t.Errorf("layerGone: wrapped %v, flat %v", layerGone(wrapped), layerGone(flat))
	}
}
