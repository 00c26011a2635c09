/*
 * The Willo connector's lifecycle reads for a host of ABI 2.1, against the sandbox over
 * loopback: each event once with its key and Willo's time, the same keys again from a committed
 * cursor, expiry through the sandbox clock, answers and score on a completion, a completions-
 * only cursor carried over, the request cost of a read with nothing new, and a re-invitation
 * that never adopts or returns the earlier participant.
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "hs_test_config.h"
#include "hs_test_host.h"
#include "hs_test_sandbox.h"

#define KEY_A "willo-life-key"

typedef struct fx {
    hs_test_sandbox sb;
    hs_test_host *h;
    hs_test_module *m;
    const hs_connector *c;
    hs_conn *conn;
    hs_host_api api;            /* the test host's services, at the ABI the test chooses */
    hs_error err;
    char err_msg[HS_TEST_MESSAGE_SIZE];
} fx;

/* ---- what a 2.1 host receives, kept with the details these tests compare ---------------- */

typedef struct got {
    uint32_t kind;
    char key[256], record_id[64], changed_at[40], link[256], score[32];
    int has_score, snapshot;
    size_t n_answers;
    char questions[4][128], links[4][256], scores[4][32];
    int has_scores[4];
} got;

typedef struct sink {
    got *v;
    size_t n, cap;
    char cursor[8192];
    size_t barriers;
} sink;

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static hs_status on_change(void *ctx, const hs_stage_change *ch)
{
    sink *s = ctx;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        s->v = realloc(s->v, s->cap * sizeof *s->v);
        ck_assert_ptr_nonnull(s->v);
    }
    got *g = &s->v[s->n++];
    memset(g, 0, sizeof *g);
    ck_assert_uint_ge(ch->struct_size, sizeof *ch);
    g->kind = ch->kind;
    copy(g->key, sizeof g->key, ch->key);
    copy(g->record_id, sizeof g->record_id, ch->record_id);
    copy(g->changed_at, sizeof g->changed_at, ch->changed_at);
    copy(g->link, sizeof g->link, ch->link);
    g->has_score = ch->score != NULL;
    copy(g->score, sizeof g->score, ch->score);
    g->snapshot = ch->snapshot;
    g->n_answers = ch->n_answers;
    ck_assert(ch->n_answers == 0 || ch->answer_size >= sizeof(hs_answer));
    for (size_t i = 0; i < ch->n_answers && i < 4; i++) {
        const hs_answer *a = HS_ELEMENT(hs_answer, ch->answers, ch->answer_size, i);
        ck_assert_ptr_nonnull(a->question);
        copy(g->questions[i], sizeof g->questions[i], a->question);
        copy(g->links[i], sizeof g->links[i], a->link);
        g->has_scores[i] = a->score != NULL;
        copy(g->scores[i], sizeof g->scores[i], a->score);
    }
    return HS_OK;
}

static hs_status on_checkpoint(void *ctx, const char *cursor)
{
    sink *s = ctx;
    copy(s->cursor, sizeof s->cursor, cursor);
    s->barriers++;
    return HS_OK;
}

static void sink_clear(sink *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* The change with this key, or NULL; and how many there are. */
static const got *find_key(const sink *s, const char *key, size_t *count)
{
    const got *first = NULL;
    *count = 0;
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].key, key) == 0) {
            first = first ? first : &s->v[i];
            (*count)++;
        }
    return first;
}

static size_t count_kind(const sink *s, const char *record_id, uint32_t kind)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        n += strcmp(s->v[i].record_id, record_id) == 0 && s->v[i].kind == kind;
    return n;
}

/* ---- fixture -------------------------------------------------------------------------------- */

static json_object *admin(fx *f, const char *method, const char *path, const char *body,
                          long want)
{
    char *out = NULL;
    long status = 0;
    ck_assert_msg(hs_test_admin(&f->sb, method, path, body, &status, &out) == 0,
                  "admin %s %s: no answer", method, path);
    ck_assert_msg(status == want, "admin %s %s: %ld (want %ld): %s", method, path, status, want,
                  out ? out : "");
    json_object *j = out && *out ? json_tokener_parse(out) : NULL;
    free(out);
    return j;
}

