# Build rules for tests/sandbox (included from the top-level Makefile.am).
