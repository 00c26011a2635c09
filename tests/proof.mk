# Build rules for benchmarks, fuzzing, the fault matrix and hostile-input tests (included from
# Makefile.am).

# ---- `make bench`: the performance table (not part of `make check`) -------------------------
EXTRA_PROGRAMS = tests/bench/bench
tests_bench_bench_SOURCES = tests/bench/bench.c
tests_bench_bench_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/support
tests_bench_bench_LDADD = tests/support/libhstestsandbox.la $(CURL_LIBS) $(JSON_C_LIBS)
CLEANFILES += tests/bench/bench bench-results.txt
EXTRA_DIST += tests/bench/PERFORMANCE.md

BENCH_SIZES = 1000,10000,100000,1000000
bench: tests/bench/bench$(EXEEXT) hiresync$(EXEEXT) hiresync-sandbox$(EXEEXT) plugin/eploy.la \
		plugin/willo.la
	@HIRESYNC_BIN='$(abs_top_builddir)/hiresync' \
	HIRESYNC_SANDBOX='$(abs_top_builddir)/hiresync-sandbox' \
	HIRESYNC_CONNECTOR_DIR='$(abs_top_builddir)/plugin/.libs' \
	HIRESYNC_MANIFEST_DIR='$(abs_top_srcdir)/manifests/connectors' \
	BENCH_SIZES='$(BENCH_SIZES)' BENCH_OUT='$(abs_top_builddir)/bench-results.txt' \
	tests/bench/bench$(EXEEXT)
.PHONY: bench

# ---- the fault matrix (in `make check`), in three programs so that -j2 runs them in parallel --
FAULT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
FAULT_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CURL_CFLAGS)
FAULT_LDADD = tests/support/libhstestsandbox.la $(CHECK_LIBS) $(CURL_LIBS) $(JSON_C_LIBS)
FAULT_SOURCES = tests/test_faults.c tests/test_e2e_util.c tests/test_e2e_util.h
check_PROGRAMS += tests/test_faults_reads tests/test_faults_lookups tests/test_faults_writes
TESTS += tests/test_faults_reads tests/test_faults_lookups tests/test_faults_writes
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