static void open_conn(fx *f, unsigned minor, const char *extra)
{
    char cfg[1024];
    snprintf(cfg, sizeof cfg,
             "{\"api_key\":\"%s\",\"base_url\":\"%s\",\"page_size\":5,\"min_gap_ms\":0,"
             "\"retry_backoff_ms\":5,\"overlap_s\":0%s%s}", KEY_A, f->sb.willo_url,
             extra ? "," : "", extra ? extra : "");
    hs_test_error_init(&f->err, f->err_msg, sizeof f->err_msg);
    f->api = *hs_test_host_api();
    f->api.abi_version = (HS_ABI_MAJOR << 16) | minor;
    char *settings = hs_test_config_complete("willo", cfg, &f->err);
    ck_assert_msg(settings != NULL, "config: %s", f->err.message);
    hs_status st = f->c->open(&f->api, hs_test_host_handle(f->h), settings, &f->conn, &f->err);
    memset(settings, 0, strlen(settings));
    free(settings);
    ck_assert_msg(st == HS_OK, "open: %s", f->err.message);
}

static void reopen(fx *f, unsigned minor, const char *extra)
{
    f->c->close(f->conn);
    f->conn = NULL;
    open_conn(f, minor, extra);
}

static void fx_start_with(fx *f, unsigned minor, const char *deadline_days)
{
    memset(f, 0, sizeof *f);
    const char *args[] = { "--willo-key", KEY_A, "--interviews", "2", "--participants", "9",
                           "--vacancies", "1", "--applications", "1", "--willo-deadline-days",
                           deadline_days, NULL };
    ck_assert_msg(hs_test_sandbox_start(&f->sb, args) == 0, "the sandbox did not start");
    f->h = hs_test_host_new();
    f->m = hs_test_module_load("willo");
    ck_assert_msg(f->m != NULL, "willo module did not load");
    f->c = hs_test_module_connector(f->m);
    open_conn(f, minor, NULL);
}

static void fx_start(fx *f, unsigned minor)
{
    fx_start_with(f, minor, "0");
}

static void fx_stop(fx *f)
{
    ck_assert_msg(!hs_test_host_log_contains(f->h, KEY_A), "the API key reached a log line");
    ck_assert_msg(!hs_test_host_log_contains(f->h, "@example.com"),
                  "a candidate's email reached a log line");
    f->c->close(f->conn);
    hs_test_module_unload(f->m);
    hs_test_host_free(f->h);
    ck_assert_int_eq(hs_test_sandbox_stop(&f->sb), 0);
}

static const char *str_of(json_object *o, const char *name)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, name, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static void interview_key(fx *f, size_t i, char *out, size_t size)
{
    json_object *list = admin(f, "GET", "/willo/interviews", NULL, 200);
    ck_assert_uint_gt(json_object_array_length(list), i);
    copy(out, size, str_of(json_object_array_get_idx(list, i), "key"));
    json_object_put(list);
}

/* The participant as the admin sees it (a new reference). */
static json_object *participant(fx *f, const char *key)
{
    json_object *list = admin(f, "GET", "/willo/participants", NULL, 200), *found = NULL;
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        json_object *p = json_object_array_get_idx(list, i);
        if (strcmp(str_of(p, "key"), key) == 0)
            found = json_object_get(p);
    }
    json_object_put(list);
    ck_assert_msg(found != NULL, "participant %s not in the sandbox", key);
    return found;
}

static void act(fx *f, const char *key, const char *action, const char *body)
{
    char path[160];
    snprintf(path, sizeof path, "/willo/participants/%s/%s", key, action);
    json_object_put(admin(f, "POST", path, body, 200));
}

static hs_status invite(fx *f, const char *interview, const char *email, const char *previous,
                        hs_write_result *res)
{
    hs_person person = { sizeof person, "3000001", "Life", "Tester", email, NULL };
    hs_invitation inv;
    memset(&inv, 0, sizeof inv);
    inv.struct_size = sizeof inv;
    inv.key = email;
    inv.interview_id = interview;
    inv.person = &person;
    inv.source_record_id = "200001";
    inv.previous_id = previous;
    hs_test_result_clear(res);
    hs_test_error_init(&f->err, f->err_msg, sizeof f->err_msg);
    return f->c->write_invitation(f->conn, &inv, res, &f->err);
}

