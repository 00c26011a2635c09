# The jsonl connector (examples/jsonl), the worked example of hiresync-connector(7). It uses
# only what an integrator has: the public header and json-c, not plugin/common; its plain
# GNUmakefile builds the same sources outside the tree (CI's connector-sdk step does).
pkglib_LTLIBRARIES += examples/jsonl/jsonl.la
examples_jsonl_jsonl_la_SOURCES = \
	examples/jsonl/jsonl.c examples/jsonl/jsonl.h \
	examples/jsonl/jsonl_changes.c \
	examples/jsonl/jsonl_check.c \
	examples/jsonl/jsonl_jobs.c \
	examples/jsonl/jsonl_write.c
examples_jsonl_jsonl_la_CPPFLAGS = -I$(top_srcdir)/include
examples_jsonl_jsonl_la_CFLAGS = -std=c11 $(WARN_CFLAGS) $(JSON_C_CFLAGS) -fvisibility=hidden
examples_jsonl_jsonl_la_LDFLAGS = $(CONNECTOR_LINK_FLAGS)
examples_jsonl_jsonl_la_LIBADD = $(JSON_C_LIBS)
# Installed beside its module, as every connector's manifest.
dist_connectormanifests_DATA += examples/jsonl/jsonl.json
EXTRA_DIST += examples/jsonl/GNUmakefile examples/jsonl/README.md

# End to end: the sandbox's Eploy to jsonl as the interviews side, found through
# HIRESYNC_CONNECTOR_PATH (CI's connector-sdk step runs the same script on the installed
# programs and the out-of-tree build). And the man page's minimal connector, compiled from
# the page's own text.
TESTS += tests/jsonl_pipeline.sh tests/connector_doc.sh tests/jsonl_conformance.sh
dist_noinst_SCRIPTS += tests/jsonl_pipeline.sh tests/connector_doc.sh tests/jsonl_conformance.sh
AM_TESTS_ENVIRONMENT += CC='$(CC)'; export CC;

# jsonl's own promises (cursor, partial lines, replaced files, snapshot, writes once per key,
# check) through the test host.
check_PROGRAMS += tests/test_jsonl
TESTS += tests/test_jsonl
tests_test_jsonl_SOURCES = tests/test_jsonl.c tests/host_testutil.c tests/host_testutil.h
tests_test_jsonl_CPPFLAGS = -I$(top_srcdir)/include -I$(top_srcdir)/tests/support \
	-I$(top_srcdir)/tests
tests_test_jsonl_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_jsonl_LDADD = tests/support/libhstesthost.la $(CHECK_LIBS) $(JSON_C_LIBS) $(LTDL_LIBS)
