/* Status records of pipeline cycles (see status.h). */
#define _DEFAULT_SOURCE

#include "status.h"

#include <stdlib.h>
#include <string.h>

#include "lock.h"
#include "state.h"

#define STATUS_MAX_BYTES (1024u * 1024u)

json_object *hs_status_read(const char *dir, const char *pipeline)
{
    char path[4096], err[256];
    char *text = NULL;
    json_object *o;
    int n = snprintf(path, sizeof path, "%s/%s.status", dir, pipeline);
    if (n < 0 || (size_t)n >= sizeof path)
        return NULL;
    if (hs_state_read_file(path, STATUS_MAX_BYTES, &text, NULL, err, sizeof err) != 0)
        return NULL;
    o = json_tokener_parse(text);
    free(text);
    if (o != NULL && !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

static int64_t get_int(json_object *o, const char *key, int64_t dflt)
{
    json_object *v;
    if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL)
        return dflt;
    return json_object_get_int64(v);
}

static json_object *last_of(json_object *record)
{
    json_object *last;
    if (record == NULL || !json_object_object_get_ex(record, "last", &last) ||
        !json_object_is_type(last, json_type_object))
        return NULL;
    return last;
}

int64_t hs_status_grace_ms(int64_t interval_s)
{
    int64_t interval_ms = interval_s * 1000, grace = interval_ms / 10;
    if (grace < 300000)
        grace = 300000;
    return grace < interval_ms / 2 ? grace : interval_ms / 2;
}

int64_t hs_status_spread_ms(const char *pipeline, int64_t interval_s)
{
    int64_t span = interval_s * 1000 / 10;
    uint64_t h = hs_state_checksum(pipeline, strlen(pipeline));
    if (span > 300000)
        span = 300000;
    return span > 0 ? (int64_t)(h % (uint64_t)span) : 0;
}

int64_t hs_status_backoff_ms(hs_status status, int64_t failures, int64_t interval_s)
{
    /* errors a person must fix need not be tried every minute for long */
    int64_t factor = status == HS_E_CONFIG || status == HS_E_PERMISSION ||
                     status == HS_E_INTERNAL || status == HS_E_UNSUPPORTED ? 4 : 2;
    int64_t cap = interval_s * 1000, delay = 60000;
    if (cap < 60000)
        cap = 60000;
    for (int64_t i = 1; i < failures && delay < cap; i++)
        delay *= factor;
    return delay < cap ? delay : cap;
}

int64_t hs_status_retry_at(json_object *record)
{
    int64_t v = get_int(last_of(record), "retry_at_ms", 0);
    return v > 0 ? v : 0;
}

int64_t hs_status_next_due(const char *pipeline, json_object *record, int64_t interval_s)
{
    json_object *last = last_of(record);
    int64_t start = hs_status_last_start(record), due, retry;
    (void)pipeline;
    if (start < 0)
        return 0;
    due = get_int(record, "next_due_ms", -1);
    if (due < 0) { /* a record from before next_due_ms */
        int64_t st = get_int(last, "status", 0);
        due = start + (st == HS_OK || st == HS_E_CANCELLED
                           ? interval_s * 1000
                           : hs_status_backoff_ms((hs_status)st, get_int(record, "failures", 1),
                                                  interval_s));
    }
    retry = hs_status_retry_at(record);
    return retry > due ? retry : due;
}

/* The due time after the cycle r, given the pipeline's previous record (may be NULL) and the
 * failures in a row including r. */
static int64_t due_after(const char *pipeline, json_object *old, const hs_cycle_result *r,
                         int64_t failures, int64_t interval_s)
{
    int64_t end = r->started_ms + (r->duration_ms > 0 ? r->duration_ms : 0), due, retry = 0;
    if (r->status == HS_E_CANCELLED)
        return r->started_ms; /* the rest of its work is due at once */
    if (r->status != HS_OK) {
        due = end + hs_status_backoff_ms(r->status, failures, interval_s);
    } else {
        /* only a success's due time is a slot of the schedule; a retry starts a new one */
        int64_t prev = get_int(last_of(old), "status", -1) == HS_OK
                           ? hs_status_next_due(pipeline, old, interval_s)
                           : 0;
        int64_t off = r->started_ms - prev, slot = r->started_ms;
        if (prev > 0 && off <= hs_status_grace_ms(interval_s) &&
            -off <= hs_status_grace_ms(interval_s))
            slot = prev;
        due = slot + interval_s * 1000;
    }
    if (r->status == HS_RETRY && r->retry_after_s > 0)
        retry = end + (int64_t)r->retry_after_s * 1000;
    return retry > due ? retry : due;
}

static json_object *last_json(const hs_cycle_result *r)
{
    json_object *last = hs_cycle_result_json(r);
    if (last == NULL)
        return NULL;
    if (r->status == HS_RETRY && r->retry_after_s > 0)
        json_object_object_add(last, "retry_at_ms", json_object_new_int64(
            r->started_ms + (r->duration_ms > 0 ? r->duration_ms : 0) +
            (int64_t)r->retry_after_s * 1000));
    if (r->status == HS_E_CANCELLED)
        json_object_object_add(last, "cancelled", json_object_new_boolean(1));
    return last;
}

int hs_status_write(const char *dir, const char *pipeline, hs_status_cycle *c, char *err,
                    size_t err_size)
{
    const hs_cycle_result *result = c->result;
    json_object *old = hs_status_read(dir, pipeline);
    json_object *o = json_object_new_object();
    json_object *last = last_json(result);
    char name[256];
    int64_t last_ok = get_int(old, "last_ok_ms", -1), failures = get_int(old, "failures", 0);
    const char *text;
    int rc = -1;
    if (result->status == HS_OK) {
        last_ok = result->started_ms;
        failures = 0;
    } else if (result->status != HS_E_CANCELLED) {
        failures++;
    }
    c->next_due_ms = due_after(pipeline, old, result, failures, c->interval_s);
    if (o == NULL || last == NULL ||
        snprintf(name, sizeof name, "%s.status", pipeline) >= (int)sizeof name) {
        snprintf(err, err_size, "cannot record the status of %s", pipeline);
        json_object_put(last);
        goto out;
    }
    json_object_object_add(o, "pipeline", json_object_new_string(pipeline));
    json_object_object_add(o, "last", last);
    json_object_object_add(o, "last_ok_ms", json_object_new_int64(last_ok));
    json_object_object_add(o, "failures", json_object_new_int64(failures));
    json_object_object_add(o, "next_due_ms", json_object_new_int64(c->next_due_ms));
    if (c->clock_skew != NULL)
        json_object_object_add(o, "clock_skew", json_object_get(c->clock_skew));
    text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY);
    rc = hs_state_write_file(dir, name, text, strlen(text), err, err_size);
out:
    json_object_put(o);
    json_object_put(old);
    return rc;
}