/* Reads interview from cursor into s (cleared first); asserts HS_OK and a barrier. */
static void read_into(fx *f, const char *cursor, const char *interview, sink *s)
{
    sink_clear(s);
    hs_read_request req;
    memset(&req, 0, sizeof req);
    req.struct_size = sizeof req;
    req.cursor_json = cursor;
    req.job_ids = &interview;
    req.n_job_ids = 1;
    hs_emitter em = { sizeof em, s, NULL, on_change, on_checkpoint, NULL };
    hs_test_error_init(&f->err, f->err_msg, sizeof f->err_msg);
    hs_status st = f->c->read_changes(f->conn, &req, &em, &f->err);
    ck_assert_msg(st == HS_OK, "read_changes: %d %s", st, f->err.message);
    ck_assert_uint_ge(s->barriers, 1);
}

static long participant_gets(fx *f)
{
    json_object *stats = admin(f, "GET", "/stats", NULL, 200), *w, *routes, *r;
    long n = 0;
    if (json_object_object_get_ex(stats, "willo", &w) &&
        json_object_object_get_ex(w, "routes", &routes) &&
        json_object_object_get_ex(routes, "GET /participants/", &r)) {
        json_object_object_foreach(r, code, count) {
            (void)code;
            n += (long)json_object_get_int64(count);
        }
    }
    json_object_put(stats);
    return n;
}

/* Every change in now was already in before (reads are at least once: an event at the
 * watermark itself is read again), except those of participant fresh (may be NULL). */
static void only_known(const sink *now, const sink *before, const char *fresh)
{
    for (size_t i = 0; i < now->n; i++) {
        size_t n = 0;
        if (fresh && strcmp(now->v[i].record_id, fresh) == 0)
            continue;
        ck_assert_msg(find_key(before, now->v[i].key, &n) != NULL, "new change %s",
                      now->v[i].key);
    }
}

/* The event of kind `suffix` of participant p: once, at Willo's time of `field`. */
static const got *expect_once(const sink *s, const char *p, const char *suffix,
                              json_object *rec, const char *field)
{
    char key[256];
    size_t n = 0;
    snprintf(key, sizeof key, "willo:%s:%s", p, suffix);
    const got *g = find_key(s, key, &n);
    ck_assert_msg(n == 1, "%s: %zu times", key, n);
    ck_assert_str_eq(g->record_id, p);
    ck_assert_str_eq(g->changed_at, str_of(rec, field));
    return g;
}

/* ---- tests ---------------------------------------------------------------------------------- */

