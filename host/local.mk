# Build rules for host (included from the top-level Makefile.am): the hiresync program's
# foundation (CLI, configuration, manifests, loader, connections, logging), its tests and the
# loader's test modules. The runner's part lives in host/runner.mk.

noinst_LTLIBRARIES += host/libhshost.la
host_libhshost_la_SOURCES = \
	host/app.c host/app.h \
	host/cmd_connectors.c \
	host/cmd_jobs.c \
	host/cli_support.c \
	host/commands.h \
	host/configuration.c host/configuration.h \
	host/connection.c host/connection.h \
	host/diag.c host/diag.h \
	host/jobs.c host/jobs.h \
	host/records.c host/records.h \
	host/note_template.c host/note_template.h \
	host/jsonfile.c host/jsonfile.h \
	host/listen_addr.c host/listen_addr.h \
	host/public_url.c host/public_url.h \
	host/loader.c host/loader.h \
	host/registry.c \
	host/log.c host/log.h \
	host/manifest.c host/manifest.h \
	host/secret.c host/secret.h \
	host/shard.c host/shard.h \
	host/shared.c host/shared.h
host_libhshost_la_LIBADD = $(LTDL_LIBS) $(JSON_C_LIBS) -lpthread

# The dispatcher is part of the program, not of the library, because it names the runner's
# commands too: the two libraries then link in one order.
bin_PROGRAMS += hiresync
hiresync_SOURCES = host/main.c host/cli.c
hiresync_LDADD = host/libhsrunner.la host/libhshost.la \
	$(LTDL_LIBS) $(CURL_LIBS) $(JSON_C_LIBS) -lpthread
dist_man_MANS += host/hiresync.1 host/hiresync.json.5

# ---- loader test modules: real shared objects in tests/modules/.libs -------------------------
HST_MODULE_LDFLAGS = $(CONNECTOR_LINK_FLAGS) -rpath /nowhere
HST_MODULE_SOURCES = tests/modules/hst_module.c

check_LTLIBRARIES += tests/modules/hst_ats.la tests/modules/hst_video.la \
	tests/modules/hst_noentry.la tests/modules/hst_null.la tests/modules/hst_major.la \
	tests/modules/hst_minor.la tests/modules/hst_short.la tests/modules/hst_nullop.la \
	tests/modules/hst_name.la tests/modules/hst_undef.la tests/modules/hst_initfail.la

tests_modules_hst_ats_la_SOURCES = $(HST_MODULE_SOURCES)
tests_modules_hst_ats_la_CPPFLAGS = $(AM_CPPFLAGS) -DHST_VARIANT=1 -DHST_MODULE=hst_ats
tests_modules_hst_ats_la_LDFLAGS = $(HST_MODULE_LDFLAGS)
tests_modules_hst_ats_la_LIBADD = $(JSON_C_LIBS)
tests_modules_hst_video_la_SOURCES = $(HST_MODULE_SOURCES)
tests_modules_hst_video_la_CPPFLAGS = $(AM_CPPFLAGS) -DHST_VARIANT=2 -DHST_MODULE=hst_video
tests_modules_hst_video_la_LDFLAGS = $(HST_MODULE_LDFLAGS)
tests_modules_hst_video_la_LIBADD = $(JSON_C_LIBS)
tests_modules_hst_noentry_la_SOURCES = $(HST_MODULE_SOURCES)
tests_modules_hst_noentry_la_CPPFLAGS = $(AM_CPPFLAGS) -DHST_VARIANT=3 -DHST_MODULE=hst_noentry
# Exports a symbol, just not the entry.
tests_modules_hst_noentry_la_LDFLAGS = -module -avoid-version -shared -rpath /nowhere \
	-export-symbols-regex '_LTX_something_else$$'
