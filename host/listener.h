/*
 * The daemon's HTTP listener (libmicrohttpd, one internal thread): GET /metrics, /healthz and
 * /readyz from an hs_metrics snapshot, and POST /hooks/willo/<pipeline>/<token>, the Willo
 * webhook doorbell. Nothing is served from files. At most HS_LISTENER_MAX_CONNECTIONS
 * connections (4 per client address), each closed after HS_LISTENER_TIMEOUT_S idle seconds;
 * request bodies over HS_LISTENER_MAX_BODY bytes are refused with 413. Plain HTTP only: TLS
 * belongs to a reverse proxy in front of it.
 *
 * Ownership: hs_listener_start() borrows metrics until hs_listener_stop(), which stops the
 * thread and frees the listener (NULL is a no-op).
 */
#ifndef HS_HOST_LISTENER_H
#define HS_HOST_LISTENER_H

#include <stddef.h>
#include <stdint.h>

#include "metrics.h"

#define HS_LISTENER_MAX_CONNECTIONS 32
#define HS_LISTENER_TIMEOUT_S 10
#define HS_LISTENER_MAX_BODY (64 * 1024)

typedef struct hs_listener hs_listener;

/* Clocks the listener reads (the scheduler's, so that the test clocks apply). */
typedef struct hs_listener_clocks {
    int64_t (*now_ms)(void);
    int64_t (*mono_ms)(void);
} hs_listener_clocks;

/* Binds address ("HOST:PORT", see listen_addr.h) and starts serving. Returns the listener,
 * or NULL with why (one line) in the caller's buffer. */
hs_listener *hs_listener_start(const char *address, hs_metrics *metrics,
                               const hs_listener_clocks *clocks, char *why, size_t why_size);
void hs_listener_stop(hs_listener *listener);

#endif /* HS_HOST_LISTENER_H */
