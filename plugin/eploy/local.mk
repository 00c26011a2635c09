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
	plugin/eploy/eploy_jobs.c \
	plugin/eploy/eploy_notes.c \
	plugin/eploy/eploy_people.c \
	plugin/eploy/eploy_quota.c \
	plugin/eploy/eploy_search.c
plugin_eploy_la_LDFLAGS = $(CONNECTOR_LINK_FLAGS)
plugin_eploy_la_LIBADD = plugin/common/libhscommon.la $(CURL_LIBS) $(JSON_C_LIBS)
