# Build rules for tests (included from the top-level Makefile.am): the runner's unit tests
# (state store, cycle with fake connectors), end-to-end and crash tests over the sandbox,
# and the demo.
check_PROGRAMS += tests/test_state
TESTS += tests/test_state
tests_test_state_SOURCES = tests/test_state.c
tests_test_state_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_state_LDADD = host/libhsrunner-test.la $(CHECK_LIBS) $(JSON_C_LIBS)

check_PROGRAMS += tests/test_cycle
TESTS += tests/test_cycle
tests_test_cycle_SOURCES = tests/test_cycle.c tests/fakes/fake_world.c tests/fakes/fake_world.h
tests_test_cycle_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
tests_test_cycle_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_cycle_LDADD = host/libhsrunner-test.la host/libhshost.la $(CHECK_LIBS) $(JSON_C_LIBS) \
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
check_PROGRAMS += tests/test_e2e_life
TESTS += tests/test_e2e_life
tests_test_e2e_life_SOURCES = tests/test_e2e_life.c tests/test_e2e_util.c tests/test_e2e_util.h
tests_test_e2e_life_CPPFLAGS = $(E2E_CPPFLAGS)
tests_test_e2e_life_CFLAGS = $(E2E_CFLAGS)
tests_test_e2e_life_LDADD = $(E2E_LDADD)

# The daemon's listener: metrics, health, readiness and webhook doorbells over loopback.
check_PROGRAMS += tests/test_listener
TESTS += tests/test_listener
tests_test_listener_SOURCES = tests/test_listener.c tests/test_e2e_util.c tests/test_e2e_util.h
tests_test_listener_CPPFLAGS = $(E2E_CPPFLAGS)
tests_test_listener_CFLAGS = $(E2E_CFLAGS)
tests_test_listener_LDADD = $(E2E_LDADD)

# Webhook subscriptions made by `webhooks sync`, and deliveries to the daemon, end to end.
check_PROGRAMS += tests/test_webhooks_e2e
TESTS += tests/test_webhooks_e2e
tests_test_webhooks_e2e_SOURCES = tests/test_webhooks_e2e.c tests/test_e2e_util.c \
	tests/test_e2e_util.h
tests_test_webhooks_e2e_CPPFLAGS = $(E2E_CPPFLAGS)
tests_test_webhooks_e2e_CFLAGS = $(E2E_CFLAGS)
tests_test_webhooks_e2e_LDADD = $(E2E_LDADD)

check_PROGRAMS += tests/test_skew
TESTS += tests/test_skew
tests_test_skew_SOURCES = tests/test_skew.c tests/test_e2e_util.c tests/test_e2e_util.h
tests_test_skew_CPPFLAGS = $(E2E_CPPFLAGS)
tests_test_skew_CFLAGS = $(E2E_CFLAGS)
tests_test_skew_LDADD = $(E2E_LDADD)

check_PROGRAMS += tests/test_quota
TESTS += tests/test_quota
tests_test_quota_SOURCES = tests/test_quota.c tests/test_e2e_util.c tests/test_e2e_util.h
tests_test_quota_CPPFLAGS = $(E2E_CPPFLAGS)
tests_test_quota_CFLAGS = $(E2E_CFLAGS) $(JSON_C_CFLAGS)
tests_test_quota_LDADD = $(E2E_LDADD)

# A status history that answers 404: the fallback end to end, and its return a day later.
check_PROGRAMS += tests/test_e2e_history
TESTS += tests/test_e2e_history
tests_test_e2e_history_SOURCES = tests/test_e2e_history.c tests/test_e2e_util.c tests/test_e2e_util.h
tests_test_e2e_history_CPPFLAGS = $(E2E_CPPFLAGS)
tests_test_e2e_history_CFLAGS = $(E2E_CFLAGS)
tests_test_e2e_history_LDADD = $(E2E_LDADD)
check_PROGRAMS += tests/test_e2e_baseline
TESTS += tests/test_e2e_baseline
tests_test_e2e_baseline_SOURCES = tests/test_e2e_baseline.c tests/test_e2e_util.c tests/test_e2e_util.h
tests_test_e2e_baseline_CPPFLAGS = $(E2E_CPPFLAGS)
tests_test_e2e_baseline_CFLAGS = $(E2E_CFLAGS)
tests_test_e2e_baseline_LDADD = $(E2E_LDADD)

# status as a health check, and the commands that read no secret.
check_PROGRAMS += tests/test_health
TESTS += tests/test_health
tests_test_health_SOURCES = tests/test_health.c tests/test_e2e_util.c tests/test_e2e_util.h
tests_test_health_CPPFLAGS = $(E2E_CPPFLAGS)
tests_test_health_CFLAGS = $(E2E_CFLAGS)
tests_test_health_LDADD = $(E2E_LDADD)

# Crash safety: SIGKILL at every crash point number (110) of every cycle of the story, and
# at the state journal's own steps by name.
check_PROGRAMS += tests/test_crash
TESTS += tests/test_crash
tests_test_crash_SOURCES = tests/test_crash.c tests/test_e2e_util.c tests/test_e2e_util.h
tests_test_crash_CPPFLAGS = $(E2E_CPPFLAGS)
tests_test_crash_CFLAGS = $(E2E_CFLAGS)
tests_test_crash_LDADD = $(E2E_LDADD)

