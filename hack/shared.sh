# shellcheck shell=bash
# find_shared NAME prints the directory shared/NAME in the nearest directory
# above this checkout that has one (the machine keeps podman's system tests
# and the vm harness beside the project's checkouts, which may sit a level
# or two deeper than ../), or nothing.
find_shared() {
	local dir
	dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	while [ "$dir" != / ]; do
		dir=$(dirname "$dir")
		if [ -d "$dir/shared/$1" ]; then
			echo "$dir/shared/$1"
			return
		fi
	done
}
