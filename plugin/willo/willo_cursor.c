/*
 * The read_changes cursor: one mark per interview. Every format ever written stays readable.
 *
 * Version 1 (written for completions only, by every release before lifecycle reads):
 *
 *   {"v":1,"interviews":{"<interview key>":{"wm":"<time>","floor":"<time>"}, ...}}
 *
 * Version 2 (written once any interview has lifecycle marks) adds two members per interview:
 *
 *   {"v":2,"interviews":{"<key>":{"wm":"..","floor":"..","uwm":"..","lfloor":".."}, ...}}
 *
 *   wm      the newest completion time seen in that interview (Willo's clock), or "" when none
 *           was seen yet. A completions-only read reports completions at or after
 *           wm - overlap_s, so a participant that shows up completed a little late is still
 *           reported (reads are at least once; the change key tells repeats apart).
 *   floor   completions at or before this time were already there when the interview's
 *           baseline was taken and are never reported; "" when the interview had none.
 *   uwm     the newest participant `updated` time seen by a lifecycle read, "" when none.
 *           A lifecycle read walks participants updated at or after uwm - overlap_s and reports
 *           their events from that time on.
 *   lfloor  invitations, starts, expiries and declines at or before this time are never
 *           reported (the lifecycle baseline); "" when there was nothing.
 *   A mark without "uwm" (every version 1 mark) has no lifecycle baseline yet: the first
 *   lifecycle read of it takes one, and reports completions by wm and floor as before.
 *   Times are "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "hs_errors.h"
#include "hs_json.h"
#include "hs_time.h"
#include "willo.h"

void hs_willo_cursor_free(hs_willo_cursor *cur)
{
    for (size_t i = 0; i < cur->n; i++)
        free(cur->marks[i].interview);
    free(cur->marks);
    memset(cur, 0, sizeof *cur);
}

hs_willo_mark *hs_willo_cursor_find(hs_willo_cursor *cur, const char *interview)
{
    for (size_t i = 0; i < cur->n; i++)
        if (strcmp(cur->marks[i].interview, interview) == 0)
            return &cur->marks[i];
    return NULL;
}

int hs_willo_cursor_set(hs_willo_cursor *cur, const hs_willo_mark *m)
{
    hs_willo_mark *old = hs_willo_cursor_find(cur, m->interview);
    if (old) {
        char *name = old->interview;
        *old = *m;
        old->interview = name;
        return 0;
    }
    if (cur->n == cur->cap) {
        size_t cap = cur->cap ? cur->cap * 2 : 8;
        hs_willo_mark *grown = realloc(cur->marks, cap * sizeof *grown);
        if (!grown)
            return -1;
        cur->marks = grown;
        cur->cap = cap;
    }
    hs_willo_mark copy = *m;
    copy.interview = strdup(m->interview);
    if (!copy.interview)
        return -1;
    cur->marks[cur->n++] = copy;
    return 0;
}

/* Reads a time member: absent or "" leaves *has 0; returns -1 when it does not parse. */
static int read_time(json_object *obj, const char *name, int *has, int64_t *out)
{
    const char *s = hs_json_str(obj, name);
    *has = 0;
    if (!s || !*s)
        return 0;
    if (hs_time_parse(s, 0, out) != 0)
        return -1;
    *has = 1;
    return 0;
}

static int read_mark(json_object *val, hs_willo_mark *m)
{
    if (!json_object_is_type(val, json_type_object) ||
        read_time(val, "wm", &m->has_wm, &m->wm) != 0 ||
        read_time(val, "floor", &m->has_floor, &m->floor) != 0 ||
        read_time(val, "uwm", &m->has_uwm, &m->uwm) != 0 ||
        read_time(val, "lfloor", &m->has_lfloor, &m->lfloor) != 0)
        return -1;
    m->lc = json_object_object_get_ex(val, "uwm", NULL);
    return 0;
}

hs_status hs_willo_cursor_parse(const char *text, hs_willo_cursor *cur, hs_error *err)
{
    if (!text || !*text)
        return HS_OK;
    json_object *root = hs_json_parse(text, strlen(text), "willo cursor", err);
    if (!root)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: the cursor is not JSON");
    hs_status st = HS_OK;
    int64_t v = 0;
    json_object *ivs = hs_json_get(root, "interviews");
    if (hs_json_int(root, "v", &v) != 0 || (v != 1 && v != 2) ||
        !json_object_is_type(ivs, json_type_object)) {
        st = hs_error_set(err, HS_E_INTERNAL, 0,
                          "willo: the cursor is not in a format this connector wrote "
                          "(expected {\"v\":1 or 2,\"interviews\":{...}})");
        goto out;
    }
    json_object_object_foreach(ivs, key, val) {
        hs_willo_mark m = { .interview = key };
        if (read_mark(val, &m) != 0) {
            st = hs_error_set(err, HS_E_INTERNAL, 0,
                              "willo: the cursor's mark of interview %s is damaged", key);
            goto out;
        }
        if (hs_willo_cursor_set(cur, &m) != 0) {
            st = hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
            goto out;
        }
    }
out:
    json_object_put(root);
    return st;
}

static int add_time(json_object *obj, const char *name, int has, int64_t ms)
{
    char buf[HS_TIME_BUF] = "";
    if (has && hs_time_format(ms, buf, sizeof buf) != 0)
        return -1;
    json_object *s = json_object_new_string(buf);
    return s ? json_object_object_add(obj, name, s) : -1;
}

static int add_mark(json_object *ivs, const hs_willo_mark *m)
{
    json_object *o = json_object_new_object();
    if (!o || json_object_object_add(ivs, m->interview, o) != 0) {
        json_object_put(o);
        return -1;
    }
    if (add_time(o, "wm", m->has_wm, m->wm) != 0 ||
        add_time(o, "floor", m->has_floor, m->floor) != 0)
        return -1;
    if (m->lc && (add_time(o, "uwm", m->has_uwm, m->uwm) != 0 ||
                  add_time(o, "lfloor", m->has_lfloor, m->lfloor) != 0))
        return -1;
    return 0;
}

char *hs_willo_cursor_json(const hs_willo_cursor *cur)
{
    char *out = NULL;
    int version = 1;
    for (size_t i = 0; i < cur->n; i++)
        if (cur->marks[i].lc)
            version = 2;
    json_object *root = json_object_new_object();
    json_object *ivs = json_object_new_object();
    if (!root || !ivs) {
        json_object_put(ivs);
        goto out;
    }
    if (json_object_object_add(root, "v", json_object_new_int(version)) != 0 ||
        json_object_object_add(root, "interviews", ivs) != 0) {
        json_object_put(ivs);
        goto out;
    }
    for (size_t i = 0; i < cur->n; i++)
        if (add_mark(ivs, &cur->marks[i]) != 0)
            goto out;
    out = hs_json_dup_string(root);
out:
    json_object_put(root);
    return out;
}
