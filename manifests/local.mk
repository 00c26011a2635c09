# Build rules for manifests (included from the top-level Makefile.am).
# A connector's manifest is installed beside its module, NAME.json beside NAME.so in
# $(pkglibdir), the built-in directory of the connector search path.
connectormanifestsdir = $(pkglibdir)
dist_connectormanifests_DATA = \
	manifests/connectors/eploy.json \
	manifests/connectors/willo.json

# ---- deployment: systemd units, sysusers.d and tmpfiles.d, Kubernetes, example config -----
# The units and the sysusers/tmpfiles entries name the configured paths (bindir, sysconfdir,
# localstatedir), so they are made from .in files here, after configure has fixed them.
DEPLOY_SUBST = sed -e 's|@bindir[@]|$(bindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@localstatedir[@]|$(localstatedir)|g' -e 's|@pkgdatadir[@]|$(pkgdatadir)|g'
DEPLOY_GENERATED = manifests/deploy/hiresync.service manifests/deploy/hiresync-once.service \
	manifests/deploy/sysusers.d/hiresync.conf manifests/deploy/tmpfiles.d/hiresync.conf \
	manifests/deploy/hiresync.json.example
EXTRA_DIST += $(DEPLOY_GENERATED:=.in)
CLEANFILES += $(DEPLOY_GENERATED)

manifests/deploy/hiresync.service: $(srcdir)/manifests/deploy/hiresync.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && $(DEPLOY_SUBST) $(srcdir)/$@.in > $@.tmp && mv $@.tmp $@
manifests/deploy/hiresync-once.service: $(srcdir)/manifests/deploy/hiresync-once.service.in \
		Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && $(DEPLOY_SUBST) $(srcdir)/$@.in > $@.tmp && mv $@.tmp $@
manifests/deploy/hiresync.json.example: $(srcdir)/manifests/deploy/hiresync.json.example.in \
		Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && $(DEPLOY_SUBST) $(srcdir)/$@.in > $@.tmp && mv $@.tmp $@
manifests/deploy/sysusers.d/hiresync.conf: \
		$(srcdir)/manifests/deploy/sysusers.d/hiresync.conf.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && $(DEPLOY_SUBST) $(srcdir)/$@.in > $@.tmp && mv $@.tmp $@
manifests/deploy/tmpfiles.d/hiresync.conf: \
		$(srcdir)/manifests/deploy/tmpfiles.d/hiresync.conf.in Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && $(DEPLOY_SUBST) $(srcdir)/$@.in > $@.tmp && mv $@.tmp $@

# Where systemd looks for them under the prefix (/usr/local/lib/systemd/system and friends
# are on its search paths; a package built with --prefix=/usr lands in /usr/lib/...).
systemdunitdir = $(prefix)/lib/systemd/system
systemdunit_DATA = manifests/deploy/hiresync.service manifests/deploy/hiresync-once.service
dist_systemdunit_DATA = manifests/deploy/hiresync-once.timer
sysusersdir = $(prefix)/lib/sysusers.d
sysusers_DATA = manifests/deploy/sysusers.d/hiresync.conf
tmpfilesdir = $(prefix)/lib/tmpfiles.d
tmpfiles_DATA = manifests/deploy/tmpfiles.d/hiresync.conf

# An example configuration next to where the real one goes: copy it to hiresync.json and
# replace the values. test_config validates it with the shipped manifests.
exampleconfdir = $(sysconfdir)/hiresync
exampleconf_DATA = manifests/deploy/hiresync.json.example
AM_TESTS_ENVIRONMENT += \
	HIRESYNC_EXAMPLE_CONFIG='$(abs_top_builddir)/manifests/deploy/hiresync.json.example'; \
	export HIRESYNC_EXAMPLE_CONFIG;

# Kubernetes: examples to copy from ($(pkgdatadir)/deploy/kubernetes); `make check` checks
# that they parse and hold the security fields.
deploykubernetesdir = $(pkgdatadir)/deploy/kubernetes
dist_deploykubernetes_DATA = \
	manifests/deploy/kubernetes/kustomization.yaml \
	manifests/deploy/kubernetes/cronjob.yaml \
	manifests/deploy/kubernetes/configmap.yaml \
	manifests/deploy/kubernetes/pvc.yaml \
	manifests/deploy/kubernetes/secret.example.yaml
deploykubernetesshardeddir = $(deploykubernetesdir)/sharded
dist_deploykubernetessharded_DATA = \
	manifests/deploy/kubernetes/sharded/kustomization.yaml \
	manifests/deploy/kubernetes/sharded/sharded.yaml \
	manifests/deploy/kubernetes/sharded/pvc-shared.yaml
TESTS += tests/deploy/check-kubernetes.sh
dist_noinst_SCRIPTS += tests/deploy/check-kubernetes.sh tests/deploy/check-kubernetes.py \
	tests/deploy/check-systemd.sh
# The installed program finds its bundled connectors (an installed tree has no
# HIRESYNC_MANIFEST_DIR). Skipped under DESTDIR, where the tree is not where it will run.
installcheck-local:
	@if test -n "$(DESTDIR)"; then echo "installcheck: skipped under DESTDIR"; exit 0; fi; \
	out=`env -u HIRESYNC_CONNECTOR_PATH -u HIRESYNC_CONNECTOR_DIR -u HIRESYNC_MANIFEST_DIR \
		'$(bindir)/hiresync' connectors 2>&1` \
		|| { echo "$$out"; echo "installcheck: hiresync connectors failed"; exit 1; }; \
	for c in eploy jsonl willo; do \
		echo "$$out" | grep -q "^$$c .* $(pkglibdir)/$$c.so$$" \
			|| { echo "$$out"; echo "installcheck: $$c not loaded from $(pkglibdir)"; exit 1; }; \
	done; \
	echo "installcheck: the installed hiresync loads eploy, jsonl and willo from $(pkglibdir)"
