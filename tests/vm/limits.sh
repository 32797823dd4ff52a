#!/bin/sh
# Resource limits end to end, run INSIDE the guest of `make test-vm` as an
# unprivileged user with systemd, cgroup v2 and delegated controllers
# (hack/test-vm.sh boots it). Uses ./burrow and ./busybox from its directory.
# Last line: "vm: N passed, N failed"; exit 0 only if all passed.
set -u
cd "$(dirname "$0")"
B=$PWD/burrow
pass=0 fail=0
ok()  { echo "PASS: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { # check NAME EXPECTED ACTUAL
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1: want [$2], got [$3]"; fi
}

# A busybox root filesystem: no registry in the guest.
R=$PWD/rootfs
rm -rf "$R"
mkdir -p "$R/bin" "$R/proc" "$R/sys" "$R/dev" "$R/etc" "$R/tmp" "$R/root"
cp busybox "$R/bin/busybox"
for a in $("$R/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$R/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$R/etc/passwd"
echo 'root:x:0:' >"$R/etc/group"
# run [FLAGS...] -- CMD...: a throwaway container on the busybox root.
run() {
	f=""
	while [ "$1" != "--" ]; do f="$f $1"; shift; done
	shift
	# shellcheck disable=SC2086
	"$B" run --rm --network none $f --rootfs "$R" "$@"
}

echo "== $(id) $(uname -r); burrow $("$B" version)"
"$B" system doctor | grep -E 'cgroup|systemd|^FAIL' || true

check "a plain run" "hello" "$(run -- /bin/echo hello 2>&1)"
check "memory.max from -m 64m" "67108864" "$(run -m 64m -- /bin/cat /sys/fs/cgroup/memory.max 2>&1)"
check "cpu.max from --cpus 0.5" "50000 100000" "$(run --cpus 0.5 -- /bin/cat /sys/fs/cgroup/cpu.max 2>&1)"
check "pids.max from --pids-limit 32" "32" "$(run --pids-limit 32 -- /bin/cat /sys/fs/cgroup/pids.max 2>&1)"
check "the default pids limit" "2048" "$(run -- /bin/cat /sys/fs/cgroup/pids.max 2>&1)"
check "cpuset from --cpuset-cpus 0" "0" "$(run --cpuset-cpus 0 -- /bin/cat /sys/fs/cgroup/cpuset.cpus.effective 2>&1)"
check "memory.swap.max from --memory-swap" "33554432" "$(run -m 32m --memory-swap 64m -- /bin/cat /sys/fs/cgroup/memory.swap.max 2>&1)"
check "the container's cgroup is its namespace's root" "0::/" "$(run -m 64m -- /bin/cat /proc/self/cgroup 2>&1)"

# A container with a user namespace of its own (--userns=keep-id, made by
# the monitor inside burrow's) is placed and limited like any other.
check "keep-id: the user inside" "$(id -u)" "$(run --userns=keep-id -- /bin/id -u 2>&1)"
check "keep-id: memory.max from -m 64m" "67108864" "$(run --userns=keep-id -m 64m -- /bin/cat /sys/fs/cgroup/memory.max 2>&1)"
check "keep-id: the container's cgroup is its namespace's root" "0::/" "$(run --userns=keep-id -m 64m -- /bin/cat /proc/self/cgroup 2>&1)"
check "--uidmap 0:0:65537: pids.max from --pids-limit 32" "32" "$(run --uidmap 0:0:65537 --pids-limit 32 -- /bin/cat /sys/fs/cgroup/pids.max 2>&1)"

# The pids limit is enforced: with --pids-limit 20 the shell (1) and 19
# children make 20 processes; the 21st fork fails (and ends the shell).
# echo, [ and $((...)) are shell builtins: only sleep forks.
out=$(run --pids-limit 20 -- /bin/sh -c 'i=0; while [ $i -lt 30 ]; do /bin/sleep 30 & i=$((i+1)); echo "forked $i"; done' 2>&1)
last=$(echo "$out" | sed -n 's/^forked //p' | tail -n1)
case "$out" in
*"can't fork"*|*"Resource temporarily unavailable"*) check "--pids-limit 20: 20 processes, the 21st fork fails" "19" "$last";;
*) bad "--pids-limit 20 did not stop forks: $(echo "$out" | tail -n3)";;
esac

