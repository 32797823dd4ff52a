#!/usr/bin/env bash
# make test-vm: burrow's cgroup v2 limits, checked in a throwaway Debian
# guest with systemd and unified cgroups (this host has neither), booted
# under qemu by the vm-harness recipe (VM_HARNESS, default shared/vm-harness in the
# nearest directory above this checkout). As root. The guest has no network: burrow runs on a
# busybox root directory. Without the harness it fails: the limits would go
# unchecked, and a green run must mean they were checked.
set -euo pipefail
cd "$(dirname "$0")/.."
. hack/shared.sh
HARNESS=${VM_HARNESS:-$(find_shared vm-harness)}
if [ ! -x "$HARNESS/run-in-guest.sh" ]; then
	echo "test-vm: no vm-harness at ${HARNESS:-shared/vm-harness above this checkout} (no run-in-guest.sh): set VM_HARNESS to its directory; the cgroup limits were not checked" >&2
	exit 1
fi
[ "$(id -u)" = 0 ] || { echo "test-vm: run as root (the harness builds and boots the guest)" >&2; exit 1; }
export PATH=/usr/local/go/bin:$PATH
# The guest's Debian mirror, from the host's apt sources (the harness's own
# lookup can die of SIGPIPE under pipefail when there are several lines).
if [ -z "${VMH_MIRROR:-}" ]; then
	VMH_MIRROR=$(awk '$1 == "deb" && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
	[ -n "$VMH_MIRROR" ] || VMH_MIRROR=$(awk '$1 == "URIs:" && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
	export VMH_MIRROR=${VMH_MIRROR:-http://deb.debian.org/debian}
fi
hack/testbed.sh deps
dir=$(mktemp -d /tmp/burrow-vm.XXXXXX)
trap 'rm -rf "$dir"' EXIT
CGO_ENABLED=1 go build -tags "${GOTAGS:-containers_image_openpgp exclude_graphdriver_btrfs exclude_graphdriver_devicemapper}" -o "$dir/burrow" ./cmd/burrow
cp /bin/busybox "$dir/busybox"
cp tests/vm/limits.sh "$dir/"
"$HARNESS/run-in-guest.sh" --copy --timeout "${VM_TIMEOUT:-1200}" "$dir" -- sh ./limits.sh
