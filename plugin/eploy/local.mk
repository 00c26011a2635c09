# Build rules for plugin/eploy (included from the top-level Makefile.am).