# --cpus 0.5 holds a busy loop to half a CPU: the cgroup's usage_usec over
# the wall time, both read inside the container over 3 s, 40%..60%.
cpuloop='while :; do :; done & b=$!; sleep 0.5
u0=$(awk "\$1==\"usage_usec\" {print \$2}" /sys/fs/cgroup/cpu.stat); t0=$(cut -d" " -f1 /proc/uptime)
sleep 3
u1=$(awk "\$1==\"usage_usec\" {print \$2}" /sys/fs/cgroup/cpu.stat); t1=$(cut -d" " -f1 /proc/uptime)
kill $b
awk -v u0="$u0" -v u1="$u1" -v t0="$t0" -v t1="$t1" "BEGIN { printf \"%.1f\n\", (u1 - u0) / 10000 / (t1 - t0) }"'
pct=$(run --cpus 0.5 -- /bin/sh -c "$cpuloop" 2>&1)
echo "   cpu: a busy loop under --cpus 0.5 used $pct% of a CPU"
if awk -v p="$pct" 'BEGIN { exit !(p + 0 >= 40 && p + 0 <= 60 && p ~ /^[0-9.]+$/) }'; then ok "--cpus 0.5 holds a busy loop to 50% +- 10% ($pct%)"; else bad "--cpus 0.5: a busy loop used [$pct]%, want 40..60"; fi

# The memory limit is enforced: the container is OOM-killed, exit 137,
# inspect says OOMKilled.
"$B" rm -f oomer >/dev/null 2>&1
"$B" run --name oomer --network none -m 32m --memory-swap 32m --rootfs "$R" /bin/sh -c 'x=$(head -c 200000000 /dev/zero | tr "\0" a); echo survived' >/dev/null 2>&1
code=$?
check "an OOM kill exits 137" "137" "$code"
check "inspect says OOMKilled" "true" "$("$B" inspect --format '{{.State.OOMKilled}}' oomer 2>&1)"
"$B" rm -f oomer >/dev/null 2>&1

# update changes a running container's limit; stats sees it.
"$B" rm -f upd >/dev/null 2>&1
"$B" run -d --name upd --network none -m 64m --rootfs "$R" /bin/sleep 300 >/dev/null
"$B" update -m 128m upd >/dev/null
check "update -m 128m" "134217728" "$("$B" exec upd /bin/cat /sys/fs/cgroup/memory.max 2>&1)"
stats=$("$B" stats --no-stream upd 2>&1)
case "$stats" in *"128MiB"*) ok "stats shows the limit";; *) bad "stats: $stats";; esac
"$B" update --memory-swap 192m upd >/dev/null 2>&1
check "update --memory-swap alone counts from the recorded -m" "67108864" "$("$B" exec upd /bin/cat /sys/fs/cgroup/memory.swap.max 2>&1)"
# An exec'd process is in the container's cgroup (systemd attaches it to
# the scope), so the limits hold it too.
check "exec joins the container's cgroup" "0::/" "$("$B" exec upd /bin/cat /proc/self/cgroup 2>&1)"
"$B" rm -f upd >/dev/null 2>&1
"$B" run -d --name upd --network none --pids-limit 20 --rootfs "$R" /bin/sleep 300 >/dev/null
out=$("$B" exec upd /bin/sh -c 'i=0; while [ $i -lt 30 ]; do /bin/sleep 5 & i=$((i+1)); done; wait' 2>&1)
case "$out" in *"fork"*|*"Resource temporarily unavailable"*) ok "--pids-limit 20 holds exec'd processes too";; *) bad "exec past --pids-limit 20: [$out]";; esac
"$B" rm -f upd >/dev/null 2>&1

