# Build rules for host (included from the top-level Makefile.am).
