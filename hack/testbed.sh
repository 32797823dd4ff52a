#!/usr/bin/env bash
# The rootless test bed: everything burrow's end-to-end tests need on a
# fresh Debian machine, and the runs of those tests as unprivileged users.
#
#   hack/testbed.sh deps         as root: the Debian packages (build and test)
#   hack/testbed.sh setup        as root: packages, test users, host
#                                preparation; then as anyone: build, registry, images
#   hack/testbed.sh users        as root: packages, test users, host preparation
#                                only (prints the test user's name)
#   hack/testbed.sh integration  run tests/ as the test users (root) or as yourself
#   hack/testbed.sh demo         pull and run a container as the test user
#   hack/testbed.sh bench        hack/bench.sh as the test user
#   hack/testbed.sh stop         stop the registry and the test users' pause processes
#
# BURROW_TEST_RUN=REGEXP limits integration to the tests it matches (one pass).
# Root makes two users: burrowtest (one subuid/subgid range) and
# burrowtest-nosub (none, for the single-ID fallback). The registry is
# Debian's docker-registry on 127.0.0.1; the images are built here from
# Debian's busybox-static. State lives in $BASE (see below).
set -euo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd)
export PATH="/usr/local/go/bin:$PATH"
GO=${GO:-go}
GOTAGS=${GOTAGS:-containers_image_openpgp exclude_graphdriver_btrfs exclude_graphdriver_devicemapper}
# BURROW_TESTBED_INSTANCE=NAME gives a second, independent test bed (its own
# users, registries and state) beside the default one, so that two checkouts
# can run their tests at once.
INSTANCE=${BURROW_TESTBED_INSTANCE:+-$BURROW_TESTBED_INSTANCE}
if [ "$(id -u)" = 0 ]; then BASE=/tmp/burrow-testbed$INSTANCE; else BASE=/tmp/burrow-testbed$INSTANCE-$(id -u); fi
BIN=$BASE/bin
ENVFILE=$BASE/env
MARKER=$BASE/hostile-marker
TEST_USER=burrowtest$INSTANCE
NOSUB_USER=burrowtest$INSTANCE-nosub
PACKAGES="uidmap slirp4netns fuse-overlayfs passt netavark aardvark-dns iptables podman-compose docker-registry busybox-static curl iproute2 procps time golang-github-containers-common apache2-utils podman runc bubblewrap buildah libseccomp-dev pkg-config catatonit socat gnupg"

log() { printf 'testbed: %s\n' "$*" >&2; }
die() { printf 'testbed: error: %s\n' "$*" >&2; exit 1; }

install_packages() {
	local missing=()
	for p in $PACKAGES; do
		dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} = 0 ] && return
	log "installing ${missing[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	# The package may start its own registry service; the tests start theirs.
}

# set_subids USER START: exactly one range START:65536 in /etc/subuid and
# /etc/subgid (Debian's useradd adds one of its own choosing).
set_subids() {
	local user=$1 start=$2 f
	for f in /etc/subuid /etc/subgid; do
		touch "$f"
		sed -i "/^$user:/d" "$f"
		[ -n "$start" ] && echo "$user:$start:65536" >>"$f"
	done
	return 0
}

# free_subid_start prints a range start above every range in use.
free_subid_start() {
	awk -F: 'BEGIN { m = 200000 } $2+$3 > m { m = $2+$3 } END { print m }' /etc/subuid /etc/subgid
}

make_users() {
	local u
	for u in "$TEST_USER" "$NOSUB_USER"; do
		id "$u" >/dev/null 2>&1 || useradd -m -s /bin/bash "$u"
	done
	if ! [ "$(grep -c "^$TEST_USER:" /etc/subuid)" = 1 ] || ! [ "$(grep -c "^$TEST_USER:" /etc/subgid)" = 1 ]; then
		set_subids "$TEST_USER" ""
		set_subids "$TEST_USER" "$(free_subid_start)"
	fi
	set_subids "$NOSUB_USER" ""
}

