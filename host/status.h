/*
 * Status records: after every cycle the runner writes "<state_dir>/<pipeline>.status" (JSON,
 * atomically) with the last cycle's outcome; `hiresync status` and the schedule read it back.
 *
 *   { "pipeline": "<name>", "last": { started_at, started_ms, duration_ms, result, status,
 *     counts{...}, error }, "last_ok_ms": N, "failures": N }
 *
 * Ownership: hs_status_read() returns a new reference (json_object_put it) or NULL.
 */
#ifndef HS_HOST_STATUS_H
#define HS_HOST_STATUS_H

#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

#include "cycle.h"

/* Writes the record of a finished cycle. Returns 0, or -1 with err filled. */
int hs_status_write(const char *dir, const char *pipeline, const hs_cycle_result *result,
                    char *err, size_t err_size);

/* The pipeline's record, or NULL when it never ran (or the record is unreadable). */
json_object *hs_status_read(const char *dir, const char *pipeline);

/* Start time (ms) of the last cycle from a record, or -1. */
int64_t hs_status_last_start(json_object *record);

/* The next due time: last start + interval + jitter (a stable 0..min(interval/10, 5 min)
 * derived from the pipeline name and the last start, so that tenants on one clock spread
 * out). After a transient failure (HS_RETRY) the wait is 5 minutes, doubled for each further
 * failure in a row, at most the interval. A pipeline that never ran is due at once (0). */
int64_t hs_status_next_due(const char *pipeline, json_object *record, int64_t interval_s);

/* Beyond this skew between the host's clock and a remote system's, check and status warn. */
#define HS_SKEW_WARN_MS 60000

/* "3m", "2h05m", "4d" for a duration in ms. */
void hs_status_format_age(int64_t ms, char *out, size_t size);

#endif /* HS_HOST_STATUS_H */
