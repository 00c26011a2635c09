#!/bin/sh
# hiresync-connector(7)'s complete minimal connector is true: hello.c and hello.json, taken
# from the page's text, compile with the command the page gives, load from a directory on
# HIRESYNC_CONNECTOR_PATH, list their job and pass hiresync-conformance.
set -eu
: "${PKG_CONFIG:=pkg-config}" "${CC:=cc}"
page=$HIRESYNC_SRCDIR/doc/hiresync-connector.7
work=$(mktemp -d "${TMPDIR:-/tmp}/hiresync-doc.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
fail() { echo "connector_doc: $*" >&2; exit 1; }

# The lines between the page's '.\" NAME begins' and '.\" NAME ends' comments, minus the
# .nf/.fi requests, with roff's escapes for '\' and '-' undone.
extract() {
    awk -v b=".\\\\\" $1 begins" -v e=".\\\\\" $1 ends" \
        'index($0, b) == 1 { on = 1; next } index($0, e) == 1 { on = 0 }
         on && !/^\.(nf|fi)$/ { print }' "$page" | sed -e 's/\\-/-/g' -e 's/\\e/\\/g'
}
extract hello.c >"$work/hello.c"
extract hello.json >"$work/hello.json"
[ -s "$work/hello.c" ] && [ -s "$work/hello.json" ] || fail "hello.c or hello.json not found in $page"

mkdir "$work/lib"
# The page's command, with the header of this tree instead of the installed one.
$CC -std=c11 -Wall -Wextra -Werror -shared -fPIC -fvisibility=hidden \
    -I"$HIRESYNC_SRCDIR/include" $($PKG_CONFIG --cflags json-c) \
    -o "$work/lib/hello.so" "$work/hello.c" $($PKG_CONFIG --libs json-c) ||
    fail "the page's hello.c does not compile"
install -m 644 "$work/hello.json" "$work/lib/hello.json"
chmod 755 "$work/lib/hello.so"

HIRESYNC_CONNECTOR_PATH=$work/lib
export HIRESYNC_CONNECTOR_PATH
out=$("$HIRESYNC_BIN" connectors 2>&1) || { echo "$out"; fail "hiresync connectors failed"; }
echo "$out" | grep -q "^hello .*$work/lib/hello.so" || { echo "$out"; fail "hello is not listed as loaded from $work/lib"; }
printf '{ "state_dir": "%s/state", "connections": { "h": { "connector": "hello" } }, "pipelines": {} }\n' \
    "$work" >"$work/hiresync.json"
chmod 600 "$work/hiresync.json"
jobs=$("$HIRESYNC_BIN" -c "$work/hiresync.json" jobs h 2>&1) || { echo "$jobs"; fail "hiresync jobs h failed"; }
echo "$jobs" | grep -q "Hello job" || { echo "$jobs"; fail "hello's job (with the manifest's default title) is not listed"; }
"$HIRESYNC_BUILDDIR/hiresync-conformance" "$work/lib/hello.so" -c "$work/hiresync.json" \
    >"$work/kit" 2>&1 || { cat "$work/kit"; fail "the page's hello fails hiresync-conformance"; }
echo "connector_doc: the page's hello connector builds, loads, lists its job and passes the kit"
