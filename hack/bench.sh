#!/usr/bin/env bash
# Speed and memory of burrow beside podman (when podman is installed) and
# bubblewrap, as the user who runs it. Figures only: no target here fails a
# build; the start latency's targets (issue 22) are printed as met or
# missed.
#
#   hack/bench.sh             (after hack/testbed.sh setup; `make bench` does both)
#   BENCH_N=50 hack/bench.sh  more runs
#   BENCH_START_ONLY=1 hack/bench.sh  the start latency alone (issue 22)
#
# What is measured (hack/bench-start.sh for the first part):
#   start latency            run --rm IMAGE true (with and without a
#                            network), run -d + rm -f -t 0, exec CTR true,
#                            version, ps: burrow, podman (runc) and
#                            bubblewrap timed in turn, the median of N runs,
#                            and run --rm with 1000 containers in the store
#   ps -a                    with 100 containers in the store (mean/min/max,
#                            and the peak RSS of the CLI and its children)
#   monitor RSS              burrow's monitor beside podman's conmon, idle
#   pull                     a ~100 MB image in three layers, from nothing
#   disk                     what ten containers of that image add to the store
#   TCP throughput           host -> container through a published port, and
#                            container -> host (10.0.2.2, allow_host_loopback)
#   API life cycles          create+start+wait+remove per second through the
#                            Docker API, 1 and 8 clients (system service)
#   build                    a ten-step Containerfile, cold (--no-cache) and
#                            cached
set -euo pipefail

N=${BENCH_N:-20}
ENVFILE=${BURROW_TESTBED_ENV:-/tmp/burrow-testbed-$(id -u)/env}
[ -f "$ENVFILE" ] || ENVFILE=/tmp/burrow-testbed/env
[ -f "$ENVFILE" ] || { echo "bench: no test bed: run hack/testbed.sh setup first" >&2; exit 1; }
# shellcheck disable=SC1090
. "$ENVFILE"
IMAGE=$BURROW_TEST_IMAGE

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

