/*
 * read_changes: completed interviews. Willo has no "completed since" filter, so each
 * interview's completed participants are listed newest first (ordering=-completed, where Willo
 * accepts it) and the walk stops at the interview's watermark minus the overlap window.
 *
 * Cursor format, version 1 (every version ever written stays readable):
 *
 *   {"v":1,"interviews":{"<interview key>":{"wm":"<time>","floor":"<time>"}, ...}}
 *
 *   wm     the newest completion time seen in that interview (Willo's clock), or "" when none
 *          was seen yet. A later read reports completions at or after wm - overlap_s, so a
 *          participant that shows up completed a little late is still reported (reads are at
 *          least once; the change key tells repeats apart).
 *   floor  completions at or before this time were already there when the interview's baseline
 *          was taken and are never reported; "" when the interview had none.
 *   Times are "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC).
 *
 * An interview missing from the cursor gets a baseline: unless a snapshot was asked for, its
 * current completions are not reported and wm and floor become the newest of them. The
 * baseline is taken in Willo's clock rather than the host's, so that a participant invited
 * after it and completed later is always reported, whatever the skew between the two clocks,
 * and an interview without completions reports every later one.
 *
 * One exception: hiresync may invite to an interview before its first successful read (the
 * read of that cycle failed, say), and the invited may complete before the next one. So
 * write_invitation records in the host's store ("since:<interview>") the Willo creation time
 * of the earliest participant it invited or adopted there, and a baseline reports the
 * completions from that time on (the floor sits just before it). Reporting others' completions
 * too is harmless: the runner notes only its own invitations, once per key.
 *
 * Interviews in the cursor but not in the request keep their marks.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_errors.h"
#include "hs_json.h"
#include "hs_time.h"
#include "hs_url.h"
#include "willo.h"

#define CURSOR_VERSION 1

typedef struct mark {
    char *interview;
    int has_wm;
    int64_t wm;
    int has_floor;
    int64_t floor;
} mark;

typedef struct cursor {
    mark *marks;
    size_t n;
    size_t cap;
} cursor;

static void cursor_free(cursor *cur)
{
    for (size_t i = 0; i < cur->n; i++)
        free(cur->marks[i].interview);
    free(cur->marks);
    memset(cur, 0, sizeof *cur);
}

static mark *cursor_find(cursor *cur, const char *interview)
{
    for (size_t i = 0; i < cur->n; i++)
        if (strcmp(cur->marks[i].interview, interview) == 0)
            return &cur->marks[i];
    return NULL;
}

/* Sets (adds or replaces) the mark of m.interview, copying the name. Returns 0 or -1. */
static int cursor_set(cursor *cur, const mark *m)
{
    mark *old = cursor_find(cur, m->interview);
    if (old) {
        old->has_wm = m->has_wm;
        old->wm = m->wm;
        old->has_floor = m->has_floor;
        old->floor = m->floor;
        return 0;
    }
    if (cur->n == cur->cap) {
        size_t cap = cur->cap ? cur->cap * 2 : 8;
        mark *grown = realloc(cur->marks, cap * sizeof *grown);
        if (!grown)
            return -1;
        cur->marks = grown;
        cur->cap = cap;
    }
    mark copy = *m;
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

static hs_status cursor_parse(const char *text, cursor *cur, hs_error *err)
{
    if (!text || !*text)
        return HS_OK;
    json_object *root = hs_json_parse(text, strlen(text), "willo cursor", err);
    if (!root)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: the cursor is not JSON");
    hs_status st = HS_OK;
    int64_t v = 0;
    json_object *ivs = hs_json_get(root, "interviews");
    if (hs_json_int(root, "v", &v) != 0 || v != CURSOR_VERSION ||
        !json_object_is_type(ivs, json_type_object)) {
        st = hs_error_set(err, HS_E_INTERNAL, 0,
                          "willo: the cursor is not in a format this connector wrote "
                          "(expected {\"v\":1,\"interviews\":{...}})");
        goto out;
    }
    json_object_object_foreach(ivs, key, val) {
        mark m = { .interview = key };
        if (!json_object_is_type(val, json_type_object) ||
            read_time(val, "wm", &m.has_wm, &m.wm) != 0 ||
            read_time(val, "floor", &m.has_floor, &m.floor) != 0) {
            st = hs_error_set(err, HS_E_INTERNAL, 0,
                              "willo: the cursor's mark of interview %s is damaged", key);
            goto out;
        }
        if (cursor_set(cur, &m) != 0) {
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

/* The cursor as JSON, a new string the caller frees; NULL on allocation failure. */
static char *cursor_json(const cursor *cur)
{
    char *out = NULL;
    json_object *root = json_object_new_object();
    json_object *ivs = json_object_new_object();
    if (!root || !ivs) {
        json_object_put(ivs);
        goto out;
    }
    if (json_object_object_add(root, "v", json_object_new_int(CURSOR_VERSION)) != 0 ||
        json_object_object_add(root, "interviews", ivs) != 0) {
        json_object_put(ivs);
        goto out;
    }
    for (size_t i = 0; i < cur->n; i++) {
        const mark *m = &cur->marks[i];
        json_object *o = json_object_new_object();
        if (!o || json_object_object_add(ivs, m->interview, o) != 0) {
            json_object_put(o);
            goto out;
        }
        if (add_time(o, "wm", m->has_wm, m->wm) != 0 ||
            add_time(o, "floor", m->has_floor, m->floor) != 0)
            goto out;
    }
    out = hs_json_dup_string(root);
out:
    json_object_put(root);
    return out;
}

static hs_status barrier(const hs_emitter *em, const cursor *cur, hs_error *err)
{
    char *json = cursor_json(cur);
    if (!json)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
    hs_status st = em->checkpoint(em->ctx, json);
    free(json);
    if (st != HS_OK)
        return hs_error_set(err, st, 0, "willo: the host stopped the read at a checkpoint (%s)",
                            hs_status_name(st));
    return HS_OK;
}

/* ---- the store's "since" marks ---- */

#define SINCE_PREFIX "since:"

static int since_name(const char *interview, char *name, size_t size)
{
    int n = snprintf(name, size, SINCE_PREFIX "%s", interview);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int has_store(const hs_conn *c)
{
    return HS_HAS_FIELD(hs_host_api, c->api->struct_size, store_put) && c->api->store_get &&
           c->api->store_put;
}

/* The "since" time recorded for interview; 0 when none. */
static int since_get(hs_conn *c, const char *interview, int64_t *since)
{
    char name[65], value[64];
    if (!has_store(c) || since_name(interview, name, sizeof name) != 0 ||
        c->api->store_get(c->host, name, value, sizeof value) != HS_OK)
        return 0;
    return hs_time_parse(value, 0, since) == 0;
}

void hs_willo_note_invited(hs_conn *c, const char *interview, const char *created)
{
    char name[65], value[HS_TIME_BUF];
    int64_t t = 0, old = 0;
    if (!created || hs_time_parse(created, 0, &t) != 0 || !has_store(c) ||
        since_name(interview, name, sizeof name) != 0)
        return;
    if (since_get(c, interview, &old) && old <= t)
        return;
    if (hs_time_format(t, value, sizeof value) != 0 ||
        c->api->store_put(c->host, name, value) != HS_OK)
        c->api->log(c->host, HS_LOG_WARN, "willo: could not record the first invitation to "
                    "interview %s in the connection's store", interview);
}

/* ---- one interview ---- */

typedef struct walk_ctx {
    hs_conn *c;
    const hs_emitter *em;
    const cursor *committed;   /* what a barrier inside this walk may commit */
    const char *interview;
    int snapshot;              /* report everything, marked as snapshot */
    int baseline;              /* report nothing, only find the newest */
    int sorted;                /* trusting ordering=-completed for an early stop */
    int has_lo;
    int64_t lo;                /* report t >= lo (wm - overlap) */
    int has_floor;
    int64_t floor;             /* report t > floor */
    int have_prev;
    int64_t prev;
    int has_newest;
    int64_t newest;
    size_t reported;
} walk_ctx;

/* Completion time of a participant; -1 when it has none (not completed). */
static int completion(json_object *p, int64_t *t)
{
    const char *status = hs_json_str(p, "status");
    if (status && (strcmp(status, "invited") == 0 || strcmp(status, "started") == 0))
        return -1;
    static const char *const names[] = { "completed", "completed_at", "submitted",
                                         "submitted_at" };
    const char *s = NULL;
    for (size_t i = 0; !s && i < sizeof names / sizeof names[0]; i++)
        s = hs_json_str(p, names[i]);
    if (!s || hs_time_parse(s, 0, t) != 0)
        return -1;
    return 0;
}

static hs_status report(walk_ctx *w, json_object *p, int64_t t, hs_error *err)
{
    const char *pkey = hs_json_str(p, "key");
    if (!pkey || !*pkey)
        return HS_OK;
    char when[HS_TIME_BUF];
    char key[256];
    if (hs_time_format(t, when, sizeof when) != 0)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: completion time out of range");
    int n = snprintf(key, sizeof key, "willo:%s:completed:%s", pkey, when);
    if (n < 0 || (size_t)n >= sizeof key)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: participant key too long");
    hs_person person;
    hs_willo_participant_person(p, &person);
    hs_stage_change ch;
    memset(&ch, 0, sizeof ch);
    ch.struct_size = sizeof ch;
    ch.kind = HS_CHANGE_COMPLETED;
    ch.key = key;
    /* the participant key write_invitation returned: how the host finds the application */
    ch.record_id = pkey;
    ch.job_id = w->interview;
    ch.changed_at = when;
    ch.person = &person;
    ch.link = hs_willo_participant_link(w->c, p);
    ch.snapshot = w->snapshot;
    hs_status st = w->em->change(w->em->ctx, &ch);
    if (st != HS_OK)
        return hs_error_set(err, st, 0, "willo: the host stopped the read (%s)",
                            hs_status_name(st));
    w->reported++;
    return HS_OK;
}

static hs_status on_page(void *ctx, json_object *results, int *stop, hs_error *err)
{
    walk_ctx *w = ctx;
    for (size_t i = 0; i < json_object_array_length(results) && !*stop; i++) {
        json_object *p = json_object_array_get_idx(results, i);
        int64_t t = 0;
        if (!hs_willo_participant_in(p, w->interview) || completion(p, &t) != 0)
            continue;
        if (w->sorted && w->have_prev && t > w->prev) {
            /* Willo ignored the ordering: no early stop from here on, for this connection */
            w->sorted = 0;
            w->c->ordering_ignored = 1;
            w->c->api->log(w->c->host, HS_LOG_WARN,
                           "willo: participants are not ordered by completion; reading whole "
                           "lists from now on");
        }
        w->have_prev = 1;
        w->prev = t;
        if (!w->has_newest || t > w->newest) {
            w->has_newest = 1;
            w->newest = t;
        }
        if (w->baseline)
            continue;
        int before = (w->has_lo && t < w->lo) || (w->has_floor && t <= w->floor);
        if (before) {
            if (w->sorted)
                *stop = 1;
            continue;
        }
        hs_status st = report(w, p, t, err);
        if (st != HS_OK)
            return st;
    }
    if (w->baseline && w->sorted && w->has_newest)
        *stop = 1;   /* newest first: the first completion seen is the newest */
    return barrier(w->em, w->committed, err);
}

static hs_status walk_interview(hs_conn *c, walk_ctx *w, long *status, json_object **body,
                                hs_error *err)
{
    char esc[512], query[700];
    if (hs_url_escape(w->interview, esc, sizeof esc) != 0)
        return hs_error_set(err, HS_E_DATA, 0, "willo: interview key too long");
    w->sorted = !c->ordering_ignored;
    snprintf(query, sizeof query, "interview=%s%s%s&page_size=%d", esc,
             c->status_filter_off ? "" : "&status=completed",
             w->sorted ? "&ordering=-completed" : "", c->cfg.page_size);
    char *url = hs_willo_url(c, "/participants/", query);
    if (!url)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
    hs_status st = hs_willo_pages(c, url, "GET /participants/", on_page, w, status, body, err);
    free(url);
    return st;
}

/* Walks the interview, dropping the participant filters Willo refuses: they are not
 * documented, so one it refuses is left out (for the connection's life) and done on this side
 * instead. *status is the first page's status. */
static hs_status walk_with_fallbacks(hs_conn *c, walk_ctx *w, long *status, hs_error *err)
{
    json_object *body = NULL;
    hs_status st = walk_interview(c, w, status, &body, err);
    while (st == HS_OK && *status == 400) {
        char text[256];
        hs_willo_error_text(body, text, sizeof text);
        if (strstr(text, "ordering") && !c->ordering_ignored)
            c->ordering_ignored = 1;
        else if (strstr(text, "status") && !c->status_filter_off)
            c->status_filter_off = 1;
        else
            break;
        c->api->log(c->host, HS_LOG_WARN, "willo: Willo refused a participant filter (%s); "
                    "filtering here instead", text);
        json_object_put(body);
        body = NULL;
        st = walk_interview(c, w, status, &body, err);
    }
    if (st == HS_OK && *status != 200) {
        char text[256];
        hs_willo_error_text(body, text, sizeof text);
        c->api->log(c->host, HS_LOG_WARN,
                    "willo: interview %s skipped: Willo answered %ld (%s); it may have been "
                    "deleted, or this API key cannot see it", w->interview, *status, text);
    }
    json_object_put(body);
    return st;
}

/* The interview's mark after a complete walk. */
static mark next_mark(const mark *old, const walk_ctx *w, int has_since)
{
    mark m = { .interview = (char *)w->interview };
    if (old && !w->snapshot) {
        m = *old;
        if (w->has_newest && (!m.has_wm || w->newest > m.wm)) {
            m.has_wm = 1;
            m.wm = w->newest;
        }
        return m;
    }
    m.has_wm = m.has_floor = w->has_newest;
    m.wm = m.floor = w->newest;
    if (has_since && (!w->has_newest || w->floor < w->newest)) {
        m.has_floor = 1;
        m.floor = w->floor;
    }
    return m;
}

static hs_status read_interview(hs_conn *c, const hs_emitter *em, cursor *committed,
                                const char *interview, int snapshot, hs_error *err)
{
    mark *old = cursor_find(committed, interview);
    walk_ctx w;
    memset(&w, 0, sizeof w);
    w.c = c;
    w.em = em;
    w.committed = committed;
    w.interview = interview;
    w.snapshot = snapshot;
    w.baseline = !snapshot && old == NULL;
    int64_t since = 0;
    int has_since = w.baseline && since_get(c, interview, &since);
    if (has_since) {
        /* hiresync invited here before this first read: report what completed since then */
        w.baseline = 0;
        w.has_floor = 1;
        w.floor = since - 1;
    }
    if (old && !snapshot) {
        w.has_lo = old->has_wm;
        w.lo = old->wm - c->cfg.overlap_ms;
        w.has_floor = old->has_floor;
        w.floor = old->floor;
    }
    long status = 0;
    hs_status st = walk_with_fallbacks(c, &w, &status, err);
    if (st != HS_OK || status != 200)
        return st;
    mark m = next_mark(old, &w, has_since);
    if (cursor_set(committed, &m) != 0)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
    c->api->log(c->host, HS_LOG_DEBUG, "willo: interview %s: %zu completions%s", interview,
                w.reported, w.baseline ? " (baseline)" : has_since ? " (first read after "
                "invitations)" : "");
    return HS_OK;
}

/* ---- the interviews to read ---- */

typedef struct keys {
    char **v;
    size_t n;
} keys;

static void keys_free(keys *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->v[i]);
    free(k->v);
}

static hs_status on_interviews(void *ctx, json_object *results, int *stop, hs_error *err)
{
    keys *k = ctx;
    (void)stop;
    size_t add = json_object_array_length(results);
    char **grown = realloc(k->v, (k->n + add + 1) * sizeof *grown);
    if (!grown)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
    k->v = grown;
    for (size_t i = 0; i < add; i++) {
        const char *key = hs_json_str(json_object_array_get_idx(results, i), "key");
        if (!key || !*key)
            continue;
        k->v[k->n] = strdup(key);
        if (!k->v[k->n])
            return hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
        k->n++;
    }
    return HS_OK;
}

/* Every interview the key sees, for a request without job_ids. */
static hs_status all_interviews(hs_conn *c, keys *k, hs_error *err)
{
    char query[32];
    snprintf(query, sizeof query, "page_size=%d", c->cfg.page_size);
    char *url = hs_willo_url(c, "/interviews/", query);
    if (!url)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
    long status = 0;
    json_object *body = NULL;
    hs_status st = hs_willo_pages(c, url, "GET /interviews/", on_interviews, k, &status, &body,
                                  err);
    free(url);
    if (st == HS_OK && status != 200)
        st = hs_willo_no_list(status, body, err);
    json_object_put(body);
    return st;
}

hs_status hs_willo_read_changes(hs_conn *c, const hs_read_request *request,
                                const hs_emitter *em, hs_error *err)
{
    if (!request || !em || !em->change || !em->checkpoint ||
        !HS_HAS_FIELD(hs_read_request, request->struct_size, snapshot))
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: read_changes with short structs");
    cursor committed = { 0 };
    keys all = { 0 };
    hs_status st = cursor_parse(request->cursor_json, &committed, err);
    if (st != HS_OK)
        goto out;
    const char *const *ids = request->job_ids;
    size_t n = request->n_job_ids;
    if (!ids) {
        st = all_interviews(c, &all, err);
        if (st != HS_OK)
            goto out;
        ids = (const char *const *)all.v;
        n = all.n;
    }
    for (size_t i = 0; i < n; i++) {
        if (!ids[i] || !*ids[i])
            continue;
        if (c->api->cancelled(c->host)) {
            st = hs_error_set(err, HS_E_CANCELLED, 0, "willo: cancelled");
            goto out;
        }
        st = read_interview(c, em, &committed, ids[i], request->snapshot != 0, err);
        if (st != HS_OK)
            goto out;
    }
    st = barrier(em, &committed, err);
out:
    keys_free(&all);
    cursor_free(&committed);
    return st;
}
