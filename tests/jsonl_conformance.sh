#!/bin/sh
# hiresync-conformance passes on jsonl, with records to read (so that the re-read from a
# committed cursor is tested) and --write (writes once per key), every test PASS or a SKIP
# that does not apply to jsonl (it has no secret, and offers no move_record).
set -eu
work=$(mktemp -d "${TMPDIR:-/tmp}/hiresync-jsonl-kit.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/connectors" && mkdir -m 700 "$work/files"
ln -s "$HIRESYNC_BUILDDIR/examples/jsonl/.libs/jsonl.so" "$work/connectors/jsonl.so"
ln -s "$HIRESYNC_SRCDIR/examples/jsonl/jsonl.json" "$work/connectors/jsonl.json"
echo '{"id": "video-1", "title": "Video screening", "stages": ["Invited", "Completed"]}' \
    >"$work/files/jobs.jsonl"
{
    echo '{"record_id": "A1", "job_id": "video-1", "stage": "Invited", "person": {"email": "a@example.com"}}'
    echo '{"record_id": "A2", "job_id": "video-1", "stage": "Invited"}'
    echo '{"kind": "completed", "record_id": "inv-1", "job_id": "video-1", "link": "https://answers.example/1"}'
} >"$work/files/changes.jsonl"
chmod 600 "$work/files/changes.jsonl"
cat >"$work/hiresync.json" <<CFG
{ "state_dir": "$work/state",
  "connections": { "files": { "connector": "jsonl", "dir": "$work/files", "barrier_every": 2 } },
  "pipelines": {} }
CFG
chmod 600 "$work/hiresync.json"
"$HIRESYNC_BUILDDIR/hiresync-conformance" "$work/connectors/jsonl.so" -c "$work/hiresync.json" \
    --jobs video-1 --write --outcome Completed >"$work/report" 2>&1 || { cat "$work/report"; exit 1; }
cat "$work/report"
# Only the tests about secrets, moves and progress may be skipped: jsonl's configuration holds
# no secret, it moves nothing, and a read of one local file has no pages to report.
if grep '^SKIP' "$work/report" | grep -v -E '^SKIP +(canary|secrets|move-idempotent|move-conflict|progress) '; then
    echo "jsonl_conformance: a test was skipped that jsonl should run" >&2
    exit 1
fi
