/*
 * Filling the caller's buffers: hs_error messages (formatted, bounded, one line) and
 * hs_write_result remote ids (whole or not at all).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hs_errors.h"

/* A message can be written only into a buffer the caller gave within a struct it sized. */
static int has_buffer(const hs_error *err)
{
    return HS_HAS_FIELD(hs_error, err->struct_size, message_size) && err->message != NULL &&
           err->message_size > 0;
}

static void one_line(char *s)
{
    /* Log lines and status output must not be split by a remote string. */
    for (char *p = s; *p != '\0'; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    }
}

hs_status hs_error_set(hs_error *err, hs_status status, int http_status, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return status;
    err->http_status = http_status;
    if (!has_buffer(err))
        return status;
    va_start(ap, fmt);
    /* A truncated message is still useful; vsnprintf writes the terminator within size. */
    (void)vsnprintf(err->message, err->message_size, fmt, ap);
    va_end(ap);
    one_line(err->message);
    return status;
}

hs_error *hs_error_local_init(hs_error_local *l)
{
    memset(&l->err, 0, sizeof l->err);
    l->err.struct_size = sizeof l->err;
    l->buf[0] = '\0';
    l->err.message = l->buf;
    l->err.message_size = sizeof l->buf;
    return &l->err;
}

hs_status hs_error_pass(hs_error *dst, const hs_error *src, hs_status status)
{
    if (dst == NULL || src == NULL)
        return status;
    dst->http_status = src->http_status;
    dst->retry_after_s = src->retry_after_s;
    if (has_buffer(dst))
        (void)snprintf(dst->message, dst->message_size, "%s",
                       has_buffer(src) ? src->message : "");
    return status;
}

int hs_result_usable(const hs_write_result *result)
{
    return result != NULL &&
           HS_HAS_FIELD(hs_write_result, result->struct_size, remote_id_size) &&
           result->remote_id != NULL && result->remote_id_size > 0;
}

hs_status hs_result_set_id(hs_write_result *result, const char *id, const char *who,
                           hs_error *err)
{
    size_t n = id != NULL ? strlen(id) : 0;

    if (!hs_result_usable(result))
        return hs_error_set(err, HS_E_INTERNAL, 0, "%s: the host gave no remote_id buffer", who);
    if (n >= result->remote_id_size) {
        result->remote_id[0] = '\0';
        return hs_error_set(err, HS_E_INTERNAL, 0,
                            "%s: the remote id (%zu bytes) does not fit the host's remote_id "
                            "buffer (%zu bytes)", who, n, result->remote_id_size);
    }
    memcpy(result->remote_id, id != NULL ? id : "", n + 1);
    return HS_OK;
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
    case HS_E_CONFLICT: return "conflict";
    }
    return "unknown";
}
