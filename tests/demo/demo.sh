#!/bin/sh
# The hiresync story on a laptop, with no account anywhere: a local sandbox plays Eploy and
# Willo. Three candidates moved to "Video Interview" are invited (outcome "Invited" in Eploy);
# one answers (a note with the links to the answers and the score, outcome "Completed", and
# Eploy's workflow moves the application on to "Interview"); a week later the other two have
# not answered (outcome "Expired"): one is moved to "Rejected", the other, whom a recruiter had
# already moved on, is left where the recruiter put it; a last cycle changes nothing.
#
# Run it with `make demo` in the build tree, or as `hiresync-demo` once installed (it then
# finds hiresync, hiresync-sandbox, the connectors and their manifests where they were
# installed; HIRESYNC_BIN, HIRESYNC_SANDBOX, HIRESYNC_CONNECTOR_DIR and HIRESYNC_MANIFEST_DIR
# override). Needs nothing but those programs and POSIX tools: the sandbox's own admin client
# drives it. It moves the sandbox's clock on instead of waiting for the invitation deadline.
# Exits non-zero when the story does not come out as told: every step is checked in the
# sandbox.
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
# One cycle of every pipeline; what it logs (warnings) is shown indented.
cycle() {
    rc=0
    hs run --once "$@" 2>"$work/cycle.log" || rc=$?
    sed 's/^/   log: /' "$work/cycle.log"
    [ $rc -eq 0 ] || fail "the cycle failed (exit status $rc)"
}

# ---- what the sandbox holds, read through its admin interface --------------------------------

# Every action written in Eploy, one a line.
actions() { admin GET /eploy/actions | sed 's/{"ActionId"/\n{"ActionId"/g' | grep '"ActionId"' || :; }
# The actions on application $1.
actions_of() { actions | grep "\"Application\":{\"Id\":$1}" || :; }
# How many actions on application $1 carry the outcome named $2.
outcomes_of() { actions_of "$1" | grep -c "\"ActionOutcome\":{\"Id\":\"[0-9]*\",\"Description\":\"$2\"}" || :; }
# The stage application $1 is in.
stage_of() { admin GET "/eploy/applications/$1" | sed -n 's/.*"Stage":{"Id":"[0-9]*","Description":"\([^"]*\)".*/\1/p'; }
# The participants of the mapped interview, one a line.
participants() { admin GET "/willo/participants?interview=$interview" | tr '{' '\n' | grep '"interview":' || :; }
# The Willo participant invited for application $1 (application n belongs to candidate
# 2800000 + n, whose email ends in .<candidate>@example.com).
participant_of() { participants | grep "\\.$(($1 + 2800000))@" | sed -n 's/^"key":"\([^"]*\)".*/\1/p' | head -n 1; }
name_of() { participants | grep "\\.$(($1 + 2800000))@" | sed -n 's/.*"first_name":"\([^"]*\)","last_name":"\([^"]*\)".*/\1 \2/p' | head -n 1; }
# A note's text as Eploy shows it: the Description with its JSON escapes undone.
note_text() {
    sed -n 's/.*"Description":"\(.*\)","StartDate".*/\1/p' | sed 's/\\n/\
/g; s/\\"/"/g; s/\\\//\//g' | sed 's/^/   | /'
}
expect_outcome() { # application, outcome
    n=$(outcomes_of "$1" "$2")
    [ "$n" -eq 1 ] || fail "application $1 has $n actions with the outcome \"$2\", 1 expected"
}
expect_stage() { # application, stage
    s=$(stage_of "$1")
    [ "$s" = "$2" ] || fail "application $1 is in \"$s\", \"$2\" expected"
}

say "Starting a sandbox that plays Eploy and Willo on free local ports"
# Willo's invitations run out 7 days after they are sent.
"$sandbox" --eploy-port 0 --willo-port 0 --admin-port 0 --willo-deadline-days 7 \
    >"$work/urls" 2>"$work/sandbox.log" &
