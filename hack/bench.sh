#!/usr/bin/env bash
# Speed and memory of burrow beside podman (when podman is installed), as
# the user who runs it. Figures only: no target here fails a build.
#
#   hack/bench.sh             (after hack/testbed.sh setup; `make bench` does both)
#   BENCH_N=50 hack/bench.sh  more runs
#
# What is measured, for each tool:
#   run --rm IMAGE true   wall time per container, mean/min/max over N runs
#   peak RSS              the largest resident set of the CLI and its children
# Both tools run with no network (burrow has none yet; podman's would start
# a slirp4netns or pasta process and measure that instead).
set -euo pipefail

N=${BENCH_N:-20}
ENVFILE=${BURROW_TESTBED_ENV:-/tmp/burrow-testbed-$(id -u)/env}
[ -f "$ENVFILE" ] || ENVFILE=/tmp/burrow-testbed/env
[ -f "$ENVFILE" ] || { echo "bench: no test bed: run hack/testbed.sh setup first" >&2; exit 1; }
# shellcheck disable=SC1090
. "$ENVFILE"
IMAGE=$BURROW_TEST_IMAGE

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# measure LABEL CMD...: N timed runs, then one under /usr/bin/time for RSS.
measure() {
	local label=$1 i t0 t1 d sum=0 min= max=0 rss
	shift
	"$@" >/dev/null 2>&1 || { printf '%-8s failed: %s\n' "$label" "$*"; "$@" || true; return 1; }
	for i in $(seq "$N"); do
		t0=$(now_ms)
		"$@" >/dev/null
		t1=$(now_ms)
		d=$((t1 - t0))
		sum=$((sum + d))
		[ -z "$min" ] || [ "$d" -lt "$min" ] && min=$d
		[ "$d" -gt "$max" ] && max=$d
	done
	rss=$(/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n1)
	printf '%-8s %6d %6d %6d %10d\n' "$label" $((sum / N)) "$min" "$max" "$rss"
	echo $((sum / N)) >"$RESULTS/$label"
}

RESULTS=$(mktemp -d)
trap 'rm -rf "$RESULTS"' EXIT

echo "bench: $N runs of 'run --rm $IMAGE true' per tool, as $(id -un)"
"$BURROW_BIN" pull -q --tls-verify=false "$IMAGE" >/dev/null
PODMAN=()
if command -v podman >/dev/null; then
	# The same store as burrow's: podman before 4.4 defaults to vfs for
	# rootless users without a storage.conf, and one store holds one driver.
	driver=$("$BURROW_BIN" info --format json | sed -n 's/.*"graphDriverName": *"\([a-z]*\)".*/\1/p' | head -n1)
	PODMAN=(podman --runtime runc --cgroup-manager cgroupfs --events-backend file --storage-driver "${driver:-overlay}")
	"${PODMAN[@]}" pull -q --tls-verify=false "$IMAGE" >/dev/null 2>&1 || PODMAN=()
fi

printf '%-8s %6s %6s %6s %10s\n' tool mean_ms min_ms max_ms peak_rss_kb
measure burrow "$BURROW_BIN" run --rm "$IMAGE" true
if [ ${#PODMAN[@]} != 0 ]; then
	measure podman "${PODMAN[@]}" run --rm --network none "$IMAGE" true || true
else
	echo "podman   not installed (apt-get install podman runc to compare)"
fi
if [ -f "$RESULTS/podman" ]; then
	b=$(cat "$RESULTS/burrow") p=$(cat "$RESULTS/podman")
	[ "$p" -gt 0 ] && awk -v b="$b" -v p="$p" 'BEGIN { printf "burrow/podman wall time: %.2f\n", b / p }'
fi