# A limit on a controller that is not delegated (none here) would fail;
# all are delegated in this guest, so io works:
dev=$(awk '$2 == "/" { print $1 }' /proc/mounts | head -n1)
# ddtime FLAGS...: seconds a 3 MiB direct write takes in a container, to a
# directory of the guest's root file system (on $dev).
ddtime() {
	rm -rf "$PWD/iodir" && mkdir -p "$PWD/iodir"
	run "$@" -v "$PWD/iodir:/data" -- /bin/sh -c 't0=$(cut -d" " -f1 /proc/uptime)
		dd if=/dev/zero of=/data/f bs=64k count=48 oflag=direct 2>/dev/null || echo "dd failed"
		t1=$(cut -d" " -f1 /proc/uptime)
		awk -v a="$t0" -v b="$t1" "BEGIN { printf \"%.2f\n\", b - a }"' 2>&1
}
if [ -b "$dev" ]; then
	out=$(run --device-write-bps "$dev:1m" -- /bin/cat /sys/fs/cgroup/io.max 2>&1)
	case "$out" in *"wbps=1000000"*|*"wbps=1048576"*) ok "io.max from --device-write-bps";; *) bad "--device-write-bps: $out";; esac
	free=$(ddtime)
	took=$(ddtime --device-write-bps "$dev:1mb")
	echo "   io: 3 MiB with oflag=direct to $dev: ${free}s unlimited, ${took}s under --device-write-bps $dev:1mb"
	if awk -v s="$took" 'BEGIN { exit !(s ~ /^[0-9.]+$/ && s + 0 >= 2.4 && s + 0 <= 3.6) }'; then
		ok "--device-write-bps $dev:1mb holds a direct write to 1 MiB/s +- 20% (3 MiB in ${took}s)"
	else
		bad "--device-write-bps $dev:1mb: 3 MiB took [$took] s, want 2.4..3.6"
	fi
	rm -rf "$PWD/iodir"
else
	bad "the guest's root device [$dev] is not a block device: no io checks"
fi

# --cgroup-manager cgroupfs: burrow makes the cgroups itself, under the
# delegated cgroup it runs in - here a scope with Delegate=yes from the
# user's systemd (base: user@UID.service, the topmost cgroup the user owns).
base=/sys/fs/cgroup/user.slice/user-$(id -u).slice/user@$(id -u).service
inscope() { systemd-run --user --scope -q -p Delegate=yes -- "$@"; }
runfs() {
	f=""
	while [ "$1" != "--" ]; do f="$f $1"; shift; done
	shift
	# shellcheck disable=SC2086
	inscope "$B" --cgroup-manager cgroupfs run --rm --network none $f --rootfs "$R" "$@"
}
check "cgroupfs: info reports the manager, as podman's" "cgroupfs" "$(inscope "$B" --cgroup-manager cgroupfs info --format '{{.Host.CgroupManager}}' 2>&1)"
check "cgroupfs: info lists the delegated controllers" "yes" "$(inscope "$B" --cgroup-manager cgroupfs info --format '{{.Host.CgroupControllers}}' 2>&1 | grep -q memory && echo yes)"
check "cgroupfs: a plain run" "hello" "$(runfs -- /bin/echo hello 2>&1)"
check "cgroupfs: memory.max from -m 64m" "67108864" "$(runfs -m 64m -- /bin/cat /sys/fs/cgroup/memory.max 2>&1)"
check "cgroupfs: pids.max from --pids-limit 32" "32" "$(runfs --pids-limit 32 -- /bin/cat /sys/fs/cgroup/pids.max 2>&1)"
check "cgroupfs: the default pids limit" "2048" "$(runfs -- /bin/cat /sys/fs/cgroup/pids.max 2>&1)"
check "cgroupfs: cpu.max from --cpus 0.5" "50000 100000" "$(runfs --cpus 0.5 -- /bin/cat /sys/fs/cgroup/cpu.max 2>&1)"
check "cgroupfs: keep-id: memory.max from -m 64m" "67108864" "$(runfs --userns=keep-id -m 64m -- /bin/cat /sys/fs/cgroup/memory.max 2>&1)"
check "cgroupfs: a whole-group OOM kill" "1" "$(runfs -m 64m -- /bin/cat /sys/fs/cgroup/memory.oom.group 2>&1)"
check "cgroupfs: the container's cgroup is its namespace's root" "0::/" "$(runfs -m 64m -- /bin/cat /proc/self/cgroup 2>&1)"
if [ -b "$dev" ]; then
	out=$(runfs --device-write-bps "$dev:1mb" -- /bin/cat /sys/fs/cgroup/io.max 2>&1)
	case "$out" in *"wbps=1048576"*) ok "cgroupfs: io.max from --device-write-bps";; *) bad "cgroupfs: --device-write-bps: $out";; esac
