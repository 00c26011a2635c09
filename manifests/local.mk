# Build rules for manifests (included from the top-level Makefile.am).