int64_t hs_status_last_start(json_object *record)
{
    return get_int(last_of(record), "started_ms", -1);
}

int hs_status_due_within_grace(const char *pipeline, json_object *record, int64_t now_ms,
                               int64_t interval_s)
{
    int64_t retry = hs_status_retry_at(record), due;
    if (hs_status_last_start(record) < 0)
        return 1;
    /* a retry time beyond the longest a remote system asks for means the clock went back */
    if (retry > now_ms && retry - now_ms <= HS_STATUS_RETRY_MAX_MS)
        return 0;
    due = hs_status_next_due(pipeline, record, interval_s);
    if (retry >= due)
        return 1; /* the remote system's time has come (or the clock went back) */
    /* a due time more than an interval away was computed by a clock that has gone back
     * since: waiting for it would stall the pipeline */
    if (due - now_ms > interval_s * 1000 + hs_status_grace_ms(interval_s))
        return 1;
    return now_ms >= due - hs_status_grace_ms(interval_s);
}

int hs_status_interrupted(const char *dir, const char *pipeline, json_object *record)
{
    int held = 0;
    int64_t noted = -1;
    if (hs_lock_peek(dir, pipeline, &held, &noted) != 0 || held)
        return 0;
    return noted >= 0 && noted > hs_status_last_start(record);
}

void hs_status_format_age(int64_t ms, char *out, size_t size)
{
    int64_t s = ms / 1000;
    if (s < 0)
        s = 0;
    if (s < 60)
        snprintf(out, size, "%llds", (long long)s);
    else if (s < 3600)
        snprintf(out, size, "%lldm", (long long)(s / 60));
    else if (s < 86400)
        snprintf(out, size, "%lldh%02lldm", (long long)(s / 3600), (long long)(s % 3600 / 60));
    else
        snprintf(out, size, "%lldd%02lldh", (long long)(s / 86400), (long long)(s % 86400 / 3600));
}

const char *hs_status_code_name(int64_t code)
{
    static const char *const names[] = {"ok", "retry", "config", "permission", "data",
                                        "unsupported", "internal", "cancelled", "conflict"};
    if (code < 0 || code >= (int64_t)(sizeof names / sizeof names[0]))
        return "unknown";
    return names[code];
}
