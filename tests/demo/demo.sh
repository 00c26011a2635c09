#!/bin/sh
# The hiresync story on a laptop, with no account anywhere: a local sandbox plays Eploy and
# Willo. Three candidates moved to "Video Interview" are invited, two answer, their answers'
# links land in the notes of their Eploy applications, and a third cycle changes nothing.
#
# Run it with `make demo` in the build tree, or as `hiresync-demo` once installed (it then
# finds hiresync, hiresync-sandbox, the connectors and their manifests where they were
# installed; HIRESYNC_BIN, HIRESYNC_SANDBOX, HIRESYNC_CONNECTOR_DIR and HIRESYNC_MANIFEST_DIR
# override). Needs nothing but those programs and POSIX tools: the sandbox's own admin client
# drives it. Exits non-zero when the story does not come out as told.
set -eu

# Installed, the programs sit next to this script; else they are looked up in PATH.
here=$(dirname "$0")
bin=hiresync sandbox=hiresync-sandbox
[ -x "$here/hiresync" ] && bin=$here/hiresync
[ -x "$here/hiresync-sandbox" ] && sandbox=$here/hiresync-sandbox
bin=${HIRESYNC_BIN:-$bin}
sandbox=${HIRESYNC_SANDBOX:-$sandbox}
command -v "$bin" >/dev/null 2>&1 || { echo "demo: $bin not found; set HIRESYNC_BIN to the hiresync program" >&2; exit 2; }
command -v "$sandbox" >/dev/null 2>&1 || { echo "demo: $sandbox not found; set HIRESYNC_SANDBOX to the hiresync-sandbox program" >&2; exit 2; }
# Unset, hiresync uses the directories it was configured with: the installed connectors.
[ -z "${HIRESYNC_CONNECTOR_DIR:-}" ] || export HIRESYNC_CONNECTOR_DIR
[ -z "${HIRESYNC_MANIFEST_DIR:-}" ] || export HIRESYNC_MANIFEST_DIR

work=$(mktemp -d "${TMPDIR:-/tmp}/hiresync-demo.XXXXXX")
sb_pid=
cleanup() {
    if [ -n "$sb_pid" ]; then kill "$sb_pid" 2>/dev/null || :; wait "$sb_pid" 2>/dev/null || :; fi
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

step=0
say() { step=$((step + 1)); printf '\n== %d. %s\n' "$step" "$*"; }
tell() { printf '   %s\n' "$*"; }
fail() { printf '\ndemo: %s\n' "$*" >&2; exit 1; }
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }
admin() { "$sandbox" admin "$admin_url" "$@"; }
hs() { "$bin" -c "$work/hiresync.json" --log-level warn "$@"; }

