# Build rules for manifests (included from the top-level Makefile.am).
# Connector manifests are installed where hiresync looks for them by default
# ($(pkgdatadir)/connectors, HS_MANIFEST_DIR); HIRESYNC_MANIFEST_DIR overrides that.
connectormanifestsdir = $(pkgdatadir)/connectors
dist_connectormanifests_DATA = \
	manifests/connectors/eploy.json \
	manifests/connectors/willo.json
