# Start latency, sourced by hack/bench.sh (issue 22; docs/performance.md):
# burrow, podman (runc) and bubblewrap timed in turn, run after run, so
# that what else the machine does weighs on all three alike; the median of
# N runs each. The targets are checked here, and only here: no test is
# timed.
#
# Expects from bench.sh: N, IMAGE, BURROW_BIN, PODMAN (empty without
# podman), RESULTS, BNAMES, PNAMES, tag.

# The targets (issue 22).
TARGET_BWRAP=3.0       # burrow at most 3x bubblewrap's wall time
TARGET_PODMAN=0.20     # and at most 0.20x podman's
TARGET_EXEC=0.25       # exec at most 0.25x podman exec
TARGET_STORE=1.10      # run --rm with 1000 containers beside: at most 10% more
TARGET_CLI_MS=5        # a command that touches no container, in ms
STORE_N=${BENCH_STORE_N:-1000}

# usec prints the wall time of CMD... in microseconds; no process is forked
# to read the clock.
usec() {
	local t0 t1
	t0=${EPOCHREALTIME/./}
	"$@" >/dev/null 2>&1 || return 1
	t1=${EPOCHREALTIME/./}
	echo $((t1 - t0))
}

# median of the numbers on stdin.
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# timed KEY CMD...: one run, its time appended to RESULTS/KEY.
timed() {
	local key=$1 t
	shift
	t=$(usec "$@") || { echo "bench: failed: $*" >&2; return 1; }
	echo "$t" >>"$RESULTS/$key"
}

# traced KEY CMD...: one run with BURROW_TRACE (package timing), its
# phases appended to RESULTS/KEY.trace as "ms<TAB>phase", the ms since
# the phase before; the origin is this shell's clock just before the
# exec.
traced() {
	local key=$1
	shift
	BURROW_TRACE=$EPOCHREALTIME "$@" 2>&1 >/dev/null |
		awk '/^burrow-trace / { ms = $4; gsub(/[(+ms)]/, "", ms); sub(/^burrow-trace [0-9]+ [^ ]+ [^ ]+ /, ""); printf "%s\t%s\n", ms, $0 }' >>"$RESULTS/$key.trace"
}

# phase_table KEY...: the median of each phase over KEY's traced runs,
# one column per KEY, in the order of the first KEY's phases.
phase_table() {
	local k ph
	printf '  %-58s' "phase (ms since the one before, median)"
	for k; do printf ' %12s' "$k"; done
	echo
	cut -f2 "$RESULTS/$1.trace" | awk '!seen[$0]++' | while IFS= read -r ph; do
		printf '  %-58s' "$ph"
		for k; do
			printf ' %12s' "$(awk -F'\t' -v p="$ph" '$2 == p { print $1 }' "$RESULTS/$k.trace" | median 2>/dev/null || echo -)"
		done
		echo
	done
}

# ms KEY: the median of KEY's runs in ms, "-" when there are none.
ms() { [ -s "$RESULTS/$1" ] && median <"$RESULTS/$1" | awk '{ printf "%.1f", $1 / 1000 }' || echo -; }

# ratio A B: A's median over B's, "-" when either is missing.
ratio_of() {
	local a b
	a=$(ms "$1") b=$(ms "$2")
	[ "$a" != - ] && [ "$b" != - ] && awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", a / b }' || echo -
}

# target NAME VALUE LIMIT: says whether VALUE is at most LIMIT.
target() {
	local verdict
	if [ "$2" = - ]; then
		verdict="not measured"
	elif awk -v v="$2" -v l="$3" 'BEGIN { exit !(v <= l) }'; then
		verdict=met
	else
		verdict=MISSED
	fi
	printf '  %-52s %8s  (at most %s)  %s\n' "$1" "$2" "$3" "$verdict"
}

row() { printf '  %-36s %9s %9s %9s\n' "$@"; }

# detached NAME TOOL...: a container started in the background and removed.
detached() {
	local name=$1
	shift
	"$@" run -d --name "$name" "$IMAGE" sleep 1000 && "$@" rm -f -t 0 "$name"
}

# A root filesystem of the same busybox for bubblewrap: the image's own,
# exported.
BWRAP=()
if command -v bwrap >/dev/null; then
	rootfs=$RESULTS/bwrap-rootfs
	mkdir -p "$rootfs"
	"$BURROW_BIN" create --name "$tag-export" "$IMAGE" true >/dev/null
	"$BURROW_BIN" export "$tag-export" | tar -x -C "$rootfs" 2>/dev/null || true
	"$BURROW_BIN" rm "$tag-export" >/dev/null
	BWRAP=(bwrap --unshare-all --ro-bind "$rootfs" / --proc /proc --dev /dev /bin/true)
	"${BWRAP[@]}" >/dev/null 2>&1 || { echo "(bubblewrap cannot run here: no comparison with it)"; BWRAP=(); }
else
	echo "(bubblewrap not installed: apt-get install bubblewrap to compare)"
fi

