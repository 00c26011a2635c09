/*
 * Status records and the schedule's due times.
 *
 * After every cycle the runner writes "<state_dir>/<pipeline>.status" (JSON, atomically);
 * `hiresync status` and the schedule read it back:
 *
 *   { "pipeline": "<name>",
 *     "last": { "started_at": "<UTC text>", "started_ms": N, "duration_ms": N,
 *               "result": "ok|warning|failed|cancelled", "status": <hs_status number>,
 *               "counts": {...}, "error": "<what went wrong and what to fix, or \"\">",
 *               "retry_at_ms": N,      (host ms before which the pipeline must not run again
 *                                       because the remote system said so; absent when none)
 *               "cancelled": true },   (only for a cycle stopped by a signal)
 *     "last_ok_ms": N,                 (start of the last successful cycle, -1 when none)
 *     "failures": N,                   (failed cycles in a row; a cancelled one is not counted)
 *     "next_due_ms": N,                (the due time as the schedule computed it: neither the
 *                                       grace of `run --once` nor the daemon's spread included;
 *                                       a retry_at_ms later than the schedule's wins)
 *     "clock_skew": { "<connection name>": { "skew_ms": N, "measured_ms": N } } }
 *                                      (host clock minus the remote's, measured during the
 *                                       cycle at host time measured_ms; a connection without a
 *                                       measurement is left out)
 *
 * The schedule keeps time: a successful cycle's next due time is its *slot* + the interval,
 * where the slot is the due time it was started for when the cycle before it succeeded and it
 * started within the grace window of that time (early or late), else its start. Start delays therefore never accumulate, and
 * an external scheduler firing every interval, a little early or late, runs every interval.
 * A failed cycle is retried with back-off (see hs_status_backoff_ms); a cancelled cycle is due
 * again at once, and so is one whose start the lock file noted but whose outcome was never
 * recorded (the process was killed).
 *
 * Ownership: hs_status_read() returns a new reference (json_object_put it) or NULL; records
 * passed in are borrowed.
 */
#ifndef HS_HOST_STATUS_H
#define HS_HOST_STATUS_H

#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "cycle.h"

/* The longest wait a remote system may impose (a daily quota: until the next UTC midnight
 * plus a margin); a recorded retry time further away means the host's clock went back. */
#define HS_STATUS_RETRY_MAX_MS (26 * 3600 * 1000LL)

/* What a finished cycle adds to its record. */
typedef struct hs_status_cycle {
    const hs_cycle_result *result;     /* borrowed */
    int64_t interval_s;                /* the pipeline's interval */
    json_object *clock_skew;           /* borrowed, may be NULL: the "clock_skew" object */
    int64_t next_due_ms;               /* out: the due time written as "next_due_ms" */
} hs_status_cycle;

/* Writes the record of a finished cycle and sets c->next_due_ms (also when the write fails).
 * Returns 0, or -1 with err filled. */
int hs_status_write(const char *dir, const char *pipeline, hs_status_cycle *c, char *err,
                    size_t err_size);

/* The pipeline's record, or NULL when it never ran (or the record is unreadable). */
json_object *hs_status_read(const char *dir, const char *pipeline);

/* Start time (ms) of the last cycle from a record, or -1. */
int64_t hs_status_last_start(json_object *record);

/* The record's retry_at_ms, 0 when none. */
int64_t hs_status_retry_at(json_object *record);

/* The next due time (host ms): the record's next_due_ms, or the retry time when later; for a
 * record written before next_due_ms existed, last start + interval (+ back-off rules). A
 * pipeline that never ran is due at once (0). Neither grace nor spread is included. */
int64_t hs_status_next_due(const char *pipeline, json_object *record, int64_t interval_s);

/* How early `run --once` may run a due pipeline, so that an external scheduler firing every
 * interval with some delay runs every interval: the larger of a tenth of the interval and 5
 * minutes, but at most half the interval. */
int64_t hs_status_grace_ms(int64_t interval_s);

/* The daemon's spread: a stable offset after the due time, derived from the pipeline's name
 * (so that tenants sharing one clock do not all call at the same second), in
 * 0 .. min(interval / 10, 5 minutes). It is the same for every cycle and never accumulates. */
int64_t hs_status_spread_ms(const char *pipeline, int64_t interval_s);

/* The wait after the n-th failed cycle in a row (n >= 1): 1 minute doubling with each
 * failure for transient errors, quadrupling for errors a person must fix (configuration,
 * permission, internal), never more than the interval nor less than a minute. */
int64_t hs_status_backoff_ms(hs_status status, int64_t failures, int64_t interval_s);

/* The decision of `run --once` at now_ms: the due time minus the grace has passed, and the
 * retry time the remote system asked for has passed. A pipeline that never ran is due. */
int hs_status_due_within_grace(const char *pipeline, json_object *record, int64_t now_ms,
                               int64_t interval_s);

/* 1 when the pipeline's lock file notes a cycle start later than the record's last start and
 * no process holds the lock: that cycle was killed before it recorded its outcome. */
int hs_status_interrupted(const char *dir, const char *pipeline, json_object *record);

/* Beyond this skew between the host's clock and a remote system's, check and status warn. */
#define HS_SKEW_WARN_MS 60000

/* The name of an hs_status code as status --json shows it ("ok", "retry", "config",
 * "permission", "data", "unsupported", "internal", "cancelled", "conflict"), "unknown" for any
 * other number (a record written by a later version). A static string. */
const char *hs_status_code_name(int64_t code);

/* "3m", "2h05m", "4d" for a duration in ms. */
void hs_status_format_age(int64_t ms, char *out, size_t size);

#endif /* HS_HOST_STATUS_H */
