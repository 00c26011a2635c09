/*
 * read_changes: every entry of an application into a stage, read from Eploy's status history.
 *
 * A read asks for history rows dated after (cursor.since - overlap_s), drops rows dated after
 * a signpost (they belong to the next read) and
 * rows whose key the cursor lists as already emitted, looks up the people of each page in two
 * batched searches (only of the rows the host wants a person for: see needs_person; none at
 * all when no row of the page needs one), emits the page's changes and a barrier. The last barrier moves the cursor
 * to the signpost. Pages are processed one at a time and nothing of a page outlives it, so
 * memory does not grow with the number of changes.
 *
 * Intermediate barriers repeat the cursor the read started from: the order of Eploy's search
 * results is not documented, so no position inside a read is safe to resume from. A read cut
 * short is repeated whole; keys make the repetition harmless.
 *
 * When Eploy refuses the status history (HTTP 403: the key may not read it; 404, 405, 501:
 * the tenant does not offer it), or status_history is false, the read falls back to
 * applications modified since the cursor, each reported at its current stage: a candidate
 * moved through a stage between two reads is then missed, which check() and the log say. A
 * refusal is remembered and the history asked again once a day (eploy_history.c). The cursor
 * stays valid both ways: both reads start from the same signpost, which is the server's time.
 * A fallback read records in the cursor where the history was last read ("gap"); the first
 * history read after it starts there (a week back at most), so that the entries the fallback
 * missed are read after all.
 *
 * The signpost is Eploy's time, never this machine's alone: the Date header of the first
 * response of the read, less signpost_lag_s. Rows are stamped by Eploy's clock, so only its
 * clock can say which of them exist already; a host clock ahead of it would move the cursor
 * past rows not yet written and skip them for good, and one behind it would only re-read. The
 * Date of the first response is taken (not of the last) because every row the read returns
 * at or before it was already there when the search began paging. A signpost is never ahead
 * of the server's clock by more than the overlap re-reads (the Date's second is taken whole),
 * so a cursor that is (left by a host clock that ran ahead) is moved back to it. Without any Date (a server or proxy that strips it) the signpost is the newest
 * row time the read returned, which Eploy's clock wrote; with neither, the previous cursor
 * stays; only a first read that has neither takes this machine's clock, a day back, and says
 * so.
 *
 * Progress (hs_emitter.progress, when the host has it) is reported after each page: the pages
 * read so far and, once known, how many the read has in all. Eploy says a listing's size
 * (TotalPages) at its first page and not before, and a snapshot reads its jobs' listings one
 * after another, so its total is reported from the last job's first page on (the pages of the
 * listings behind it plus that one's TotalPages); until then it is unknown and only the jobs
 * done, of how many, are said. Asking every job's size ahead would cost a call per job.
 *
 * Keys: "eploy:app:<ApplicationId>:<StageId>:<StatusId>:<date>", the date normalised to UTC
 * ("...:snapshot" for snapshot records).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eploy.h"
#include "hs_errors.h"
#include "hs_json.h"
#include "hs_time.h"

typedef struct row {
    const char *app_id, *vacancy_id, *cand_id;
    const char *stage_id, *stage_name, *status_id, *status_name;
    char date[HS_TIME_BUF];
    int64_t date_ms;
    char key[256];
    uint64_t key_hash;           /* compared before the key: duplicates are rare */
    int needs_person;
} row;

typedef struct reader {
    hs_conn *conn;
    const hs_read_request *req;
    const hs_emitter *em;
    hs_eploy_cursor prev;        /* the cursor the read started from */
    hs_eploy_cursor next;        /* the cursor it ends with */
    int64_t from_ms, until_ms;
    int until_known;             /* until_ms settled (from a Date, or by the fallback) */
    int by_records;              /* no Date seen: the signpost is the newest row time */
    int64_t newest_ms;           /* newest row time the read returned, 0 when none */
    int snapshot;
    int applications;            /* rows are applications (modified, snapshot), not history */
    char *page_cursor;           /* cursor of intermediate barriers */
    size_t pages, emitted, undated, read;
    int only_stages;             /* snapshot: records outside req->stage_ids are left out */
    int64_t pages_before;        /* pages of the listings finished (progress) */
    int64_t listing_total;       /* TotalPages of the listing in hand, -1 before its first */
    int64_t parts_done, parts_total;  /* listings finished, and in all (0: one) */
} reader;

