# Build rules for plugin/common (included from the top-level Makefile.am).
