/*
 * Filling an hs_error: formatted, bounded, one line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hs_errors.h"

hs_status hs_error_set(hs_error *err, hs_status status, int http_status, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return status;
    err->http_status = http_status;
    va_start(ap, fmt);
    /* A truncated message is still useful; the terminator is always written. */
    (void)vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    for (char *p = err->message; *p != '\0'; p++) {
        /* One line: log lines and status output must not be split by a remote string. */
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    }
    return status;
}

const char *hs_status_name(hs_status status)
{
    switch (status) {
    case HS_OK: return "ok";
    case HS_RETRY: return "retry";
    case HS_E_CONFIG: return "config";
    case HS_E_PERMISSION: return "permission";
    case HS_E_DATA: return "data";
    case HS_E_UNSUPPORTED: return "unsupported";
    case HS_E_INTERNAL: return "internal";
    case HS_E_CANCELLED: return "cancelled";
    }
    return "unknown";
}
