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
