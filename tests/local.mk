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
