#!/bin/sh
# CI: install hiresync under a scratch prefix (so every path in the generated units exists),
# run `systemd-analyze verify` on the installed units, and require
# `systemd-analyze security --offline=true` to rate each service 2.0 or lower.
# Usage: tests/deploy/check-systemd.sh   (in a configured and built tree; needs systemd)
set -eu
cd "$(dirname "$0")/../.."
scratch=$(mktemp -d)
generated="manifests/deploy/hiresync.service manifests/deploy/hiresync-once.service
  manifests/deploy/sysusers.d/hiresync.conf manifests/deploy/tmpfiles.d/hiresync.conf"
# The units are made again for the scratch prefix, and once more for the configured one after.
# shellcheck disable=SC2086
trap 'rm -rf "$scratch"; rm -f $generated; make $generated >/dev/null' EXIT
prefix="$scratch/prefix"
# shellcheck disable=SC2086
rm -f $generated
make install prefix="$prefix" >/dev/null
units="$prefix/lib/systemd/system"
for f in hiresync.service hiresync-once.service hiresync-once.timer; do
  test -f "$units/$f" || { echo "check-systemd: $units/$f was not installed"; exit 1; }
done
test -f "$prefix/lib/sysusers.d/hiresync.conf" || { echo "check-systemd: no sysusers.d file"; exit 1; }
test -f "$prefix/lib/tmpfiles.d/hiresync.conf" || { echo "check-systemd: no tmpfiles.d file"; exit 1; }
grep -q "^ExecStart=$prefix/bin/hiresync " "$units/hiresync.service" ||
  { echo "check-systemd: hiresync.service does not start $prefix/bin/hiresync"; exit 1; }
# verify prints warnings without failing on some of them: any output is a failure.
out=$(cd "$units" && MANPATH="$prefix/share/man" systemd-analyze verify \
        ./hiresync.service ./hiresync-once.service ./hiresync-once.timer 2>&1) || {
  printf '%s\n' "$out"; echo "check-systemd: systemd-analyze verify failed"; exit 1; }
if [ -n "$out" ]; then
  printf '%s\n' "$out"; echo "check-systemd: systemd-analyze verify warned"; exit 1
fi
echo "systemd-analyze verify: clean"
for unit in hiresync.service hiresync-once.service; do
  line=$(cd "$units" && systemd-analyze security --offline=true "./$unit" 2>&1 |
         grep 'Overall exposure level') || {
    echo "check-systemd: no exposure level for $unit"; exit 1; }
  score=$(printf '%s\n' "$line" | sed -n 's/.*: \([0-9][0-9]*\.[0-9]\).*/\1/p')
  echo "$unit: $score"
  awk -v s="$score" 'BEGIN { exit !(s != "" && s + 0 <= 2.0) }' ||
    { echo "check-systemd: $unit rates $score, above 2.0"; exit 1; }
done