START_TEST(each_event_once_with_key_time_answers_and_score)
{
    fx f;
    fx_start(&f, 1);
    char iv[64];
    interview_key(&f, 0, iv, sizeof iv);
    sink s = { 0 };
    read_into(&f, "", iv, &s);
    ck_assert_uint_eq(s.n, 0);   /* the seeded participants are the baseline */
    char base[8192];
    copy(base, sizeof base, s.cursor);

    HS_TEST_RESULT(a);
    HS_TEST_RESULT(b);
    HS_TEST_RESULT(c);
    HS_TEST_RESULT(d);
    ck_assert_int_eq(invite(&f, iv, "life-a@example.com", NULL, &a), HS_OK);
    ck_assert_int_eq(invite(&f, iv, "life-b@example.com", NULL, &b), HS_OK);
    ck_assert_int_eq(invite(&f, iv, "life-c@example.com", NULL, &c), HS_OK);
    ck_assert_int_eq(invite(&f, iv, "life-d@example.com", NULL, &d), HS_OK);
    act(&f, a.remote_id, "start", NULL);
    act(&f, a.remote_id, "complete", "{\"score\":\"8.5\",\"scores\":[\"4\",\"5\",null]}");
    act(&f, c.remote_id, "decline", NULL);
    act(&f, d.remote_id, "expire", NULL);

    read_into(&f, base, iv, &s);
    json_object *pa = participant(&f, a.remote_id), *pb = participant(&f, b.remote_id);
    json_object *pc = participant(&f, c.remote_id), *pd = participant(&f, d.remote_id);
    ck_assert_uint_eq(expect_once(&s, a.remote_id, "invited", pa, "created")->kind,
                      HS_CHANGE_INVITED);
    ck_assert_uint_eq(expect_once(&s, a.remote_id, "started", pa, "started")->kind,
                      HS_CHANGE_STARTED);
    char done[128];
    snprintf(done, sizeof done, "completed:%s", str_of(pa, "completed"));
    const got *g = expect_once(&s, a.remote_id, done, pa, "completed");
    ck_assert_uint_eq(g->kind, HS_CHANGE_COMPLETED);
    ck_assert_str_eq(g->link, str_of(pa, "share_link"));
    ck_assert(g->has_score);
    ck_assert_str_eq(g->score, "8.5");
    ck_assert_uint_eq(g->n_answers, 3);
    json_object *responses = json_object_object_get(pa, "responses");
    for (size_t i = 0; i < 3; i++) {
        json_object *r = json_object_array_get_idx(responses, i);
        ck_assert_str_eq(g->questions[i], str_of(r, "question"));
        ck_assert_str_eq(g->links[i], str_of(r, "media_url"));
    }
    ck_assert(g->has_scores[0] && g->has_scores[1] && !g->has_scores[2]);
    ck_assert_str_eq(g->scores[0], "4");
    ck_assert_str_eq(g->scores[1], "5");
    ck_assert_uint_eq(expect_once(&s, b.remote_id, "invited", pb, "created")->kind,
                      HS_CHANGE_INVITED);
    expect_once(&s, c.remote_id, "invited", pc, "created");
    ck_assert_uint_eq(expect_once(&s, c.remote_id, "declined", pc, "declined")->kind,
                      HS_CHANGE_DECLINED);
    expect_once(&s, d.remote_id, "invited", pd, "created");
    ck_assert_uint_eq(expect_once(&s, d.remote_id, "expired", pd, "expired")->kind,
                      HS_CHANGE_EXPIRED);
    ck_assert_uint_eq(s.n, 8);   /* nothing else: no seeded participant, no repeats */
    for (size_t i = 0; i < s.n; i++)
        ck_assert_int_eq(s.v[i].snapshot, 0);
    ck_assert_ptr_nonnull(strstr(s.cursor, "\"v\":2"));

    /* a re-read from the committed cursor emits the same keys again */
    sink again = { 0 };
    read_into(&f, base, iv, &again);
    ck_assert_uint_eq(again.n, s.n);
    for (size_t i = 0; i < s.n; i++) {
        size_t n = 0;
        ck_assert_ptr_nonnull(find_key(&again, s.v[i].key, &n));
        ck_assert_uint_eq(n, 1);
    }
    /* from the new cursor nothing is new; then B starts: only that */
    char next[8192];
    copy(next, sizeof next, s.cursor);
    read_into(&f, next, iv, &again);
    only_known(&again, &s, NULL);
    act(&f, b.remote_id, "start", NULL);
    read_into(&f, next, iv, &again);
    json_object_put(pb);
    pb = participant(&f, b.remote_id);
    expect_once(&again, b.remote_id, "started", pb, "started");
    ck_assert_uint_eq(count_kind(&again, b.remote_id, HS_CHANGE_INVITED), 0);
    only_known(&again, &s, b.remote_id);
    json_object_put(pa);
    json_object_put(pb);
    json_object_put(pc);
    json_object_put(pd);
    sink_clear(&again);
    sink_clear(&s);
    fx_stop(&f);
}
END_TEST

START_TEST(expiry_through_the_sandbox_clock)
{
    fx f;
    fx_start_with(&f, 1, "1");
    char iv[64];
    interview_key(&f, 1, iv, sizeof iv);
    sink s = { 0 };
    read_into(&f, "", iv, &s);
    char cursor[8192];
    copy(cursor, sizeof cursor, s.cursor);
    HS_TEST_RESULT(e);
    HS_TEST_RESULT(done);
    ck_assert_int_eq(invite(&f, iv, "late@example.com", NULL, &e), HS_OK);
    ck_assert_int_eq(invite(&f, iv, "quick@example.com", NULL, &done), HS_OK);
    act(&f, done.remote_id, "complete", NULL);
    read_into(&f, cursor, iv, &s);
    ck_assert_uint_eq(count_kind(&s, e.remote_id, HS_CHANGE_INVITED), 1);
    ck_assert_uint_eq(count_kind(&s, e.remote_id, HS_CHANGE_EXPIRED), 0);
    copy(cursor, sizeof cursor, s.cursor);

    /* 25 hours on: the deadline has passed for the one who did not answer */
    json_object_put(admin(&f, "POST", "/clock", "{\"offset_ms\":90000000}", 200));
    read_into(&f, cursor, iv, &s);
    json_object *pe = participant(&f, e.remote_id);
    ck_assert_str_eq(str_of(pe, "status"), "expired");
    ck_assert_str_eq(str_of(pe, "expired"), str_of(pe, "expires"));
    expect_once(&s, e.remote_id, "expired", pe, "expires");
    ck_assert_uint_eq(count_kind(&s, done.remote_id, HS_CHANGE_EXPIRED), 0);
    ck_assert_uint_eq(count_kind(&s, e.remote_id, HS_CHANGE_INVITED), 0);
    json_object_put(pe);
    json_object_put(admin(&f, "POST", "/clock", "{\"offset_ms\":0}", 200));
    sink_clear(&s);
    fx_stop(&f);
}
END_TEST