prepare_host() {
	# As on a normal distribution: tun and fuse usable by users, / shared.
	if [ ! -e /dev/net/tun ]; then
		mkdir -p /dev/net
		mknod /dev/net/tun c 10 200
	fi
	chmod 0666 /dev/net/tun
	[ -e /dev/fuse ] && chmod 0666 /dev/fuse
	mount --make-rshared /
}

build() {
	mkdir -p "$BIN"
	chmod 0755 "$BASE" "$BIN"
	log "building burrow and the end-to-end tests"
	CGO_ENABLED=1 $GO build -tags "$GOTAGS" -o "$BIN/burrow" ./cmd/burrow
	CGO_ENABLED=1 $GO test -c -tags "$GOTAGS" -o "$BIN/burrow-tests" ./tests
	CGO_ENABLED=0 $GO build -o "$BIN/nettest" ./hack/nettest
	CGO_ENABLED=0 $GO build -o "$BIN/apibench" ./hack/apibench
	chmod 0755 "$BIN/burrow" "$BIN/burrow-tests" "$BIN/nettest"
	build_compose
}

# docker compose, built from its Go module (the proxy serves it; no
# release binary is downloaded), for the end-to-end tests of the Docker
# API. Its go.mod has exclude lines, which hold only in its own module:
# it is built in a copy of the module. The binary is kept in the
# repository's tool cache (beside make lint's tools), so it is built once.
COMPOSE_MODULE=github.com/docker/compose/v5
COMPOSE_VERSION=v5.6.0
build_compose() {
	local cache=$REPO/.cache/tools/docker-compose-$COMPOSE_VERSION dir work
	if [ ! -x "$cache" ]; then
		log "building docker compose $COMPOSE_VERSION from its Go module (once; cached in $cache)"
		mkdir -p "$(dirname "$cache")"
		work=$(mktemp -d)
		dir=$(cd "$work" && $GO mod download -json "$COMPOSE_MODULE@$COMPOSE_VERSION" |
			sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
		[ -d "$dir" ] || { rm -rf "$work"; die "could not download $COMPOSE_MODULE@$COMPOSE_VERSION from the Go module proxy"; }
		cp -r "$dir/." "$work/src"
		chmod -R u+w "$work/src"
		if ! (cd "$work/src" && CGO_ENABLED=0 $GO build -trimpath -o "$cache.tmp" ./cmd); then
			rm -rf "$work" "$cache.tmp"
			die "building docker compose $COMPOSE_VERSION failed"
		fi
		rm -rf "$work"
		mv "$cache.tmp" "$cache"
	fi
	install -m 0755 "$cache" "$BIN/docker-compose"
}

# --- the registries ---------------------------------------------------------
#
# Two of Debian's docker-registry on 127.0.0.1: "open" (plain HTTP, no
# auth) and "auth" (htpasswd basic auth). Each has its pid, port and
# config in $BASE/registry-NAME.*.
AUTH_USER=tester
AUTH_PASSWORD=burrow-secret-pw

registry_port() { cat "$BASE/registry-${1:-open}.port" 2>/dev/null; }

registry_running() {
	local name=$1 pid
	pid=$(cat "$BASE/registry-$name.pid" 2>/dev/null) || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(registry_port "$name")/v2/" 2>/dev/null | grep -qE '200|401'
}

# start_registry NAME FIRST_PORT [auth]
start_registry() {
	local name=$1 port=$2 auth=${3:-}
	registry_running "$name" && return
	while ss -Hltn "sport = :$port" | grep -q .; do port=$((port + 1)); done
	mkdir -p "$BASE/registry-$name"
	{
		echo "version: 0.1"
		echo "log:"
		echo "  level: warn"
		echo "storage:"
		echo "  filesystem:"
		echo "    rootdirectory: $BASE/registry-$name"
		echo "  delete:"
		echo "    enabled: true"
		echo "http:"
		echo "  addr: 127.0.0.1:$port"
		if [ -n "$auth" ]; then
			htpasswd -Bbn "$AUTH_USER" "$AUTH_PASSWORD" >"$BASE/htpasswd"
			echo "auth:"
			echo "  htpasswd:"
			echo "    realm: burrow-test"
			echo "    path: $BASE/htpasswd"
		fi
	} >"$BASE/registry-$name.yml"
	nohup docker-registry serve "$BASE/registry-$name.yml" >"$BASE/registry-$name.log" 2>&1 &
	echo $! >"$BASE/registry-$name.pid"
	echo "$port" >"$BASE/registry-$name.port"
	for _ in $(seq 100); do
		registry_running "$name" && return
		sleep 0.1
	done
	die "the $name registry did not answer on 127.0.0.1:$port: see $BASE/registry-$name.log"
}

registry_start() {
	start_registry open 5100
	start_registry auth 5200 auth
}

registry_stop() {
	local name pid
	for name in open auth; do
		pid=$(cat "$BASE/registry-$name.pid" 2>/dev/null) || continue
		# Only our own registry: check the command line before killing.
		if grep -q "$BASE/registry-$name.yml" "/proc/$pid/cmdline" 2>/dev/null; then
			kill "$pid" 2>/dev/null || true
		fi
		rm -f "$BASE/registry-$name.pid"
	done
}

# --- the images -------------------------------------------------------------

sha() { sha256sum "$1" | cut -d' ' -f1; }

# The registry push_blob and push_image talk to, and curl's credentials.
REG=
CURL_AUTH=()

# push_blob NAME FILE: upload FILE to repository NAME.
push_blob() {
	local name=$1 file=$2 reg=$REG digest loc
	digest=sha256:$(sha "$file")
	curl -fsS "${CURL_AUTH[@]}" -o /dev/null --head "http://$reg/v2/$name/blobs/$digest" 2>/dev/null && return
	loc=$(curl -fsS "${CURL_AUTH[@]}" -X POST -D - -o /dev/null "http://$reg/v2/$name/blobs/uploads/" |
		tr -d '\r' | awk 'tolower($1) == "location:" { print $2 }')
	[ -n "$loc" ] || die "the registry gave no upload location for $name"
	case $loc in /*) loc="http://$reg$loc" ;; esac
	case $loc in *\?*) loc="$loc&digest=$digest" ;; *) loc="$loc?digest=$digest" ;; esac
	curl -fsS "${CURL_AUTH[@]}" -o /dev/null -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$file" "$loc"
}

# layer DIR OUT: a reproducible gzipped tar of DIR, owned by root.
layer() {
	tar -C "$1" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf "$2.tar" .
	gzip -${GZIP_LEVEL:-9}n <"$2.tar" >"$2.tar.gz"
}

# tar_layer TAR OUT: OUT.tar and OUT.tar.gz from a ready tar.
tar_layer() {
	cp "$1" "$2.tar"
	gzip -9n <"$2.tar" >"$2.tar.gz"
}

# blob_file DIGEST: where the open registry keeps a blob.
blob_file() {
	local hex=${1#sha256:}
	echo "$BASE/registry-open/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
}

# unique_layer NAME OUT: a small layer only image NAME has.
unique_layer() {
	mkdir -p "$2-root/etc"
	echo "$1" >"$2-root/etc/burrow-test-image"
	layer "$2-root" "$2"
}

goarch() {
	case $(dpkg --print-architecture) in
	amd64) echo amd64 ;; arm64) echo arm64 ;; armhf) echo arm ;; i386) echo 386 ;;
	*) dpkg --print-architecture ;;
	esac
}

# push_image NAME CONFIG_JSON_BODY LAYER...: config gets rootfs filled in.
push_image() {
	local name=$1 cfgbody=$2 work=$BASE/images/$1
	shift 2
	local diffids="" layers="" history="" l
	for l in "$@"; do
		diffids="$diffids${diffids:+,}\"sha256:$(sha "$l.tar")\""
		# One history entry per layer, as image tools expect (buildah refuses
		# to build on an image whose history misses its layers).
		history="$history${history:+,}{\"created\":\"1970-01-01T00:00:00Z\",\"created_by\":\"burrow testbed: $(basename "$l")\"}"
		layers="$layers${layers:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$(sha "$l.tar.gz")\",\"size\":$(stat -c %s "$l.tar.gz")}"
		push_blob "$name" "$l.tar.gz"
	done
	printf '{"architecture":"%s","os":"linux","created":"1970-01-01T00:00:00Z","config":%s,"rootfs":{"type":"layers","diff_ids":[%s]},"history":[%s]}' \
		"$(goarch)" "$cfgbody" "$diffids" "$history" >"$work.config.json"
	push_blob "$name" "$work.config.json"
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
		"$(sha "$work.config.json")" "$(stat -c %s "$work.config.json")" "$layers" >"$work.manifest.json"
	curl -fsS "${CURL_AUTH[@]}" -o /dev/null -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' \
		--data-binary "@$work.manifest.json" "http://$REG/v2/$name/manifests/latest"
}

build_images() {
	local w=$BASE/images root
	rm -rf "$w"
	mkdir -p "$w"
	root=$w/busybox-root
	mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,proc,sys,dev,home/tester,var,tmp}
	chmod 1777 "$root/tmp"
	cp /bin/busybox "$root/bin/busybox"
	local applet
	for applet in $(/bin/busybox --list-full); do
		[ "$applet" = bin/busybox ] && continue
		mkdir -p "$root/$(dirname "$applet")"
		ln -sf /bin/busybox "$root/$applet"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\ntester:x:1000:1000:tester:/home/tester:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
	printf 'root:x:0:\ntester:x:1000:\nnogroup:x:65534:\n' >"$root/etc/group"
	layer "$root" "$w/busybox"
	mkdir -p "$w/extra-root/srv"
	echo "hello from testimg" >"$w/extra-root/srv/hello.txt"
	layer "$w/extra-root" "$w/extra"

	local path='"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"'
	local cfg="{\"Env\":[$path],\"Cmd\":[\"sh\"]}"
	REG=127.0.0.1:$(registry_port open)
	CURL_AUTH=()
	push_image busybox "$cfg" "$w/busybox"
	push_image testimg "{\"Env\":[$path,\"FOO=bar\"],\"Entrypoint\":[\"/bin/echo\",\"from-entrypoint\"],\"Cmd\":[\"default-cmd\"],\"WorkingDir\":\"/srv\"}" \
		"$w/busybox" "$w/extra"
	# The network tool (UDP echo, TCP sink and sender), for the tests of
	# published ports and the throughput benchmark; also on the host.
	mkdir -p "$w/nettest/usr/local/bin"
	cp "$BIN/nettest" "$w/nettest/usr/local/bin/nettest"
	layer "$w/nettest" "$w/nettest"
	push_image nettest "$cfg" "$w/busybox" "$w/nettest"
	# Pulled only by podman, in the interop test.
	unique_layer podmanpull "$w/podmanpull"
	push_image podmanpull "$cfg" "$w/busybox" "$w/podmanpull"
	# Pulled only by the concurrent-pull test, so the pulls are real.
	unique_layer pullten "$w/pullten"
	push_image pullten "$cfg" "$w/busybox" "$w/pullten"
	# Pulled only by the interrupted-pull test: large enough to kill.
	unique_layer interrupted "$w/interrupted"
	mkdir -p "$w/interrupted-big/data"
	head -c 40M /dev/urandom >"$w/interrupted-big/data/random"
	GZIP_LEVEL=1 layer "$w/interrupted-big" "$w/interrupted-big"
	push_image interrupted "$cfg" "$w/busybox" "$w/interrupted" "$w/interrupted-big"
	# About 100 MB in three layers, for make bench.
	local big_layers=() i
	for i in 1 2 3; do
		mkdir -p "$w/big$i/data"
		head -c 33M /dev/urandom >"$w/big$i/data/random$i"
		GZIP_LEVEL=1 layer "$w/big$i" "$w/big$i"
		big_layers+=("$w/big$i")
	done
	push_image big "$cfg" "$w/busybox" "${big_layers[@]}"

	# Broken images: a layer whose bytes no longer match its digest, and
	# a layer cut short. Their layers are their own: no other image shares
	# the tampered blobs.
	unique_layer corrupt "$w/corrupt"
	push_image corrupt "$cfg" "$w/busybox" "$w/corrupt"
	local f
	f=$(blob_file "sha256:$(sha "$w/corrupt.tar.gz")")
	chmod u+w "$f"
	head -c "$(stat -c %s "$f")" /dev/urandom >"$f.new" && mv "$f.new" "$f"
	unique_layer truncated "$w/truncated"
	push_image truncated "$cfg" "$w/busybox" "$w/truncated"
	f=$(blob_file "sha256:$(sha "$w/truncated.tar.gz")")
	truncate -s $(($(stat -c %s "$f") / 2)) "$f"

	# A hostile layer: entries that try to write into $MARKER, a directory
	# the test user may write.
	rm -rf "$MARKER"
	mkdir -p "$MARKER"
	chmod 0777 "$MARKER"
	echo original >"$MARKER/hardlink-target"
	chmod 0666 "$MARKER/hardlink-target"
	CGO_ENABLED=0 $GO run ./hack/hostiletar "$w/hostile-raw.tar" "$MARKER"
	tar_layer "$w/hostile-raw.tar" "$w/hostile"
	push_image hostile "$cfg" "$w/busybox" "$w/hostile"

	# The private registry holds busybox too.
	REG=127.0.0.1:$(registry_port auth)
	CURL_AUTH=(-u "$AUTH_USER:$AUTH_PASSWORD")
	push_image private "$cfg" "$w/busybox"
	CURL_AUTH=()
}

write_env() {
	local reg=127.0.0.1:$(registry_port open)
	cat >"$ENVFILE" <<-EOF
		export BURROW_BIN=$BIN/burrow
		export BURROW_TEST_REGISTRY=$reg
		export BURROW_TEST_IMAGE=$reg/busybox:latest
		export BURROW_TEST_IMAGE_CONFIGURED=$reg/testimg:latest
		export BURROW_TEST_AUTH_REGISTRY=127.0.0.1:$(registry_port auth)
		export BURROW_TEST_AUTH_USER=$AUTH_USER
		export BURROW_TEST_AUTH_PASSWORD=$AUTH_PASSWORD
		export BURROW_TEST_HOSTILE_MARKER=$MARKER
		export BURROW_TEST_NETTEST=$BIN/nettest
		export BURROW_TEST_APIBENCH=$BIN/apibench
		export BURROW_TEST_COMPOSE=$BIN/docker-compose
	EOF
	chmod 0644 "$ENVFILE"
}

check_user_prereqs() {
	local me missing=()
	me=$(id -un)
	grep -q "^$me:" /etc/subuid || missing+=("a range for $me in /etc/subuid")
	grep -q "^$me:" /etc/subgid || missing+=("a range for $me in /etc/subgid")
	for b in newuidmap newgidmap docker-registry curl; do
		command -v "$b" >/dev/null || missing+=("$b")
	done
	[ -x /bin/busybox ] || missing+=("/bin/busybox")
	if [ ${#missing[@]} != 0 ]; then
		die "missing: ${missing[*]}. As root run: apt-get install $PACKAGES; usermod --add-subuids 200000-265535 --add-subgids 200000-265535 $me (or run make test as root)"
	fi
}

setup() {
	if [ "$(id -u)" = 0 ]; then
		install_packages
		make_users
		prepare_host
	else
		check_user_prereqs
	fi
	mkdir -p "$BASE"
	chmod 0755 "$BASE"
	build
	registry_start
	build_images
	write_env
	log "ready: registries on 127.0.0.1:$(registry_port open) (open) and :$(registry_port auth) (auth), environment in $ENVFILE"
}

# --- running as the test users ------------------------------------------

# as_user USER CMD...: run CMD as USER with a clean environment and the test
# bed's variables (as a CI job or a login would have; no XDG_RUNTIME_DIR).
as_user() {
	local user=$1 home vars
	shift
	home=$(getent passwd "$user" | cut -d: -f6)
	mapfile -t vars < <(sed -n 's/^[[:space:]]*export //p' "$ENVFILE")
	(cd "$BASE" && runuser -u "$user" -- env -i HOME="$home" USER="$user" LOGNAME="$user" \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
		"${vars[@]}" BURROW_TEST_STRICT=1 ${EXTRA_ENV:-} "$@")
}

# stop_pause UID: end that user's burrow pause process (and with it the
# user namespace and its mounts), checking that the PID is really theirs.
stop_pause() {
	local uid=$1 dir pid
	# burrow's pause process, and podman's (the interop test runs podman).
	for dir in "/tmp/burrow-run-$uid" "/run/user/$uid/burrow" "/tmp/podman-run-$uid/libpod/tmp" "/run/user/$uid/libpod/tmp"; do
		pid=$(cat "$dir/pause.pid" 2>/dev/null) || continue
		if [ "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)" = "$uid" ]; then
			kill "$pid" 2>/dev/null || true
		fi
	done
}

# clean_user USER: a fresh start for USER's burrow state and store.
clean_user() {
	local user=$1 uid home
	uid=$(id -u "$user")
	home=$(getent passwd "$user" | cut -d: -f6)
	stop_pause "$uid"
	rm -rf "/tmp/burrow-run-$uid" "/tmp/storage-run-$uid" "/tmp/podman-run-$uid" "$home/.local/share/containers"
}

# pass NAME USER TESTFLAGS...: one run of the test binary; its verbose log
# goes to $BASE/test-NAME.log.
pass() {
	local name=$1 user=$2 rc=0
	shift 2
	log "end-to-end tests ($name) as $user"
	if [ "$(id -u)" = 0 ]; then
		clean_user "$user"
		as_user "$user" "$BIN/burrow-tests" -test.v -test.timeout 30m "$@" 2>&1 | tee "$BASE/test-$name.log" || rc=$?
		stop_pause "$(id -u "$user")"
	else
		# shellcheck disable=SC1090
		(. "$ENVFILE" && cd "$BASE" && BURROW_TEST_STRICT=1 "$BIN/burrow-tests" -test.v -test.timeout 30m "$@") 2>&1 |
			tee "$BASE/test-$name.log" || rc=$?
	fi
	return $rc
}

summary() {
	local logs=("$@") p f s
	p=$(cat "${logs[@]}" | grep -cE '^\s*--- PASS' || true)
	f=$(cat "${logs[@]}" | grep -cE '^\s*--- FAIL' || true)
	s=$(cat "${logs[@]}" | grep -cE '^\s*--- SKIP' || true)
	if [ "$f" != 0 ]; then
		echo "failed:"
		cat "${logs[@]}" | grep -E '^\s*--- FAIL' | sed 's/^ */  /'
	fi
	echo "integration: $p passed, $f failed, $s skipped (tests and subtests)"
}

integration() {
	[ -f "$ENVFILE" ] || die "no test bed: run hack/testbed.sh setup first"
	local rc=0 logs=("$BASE/test-main.log")
	if [ -n "${BURROW_TEST_RUN:-}" ]; then
		# Only the tests this pattern names, as the prepared user.
		if [ "$(id -u)" = 0 ]; then pass main "$TEST_USER" -test.run "$BURROW_TEST_RUN" || rc=1; else pass main "$(id -un)" -test.run "$BURROW_TEST_RUN" || rc=1; fi
	elif [ "$(id -u)" = 0 ]; then
		pass main "$TEST_USER" || rc=1
		EXTRA_ENV=BURROW_TEST_EXPECT_NOSUBUID=1 pass nosubuid "$NOSUB_USER" -test.run 'NoSubuid|Foreign' || rc=1
		logs+=("$BASE/test-nosubuid.log")
		# /dev/net/tun as a host without it usable: root-only, then back.
		local mode
		mode=$(stat -c %a /dev/net/tun)
		chmod 0600 /dev/net/tun
		EXTRA_ENV=BURROW_TEST_EXPECT_NOTUN=1 pass notun "$TEST_USER" -test.run 'TunInaccessible' || rc=1
		chmod "$mode" /dev/net/tun
		logs+=("$BASE/test-notun.log")
	else
		pass main "$(id -un)" || rc=1
	fi
	summary "${logs[@]}"
	return $rc
}

demo() {
	[ -f "$ENVFILE" ] || die "no test bed: run hack/testbed.sh setup first"
	# shellcheck disable=SC1090
	. "$ENVFILE"
	local script='echo "hello from a rootless container"; id; cat /proc/self/uid_map; hostname; ls /'
	if [ "$(id -u)" = 0 ]; then
		log "as $TEST_USER: burrow pull --tls-verify=false $BURROW_TEST_IMAGE"
		as_user "$TEST_USER" "$BURROW_BIN" pull --tls-verify=false "$BURROW_TEST_IMAGE"
		log "as $TEST_USER: burrow run --rm $BURROW_TEST_IMAGE sh -c '...'"
		as_user "$TEST_USER" "$BURROW_BIN" run --rm "$BURROW_TEST_IMAGE" sh -c "$script"
	else
		"$BURROW_BIN" pull --tls-verify=false "$BURROW_TEST_IMAGE"
		"$BURROW_BIN" run --rm "$BURROW_TEST_IMAGE" sh -c "$script"
	fi
}

bench() {
	[ -f "$ENVFILE" ] || die "no test bed: run hack/testbed.sh setup first"
	if [ "$(id -u)" = 0 ]; then
		cp hack/bench.sh hack/bench-start.sh "$BIN/"
		chmod 0755 "$BIN/bench.sh"
		EXTRA_ENV="BURROW_TESTBED_ENV=$ENVFILE BENCH_N=${BENCH_N:-20} BENCH_STORE_N=${BENCH_STORE_N:-1000} BENCH_START_ONLY=${BENCH_START_ONLY:-}" as_user "$TEST_USER" "$BIN/bench.sh"
	else
		BURROW_TESTBED_ENV=$ENVFILE hack/bench.sh
	fi
}

stop() {
	registry_stop
	if [ "$(id -u)" = 0 ]; then
		local u
		for u in "$TEST_USER" "$NOSUB_USER"; do
			id "$u" >/dev/null 2>&1 && stop_pause "$(id -u "$u")"
		done
	fi
	return 0
}

case ${1:-} in
deps) [ "$(id -u)" = 0 ] && install_packages || check_user_prereqs ;;
setup) setup ;;
users) [ "$(id -u)" = 0 ] || die "users: run as root"; install_packages; make_users; prepare_host; echo "$TEST_USER" ;;
build) build ;;
integration) integration ;;
demo) demo ;;
bench) bench ;;
stop) stop ;;
registry-start) registry_start ;;
*) die "usage: $0 setup|users|build|integration|demo|bench|stop" ;;
esac
