/*
 * A list of diagnostics: the one-line errors found while reading a manifest or a
 * configuration, kept so that every error is reported, not just the first.
 *
 * Ownership: the hs_diag is the caller's (usually on the stack); hs_diag_init() before use,
 * hs_diag_clear() frees the lines. Lines are owned by the list. Not thread-safe.
 */
#ifndef HS_HOST_DIAG_H
#define HS_HOST_DIAG_H

#include <stddef.h>
#include <stdio.h>

typedef struct hs_diag {
    char **lines;       /* n lines, each one NUL-terminated line without a newline */
    size_t n;
    size_t cap;
    int lost;           /* lines dropped because memory ran out */
} hs_diag;

void hs_diag_init(hs_diag *diag);
void hs_diag_clear(hs_diag *diag);

/* Appends one formatted line (control characters become spaces). */
void hs_diag_add(hs_diag *diag, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Number of lines, including lost ones. */
size_t hs_diag_count(const hs_diag *diag);

/* Writes every line, one per line, to out. */
void hs_diag_print(const hs_diag *diag, FILE *out);

/* 1 when some line contains needle, else 0 (tests). */
int hs_diag_contains(const hs_diag *diag, const char *needle);

#endif /* HS_HOST_DIAG_H */
