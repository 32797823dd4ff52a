#!/usr/bin/env bash
# podman's own system tests (podman 4.3.1's test/system, run by
# ../shared/podman-bats/run.sh) against bin/burrow, as an unprivileged test
# user. Fails when fewer tests pass than the floor in hack/podman-floor.txt.
#
#   make test-podman                         # the files of hack/podman-files.txt
#   hack/test-podman.sh 010-images 020-tag   # some files (no floor check)
#
# The binary is called through a link named podman, as scripts written for
# podman call it (its usage lines and messages then say podman).
# Environment: PODMAN_BATS (the runner's directory, default
# ../shared/podman-bats), FILE_TIMEOUT (seconds per file, default 420: CI has 90 minutes in all; 015-help and 600-completion call burrow some hundreds of times and take minutes on a busy machine),
# BURROW_TESTBED_INSTANCE (default podman: the test user burrowtest-podman).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
[ "$(id -u)" = 0 ] || { echo "test-podman: run as root (the runner switches to a test user)" >&2; exit 2; }
. hack/shared.sh
BATS_DIR=${PODMAN_BATS:-$(find_shared podman-bats)}
[ -x "$BATS_DIR/run.sh" ] || [ -f "$BATS_DIR/run.sh" ] || { echo "test-podman: no runner at ${BATS_DIR:-shared/podman-bats above this checkout} (set PODMAN_BATS)" >&2; exit 2; }
export BURROW_TESTBED_INSTANCE=${BURROW_TESTBED_INSTANCE:-podman}
user=$(hack/testbed.sh users | tail -1)

# The test user must be able to run the binary: a copy outside the tree.
bin=/tmp/burrow-podman-bats-$BURROW_TESTBED_INSTANCE
mkdir -p "$bin"
cp bin/burrow "$bin/burrow.new" && mv "$bin/burrow.new" "$bin/burrow"
ln -sf burrow "$bin/podman"
chmod 755 "$bin" "$bin/burrow"

files=("$@")
[ $# -gt 0 ] || mapfile -t files < <(awk '!/^#/ && NF {print $1}' hack/podman-files.txt)
out=$(mktemp)
rc=0
FILE_TIMEOUT=${FILE_TIMEOUT:-420} TEST_USER=$user PODMAN=$bin/podman \
	bash "$BATS_DIR/run.sh" "${files[@]}" | tee "$out" || rc=$?
# Beside podman's own count: a file more than one below it wants a reason
# in tests/podman-compat.md.
awk 'NR == FNR { if (!/^#/ && NF) ref[$1] = $2; next }
	$1 in ref && $3 == "passed," { d = $2 - ref[$1]; if (d < -1) printf "below podman: %s %d (podman %d)\n", $1, $2, ref[$1] }' \
	hack/podman-files.txt "$out"
passed=$(sed -n 's/^total: \([0-9]*\) passed.*/\1/p' "$out" | tail -1)
rm -f "$out"
# leave no pause process of the test user behind
hack/testbed.sh stop >/dev/null 2>&1 || true
[ -n "$passed" ] || { echo "test-podman: the runner printed no total (rc=$rc)" >&2; exit 1; }
if [ $# -gt 0 ]; then exit 0; fi
floor=$(grep -v '^#' hack/podman-floor.txt | head -1)
echo "podman system tests: $passed pass, the floor is $floor"
if [ "$passed" -lt "$floor" ]; then
	echo "test-podman: $passed tests pass, fewer than the floor $floor (hack/podman-floor.txt)" >&2
	exit 1
fi
