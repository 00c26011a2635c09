# Build rules for conformance (included from the top-level Makefile.am): the installed
# hiresync-conformance program, which tests any connector module against the contract
# through the host's own loader and configuration validation.
bin_PROGRAMS += hiresync-conformance
hiresync_conformance_SOURCES = \
	conformance/kit.h \
	conformance/main.c \
	conformance/services.c \
	conformance/emitter.c \
	conformance/capture.c \
	conformance/report.c \
	conformance/t_open.c \
	conformance/t_ops.c \
	conformance/t_write.c \
	conformance/t_move.c \
	conformance/t_outfrom.c \
	conformance/t_progress.c \
	conformance/t_life.c \
	conformance/t_cancel.c \
	conformance/t_two.c
hiresync_conformance_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/host
hiresync_conformance_LDADD = host/libhshost.la $(LTDL_LIBS) $(CURL_LIBS) $(JSON_C_LIBS) -lpthread
dist_man_MANS += conformance/hiresync-conformance.1

# ---- test modules: one that keeps the contract, and one per broken rule, all from
# tests/modules/hst_bad.c, built into tests/kit/ apart from the loader's test modules
KIT_MODULE_LDFLAGS = $(CONNECTOR_LINK_FLAGS) -rpath /nowhere
check_LTLIBRARIES += tests/kit/hst_good.la \
	tests/kit/hst_bad_stderr.la \
	tests/kit/hst_bad_canary.la \
	tests/kit/hst_bad_barrier.la \
	tests/kit/hst_bad_cancel.la \
	tests/kit/hst_bad_dupwrite.la \
	tests/kit/hst_bad_overrun.la \
	tests/kit/hst_bad_lenient.la \
	tests/kit/hst_bad_cursor.la \
	tests/kit/hst_bad_rekey.la \
	tests/kit/hst_bad_shapes.la \
	tests/kit/hst_bad_check.la \
	tests/kit/hst_bad_caps.la \
	tests/kit/hst_bad_leak.la tests/kit/hst_bad_nostop.la tests/kit/hst_bad_exit.la \
	tests/kit/hst_bad_global.la tests/kit/hst_bad_crash.la \
	tests/kit/hst_bad_movefrom.la tests/kit/hst_bad_movedup.la tests/kit/hst_bad_lifeold.la \
	tests/kit/hst_bad_lifekey.la tests/kit/hst_bad_outcome.la \
	tests/kit/hst_bad_progress.la tests/kit/hst_bad_progold.la \
	tests/kit/hst_bad_outfrom.la tests/kit/hst_bad_outsize.la
tests_kit_hst_good_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_good_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=0 -DHST_MODULE=hst_good
tests_kit_hst_good_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_good_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_stderr_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_stderr_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=1 -DHST_MODULE=hst_bad_stderr
tests_kit_hst_bad_stderr_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_stderr_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_canary_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_canary_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=2 -DHST_MODULE=hst_bad_canary
tests_kit_hst_bad_canary_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_canary_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_barrier_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_barrier_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=3 -DHST_MODULE=hst_bad_barrier
tests_kit_hst_bad_barrier_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_barrier_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_cancel_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_cancel_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=4 -DHST_MODULE=hst_bad_cancel
tests_kit_hst_bad_cancel_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_cancel_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_dupwrite_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_dupwrite_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=5 -DHST_MODULE=hst_bad_dupwrite
tests_kit_hst_bad_dupwrite_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_dupwrite_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_overrun_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_overrun_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=6 -DHST_MODULE=hst_bad_overrun
tests_kit_hst_bad_overrun_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_overrun_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_lenient_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_lenient_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=7 -DHST_MODULE=hst_bad_lenient
tests_kit_hst_bad_lenient_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_lenient_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_cursor_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_cursor_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=8 -DHST_MODULE=hst_bad_cursor
tests_kit_hst_bad_cursor_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_cursor_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_rekey_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_rekey_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=9 -DHST_MODULE=hst_bad_rekey
tests_kit_hst_bad_rekey_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_rekey_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_shapes_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_shapes_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=10 -DHST_MODULE=hst_bad_shapes
tests_kit_hst_bad_shapes_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_shapes_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_check_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_check_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=11 -DHST_MODULE=hst_bad_check
tests_kit_hst_bad_check_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_check_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_caps_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_caps_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=12 -DHST_MODULE=hst_bad_caps
tests_kit_hst_bad_caps_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_caps_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_leak_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_leak_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=13 -DHST_MODULE=hst_bad_leak
tests_kit_hst_bad_leak_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_leak_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_nostop_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_nostop_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=14 -DHST_MODULE=hst_bad_nostop
tests_kit_hst_bad_nostop_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_nostop_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_exit_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_exit_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=15 -DHST_MODULE=hst_bad_exit
tests_kit_hst_bad_exit_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_exit_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_global_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_global_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=16 -DHST_MODULE=hst_bad_global
tests_kit_hst_bad_global_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_global_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_crash_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_crash_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=17 -DHST_MODULE=hst_bad_crash
tests_kit_hst_bad_crash_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_crash_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_movefrom_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_movefrom_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=18 -DHST_MODULE=hst_bad_movefrom
tests_kit_hst_bad_movefrom_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_movefrom_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_movedup_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_movedup_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=19 -DHST_MODULE=hst_bad_movedup
tests_kit_hst_bad_movedup_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_movedup_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_lifeold_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_lifeold_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=20 -DHST_MODULE=hst_bad_lifeold
tests_kit_hst_bad_lifeold_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_lifeold_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_lifekey_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_lifekey_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=21 -DHST_MODULE=hst_bad_lifekey
tests_kit_hst_bad_lifekey_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_lifekey_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_outcome_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_outcome_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=22 -DHST_MODULE=hst_bad_outcome
tests_kit_hst_bad_outcome_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_outcome_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_progress_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_progress_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=23 -DHST_MODULE=hst_bad_progress
tests_kit_hst_bad_progress_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_progress_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_progold_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_progold_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=24 -DHST_MODULE=hst_bad_progold
tests_kit_hst_bad_progold_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_progold_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_outfrom_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_outfrom_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=25 -DHST_MODULE=hst_bad_outfrom
tests_kit_hst_bad_outfrom_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_outfrom_la_LIBADD = $(JSON_C_LIBS)
tests_kit_hst_bad_outsize_la_SOURCES = tests/modules/hst_bad.c
tests_kit_hst_bad_outsize_la_CPPFLAGS = $(AM_CPPFLAGS) -DKIT_BAD=26 -DHST_MODULE=hst_bad_outsize
tests_kit_hst_bad_outsize_la_LDFLAGS = $(KIT_MODULE_LDFLAGS)
tests_kit_hst_bad_outsize_la_LIBADD = $(JSON_C_LIBS)

# The kit on the bundled connectors against the sandbox (with --write), under valgrind when
# it is installed; and on every module above, each failing the test of the rule it breaks.
dist_noinst_SCRIPTS += tests/conformance.sh tests/conformance_bad.sh
TESTS += tests/conformance.sh tests/conformance_bad.sh
EXTRA_DIST += tests/data/hst_kit.json
