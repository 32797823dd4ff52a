package images

import (
	"context"
	"fmt"
	"strings"

	"go.podman.io/common/libimage"
	"go.podman.io/common/libimage/filter"
	"go.podman.io/image/v5/types"
	cstorage "go.podman.io/storage"

	"github.com/burrow-containers/burrow/errdefs"
)

// SearchResult is one image a registry's search found, as podman's search
// prints it.
type SearchResult = libimage.SearchResult

// SearchOptions tune Search.
type SearchOptions struct {
	// Filters are podman's: stars=N, is-official[=BOOL], is-automated[=BOOL].
	Filters []string
	// Limit bounds the results of each registry (0: the registry's 25).
	Limit int
	// NoTrunc keeps descriptions whole.
	NoTrunc bool
	// ListTags lists the tags of the one image term names instead.
	ListTags bool
}

// Search looks term up as podman's search does, through libimage: in the
// registry term starts with (REGISTRY/TERM), else in registries.conf's
// unqualified-search registries; a registry without a search endpoint
// answers from its catalog.
func Search(ctx context.Context, store cstorage.Store, term string, so SearchOptions, opts PullOptions) ([]SearchResult, error) {
	f, err := filter.ParseSearchFilter(so.Filters)
	if err != nil {
		return nil, errdefs.Invalid(fmt.Errorf("--filter: %w", err))
	}
	rt, err := library(store, opts)
	if err != nil {
		return nil, err
	}
	o := &libimage.SearchOptions{Filter: *f, Limit: so.Limit, NoTrunc: so.NoTrunc, ListTags: so.ListTags, Authfile: opts.AuthFile}
	switch opts.TLSVerify {
	case types.OptionalBoolFalse:
		o.InsecureSkipTLSVerify = types.OptionalBoolTrue
	case types.OptionalBoolTrue:
		o.InsecureSkipTLSVerify = types.OptionalBoolFalse
	}
	if opts.Credentials != nil {
		o.Username, o.Password = opts.Credentials.Username, opts.Credentials.Password
	}
	res, err := rt.Search(ctx, term, o)
	if err != nil {
		return nil, classifyRegistryError(fmt.Errorf("searching %q: %s", term, oneLine(err)))
	}
	return res, nil
}

// oneLine is err's message on one line: libimage lists each registry's
// error on lines of their own ("1 error occurred:\n\t* ...").
func oneLine(err error) string {
	var parts []string
	for _, l := range strings.Split(err.Error(), "\n") {
		l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "* "))
		if l != "" && !strings.HasSuffix(l, "error occurred:") && !strings.HasSuffix(l, "errors occurred:") {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, "; ")
}