/* The shared test collector (tests/support) takes every 2.1 kind, with the answers read by
 * HS_ELEMENT and the score, and finds every record well formed. */
/* The completion of shared_collector_takes_the_lifecycle_kinds, as the collector copied it. */
static void expect_collected_completion(const hs_test_change *done, const char *participant)
{
    ck_assert_str_eq(done->record_id, participant);
    ck_assert_str_eq(done->score, "7");
    ck_assert_uint_eq(done->n_answers, 3);
    for (size_t i = 0; i < 3; i++) {
        ck_assert_ptr_nonnull(done->answers[i].question);
        ck_assert_ptr_nonnull(strstr(done->answers[i].link, participant));
    }
    ck_assert_ptr_null(done->answers[0].score);
    ck_assert_str_eq(done->answers[1].score, "3");
    ck_assert_ptr_null(done->answers[2].score);
}

START_TEST(shared_collector_takes_the_lifecycle_kinds)
{
    fx f;
    fx_start(&f, 1);
    char iv[64];
    interview_key(&f, 0, iv, sizeof iv);
    sink s = { 0 };
    read_into(&f, "", iv, &s);
    HS_TEST_RESULT(a);
    HS_TEST_RESULT(c);
    HS_TEST_RESULT(d);
    ck_assert_int_eq(invite(&f, iv, "col-a@example.com", NULL, &a), HS_OK);
    ck_assert_int_eq(invite(&f, iv, "col-c@example.com", NULL, &c), HS_OK);
    ck_assert_int_eq(invite(&f, iv, "col-d@example.com", NULL, &d), HS_OK);
    act(&f, a.remote_id, "start", NULL);
    act(&f, a.remote_id, "complete", "{\"score\":\"7\",\"scores\":[null,\"3\",null]}");
    act(&f, c.remote_id, "decline", NULL);
    act(&f, d.remote_id, "expire", NULL);

    hs_test_collector *col = hs_test_collector_new();
    ck_assert_ptr_nonnull(col);
    hs_emitter em = hs_test_collector_emitter(col);
    hs_read_request req;
    memset(&req, 0, sizeof req);
    req.struct_size = sizeof req;
    req.cursor_json = s.cursor;
    const char *jobs[] = { iv };
    req.job_ids = jobs;
    req.n_job_ids = 1;
    hs_test_error_init(&f.err, f.err_msg, sizeof f.err_msg);
    hs_status st = f.c->read_changes(f.conn, &req, &em, &f.err);
    ck_assert_msg(st == HS_OK, "read_changes into the collector: %d %s (malformed: %s)", st,
                  f.err.message, col->malformed ? col->malformed : "none");
    ck_assert_ptr_null(col->malformed);
    size_t kinds[HS_CHANGE_DECLINED + 1] = { 0 };
    for (size_t i = 0; i < col->n_changes; i++) {
        const hs_test_change *t = &col->changes[i];
        ck_assert_uint_le(t->kind, HS_CHANGE_DECLINED);
        kinds[t->kind]++;
        ck_assert_ptr_null(t->stage_name);
        if (t->kind == HS_CHANGE_COMPLETED)
            expect_collected_completion(t, a.remote_id);
        else
            ck_assert_uint_eq(t->n_answers, 0);
    }
    ck_assert_uint_eq(kinds[HS_CHANGE_STAGE], 0);
    ck_assert_uint_eq(kinds[HS_CHANGE_INVITED], 3);
    ck_assert_uint_eq(kinds[HS_CHANGE_STARTED], 1);
    ck_assert_uint_eq(kinds[HS_CHANGE_COMPLETED], 1);
    ck_assert_uint_eq(kinds[HS_CHANGE_EXPIRED], 1);
    ck_assert_uint_eq(kinds[HS_CHANGE_DECLINED], 1);
    hs_test_collector_free(col);
    sink_clear(&s);
    fx_stop(&f);
}
END_TEST

