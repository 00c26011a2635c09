/*
 * Helpers for the host's tests: scratch directories and files, the environment the test
 * harness exports, and running the built `hiresync` program with its output captured.
 *
 * Ownership: strings returned are malloc'd and freed by the caller; hs_ht_run_result fields
 * are freed by hs_ht_run_result_free. Failures abort the running test (ck_abort).
 */
#ifndef HS_HOST_TESTUTIL_H
#define HS_HOST_TESTUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Value of a variable the harness must export (AM_TESTS_ENVIRONMENT); aborts when unset. */
const char *hs_ht_env(const char *name);

/* A new empty directory under $TMPDIR (or /tmp); remove with hs_ht_rmtree. */
char *hs_ht_tmpdir(void);
void hs_ht_rmtree(const char *dir);

/* Writes text to dir/name with the given mode; returns the path. */
char *hs_ht_write(const char *dir, const char *name, const char *text, mode_t mode);

/* "<a>/<b>" */
char *hs_ht_join(const char *a, const char *b);

/* Copies a file (mode preserved as given). */
void hs_ht_copy(const char *from, const char *to, mode_t mode);

typedef struct hs_ht_run_result {
    int status;       /* exit status, or 128 + signal */
    char *out;        /* everything written to stdout */
    char *err;        /* everything written to stderr */
} hs_ht_run_result;

/* Runs argv (argv[0] a path) with extra "NAME=value" environment entries (NULL-terminated;
 * "NAME=" with nothing after removes NAME), waits, and captures both streams. */
void hs_ht_run(char *const argv[], const char *const env[], hs_ht_run_result *result);
void hs_ht_run_result_free(hs_ht_run_result *result);

/* Number of lines of text. */
size_t hs_ht_count_lines(const char *text);

#endif /* HS_HOST_TESTUTIL_H */
