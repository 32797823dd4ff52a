package engine

import (
	"go.podman.io/image/v5/pkg/sysregistriesv2"
	"go.podman.io/image/v5/types"
)

// SearchRegistries are the registries registries.conf searches for short
// names: what a user logs in to, offered by shell completion.
func SearchRegistries() ([]string, error) {
	return sysregistriesv2.UnqualifiedSearchRegistries(&types.SystemContext{})
}
