package engine

import (
	"crypto/rand"
	"math/big"
)

var (
	adjectives = []string{"agile", "bold", "brave", "calm", "clever", "eager", "gentle", "happy", "keen", "lucid", "merry", "nimble", "quiet", "quirky", "sharp", "swift", "tender", "vivid", "witty", "zealous"}
	animals    = []string{"badger", "beaver", "ferret", "fox", "hare", "hedgehog", "marmot", "meerkat", "mole", "otter", "prairiedog", "rabbit", "squirrel", "stoat", "vole", "wombat", "armadillo", "chipmunk", "gopher", "aardvark"}
)

func pick(list []string) string {
	n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(list))))
	return list[n.Int64()]
}

// generateName returns a name like podman's adjective_noun, here of
// burrowing animals.
func generateName() string {
	return pick(adjectives) + "_" + pick(animals)
}