tests_modules_hst_noentry_la_LIBADD = $(JSON_C_LIBS)
tests_modules_hst_null_la_SOURCES = $(HST_MODULE_SOURCES)
tests_modules_hst_null_la_CPPFLAGS = $(AM_CPPFLAGS) -DHST_VARIANT=4 -DHST_MODULE=hst_null
tests_modules_hst_null_la_LDFLAGS = $(HST_MODULE_LDFLAGS)
tests_modules_hst_null_la_LIBADD = $(JSON_C_LIBS)
tests_modules_hst_major_la_SOURCES = $(HST_MODULE_SOURCES)
tests_modules_hst_major_la_CPPFLAGS = $(AM_CPPFLAGS) -DHST_VARIANT=5 -DHST_MODULE=hst_major
tests_modules_hst_major_la_LDFLAGS = $(HST_MODULE_LDFLAGS)
tests_modules_hst_major_la_LIBADD = $(JSON_C_LIBS)
tests_modules_hst_minor_la_SOURCES = $(HST_MODULE_SOURCES)
tests_modules_hst_minor_la_CPPFLAGS = $(AM_CPPFLAGS) -DHST_VARIANT=6 -DHST_MODULE=hst_minor
tests_modules_hst_minor_la_LDFLAGS = $(HST_MODULE_LDFLAGS)
tests_modules_hst_minor_la_LIBADD = $(JSON_C_LIBS)
tests_modules_hst_short_la_SOURCES = $(HST_MODULE_SOURCES)
tests_modules_hst_short_la_CPPFLAGS = $(AM_CPPFLAGS) -DHST_VARIANT=7 -DHST_MODULE=hst_short
tests_modules_hst_short_la_LDFLAGS = $(HST_MODULE_LDFLAGS)
tests_modules_hst_short_la_LIBADD = $(JSON_C_LIBS)
tests_modules_hst_nullop_la_SOURCES = $(HST_MODULE_SOURCES)
tests_modules_hst_nullop_la_CPPFLAGS = $(AM_CPPFLAGS) -DHST_VARIANT=8 -DHST_MODULE=hst_nullop
tests_modules_hst_nullop_la_LDFLAGS = $(HST_MODULE_LDFLAGS)
tests_modules_hst_nullop_la_LIBADD = $(JSON_C_LIBS)
tests_modules_hst_name_la_SOURCES = $(HST_MODULE_SOURCES)
tests_modules_hst_name_la_CPPFLAGS = $(AM_CPPFLAGS) -DHST_VARIANT=9 -DHST_MODULE=hst_name
tests_modules_hst_name_la_LDFLAGS = $(HST_MODULE_LDFLAGS)
tests_modules_hst_name_la_LIBADD = $(JSON_C_LIBS)
tests_modules_hst_undef_la_SOURCES = $(HST_MODULE_SOURCES)
tests_modules_hst_undef_la_CPPFLAGS = $(AM_CPPFLAGS) -DHST_VARIANT=10 -DHST_MODULE=hst_undef
tests_modules_hst_undef_la_LDFLAGS = $(HST_MODULE_LDFLAGS)
tests_modules_hst_undef_la_LIBADD = $(JSON_C_LIBS)
tests_modules_hst_initfail_la_SOURCES = $(HST_MODULE_SOURCES)
tests_modules_hst_initfail_la_CPPFLAGS = $(AM_CPPFLAGS) -DHST_VARIANT=11 -DHST_MODULE=hst_initfail
tests_modules_hst_initfail_la_LDFLAGS = $(HST_MODULE_LDFLAGS)
tests_modules_hst_initfail_la_LIBADD = $(JSON_C_LIBS)

# ---- tests ---------------------------------------------------------------------------------
HST_TEST_LIBS = host/libhshost.la $(CHECK_LIBS) $(LTDL_LIBS) $(JSON_C_LIBS) -lpthread
HST_TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)

check_PROGRAMS += tests/test_loader tests/test_config tests/test_manifest tests/test_cli \
	tests/test_host
TESTS += tests/test_loader tests/test_config tests/test_manifest tests/test_cli tests/test_host

tests_test_loader_SOURCES = tests/test_loader.c tests/host_testutil.c tests/host_testutil.h
tests_test_loader_CFLAGS = $(HST_TEST_CFLAGS)
tests_test_loader_LDADD = $(HST_TEST_LIBS)
tests_test_config_SOURCES = tests/test_config.c tests/host_testutil.c tests/host_testutil.h
tests_test_config_CFLAGS = $(HST_TEST_CFLAGS)
tests_test_config_LDADD = $(HST_TEST_LIBS)
tests_test_manifest_SOURCES = tests/test_manifest.c tests/host_testutil.c tests/host_testutil.h
tests_test_manifest_CFLAGS = $(HST_TEST_CFLAGS)
tests_test_manifest_LDADD = $(HST_TEST_LIBS)
tests_test_cli_SOURCES = tests/test_cli.c tests/host_testutil.c tests/host_testutil.h
tests_test_cli_CFLAGS = $(HST_TEST_CFLAGS)
tests_test_cli_LDADD = $(HST_TEST_LIBS)

tests_test_host_SOURCES = tests/test_host.c tests/host_testutil.c tests/host_testutil.h
tests_test_host_CFLAGS = $(HST_TEST_CFLAGS)
tests_test_host_LDADD = $(HST_TEST_LIBS)

EXTRA_DIST += tests/data/manifests tests/data/manifests-bad

# hiresync-connector.pc names the connector directory relative to ${libdir}.
dist_noinst_SCRIPTS += tests/connector_pc.sh
TESTS += tests/connector_pc.sh
