package engine

import (
	"errors"
	"fmt"
	"slices"

	"github.com/burrow-containers/burrow/errdefs"
	"github.com/burrow-containers/burrow/sandbox"
)

// GroupKeep is --group-add keep-groups: under podman (crun), the process
// keeps the supplementary groups of the user who runs podman.
const GroupKeep = "keep-groups"

// CheckGroupAdd checks --group-add (the API's HostConfig.GroupAdd):
// keep-groups alone, as podman's, and refused: burrow's processes leave
// the user's supplementary groups behind when they enter burrow's user
// namespace (userns/join_linux.c), so there are none left to keep.
func CheckGroupAdd(groups []string) error {
	if !slices.Contains(groups, GroupKeep) {
		return nil
	}
	if len(groups) > 1 {
		return errdefs.Invalid(errors.New("the '--group-add keep-groups' option is not allowed with any other --group-add options"))
	}
	return errdefs.Unavailable(errors.New("--group-add keep-groups: burrow leaves your supplementary groups behind when it enters its user namespace, so it has none to keep; give the container's groups with --group-add GID or NAME"))
}

// supplementaryGroups are the process's groups: the user's of the
// container's /etc/group, then those of --group-add (GIDs, or names in
// the same file), without repeats.
func supplementaryGroups(rootfs string, userGroups []int, added []string) ([]uint32, error) {
	gids := userGroups
	if len(added) > 0 {
		more, err := sandbox.LookupGroups(rootfs, added)
		if err != nil {
			return nil, errdefs.Invalid(fmt.Errorf("--group-add %v: %w", added, err))
		}
		gids = append(append([]int{}, gids...), more...)
	}
	var out []uint32
	for _, g := range gids {
		if !slices.Contains(out, uint32(g)) {
			out = append(out, uint32(g))
		}
	}
	return out, nil
}