fi
out=$(runfs --pids-limit 20 -- /bin/sh -c 'i=0; while [ $i -lt 30 ]; do /bin/sleep 30 & i=$((i+1)); echo "forked $i"; done' 2>&1)
check "cgroupfs: --pids-limit 20: the 21st fork fails" "19" "$(echo "$out" | sed -n 's/^forked //p' | tail -n1)"
check "cgroupfs: --rm leaves no cgroup behind" "" "$(find "$base/burrow" -mindepth 1 -maxdepth 1 -type d 2>&1)"

"$B" rm -f oomer >/dev/null 2>&1
inscope "$B" --cgroup-manager cgroupfs run --name oomer --network none -m 32m --memory-swap 32m --rootfs "$R" /bin/sh -c 'x=$(head -c 200000000 /dev/zero | tr "\0" a); echo survived' >/dev/null 2>&1
code=$?
check "cgroupfs: an OOM kill exits 137" "137" "$code"
check "cgroupfs: inspect says OOMKilled" "true" "$("$B" inspect --format '{{.State.OOMKilled}}' oomer 2>&1)"
"$B" rm -f oomer >/dev/null 2>&1

# update and cleanup use the manager the container was made with, whatever
# the later command says (here: no flag, from outside the scope).
"$B" rm -f upd >/dev/null 2>&1
inscope "$B" --cgroup-manager cgroupfs run -d --name upd --network none -m 64m --rootfs "$R" /bin/sleep 300 >/dev/null
cg=$("$B" inspect --format '{{.HostConfig.CgroupParent}}' upd 2>&1)
check "cgroupfs: the container's cgroup" "$base/burrow/$("$B" inspect --format '{{.Id}}' upd 2>&1)" "$cg"
"$B" update -m 128m upd >/dev/null
check "cgroupfs: update -m 128m" "134217728" "$("$B" exec upd /bin/cat /sys/fs/cgroup/memory.max 2>/dev/null)"
check "cgroupfs: update -m 128m, as written" "134217728" "$(cat "$cg/memory.max" 2>&1)"
check "cgroupfs: exec from the delegated scope joins the cgroup" "0::/" "$(inscope "$B" exec upd /bin/cat /proc/self/cgroup 2>&1)"
out=$("$B" exec upd /bin/cat /proc/self/cgroup 2>&1)
case "$out" in *"Warning:"*"outside the cgroup"*"Delegate=yes"*) ok "cgroupfs: exec from outside warns that the limits do not hold it";; *) bad "cgroupfs: exec from outside: [$out]";; esac
stats=$("$B" stats --no-stream upd 2>&1)
case "$stats" in *"128MiB"*) ok "cgroupfs: stats shows the limit";; *) bad "cgroupfs: stats: $stats";; esac
"$B" rm -f upd >/dev/null 2>&1
if [ -n "$cg" ] && [ ! -e "$cg" ]; then ok "cgroupfs: rm removes the cgroup"; else bad "cgroupfs: $cg is still there after rm"; fi

