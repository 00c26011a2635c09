# Build rules for plugin/willo (included from the top-level Makefile.am).