echo
echo "start latency: median of $N paired runs (ms)"
ctrs=$("$BURROW_BIN" ps -aq | wc -l)
for k in version ps; do : >"$RESULTS/cli.$k"; done
"$BURROW_BIN" run -d --name "$tag-b-exec" "$IMAGE" sleep 100000 >/dev/null
BNAMES+=("$tag-b-exec")
if [ ${#PODMAN[@]} != 0 ]; then
	"${PODMAN[@]}" run -d --name "$tag-p-exec" "$IMAGE" sleep 100000 >/dev/null
	PNAMES+=("$tag-p-exec")
fi
for i in $(seq "$N"); do
	timed run.burrow "$BURROW_BIN" run --rm "$IMAGE" true
	[ ${#PODMAN[@]} = 0 ] || timed run.podman "${PODMAN[@]}" run --rm "$IMAGE" true
	[ ${#BWRAP[@]} = 0 ] || timed run.bwrap "${BWRAP[@]}"
	timed nonet.burrow "$BURROW_BIN" run --rm --network none "$IMAGE" true
	[ ${#PODMAN[@]} = 0 ] || timed nonet.podman "${PODMAN[@]}" run --rm --network none "$IMAGE" true
	timed detached.burrow detached "$tag-d$i" "$BURROW_BIN"
	[ ${#PODMAN[@]} = 0 ] || timed detached.podman detached "$tag-pd$i" "${PODMAN[@]}"
	timed exec.burrow "$BURROW_BIN" exec "$tag-b-exec" true
	[ ${#PODMAN[@]} = 0 ] || timed exec.podman "${PODMAN[@]}" exec "$tag-p-exec" true
	timed cli.version "$BURROW_BIN" version
	timed cli.ps "$BURROW_BIN" ps
done
row "" burrow podman bwrap
row "run --rm IMAGE true" "$(ms run.burrow)" "$(ms run.podman)" "$(ms run.bwrap)"
row "run --rm --network none IMAGE true" "$(ms nonet.burrow)" "$(ms nonet.podman)" ""
row "run -d + rm -f -t 0" "$(ms detached.burrow)" "$(ms detached.podman)" "$(ms run.bwrap)"
row "exec CTR true" "$(ms exec.burrow)" "$(ms exec.podman)" ""
row "version" "$(ms cli.version)" "" ""
row "ps ($ctrs containers in the store)" "$(ms cli.ps)" "" ""

# The same run with STORE_N created containers beside it, run after run
# with the run in a store of its own that holds the image alone (--root,
# --runroot), so that the ratio compares the two under the same load; the
# phases of both are traced too (docs/performance.md keeps this
# breakdown).
EMPTY=(--root "$RESULTS/empty-root" --runroot "$RESULTS/empty-run")
"$BURROW_BIN" "${EMPTY[@]}" pull -q --tls-verify=false "$IMAGE" >/dev/null
# One untimed run first: each run root keeps its own compiled seccomp filter.
"$BURROW_BIN" "${EMPTY[@]}" run --rm "$IMAGE" true >/dev/null
SNAMES=()
for i in $(seq "$STORE_N"); do
	"$BURROW_BIN" create --name "$tag-s$i" "$IMAGE" true >/dev/null
	SNAMES+=("$tag-s$i")
done
for i in $(seq "$N"); do
	timed store.empty "$BURROW_BIN" "${EMPTY[@]}" run --rm "$IMAGE" true
	timed store.burrow "$BURROW_BIN" run --rm "$IMAGE" true
	traced none-beside "$BURROW_BIN" "${EMPTY[@]}" run --rm "$IMAGE" true
	traced "$STORE_N-beside" "$BURROW_BIN" run --rm "$IMAGE" true
done
row "run --rm, a store of its own" "$(ms store.empty)" "" ""
row "run --rm, $STORE_N containers beside" "$(ms store.burrow)" "" ""
echo
echo "where run --rm IMAGE true spends its time (BURROW_TRACE, $N runs each)"
phase_table none-beside "$STORE_N-beside"
"$BURROW_BIN" rm -f -t 0 "${SNAMES[@]}" >/dev/null 2>&1 || true
# The layers there belong to burrow's subordinate IDs.
"$BURROW_BIN" unshare rm -rf "$RESULTS/empty-root" "$RESULTS/empty-run" || true

echo
echo "targets (issue 22)"
target "run --rm: burrow / bubblewrap" "$(ratio_of run.burrow run.bwrap)" "$TARGET_BWRAP"
target "run --rm: burrow / podman" "$(ratio_of run.burrow run.podman)" "$TARGET_PODMAN"
target "run -d + rm -f: burrow / bubblewrap" "$(ratio_of detached.burrow run.bwrap)" "$TARGET_BWRAP"
target "run -d + rm -f: burrow / podman" "$(ratio_of detached.burrow detached.podman)" "$TARGET_PODMAN"
target "exec: burrow / podman" "$(ratio_of exec.burrow exec.podman)" "$TARGET_EXEC"
target "run --rm with $STORE_N containers / with none" "$(ratio_of store.burrow store.empty)" "$TARGET_STORE"
target "version (ms)" "$(ms cli.version)" "$TARGET_CLI_MS"
target "ps (ms)" "$(ms cli.ps)" "$TARGET_CLI_MS"
