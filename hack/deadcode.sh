#!/usr/bin/env bash
# make lint's dead-code check (golang.org/x/tools/cmd/deadcode, path in
# $DEADCODE). Every function must be reachable from a program of the
# repository: cmd/burrow, whose main dispatches every role of the binary
# (docs/roles.md), or a tool in hack/. Tests are not callers: a function
# only tests reach is dead (deadcode runs without -test), so it goes, or
# its test goes through the code that uses it. Code that C calls back
# (//export) or that is reached by go:linkname would need an entry below;
# there is none.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DEADCODE:?set DEADCODE to the deadcode binary (make lint does)}"
GOTAGS=${GOTAGS:-containers_image_openpgp exclude_graphdriver_btrfs exclude_graphdriver_devicemapper}

# Dead functions whose removal is under way in another branch (issue 17,
# item 7), as PACKAGE.FUNC under the module. An entry that is no longer
# dead fails the check, so that the list is emptied as they land.
pending=()

module=$(go list -m)
dead=$("$DEADCODE" -tags "$GOTAGS" -f '{{range .Funcs}}{{$.Path}}.{{.Name}} {{.Position}}{{"\n"}}{{end}}' ./...)
rc=0
while read -r fn pos; do
	[ -n "$fn" ] || continue
	short=${fn#"$module"/}
	for p in "${pending[@]}"; do
		[ "$short" = "$p" ] && continue 2
	done
	echo "deadcode: $pos: $short is unreachable from every program: delete it" >&2
	rc=1
done <<<"$dead"
for p in "${pending[@]}"; do
	if ! grep -q "^$module/$p " <<<"$dead"; then
		echo "deadcode: $p is no longer dead: remove it from pending in hack/deadcode.sh" >&2
		rc=1
	fi
done
exit $rc
