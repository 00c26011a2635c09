# Build rules for benchmarks, fuzzing, the fault matrix and hostile-input tests (included from
# Makefile.am).

# ---- `make bench`: the performance table (not part of `make check`) -------------------------
EXTRA_PROGRAMS = tests/bench/bench tests/bench/bench_latency tests/bench/bench_fleet
BENCH_UTIL = tests/bench/bench_util.c tests/bench/bench_util.h
tests_bench_bench_SOURCES = tests/bench/bench.c $(BENCH_UTIL)
tests_bench_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/support
tests_bench_bench_LDADD = tests/support/libhstestsandbox.la $(CURL_LIBS) $(JSON_C_LIBS)
CLEANFILES += tests/bench/bench bench-results.txt
tests_bench_bench_latency_SOURCES = tests/bench/bench_latency.c $(BENCH_UTIL)
tests_bench_bench_latency_CPPFLAGS = $(tests_bench_bench_CPPFLAGS)
tests_bench_bench_latency_LDADD = $(tests_bench_bench_LDADD)
CLEANFILES += tests/bench/bench_latency
# A thousand pipelines on one daemon (about five minutes; `make bench-fleet` alone).
tests_bench_bench_fleet_SOURCES = tests/bench/bench_fleet.c $(BENCH_UTIL)
tests_bench_bench_fleet_CPPFLAGS = $(tests_bench_bench_CPPFLAGS)
tests_bench_bench_fleet_LDADD = $(tests_bench_bench_LDADD)
CLEANFILES += tests/bench/bench_fleet bench-fleet-results.txt
EXTRA_DIST += tests/bench/PERFORMANCE.md

BENCH_ENV = HIRESYNC_BIN='$(abs_top_builddir)/hiresync' \
	HIRESYNC_SANDBOX='$(abs_top_builddir)/hiresync-sandbox' \
	HIRESYNC_CONNECTOR_DIR='$(abs_top_builddir)/plugin/.libs' \
	HIRESYNC_MANIFEST_DIR='$(abs_top_srcdir)/manifests/connectors'
BENCH_SIZES = 1000,10000,100000,1000000
bench: tests/bench/bench$(EXEEXT) tests/bench/bench_latency$(EXEEXT) hiresync$(EXEEXT) \
		hiresync-sandbox$(EXEEXT) plugin/eploy.la plugin/willo.la
	@$(BENCH_ENV) BENCH_SIZES='$(BENCH_SIZES)' BENCH_OUT='$(abs_top_builddir)/bench-results.txt' \
	tests/bench/bench$(EXEEXT)
	@$(BENCH_ENV) BENCH_OUT='$(abs_top_builddir)/bench-results.txt' \
	tests/bench/bench_latency$(EXEEXT)
	@$(MAKE) $(AM_MAKEFLAGS) bench-fleet
bench-fleet: tests/bench/bench_fleet$(EXEEXT) hiresync$(EXEEXT) hiresync-sandbox$(EXEEXT) \
		plugin/eploy.la plugin/willo.la
	@$(BENCH_ENV) BENCH_OUT='$(abs_top_builddir)/bench-fleet-results.txt' \
	tests/bench/bench_fleet$(EXEEXT)
.PHONY: bench bench-fleet

# ---- the fault matrix (in `make check`), in four programs so that -j2 runs them in parallel ---
FAULT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
FAULT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CURL_CFLAGS)
FAULT_LDADD = tests/support/libhstestsandbox.la $(CHECK_LIBS) $(CURL_LIBS) $(JSON_C_LIBS)
FAULT_SOURCES = tests/test_faults.c tests/test_e2e_util.c tests/test_e2e_util.h
check_PROGRAMS += tests/test_faults_reads tests/test_faults_lookups tests/test_faults_writes \
	tests/test_faults_interviews
TESTS += tests/test_faults_reads tests/test_faults_lookups tests/test_faults_writes \
	tests/test_faults_interviews
