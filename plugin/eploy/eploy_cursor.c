/*
 * The read_changes cursor. Format (JSON object; unknown members are ignored, every member is
 * optional, so every earlier cursor still reads):
 *
 *   {"v":1,
 *    "mode":"history",                    how the read that wrote it worked: "history" (status
 *                                         history rows) or "modified" (applications modified
 *                                         since, used when the key may not read history)
 *    "since":"2026-01-01T00:00:00.000Z",  the signpost of that read: every change dated up to
 *                                         here was emitted; the next read asks for changes after
 *                                         since - overlap_s
 *    "seen":["eploy:app:1:7:31:2026-01-01T00:00:00.000Z", ...],
 *                                         keys emitted with dates inside the overlap window
 *                                         before since, so that the overlap does not emit them
 *                                         again (at most 1000; beyond that the host's key
 *                                         de-duplication takes over)
 *    "gap":"2026-01-01T00:00:00.000Z",    with mode "modified" only: the status history was read
 *                                         up to here; the first history read after the
 *                                         fallback starts here (see eploy_changes.c)
 *    "calls":{"day":"2026-01-01","used":123}}
 *                                         the daily call count when it was written
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "eploy.h"
#include "hs_errors.h"
#include "hs_json.h"
#include "hs_time.h"

hs_status hs_eploy_cursor_parse(hs_conn *conn, const char *json, hs_eploy_cursor *c,
                                hs_error *err)
{
    json_object *obj, *seen;
    const char *since, *mode, *day, *gap;
    int64_t used;
    hs_status st = HS_OK;

    memset(c, 0, sizeof *c);
    if (json == NULL || *json == '\0')
        return HS_OK;
    obj = hs_json_parse(json, strlen(json), "eploy: cursor", err);
    if (obj == NULL || !json_object_is_type(obj, json_type_object)) {
        json_object_put(obj);
        return hs_error_set(err, HS_E_INTERNAL, 0,
                            "eploy: the stored cursor is not a JSON object; reset the "
                            "pipeline's state to start over");
    }
    since = hs_json_str(obj, "since");
    if (since != NULL) {
        if (hs_time_parse(since, 0, &c->since_ms) != 0) {
            st = hs_error_set(err, HS_E_INTERNAL, 0,
                              "eploy: the stored cursor's \"since\" is not a date; reset the "
                              "pipeline's state to start over");
            goto out;
        }
        c->has_since = 1;
    }
    gap = hs_json_str(obj, "gap");
    if (gap != NULL && hs_time_parse(gap, 0, &c->gap_ms) == 0)
        c->has_gap = 1;     /* unreadable: the history is read from since only */
    mode = hs_json_str(obj, "mode");
    memcpy(c->mode, "history", sizeof "history");
    if (mode != NULL && strcmp(mode, "modified") == 0)
        memcpy(c->mode, "modified", sizeof "modified");
    seen = hs_json_get(obj, "seen");
    if (seen != NULL && json_object_is_type(seen, json_type_array)) {
        size_t n = json_object_array_length(seen);
        for (size_t i = 0; i < n; i++) {
            json_object *k = json_object_array_get_idx(seen, i);
            if (json_object_is_type(k, json_type_string) &&
                hs_eploy_cursor_add_seen(c, json_object_get_string(k)) != 0) {
                st = hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
                goto out;
            }
        }
    }
    day = hs_json_str(obj, "calls.day");
    if (day != NULL && hs_json_int(obj, "calls.used", &used) == 0)
        hs_eploy_quota_merge(conn, day, used);
out:
    json_object_put(obj);
    if (st != HS_OK)
        hs_eploy_cursor_free(c);
    return st;
}

char *hs_eploy_cursor_format(hs_conn *conn, const hs_eploy_cursor *c)
{
    json_object *obj = json_object_new_object();
    json_object *seen = json_object_new_array();
    json_object *calls = json_object_new_object();
    char since[HS_TIME_BUF], day[11];
    int64_t used = hs_eploy_quota_today(conn, day);
    char *out = NULL;
    int bad = obj == NULL || seen == NULL || calls == NULL ||
              hs_time_format(c->since_ms, since, sizeof since) != 0;

    if (!bad) {
        for (size_t i = 0; i < c->n_seen; i++)
            bad |= json_object_array_add(seen, json_object_new_string(c->seen[i]));
        bad |= json_object_object_add(calls, "day", json_object_new_string(day));
        bad |= json_object_object_add(calls, "used", json_object_new_int64(used));
        bad |= json_object_object_add(obj, "v", json_object_new_int(1));
        bad |= json_object_object_add(obj, "mode",
                                      json_object_new_string(c->mode[0] ? c->mode : "history"));
        bad |= json_object_object_add(obj, "since", json_object_new_string(since));
        if (c->has_gap) {
            char gap[HS_TIME_BUF];
            if (hs_time_format(c->gap_ms, gap, sizeof gap) == 0)
                bad |= json_object_object_add(obj, "gap", json_object_new_string(gap));
        }
        bad |= json_object_object_add(obj, "seen", seen);
        seen = NULL;
        bad |= json_object_object_add(obj, "calls", calls);
        calls = NULL;
    }
    if (!bad)
        out = hs_json_dup_string(obj);
    json_object_put(seen);
    json_object_put(calls);
    json_object_put(obj);
    return out;
}

int hs_eploy_cursor_has_seen(const hs_eploy_cursor *c, const char *key)
{
    for (size_t i = 0; i < c->n_seen; i++) {
        if (strcmp(c->seen[i], key) == 0)
            return 1;
    }
    return 0;
}

int hs_eploy_cursor_add_seen(hs_eploy_cursor *c, const char *key)
{
    char **p;

    if (c->n_seen >= HS_EPLOY_SEEN_MAX || hs_eploy_cursor_has_seen(c, key))
        return 0;
    if (c->n_seen == c->cap_seen) {
        size_t cap = c->cap_seen ? c->cap_seen * 2 : 16;
        p = realloc(c->seen, cap * sizeof *p);
        if (p == NULL)
            return -1;
        c->seen = p;
        c->cap_seen = cap;
    }
    if ((c->seen[c->n_seen] = strdup(key)) == NULL)
        return -1;
    c->n_seen++;
    return 0;
}

/* The date a key ends with (after its fifth colon; see eploy_changes.c), or -1. */
static int64_t key_date(const char *key)
{
    int64_t ms;

    for (int colons = 0; colons < 5; colons++) {
        if ((key = strchr(key, ':')) == NULL)
            return -1;
        key++;
    }
    return hs_time_parse(key, 0, &ms) == 0 ? ms : -1;
}

void hs_eploy_cursor_prune_seen(hs_eploy_cursor *c, int64_t after_ms)
{
    size_t kept = 0;

    for (size_t i = 0; i < c->n_seen; i++) {
        if (key_date(c->seen[i]) > after_ms)
            c->seen[kept++] = c->seen[i];
        else
            free(c->seen[i]);
    }
    c->n_seen = kept;
}

void hs_eploy_cursor_free(hs_eploy_cursor *c)
{
    for (size_t i = 0; i < c->n_seen; i++)
        free(c->seen[i]);
    free(c->seen);
    memset(c, 0, sizeof *c);
}
