# Build rules for the runner part of host/ (included from the top-level Makefile.am).