say "Starting a sandbox that plays Eploy and Willo on free local ports"
"$sandbox" --eploy-port 0 --willo-port 0 --admin-port 0 >"$work/urls" 2>"$work/sandbox.log" &
sb_pid=$!
i=0
while [ ! -s "$work/urls" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$work/urls" ] || fail "the sandbox did not start: $(cat "$work/sandbox.log")"
eploy_url=$(field eploy_url <"$work/urls")
willo_url=$(field willo_url <"$work/urls")
admin_url=$(field admin_url <"$work/urls")
tell "Eploy: $eploy_url"
tell "Willo: $willo_url"

write_config() {
    umask 077
    cat >"$work/hiresync.json" <<EOF
{ "state_dir": "$work/state",
  "connections": {
    "eploy": { "connector": "eploy", "base_url": "$eploy_url", "client_id": "sandbox-client",
               "client_secret": "sandbox-secret", "note_action_type": "1", "signpost_lag_s": 0 },
    "willo": { "connector": "willo", "base_url": "$willo_url", "api_key": "sandbox-willo-key",
               "min_gap_ms": 0 } },
  "pipelines": { $1 } }
EOF
}

say "Connecting Eploy and Willo, and checking what the keys may do"
write_config ""
tell "configuration: $work/hiresync.json"
hs check | sed 's/^/   /'

say "Jobs imported from Eploy (the list a recruiter picks a job and its trigger stage from)"
hs jobs eploy | sed 's/^/   /'
job=$(hs jobs --json eploy | sed -n 's/^ *"id":"\([^"]*\)".*/\1/p' | head -n 1)
job_title=$(hs jobs --json eploy | sed -n 's/^ *"title":"\([^"]*\)".*/\1/p' | head -n 1)
# The interview named after the job when there is one, else the first.
hs jobs --json willo | sed -n 's/^    "\(id\|title\)":"\([^"]*\)".*/\2/p' | paste - - >"$work/interviews"
interview=$(grep -F "	$job_title" "$work/interviews" | cut -f 1 | head -n 1)
[ -n "$interview" ] || interview=$(cut -f 1 "$work/interviews" | head -n 1)
interview_title=$(grep -F "$interview	" "$work/interviews" | cut -f 2 | head -n 1)
[ -n "$job" ] && [ -n "$interview" ] || fail "no job or no interview to map"

say "Mapping job $job ($job_title) to the Willo interview \"$interview_title\""
write_config "\"demo\": { \"ats\": \"eploy\", \"interviews\": \"willo\", \"interval\": \"3h\",
    \"mappings\": [ { \"interview\": \"$interview\",
                      \"jobs\": [ { \"job\": \"$job\", \"trigger_stages\": [\"Video Interview\"] } ] } ] }"
tell "trigger stage: \"Video Interview\". Candidates moved there from now on get the interview."
hs run --once
tell "First cycle done: hiresync noted where every candidate stands today (the baseline)."
tell "Nobody already in \"Video Interview\" is invited; only moves from now on count."

say "A recruiter moves three candidates to \"Video Interview\" and one to \"Interview\""
apps=$(admin GET "/eploy/applications?vacancy=$job" | tr '{' '\n' |
       grep -v '"Stage":"Video Interview"' | grep -v '"Stage":"Interview"' |
       sed -n 's/.*"ApplicationId":\([0-9]*\).*/\1/p' | head -n 4)
[ "$(printf '%s\n' "$apps" | wc -l)" -eq 4 ] || fail "the job has fewer than 4 applications to move"
n=0
for a in $apps; do
    n=$((n + 1))
    if [ $n -le 3 ]; then
        admin POST "/eploy/applications/$a/move" '{"stage":"Video Interview"}' >/dev/null
        tell "application $a -> Video Interview"
    else
        admin POST "/eploy/applications/$a/move" '{"stage":"Interview"}' >/dev/null
        tell "application $a -> Interview (not a trigger stage)"
    fi
done

say "Next cycle: hiresync invites the candidates who reached the trigger stage"
hs run --once --force
participants=$(admin GET "/willo/participants?interview=$interview" | tr '{' '\n' | grep '"interview":')
invited=$(printf '%s\n' "$participants" | grep -c '"email"' || :)
printf '%s\n' "$participants" | sed -n 's/.*"first_name":"\([^"]*\)","last_name":"\([^"]*\)","email":"\([^"]*\)".*/   invited: \1 \2 <\3>/p'
[ "$invited" -eq 3 ] || fail "expected 3 invitations in Willo, found $invited"
tell "3 candidates invited to \"$interview_title\"; the fourth was left alone."

say "Two candidates record their video answers in Willo"
printf '%s\n' "$participants" | head -n 2 |
    sed -n 's/^"key":"\([^"]*\)".*"first_name":"\([^"]*\)","last_name":"\([^"]*\)".*/\1 \2 \3/p' |
    while read -r k first last; do
        admin POST "/willo/participants/$k/complete" >/dev/null
        tell "$first $last answered the interview questions"
    done

say "Next cycle: the links to their answers go into the notes of their Eploy applications"
hs run --once --force
actions=$(admin GET /eploy/actions | sed 's/{"ActionId"/\n{"ActionId"/g' | grep '"ActionId"')
notes=$(printf '%s\n' "$actions" | grep -c 'completed the video interview' || :)
printf '%s\n' "$actions" | while read -r line; do
    app=$(printf '%s\n' "$line" | sed -n 's/.*"Application":{"Id":\([0-9]*\).*/\1/p')
    link=$(printf '%s\n' "$line" | grep -o 'https://[^\\" ]*' | head -n 1)
    who=$(printf '%s\n' "$line" | sed -n 's/.*"Description":"Video interview completed\\n\\n\([^\\]*\) completed the video.*/\1/p')
    [ -n "$app" ] && tell "note on application $app ($who): $link"
done
[ "$notes" -eq 2 ] || fail "expected 2 notes in Eploy, found $notes"

say "A third cycle: nothing new happened, so nothing is written"
hs run --once --force
invited_again=$(admin GET "/willo/participants?interview=$interview" | tr '{' '\n' | grep -c '"interview":' || :)
notes_again=$(admin GET /eploy/actions | sed 's/{"ActionId"/\n{"ActionId"/g' | grep -c 'completed the video interview' || :)
tell "Willo still has $invited_again invitations, Eploy still has $notes_again notes: no duplicates."
[ "$invited_again" -eq 3 ] && [ "$notes_again" -eq 2 ] || fail "something was written twice"

say "What \`hiresync status\` shows an operator"
hs status | sed 's/^/   /'
tell "The last cycle had nothing new to do; the one before wrote 2 notes, the one before that"
tell "sent 3 invitations. \`hiresync status --json\` gives the same to a monitoring system."

say "Stopping the sandbox"
tell "Story told: 3 invited, 2 notes with their links, then nothing new."
