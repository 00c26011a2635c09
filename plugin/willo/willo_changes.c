/*
 * read_changes: each participant's life, or only its completions for a host of ABI minor 0.
 * Willo has no "changed since" filter, so each interview's participants are listed newest
 * first and the walk stops at the interview's watermark minus the overlap window:
 *   - completions only (a 2.0 host): status=completed, ordering=-completed, by completion time;
 *   - lifecycle (a host of minor >= 1): every status, ordering=-<updated_field>, by the time
 *     the participant last changed, reporting its invitation, start, completion (with answers
 *     and score), expiry and decline. With nothing new this costs what the completions-only
 *     read costs: the first page of each interview.
 * The cursor's format is described in willo_cursor.c.
 *
 * An interview missing from the cursor gets a baseline: unless a snapshot was asked for, its
 * current events are not reported and the marks become the newest of them. The baseline is
 * taken in Willo's clock rather than the host's, so that a participant invited after it is
 * always reported, whatever the skew between the two clocks, and an interview without
 * participants reports every later event.
 *
 * One exception: hiresync may invite to an interview before its first successful read (the
 * read of that cycle failed, say), and the invited may complete before the next one. So
 * write_invitation records in the host's store ("since:<interview>") the Willo creation time
 * of the earliest participant it invited or adopted there, and a baseline reports the
 * events from that time on (the floors sit just before it). Reporting others' events too is
 * harmless: the runner acts only on its own invitations, once per key.
 *
 * Interviews in the cursor but not in the request keep their marks.
 *
 * Progress (hs_emitter.progress, when the host has it) is reported after each interview: the
 * pages read so far, and the interviews done of how many. No page total is given until the
 * end: a listing's "count" is every participant of the interview, while the walk stops at
 * the interview's mark, so it says nothing true about the pages this read will take.
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

typedef hs_willo_cursor cursor;
typedef hs_willo_mark mark;

static hs_status barrier(const hs_emitter *em, const cursor *cur, hs_error *err)
{
    char *json = hs_willo_cursor_json(cur);
    if (!json)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
    hs_status st = em->checkpoint(em->ctx, json);
    free(json);
    if (st != HS_OK)
        return hs_error_set(err, st, 0, "willo: the host stopped the read at a checkpoint (%s)",
                            hs_status_name(st));
    return HS_OK;
}

/* Tells the host how far the read got (rule 12 of connector.h), when it can be told: the
 * page total only once every interview was read. */