/* A host of ABI 2.0 gets completions alone, without answers or score, and a version 1 cursor;
 * a 2.1 read from that cursor reports later completions and takes a baseline of the rest. */
START_TEST(host_20_completions_only_then_upgrade)
{
    fx f;
    fx_start(&f, 0);
    char iv[64];
    interview_key(&f, 0, iv, sizeof iv);
    sink s = { 0 };
    read_into(&f, "", iv, &s);
    char cursor[8192];
    copy(cursor, sizeof cursor, s.cursor);
    HS_TEST_RESULT(a);
    HS_TEST_RESULT(b);
    ck_assert_int_eq(invite(&f, iv, "old-a@example.com", NULL, &a), HS_OK);
    ck_assert_int_eq(invite(&f, iv, "old-b@example.com", NULL, &b), HS_OK);
    act(&f, a.remote_id, "complete", "{\"score\":\"9\"}");
    act(&f, b.remote_id, "decline", NULL);
    read_into(&f, cursor, iv, &s);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_uint_eq(s.v[0].kind, HS_CHANGE_COMPLETED);
    ck_assert_str_eq(s.v[0].record_id, a.remote_id);
    ck_assert_uint_eq(s.v[0].n_answers, 0);
    ck_assert(!s.v[0].has_score);
    ck_assert_ptr_nonnull(strstr(s.cursor, "\"v\":1"));
    copy(cursor, sizeof cursor, s.cursor);
    char a_key[256];
    copy(a_key, sizeof a_key, s.v[0].key);

    /* the same connector, now for a 2.1 host, from the version 1 cursor */
    reopen(&f, 1, NULL);
    HS_TEST_RESULT(c);
    ck_assert_int_eq(invite(&f, iv, "new-c@example.com", NULL, &c), HS_OK);
    act(&f, c.remote_id, "complete", NULL);
    read_into(&f, cursor, iv, &s);
    ck_assert_uint_eq(count_kind(&s, c.remote_id, HS_CHANGE_COMPLETED), 1);
    /* a's completion sits at the watermark: at most read again, under its old key */
    for (size_t i = 0; i < s.n; i++)
        if (strcmp(s.v[i].record_id, a.remote_id) == 0)
            ck_assert_str_eq(s.v[i].key, a_key);
    ck_assert_uint_eq(count_kind(&s, b.remote_id, HS_CHANGE_DECLINED), 0);
    ck_assert_uint_eq(count_kind(&s, c.remote_id, HS_CHANGE_INVITED), 0);   /* baseline */
    ck_assert_ptr_nonnull(strstr(s.cursor, "\"v\":2"));
    copy(cursor, sizeof cursor, s.cursor);
    HS_TEST_RESULT(d);
    ck_assert_int_eq(invite(&f, iv, "new-d@example.com", NULL, &d), HS_OK);
    read_into(&f, cursor, iv, &s);
    ck_assert_uint_eq(count_kind(&s, d.remote_id, HS_CHANGE_INVITED), 1);
    ck_assert_uint_eq(count_kind(&s, a.remote_id, HS_CHANGE_INVITED), 0);
    ck_assert_uint_eq(count_kind(&s, b.remote_id, HS_CHANGE_INVITED), 0);
    /* and a 2.0 host reads the version 2 cursor too */
    copy(cursor, sizeof cursor, s.cursor);
    reopen(&f, 0, NULL);
    act(&f, d.remote_id, "complete", NULL);
    read_into(&f, cursor, iv, &s);
    for (size_t i = 0; i < s.n; i++)   /* completions only, whatever else happened */
        ck_assert_uint_eq(s.v[i].kind, HS_CHANGE_COMPLETED);
    ck_assert_uint_eq(count_kind(&s, d.remote_id, HS_CHANGE_COMPLETED), 1);
    sink_clear(&s);
    fx_stop(&f);
}
END_TEST

