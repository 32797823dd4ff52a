package build

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"

	cstorage "go.podman.io/storage"

	"github.com/burrow-containers/burrow/engine"
)

// cache maps step keys to the images the steps made. It lives beside the
// store (GRAPHROOT/burrow/build-cache, one small file per key naming an
// image ID), so removing an image is enough to drop its entries: a key
// whose image is gone is a miss.
type cache struct {
	dir string
	eng *engine.Engine
}

func openCache(eng *engine.Engine) *cache {
	return &cache{dir: eng.BuildCacheDir(), eng: eng}
}

// chain is the key of a step: the previous key and what the step depends on.
func chain(prev string, parts ...string) string {
	h := sha256.New()
	h.Write([]byte(prev))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// get is the image stored under key, if it is still there.
func (c *cache) get(key string) *cstorage.Image {
	b, err := os.ReadFile(filepath.Join(c.dir, key))
	if err != nil {
		return nil
	}
	img, err := c.eng.LookupImage(strings.TrimSpace(string(b)))
	if err != nil {
		return nil
	}
	return img
}

// put records the image made under key; a cache that cannot be written
// only makes the next build slower.
func (c *cache) put(key, imageID string) {
	if os.MkdirAll(c.dir, 0o700) != nil {
		return
	}
	tmp, err := os.CreateTemp(c.dir, ".new-")
	if err != nil {
		return
	}
	_, err = tmp.WriteString(imageID + "\n")
	if cerr := tmp.Close(); err == nil && cerr == nil {
		if os.Rename(tmp.Name(), filepath.Join(c.dir, key)) == nil {
			return
		}
	}
	os.Remove(tmp.Name())
}
