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
	plugin/willo/willo_check.c
plugin_willo_la_LDFLAGS = $(CONNECTOR_LINK_FLAGS)
plugin_willo_la_LIBADD = plugin/common/libhscommon.la $(CURL_LIBS) $(JSON_C_LIBS)