/* Tells the host how far the read got (rule 12 of connector.h), when it can be told. */
static hs_status report(reader *r, hs_error *err)
{
    const hs_emitter *em = r->em;
    int last = r->parts_total <= 1 || r->parts_done + 1 >= r->parts_total;
    hs_progress p;
    hs_status st;

    if (!HS_HAS_FIELD(hs_emitter, em->struct_size, progress) || em->progress == NULL)
        return HS_OK;
    memset(&p, 0, sizeof p);
    p.struct_size = sizeof p;
    p.pages_done = (int64_t)r->pages;
    if (r->parts_total > 1 && r->parts_done >= r->parts_total)
        p.pages_total = (int64_t)r->pages;        /* every listing read */
    else
        p.pages_total = last && r->listing_total >= 0 ? r->pages_before + r->listing_total
                                                      : -1;
    p.parts_done = r->parts_done;
    p.parts_total = r->parts_total;
    st = em->progress(em->ctx, &p);
    if (st != HS_OK)
        hs_error_set(err, st, 0, "eploy: the host stopped the read (%s)", hs_status_name(st));
    return st;
}

/* A listing ends: what it read is its size, whatever it announced. */
static void listing_done(reader *r)
{
    r->pages_before = (int64_t)r->pages;
    r->listing_total = -1;
}

static int job_wanted(const reader *r, const char *vacancy)
{
    if (r->req->job_ids == NULL || r->req->n_job_ids == 0)
        return 1;
    for (size_t i = 0; vacancy != NULL && i < r->req->n_job_ids; i++) {
        if (r->req->job_ids[i] != NULL && strcmp(r->req->job_ids[i], vacancy) == 0)
            return 1;
    }
    return 0;
}

/* 0 when a snapshot may leave a record in this stage out (hs_read_request.only_stages); a
 * record without a stage id is kept. */
static int stage_wanted(const reader *r, const char *stage_id)
{
    if (!r->only_stages || stage_id == NULL)
        return 1;
    for (size_t i = 0; i < r->req->n_stage_ids; i++)
        if (r->req->stage_ids[i] != NULL && strcmp(r->req->stage_ids[i], stage_id) == 0)
            return 1;
    return 0;
}

/* Fills *w from one record; 0 when it is to be emitted. */
static int take_row(reader *r, json_object *rec, row *w)
{
    const char *date;
    /* Workflow looked up once for its four fields: member look-ups are much of a record's
     * cost */
    json_object *wf = hs_json_get(rec, "Workflow");
    int n;

    memset(w, 0, sizeof *w);
    r->read++;
    /* the stage first: a snapshot read unfiltered drops most records on it alone */
    w->stage_id = hs_json_str(wf, "Stage.Id");
    if (!stage_wanted(r, w->stage_id))
        return -1;
    if (r->applications) {
        w->app_id = hs_json_str(rec, "ApplicationId");
        w->cand_id = hs_json_str(rec, "Candidate.Id");
        date = hs_json_str(rec, "ModificationDate");
    } else {
        w->app_id = hs_json_str(rec, "Application.Id");
        date = hs_json_str(rec, "StatusDate");
    }
    w->vacancy_id = hs_json_str(rec, "Vacancy.Id");
    w->stage_name = hs_json_str(wf, "Stage.Description");
    w->status_id = hs_json_str(wf, "Status.Id");
    w->status_name = hs_json_str(wf, "Status.Description");
    if (w->app_id == NULL || !job_wanted(r, w->vacancy_id) ||
        (w->stage_id == NULL && w->stage_name == NULL && w->status_id == NULL))
        return -1;
    if (hs_eploy_date(r->conn, date, &w->date_ms, w->date, sizeof w->date) != 0) {
        r->undated++;
        return -1;
    }
    if (w->date_ms > r->newest_ms)
        r->newest_ms = w->date_ms;
    if (!r->snapshot && (w->date_ms > r->until_ms || w->date_ms <= r->from_ms))
        return -1;
    n = snprintf(w->key, sizeof w->key, "eploy:app:%s:%s:%s:%s", w->app_id,
                 w->stage_id != NULL ? w->stage_id : "", w->status_id != NULL ? w->status_id : "",
                 r->snapshot ? "snapshot" : w->date);
    if (n < 0 || (size_t)n >= sizeof w->key)
        return -1;
    return r->snapshot || !hs_eploy_cursor_has_seen(&r->prev, w->key) ? 0 : -1;
}

