/*
 * Filling an hs_error. The message is formatted, truncated to fit, and made one line
 * (control characters become spaces). Never pass secrets in the format arguments.
 */
#ifndef HS_ERRORS_H
#define HS_ERRORS_H

#include <hiresync/connector.h>

/* Fills err (when non-NULL) and returns status, so that `return hs_error_set(...)` works. */
hs_status hs_error_set(hs_error *err, hs_status status, int http_status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* A short English name of a status: "ok", "retry", "config", ... */
const char *hs_status_name(hs_status status);

#endif /* HS_ERRORS_H */
