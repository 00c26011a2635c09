# Documentation installed under $(docdir) (included from the top-level Makefile.am): the
# design, the manifest format, the notes on the Eploy and Willo APIs, and the sandbox's README as sandbox.md, so
# that the installed manual pages can point at them.
dist_doc_DATA = doc/design.md doc/manifest.md doc/eploy-api.md doc/willo-api.md
nodist_doc_DATA = doc/sandbox.md
CLEANFILES += doc/sandbox.md
doc/sandbox.md: tests/sandbox/README.md
	$(AM_V_GEN)$(MKDIR_P) doc && cp '$(srcdir)/tests/sandbox/README.md' $@
# The connector contract for integrators: the ABI's rules, the manifest format, building and
# installing out of tree, the conformance kit and the jsonl example.
dist_man_MANS += doc/hiresync-connector.7
