# Build rules for tests/sandbox (included from the top-level Makefile.am).
# hiresync-sandbox: local Eploy and Willo API servers plus an admin interface.
bin_PROGRAMS += hiresync-sandbox
hiresync_sandbox_SOURCES = \
	tests/sandbox/sandbox.h \
	tests/sandbox/sandbox_main.c \
	tests/sandbox/sandbox_client.c \
	tests/sandbox/sandbox_options.c \
	tests/sandbox/sandbox_rng.c \
	tests/sandbox/sandbox_time.c \
	tests/sandbox/sandbox_names.c \
	tests/sandbox/sandbox_data.c \
	tests/sandbox/sandbox_index.c \
	tests/sandbox/sandbox_http.c \
	tests/sandbox/sandbox_faults.c \
	tests/sandbox/sandbox_stats.c \
	tests/sandbox/sandbox_eploy.c \
	tests/sandbox/sandbox_eploy_auth.c \
	tests/sandbox/sandbox_eploy_search.c \
	tests/sandbox/sandbox_eploy_records.c \
	tests/sandbox/sandbox_eploy_workflow.c \
	tests/sandbox/sandbox_willo.c \
	tests/sandbox/sandbox_willo_participants.c \
	tests/sandbox/sandbox_willo_webhooks.c \
	tests/sandbox/sandbox_willo_deliveries.c \
	tests/sandbox/sandbox_willo_lifecycle.c \
	tests/sandbox/sandbox_admin.c
hiresync_sandbox_CPPFLAGS = $(AM_CPPFLAGS) -D_GNU_SOURCE
hiresync_sandbox_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) -pthread
hiresync_sandbox_LDADD = $(MHD_LIBS) $(CURL_LIBS) $(JSON_C_LIBS) -lm
hiresync_sandbox_LDFLAGS = -pthread

# Test support: start/stop a sandbox and call its admin interface (libcurl).
check_LTLIBRARIES += tests/support/libhstestsandbox.la
tests_support_libhstestsandbox_la_SOURCES = \
	tests/support/hs_test_sandbox.h \
	tests/support/hs_test_sandbox.c
tests_support_libhstestsandbox_la_CPPFLAGS = $(AM_CPPFLAGS) -D_GNU_SOURCE
tests_support_libhstestsandbox_la_LIBADD = $(CURL_LIBS) $(JSON_C_LIBS)

EXTRA_DIST += tests/sandbox/README.md

# Check tests: the servers driven over real HTTP.
SANDBOX_TEST_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/support -D_GNU_SOURCE $(CHECK_CFLAGS)
SANDBOX_TEST_LDADD = tests/support/libhstestsandbox.la $(CHECK_LIBS) $(CURL_LIBS) $(JSON_C_LIBS)
SANDBOX_TEST_UTIL = tests/sandbox/test_util.h tests/sandbox/test_util.c

check_PROGRAMS += tests/sandbox/test_sandbox_eploy tests/sandbox/test_sandbox_willo \
	tests/sandbox/test_sandbox_admin
TESTS += tests/sandbox/test_sandbox_eploy tests/sandbox/test_sandbox_willo \
	tests/sandbox/test_sandbox_admin

tests_sandbox_test_sandbox_eploy_SOURCES = tests/sandbox/test_sandbox_eploy.c $(SANDBOX_TEST_UTIL)
tests_sandbox_test_sandbox_eploy_CPPFLAGS = $(SANDBOX_TEST_CPPFLAGS)
tests_sandbox_test_sandbox_eploy_LDADD = $(SANDBOX_TEST_LDADD)
tests_sandbox_test_sandbox_willo_SOURCES = tests/sandbox/test_sandbox_willo.c $(SANDBOX_TEST_UTIL)
tests_sandbox_test_sandbox_willo_CPPFLAGS = $(SANDBOX_TEST_CPPFLAGS)
tests_sandbox_test_sandbox_willo_LDADD = $(SANDBOX_TEST_LDADD)
tests_sandbox_test_sandbox_admin_SOURCES = tests/sandbox/test_sandbox_admin.c $(SANDBOX_TEST_UTIL)
tests_sandbox_test_sandbox_admin_CPPFLAGS = $(SANDBOX_TEST_CPPFLAGS)
tests_sandbox_test_sandbox_admin_LDADD = $(SANDBOX_TEST_LDADD)

dist_man_MANS += tests/sandbox/hiresync-sandbox.1
