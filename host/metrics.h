/*
 * What the daemon knows about itself, as a snapshot that the listener's thread may read:
 * per pipeline the cycles by result, invitations by outcome, notes, errors by class, the last
 * successful cycle, a cycle duration histogram, the committed cursors and the next due time;
 * per connection the HTTP requests by result (as its connectors report them through
 * request_done), the clock skew, the daily call count and budget and a quota stop, where the
 * connection's store carries them ("calls" = "YYYY-MM-DD N", "quota_stop" = "<until ms> ...",
 * as the Eploy connector keeps them); the scheduler's heartbeat; webhook doorbells and their
 * tokens.
 *
 * The scheduler's threads write into it after each cycle (copies of what they have, never
 * pointers into their own structures); the listener renders from it. Every call takes the
 * snapshot's mutex for a short, bounded time and performs no I/O under it.
 *
 * Rendered:
 *   /metrics  the Prometheus text exposition format (version 0.0.4);
 *   /healthz  {"ok": bool, "heartbeat_age_seconds": N, "reason": "..."}: the scheduler's loop
 *             turned within HS_METRICS_HEARTBEAT_MAX_S;
 *   /readyz   {"ok": bool, "reasons": ["..."]}: a configuration is loaded and no enabled
 *             pipeline has failed its last cycle, is overdue (past its due time plus its
 *             grace window, hs_status_grace_ms) or has a connection stopped by a quota.
 *
 * Ownership: hs_metrics_new() allocates, hs_metrics_free() frees (after the listener has
 * stopped). Strings passed in are copied; rendered texts are malloc'd for the caller to free.
 * Tokens are secrets: they are never rendered.
 */
#ifndef HS_HOST_METRICS_H
#define HS_HOST_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "configuration.h"
#include "connection.h"
#include "cycle.h"

/* /healthz fails when the scheduler's loop has not turned for this long: a cycle turns it
 * between every two requests, and no request waits longer. */
#define HS_METRICS_HEARTBEAT_MAX_S 300

typedef struct hs_metrics hs_metrics;

hs_metrics *hs_metrics_new(void);
void hs_metrics_free(hs_metrics *m);

/* ---- the scheduler's side ------------------------------------------------------------------ */

/* The scheduler's loop is turning (monotonic ms). */
void hs_metrics_heartbeat(hs_metrics *m, int64_t mono_ms);

/* A configuration is loaded (at start and after each reload): its pipelines (enabled or not,
 * their intervals) become the ones reported; pipelines no longer configured are dropped. */
void hs_metrics_configure(hs_metrics *m, const hs_config *config);

/* The doorbell token of a pipeline (NULL: none, deliveries are refused). */
void hs_metrics_set_token(hs_metrics *m, const char *pipeline, const char *token);

/* A pipeline's next due time on the monotonic clock, as the scheduler plans it. */
void hs_metrics_set_due(hs_metrics *m, const char *pipeline, int64_t due_mono_ms);

/* A cycle ended. doorbell: it was an interviews-side read rung by a webhook (its invitations,
 * notes and errors count; it is not a cycle, nor timed as one). body: the
 * pipeline's state body after the cycle (its cursors' "committed_ms"), may be NULL. */
void hs_metrics_cycle_done(hs_metrics *m, const char *pipeline, const hs_cycle_result *result,
                           int doorbell, json_object *body);

/* What an open connection knows: clock skew, daily calls, budget, quota stop. */
void hs_metrics_observe_connection(hs_metrics *m, hs_connection *connection);

/* ---- doorbells ------------------------------------------------------------------------------ */

typedef enum hs_doorbell_result {
    HS_DOORBELL_SCHEDULED,       /* a read is now pending */
    HS_DOORBELL_COALESCED,       /* one was pending already */
    HS_DOORBELL_REFUSED          /* unknown pipeline, no token, or the wrong one */
} hs_doorbell_result;

/* A delivery for pipeline carrying token (compared in constant time). Counted either way. */
hs_doorbell_result hs_metrics_doorbell_ring(hs_metrics *m, const char *pipeline,
                                            const char *token);

/* Why a request was refused before it reached a pipeline: counted, never logged. */
typedef enum hs_reject_reason {
    HS_REJECT_NOT_FOUND,         /* no such route, pipeline or token */
    HS_REJECT_TOO_LARGE,         /* a body over the cap */
    HS_REJECT_METHOD,            /* a method the route does not take */
    HS_REJECT_N
} hs_reject_reason;
void hs_metrics_rejected(hs_metrics *m, hs_reject_reason reason);

/* Takes the pipeline's pending doorbell when the last doorbell read started at least
 * min_gap_ms ago (the rate limit): returns 1 and clears it, 0 otherwise. A pipeline whose
 * full cycle is starting takes it with min_gap_ms = 0, since that cycle reads the same. */
int hs_metrics_doorbell_take(hs_metrics *m, const char *pipeline, int64_t now_mono_ms,
                             int64_t min_gap_ms);

/* The earliest monotonic time at which a pending doorbell may be taken; INT64_MAX when none
 * is pending. */
int64_t hs_metrics_doorbell_wake(hs_metrics *m, int64_t min_gap_ms);

/* ---- the listener's side -------------------------------------------------------------------- */

/* Each returns a malloc'd text (NULL when out of memory); *ok says 200 (1) or 503 (0). */
char *hs_metrics_render(hs_metrics *m, int64_t now_ms, int64_t now_mono_ms);
char *hs_metrics_healthz(hs_metrics *m, int64_t now_mono_ms, int *ok);
char *hs_metrics_readyz(hs_metrics *m, int64_t now_ms, int64_t now_mono_ms, int *ok);

#endif /* HS_HOST_METRICS_H */
