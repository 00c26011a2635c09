#!/bin/sh
# hiresync-conformance on the bundled connectors, eploy and willo, against the sandbox,
# writes included; under valgrind when it is installed, so that a connector leaking on a
# refused configuration (which the kit cannot see itself) fails too.
set -u
kit="$HIRESYNC_BUILDDIR/hiresync-conformance"
work=$(mktemp -d)
sb_pid=
cleanup() {
    [ -n "$sb_pid" ] && kill "$sb_pid" 2>/dev/null && wait "$sb_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "conformance.sh: $*" >&2; exit 1; }

# Six participants up front, every third completed: the Willo reads have completions.
"$HIRESYNC_SANDBOX" --eploy-port 0 --willo-port 0 --admin-port 0 --participants 6 \
    >"$work/urls" 2>"$work/sandbox.log" &
sb_pid=$!
i=0
while [ ! -s "$work/urls" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$work/urls" ] || fail "the sandbox did not start: $(cat "$work/sandbox.log")"
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" "$work/urls"; }

umask 077
cat >"$work/hiresync.json" <<EOF2
{ "state_dir": "$work/state",
  "connections": {
    "eploy": { "connector": "eploy", "base_url": "$(field eploy_url)",
               "client_id": "sandbox-client", "client_secret": "sandbox-secret",
               "note_action_type": "1", "signpost_lag_s": 0 },
    "willo": { "connector": "willo", "base_url": "$(field willo_url)",
               "api_key": "sandbox-willo-key", "min_gap_ms": 0 } } }
EOF2

run=
# A sanitizer build checks leaks itself, and valgrind cannot run it.
if ldd "$HIRESYNC_BUILDDIR/.libs/hiresync-conformance" "$HIRESYNC_BUILDDIR/hiresync-conformance" 2>/dev/null | grep -q libasan; then
    run=
    echo "sanitizer build: AddressSanitizer checks for leaks instead of valgrind"
elif [ -n "${VALGRIND:-}" ] || command -v valgrind >/dev/null 2>&1; then
    run="$HIRESYNC_BUILDDIR/libtool --mode=execute ${VALGRIND:-valgrind} --quiet \
        --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        --show-leak-kinds=definite"
    echo "under valgrind: a definite leak fails the test"
else
    echo "valgrind not found: running without the leak check"
fi

# An Eploy cursor from before the sandbox's data, so that the reads have records to re-read.
eploy_cursor='{"v":1,"mode":"history","since":"2000-01-01T00:00:00.000Z"}'

check_one() {
    name=$1
    shift
    # shellcheck disable=SC2086
    $run "$kit" "$name" -c "$work/hiresync.json" --write "$@" >"$work/$name.out" 2>"$work/$name.err"
    rc=$?
    sed "s/^/$name: /" "$work/$name.out"
    [ -s "$work/$name.err" ] && sed "s/^/$name (stderr): /" "$work/$name.err"
    [ $rc -eq 0 ] || fail "$name: exit status $rc, 0 expected"
    # The tests that must have run rather than been skipped.
    for t in handshake entry-other-major close-null open-missing open-bad open check jobs \
        read-first read-again read-snapshot read-reread write-idempotent write-small-buffer \
        emitter-stop cancel-start cancel-midway two-connections stdio canary secrets \
        lifecycle-host-2.0; do
        grep -q "^PASS  $t " "$work/$name.out" || fail "$name: test $t did not pass"
    done
}

check_one eploy --cursor "$eploy_cursor" --outcome Completed
grep -q "^PASS  write-outcome " "$work/eploy.out" || fail "eploy: test write-outcome did not pass"
check_one willo
