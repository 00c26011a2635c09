# Build rules for tests (included from the top-level Makefile.am): the runner's unit tests
# (state store, cycle with fake connectors), end-to-end and crash tests over the sandbox,
# and the demo.
check_PROGRAMS += tests/test_state
TESTS += tests/test_state
tests_test_state_SOURCES = tests/test_state.c
tests_test_state_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_state_LDADD = host/libhsrunner.la $(CHECK_LIBS) $(JSON_C_LIBS)

check_PROGRAMS += tests/test_cycle
TESTS += tests/test_cycle
tests_test_cycle_SOURCES = tests/test_cycle.c tests/fakes/fake_world.c tests/fakes/fake_world.h
tests_test_cycle_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_test_cycle_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_cycle_LDADD = host/libhsrunner.la host/libhshost.la $(CHECK_LIBS) $(JSON_C_LIBS) \
	$(LTDL_LIBS) -lpthread

# `make demo`: the story of hiresync told step by step against the local sandbox.
dist_noinst_SCRIPTS += tests/demo/demo.sh
TESTS += tests/demo/demo.sh
# Installed as hiresync-demo, it runs the same story with the installed programs.
bin_SCRIPTS = hiresync-demo
CLEANFILES += hiresync-demo
hiresync-demo: tests/demo/demo.sh
	$(AM_V_GEN)cp '$(top_srcdir)/tests/demo/demo.sh' $@ && chmod +x $@
demo: hiresync$(EXEEXT) hiresync-sandbox$(EXEEXT) plugin/eploy.la plugin/willo.la
	@HIRESYNC_BIN='$(abs_top_builddir)/hiresync' \
	HIRESYNC_SANDBOX='$(abs_top_builddir)/hiresync-sandbox' \
	HIRESYNC_CONNECTOR_DIR='$(abs_top_builddir)/plugin/.libs' \
	HIRESYNC_MANIFEST_DIR='$(abs_top_srcdir)/manifests/connectors' \
	$(SHELL) '$(top_srcdir)/tests/demo/demo.sh'
.PHONY: demo

# End to end over the sandbox: the real program and connectors.
E2E_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CURL_CFLAGS)
E2E_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
E2E_LDADD = tests/support/libhstestsandbox.la $(CHECK_LIBS) $(CURL_LIBS) $(JSON_C_LIBS)
check_PROGRAMS += tests/test_e2e
TESTS += tests/test_e2e
tests_test_e2e_SOURCES = tests/test_e2e.c tests/test_e2e_util.c tests/test_e2e_util.h
tests_test_e2e_CPPFLAGS = $(E2E_CPPFLAGS)
tests_test_e2e_CFLAGS = $(E2E_CFLAGS)
tests_test_e2e_LDADD = $(E2E_LDADD)

# Crash safety: SIGKILL at every crash point number (110) of every cycle of the story, and
# at the state journal's own steps by name.
check_PROGRAMS += tests/test_crash
TESTS += tests/test_crash
tests_test_crash_SOURCES = tests/test_crash.c tests/test_e2e_util.c tests/test_e2e_util.h
tests_test_crash_CPPFLAGS = $(E2E_CPPFLAGS)
tests_test_crash_CFLAGS = $(E2E_CFLAGS)
tests_test_crash_LDADD = $(E2E_LDADD)
