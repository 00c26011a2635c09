# Build rules for plugin/common (included from the top-level Makefile.am).

# Helpers every connector links in: HTTP with retries, URL checks, JSON, time, errors.
noinst_LTLIBRARIES += plugin/common/libhscommon.la
plugin_common_libhscommon_la_SOURCES = \
	plugin/common/hs_errors.c plugin/common/hs_errors.h \
	plugin/common/hs_http.c plugin/common/hs_http.h plugin/common/hs_http_status.c \
	plugin/common/hs_json.c plugin/common/hs_json.h \
	plugin/common/hs_num.c plugin/common/hs_num.h \
	plugin/common/hs_time.c plugin/common/hs_time.h \
	plugin/common/hs_url.c plugin/common/hs_url.h
plugin_common_libhscommon_la_CFLAGS = $(AM_CFLAGS) -fvisibility=hidden
plugin_common_libhscommon_la_LIBADD = $(CURL_LIBS) $(JSON_C_LIBS) -lm

# The test host: an hs_host_api with captured logs, a fake clock, a store, a module loader
# and collectors for emitted records (tests/support/hs_test_host.h).
check_LTLIBRARIES += tests/support/libhstesthost.la
tests_support_libhstesthost_la_SOURCES = \
	tests/support/hs_test_host.c tests/support/hs_test_host.h \
	tests/support/hs_test_config.c tests/support/hs_test_config.h
tests_support_libhstesthost_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/support
# hiresync's own configuration validator, so that connector tests open with what it makes.
tests_support_libhstesthost_la_LIBADD = host/libhshost.la $(CURL_LIBS) $(LTDL_LIBS) \
	$(JSON_C_LIBS) -lpthread

check_PROGRAMS += tests/test_common
TESTS += tests/test_common
tests_test_common_SOURCES = tests/test_common.c
tests_test_common_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/support
tests_test_common_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_common_LDADD = plugin/common/libhscommon.la tests/support/libhstesthost.la \
	$(CHECK_LIBS) $(CURL_LIBS) $(JSON_C_LIBS) $(LTDL_LIBS)

# hs_http against a scripted loopback server (libmicrohttpd), on the test host's fake clock.
check_PROGRAMS += tests/test_http
TESTS += tests/test_http
tests_test_http_SOURCES = tests/test_http.c
tests_test_http_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/support
tests_test_http_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(MHD_CFLAGS) -pthread
tests_test_http_LDADD = plugin/common/libhscommon.la tests/support/libhstesthost.la \
	$(CHECK_LIBS) $(MHD_LIBS) $(CURL_LIBS) $(JSON_C_LIBS) $(LTDL_LIBS) -lpthread
