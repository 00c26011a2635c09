/*
 * What the connections of one configured connection share within this process: the values a
 * connector keeps with shared_get/shared_put (an access token and its expiry, a quota stop),
 * the clock skew measured from the remote system's responses, and the HTTP exchanges its
 * connectors report, by result.
 *
 * Every pipeline that uses the connection "eploy" opens its own hs_connection, on its own
 * worker; they meet here, under one lock, by the connection's name. Nothing here is ever
 * written to disk or logged: values may be secrets.
 *
 * Ownership: hs_shared_new() allocates, hs_shared_free() frees (NULL is a no-op); the app owns
 * the one instance and it outlives every connection. Getters copy into the caller's buffers.
 * Threading: every function takes the lock; safe from any thread.
 */
#ifndef HS_HOST_SHARED_H
#define HS_HOST_SHARED_H

#include <stddef.h>
#include <stdint.h>

#include <hiresync/connector.h>

typedef struct hs_shared hs_shared;

/* Most entries one connection may keep, and their sizes (as for the durable store). */
#define HS_SHARED_MAX_ENTRIES 64
#define HS_SHARED_NAME_MAX 64
#define HS_SHARED_VALUE_MAX 4096

hs_shared *hs_shared_new(void);
void hs_shared_free(hs_shared *shared);

/* As hs_host_api.shared_get / shared_put, for the connection named conn. */
hs_status hs_shared_get(hs_shared *shared, const char *conn, const char *name, char *buf,
                        size_t buf_size);
hs_status hs_shared_put(hs_shared *shared, const char *conn, const char *name,
                        const char *value);

/* As hs_host_api.shared_swap: sets name to value (NULL deletes) only when its value is
 * expected (NULL: absent). HS_OK when set, HS_E_DATA when the value differs or the limits are
 * exceeded, HS_E_INTERNAL when out of memory. */
hs_status hs_shared_swap(hs_shared *shared, const char *conn, const char *name,
                         const char *expected, const char *value);

/* Records a measurement of the skew (host clock minus remote clock, ms) taken at host time
 * at_ms. */
void hs_shared_set_skew(hs_shared *shared, const char *conn, int64_t skew_ms, int64_t at_ms);
/* The last skew measured for conn: 1 with *skew_ms and *at_ms (either may be NULL), 0 when
 * none was measured in this process. */
int hs_shared_skew(hs_shared *shared, const char *conn, int64_t *skew_ms, int64_t *at_ms);

/* The results an HTTP exchange is counted under (hs_host_api.request_done): "2xx", "3xx",
 * "4xx", "5xx", "timeout", "error" (no complete response, or a status outside 200..599). */
#define HS_REQUEST_CLASSES 6
/* The name of class i (static), NULL beyond the last. */
const char *hs_request_class_name(size_t i);
/* Counts one exchange of conn's connectors with its http_status as request_done gives it. */
void hs_shared_count_request(hs_shared *shared, const char *conn, int32_t http_status);
/* The exchanges counted for conn in this process, by class (zeros when none). */
void hs_shared_requests(hs_shared *shared, const char *conn,
                        uint64_t counts[HS_REQUEST_CLASSES]);

#endif /* HS_HOST_SHARED_H */
