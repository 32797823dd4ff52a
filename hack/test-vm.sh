#!/usr/bin/env bash
# make test-vm: burrow's cgroup v2 limits, checked in a throwaway Debian
# guest with systemd and unified cgroups (this host has neither), booted
# under qemu by the vm-harness recipe (VM_HARNESS, default ../shared/vm-harness).
# As root. The guest has no network: burrow runs on a busybox root directory.
set -euo pipefail
cd "$(dirname "$0")/.."
HARNESS=${VM_HARNESS:-}
if [ -z "$HARNESS" ]; then
	for h in "$(cd .. && pwd)/shared/vm-harness" /work/shared/vm-harness; do
		[ -x "$h/run-in-guest.sh" ] && HARNESS=$h && break
	done
fi
if [ -z "$HARNESS" ] || [ ! -x "$HARNESS/run-in-guest.sh" ]; then
	echo "test-vm: SKIPPED: no vm-harness (../shared/vm-harness or VM_HARNESS): cgroup limits are not checked" >&2
	exit 0
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
