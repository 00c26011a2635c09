/* Status records of pipeline cycles (see status.h). */
#define _DEFAULT_SOURCE

#include "status.h"

#include <stdlib.h>
#include <string.h>

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

int hs_status_write(const char *dir, const char *pipeline, const hs_cycle_result *result,
                    char *err, size_t err_size)
{
    json_object *old = hs_status_read(dir, pipeline);
    json_object *o = json_object_new_object(), *v;
    json_object *last = hs_cycle_result_json(result);
    char name[256];
    int64_t last_ok = -1, failures = 0;
    const char *text;
    int rc = -1;
    if (old != NULL) {
        if (json_object_object_get_ex(old, "last_ok_ms", &v))
            last_ok = json_object_get_int64(v);
        if (json_object_object_get_ex(old, "failures", &v))
            failures = json_object_get_int64(v);
    }
    if (result->status == 0) {
        last_ok = result->started_ms;
        failures = 0;
    } else {
        failures++;
    }
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
    text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY);
    rc = hs_state_write_file(dir, name, text, strlen(text), err, err_size);
out:
    json_object_put(o);
    json_object_put(old);
    return rc;
}

int64_t hs_status_last_start(json_object *record)
{
    json_object *last, *v;
    if (record == NULL || !json_object_object_get_ex(record, "last", &last) ||
        !json_object_object_get_ex(last, "started_ms", &v))
        return -1;
    return json_object_get_int64(v);
}

/* After a transient failure (the remote system was busy or unreachable) the next attempt
 * comes sooner than a full interval: 5 minutes, doubling with each further failure, never
 * later than the interval. */
static int64_t retry_delay_s(json_object *record, int64_t interval_s)
{
    json_object *last, *v;
    int64_t failures = 1, delay = 300;
    if (!json_object_object_get_ex(record, "last", &last) ||
        !json_object_object_get_ex(last, "status", &v) || json_object_get_int(v) != 1)
        return interval_s;
    if (json_object_object_get_ex(record, "failures", &v))
        failures = json_object_get_int64(v);
    for (int64_t i = 1; i < failures && delay < interval_s; i++)
        delay *= 2;
    return delay < interval_s ? delay : interval_s;
}

int64_t hs_status_next_due(const char *pipeline, json_object *record, int64_t interval_s)
{
    int64_t start = hs_status_last_start(record);
    int64_t wait_s, span;
    uint64_t h = hs_state_checksum(pipeline, strlen(pipeline));
    if (start < 0)
        return 0;
    wait_s = retry_delay_s(record, interval_s);
    span = wait_s * 1000 / 10;
    if (span > 300000)
        span = 300000;
    h ^= (uint64_t)start;
    h *= 1099511628211ull;
    return start + wait_s * 1000 + (span > 0 ? (int64_t)(h % (uint64_t)span) : 0);
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