sb_pid=$!
i=0
while [ ! -s "$work/urls" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -s "$work/urls" ] || fail "the sandbox did not start: $(cat "$work/sandbox.log")"
eploy_url=$(field eploy_url <"$work/urls")
willo_url=$(field willo_url <"$work/urls")
admin_url=$(field admin_url <"$work/urls")
tell "Eploy: $eploy_url"
tell "Willo: $willo_url (invitations expire after 7 days)"

write_config() {
    umask 077
    cat >"$work/hiresync.json" <<EOC
{ "state_dir": "$work/state",
  "connections": {
    "eploy": { "connector": "eploy", "base_url": "$eploy_url", "client_id": "sandbox-client",
               "client_secret": "sandbox-secret", "note_action_type": "1", "signpost_lag_s": 0 },
    "willo": { "connector": "willo", "base_url": "$willo_url", "api_key": "sandbox-willo-key",
               "min_gap_ms": 0 } },
  "pipelines": { $1 } }
EOC
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

say "Eploy's workflow: the outcome \"Completed\" moves an application on to \"Interview\""
admin POST /eploy/outcome-rules '{"outcome":"Completed","stage":"Interview","status":null}' >/dev/null
tell "This is the tenant's own Eploy configuration (Admin > Workflow), the way Eploy asks"
tell "partners to move candidates: hiresync records the outcome, Eploy's rule moves the"
tell "application (and Eploy's e-mails and reports follow). The sandbox now plays that rule."

say "Mapping job $job ($job_title) to the Willo interview \"$interview_title\""
write_config "\"demo\": { \"ats\": \"eploy\", \"interviews\": \"willo\", \"interval\": \"3h\",
    \"mappings\": [ { \"interview\": \"$interview\",
                      \"jobs\": [ { \"job\": \"$job\", \"trigger_stages\": [\"Video Interview\"] } ],
                      \"outcomes\": { \"invited\": \"Invited\", \"completed\": \"Completed\",
                                      \"expired\": \"Expired\" },
                      \"on_expired\": \"Rejected\", \"reinvite\": \"never\" } ] }"
sed -n '/"mappings"/,/"on_expired"/p' "$work/hiresync.json" | sed 's/^ */   /; s/[] }]*$//'
tell "trigger stage \"Video Interview\": candidates moved there from now on get the interview;"
tell "each step of the interview is recorded in Eploy with its outcome; an invitation that"
tell "expires moves the application to \"Rejected\" (hiresync moves it itself: on_expired)."
cycle
tell "First cycle done: hiresync noted where every candidate stands today (the baseline)."
tell "Nobody already in \"Video Interview\" is invited; only moves from now on count."

say "A recruiter moves three candidates to \"Video Interview\" and one to \"Interview\""
apps=$(admin GET "/eploy/applications?vacancy=$job" | tr '{' '\n' |
       grep -v '"Stage":"Video Interview"' | grep -v '"Stage":"Interview"' |
       sed -n 's/.*"ApplicationId":\([0-9]*\).*/\1/p' | head -n 4)
[ "$(printf '%s\n' "$apps" | wc -l)" -eq 4 ] || fail "the job has fewer than 4 applications to move"
# The ids are digits alone: splitting them into the positional parameters is the point.
# shellcheck disable=SC2086
set -- $apps
app_a=$1 app_b=$2 app_c=$3 app_d=$4
for a in "$app_a" "$app_b" "$app_c"; do
    admin POST "/eploy/applications/$a/move" '{"stage":"Video Interview"}' >/dev/null
    tell "application $a -> Video Interview"
done
admin POST "/eploy/applications/$app_d/move" '{"stage":"Interview"}' >/dev/null
tell "application $app_d -> Interview (not a trigger stage)"

say "Next cycle: hiresync invites the candidates who reached the trigger stage"
cycle --force
participants | sed -n 's/.*"first_name":"\([^"]*\)","last_name":"\([^"]*\)","email":"\([^"]*\)".*/   invited: \1 \2 <\3>/p'
invited=$(participants | grep -c '"email"' || :)
[ "$invited" -eq 3 ] || fail "expected 3 invitations in Willo, found $invited"
for a in "$app_a" "$app_b" "$app_c"; do expect_outcome "$a" Invited; done
[ "$(outcomes_of "$app_d" Invited)" -eq 0 ] || fail "application $app_d was not in a trigger stage"
tell "3 candidates invited to \"$interview_title\"; the fourth was left alone."
tell "In Eploy, each of the three applications shows an action with the outcome \"Invited\"."
name_a=$(name_of "$app_a") name_b=$(name_of "$app_b") name_c=$(name_of "$app_c")
key_a=$(participant_of "$app_a")
[ -n "$key_a" ] || fail "no participant for application $app_a"

say "$name_a records the video answers in Willo, and Willo scores them"
admin POST "/willo/participants/$key_a/start" >/dev/null
admin POST "/willo/participants/$key_a/complete" '{"score":"8.5","scores":["4","5",null]}' >/dev/null
tell "overall score 8.5; the first two answers scored 4 and 5"

say "Next cycle: the result goes into Eploy, and the application moves on"
cycle --force
note_a=$(actions_of "$app_a" | grep '"Description":"Completed"}' || :)
[ -n "$note_a" ] || fail "no completion note on application $app_a"
tell "the note on application $app_a ($name_a), outcome \"Completed\":"
printf '%s\n' "$note_a" | note_text
expect_outcome "$app_a" Completed
printf '%s\n' "$note_a" | grep -q "share/$key_a" || fail "the note lacks the link to the response"
[ "$(printf '%s\n' "$note_a" | grep -o 'responses/[^"\\ ]*mp4' | wc -l)" -eq 3 ] ||
    fail "the note lacks the links to the three answers"
printf '%s\n' "$note_a" | grep -q 'Score: 8\.5' || fail "the note lacks the score"
expect_stage "$app_a" Interview
tell "application $app_a is now in \"Interview\": Eploy's rule for \"Completed\" moved it."

say "A recruiter moves $name_c on to \"Interview\" after a phone call"
admin POST "/eploy/applications/$app_c/move" '{"stage":"Interview"}' >/dev/null
tell "$name_c never answers the video interview; neither does $name_b."

say "A week goes by (the sandbox's clock moves 8 days on instead of waiting)"
now=$(admin POST /clock '{"offset_ms":691200000}' | field now)
tell "the sandbox's date is now $now"
tell "Willo: the invitations of $name_b and $name_c have expired."

say "Next cycle: the expiries go into Eploy"
cycle --force
expect_outcome "$app_b" Expired
expect_outcome "$app_c" Expired
expect_stage "$app_b" Rejected
expect_stage "$app_c" Interview
tell "application $app_b ($name_b): outcome \"Expired\", moved to \"Rejected\" (on_expired)"
tell "application $app_c ($name_c): outcome \"Expired\", left in \"Interview\" where the"
tell "recruiter put it: hiresync never moves an application a recruiter has moved on. Its note:"
actions_of "$app_c" | grep -v '"ActionOutcome":{' | tail -n 1 | note_text
[ "$(actions_of "$app_c" | grep -c -v '"ActionOutcome":{' || :)" -eq 1 ] ||
    fail "application $app_c lacks the one note saying it was not moved"

say "A last cycle: nothing new happened, so nothing is written"
before=$(actions | wc -l)
cycle --force
after=$(actions | wc -l)
invited_again=$(participants | grep -c '"email"' || :)
tell "Willo still has $invited_again invitations, Eploy still has $after actions: no duplicates."
[ "$invited_again" -eq 3 ] && [ "$after" -eq "$before" ] || fail "something was written twice"
expect_stage "$app_a" Interview
expect_stage "$app_b" Rejected
expect_stage "$app_c" Interview
tell "and every application is where it was."

say "What \`hiresync status\` shows an operator"
hs status | sed 's/^/   /'
tell "The clock skew warning is the demo's doing: it moved the sandbox's clock a week on."
tell "\`hiresync status --json\` gives the same to a monitoring system."

say "Stopping the sandbox"
tell "Story told: 3 invited; 1 answered (note with links and score, outcome \"Completed\","
tell "moved on by Eploy's workflow); 2 expired (outcome \"Expired\"; one moved to \"Rejected\","
tell "one left where a recruiter had put it); then nothing new."