RESULTS=$(mktemp -d)
BNAMES=()
PNAMES=()
cleanup() {
	[ ${#BNAMES[@]} = 0 ] || "$BURROW_BIN" rm -f -t 0 "${BNAMES[@]}" >/dev/null 2>&1 || true
	[ ${#PODMAN[@]} = 0 ] || [ ${#PNAMES[@]} = 0 ] || "${PODMAN[@]}" rm -f -t 0 "${PNAMES[@]}" >/dev/null 2>&1 || true
	rm -rf "$RESULTS"
}
PODMAN=()
trap cleanup EXIT

# measure SECTION TOOL CMD...: N timed runs, then one under /usr/bin/time.
measure() {
	local section=$1 tool=$2 i t0 t1 d sum=0 min= max=0 rss
	shift 2
	"$@" >/dev/null 2>&1 || { printf '  %-8s failed: %s\n' "$tool" "$*"; "$@" || true; return 1; }
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
	printf '  %-8s %8d %8d %8d %12d\n' "$tool" $((sum / N)) "$min" "$max" "$rss"
	echo $((sum / N)) >"$RESULTS/$section.$tool"
}

ratio() {
	local b p
	b=$(cat "$RESULTS/$1.burrow" 2>/dev/null) || return 0
	p=$(cat "$RESULTS/$1.podman" 2>/dev/null) || return 0
	[ "$p" -gt 0 ] && awk -v b="$b" -v p="$p" 'BEGIN { printf "  burrow/podman: %.2f\n", b / p }'
	return 0
}

section() {
	echo
	echo "$1"
	printf '  %-8s %8s %8s %8s %12s\n' tool mean_ms min_ms max_ms peak_rss_kb
}

rss_of() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

echo "bench: $N runs per figure, as $(id -un), image $IMAGE"
"$BURROW_BIN" pull -q --tls-verify=false "$IMAGE" >/dev/null
if command -v podman >/dev/null; then
	# The same store as burrow's: podman before 4.4 defaults to vfs for
	# rootless users without a storage.conf, and one store holds one driver.
	driver=$("$BURROW_BIN" info --format json | sed -n 's/.*"graphDriverName": *"\([a-z]*\)".*/\1/p' | head -n1)
	PODMAN=(podman --runtime runc --cgroup-manager cgroupfs --events-backend file --storage-driver "${driver:-overlay}")
	"${PODMAN[@]}" pull -q --tls-verify=false "$IMAGE" >/dev/null 2>&1 || PODMAN=()
fi
[ ${#PODMAN[@]} != 0 ] || echo "(podman not installed: apt-get install podman runc to compare)"

tag=bench-$$
# shellcheck source=hack/bench-start.sh
. "$(dirname "${BASH_SOURCE[0]}")/bench-start.sh"
[ -z "${BENCH_START_ONLY:-}" ] || exit 0

echo
echo "monitor RSS of an idle container (kB)"
mon=$("$BURROW_BIN" inspect --format '{{.State.ConmonPid}}' "$tag-b-exec")
printf '  %-8s %8s\n' burrow "$(rss_of "$mon")"
if [ ${#PODMAN[@]} != 0 ]; then
	mon=$("${PODMAN[@]}" inspect --format '{{.State.ConmonPid}}' "$tag-p-exec")
	printf '  %-8s %8s (conmon)\n' podman "$(rss_of "$mon")"
fi

for i in $(seq 100); do
	BNAMES+=("$tag-b-$i")
	PNAMES+=("$tag-p-$i")
	"$BURROW_BIN" create --name "$tag-b-$i" "$IMAGE" true >/dev/null
	[ ${#PODMAN[@]} = 0 ] || "${PODMAN[@]}" create --network none --name "$tag-p-$i" "$IMAGE" true >/dev/null
done
section "ps -a (100+ containers)"
measure ps burrow "$BURROW_BIN" ps -a
[ ${#PODMAN[@]} = 0 ] || measure ps podman "${PODMAN[@]}" ps -a || true
ratio ps

# Pulling about 100 MB in three layers from the local registry, from
# nothing each time (the image is removed between runs).
BIG=${BURROW_TEST_REGISTRY}/big:latest
pull_fresh() { "$@" rmi -f "$BIG" >/dev/null 2>&1 || true; }
measure_pull() {
	local tool=$1 i t0 sum=0 n=${BENCH_PULL_N:-3}
	shift
	for i in $(seq "$n"); do
		pull_fresh "$@"
		t0=$(now_ms)
		"$@" pull -q --tls-verify=false "$BIG" >/dev/null || { printf '  %-8s failed\n' "$tool"; return 1; }
		sum=$((sum + $(now_ms) - t0))
	done
	printf '  %-8s %8d\n' "$tool" $((sum / n))
	echo $((sum / n)) >"$RESULTS/pull.$tool"
}
echo
echo "pull of a ~100 MB, 3-layer image from 127.0.0.1 (ms, mean of ${BENCH_PULL_N:-3})"
measure_pull burrow "$BURROW_BIN"
[ ${#PODMAN[@]} = 0 ] || measure_pull podman "${PODMAN[@]}" || true
ratio pull
pull_fresh "$BURROW_BIN"

# Ten containers of one image: the store grows by their own writes only.
graphroot=$("$BURROW_BIN" info --format json | sed -n 's/.*"graphRoot": *"\([^"]*\)".*/\1/p' | head -n1)
"$BURROW_BIN" pull -q --tls-verify=false "$BIG" >/dev/null
# Files of subordinate IDs are not all readable from outside the user
# namespace, so the growth is read off the filesystem (df) instead of du.
used() { df -k --output=used "$graphroot" | tail -n1 | tr -d ' '; }
sync
before=$(used)
for i in $(seq 10); do
	BNAMES+=("$tag-disk-$i")
	"$BURROW_BIN" run --name "$tag-disk-$i" "$BIG" sh -c 'echo written > /written' >/dev/null
done
sync
after=$(used)
echo
echo "disk: 10 containers of the ~100 MB image grew the store by $((after - before)) kB"
"$BURROW_BIN" rm -f -t 0 "${BNAMES[@]}" >/dev/null 2>&1 || true
BNAMES=()
pull_fresh "$BURROW_BIN"

# TCP throughput, with the test bed's static nettest on both sides.
NETIMG=${BURROW_TEST_REGISTRY}/nettest:latest
NETTEST=${BURROW_TEST_NETTEST:-}
BYTES=${BENCH_NET_BYTES:-1000000000}
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)); }
# throughput TOOL CMD...: MB/s host->container and container->host.
throughput() {
	local tool=$1 hp in out name
	shift
	"$@" pull -q --tls-verify=false "$NETIMG" >/dev/null 2>&1 || { printf '  %-8s cannot pull %s\n' "$tool" "$NETIMG"; return 1; }
	name=$tag-net-$tool
	hp=$(freeport)
	"$@" run -d --name "$name" -p "127.0.0.1:$hp:5001" "$NETIMG" nettest sink 5001 >/dev/null
	in=$("$NETTEST" send "127.0.0.1:$hp" "$BYTES" | awk '{print $3}')
	"$@" rm -f -t 0 "$name" >/dev/null 2>&1
	hp=$(freeport)
	"$NETTEST" sink "$hp" >"$RESULTS/sink.$tool" &
	local sinkpid=$!
	"$@" run --rm --network slirp4netns:allow_host_loopback=true "$NETIMG" nettest send "10.0.2.2:$hp" "$BYTES" >/dev/null
	wait "$sinkpid"
	out=$(awk '{print $3}' "$RESULTS/sink.$tool")
	printf '  %-8s %12s %12s\n' "$tool" "$in" "$out"
}
if [ -n "$NETTEST" ] && [ -x "$NETTEST" ]; then
	echo
	echo "TCP throughput, $BYTES bytes (MB/s)"
	printf '  %-8s %12s %12s\n' tool host-\>ctr ctr-\>host
	throughput burrow "$BURROW_BIN" || true
	[ ${#PODMAN[@]} = 0 ] || throughput podman "${PODMAN[@]}" || true
fi

# Container life cycles through the Docker API.
APIBENCH=${BURROW_TEST_APIBENCH:-}
if [ -n "$APIBENCH" ] && [ -x "$APIBENCH" ]; then
	echo
	echo "Docker API: create+start+wait+remove per second (${BENCH_API_SECONDS:-10} s each)"
	printf '  %-8s %12s %12s\n' tool 1-client 8-clients
	api_bench() { # TOOL SOCKET
		local one eight
		one=$("$APIBENCH" "$2" "$IMAGE" "${BENCH_API_SECONDS:-10}" 1 2>/dev/null | awk '{print $1}')
		eight=$("$APIBENCH" "$2" "$IMAGE" "${BENCH_API_SECONDS:-10}" 8 2>/dev/null | awk '{print $1}')
		printf '  %-8s %12s %12s\n' "$1" "$one" "$eight"
	}
	sock=$RESULTS/burrow.sock
	"$BURROW_BIN" system service --time 0 "unix://$sock" 2>/dev/null &
	svc=$!
	for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
	api_bench burrow "$sock"
	kill "$svc" 2>/dev/null; wait "$svc" 2>/dev/null || true
	if [ ${#PODMAN[@]} != 0 ]; then
		psock=$RESULTS/podman.sock
		"${PODMAN[@]}" system service --time 0 "unix://$psock" 2>/dev/null &
		psvc=$!
		for _ in $(seq 100); do [ -S "$psock" ] && break; sleep 0.1; done
		api_bench podman "$psock"
		kill "$psvc" 2>/dev/null; wait "$psvc" 2>/dev/null || true
	fi
fi

# A ten-step build, cold (--no-cache) and cached, on one Containerfile.
bctx=$RESULTS/build-context
mkdir -p "$bctx"
seq 1 1000 >"$bctx/numbers.txt"
{
	echo "FROM $IMAGE"
	echo "ENV GREETING=hello"
	echo "WORKDIR /work"
	echo "COPY numbers.txt /work/"
	echo "RUN wc -l numbers.txt > count"
	echo "RUN echo \$GREETING > greeting"
	echo "LABEL bench=yes"
	echo "RUN mkdir -p /opt/app && cp count greeting /opt/app/"
	echo "USER 1000"
	echo "CMD [\"cat\", \"/opt/app/count\"]"
} >"$bctx/Containerfile"
measure_build() { # TOOL CMD...
	local tool=$1 t0 cold cached
	shift
	t0=$(now_ms)
	"$@" build -q --no-cache -t "localhost/bench-build-$tool" "$bctx" >/dev/null || { printf '  %-8s failed\n' "$tool"; return 1; }
	cold=$(($(now_ms) - t0))
	t0=$(now_ms)
	"$@" build -q -t "localhost/bench-build-$tool" "$bctx" >/dev/null
	cached=$(($(now_ms) - t0))
	printf '  %-8s %8d %8d\n' "$tool" "$cold" "$cached"
	echo "$cold" >"$RESULTS/build.$tool"
	"$@" rmi -f "localhost/bench-build-$tool" >/dev/null 2>&1 || true
}
echo
echo "build: a ten-step Containerfile (ms)"
printf '  %-8s %8s %8s\n' tool cold cached
measure_build burrow "$BURROW_BIN" || true
[ ${#PODMAN[@]} = 0 ] || measure_build podman "${PODMAN[@]}" || true
ratio build
