# Build rules for the runner part of host/ (included from the top-level Makefile.am):
# pipelines, the cycle, state, the schedule, status and their commands.
noinst_LTLIBRARIES += host/libhsrunner.la
host_libhsrunner_la_SOURCES = \
	host/state.c host/state.h \
	host/lock.c host/lock.h \
	host/pipeline.c host/pipeline.h \
	host/discovery.c host/discovery.h \
	host/call_cost.c host/call_cost.h \
	host/cycle.c host/cycle.h host/cycle_core.c host/cycle_core.h \
	host/cycle_commit.c host/cycle_invite.c host/cycle_note.c host/cycle_life.c \
	host/cycle_progress.c \
	host/status.c host/status.h \
	host/schedule.c host/schedule.h \
	host/cmd_check.c \
	host/notify.c host/notify.h \
	host/cmd_run.c \
	host/cmd_status.c \
	host/cmd_state.c \
	host/metrics.c host/metrics.h \
	host/listener.c host/listener.h \
	host/webhook.c host/webhook.h \
	host/cmd_webhooks.c \
	host/subscriptions.c host/subscriptions.h
host_libhsrunner_la_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS) $(MHD_CFLAGS)
host_libhsrunner_la_LIBADD = $(JSON_C_LIBS) $(SYSTEMD_LIBS) $(MHD_LIBS) -lpthread

# The test hooks (HIRESYNC_FAKE_NOW, HIRESYNC_FAKE_NOW_FILE, HIRESYNC_CRASH_*) exist only in
# test builds: the runner compiled a second time with HS_TEST_HOOKS, and a hiresync linked
# with it that the tests run (HIRESYNC_TEST_BIN). Neither is installed; the installed
# hiresync ignores those variables.
check_LTLIBRARIES += host/libhsrunner-test.la
host_libhsrunner_test_la_SOURCES = $(host_libhsrunner_la_SOURCES)
host_libhsrunner_test_la_CPPFLAGS = $(AM_CPPFLAGS) -DHS_TEST_HOOKS
host_libhsrunner_test_la_CFLAGS = $(host_libhsrunner_la_CFLAGS)
host_libhsrunner_test_la_LIBADD = $(host_libhsrunner_la_LIBADD)

check_PROGRAMS += tests/hiresync-test
tests_hiresync_test_SOURCES = $(hiresync_SOURCES)
tests_hiresync_test_LDADD = host/libhsrunner-test.la host/libhshost.la \
	$(LTDL_LIBS) $(CURL_LIBS) $(JSON_C_LIBS) $(SYSTEMD_LIBS) -lpthread
