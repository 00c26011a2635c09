# Build rules for benchmarks, fuzzing, the fault matrix and hostile-input tests (included from Makefile.am).