/* FNV-1a: a page's duplicate keys are found by comparing these first. */
static uint64_t key_hash(const char *s)
{
    uint64_t h = 14695981039346656037ULL;
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* 1 when the request limits the people to those in people_stages for this read: a snapshot
 * whose host says so, or a change read whose host says that applies to changes too
 * (people_in_changes; a host that sends only people_only_stages wants every change's person,
 * as the ABI said before). */
static int people_limited(const reader *r)
{
    const hs_read_request *q = r->req;
    if (!HS_HAS_FIELD(hs_read_request, q->struct_size, n_people_stages) || !q->people_only_stages)
        return 0;
    return r->snapshot || (HS_HAS_FIELD(hs_read_request, q->struct_size, people_in_changes) &&
                           q->people_in_changes);
}

/* 1 when the host wants this record's person: every record, unless people_limited, then
 * those in the stages it names. A history row without its vacancy is looked up all the same:
 * the lookup is what gives it its job. */
static int needs_person(const reader *r, const row *w)
{
    const hs_read_request *q = r->req;
    if (!people_limited(r) || (!r->applications && w->vacancy_id == NULL))
        return 1;
    for (size_t i = 0; q->people_stages != NULL && i < q->n_people_stages; i++) {
        const char *s = q->people_stages[i];
        if (s != NULL && ((w->stage_id != NULL && strcmp(s, w->stage_id) == 0) ||
                          (w->stage_name != NULL && strcmp(s, w->stage_name) == 0)))
            return 1;
    }
    return 0;
}

/* p: the record's person, NULL when it was not looked up. */
static hs_status emit_row(reader *r, const row *w, const hs_eploy_person *p)
{
    hs_ref stage = {sizeof stage, w->stage_id, w->stage_name};
    hs_ref status = {sizeof status, w->status_id, w->status_name};
    hs_person person;
    hs_stage_change ch;

    memset(&ch, 0, sizeof ch);
    ch.struct_size = sizeof ch;
    ch.kind = HS_CHANGE_STAGE;
    ch.key = w->key;
    ch.record_id = w->app_id;
    ch.job_id = w->vacancy_id != NULL ? w->vacancy_id
                                      : (p != NULL && p->vacancy_id[0] ? p->vacancy_id : NULL);
    ch.stage = &stage;
    if (w->status_id != NULL || w->status_name != NULL)
        ch.status = &status;
    ch.changed_at = w->date;
    ch.snapshot = r->snapshot;
    if (p != NULL) {
        memset(&person, 0, sizeof person);
        person.struct_size = sizeof person;
        person.id = p->cand_id[0] ? p->cand_id : NULL;
        person.first_name = p->first_name;
        person.last_name = p->last_name;
        person.email = p->email;
        person.phone = p->phone;
        ch.person = &person;
    }
    r->emitted++;
    return r->em->change(r->em->ctx, &ch);
}

/* Settles the signpost from the server's time as soon as a response of the read gave it
 * (see the top of this file). */
static void settle_until(reader *r)
{
    hs_conn *conn = r->conn;
    int64_t date = hs_http_server_time(conn->http, NULL);

    if (r->until_known)
        return;
    r->until_known = 1;
    if (date > 0) {
        /* A Date has whole seconds: the server's time lies within [date, date + 1 s). The
         * end of that second may be ahead of the server by under a second, which the next
         * read's overlap covers (rows are re-read, keys drop the repeats); without an overlap
         * the start of the second is taken. */
        r->until_ms = date - conn->cfg.signpost_lag_ms +
                      (conn->cfg.overlap_ms >= 1000 ? 999 : 0);
        return;
    }
    r->by_records = 1;
    r->until_ms = INT64_MAX;     /* every row counts; the newest one ends the read */
}

/* The cursor a read without any Date ends at. */
static int64_t until_by_records(reader *r)
{
    hs_conn *conn = r->conn;

    if (r->newest_ms > 0 && (!r->prev.has_since || r->newest_ms > r->prev.since_ms))
        return r->newest_ms;
    if (r->prev.has_since)
        return r->prev.since_ms;
    conn->api->log(conn->host, HS_LOG_WARN,
                   "eploy: the server sent no Date header and no dated record, so the first "
                   "cursor is this machine's clock less a day: the next read looks back that "
                   "far");
    return conn->api->now_ms(conn->host) - 86400000LL;
}

/* The cursor of intermediate barriers, made once the signpost is known. */
static hs_status page_cursor(reader *r, hs_error *err)
{
    hs_eploy_cursor tmp;

    if (r->page_cursor != NULL)
        return HS_OK;
    if (r->prev.has_since) {
        r->page_cursor = hs_eploy_cursor_format(r->conn, &r->prev);
    } else {
        /* A first snapshot has nothing earlier to keep: the signpost so far (never later
         * than the final one). */
        tmp = r->next;
        tmp.since_ms = r->by_records ? until_by_records(r) : r->until_ms;
        tmp.has_since = 1;
        r->page_cursor = hs_eploy_cursor_format(r->conn, &tmp);
    }
    if (r->page_cursor == NULL)
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
    return HS_OK;
}

/* 1 when rows[k]'s key came earlier in the page. */
static int dup_in_page(const row *rows, size_t k)
{
    for (size_t j = 0; j < k; j++)
        if (rows[j].key_hash == rows[k].key_hash && strcmp(rows[j].key, rows[k].key) == 0)
            return 1;
    return 0;
}

/* Emits rows[0..m), looking up the people of those that need one in one batch (at most 100:
 * hs_eploy_people_fetch's limit). */
static hs_status emit_batch(reader *r, const row *rows, size_t m, hs_error *err)
{
    const char *app_ids[100] = {NULL}, *cand_ids[100] = {NULL};
    size_t n_people = 0, at = 0;
    hs_eploy_people people = {NULL, 0};
    hs_status st;

    for (size_t i = 0; i < m; i++) {
        if (!rows[i].needs_person || n_people == sizeof app_ids / sizeof app_ids[0])
            continue;
        app_ids[n_people] = rows[i].app_id;
        cand_ids[n_people++] = rows[i].cand_id != NULL ? rows[i].cand_id : "";
    }
    st = hs_eploy_people_fetch(r->conn, app_ids, r->applications ? cand_ids : NULL, NULL,
                               n_people, &people, err);
    for (size_t i = 0; st == HS_OK && i < m; i++) {
        /* people.items follow app_ids' order, which is the rows' */
        const hs_eploy_person *p = rows[i].needs_person && at < people.n ? &people.items[at++]
                                                                         : NULL;
        if ((st = emit_row(r, &rows[i], p)) != HS_OK) {
            hs_error_set(err, st, 0, "eploy: the host stopped the read (%s)",
                         hs_status_name(st));
        } else if (!r->snapshot && (r->by_records ||
                   rows[i].date_ms > r->until_ms - r->conn->cfg.overlap_ms) &&
                   hs_eploy_cursor_add_seen(&r->next, rows[i].key) != 0) {
            st = hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
        }
    }
    hs_eploy_people_clear(&people);
    return st;
}

static hs_status on_page(void *ctx, json_object *records, int page, hs_error *err)
{
    reader *r = ctx;
    size_t n = json_object_array_length(records), kept = 0;
    row *rows = calloc(n, sizeof *rows);
    hs_status st = HS_OK;

    (void)page;
    r->pages++;
    settle_until(r);
    if (rows == NULL) {
        st = hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        row *w = &rows[kept];
        if (take_row(r, json_object_array_get_idx(records, i), w) != 0)
            continue;
        w->key_hash = key_hash(w->key);
        if (dup_in_page(rows, kept))
            continue;
        w->needs_person = needs_person(r, w);
        kept++;
    }
    /* People in batches of up to 100, whatever page size the server used. */
    for (size_t at = 0; at < kept && st == HS_OK; at += 100)
        st = emit_batch(r, rows + at, kept - at < 100 ? kept - at : 100, err);
    if (st != HS_OK)
        goto out;
    if ((st = page_cursor(r, err)) != HS_OK)
        goto out;
    st = r->em->checkpoint(r->em->ctx, r->page_cursor);
    if (st != HS_OK) {
        hs_error_set(err, st, 0, "eploy: the host refused a checkpoint (%s)", hs_status_name(st));
        goto out;
    }
    st = report(r, err);
out:
    free(rows);
    return st;
}

/* One listing, its pages counted towards the read's progress. */
static hs_status listing(reader *r, const hs_eploy_search *s, hs_error *err)
{
    hs_status st;
    r->listing_total = -1;
    st = hs_eploy_search_pages_total(r->conn, s, on_page, r, &r->listing_total, err);
    listing_done(r);
    return st;
}

static hs_status read_history(reader *r, hs_error *err)
{
    static const char *const blocks[] = {"StatusHistoryId", "Application", "Vacancy",
                                         "StatusDate", "Workflow", NULL};
    char from[HS_TIME_BUF];
    hs_eploy_filter f = {r->conn->cfg.history_date_route, "GreaterThan", from};
    hs_eploy_search s = {"applications/statushistory", &f, 1, blocks,
                         HS_EPLOY_PERM_APPLICATIONS, 0, 0};

    if (hs_time_format(r->from_ms, from, sizeof from) != 0)
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: cursor date out of range");
    r->applications = 0;
    return listing(r, &s, err);
}

static hs_status read_applications(reader *r, const hs_eploy_filter *f, size_t n_filters,
                                   hs_error *err)
{
    static const char *const blocks[] = {"ApplicationId", "Candidate", "Vacancy", "Workflow",
                                         "ModificationDate", NULL};
    static const char *const no_candidate[] = {"ApplicationId", "Vacancy", "Workflow",
                                               "ModificationDate", NULL};
    hs_eploy_search s = {"applications", f, n_filters, blocks, HS_EPLOY_PERM_APPLICATIONS, 0, 0};

    /* A read whose records need no person: the candidate ids are not asked for (one object
     * less to parse per record). */
    if (people_limited(r) && r->req->n_people_stages == 0)
        s.blocks = no_candidate;
    r->applications = 1;
    return listing(r, &s, err);
}

static hs_status read_modified(reader *r, hs_error *err)
{
    char from[HS_TIME_BUF];
    hs_eploy_filter f = {r->conn->cfg.modified_date_route, "GreaterThan", from};

    if (hs_time_format(r->from_ms, from, sizeof from) != 0)
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: cursor date out of range");
    return read_applications(r, &f, 1, err);
}

/* The stage ids as an "In" value; 0, or -1 when they do not fit. */
static int stage_list(const reader *r, char *list, size_t size)
{
    size_t len = 0;
    list[0] = '\0';
    for (size_t i = 0; i < r->req->n_stage_ids; i++) {
        int w;
        if (r->req->stage_ids[i] == NULL)
            continue;
        w = snprintf(list + len, size - len, "%s%s", len ? "," : "", r->req->stage_ids[i]);
        if (w < 0 || (size_t)w >= size - len)
            return -1;
        len += (size_t)w;
    }
    return len > 0 ? 0 : -1;
}

/* The applications of one job (NULL: all), only those in the wanted stages when the server
 * can filter by stage. A server that answers 400 to the stage route before any page is
 * remembered as one without it: the read is made again unfiltered (take_row drops the other
 * stages then), once per connection the log says so. */
static hs_status read_job(reader *r, const char *job, const char *stages, hs_error *err)
{
    hs_eploy_filter f[2] = {{"Application.Vacancy", "Equals", job},
                            {"Application.Stage", "In", stages}};
    const hs_eploy_filter *from = job != NULL ? f : f + 1;
    size_t n = job != NULL ? 1 : 0, pages = r->pages;
    hs_conn *conn = r->conn;

    if (stages != NULL && !conn->stage_filter_unsupported) {
        hs_status st = read_applications(r, from, n + 1, err);
        if (st != HS_E_DATA || err == NULL || err->http_status != 400 || r->pages != pages)
            return st;
        conn->stage_filter_unsupported = 1;
        conn->api->log(conn->host, HS_LOG_WARN,
                       "eploy: the server refused the \"Application.Stage\" filter (HTTP 400); "
                       "a baseline reads every application of its jobs from now on, which "
                       "costs more calls");
    }
    return read_applications(r, n ? from : NULL, n, err);
}

static hs_status read_snapshot(reader *r, hs_error *err)
{
    char list[2048];
    const char *stages = NULL;

    r->only_stages = HS_HAS_FIELD(hs_read_request, r->req->struct_size, n_stage_ids) &&
                     r->req->only_stages && r->req->n_stage_ids > 0 &&
                     r->req->stage_ids != NULL;
    if (r->only_stages && stage_list(r, list, sizeof list) == 0)
        stages = list;
    if (r->req->job_ids == NULL || r->req->n_job_ids == 0)
        return read_job(r, NULL, stages, err);
    for (size_t i = 0; i < r->req->n_job_ids; i++)
        r->parts_total += r->req->job_ids[i] != NULL;
    if (r->parts_total == 1)
        r->parts_total = 0;
    for (size_t i = 0; i < r->req->n_job_ids; i++) {
        hs_status st;
        if (r->req->job_ids[i] == NULL)
            continue;
        if ((st = read_job(r, r->req->job_ids[i], stages, err)) != HS_OK)
            return st;
        r->parts_done++;
        /* a job whose listing was empty sent no page: its end is news too */
        if (r->parts_total > 1 && (st = report(r, err)) != HS_OK)
            return st;
    }
    return HS_OK;
}

/* The history answered after a fallback: its rows since the fallback began are read again
 * (at most CATCH_UP_MAX_MS back), so that the stage entries the fallback missed (a candidate
 * who passed through a stage between two reads) are found after all. Rows emitted by the
 * fallback come again; the host's keys (interview, application) make that harmless. */
#define CATCH_UP_MAX_MS (7 * 86400000LL)

static void catch_up(reader *r)
{
    int64_t from;

    if (!r->prev.has_gap)
        return;
    from = r->prev.gap_ms - r->conn->cfg.overlap_ms;
    if (from < r->from_ms - CATCH_UP_MAX_MS)
        from = r->from_ms - CATCH_UP_MAX_MS;
    if (from < r->from_ms)
        r->from_ms = from;
}

static hs_status read_incremental(reader *r, hs_error *err)
{
    hs_conn *conn = r->conn;

    if (conn->cfg.status_history && hs_eploy_history_due(conn)) {
        int64_t from_ms = r->from_ms;
        hs_status st;
        long refused;
        /* A token first, so that a refused token is never taken for a refused endpoint. */
        if ((st = hs_eploy_token(conn, 0, err)) != HS_OK)
            return st;
        memcpy(r->next.mode, "history", sizeof "history");
        catch_up(r);
        st = read_history(r, err);
        refused = r->pages == 0 ? hs_eploy_history_refusal(st, err) : 0;
        if (refused == 0) {
            if (st == HS_OK) {
                r->next.has_gap = 0;
                hs_eploy_history_answered(conn);
            }
            return st;
        }
        r->from_ms = from_ms;
        hs_eploy_history_refused(conn, refused);
    } else if (conn->cfg.status_history) {
        hs_eploy_history_fallback(conn);
    }
    if (conn->cfg.status_history && !r->next.has_gap) {
        /* The status history was read up to the cursor this read starts from. (With
         * status_history false nothing is caught up: modified applications were asked for.) */
        r->next.has_gap = 1;
        r->next.gap_ms = r->prev.since_ms;
    }
    memcpy(r->next.mode, "modified", sizeof "modified");
    return read_modified(r, err);
}

static hs_status final_barrier(reader *r, hs_error *err)
{
    char *cursor;
    hs_status st;

    settle_until(r);
    r->next.since_ms = r->by_records ? until_by_records(r) : r->until_ms;
    r->next.has_since = 1;
    if (r->by_records) {
        /* Keys in the overlap were kept for every row; keep those of the window only. */
        hs_eploy_cursor_prune_seen(&r->next, r->next.since_ms - r->conn->cfg.overlap_ms);
    }
    cursor = hs_eploy_cursor_format(r->conn, &r->next);
    if (cursor == NULL)
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
    st = r->em->checkpoint(r->em->ctx, cursor);
    free(cursor);
    if (st != HS_OK)
        return hs_error_set(err, st, 0, "eploy: the host refused a checkpoint (%s)",
                            hs_status_name(st));
    return HS_OK;
}

hs_status hs_eploy_read_changes(hs_conn *conn, const hs_read_request *req,
                                const hs_emitter *em, hs_error *err)
{
    reader r;
    hs_status st;
    const char *cursor_json = req != NULL ? req->cursor_json : NULL;

    if (req == NULL || em == NULL || em->change == NULL || em->checkpoint == NULL)
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: read_changes without a request or "
                            "an emitter");
    memset(&r, 0, sizeof r);
    r.conn = conn;
    r.req = req;
    r.em = em;
    r.snapshot = HS_HAS_FIELD(hs_read_request, req->struct_size, snapshot) && req->snapshot;
    if ((st = hs_eploy_cursor_parse(conn, cursor_json, &r.prev, err)) != HS_OK)
        return st;
    (void)snprintf(r.next.mode, sizeof r.next.mode, "%s", r.prev.mode[0] ? r.prev.mode : "history");
    r.next.has_gap = r.prev.has_gap;
    r.next.gap_ms = r.prev.gap_ms;
    r.from_ms = r.prev.since_ms - conn->cfg.overlap_ms;
    /* The server's time as the connection last saw it (discovery runs first in a cycle): it
     * bounds the read's start, so a cursor that a host clock ahead of Eploy's left in the
     * server's future reads from the server's present. The first page's Date settles the
     * signpost itself. */
    if (r.prev.has_since && hs_http_server_time(conn->http, NULL) > 0 &&
        hs_http_server_time(conn->http, NULL) - conn->cfg.signpost_lag_ms < r.prev.since_ms)
        r.from_ms = hs_http_server_time(conn->http, NULL) - conn->cfg.signpost_lag_ms -
                    conn->cfg.overlap_ms;

    if (!r.prev.has_since && !r.snapshot) {
        /* First run: the baseline is "now"; what happened before is not a change. */
        st = final_barrier(&r, err);
        goto out;
    }
    st = r.snapshot ? read_snapshot(&r, err) : read_incremental(&r, err);
    if (st == HS_OK)
        st = final_barrier(&r, err);
    if (r.undated > 0)
        conn->api->log(conn->host, HS_LOG_WARN,
                       "eploy: %zu records without a readable date were skipped", r.undated);
    if (st == HS_OK)
        conn->api->log(conn->host, HS_LOG_INFO,
                       "eploy: %zu %s from %zu records in %zu pages (%s), %llu requests on "
                       "this connection",
                       r.emitted, r.snapshot ? "current positions" : "stage changes", r.read,
                       r.pages,
                       r.snapshot ? "snapshot" : r.next.mode,
                       (unsigned long long)hs_http_request_count(conn->http));
out:
    free(r.page_cursor);
    hs_eploy_cursor_free(&r.prev);
    hs_eploy_cursor_free(&r.next);
    return st;
}
