#!/bin/sh
# hiresync-conformance on the bundled connectors, eploy and willo, against the sandbox,
# writes included (Eploy's notes with an outcome and its stage moves); under valgrind when it
# is installed, so that a connector leaking on a refused configuration (which the kit cannot
# see itself) fails too. Both report the progress of their reads; Eploy's guarded outcome
# (outcome_from) is looked up in the sandbox: written where the kit says it was. The sandbox is given what the tests need first: an application in the
# stage the move starts from, and Willo participants at every step of an interview's life.
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
admin() { "$HIRESYNC_SANDBOX" admin "$(field admin_url)" "$@"; }

# Eploy: the application the move tests move (of vacancy 1001, whose workflow has both
# stages), put in the stage they move it from.
move_app=$(admin GET '/eploy/applications?vacancy=1001&limit=1' | sed -n 's/^\[{"ApplicationId":\([0-9]*\),.*/\1/p')
[ -n "$move_app" ] || fail "vacancy 1001 has no application to move"
admin POST "/eploy/applications/$move_app/move" '{"stage":"Video Interview"}' >/dev/null ||
    fail "could not put application $move_app in \"Video Interview\""

# Willo: in the first interview, one participant at each step of the life (invited, started,
# completed with a score and answers' scores, expired, declined), so that the lifecycle test
# reads every kind; the kit reads from a cursor that has seen nothing of any interview yet.
interviews=$(admin GET /willo/interviews | tr '{' '\n' | sed -n 's/^"key":"\([0-9a-f]\{32\}\)".*/\1/p')
[ -n "$interviews" ] || fail "the sandbox has no Willo interview"
life_iv=$(printf '%s\n' "$interviews" | head -n 1)
for step in invited started completed expired declined; do
    key=$(admin POST /willo/participants "{\"interview\":\"$life_iv\",\"first_name\":\"Kit\",
        \"last_name\":\"$step\",\"email\":\"kit.$step@example.com\"}" |
        sed -n 's/^{"key":"\([0-9a-f]*\)".*/\1/p')
    [ -n "$key" ] || fail "could not invite the $step participant"
    case $step in
    started) admin POST "/willo/participants/$key/start" ;;
    completed) admin POST "/willo/participants/$key/complete" '{"score":"8","scores":["4",null,"3"]}' ;;
    expired) admin POST "/willo/participants/$key/expire" ;;
    declined) admin POST "/willo/participants/$key/decline" ;;
    esac >/dev/null || fail "could not move the $step participant on"
done
willo_cursor='{"v":2,"interviews":{'
sep=
for iv in $interviews; do
    willo_cursor="$willo_cursor$sep\"$iv\":{\"wm\":\"\",\"floor\":\"\",\"uwm\":\"\",\"lfloor\":\"\"}"
    sep=,
done
willo_cursor="$willo_cursor}}"

umask 077
cat >"$work/hiresync.json" <<EOF2
{ "state_dir": "$work/state",
  "connections": {
    "eploy": { "connector": "eploy", "base_url": "$(field eploy_url)",
               "client_id": "sandbox-client", "client_secret": "sandbox-secret",
               "note_action_type": "1", "signpost_lag_s": 0, "page_size": 20 },
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

must_pass() {
    name=$1
    shift
    for t in "$@"; do
        grep -q "^PASS  $t " "$work/$name.out" || fail "$name: test $t did not pass"
    done
}

# The move: from "Video Interview" (or "Screening") to "Interview", once; then back to "Video
# Interview" only from there, which must be refused as a recruiter's move would be.
check_one eploy --cursor "$eploy_cursor" --outcome Completed --move-record "$move_app" \
    --move-to Interview --move-from "Video Interview,Screening"
must_pass eploy write-outcome move-idempotent move-conflict outcome-from progress
# Pages of 20: the reads span several pages, each reported, and Eploy gives their total.
set -- $(sed -n 's/^PASS  progress  *\([0-9]*\) reports in [0-9]* reads (up to \([0-9]*\) pages, \([0-9]*\) with a total).*/\1 \2 \3/p' "$work/eploy.out")
[ "${2:-0}" -ge 2 ] && [ "${3:-0}" -ge 1 ] ||
    fail "eploy: progress saw ${2:-no} pages in one read and ${3:-no} totals; at least 2 and 1 expected"
# The notes outcome-from wrote, as the sandbox has them: the withheld one without an outcome,
# the recorded one with it.
set -- $(sed -n 's/^PASS  outcome-from .* withheld (\([0-9]*\)), .* recorded (\([0-9]*\)).*/\1 \2/p' "$work/eploy.out")
[ $# -eq 2 ] || fail "eploy: outcome-from named no notes"
admin GET /eploy/actions | sed 's/{"ActionId":/\n/g' >"$work/actions"
grep "^$1," "$work/actions" | grep -q '"ActionOutcome":{' &&
    fail "eploy: action $1 carries an outcome the kit saw withheld"
grep "^$2," "$work/actions" | grep -q '"ActionOutcome":{"Id":"9503"' ||
    fail "eploy: action $2 does not carry outcome Completed (9503)"
admin GET "/eploy/applications/$move_app" | grep -q '"Stage":{"Id":"[0-9]*","Description":"Interview"}' ||
    fail "eploy: application $move_app is not in \"Interview\" after the move tests"

check_one willo --cursor "$willo_cursor"
must_pass willo lifecycle progress
# Every kind of the life was read, and the completion's answers with it.
life=$(sed -n 's/^PASS  lifecycle  *\([0-9]*\) interview changes (\([0-9]*\) of 2.1 kinds, \([0-9]*\) answers.*/\1 \2 \3/p' "$work/willo.out")
# shellcheck disable=SC2086 # three numbers, split on purpose
set -- $life
[ "${2:-0}" -ge 6 ] && [ "${3:-0}" -ge 3 ] ||
    fail "willo: lifecycle read ${2:-no} changes of 2.1 kinds and ${3:-no} answers; at least 6 and 3 expected"