# A restart by the restart policy (made by the monitor's cleanup, a later
# burrow with no flag) keeps the manager and the limits.
"$B" rm -f rs >/dev/null 2>&1
inscope "$B" --cgroup-manager cgroupfs run -d --name rs --restart on-failure:1 --network none -m 48m --rootfs "$R" /bin/sh -c 'cat /sys/fs/cgroup/memory.max; sleep 2; exit 3' >/dev/null
i=0
while [ $i -lt 120 ]; do
	[ "$("$B" logs rs 2>&1 | grep -c 50331648)" = 2 ] && [ "$("$B" inspect --format '{{.State.Status}}' rs 2>&1)" = exited ] && break
	sleep 0.5
	i=$((i + 1))
done
check "cgroupfs: a restart keeps the limit" "1: 50331648 50331648" "$("$B" inspect --format '{{.RestartCount}}' rs 2>&1): $(echo $("$B" logs rs 2>&1))"
cg=$("$B" inspect --format '{{.HostConfig.CgroupParent}}' rs 2>&1)
if [ -n "$cg" ] && [ ! -e "$cg" ]; then ok "cgroupfs: the cgroup is removed after the restarted container exits"; else bad "cgroupfs: [$cg] is still there after the exit"; fi
"$B" rm -f rs >/dev/null 2>&1

# Outside a delegated cgroup (this login's session scope, owned by root),
# limits asked for fail with the reason and the fix; a plain run works.
out=$("$B" --cgroup-manager cgroupfs run --rm --network none -m 64m --rootfs "$R" /bin/true 2>&1)
code=$?
echo "   $out"
check "cgroupfs outside a delegated cgroup: -m 64m exits 125" "125" "$code"
case "$out" in
*"is not delegated to you"*"--cgroup-manager systemd"*"Delegate=yes"*) ok "cgroupfs outside a delegated cgroup: the reason and the fix";;
*) bad "cgroupfs outside a delegated cgroup: $out";;
esac
check "cgroupfs outside a delegated cgroup: one line" "1" "$(echo "$out" | wc -l)"
out=$("$B" --cgroup-manager cgroupfs run --rm --network none --rootfs "$R" /bin/echo hello 2>&1)
check "cgroupfs outside a delegated cgroup: a plain run works quietly" "hello" "$out"
conf=$PWD/containers.conf
printf '[engine]\ncgroup_manager = "cgroupfs"\n' >"$conf"
out=$(CONTAINERS_CONF=$conf "$B" run --rm --network none -m 64m --rootfs "$R" /bin/true 2>&1)
case "$out" in *"is not delegated to you"*) ok "containers.conf's cgroup_manager = cgroupfs is read";; *) bad "cgroup_manager in containers.conf: $out";; esac

# pause freezes the container's cgroup: a counter stops, then goes on.
"$B" rm -f pz >/dev/null 2>&1
cnt=$PWD/pause-counter
rm -rf "$cnt" && mkdir -p "$cnt"
"$B" run -d --name pz --network none -v "$cnt:/c" --rootfs "$R" /bin/sh -c 'i=0; while :; do i=$((i+1)); echo $i > /c/n; sleep 0.1; done' >/dev/null
sleep 1
"$B" pause pz >/dev/null 2>&1
code=$?
check "pause exits 0" "0" "$code"
check "inspect says Paused" "true paused" "$("$B" inspect --format '{{.State.Paused}} {{.State.Status}}' pz 2>&1)"
case "$("$B" ps --filter name=pz --format '{{.Status}}' 2>&1)" in Paused*) ok "ps shows Paused, as podman's";; *) bad "ps: $("$B" ps --filter name=pz 2>&1)";; esac
a=$(cat "$cnt/n"); sleep 1; b=$(cat "$cnt/n")
check "a paused container does not run" "$a" "$b"
"$B" unpause pz >/dev/null 2>&1
sleep 1
c=$(cat "$cnt/n")
if [ "$c" -gt "$b" ] 2>/dev/null; then ok "unpause lets it run again"; else bad "after unpause the counter is $c (was $b)"; fi
check "unpause twice is a conflict" "125" "$("$B" unpause pz >/dev/null 2>&1; echo $?)"
"$B" rm -f pz >/dev/null 2>&1

echo "vm: $pass passed, $fail failed"
[ "$fail" = 0 ]
