# Build rules for manifests (included from the top-level Makefile.am).
# A connector's manifest is installed beside its module, NAME.json beside NAME.so in
# $(pkglibdir), the built-in directory of the connector search path.
connectormanifestsdir = $(pkglibdir)
dist_connectormanifests_DATA = \
	manifests/connectors/eploy.json \
	manifests/connectors/willo.json

# The installed program finds its bundled connectors (an installed tree has no
# HIRESYNC_MANIFEST_DIR). Skipped under DESTDIR, where the tree is not where it will run.
installcheck-local:
	@if test -n "$(DESTDIR)"; then echo "installcheck: skipped under DESTDIR"; exit 0; fi; \
	out=`env -u HIRESYNC_CONNECTOR_PATH -u HIRESYNC_CONNECTOR_DIR -u HIRESYNC_MANIFEST_DIR \
		'$(bindir)/hiresync' connectors 2>&1` \
		|| { echo "$$out"; echo "installcheck: hiresync connectors failed"; exit 1; }; \
	for c in eploy willo; do \
		echo "$$out" | grep -q "^$$c .* $(pkglibdir)/$$c.so$$" \
			|| { echo "$$out"; echo "installcheck: $$c not loaded from $(pkglibdir)"; exit 1; }; \
	done; \
	echo "installcheck: the installed hiresync loads eploy and willo from $(pkglibdir)"