# Crash safety of the interview's whole life: SIGKILL at every crash point number of every
# cycle of the lifecycle story, odd numbers in one program and even in the other.
check_PROGRAMS += tests/test_crash_life_odd tests/test_crash_life_even
TESTS += tests/test_crash_life_odd tests/test_crash_life_even
CRASH_LIFE_SOURCES = tests/test_crash_life.c tests/test_e2e_util.c tests/test_e2e_util.h
tests_test_crash_life_odd_SOURCES = $(CRASH_LIFE_SOURCES)
tests_test_crash_life_odd_CPPFLAGS = $(E2E_CPPFLAGS) -DCRASH_PART=1
tests_test_crash_life_odd_CFLAGS = $(E2E_CFLAGS)
tests_test_crash_life_odd_LDADD = $(E2E_LDADD)
tests_test_crash_life_even_SOURCES = $(CRASH_LIFE_SOURCES)
tests_test_crash_life_even_CPPFLAGS = $(E2E_CPPFLAGS) -DCRASH_PART=2
tests_test_crash_life_even_CFLAGS = $(E2E_CFLAGS)
tests_test_crash_life_even_LDADD = $(E2E_LDADD)

# The schedule's due times with a test clock.
check_PROGRAMS += tests/test_schedule
TESTS += tests/test_schedule
tests_test_schedule_SOURCES = tests/test_schedule.c
tests_test_schedule_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_test_schedule_LDADD = host/libhsrunner-test.la host/libhshost.la $(CHECK_LIBS) $(JSON_C_LIBS) \
	$(LTDL_LIBS) -lpthread

# The schedule end to end: external schedulers, wall-clock jumps, failures that stay in their
# pipeline, interrupted cycles, retry times, and the installed program without test hooks.
check_PROGRAMS += tests/test_e2e_schedule
TESTS += tests/test_e2e_schedule
tests_test_e2e_schedule_SOURCES = tests/test_e2e_schedule.c tests/test_e2e_util.c \
	tests/test_e2e_util.h
tests_test_e2e_schedule_CPPFLAGS = $(E2E_CPPFLAGS)
tests_test_e2e_schedule_CFLAGS = $(E2E_CFLAGS)
tests_test_e2e_schedule_LDADD = $(E2E_LDADD)
# Many pipelines on one daemon: one Eploy token per connection, and ticks that read only the
# status records written since the schedule last looked.
check_PROGRAMS += tests/test_fleet
TESTS += tests/test_fleet
tests_test_fleet_SOURCES = tests/test_fleet.c tests/test_e2e_util.c tests/test_e2e_util.h
tests_test_fleet_CPPFLAGS = $(E2E_CPPFLAGS)
tests_test_fleet_CFLAGS = $(E2E_CFLAGS)
tests_test_fleet_LDADD = $(E2E_LDADD)
# The cost of an idle daemon cycle (the discovery cache), counted by the sandbox.
check_PROGRAMS += tests/test_e2e_idle
TESTS += tests/test_e2e_idle
tests_test_e2e_idle_SOURCES = tests/test_e2e_idle.c tests/test_e2e_util.c tests/test_e2e_util.h
tests_test_e2e_idle_CPPFLAGS = $(E2E_CPPFLAGS)
tests_test_e2e_idle_CFLAGS = $(E2E_CFLAGS)
tests_test_e2e_idle_LDADD = $(E2E_LDADD)
# Structured logs: every line of real runs parsed as JSON.
check_PROGRAMS += tests/test_e2e_logs
TESTS += tests/test_e2e_logs
tests_test_e2e_logs_SOURCES = tests/test_e2e_logs.c tests/test_e2e_util.c tests/test_e2e_util.h
tests_test_e2e_logs_CPPFLAGS = $(E2E_CPPFLAGS)
tests_test_e2e_logs_CFLAGS = $(E2E_CFLAGS)
tests_test_e2e_logs_LDADD = $(E2E_LDADD)
# Shards: a pinned, total and disjoint split of pipelines over runners, and `run --once
# --shard I/N` (or the "shard" setting) running exactly its shard's pipelines.
check_PROGRAMS += tests/test_shard
TESTS += tests/test_shard
tests_test_shard_SOURCES = tests/test_shard.c tests/test_e2e_util.c tests/test_e2e_util.h
tests_test_shard_CPPFLAGS = $(E2E_CPPFLAGS) -I$(top_srcdir)/host
tests_test_shard_CFLAGS = $(E2E_CFLAGS)
tests_test_shard_LDADD = host/libhsrunner.la host/libhshost.la $(E2E_LDADD) $(LTDL_LIBS) \
	-lpthread
# systemd notification: READY=1, WATCHDOG=1 and STOPPING=1 from `hiresync run` on a
# NOTIFY_SOCKET the test listens on, and the watchdog thread's heartbeat rule.
check_PROGRAMS += tests/test_notify
TESTS += tests/test_notify
tests_test_notify_SOURCES = tests/test_notify.c tests/test_e2e_util.c tests/test_e2e_util.h
tests_test_notify_CPPFLAGS = $(E2E_CPPFLAGS)
tests_test_notify_CFLAGS = $(E2E_CFLAGS)
tests_test_notify_LDADD = host/libhsrunner.la $(E2E_LDADD) $(SYSTEMD_LIBS) -lpthread
