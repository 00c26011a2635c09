# Build rules for plugin/willo (included from the top-level Makefile.am).

# The Willo connector module (plugin/.libs/willo.so).
pkglib_LTLIBRARIES += plugin/willo.la
plugin_willo_la_SOURCES = \
	plugin/willo/willo.c plugin/willo/willo.h \
	plugin/willo/willo_config.c \
	plugin/willo/willo_client.c \
	plugin/willo/willo_participant.c \
	plugin/willo/willo_phone.c \
	plugin/willo/willo_jobs.c \
	plugin/willo/willo_invite.c \
	plugin/willo/willo_changes.c \
	plugin/willo/willo_cursor.c \
	plugin/willo/willo_lifecycle.c \
	plugin/willo/willo_check.c \
	plugin/willo/willo_subscriptions.c
plugin_willo_la_LDFLAGS = $(CONNECTOR_LINK_FLAGS)
plugin_willo_la_LIBADD = plugin/common/libhscommon.la $(CURL_LIBS) $(JSON_C_LIBS)

# E.164 normalisation, tested on its own source.
check_PROGRAMS += tests/test_willo_phone
TESTS += tests/test_willo_phone
tests_test_willo_phone_SOURCES = tests/test_willo_phone.c plugin/willo/willo_phone.c
tests_test_willo_phone_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_willo_phone_LDADD = $(CHECK_LIBS)

# The connector module against the sandbox's Willo server.
check_PROGRAMS += tests/test_willo
TESTS += tests/test_willo
tests_test_willo_SOURCES = tests/test_willo.c
tests_test_willo_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/support
tests_test_willo_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_willo_LDADD = tests/support/libhstesthost.la tests/support/libhstestsandbox.la \
	$(CHECK_LIBS) $(CURL_LIBS) $(JSON_C_LIBS) $(LTDL_LIBS)

EXTRA_DIST += plugin/willo/README.md

# The lifecycle reads and re-invitations, for hosts of ABI 2.1 and 2.0.
check_PROGRAMS += tests/test_willo_lifecycle
TESTS += tests/test_willo_lifecycle
tests_test_willo_lifecycle_SOURCES = tests/test_willo_lifecycle.c
tests_test_willo_lifecycle_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/support
tests_test_willo_lifecycle_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_willo_lifecycle_LDADD = $(tests_test_willo_LDADD)
