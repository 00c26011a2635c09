#!/bin/sh
# Builds each fuzz target with libFuzzer, ASan and UBSan and fuzzes it for FUZZ_SECONDS,
# starting from its seed corpus. Called by `make fuzz-smoke` with the source and build
# directories; FUZZ_CC, FUZZ_SECONDS, FUZZ_TARGETS, FUZZ_CPPFLAGS, FUZZ_LIBS, FUZZ_REQUIRED and
# FUZZ_MANIFEST_DIR come from the environment.
#
# A crash leaves its input in <builddir>/tests/fuzz/crashes/; copy it into
# tests/fuzz/corpus/<target>/ and `make check` replays it from then on.
set -u
src=$1
build=$2
bin=$build/tests/fuzz/bin
work=$build/tests/fuzz/work
crashes=$build/tests/fuzz/crashes
flags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
mkdir -p "$bin" "$work" "$crashes" || exit 1

probe=$bin/probe.c
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' > "$probe"
if ! $FUZZ_CC $flags "$probe" -o "$bin/probe" 2>/dev/null; then
    rm -f "$probe"
    echo "fuzz-smoke: $FUZZ_CC cannot build libFuzzer targets; install clang (apt-get install clang) or set FUZZ_CC"
    [ "$FUZZ_REQUIRED" = yes ] && exit 1
    exit 0
fi
rm -f "$probe" "$bin/probe"

common="$src/tests/fuzz/fuzz_support.c $src/plugin/common/hs_http_status.c $src/plugin/common/hs_errors.c $src/plugin/common/hs_json.c
        $src/plugin/common/hs_num.c
        $src/plugin/common/hs_time.c $src/plugin/common/hs_url.c"
host=""
for f in "$src"/host/*.c; do
    case $f in */main.c|*/cli.c|*/cmd_*.c) ;; *) host="$host $f" ;; esac
done

status=0
for t in $FUZZ_TARGETS; do
    case $t in
    eploy|willo) extra="$(ls "$src"/plugin/$t/*.c) $src/tests/fuzz/fuzz_host_config.c $host" ;;
    state|config|manifest) extra=$host ;;
    *) extra="" ;;
    esac
    echo "fuzz-smoke: building $t"
    # shellcheck disable=SC2086
    if ! $FUZZ_CC $flags -std=c11 $FUZZ_CPPFLAGS -I"$src/include" -I"$src/plugin/common" \
            -I"$src/tests/fuzz" -DHS_CONNECTOR_DIR='"/nonexistent"' \
            -DHS_SYSCONFDIR='"/nonexistent"' \
            -DHS_LOCALSTATEDIR='"/nonexistent"' -DFUZZ_MANIFEST_DIR="\"$FUZZ_MANIFEST_DIR\"" \
            "$src/tests/fuzz/fuzz_$t.c" $common $extra $FUZZ_LIBS -o "$bin/fuzz_$t"; then
        echo "fuzz-smoke: $t does not build"
        status=1
        continue
    fi
    mkdir -p "$work/$t"
    echo "fuzz-smoke: fuzzing $t for $FUZZ_SECONDS s"
    if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
            "$bin/fuzz_$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
            -max_len=65536 -print_final_stats=1 -artifact_prefix="$crashes/$t-" \
            "$work/$t" "$src/tests/fuzz/corpus/$t" > "$work/$t.log" 2>&1; then
        tail -n 60 "$work/$t.log"
        echo "fuzz-smoke: $t FAILED; the input is in $crashes/ (copy it into tests/fuzz/corpus/$t/)"
        status=1
        continue
    fi
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$work/$t.log" | tr '\n' ' '
    echo
done
exit $status