static hs_status report(const hs_emitter *em, int64_t pages, int64_t parts_done,
                        int64_t parts_total, hs_error *err)
{
    hs_progress p;
    if (!HS_HAS_FIELD(hs_emitter, em->struct_size, progress) || em->progress == NULL)
        return HS_OK;
    memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    p.pages_done = pages;
    p.pages_total = parts_done >= parts_total ? pages : -1;
    p.parts_done = parts_done;
    p.parts_total = parts_total > 1 ? parts_total : 0;
    hs_status st = em->progress(em->ctx, &p);
    if (st != HS_OK)
        return hs_error_set(err, st, 0, "willo: the host stopped the read (%s)",
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
    int lifecycle;             /* every event, walked by `updated`; else completions only */
    int snapshot;              /* report everything, marked as snapshot */
    int baseline;              /* report nothing, only find the newest */
    int others;                /* report events other than completions (lifecycle) */
    int sorted;                /* trusting the ordering for an early stop */
    int has_lo;
    int64_t lo;                /* walk (and report) t >= lo (watermark - overlap) */
    int has_floor;
    int64_t floor;             /* report completions t > floor */
    int has_lfloor;
    int64_t lfloor;            /* report other events t > lfloor */
    int have_prev;
    int64_t prev;
    int has_newest;
    int64_t newest;            /* newest walk time (completion, or `updated`) */
    int has_done;
    int64_t done;              /* newest completion (lifecycle walks) */
    size_t reported;
    int64_t *pages;            /* pages read by the whole read_changes (progress) */
} walk_ctx;

static const char *const kind_names[] = { "stage", "completed", "invited", "started",
                                          "expired", "declined" };

static hs_status emit(walk_ctx *w, json_object *p, const hs_willo_event *ev, hs_error *err)
{
    const char *pkey = hs_json_str(p, "key");
    if (!pkey || !*pkey)
        return HS_OK;
    char when[HS_TIME_BUF], key[256];
    if (hs_time_format(ev->at, when, sizeof when) != 0)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: event time out of range");
    /* a completion's key names its time (a participant may complete again); others happen once */
    int n = ev->kind == HS_CHANGE_COMPLETED
                ? snprintf(key, sizeof key, "willo:%s:completed:%s", pkey, when)
                : snprintf(key, sizeof key, "willo:%s:%s", pkey, kind_names[ev->kind]);
    if (n < 0 || (size_t)n >= sizeof key)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: participant key too long");
    hs_person person;
    hs_willo_participant_person(p, &person);
    hs_stage_change ch;
    memset(&ch, 0, sizeof ch);
    ch.struct_size = sizeof ch;
    ch.kind = ev->kind;
    ch.key = key;
    /* the participant key write_invitation returned: how the host finds the application */
    ch.record_id = pkey;
    ch.job_id = w->interview;
    ch.changed_at = when;
    ch.person = &person;
    ch.snapshot = w->snapshot;
    hs_answer *answers = NULL;
    if (ev->kind == HS_CHANGE_COMPLETED) {
        ch.link = hs_willo_participant_link(w->c, p);
        if (w->lifecycle) {
            if (hs_willo_answers(p, &answers, &ch.n_answers) != 0)
                return hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
            ch.answers = answers;
            ch.answer_size = sizeof(hs_answer);
            const char *score = hs_json_str(p, "score");
            ch.score = score && *score ? score : NULL;
        }
    }
    hs_status st = w->em->change(w->em->ctx, &ch);
    free(answers);
    if (st != HS_OK)
        return hs_error_set(err, st, 0, "willo: the host stopped the read (%s)",
                            hs_status_name(st));
    w->reported++;
    return HS_OK;
}

static int wanted(const walk_ctx *w, const hs_willo_event *ev)
{
    if (w->snapshot)
        return 1;
    if (w->baseline || (w->has_lo && ev->at < w->lo))
        return 0;
    if (ev->kind == HS_CHANGE_COMPLETED)
        return !w->has_floor || ev->at > w->floor;
    return w->others && (!w->has_lfloor || ev->at > w->lfloor);
}

/* The participant's walk time and events (completions only: its completion alone). -1 when
 * it has nothing this walk looks at. */
static int events_of(const walk_ctx *w, json_object *p, hs_willo_event *ev, size_t *n,
                     int64_t *t)
{
    if (!w->lifecycle) {
        if (hs_willo_completion(p, t) != 0)
            return -1;
        ev[0].kind = HS_CHANGE_COMPLETED;
        ev[0].at = *t;
        *n = 1;
        return 0;
    }
    *n = hs_willo_events(w->c, p, ev, t);
    return *n ? 0 : -1;
}

/* Whether every participant from here on (in walk order) is too old to report anything. */
static int past_the_end(const walk_ctx *w, int64_t t)
{
    if (w->has_lo && t < w->lo)
        return 1;
    int completions_done = w->has_floor && t <= w->floor;
    int others_done = !w->lifecycle || !w->others || (w->has_lfloor && t <= w->lfloor);
    return completions_done && others_done;
}

static void note_order(walk_ctx *w, int64_t t)
{
    if (w->sorted && w->have_prev && t > w->prev) {
        /* Willo ignored the ordering: no early stop from here on, for this connection */
        w->sorted = 0;
        w->c->ordering_ignored = 1;
        w->c->api->log(w->c->host, HS_LOG_WARN,
                       "willo: participants are not ordered as asked; reading whole lists "
                       "from now on");
    }
    w->have_prev = 1;
    w->prev = t;
    if (!w->has_newest || t > w->newest) {
        w->has_newest = 1;
        w->newest = t;
    }
}

static hs_status on_participant(walk_ctx *w, json_object *p, int *stop, hs_error *err)
{
    hs_willo_event ev[HS_WILLO_MAX_EVENTS];
    size_t n = 0;
    int64_t t = 0;
    if (!hs_willo_participant_in(p, w->interview) || events_of(w, p, ev, &n, &t) != 0)
        return HS_OK;
    note_order(w, t);
    for (size_t i = 0; i < n; i++)
        if (ev[i].kind == HS_CHANGE_COMPLETED && (!w->has_done || ev[i].at > w->done)) {
            w->has_done = 1;
            w->done = ev[i].at;
        }
    if (w->baseline)
        return HS_OK;
    if (!w->snapshot && past_the_end(w, t)) {
        *stop = w->sorted;
        return HS_OK;
    }
    for (size_t i = 0; i < n; i++) {
        if (!wanted(w, &ev[i]))
            continue;
        hs_status st = emit(w, p, &ev[i], err);
        if (st != HS_OK)
            return st;
    }
    return HS_OK;
}

static hs_status on_page(void *ctx, json_object *results, int *stop, hs_error *err)
{
    walk_ctx *w = ctx;
    (*w->pages)++;
    for (size_t i = 0; i < json_object_array_length(results) && !*stop; i++) {
        hs_status st = on_participant(w, json_object_array_get_idx(results, i), stop, err);
        if (st != HS_OK)
            return st;
    }
    if (w->baseline && w->sorted && w->has_newest)
        *stop = 1;   /* newest first: the first one seen is the newest */
    return barrier(w->em, w->committed, err);
}

static hs_status walk_interview(hs_conn *c, walk_ctx *w, long *status, json_object **body,
                                hs_error *err)
{
    char esc[512], query[900];
    if (hs_url_escape(w->interview, esc, sizeof esc) != 0)
        return hs_error_set(err, HS_E_DATA, 0, "willo: interview key too long");
    w->sorted = !c->ordering_ignored;
    if (w->lifecycle)
        snprintf(query, sizeof query, "interview=%s%s%s&page_size=%d", esc,
                 w->sorted ? "&ordering=-" : "", w->sorted ? c->cfg.updated_field : "",
                 c->cfg.page_size);
    else
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
        else if (!w->lifecycle && strstr(text, "status") && !c->status_filter_off)
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

static void raise_to(int *has, int64_t *v, int has_new, int64_t t)
{
    if (has_new && (!*has || t > *v)) {
        *has = 1;
        *v = t;
    }
}

/* The interview's mark after a complete completions-only walk. */
static mark next_mark_completions(const mark *old, const walk_ctx *w, int has_since)
{
    mark m = { .interview = (char *)w->interview };
    if (old && !w->snapshot) {
        m = *old;
        raise_to(&m.has_wm, &m.wm, w->has_newest, w->newest);
        return m;
    }
    if (old)
        m = *old;   /* a snapshot keeps the lifecycle marks */
    m.interview = (char *)w->interview;
    m.has_wm = m.has_floor = w->has_newest;
    m.wm = m.floor = w->newest;
    if (has_since && (!w->has_newest || w->floor < w->newest)) {
        m.has_floor = 1;
        m.floor = w->floor;
    }
    return m;
}

/* The interview's mark after a complete lifecycle walk. Every event of a participant lies at
 * or before its `updated` time, so a baseline at the newest `updated` covers them all. */
static mark next_mark_lifecycle(const mark *old, const walk_ctx *w, int has_since)
{
    mark m = { .interview = (char *)w->interview, .lc = 1 };
    if (old && old->lc && !w->snapshot) {
        m = *old;
        raise_to(&m.has_uwm, &m.uwm, w->has_newest, w->newest);
        raise_to(&m.has_wm, &m.wm, w->has_done, w->done);
        return m;
    }
    if (old && !w->snapshot) {
        /* a completions-only mark: completions go on from it, the rest gets a baseline */
        m = *old;
        m.lc = 1;
        raise_to(&m.has_wm, &m.wm, w->has_done, w->done);
        m.has_uwm = m.has_lfloor = w->has_newest;
        m.uwm = m.lfloor = w->newest;
        return m;
    }
    m.has_uwm = m.has_lfloor = m.has_wm = m.has_floor = w->has_newest;
    m.uwm = m.lfloor = m.wm = m.floor = w->newest;
    if (has_since) {
        m.has_floor = m.has_lfloor = 1;
        m.floor = m.lfloor = w->floor;
        m.has_wm = w->has_done;
        m.wm = w->done;
    }
    return m;
}

/* Sets up w from the interview's committed mark (NULL: none). */
static void walk_from(walk_ctx *w, const mark *old, int has_since, int64_t since,
                      int64_t overlap_ms)
{
    w->baseline = !w->snapshot && old == NULL && !has_since;
    w->others = w->lifecycle && !w->baseline;
    if (has_since && !old) {
        /* hiresync invited here before this first read: report what happened since then */
        w->has_floor = w->has_lfloor = 1;
        w->floor = w->lfloor = since - 1;
    }
    if (!old || w->snapshot)
        return;
    w->has_floor = old->has_floor;
    w->floor = old->floor;
    if (w->lifecycle && old->lc) {
        w->has_lo = old->has_uwm;
        w->lo = old->uwm - overlap_ms;
        w->has_lfloor = old->has_lfloor;
        w->lfloor = old->lfloor;
        return;
    }
    w->has_lo = old->has_wm;
    w->lo = old->wm - overlap_ms;
    w->others = 0;   /* the first lifecycle read of a completions-only mark: a baseline */
}

static hs_status read_interview(hs_conn *c, const hs_emitter *em, cursor *committed,
                                const char *interview, int snapshot, int lifecycle,
                                int64_t *pages, hs_error *err)
{
    mark *old = hs_willo_cursor_find(committed, interview);
    walk_ctx w;
    memset(&w, 0, sizeof w);
    w.pages = pages;
    w.c = c;
    w.em = em;
    w.committed = committed;
    w.interview = interview;
    w.snapshot = snapshot;
    w.lifecycle = lifecycle;
    int64_t since = 0;
    int has_since = !snapshot && old == NULL && since_get(c, interview, &since);
    walk_from(&w, old, has_since, since, c->cfg.overlap_ms);
    long status = 0;
    hs_status st = walk_with_fallbacks(c, &w, &status, err);
    if (st != HS_OK || status != 200)
        return st;
    mark m = lifecycle ? next_mark_lifecycle(old, &w, has_since)
                       : next_mark_completions(old, &w, has_since);
    if (hs_willo_cursor_set(committed, &m) != 0)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
    c->api->log(c->host, HS_LOG_DEBUG, "willo: interview %s: %zu %s%s", interview, w.reported,
                lifecycle ? "events" : "completions",
                w.baseline ? " (baseline)" : has_since ? " (first read after invitations)" : "");
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
    int64_t pages = 0, parts_done = 0, parts_total = 0;
    /* new kinds only to a host that knows them (rule 2) */
    int lifecycle = HS_ABI_MINOR_OF(c->api->abi_version) >= 1;
    hs_status st = hs_willo_cursor_parse(request->cursor_json, &committed, err);
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
    for (size_t i = 0; i < n; i++)
        parts_total += ids[i] && *ids[i];
    for (size_t i = 0; i < n; i++) {
        if (!ids[i] || !*ids[i])
            continue;
        if (c->api->cancelled(c->host)) {
            st = hs_error_set(err, HS_E_CANCELLED, 0, "willo: cancelled");
            goto out;
        }
        st = read_interview(c, em, &committed, ids[i], request->snapshot != 0, lifecycle,
                            &pages, err);
        if (st != HS_OK || (st = report(em, pages, ++parts_done, parts_total, err)) != HS_OK)
            goto out;
    }
    st = barrier(em, &committed, err);
out:
    keys_free(&all);
    hs_willo_cursor_free(&committed);
    return st;
}
