/* A growable list of one-line diagnostics. */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void hs_diag_init(hs_diag *diag)
{
    memset(diag, 0, sizeof(*diag));
}

void hs_diag_clear(hs_diag *diag)
{
    for (size_t i = 0; i < diag->n; i++)
        free(diag->lines[i]);
    free(diag->lines);
    hs_diag_init(diag);
}

static int diag_grow(hs_diag *diag)
{
    if (diag->n < diag->cap)
        return 0;
    size_t cap = diag->cap ? diag->cap * 2 : 8;
    char **lines = realloc(diag->lines, cap * sizeof(*lines));
    if (!lines)
        return -1;
    diag->lines = lines;
    diag->cap = cap;
    return 0;
}

void hs_diag_add(hs_diag *diag, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *line = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (!line || diag_grow(diag) != 0) {
        free(line);
        diag->lost++;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(line, (size_t)len + 1, fmt, ap);
    va_end(ap);
    for (char *p = line; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    }
    diag->lines[diag->n++] = line;
}

size_t hs_diag_count(const hs_diag *diag)
{
    return diag->n + (size_t)diag->lost;
}

void hs_diag_print(const hs_diag *diag, FILE *out)
{
    for (size_t i = 0; i < diag->n; i++)
        fprintf(out, "%s\n", diag->lines[i]);
    if (diag->lost)
        fprintf(out, "(%d more errors lost: out of memory)\n", diag->lost);
}

int hs_diag_contains(const hs_diag *diag, const char *needle)
{
    for (size_t i = 0; i < diag->n; i++) {
        if (strstr(diag->lines[i], needle))
            return 1;
    }
    return 0;
}
