# Build rules for tests/sandbox (included from the top-level Makefile.am).
# hiresync-sandbox: local Eploy and Willo API servers plus an admin interface.
bin_PROGRAMS += hiresync-sandbox
hiresync_sandbox_SOURCES = \
	tests/sandbox/sandbox.h \
	tests/sandbox/sandbox_main.c \
	tests/sandbox/sandbox_options.c \
	tests/sandbox/sandbox_rng.c \
	tests/sandbox/sandbox_time.c \
	tests/sandbox/sandbox_names.c \
	tests/sandbox/sandbox_data.c \
	tests/sandbox/sandbox_http.c \
	tests/sandbox/sandbox_faults.c \
	tests/sandbox/sandbox_stats.c \
	tests/sandbox/sandbox_eploy.c \
	tests/sandbox/sandbox_eploy_auth.c \
	tests/sandbox/sandbox_eploy_search.c \
	tests/sandbox/sandbox_eploy_records.c \
	tests/sandbox/sandbox_willo.c \
	tests/sandbox/sandbox_willo_participants.c \
	tests/sandbox/sandbox_willo_webhooks.c \
	tests/sandbox/sandbox_admin.c
hiresync_sandbox_CPPFLAGS = $(AM_CPPFLAGS) -D_GNU_SOURCE
hiresync_sandbox_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) -pthread
hiresync_sandbox_LDADD = $(MHD_LIBS) $(JSON_C_LIBS) -lm
hiresync_sandbox_LDFLAGS = -pthread

# Test support: start/stop a sandbox and call its admin interface (libcurl).
check_LTLIBRARIES += tests/support/libhstestsandbox.la
tests_support_libhstestsandbox_la_SOURCES = \
	tests/support/hs_test_sandbox.h \
	tests/support/hs_test_sandbox.c
tests_support_libhstestsandbox_la_CPPFLAGS = $(AM_CPPFLAGS) -D_GNU_SOURCE
tests_support_libhstestsandbox_la_LIBADD = $(CURL_LIBS) $(JSON_C_LIBS)

EXTRA_DIST += tests/sandbox/README.md
