#!/bin/sh
# hiresync-conformance on test modules (tests/modules/hst_bad.c): the one that keeps the
# contract passes; each one that breaks a rule makes the kit fail the test of that rule, by
# name, with exit status 1. Usage errors exit 2.
set -u
kit="$HIRESYNC_BUILDDIR/hiresync-conformance"
mods="$HIRESYNC_BUILDDIR/tests/kit/.libs"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "conformance_bad.sh: $*" >&2; exit 1; }
umask 022
mkdir "$work/mods"

# A module with its manifest beside it, in a directory of our own (the kit's MODULE form).
install_module() {
    cp "$mods/$1.so" "$work/mods/$1.so" || fail "$1.so is not built"
    sed "s/@NAME@/$1/g" "$HIRESYNC_SRCDIR/tests/data/hst_kit.json" >"$work/mods/$1.json"
    (umask 077 && printf '{ "state_dir": "%s", "connections": { "c": { "connector": "%s", "api_key": "good-key" } } }\n' \
        "$work/state" "$1" >"$work/$1.conf")
}

# expect MODULE STATUS [TEST]: the kit's exit status, and the test that must fail. The 2.1
# tests are told the workflow the module's records move in, and an outcome for a note.
expect() {
    install_module "$1"
    "$kit" "$work/mods/$1.so" -c "$work/$1.conf" --write --move-from "Video Interview" \
        --move-to "Shortlist/Passed" --outcome Completed >"$work/$1.out" 2>"$work/$1.err"
    rc=$?
    sed "s/^/$1: /" "$work/$1.out" "$work/$1.err"
    [ $rc -eq "$2" ] || fail "$1: exit status $rc, $2 expected"
    if [ $# -ge 3 ]; then
        grep -q "^FAIL  $3 " "$work/$1.out" || fail "$1: test $3 did not fail"
    else
        ! grep -q "^FAIL" "$work/$1.out" || fail "$1: a test failed"
    fi
}

expect hst_good 0
expect hst_bad_stderr 1 stdio
expect hst_bad_canary 1 canary
expect hst_bad_barrier 1 read-first
expect hst_bad_cancel 1 cancel-start
expect hst_bad_dupwrite 1 write-idempotent
expect hst_bad_overrun 1 write-small-buffer
expect hst_bad_lenient 1 open-missing
expect hst_bad_cursor 1 read-first
expect hst_bad_rekey 1 read-reread
expect hst_bad_shapes 1 jobs
expect hst_bad_check 1 check
expect hst_bad_caps 1 handshake
expect hst_bad_nostop 1 emitter-stop
expect hst_bad_exit 1 stdio
expect hst_bad_global 1 two-connections
# ABI 2.1: each of these fails its test and no other.
expect_only() {
    expect "$1" 1 "$2"
    [ "$(grep -c '^FAIL  ' "$work/$1.out")" -eq 1 ] || fail "$1: more than $2 failed"
}
expect_only hst_bad_movefrom move-conflict
expect_only hst_bad_movedup move-idempotent
expect_only hst_bad_lifeold lifecycle-host-2.0
expect_only hst_bad_lifekey lifecycle
expect_only hst_bad_outcome write-outcome
expect_only hst_bad_progress progress
expect_only hst_bad_progold progress
expect_only hst_bad_outfrom outcome-from
expect_only hst_bad_outsize outcome-from
grep -q '^FAIL  progress .*pages_done 1 after 2' "$work/hst_bad_progress.out" \
    || fail "hst_bad_progress: pages going back not named"
grep -q '^FAIL  progress .*emitter whose struct_size .* stops before it' "$work/hst_bad_progold.out" \
    || fail "hst_bad_progold: a call through a 2.0-sized emitter not named"
grep -q '^FAIL  outcome-from .*outcome_withheld 0, 1 expected' "$work/hst_bad_outfrom.out" \
    || fail "hst_bad_outfrom: the outcome recorded away from outcome_from not named"
grep -q '^FAIL  outcome-from .*wrote past a result' "$work/hst_bad_outsize.out" \
    || fail "hst_bad_outsize: the write past a 2.0-sized result not named"
# AddressSanitizer takes the SIGSEGV before the kit can report it: checked in plain builds.
if ldd "$HIRESYNC_BUILDDIR/.libs/hiresync-conformance" "$HIRESYNC_BUILDDIR/hiresync-conformance" 2>/dev/null | grep -q libasan; then
    echo "sanitizer build: the crash report is checked in the plain build"
else
    expect hst_bad_crash 1 close-null
    grep -q "^FAIL  close-null  *the connector crashed the kit (signal 11)" "$work/hst_bad_crash.out" \
        || fail "hst_bad_crash: the crash is not reported"
fi
grep -q 'FAIL  stdio  *module_exit wrote' "$work/hst_bad_exit.out" || fail "hst_bad_exit: module_exit not named"

# The module that passes every test runs them all when told what it needs: nothing skipped.
! grep -q '^SKIP' "$work/hst_good.out" || fail "hst_good: a test was skipped"
grep -q '^PASS  lifecycle .*7 interview changes (6 of 2.1 kinds, 3 answers' "$work/hst_good.out" \
    || fail "hst_good: the lifecycle records were not all read"
grep -q '^PASS  lifecycle-host-2.0 .*received 4 records' "$work/hst_good.out" \
    || fail "hst_good: a 2.0 host did not get the 2.0 records alone"
grep -q '^PASS  progress  *6 reports in 2 reads (up to 3 pages' "$work/hst_good.out" \
    || fail "hst_good: the progress of its reads was not all seen"
# The moves left application 101 at Shortlist: only from there is its outcome recorded.
grep -q '^PASS  outcome-from  *record 101 in "Shortlist": .* only from "New" withheld' \
    "$work/hst_good.out" || fail "hst_good: outcome-from did not guard by where the record is"
# Without --write, the writes and moves are skipped, and only they.
"$kit" "$work/mods/hst_good.so" -c "$work/hst_good.conf" >"$work/nowrite.out" 2>&1 \
    || fail "hst_good without --write: $(cat "$work/nowrite.out")"
grep -q "^SKIP  write-idempotent .*--write" "$work/nowrite.out" \
    || fail "without --write the writes are not skipped"
grep -q "^SKIP  move-conflict .*--write" "$work/nowrite.out" \
    || fail "without --write the moves are not skipped"
grep -q "^SKIP  outcome-from .*--write" "$work/nowrite.out" \
    || fail "without --write outcome-from is not skipped"
[ "$(grep -c '^SKIP' "$work/nowrite.out")" -eq 6 ] || fail "more than the writes skipped"
# With --write but not told the workflow: the moves say what to give.
"$kit" "$work/mods/hst_good.so" -c "$work/hst_good.conf" --write >"$work/nomove.out" 2>&1 \
    || fail "hst_good without --move-to: $(cat "$work/nomove.out")"
grep -q "^SKIP  move-idempotent .*--move-to STAGE and --move-from STAGE" "$work/nomove.out" \
    || fail "without --move-to the moves do not say what they need"
grep -q "^SKIP  write-outcome .*--outcome" "$work/nomove.out" \
    || fail "without --outcome write-outcome does not say what it needs"
grep -q "^SKIP  outcome-from .*--outcome" "$work/nomove.out" \
    || fail "without --outcome outcome-from does not say what it needs"

# --json: one document with every test.
"$kit" "$work/mods/hst_bad_stderr.so" -c "$work/hst_bad_stderr.conf" --json \
    >"$work/json.out" 2>&1
grep -q '"test":"stdio","result":"FAIL"' "$work/json.out" || fail "--json: $(cat "$work/json.out")"

# A leak on a refused configuration is for valgrind to see.
if ldd "$HIRESYNC_BUILDDIR/.libs/hiresync-conformance" "$HIRESYNC_BUILDDIR/hiresync-conformance" 2>/dev/null | grep -q libasan; then
    echo "sanitizer build: valgrind cannot run it; the leak is AddressSanitizer's to report"
elif command -v valgrind >/dev/null 2>&1; then
    install_module hst_bad_leak
    "$HIRESYNC_BUILDDIR/libtool" --mode=execute valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
        "$kit" "$work/mods/hst_bad_leak.so" -c "$work/hst_bad_leak.conf" >/dev/null 2>&1
    rc=$?
    [ $rc -eq 99 ] || fail "hst_bad_leak under valgrind: exit status $rc, 99 expected"
    echo "hst_bad_leak: valgrind found the leak"
fi

# Usage and configuration errors.
"$kit" >/dev/null 2>&1; [ $? -eq 2 ] || fail "no CONNECTOR: not exit status 2"
"$kit" "$work/mods/hst_good.so" >/dev/null 2>&1; [ $? -eq 2 ] || fail "no -c: not exit status 2"
"$kit" "$work/mods/hst_good.so" -c "$work/hst_good.conf" --connection nope >/dev/null 2>&1
[ $? -eq 2 ] || fail "an unknown connection: not exit status 2"
"$kit" "$work/mods/hst_good.so" -c "$work/hst_good.conf" --move-to Shortlist >/dev/null 2>&1
[ $? -eq 2 ] || fail "--move-to without --move-from: not exit status 2"
"$kit" "$work/mods/hst_good.so" -c "$work/hst_good.conf" --move-to Shortlist --move-from "a,,b" \
    >/dev/null 2>&1
[ $? -eq 2 ] || fail "an empty --move-from entry: not exit status 2"
"$kit" --help | grep -q -- "--write" || fail "--help does not describe --write"
echo "every broken rule was named"