tests_test_faults_reads_SOURCES = $(FAULT_SOURCES)
tests_test_faults_reads_CPPFLAGS = $(FAULT_CPPFLAGS) -DFAULT_GROUP=1
tests_test_faults_reads_CFLAGS = $(FAULT_CFLAGS)
tests_test_faults_reads_LDADD = $(FAULT_LDADD)
tests_test_faults_lookups_SOURCES = $(FAULT_SOURCES)
tests_test_faults_lookups_CPPFLAGS = $(FAULT_CPPFLAGS) -DFAULT_GROUP=2
tests_test_faults_lookups_CFLAGS = $(FAULT_CFLAGS)
tests_test_faults_lookups_LDADD = $(FAULT_LDADD)
tests_test_faults_writes_SOURCES = $(FAULT_SOURCES)
tests_test_faults_writes_CPPFLAGS = $(FAULT_CPPFLAGS) -DFAULT_GROUP=3
tests_test_faults_writes_CFLAGS = $(FAULT_CFLAGS)
tests_test_faults_writes_LDADD = $(FAULT_LDADD)
tests_test_faults_interviews_SOURCES = $(FAULT_SOURCES)
tests_test_faults_interviews_CPPFLAGS = $(FAULT_CPPFLAGS) -DFAULT_GROUP=4
tests_test_faults_interviews_CFLAGS = $(FAULT_CFLAGS)
tests_test_faults_interviews_LDADD = $(FAULT_LDADD)

# ---- fuzz targets: replayed in `make check`, fuzzed by `make fuzz-smoke` ----------------------
# Each target (tests/fuzz/fuzz_<name>.c) is one LLVMFuzzerTestOneInput. Under `make check` a
# plain driver (tests/fuzz/replay.c) runs it on every file of tests/fuzz/corpus/<name>/: the
# seeds and the reproducer of every crash ever found.
FUZZ_MANIFEST_DEF = -DFUZZ_MANIFEST_DIR='"$(abs_top_srcdir)/manifests/connectors"'
FUZZ_REPLAY_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/fuzz $(FUZZ_MANIFEST_DEF)
FUZZ_REPLAY_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
FUZZ_REPLAY_COMMON = tests/fuzz/replay.c tests/fuzz/fuzz_support.c tests/fuzz/fuzz_support.h \
	plugin/common/hs_http_status.c plugin/common/hs_errors.c plugin/common/hs_json.c plugin/common/hs_num.c plugin/common/hs_time.c \
	plugin/common/hs_url.c
FUZZ_REPLAY_LIBS = $(CHECK_LIBS) $(CURL_LIBS) $(JSON_C_LIBS) -lm
# The connector targets open with a configuration completed by hiresync's own validator.
FUZZ_HOST_CONFIG = tests/fuzz/fuzz_host_config.c tests/fuzz/fuzz_host_config.h
FUZZ_REPLAYS = tests/fuzz/replay_eploy tests/fuzz/replay_willo tests/fuzz/replay_json \
	tests/fuzz/replay_time tests/fuzz/replay_url tests/fuzz/replay_state \
	tests/fuzz/replay_config tests/fuzz/replay_manifest
check_PROGRAMS += $(FUZZ_REPLAYS)
TESTS += $(FUZZ_REPLAYS)

tests_fuzz_replay_eploy_SOURCES = tests/fuzz/fuzz_eploy.c $(FUZZ_REPLAY_COMMON) \
	$(FUZZ_HOST_CONFIG) $(plugin_eploy_la_SOURCES)
tests_fuzz_replay_eploy_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_NAME='"eploy"'
tests_fuzz_replay_eploy_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
tests_fuzz_replay_eploy_LDADD = host/libhshost.la $(LTDL_LIBS) $(FUZZ_REPLAY_LIBS) -lpthread

tests_fuzz_replay_willo_SOURCES = tests/fuzz/fuzz_willo.c $(FUZZ_REPLAY_COMMON) \
	$(FUZZ_HOST_CONFIG) $(plugin_willo_la_SOURCES)
tests_fuzz_replay_willo_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_NAME='"willo"'
tests_fuzz_replay_willo_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
tests_fuzz_replay_willo_LDADD = host/libhshost.la $(LTDL_LIBS) $(FUZZ_REPLAY_LIBS) -lpthread

tests_fuzz_replay_json_SOURCES = tests/fuzz/fuzz_json.c $(FUZZ_REPLAY_COMMON)
tests_fuzz_replay_json_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_NAME='"json"'
tests_fuzz_replay_json_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
tests_fuzz_replay_json_LDADD = $(FUZZ_REPLAY_LIBS)