/* With nothing new, a lifecycle read costs what a completions-only read costs: one request per
 * interview (the first page). */
START_TEST(nothing_new_costs_one_request_per_interview)
{
    fx f;
    fx_start(&f, 1);
    char iv[64];
    interview_key(&f, 0, iv, sizeof iv);
    sink s = { 0 };
    HS_TEST_RESULT(a);
    read_into(&f, "", iv, &s);
    char cursor[8192];
    copy(cursor, sizeof cursor, s.cursor);
    for (int i = 0; i < 7; i++) {   /* more than a page (5) of participants changed */
        char email[64];
        snprintf(email, sizeof email, "cost%d@example.com", i);
        ck_assert_int_eq(invite(&f, iv, email, NULL, &a), HS_OK);
    }
    read_into(&f, cursor, iv, &s);
    ck_assert_uint_eq(s.n, 7);
    copy(cursor, sizeof cursor, s.cursor);
    sink t = { 0 };
    for (unsigned minor = 0; minor < 2; minor++) {
        reopen(&f, 1 - minor, NULL);
        long before = participant_gets(&f);
        read_into(&f, cursor, iv, &t);
        only_known(&t, &s, NULL);
        ck_assert_int_eq(participant_gets(&f) - before, 1);
    }
    sink_clear(&t);
    sink_clear(&s);
    fx_stop(&f);
}
END_TEST

static size_t count_email(fx *f, const char *email)
{
    json_object *list = admin(f, "GET", "/willo/participants", NULL, 200);
    size_t n = 0;
    for (size_t i = 0; i < json_object_array_length(list); i++)
        n += strcmp(str_of(json_object_array_get_idx(list, i), "email"), email) == 0;
    json_object_put(list);
    return n;
}

static const char *const dup_modes[] = { "reject", "return" };

/* A re-invitation after expiry is a new participant (once, by key); while the earlier one is
 * open, Willo keeps it, and the connector says so instead of handing it back. */
START_TEST(reinvitation_never_returns_the_earlier_participant)
{
    fx f;
    fx_start(&f, 1);
    char iv[64], body[64];
    interview_key(&f, 0, iv, sizeof iv);
    snprintf(body, sizeof body, "{\"duplicates\":\"%s\"}", dup_modes[_i]);
    json_object_put(admin(&f, "POST", "/willo/settings", body, 200));
    HS_TEST_RESULT(first);
    HS_TEST_RESULT(second);
    HS_TEST_RESULT(again);
    ck_assert_int_eq(invite(&f, iv, "re@example.com", NULL, &first), HS_OK);
    ck_assert_int_eq(first.applied, 1);

    /* still open: refused, nothing created, the earlier participant named */
    ck_assert_int_eq(invite(&f, iv, "re@example.com", first.remote_id, &second), HS_E_DATA);
    ck_assert_msg(strstr(f.err.message, "still holds the earlier invitation") &&
                  strstr(f.err.message, first.remote_id), "%s", f.err.message);
    ck_assert_str_eq(second.remote_id, "");
    ck_assert_uint_eq(count_email(&f, "re@example.com"), 1);

    /* expired: a new participant, and the same call again adopts that one */
    act(&f, first.remote_id, "expire", NULL);
    ck_assert_int_eq(invite(&f, iv, "re@example.com", first.remote_id, &second), HS_OK);
    ck_assert_int_eq(second.applied, 1);
    ck_assert_str_ne(second.remote_id, first.remote_id);
    ck_assert_int_eq(invite(&f, iv, "re@example.com", first.remote_id, &again), HS_OK);
    ck_assert_int_eq(again.applied, 0);
    ck_assert_str_eq(again.remote_id, second.remote_id);
    ck_assert_uint_eq(count_email(&f, "re@example.com"), 2);
    fx_stop(&f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("willo-lifecycle");
    TCase *tc = tcase_create("lifecycle");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, each_event_once_with_key_time_answers_and_score);
    tcase_add_test(tc, expiry_through_the_sandbox_clock);
    tcase_add_test(tc, shared_collector_takes_the_lifecycle_kinds);
    tcase_add_test(tc, host_20_completions_only_then_upgrade);
    tcase_add_test(tc, nothing_new_costs_one_request_per_interview);
    tcase_add_loop_test(tc, reinvitation_never_returns_the_earlier_participant, 0, 2);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
