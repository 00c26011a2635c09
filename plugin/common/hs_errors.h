/*
 * Filling what the caller owns: an hs_error (message formatted, truncated to fit the caller's
 * buffer, made one line: control characters become spaces) and an hs_write_result's remote
 * id (copied whole or refused, never truncated). Never pass secrets in the format arguments.
 */
#ifndef HS_ERRORS_H
#define HS_ERRORS_H

#include <hiresync/connector.h>

/* Fills err (when non-NULL) and returns status, so that `return hs_error_set(...)` works.
 * The message goes into err->message within err->message_size; an error without a buffer
 * (message NULL or message_size 0) gets only its status fields. */
hs_status hs_error_set(hs_error *err, hs_status status, int http_status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* An hs_error with a buffer of its own, for a connector's inner calls whose failure it
 * inspects or rewords before telling the host. Not copyable by assignment: use
 * hs_error_local_init, then pass &l->err. */
#define HS_ERROR_LOCAL_SIZE 1024
typedef struct hs_error_local {
    hs_error err;
    char buf[HS_ERROR_LOCAL_SIZE];
} hs_error_local;

/* Points l->err at l->buf, empty, and returns &l->err. */
hs_error *hs_error_local_init(hs_error_local *l);

/* Passes src on to dst (when non-NULL): its HTTP status, retry_after_s and message, the
 * message truncated to dst's buffer. Returns status. */
hs_status hs_error_pass(hs_error *dst, const hs_error *src, hs_status status);

/* Copies id into the caller's result->remote_id buffer. An id that does not fit (or a result
 * without a buffer) is a broken invariant: HS_E_INTERNAL through err, and the buffer is left
 * "" rather than holding a truncated id that names another object. `who` starts the
 * message ("eploy"). */
hs_status hs_result_set_id(hs_write_result *result, const char *id, const char *who,
                           hs_error *err);

/* 1 when result can hold a remote id: struct_size covers it, a buffer is given. */
int hs_result_usable(const hs_write_result *result);

/* A short English name of a status: "ok", "retry", "config", ... */
const char *hs_status_name(hs_status status);

#endif /* HS_ERRORS_H */