tests_fuzz_replay_time_SOURCES = tests/fuzz/fuzz_time.c $(FUZZ_REPLAY_COMMON)
tests_fuzz_replay_time_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_NAME='"time"'
tests_fuzz_replay_time_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
tests_fuzz_replay_time_LDADD = $(FUZZ_REPLAY_LIBS)

tests_fuzz_replay_url_SOURCES = tests/fuzz/fuzz_url.c $(FUZZ_REPLAY_COMMON)
tests_fuzz_replay_url_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_NAME='"url"'
tests_fuzz_replay_url_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
tests_fuzz_replay_url_LDADD = $(FUZZ_REPLAY_LIBS)

tests_fuzz_replay_state_SOURCES = tests/fuzz/fuzz_state.c $(FUZZ_REPLAY_COMMON)
tests_fuzz_replay_state_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_NAME='"state"'
tests_fuzz_replay_state_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
tests_fuzz_replay_state_LDADD = host/libhsrunner.la $(FUZZ_REPLAY_LIBS)

tests_fuzz_replay_config_SOURCES = tests/fuzz/fuzz_config.c $(FUZZ_REPLAY_COMMON)
tests_fuzz_replay_config_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_NAME='"config"'
tests_fuzz_replay_config_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
tests_fuzz_replay_config_LDADD = host/libhshost.la $(LTDL_LIBS) $(FUZZ_REPLAY_LIBS) -lpthread

tests_fuzz_replay_manifest_SOURCES = tests/fuzz/fuzz_manifest.c $(FUZZ_REPLAY_COMMON)
tests_fuzz_replay_manifest_CPPFLAGS = $(FUZZ_REPLAY_CPPFLAGS) -DFUZZ_NAME='"manifest"'
tests_fuzz_replay_manifest_CFLAGS = $(FUZZ_REPLAY_CFLAGS)
tests_fuzz_replay_manifest_LDADD = host/libhshost.la $(LTDL_LIBS) $(FUZZ_REPLAY_LIBS) -lpthread

EXTRA_DIST += tests/fuzz/corpus tests/fuzz/fuzz-smoke.sh tests/fuzz/README.md

# `make fuzz-smoke`: builds every target with clang's libFuzzer, ASan and UBSan and fuzzes each
# for FUZZ_SECONDS. Skipped (with a message) when FUZZ_CC cannot build libFuzzer targets,
# unless FUZZ_REQUIRED=yes.
FUZZ_CC = clang
FUZZ_SECONDS = 30
FUZZ_REQUIRED = no
fuzz-smoke:
	@FUZZ_CC='$(FUZZ_CC)' FUZZ_SECONDS='$(FUZZ_SECONDS)' FUZZ_REQUIRED='$(FUZZ_REQUIRED)' \
	FUZZ_TARGETS='$(FUZZ_TARGETS)' \
	FUZZ_CPPFLAGS='$(DEFS) -I$(top_builddir) $(CURL_CFLAGS) $(JSON_C_CFLAGS) $(MHD_CFLAGS)' \
	FUZZ_MANIFEST_DIR='$(abs_top_srcdir)/manifests/connectors' \
	FUZZ_LIBS='$(CURL_LIBS) $(JSON_C_LIBS) $(LTDL_LIBS) $(SYSTEMD_LIBS) $(MHD_LIBS) -lpthread -lm' \
	$(SHELL) '$(top_srcdir)/tests/fuzz/fuzz-smoke.sh' '$(top_srcdir)' '$(top_builddir)'
FUZZ_TARGETS = eploy willo json time url state config manifest
.PHONY: fuzz-smoke

# ---- hostile answers: the connectors against a lying server and a second "other host" ---------
check_PROGRAMS += tests/test_hostile
TESTS += tests/test_hostile
tests_test_hostile_SOURCES = tests/test_hostile.c
tests_test_hostile_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/support
tests_test_hostile_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(MHD_CFLAGS) -pthread
tests_test_hostile_LDADD = tests/support/libhstesthost.la $(CHECK_LIBS) $(MHD_LIBS) $(CURL_LIBS) \
	$(JSON_C_LIBS) $(LTDL_LIBS) -lpthread
EXTRA_tests_test_hostile_DEPENDENCIES = plugin/eploy.la plugin/willo.la
clean-local: clean-fuzz
clean-fuzz:
	-rm -rf tests/fuzz/bin tests/fuzz/work tests/fuzz/crashes
.PHONY: clean-fuzz
