# Build rules for plugin/eploy (included from the top-level Makefile.am).

# The Eploy connector module (plugin/.libs/eploy.so).
pkglib_LTLIBRARIES += plugin/eploy.la
plugin_eploy_la_SOURCES = \
	plugin/eploy/eploy.h \
	plugin/eploy/eploy.c \
	plugin/eploy/eploy_auth.c \
	plugin/eploy/eploy_call.c \
	plugin/eploy/eploy_changes.c \
	plugin/eploy/eploy_check.c \
	plugin/eploy/eploy_config.c \
	plugin/eploy/eploy_cursor.c \
	plugin/eploy/eploy_date.c \
	plugin/eploy/eploy_export.c \
	plugin/eploy/eploy_history.c \
	plugin/eploy/eploy_jobs.c \
	plugin/eploy/eploy_move.c \
	plugin/eploy/eploy_notes.c \
	plugin/eploy/eploy_people.c \
	plugin/eploy/eploy_quota.c \
	plugin/eploy/eploy_search.c
plugin_eploy_la_LDFLAGS = $(CONNECTOR_LINK_FLAGS)
plugin_eploy_la_LIBADD = plugin/common/libhscommon.la $(CURL_LIBS) $(JSON_C_LIBS)

# The connector against the sandbox (loads plugin/.libs/eploy.so, starts hiresync-sandbox).
check_PROGRAMS += tests/test_eploy
TESTS += tests/test_eploy
tests_test_eploy_SOURCES = tests/test_eploy.c
tests_test_eploy_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/support
tests_test_eploy_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_eploy_LDADD = tests/support/libhstesthost.la tests/support/libhstestsandbox.la \
	$(CHECK_LIBS) $(CURL_LIBS) $(JSON_C_LIBS) $(LTDL_LIBS)
EXTRA_tests_test_eploy_DEPENDENCIES = plugin/eploy.la hiresync-sandbox

# Eploy refusing the status history (403, 404, 405, 501): the fallback, its daily probe.
check_PROGRAMS += tests/test_eploy_history
TESTS += tests/test_eploy_history
tests_test_eploy_history_SOURCES = tests/test_eploy_history.c
tests_test_eploy_history_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/support
tests_test_eploy_history_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_eploy_history_LDADD = tests/support/libhstesthost.la tests/support/libhstestsandbox.la \
	$(CHECK_LIBS) $(CURL_LIBS) $(JSON_C_LIBS) $(LTDL_LIBS)
EXTRA_tests_test_eploy_history_DEPENDENCIES = plugin/eploy.la hiresync-sandbox

# The connector against answers the sandbox does not give (a canned-answer loopback server).
check_PROGRAMS += tests/test_eploy_tolerance
TESTS += tests/test_eploy_tolerance
tests_test_eploy_tolerance_SOURCES = tests/test_eploy_tolerance.c
tests_test_eploy_tolerance_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/support
tests_test_eploy_tolerance_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -pthread
tests_test_eploy_tolerance_LDADD = tests/support/libhstesthost.la $(CHECK_LIBS) $(CURL_LIBS) \
	$(JSON_C_LIBS) $(LTDL_LIBS)
EXTRA_tests_test_eploy_tolerance_DEPENDENCIES = plugin/eploy.la

# The workflow writes against the sandbox: outcomes, moves, export packages.
check_PROGRAMS += tests/test_eploy_workflow
TESTS += tests/test_eploy_workflow
tests_test_eploy_workflow_SOURCES = tests/test_eploy_workflow.c
tests_test_eploy_workflow_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/support
tests_test_eploy_workflow_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_eploy_workflow_LDADD = tests/support/libhstesthost.la tests/support/libhstestsandbox.la \
	$(CHECK_LIBS) $(CURL_LIBS) $(JSON_C_LIBS) $(LTDL_LIBS)
EXTRA_tests_test_eploy_workflow_DEPENDENCIES = plugin/eploy.la hiresync-sandbox
