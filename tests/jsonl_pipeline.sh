#!/bin/sh
# One pipeline from the sandbox's Eploy to the jsonl connector as the interviews side: three
# candidates moved to the trigger stage give exactly three lines in invitations.jsonl, a
# second cycle with nothing new adds none, and a completion appended to changes.jsonl gives
# one note in Eploy. Fails when an invitation is missing or written twice.
#
# In `make check` (HIRESYNC_BUILDDIR set, HIRESYNC_CONNECTOR_PATH not) the built module and
# the source manifest are linked into a directory put on HIRESYNC_CONNECTOR_PATH, as an
# integrator's install would be. CI's connector-sdk step runs it with the installed programs
# (HIRESYNC_BIN, HIRESYNC_SANDBOX) and HIRESYNC_CONNECTOR_PATH naming the directory where
# jsonl was installed out of tree.
set -eu
bin=${HIRESYNC_BIN:-hiresync}
sandbox=${HIRESYNC_SANDBOX:-hiresync-sandbox}

work=$(mktemp -d "${TMPDIR:-/tmp}/hiresync-jsonl.XXXXXX")
sb_pid=
cleanup() {
    if [ -n "$sb_pid" ]; then kill "$sb_pid" 2>/dev/null || :; wait "$sb_pid" 2>/dev/null || :; fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
fail() { echo "jsonl pipeline: $*" >&2; exit 1; }
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }
admin() { "$sandbox" admin "$admin_url" "$@"; }
hs() { "$bin" -c "$work/hiresync.json" --log-level warn "$@"; }

if [ -z "${HIRESYNC_CONNECTOR_PATH:-}" ]; then
    [ -n "${HIRESYNC_BUILDDIR:-}" ] || fail "set HIRESYNC_CONNECTOR_PATH to where jsonl is installed"
    mkdir "$work/connectors"
    ln -s "$HIRESYNC_BUILDDIR/examples/jsonl/.libs/jsonl.so" "$work/connectors/jsonl.so"
    ln -s "$HIRESYNC_SRCDIR/examples/jsonl/jsonl.json" "$work/connectors/jsonl.json"
    HIRESYNC_CONNECTOR_PATH=$work/connectors
    export HIRESYNC_CONNECTOR_PATH
fi

"$sandbox" --eploy-port 0 --willo-port 0 --admin-port 0 >"$work/urls" 2>"$work/sandbox.log" &
sb_pid=$!
i=0
while [ ! -s "$work/urls" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$work/urls" ] || fail "the sandbox did not start: $(cat "$work/sandbox.log")"
eploy_url=$(field eploy_url <"$work/urls")
admin_url=$(field admin_url <"$work/urls")

files=$work/files
mkdir -m 700 "$files"
echo '{"id": "video-1", "title": "Video screening"}' >"$files/jobs.jsonl"
write_config() {
    umask 077
    cat >"$work/hiresync.json" <<EOF
{ "state_dir": "$work/state",
  "connections": {
    "eploy": { "connector": "eploy", "base_url": "$eploy_url", "client_id": "sandbox-client",
               "client_secret": "sandbox-secret", "note_action_type": "1", "signpost_lag_s": 0 },
    "dryrun": { "connector": "jsonl", "dir": "$files", "barrier_every": 2 } },
  "pipelines": { $1 } }
EOF
}
write_config ""
job=$(hs jobs --json eploy | sed -n 's/^ *"id":"\([^"]*\)".*/\1/p' | head -n 1)
[ -n "$job" ] || fail "the sandbox's Eploy lists no job"
write_config "\"try\": { \"ats\": \"eploy\", \"interviews\": \"dryrun\",
    \"mappings\": [ { \"interview\": \"video-1\",
                      \"jobs\": [ { \"job\": \"$job\", \"trigger_stages\": [\"Video Interview\"] } ] } ] }"
hs check >"$work/check.out" 2>&1 || { cat "$work/check.out"; fail "hiresync check failed"; }
hs run --once   # the baseline: nobody is invited

apps=$(admin GET "/eploy/applications?vacancy=$job" | tr '{' '\n' |
       grep -v '"Stage":"Video Interview"' | sed -n 's/.*"ApplicationId":\([0-9]*\).*/\1/p' |
       head -n 3)
[ "$(printf '%s\n' "$apps" | wc -l)" -eq 3 ] || fail "job $job has fewer than 3 applications to move"
for a in $apps; do
    admin POST "/eploy/applications/$a/move" '{"stage":"Video Interview"}' >/dev/null
done

count() { [ -f "$1" ] && grep -c '"key"' "$1" || echo 0; }
keys() { sed -n 's/^{"key":"\([^"]*\)".*/\1/p' "$files/invitations.jsonl" | sort; }
hs run --once --force
n=$(count "$files/invitations.jsonl")
[ "$n" -eq 3 ] || { cat "$files/invitations.jsonl" 2>/dev/null; fail "expected 3 invitations after the moves, found $n"; }
[ "$(keys | uniq | wc -l)" -eq 3 ] || fail "an invitation key is written twice"
for a in $apps; do
    grep -q "\"source_record_id\":\"$a\"" "$files/invitations.jsonl" ||
        fail "no invitation for application $a"
done
[ "$(stat -c %a "$files/invitations.jsonl")" = 600 ] || fail "invitations.jsonl is not mode 600"

hs run --once --force
n=$(count "$files/invitations.jsonl")
[ "$n" -eq 3 ] || fail "a cycle with nothing new changed the invitations from 3 to $n"

# The candidate of the first invitation completes the interview: its line's "id" is the
# participant id the completion names.
id=$(sed -n '1s/^{"key":"[^"]*","id":"\([^"]*\)".*/\1/p' "$files/invitations.jsonl")
[ -n "$id" ] || fail "the first invitation has no id"
printf '{"kind":"completed","record_id":"%s","job_id":"video-1","link":"https://answers.example/%s"}\n' \
    "$id" "$id" >>"$files/changes.jsonl"
hs run --once --force
notes=$(admin GET /eploy/actions | sed 's/{"ActionId"/\n{"ActionId"/g' | grep -c "answers.example/$id" || :)
[ "$notes" -eq 1 ] || fail "expected 1 note in Eploy for the completion, found $notes"
hs run --once --force
notes=$(admin GET /eploy/actions | sed 's/{"ActionId"/\n{"ActionId"/g' | grep -c "answers.example/$id" || :)
[ "$notes" -eq 1 ] || fail "the completion's note was written $notes times"
echo "jsonl pipeline: 3 invitations written once each, 1 completion noted once in Eploy"
