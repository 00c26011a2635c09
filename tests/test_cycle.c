/* The pipeline cycle against in-process fake connectors: baselines, invitations exactly once,
 * failures noted on the application, result notes with links, commit protocol, dry run,
 * mapping checks. */
#define _DEFAULT_SOURCE

#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../host/cycle.h"
#include "../host/discovery.h"
#include "../host/log.h"
#include "../host/pipeline.h"
#include "../host/records.h"
#include "../host/state.h"
#include "../host/status.h"
#include "fakes/fake_world.h"

static char dir[256];
static char dry_buf[8192];
static const hs_connector *ats_table = &fake_ats_connector;

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/hs-test-cycle-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    fake_reset();
}

static void teardown(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static const char *const PIPE_DEFAULT =
    "{\"ats\":\"eploy\",\"interviews\":\"willo\",\"mappings\":[{\"interview\":\"iv1\","
    "\"jobs\":[{\"job\":\"100\",\"trigger_stages\":[\"Video Interview\"]}]}]}";

/* What a cycle cost the state on disk. */
typedef struct cost {
    uint64_t journal_bytes;
    unsigned long snapshots;
} cost;

/* The discovery cache the cycles use (NULL: none), as the daemon's. */
static hs_discovery *g_cache;
/* The cycles' logger (NULL: none) and clock: each reading advances it by g_step_ms (0: the
 * real clock). */
static hs_log *g_log;
static int64_t g_step_ms;

static int64_t step_clock(void *ctx)
{
    static int64_t t = 1780000000000LL;
    (void)ctx;
    t += g_step_ms;
    return t;
}

/* Runs one cycle with the pipeline JSON; returns the result (and its cost when asked). */
static hs_cycle_result run_costing(const char *pipeline_json, int dry_run, cost *spent)
{
    hs_cycle_result r;
    hs_cycle_params p;
    hs_pipeline *pl = NULL;
    hs_state *st = NULL;
    char err[512];
    json_object *cfg = json_tokener_parse(pipeline_json);
    FILE *out = NULL;
    ck_assert_ptr_nonnull(cfg);
    ck_assert_msg(hs_pipeline_parse("p1", cfg, &pl, err, sizeof err) == 0, "%s", err);
    ck_assert_msg(hs_state_load(dir, "p1", &st, err, sizeof err) == 0, "%s", err);
    memset(&p, 0, sizeof p);
    p.pipeline = pl;
    p.ats.name = "eploy";
    p.ats.table = ats_table;
    p.ats.conn = (hs_conn *)&fake;
    p.interviews.name = "willo";
    p.interviews.table = &fake_iv_connector;
    p.interviews.conn = (hs_conn *)&fake;
    p.state = st;
    p.dry_run = dry_run;
    p.discovery = g_cache;
    p.discovery_ttl_ms = 3600000;
    p.log = g_log;
    if (g_step_ms > 0)
        p.now_ms = step_clock;
    if (dry_run) {
        memset(dry_buf, 0, sizeof dry_buf);
        out = fmemopen(dry_buf, sizeof dry_buf - 1, "w");
        ck_assert_ptr_nonnull(out);
        p.dry_out = out;
    }
    hs_cycle_run(&p, &r);
    if (out)
        fclose(out);
    if (spent != NULL) {
        spent->journal_bytes = st->journal_bytes;
        spent->snapshots = st->snapshots;
    }
    hs_state_free(st);
    hs_pipeline_free(pl);
    json_object_put(cfg);
    return r;
}

static hs_cycle_result run_with(const char *pipeline_json, int dry_run)
{
    return run_costing(pipeline_json, dry_run, NULL);
}

static hs_cycle_result run(void)
{
    return run_with(PIPE_DEFAULT, 0);
}

static json_object *committed_body(void)
{
    hs_state *st = NULL;
    char err[512];
    json_object *b;
    ck_assert_msg(hs_state_load(dir, "p1", &st, err, sizeof err) == 0, "%s", err);
    b = json_object_get(st->body);
    hs_state_free(st);
    return b;
}

static const char *committed_cursor(const char *stream)
{
    static char buf[128];
    json_object *b = committed_body(), *s, *c;
    buf[0] = '\0';
    if (json_object_object_get_ex(b, stream, &s) && json_object_object_get_ex(s, "cursor", &c))
        snprintf(buf, sizeof buf, "%s", json_object_get_string(c));
    json_object_put(b);
    return buf;
}

START_TEST(test_baseline_then_invite_once)
{
    hs_cycle_result r;
    fake_move("1", "100", "c1", "a@x.test", "20", "Video Interview", NULL);
    r = run();
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_str_eq(r.result, "ok");
    ck_assert_int_eq(r.counts.jobs, 2);
    ck_assert_int_eq(r.counts.invited, 0); /* already there before the baseline */
    ck_assert_int_eq(fake.n_invitations, 0);
    ck_assert_str_ne(committed_cursor("ats"), "");
    fake_move("2", "100", "c2", "b@x.test", "20", "Video Interview", NULL);
    fake_move("3", "100", "c3", "c@x.test", "10", "Applied", NULL);
    fake_move("4", "200", "c4", "d@x.test", "20", "Video Interview", NULL); /* unmapped job */
    r = run();
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(r.counts.invited, 1);
    ck_assert_int_eq(fake_invites_for("b@x.test"), 1);
    ck_assert_int_eq(fake.n_invitations, 1);
    r = run();
    ck_assert_int_eq(r.counts.invited, 0);
    ck_assert_int_eq(fake.invite_calls, 1);
}
END_TEST

/* With the discovery cache, an idle cycle does not list the jobs again; a change naming a
 * status the cached listing lacks has them listed again before it is judged, and the
 * candidate is invited once. */
START_TEST(test_discovery_cache_refreshed_by_an_unknown_status)
{
    hs_cycle_result r;
    g_cache = hs_discovery_new();
    ck_assert_ptr_nonnull(g_cache);
    r = run();
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(fake.ats_discover_calls, 1);
    fake_move("2", "100", "c2", "b@x.test", "10", "Applied", NULL);
    r = run();
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(fake.ats_discover_calls, 1); /* from the cache */
    fake_move("3", "100", "c3", "c@x.test", "20", "Video Interview", "s9"); /* new status */
    r = run();
    ck_assert_msg(r.status == HS_OK, "%s", r.error);
    ck_assert_str_eq(r.result, "ok");
    ck_assert_int_eq(fake.ats_discover_calls, 2);
    ck_assert_int_eq(r.counts.invited, 1);
    ck_assert_int_eq(fake_invites_for("c@x.test"), 1);
    ck_assert_int_eq(fake.invite_calls, 1);
    hs_discovery_free(g_cache);
    g_cache = NULL;
}
END_TEST

/* A read that runs long says how far it got about every 10 s of the cycle's clock (here 3 s
 * pass at every reading of it), with its pages and records as fields; a quick one says
 * nothing. */
START_TEST(test_a_long_read_logs_its_progress)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    hs_cycle_result r;
    char app[16], person[16], email[32];
    ck_assert_ptr_nonnull(f);
    g_log = hs_log_new(f);
    ck_assert_ptr_nonnull(g_log);
    hs_log_set_format(g_log, HS_LOG_FORMAT_JSON);
    r = run();
    ck_assert_int_eq(r.status, HS_OK);
    for (int i = 0; i < 20; i++) {
        snprintf(app, sizeof app, "%d", 100 + i);
        snprintf(person, sizeof person, "c%d", 100 + i);
        snprintf(email, sizeof email, "p%d@x.test", i);
        fake_move(app, "100", person, email, "10", "Applied", NULL);
    }
    r = run(); /* the real clock: a fast read */
    ck_assert_int_eq(r.status, HS_OK);
    fflush(f);
    ck_assert_msg(strstr(buf, "read_progress") == NULL, "%s", buf);
    for (int i = 0; i < 20; i++) {
        snprintf(app, sizeof app, "%d", 200 + i);
        snprintf(person, sizeof person, "c%d", 200 + i);
        snprintf(email, sizeof email, "q%d@x.test", i);
        fake_move(app, "100", person, email, "10", "Applied", NULL);
    }
    g_step_ms = 3000;
    r = run();
    g_step_ms = 0;
    ck_assert_int_eq(r.status, HS_OK);
    fflush(f);
    ck_assert_msg(strstr(buf, "\"event\":\"read_progress\"") != NULL, "%s", buf);
    ck_assert_msg(strstr(buf, "\"records\":") != NULL && strstr(buf, "\"pages\":") != NULL &&
                  strstr(buf, "\"elapsed_ms\":") != NULL, "%s", buf);
    hs_log_free(g_log);
    g_log = NULL;
    fclose(f);
    free(buf);
}
END_TEST

/* The read_progress lines of a JSON log (a new array), at most 64. */
static json_object *progress_lines(const char *buf)
{
    json_object *out = json_object_new_array();
    const char *line = buf;
    ck_assert_ptr_nonnull(out);
    while (line != NULL && *line != '\0') {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        json_object *o, *ev;
        char copy[4096];
        snprintf(copy, sizeof copy, "%.*s", (int)(len < sizeof copy ? len : sizeof copy - 1),
                 line);
        o = json_tokener_parse(copy);
        if (o != NULL && json_object_object_get_ex(o, "event", &ev) &&
            strcmp(json_object_get_string(ev), "read_progress") == 0 &&
            json_object_array_length(out) < 64)
            json_object_array_add(out, o);
        else
            json_object_put(o);
        line = nl ? nl + 1 : NULL;
    }
    return out;
}

static long long field(json_object *o, const char *name)
{
    json_object *v;
    return json_object_object_get_ex(o, name, &v) ? json_object_get_int64(v) : -1;
}

static int has_field(json_object *o, const char *name)
{
    return json_object_object_get_ex(o, name, NULL);
}

/* Twenty new records, "p<base+i>@x.test" in job 100 at the given stage. */
static void twenty_moves(int base, const char *stage_id, const char *stage)
{
    char app[16], person[16], email[32];
    for (int i = 0; i < 20; i++) {
        snprintf(app, sizeof app, "%d", base + i);
        snprintf(person, sizeof person, "c%d", base + i);
        snprintf(email, sizeof email, "p%d@x.test", base + i);
        fake_move(app, "100", person, email, stage_id, stage, NULL);
    }
}

/* Runs a cycle on the stepping clock with a JSON log; returns its read_progress lines. */
static json_object *progress_of_a_slow_cycle(void)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    hs_cycle_result r;
    json_object *lines;
    ck_assert_ptr_nonnull(f);
    g_log = hs_log_new(f);
    ck_assert_ptr_nonnull(g_log);
    hs_log_set_format(g_log, HS_LOG_FORMAT_JSON);
    g_step_ms = 3000;
    r = run();
    g_step_ms = 0;
    ck_assert_msg(r.status == HS_OK, "%s", r.error);
    hs_log_free(g_log);
    g_log = NULL;
    fclose(f);
    lines = progress_lines(buf);
    free(buf);
    return lines;
}

/* A connector that says how many pages its read has: the line says "page P of T" with the
 * time left at the rate so far, and has pages_total and eta_s as fields. */
START_TEST(test_progress_with_a_total_says_page_of_and_time_left)
{
    json_object *lines, *o = NULL, *msg;
    char want[64];
    long long pages, total, eta, elapsed;
    ck_assert_int_eq(run().status, HS_OK);
    twenty_moves(100, "10", "Applied");
    fake.progress_total = 10;      /* a barrier every second record: 10 pages */
    lines = progress_of_a_slow_cycle();
    for (size_t i = 0; i < json_object_array_length(lines) && o == NULL; i++)
        if (has_field(json_object_array_get_idx(lines, i), "pages_total"))
            o = json_object_array_get_idx(lines, i);
    ck_assert_msg(o != NULL, "no read_progress line with pages_total: %s",
                  json_object_to_json_string(lines));
    pages = field(o, "pages");
    total = field(o, "pages_total");
    eta = field(o, "eta_s");
    elapsed = field(o, "elapsed_ms");
    ck_assert_int_eq(total, 10);
    ck_assert_int_ge(pages, 1);
    ck_assert_int_lt(pages, 10);
    ck_assert(has_field(o, "eta_s"));
    /* the pages left at the rate so far, rounded up to whole seconds */
    ck_assert_int_eq(eta, ((10 - pages) * elapsed / pages + 999) / 1000);
    ck_assert_int_gt(eta, 0);
    ck_assert(json_object_object_get_ex(o, "msg", &msg));
    snprintf(want, sizeof want, "page %lld of 10", pages);
    ck_assert_msg(strstr(json_object_get_string(msg), want) != NULL, "%s",
                  json_object_get_string(msg));
    snprintf(want, sizeof want, "about %lld s left", eta);
    ck_assert_msg(strstr(json_object_get_string(msg), want) != NULL, "%s",
                  json_object_get_string(msg));
    json_object_put(lines);
}
END_TEST

/* The connector's figures are not trusted: a total below the pages done is raised to them
 * (never "page 7 of 2", never a negative time left); an unknown total keeps the old wording
 * and has neither pages_total nor eta_s. */
START_TEST(test_progress_figures_are_clamped_and_unknown_totals_say_so)
{
    json_object *lines, *msg;
    size_t n;
    ck_assert_int_eq(run().status, HS_OK);
    twenty_moves(100, "10", "Applied");
    fake.progress_total = 2;
    lines = progress_of_a_slow_cycle();
    n = json_object_array_length(lines);
    ck_assert_uint_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(lines, i);
        if (!has_field(o, "pages_total"))
            continue;
        ck_assert_int_le(field(o, "pages"), field(o, "pages_total"));
        ck_assert_int_ge(field(o, "eta_s"), 0);
    }
    json_object_put(lines);
    twenty_moves(200, "10", "Applied");
    fake.progress_total = -1;
    lines = progress_of_a_slow_cycle();
    n = json_object_array_length(lines);
    ck_assert_uint_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(lines, i);
        ck_assert(!has_field(o, "pages_total") && !has_field(o, "eta_s"));
        ck_assert(json_object_object_get_ex(o, "msg", &msg));
        ck_assert_msg(strstr(json_object_get_string(msg), "the total is not known ahead") !=
                      NULL, "%s", json_object_get_string(msg));
    }
    json_object_put(lines);
}
END_TEST

/* A cycle inviting many (a first cycle after a mapping, say) is a batch of writes: its
 * progress lines count the invitations made so far. */
START_TEST(test_a_long_batch_of_invitations_logs_its_progress)
{
    json_object *lines, *msg;
    long long most = 0;
    ck_assert_int_eq(run().status, HS_OK);
    twenty_moves(100, "20", "Video Interview");
    lines = progress_of_a_slow_cycle();
    ck_assert_uint_gt(json_object_array_length(lines), 0);
    for (size_t i = 0; i < json_object_array_length(lines); i++) {
        json_object *o = json_object_array_get_idx(lines, i);
        if (field(o, "invited") > most) {
            most = field(o, "invited");
            ck_assert(json_object_object_get_ex(o, "msg", &msg));
            ck_assert_msg(strstr(json_object_get_string(msg), " invited") != NULL, "%s",
                          json_object_get_string(msg));
        }
    }
    ck_assert_int_gt(most, 0);
    ck_assert_int_le(most, 20);
    ck_assert_int_eq(fake.n_invitations, 20);
    json_object_put(lines);
}
END_TEST

START_TEST(test_overlap_rereads_of_the_baseline_are_not_invited)
{
    hs_cycle_result r;
    fake_move("1", "100", "c1", "a@x.test", "20", "Video Interview", NULL);
    run();
    fake.overlap = 100; /* every later read starts again from the beginning */
    r = run();
    ck_assert_int_eq(r.counts.changes, 1);
    ck_assert_int_eq(r.counts.invited, 0);
    /* out of the stage and back after the baseline: that is a move to act on */
    fake_move("1", "100", "c1", "a@x.test", "10", "Applied", NULL);
    fake_move("1", "100", "c1", "a@x.test", "20", "Video Interview", NULL);
    r = run();
    ck_assert_int_eq(r.counts.invited, 1);
    ck_assert_int_eq(fake_invites_for("a@x.test"), 1);
}
END_TEST

START_TEST(test_invite_existing)
{
    hs_cycle_result r;
    const char *pipe =
        "{\"ats\":\"eploy\",\"interviews\":\"willo\",\"mappings\":[{\"interview\":\"iv1\","
        "\"invite_existing\":true,\"jobs\":[{\"job\":\"100\",\"trigger_stages\":[\"video "
        "interview\"]}]}]}";
    fake_move("1", "100", "c1", "a@x.test", "20", "Video Interview", NULL);
    fake_move("2", "100", "c2", "b@x.test", "30", "Offer", NULL);
    r = run_with(pipe, 0);
    ck_assert_int_eq(r.counts.invited, 1);
    ck_assert_int_eq(fake_invites_for("a@x.test"), 1);
    ck_assert_int_eq(fake_invites_for("b@x.test"), 0);
}
END_TEST

START_TEST(test_reentry_is_not_invited_again)
{
    hs_cycle_result r;
    run();
    fake_move("2", "100", "c2", "b@x.test", "20", "Video Interview", NULL);
    r = run();
    ck_assert_int_eq(r.counts.invited, 1);
    fake_move("2", "100", "c2", "b@x.test", "10", "Applied", NULL);
    fake_move("2", "100", "c2", "b@x.test", "20", "Video Interview", NULL);
    r = run();
    ck_assert_int_eq(r.counts.invited, 0);
    ck_assert_int_eq(fake.invite_calls, 1);
    ck_assert_int_eq(fake_invites_for("b@x.test"), 1);
}
END_TEST

START_TEST(test_completion_note_with_link_once)
{
    hs_cycle_result r;
    run();
    fake_move("2", "100", "c2", "b@x.test", "20", "Video Interview", NULL);
    run();
    ck_assert_int_eq(fake.n_invitations, 1);
    fake_complete("p1");
    fake_foreign_completion("iv1", "stranger");
    r = run();
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(r.counts.notes, 1);
    ck_assert_int_eq(fake_notes_for("2", "result:p1:"), 1);
    ck_assert_int_eq(fake.n_notes, 1); /* nothing for the participant hiresync did not invite */
    ck_assert_str_eq(fake.notes[0].link, "https://interviews.example/r/p1");
    ck_assert_ptr_nonnull(strstr(fake.notes[0].body, "completed the video interview"));
    r = run();
    ck_assert_int_eq(r.counts.notes, 0);
    ck_assert_int_eq(fake.n_notes, 1);
    ck_assert_int_eq(fake.note_calls, 1);
}
END_TEST

START_TEST(test_no_email_and_rejected_email_are_noted_once)
{
    hs_cycle_result r;
    run();
    fake_move("5", "100", "c5", "", "20", "Video Interview", NULL);
    fake_move("6", "100", "c6", "bad@x.test", "20", "Video Interview", NULL);
    r = run();
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(r.counts.not_invited, 2);
    ck_assert_int_eq(r.counts.invited, 0);
    ck_assert_int_eq(fake_notes_for("5", "fail:no-email:"), 1);
    ck_assert_int_eq(fake_notes_for("6", "fail:email-rejected:"), 1);
    ck_assert_ptr_nonnull(strstr(fake.notes[0].body, "no email address"));
    /* back into the stage again: no second note for the same reason */
    fake_move("5", "100", "c5", "", "10", "Applied", NULL);
    fake_move("5", "100", "c5", "", "20", "Video Interview", NULL);
    r = run();
    ck_assert_int_eq(r.counts.not_invited, 0);
    ck_assert_int_eq(fake.n_notes, 2);
}
END_TEST

START_TEST(test_transient_write_failure_commits_nothing_after_it)
{
    hs_cycle_result r;
    char before[128];
    run();
    snprintf(before, sizeof before, "%s", committed_cursor("ats"));
    fake_move("2", "100", "c2", "b@x.test", "20", "Video Interview", NULL);
    fake.fail_invite_status = HS_RETRY;
    r = run();
    ck_assert_int_eq(r.status, HS_RETRY);
    ck_assert_str_eq(r.result, "failed");
    ck_assert_ptr_nonnull(strstr(r.error, "willo"));
    ck_assert_str_eq(committed_cursor("ats"), before);
    ck_assert_int_eq(fake.n_invitations, 0);
    r = run();
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(r.counts.invited, 1);
    ck_assert_int_eq(fake_invites_for("b@x.test"), 1);
    ck_assert_str_ne(committed_cursor("ats"), before);
}
END_TEST

START_TEST(test_read_failure_keeps_earlier_barriers_only)
{
    hs_cycle_result r;
    run();
    fake_move("2", "100", "c2", "b@x.test", "20", "Video Interview", NULL);
    fake_move("3", "100", "c3", "c@x.test", "20", "Video Interview", NULL);
    fake_move("4", "100", "c4", "d@x.test", "20", "Video Interview", NULL);
    fake.fail_read_status = HS_RETRY;
    fake.fail_read_after = 3; /* a barrier after the 2nd record, then the failure */
    r = run();
    ck_assert_int_eq(r.status, HS_RETRY);
    ck_assert_int_eq(r.counts.invited, 3);
    /* the barrier after the second record is committed, nothing after it */
    ck_assert_str_eq(committed_cursor("ats"), "{\"seq\":2}");
    r = run();
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(r.counts.invited, 0); /* the third was written before the failure */
    ck_assert_int_eq(fake.n_invitations, 3);
    ck_assert_str_eq(committed_cursor("ats"), "{\"seq\":3}");
}
END_TEST

/* A read that only reads (no trigger stage, no write) commits its barriers in groups of
 * HS_CYCLE_BARRIER_PAGES, and after a failure the barriers not committed yet are read again. */
START_TEST(test_a_read_without_writes_commits_every_50_barriers)
{
    hs_cycle_result r;
    char want[64];
    int s0;
    run();
    s0 = fake.seq;
    for (int i = 0; i < 150; i++) {
        char app[16], email[32];
        snprintf(app, sizeof app, "%d", 1000 + i);
        snprintf(email, sizeof email, "p%d@x.test", i);
        fake_move(app, "100", app, email, "30", "Offer", NULL);
    }
    fake.fail_read_status = HS_RETRY;
    fake.fail_read_after = 130; /* 65 barriers, one after every second record */
    r = run();
    ck_assert_int_eq(r.status, HS_RETRY);
    /* the 50th barrier (after record 100) committed; the 15 after it were pending */
    snprintf(want, sizeof want, "{\"seq\":%d}", s0 + 2 * HS_CYCLE_BARRIER_PAGES);
    ck_assert_str_eq(committed_cursor("ats"), want);
    r = run();
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(fake.n_invitations, 0);
    snprintf(want, sizeof want, "{\"seq\":%d}", s0 + 150);
    ck_assert_str_eq(committed_cursor("ats"), want);
}
END_TEST

START_TEST(test_empty_cycle_keeps_the_cursor)
{
    char before[128];
    run();
    snprintf(before, sizeof before, "%s", committed_cursor("ats"));
    ck_assert_str_ne(before, "");
    run();
    ck_assert_str_eq(committed_cursor("ats"), before);
}
END_TEST

START_TEST(test_an_empty_cursor_is_never_committed)
{
    hs_cycle_result r;
    char before[128];
    run();
    snprintf(before, sizeof before, "%s", committed_cursor("ats"));
    fake_move("2", "100", "c2", "b@x.test", "20", "Video Interview", NULL);
    fake.empty_cursor = 1;
    r = run();
    ck_assert_int_eq(r.status, HS_E_INTERNAL);
    ck_assert_msg(strstr(r.error, "empty or malformed cursor") != NULL, "%s", r.error);
    ck_assert_str_eq(committed_cursor("ats"), before);
    fake.empty_cursor = 0;
    r = run();
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(fake_invites_for("b@x.test"), 1);
}
END_TEST

START_TEST(test_stage_status_and_id_triggers)
{
    hs_cycle_result r;
    const char *pipe =
        "{\"ats\":\"eploy\",\"interviews\":\"willo\",\"mappings\":[{\"interview\":\"iv1\","
        "\"jobs\":[{\"job\":\"100\",\"trigger_stages\":[\"Video Interview / Invite sent\"]},"
        "{\"job\":\"200\",\"trigger_stages\":[\"30\"]}]}]}";
    run_with(pipe, 0);
    fake_move("2", "100", "c2", "b@x.test", "20", "Video Interview", "s2");
    fake_move("3", "100", "c3", "c@x.test", "20", "Video Interview", "s1");
    fake_move("4", "200", "c4", "d@x.test", "30", "Offer", NULL);
    r = run_with(pipe, 0);
    ck_assert_int_eq(r.counts.invited, 2);
    ck_assert_int_eq(fake_invites_for("b@x.test"), 0);
    ck_assert_int_eq(fake_invites_for("c@x.test"), 1);
    ck_assert_int_eq(fake_invites_for("d@x.test"), 1);
}
END_TEST

START_TEST(test_mapping_problems_are_named)
{
    hs_cycle_result r;
    const char *pipe =
        "{\"ats\":\"eploy\",\"interviews\":\"willo\",\"mappings\":[{\"interview\":\"iv1\","
        "\"jobs\":[{\"job\":\"100\",\"trigger_stages\":[\"Video Intervew\"]},"
        "{\"job\":\"999\",\"trigger_stages\":[\"Offer\"]}]},{\"interview\":\"gone\","
        "\"jobs\":[{\"job\":\"200\",\"trigger_stages\":[\"Offer\"]}]}]}";
    r = run_with(pipe, 0);
    ck_assert_str_eq(r.result, "failed");
    ck_assert_int_eq(r.status, HS_E_CONFIG);
    ck_assert_int_eq(r.counts.errors, 3);
    ck_assert_msg(strstr(r.error, "no stage matches trigger \"Video Intervew\"") != NULL &&
                      strstr(r.error, "\"Applied\", \"Video Interview\", \"Offer\"") != NULL,
                  "%s", r.error);
    /* a candidate moved into the stage of a job whose interview is gone gets a note */
    fake_move("7", "200", "c7", "e@x.test", "30", "Offer", NULL);
    r = run_with(pipe, 0);
    ck_assert_int_eq(r.counts.not_invited, 1);
    ck_assert_int_eq(fake_notes_for("7", "fail:interview-gone:"), 1);
    ck_assert_int_eq(fake.n_invitations, 0);
}
END_TEST

START_TEST(test_dry_run_writes_and_commits_nothing)
{
    hs_cycle_result r;
    json_object *before;
    run();
    before = committed_body();
    fake_move("2", "100", "c2", "b@x.test", "20", "Video Interview", NULL);
    r = run_with(PIPE_DEFAULT, 1);
    ck_assert_int_eq(r.counts.invited, 1);
    ck_assert_int_eq(fake.invite_calls, 0);
    ck_assert_msg(strstr(dry_buf, "would invite Ann c2 <b@x.test> (application 2") != NULL,
                  "%s", dry_buf);
    {
        json_object *after = committed_body();
        ck_assert_str_eq(json_object_to_json_string(after), json_object_to_json_string(before));
        json_object_put(after);
    }
    json_object_put(before);
    r = run();
    ck_assert_int_eq(r.counts.invited, 1);
}
END_TEST

START_TEST(test_dry_run_of_a_first_cycle_shows_who_invite_existing_would_invite)
{
    hs_cycle_result r;
    hs_state *st = NULL;
    char err[512];
    const char *pipe =
        "{\"ats\":\"eploy\",\"interviews\":\"willo\",\"mappings\":[{\"interview\":\"iv1\","
        "\"invite_existing\":true,\"jobs\":[{\"job\":\"100\",\"trigger_stages\":[\"Video "
        "Interview\"]}]}]}";
    fake_move("1", "100", "c1", "a@x.test", "20", "Video Interview", NULL);
    fake_move("2", "100", "c2", "b@x.test", "10", "Applied", NULL);
    r = run_with(pipe, 1);
    ck_assert_int_eq(r.counts.invited, 1);
    ck_assert_msg(strstr(dry_buf, "would invite Ann c1 <a@x.test>") != NULL, "%s", dry_buf);
    ck_assert_ptr_null(strstr(dry_buf, "c2"));
    ck_assert_int_eq(fake.invite_calls, 0);
    ck_assert_int_eq(hs_state_load(dir, "p1", &st, err, sizeof err), 0);
    ck_assert_int_eq(st->existed, 0); /* nothing committed: the real first cycle is still ahead */
    hs_state_free(st);
}
END_TEST

START_TEST(test_mapping_added_later_gets_its_own_baseline)
{
    hs_cycle_result r;
    const char *two =
        "{\"ats\":\"eploy\",\"interviews\":\"willo\",\"mappings\":[{\"interview\":\"iv1\","
        "\"jobs\":[{\"job\":\"100\",\"trigger_stages\":[\"Video Interview\"]},"
        "{\"job\":\"200\",\"trigger_stages\":[\"Video Interview\"]}]}]}";
    run();
    /* moved into the stage of job 200 before 200 was mapped */
    fake_move("8", "200", "c8", "f@x.test", "20", "Video Interview", NULL);
    strcpy(fake.ats_log[fake.n_ats - 1].changed_at, "2000-01-01T00:00:00Z");
    r = run_with(two, 0);
    ck_assert_int_eq(r.counts.invited, 0);
    fake_move("9", "200", "c9", "g@x.test", "20", "Video Interview", NULL);
    r = run_with(two, 0);
    ck_assert_int_eq(r.counts.invited, 1);
    ck_assert_int_eq(fake_invites_for("g@x.test"), 1);
    ck_assert_int_eq(fake_invites_for("f@x.test"), 0);
}
END_TEST

START_TEST(test_adopts_existing_participant)
{
    hs_cycle_result r;
    run();
    /* a participant with this email already exists in the interview (invited by hand) */
    strcpy(fake.invitations[0].key, "by-hand");
    strcpy(fake.invitations[0].target, "iv1");
    strcpy(fake.invitations[0].email, "b@x.test");
    strcpy(fake.invitations[0].remote_id, "p77");
    fake.n_invitations = 1;
    fake_move("2", "100", "c2", "b@x.test", "20", "Video Interview", NULL);
    r = run();
    ck_assert_int_eq(r.counts.invited, 0);
    ck_assert_int_eq(r.counts.adopted, 1);
    fake_complete("p77");
    r = run();
    ck_assert_int_eq(r.counts.notes, 1);
    ck_assert_int_eq(fake_notes_for("2", "result:p77:"), 1);
}
END_TEST

START_TEST(test_intervals)
{
    static const struct { const char *text; long long seconds; } ok[] = {
        {"90s", 90}, {"1m", 60}, {"45m", 2700}, {"3h", 10800}, {"1d", 86400}};
    static const char *const bad[] = {"59s", "0h", "3", "h", "3 h", "3hours", "-1h", "1w"};
    char err[512];
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char js[256];
        hs_pipeline *p = NULL;
        json_object *o;
        snprintf(js, sizeof js, "{\"ats\":\"a\",\"interviews\":\"b\",\"interval\":\"%s\","
                 "\"mappings\":[{\"interview\":\"i\",\"jobs\":[{\"job\":\"1\","
                 "\"trigger_stages\":[\"x\"]}]}]}", ok[i].text);
        o = json_tokener_parse(js);
        ck_assert_msg(hs_pipeline_parse("p", o, &p, err, sizeof err) == 0, "%s: %s", ok[i].text,
                      err);
        ck_assert_int_eq(p->interval_s, ok[i].seconds);
        hs_pipeline_free(p);
        json_object_put(o);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char js[256];
        hs_pipeline *p = NULL;
        json_object *o;
        snprintf(js, sizeof js, "{\"ats\":\"a\",\"interviews\":\"b\",\"interval\":\"%s\","
                 "\"mappings\":[{\"interview\":\"i\",\"jobs\":[{\"job\":\"1\","
                 "\"trigger_stages\":[\"x\"]}]}]}", bad[i]);
        o = json_tokener_parse(js);
        ck_assert_msg(hs_pipeline_parse("p", o, &p, err, sizeof err) == -1, "%s accepted", bad[i]);
        ck_assert_msg(strstr(err, "interval") != NULL, "%s", err);
        json_object_put(o);
    }
}
END_TEST

START_TEST(test_orphaned_intent_is_dropped_after_a_full_cycle)
{
    hs_state *st = NULL;
    char err[512];
    json_object *outbox, *e, *b;
    run();
    ck_assert_int_eq(hs_state_load(dir, "p1", &st, err, sizeof err), 0);
    outbox = json_object_new_object();
    e = json_object_new_object();
    json_object_object_add(e, "op", json_object_new_string("invitation"));
    json_object_object_add(e, "state", json_object_new_string("intent"));
    json_object_object_add(e, "record", json_object_new_string("42"));
    json_object_object_add(outbox, "gone:42", e);
    json_object_object_add(st->body, "outbox", outbox);
    ck_assert_int_eq(hs_state_commit(st, 1, err, sizeof err), 0);
    hs_state_free(st);
    fake.fail_read_status = HS_RETRY; /* a cycle that does not read to the end keeps it */
    ck_assert_int_eq(run().status, HS_RETRY);
    b = committed_body();
    ck_assert(json_object_object_get_ex(json_object_object_get(b, "outbox"), "gone:42", NULL));
    json_object_put(b);
    ck_assert_int_eq(run().status, HS_OK);
    b = committed_body();
    ck_assert_int_eq(json_object_object_length(json_object_object_get(b, "outbox")), 0);
    json_object_put(b);
}
END_TEST

/* Adds n invitation records (made at the time given) to the committed state, as years of
 * cycles would leave them. */
static void seed_invitations(int n, const char *at)
{
    hs_state *st = NULL;
    char err[512];
    json_object *invs, *parts;
    ck_assert_msg(hs_state_load(dir, "p1", &st, err, sizeof err) == 0, "%s", err);
    invs = json_object_object_get(st->body, "invitations");
    parts = json_object_object_get(st->body, "participants");
    if (invs == NULL) {
        invs = json_object_new_object();
        json_object_object_add(st->body, "invitations", invs);
    }
    if (parts == NULL) {
        parts = json_object_new_object();
        json_object_object_add(st->body, "participants", parts);
    }
    for (int i = 0; i < n; i++) {
        char key[64], app[32], part[32];
        json_object *e = json_object_new_object();
        snprintf(app, sizeof app, "%d", 500000 + i);
        snprintf(part, sizeof part, "old%d", i);
        snprintf(key, sizeof key, "iv1:%s", app);
        json_object_object_add(e, "interview", json_object_new_string("iv1"));
        json_object_object_add(e, "application", json_object_new_string(app));
        json_object_object_add(e, "job", json_object_new_string("100"));
        json_object_object_add(e, "participant", json_object_new_string(part));
        if (at != NULL)
            json_object_object_add(e, "at", json_object_new_string(at));
        json_object_object_add(invs, key, e);
        json_object_object_add(parts, part, json_object_new_string(key));
    }
    ck_assert_msg(hs_state_commit(st, 1, err, sizeof err) == 0, "%s", err);
    hs_state_free(st);
}

static void now_iso(int64_t days_ago, char *out, size_t size)
{
    time_t t = time(NULL) - (time_t)(days_ago * 24 * 3600);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* What one invitation costs the state, with n invitations already recorded. */
static cost invitation_cost(int n, long *snapshot_bytes)
{
    char when[40], path[400], cmd[512];
    struct stat sb;
    cost spent;
    hs_cycle_result r;
    snprintf(cmd, sizeof cmd, "rm -f '%s'/p1.*", dir);
    ck_assert_int_eq(system(cmd), 0);
    fake_reset();
    run();
    now_iso(1, when, sizeof when);
    seed_invitations(n, when);
    snprintf(path, sizeof path, "%s/p1.state", dir);
    ck_assert_int_eq(stat(path, &sb), 0);
    *snapshot_bytes = (long)sb.st_size;
    fake_move("2", "100", "c2", "b@x.test", "20", "Video Interview", NULL);
    r = run_costing(PIPE_DEFAULT, 0, &spent);
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(r.counts.invited, 1);
    return spent;
}

/* An outbox step (intent before the write, done after) costs a journal line, however many
 * invitations the state already holds; the snapshot is written at barriers only. */
START_TEST(test_outbox_steps_cost_the_same_whatever_the_state_holds)
{
    long snap10, snap10k;
    cost at10 = invitation_cost(10, &snap10);
    cost at10k = invitation_cost(10000, &snap10k);
    fprintf(stderr, "cycle: a cycle with one invitation (its intent and done, the cursors, the "
            "end of the cycle) appends %llu journal bytes with 10 invitations in the state "
            "(snapshot %ld bytes) and %llu with 10000 (snapshot %ld bytes); snapshots written "
            "%lu and %lu\n",
            (unsigned long long)at10.journal_bytes, snap10,
            (unsigned long long)at10k.journal_bytes, snap10k, at10.snapshots, at10k.snapshots);
    ck_assert_uint_gt(at10.journal_bytes, 0);
    ck_assert_uint_eq(at10.journal_bytes, at10k.journal_bytes);
    ck_assert_uint_lt(at10k.journal_bytes, 1024);
    ck_assert_uint_eq(at10.snapshots, at10k.snapshots);
    ck_assert_int_gt(snap10k, 100 * snap10 / 2); /* the state did grow */
}
END_TEST

/* Many invitations between two barriers: the snapshot is not rewritten per invitation. */
START_TEST(test_snapshots_do_not_follow_the_invitations)
{
    cost one, many;
    fake.overlap = 0;
    run();
    fake_move("2", "100", "c2", "b@x.test", "20", "Video Interview", NULL);
    ck_assert_int_eq(run_costing(PIPE_DEFAULT, 0, &one).counts.invited, 1);
    for (int i = 0; i < 20; i++) {
        char app[16], email[32];
        snprintf(app, sizeof app, "%d", 10 + i);
        snprintf(email, sizeof email, "m%d@x.test", i);
        fake_move(app, "100", app, email, "20", "Video Interview", NULL);
    }
    ck_assert_int_eq(run_costing(PIPE_DEFAULT, 0, &many).counts.invited, 20);
    /* the fake reader sets a barrier after every second record: 10 barriers, the end of
     * each read and the end of the cycle, not 40 more (2 per invitation) as when every step
     * rewrote the state */
    ck_assert_uint_le(many.snapshots, 13);
    /* and each invitation costs its own two lines, give or take the length of its ids */
    ck_assert_uint_le(many.journal_bytes, 20 * (one.journal_bytes + 32));
}
END_TEST

static json_object *snapshot_outbox(json_object **root_out)
{
    char path[400], err[512], *text = NULL;
    json_object *root, *body, *outbox = NULL;
    snprintf(path, sizeof path, "%s/p1.state", dir);
    ck_assert_int_eq(hs_state_read_file(path, 1 << 24, &text, NULL, err, sizeof err), 0);
    root = json_tokener_parse(text);
    free(text);
    ck_assert_ptr_nonnull(root);
    ck_assert(json_object_object_get_ex(root, "body", &body));
    json_object_object_get_ex(body, "outbox", &outbox);
    *root_out = root;
    return outbox;
}

static int count_done(json_object *outbox)
{
    int n = 0;
    if (outbox == NULL)
        return 0;
    json_object_object_foreach(outbox, key, e) {
        json_object *v;
        (void)key;
        if (json_object_object_get_ex(e, "state", &v) &&
            strcmp(json_object_get_string(v), "done") == 0)
            n++;
    }
    return n;
}

/* Done outbox entries live in the journal while their cycle runs; the end of the cycle drops
 * them (the invitation record carries what idempotency needs), and a snapshot never keeps
 * one. */
START_TEST(test_done_outbox_entries_are_pruned_at_commit)
{
    json_object *b, *outbox, *e, *root;
    cost spent;
    run();
    fake_move("2", "100", "c2", "b@x.test", "20", "Video Interview", NULL);
    fake_move("3", "100", "c3", "c@x.test", "20", "Video Interview", NULL);
    /* stop after the first invitation with an error after which nothing commits */
    fake.fail_read_status = HS_E_INTERNAL;
    fake.fail_read_after = 1;
    ck_assert_int_eq(run().status, HS_E_INTERNAL);
    ck_assert_int_eq(fake.n_invitations, 1);
    b = committed_body(); /* snapshot + journal */
    outbox = json_object_object_get(b, "outbox");
    ck_assert(json_object_object_get_ex(outbox, "iv1:2", &e));
    ck_assert_str_eq(json_object_get_string(json_object_object_get(e, "state")), "done");
    ck_assert(json_object_object_get_ex(json_object_object_get(b, "invitations"), "iv1:2", NULL));
    json_object_put(b);
    ck_assert_int_eq(run().status, HS_OK);
    ck_assert_int_eq(fake.n_invitations, 2);
    ck_assert_int_eq(fake_invites_for("b@x.test"), 1);
    b = committed_body();
    ck_assert_int_eq(json_object_object_length(json_object_object_get(b, "outbox")), 0);
    ck_assert_int_eq(json_object_object_length(json_object_object_get(b, "invitations")), 2);
    json_object_put(b);
    /* enough invitations for the journal to be folded into a snapshot within the cycle */
    for (int i = 0; i < 30; i++) {
        char app[16], email[32];
        snprintf(app, sizeof app, "%d", 10 + i);
        snprintf(email, sizeof email, "m%d@x.test", i);
        fake_move(app, "100", app, email, "20", "Video Interview", NULL);
    }
    ck_assert_int_eq(run_costing(PIPE_DEFAULT, 0, &spent).counts.invited, 30);
    ck_assert_uint_ge(spent.snapshots, 1);
    outbox = snapshot_outbox(&root);
    ck_assert_int_eq(count_done(outbox), 0);
    json_object_put(root);
    b = committed_body();
    ck_assert_int_eq(json_object_object_length(json_object_object_get(b, "outbox")), 0);
    ck_assert_int_eq(json_object_object_length(json_object_object_get(b, "invitations")), 32);
    json_object_put(b);
}
END_TEST

/* Records past the retention leave the state (with their participant links); recent ones
 * stay; records without a time get one. A candidate whose record aged out and who comes back
 * is adopted by the connector's lookup, not invited twice. */
START_TEST(test_old_records_age_out)
{
    char old[40];
    json_object *b, *invs, *parts;
    hs_cycle_result r;
    run();
    fake_move("2", "100", "c2", "b@x.test", "20", "Video Interview", NULL);
    fake_move("3", "100", "c3", "c@x.test", "20", "Video Interview", NULL);
    ck_assert_int_eq(run().counts.invited, 2);
    now_iso(HS_CYCLE_RETENTION_DAYS + 30, old, sizeof old);
    seed_invitations(3, old);
    {
        /* b's invitation is old too; a note was written before records had times */
        hs_state *st = NULL;
        char err[512];
        json_object *notes = json_object_new_object();
        ck_assert_int_eq(hs_state_load(dir, "p1", &st, err, sizeof err), 0);
        json_object_object_add(json_object_object_get(json_object_object_get(st->body,
                               "invitations"), "iv1:2"), "at", json_object_new_string(old));
        json_object_object_add(notes, "result:px:1", json_object_new_object());
        json_object_object_add(st->body, "notes", notes);
        ck_assert_int_eq(hs_state_commit(st, 1, err, sizeof err), 0);
        hs_state_free(st);
    }
    r = run();
    ck_assert_int_eq(r.status, HS_OK);
    b = committed_body();
    invs = json_object_object_get(b, "invitations");
    parts = json_object_object_get(b, "participants");
    ck_assert_int_eq(json_object_object_length(invs), 1);
    ck_assert(json_object_object_get_ex(invs, "iv1:3", NULL));
    ck_assert(!json_object_object_get_ex(parts, "old0", NULL));
    ck_assert_int_eq(json_object_object_length(parts), 1);
    ck_assert_ptr_nonnull(json_object_object_get(
        json_object_object_get(json_object_object_get(b, "notes"), "result:px:1"), "at"));
    json_object_put(b);
    /* b is back in the stage after their record aged out: adopted, not invited twice */
    fake_move("2", "100", "c2", "b@x.test", "10", "Applied", NULL);
    fake_move("2", "100", "c2", "b@x.test", "20", "Video Interview", NULL);
    r = run();
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(r.counts.invited, 0);
    ck_assert_int_eq(r.counts.adopted, 1);
    ck_assert_int_eq(fake_invites_for("b@x.test"), 1);
}
END_TEST

START_TEST(test_ats_without_job_discovery_matches_stage_names)
{
    hs_connector blind = fake_ats_connector;
    hs_cycle_result r;
    blind.discover_jobs = NULL;
    blind.capabilities &= ~(uint32_t)HS_CAP_DISCOVER_JOBS;
    ats_table = &blind;
    run();
    fake_move("2", "100", "c2", "b@x.test", "20", "Video Interview", NULL);
    fake_move("3", "100", "c3", "c@x.test", "30", "Offer", NULL);
    r = run();
    ats_table = &fake_ats_connector;
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(r.counts.jobs, 0);
    ck_assert_int_eq(r.counts.invited, 1);
    ck_assert_int_eq(fake_invites_for("b@x.test"), 1);
}
END_TEST

/* ---- ABI 2.0 records ------------------------------------------------------------------------ */

START_TEST(test_change_smaller_than_abi_2_0_is_refused_and_nothing_committed)
{
    hs_cycle_result r;
    char before[128];
    run();
    snprintf(before, sizeof before, "%s", committed_cursor("ats"));
    fake_move("2", "100", "c2", "b@x.test", "20", "Video Interview", NULL);
    /* a writer from before 2.0: its change ends where 2.0's person pointer starts */
    fake.change_size = (uint32_t)offsetof(hs_stage_change, person);
    r = run();
    ck_assert_int_eq(r.status, HS_E_DATA);
    ck_assert_str_eq(r.result, "failed");
    ck_assert_msg(strstr(r.error, "connector fake_ats emitted a change record of") != NULL &&
                  strstr(r.error, "smaller than ABI 2.0") != NULL, "%s", r.error);
    ck_assert_int_eq(fake.invite_calls, 0);
    ck_assert_str_eq(committed_cursor("ats"), before);
    /* once rebuilt, the same change is read again and acted on */
    fake.change_size = 0;
    r = run();
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(fake_invites_for("b@x.test"), 1);
}
END_TEST

/* Discovery too: a job shorter than 2.0's (an older writer's, before stage_size) fails the
 * cycle with the connector to rebuild, before anything is read. */
START_TEST(test_job_smaller_than_abi_2_0_fails_discovery)
{
    hs_cycle_result r;
    char expected[256];
    fake.job_size = (uint32_t)offsetof(hs_job, stage_size);
    fake_move("2", "100", "c2", "b@x.test", "20", "Video Interview", NULL);
    r = run_with("{\"ats\":\"eploy\",\"interviews\":\"willo\",\"mappings\":[{"
                 "\"interview\":\"iv1\",\"invite_existing\":true,\"jobs\":[{\"job\":\"100\","
                 "\"trigger_stages\":[\"Video Interview\"]}]}]}", 0);
    ck_assert_int_eq(r.status, HS_E_DATA);
    snprintf(expected, sizeof expected, "eploy: connector fake_ats: job refused: job record of "
             "%zu bytes, smaller than ABI 2.0's %zu; rebuild the connector against this "
             "hiresync's connector.h", offsetof(hs_job, stage_size),
             offsetof(hs_job, stage_size) + sizeof(size_t));
    ck_assert_str_eq(r.error, expected);
    ck_assert_int_eq(r.counts.changes, 0);
    ck_assert_int_eq(fake.invite_calls, 0);
}
END_TEST

START_TEST(test_person_smaller_than_abi_2_0_is_refused)
{
    hs_cycle_result r;
    run();
    fake_move("2", "100", "c2", "b@x.test", "20", "Video Interview", NULL);
    fake.person_size = (uint32_t)offsetof(hs_person, email);
    r = run();
    ck_assert_int_eq(r.status, HS_E_DATA);
    ck_assert_msg(strstr(r.error, "person record of") != NULL, "%s", r.error);
    ck_assert_int_eq(fake.invite_calls, 0);
}
END_TEST

START_TEST(test_records_of_a_newer_minor_are_read_up_to_what_the_host_knows)
{
    hs_cycle_result r;
    run();
    fake.change_size = (uint32_t)sizeof(hs_stage_change) + FAKE_PAD;
    fake.person_size = (uint32_t)sizeof(hs_person) + FAKE_PAD;
    fake_move("2", "100", "c2", "b@x.test", "20", "Video Interview", NULL);
    r = run();
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(r.counts.invited, 1);
    ck_assert_int_eq(fake_invites_for("b@x.test"), 1);
    ck_assert_str_eq(fake.invitations[0].email, "b@x.test");
    fake_complete("p1");
    r = run();
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(fake_notes_for("2", "result:p1:"), 1);
}
END_TEST

START_TEST(test_completions_are_known_by_kind_and_unknown_kinds_skipped)
{
    hs_cycle_result r;
    run();
    fake_move("2", "100", "c2", "b@x.test", "20", "Video Interview", NULL);
    run();
    ck_assert_int_eq(fake.n_invitations, 1);
    /* a kind from a later minor (an interview started, say): skipped, not a completion */
    fake_complete("p1");
    fake.iv_log[fake.n_iv - 1].kind = 7;
    /* a stage change into a stage named "completed" is not a completion either */
    fake_complete("p1");
    fake.iv_log[fake.n_iv - 1].kind = HS_CHANGE_STAGE;
    snprintf(fake.iv_log[fake.n_iv - 1].stage_name, sizeof fake.iv_log[0].stage_name,
             "completed");
    r = run();
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(r.counts.errors, 0);
    ck_assert_int_eq(fake.n_notes, 0);
    fake_complete("p1");
    r = run();
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(fake_notes_for("2", "result:p1:"), 1);
}
END_TEST

/* ---- the interview's life --------------------------------------------------------------- */

#define LIFE_MAPPING(extra) \
    "{\"ats\":\"eploy\",\"interviews\":\"willo\",\"mappings\":[{\"interview\":\"iv1\"," \
    "\"jobs\":[{\"job\":\"100\",\"trigger_stages\":[\"Video Interview\"]}]" extra "}]}"

static const char *const PIPE_OUTCOMES = LIFE_MAPPING(
    ",\"outcomes\":{\"invited\":\"Invited\",\"started\":\"Started\",\"completed\":\"Completed\","
    "\"expired\":\"Expired\",\"declined\":\"Declined\"}");
static const char *const PIPE_MOVE = LIFE_MAPPING(
    ",\"outcomes\":{\"completed\":\"Completed\"},\"on_completed\":\"Offer\","
    "\"on_expired\":\"Applied\"");

/* Baseline, then application 2 invited as participant p1. */
static void invited(const char *pipe)
{
    run_with(pipe, 0);
    fake_move("2", "100", "c2", "b@x.test", "20", "Video Interview", NULL);
    ck_assert_int_eq(run_with(pipe, 0).counts.invited, 1);
    ck_assert_int_eq(fake.n_invitations, 1);
}

/* The note on app whose key starts with prefix, or NULL. */
static const fake_write *note_of(const char *app, const char *prefix)
{
    for (int i = 0; i < fake.n_notes; i++)
        if (strcmp(fake.notes[i].target, app) == 0 &&
            strncmp(fake.notes[i].key, prefix, strlen(prefix)) == 0)
            return &fake.notes[i];
    return NULL;
}

START_TEST(test_each_event_with_an_outcome_is_noted_once)
{
    hs_cycle_result r;
    const fake_write *n;
    invited(PIPE_OUTCOMES);
    fake_life("p1", HS_CHANGE_INVITED);
    fake_life("p1", HS_CHANGE_STARTED);
    r = run_with(PIPE_OUTCOMES, 0);
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(r.counts.outcomes, 2);
    ck_assert_str_eq(note_of("2", "outcome:p1:invited")->outcome, "Invited");
    ck_assert_str_eq(note_of("2", "outcome:p1:started")->outcome, "Started");
    fake_complete_with("p1", 2, "8.5");
    r = run_with(PIPE_OUTCOMES, 0);
    ck_assert_int_eq(r.counts.notes, 1);
    ck_assert_int_eq(r.counts.outcomes, 1);
    n = note_of("2", "result:p1:");
    ck_assert_ptr_nonnull(n);
    ck_assert_str_eq(n->outcome, "Completed");
    ck_assert_int_eq(n->final, 1); /* no move follows */
    ck_assert_msg(strstr(n->body, "- Q1: https://interviews.example/a/p1/1 (score 3)\n"
                                  "- Q2: https://interviews.example/a/p1/2 (score 4)") != NULL &&
                      strstr(n->body, "Score: 8.5") != NULL &&
                      strstr(n->body, "completed the video interview \"Screening interview\" "
                                      "on 2100-") != NULL, "%s", n->body);
    /* everything read again: nothing written twice */
    fake.overlap = 100;
    r = run_with(PIPE_OUTCOMES, 0);
    ck_assert_int_eq(r.counts.outcomes + r.counts.notes, 0);
    ck_assert_int_eq(fake.n_notes, 3);
    ck_assert_int_eq(fake.note_calls, 3);
    /* a declined candidate of another application */
    fake_move("3", "100", "c3", "c@x.test", "20", "Video Interview", NULL);
    run_with(PIPE_OUTCOMES, 0);
    fake_life("p2", HS_CHANGE_DECLINED);
    r = run_with(PIPE_OUTCOMES, 0);
    ck_assert_int_eq(r.counts.outcomes, 1);
    ck_assert_str_eq(note_of("3", "outcome:p2:declined")->outcome, "Declined");
}
END_TEST

START_TEST(test_events_without_an_outcome_write_nothing)
{
    hs_cycle_result r;
    invited(PIPE_DEFAULT);
    fake_life("p1", HS_CHANGE_INVITED);
    fake_life("p1", HS_CHANGE_STARTED);
    fake_life("p1", HS_CHANGE_DECLINED);
    r = run();
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(r.counts.outcomes, 0);
    ck_assert_int_eq(fake.note_calls, 0);
    fake_complete("p1");
    run();
    ck_assert_ptr_null(note_of("2", "result:p1:")->outcome[0] ? "outcome" : NULL);
}
END_TEST

START_TEST(test_completion_moves_the_application_once)
{
    hs_cycle_result r;
    invited(PIPE_MOVE);
    fake_complete("p1");
    r = run_with(PIPE_MOVE, 0);
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(r.counts.moved, 1);
    ck_assert_str_eq(fake_position_of("2")->stage_id, "30");
    ck_assert_int_eq(note_of("2", "result:p1:")->final, 1); /* move or not */
    fake.overlap = 100;
    r = run_with(PIPE_MOVE, 0);
    ck_assert_int_eq(r.counts.moved, 0);
    ck_assert_int_eq(fake.move_calls, 1);
    ck_assert_int_eq(fake_moves_for("2"), 1);
}
END_TEST

START_TEST(test_an_application_moved_by_a_recruiter_is_never_moved)
{
    hs_cycle_result r;
    const fake_write *n;
    invited(PIPE_MOVE);
    fake_move("2", "100", "c2", "b@x.test", "10", "Applied", NULL); /* a recruiter's move */
    fake_complete("p1");
    r = run_with(PIPE_MOVE, 0);
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(r.counts.moved, 0);
    ck_assert_int_eq(r.counts.not_moved, 1);
    ck_assert_str_eq(fake_position_of("2")->stage_id, "10");
    ck_assert_int_eq(fake_moves_for("2"), 0);
    n = note_of("2", "notmoved:p1:completed");
    ck_assert_ptr_nonnull(n);
    ck_assert_int_eq(n->final, 1);
    ck_assert_msg(strstr(n->body, "did not move this application to \"Offer\"") != NULL &&
                  strstr(n->body, "is in \"Applied\"") != NULL, "%s", n->body);
    fake.overlap = 100;
    r = run_with(PIPE_MOVE, 0);
    ck_assert_int_eq(r.counts.not_moved, 0);
    ck_assert_int_eq(fake_notes_for("2", "notmoved:"), 1);
    ck_assert_int_eq(fake.move_calls, 1);
    ck_assert_str_eq(fake_position_of("2")->stage_id, "10");
}
END_TEST

START_TEST(test_expiry_is_marked_noted_and_moved)
{
    hs_cycle_result r;
    const char *pipe = LIFE_MAPPING(",\"outcomes\":{\"expired\":\"Expired\"},"
                                    "\"on_expired\":\"Applied\"");
    json_object *b, *inv;
    invited(pipe);
    fake_life("p1", HS_CHANGE_EXPIRED);
    r = run_with(pipe, 0);
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(r.counts.expired, 1);
    ck_assert_int_eq(r.counts.outcomes, 1);
    ck_assert_int_eq(r.counts.moved, 1);
    ck_assert_str_eq(note_of("2", "outcome:p1:expired")->outcome, "Expired");
    ck_assert_str_eq(fake_position_of("2")->stage_id, "10");
    b = committed_body();
    inv = json_object_object_get(json_object_object_get(b, "invitations"), "iv1:2");
    ck_assert_ptr_nonnull(json_object_object_get(inv, "expired"));
    json_object_put(b);
    fake.overlap = 100;
    r = run_with(pipe, 0);
    ck_assert_int_eq(r.counts.expired + r.counts.outcomes + r.counts.moved, 0);
}
END_TEST

/* The outcome form: the tenant's workflow moves the application when the outcome is written. */
static const char *const PIPE_OUTCOME_MOVE = LIFE_MAPPING(
    ",\"outcomes\":{\"invited\":\"Invited\"},\"on_completed\":{\"outcome\":\"Completed\"},"
    "\"on_expired\":{\"outcome\":\"Expired\"}");

START_TEST(test_outcome_move_is_written_while_in_the_trigger_stage)
{
    hs_cycle_result r;
    const fake_write *n;
    ats_table = &fake_ats_nomove_connector; /* the outcome form needs no move_record */
    invited(PIPE_OUTCOME_MOVE);
    fake_complete("p1");
    r = run_with(PIPE_OUTCOME_MOVE, 0);
    ats_table = &fake_ats_connector;
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(r.counts.outcomes, 1);
    ck_assert_int_eq(r.counts.not_moved, 0);
    n = note_of("2", "result:p1:");
    ck_assert_ptr_nonnull(n);
    ck_assert_str_eq(n->outcome, "Completed");
    ck_assert_int_eq(n->withheld, 0);
    ck_assert_int_eq(fake.move_calls, 0);
    ck_assert_int_eq(fake_notes_for("2", "notmoved:"), 0);
}
END_TEST

START_TEST(test_outcome_move_is_withheld_after_a_recruiter_moved_it)
{
    hs_cycle_result r;
    const fake_write *n;
    json_object *b, *rec = NULL;
    invited(PIPE_OUTCOME_MOVE);
    fake_move("2", "100", "c2", "b@x.test", "30", "Offer", NULL); /* a recruiter's move */
    fake_complete("p1");
    r = run_with(PIPE_OUTCOME_MOVE, 0);
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(r.counts.notes, 1);
    ck_assert_int_eq(r.counts.outcomes, 0);
    ck_assert_int_eq(r.counts.not_moved, 1);
    n = note_of("2", "result:p1:");
    ck_assert_str_eq(n->outcome, "");
    ck_assert_int_eq(n->withheld, 1);
    n = note_of("2", "notmoved:p1:completed");
    ck_assert_ptr_nonnull(n);
    ck_assert_int_eq(n->final, 1);
    ck_assert_msg(strstr(n->body, "left out the outcome \"Completed\"") != NULL, "%s", n->body);
    b = committed_body();
    json_object_object_foreach(json_object_object_get(b, "notes"), key, v)
        if (strncmp(key, "result:p1:", 10) == 0)
            rec = v;
    ck_assert_ptr_nonnull(rec);
    ck_assert_str_eq(json_object_get_string(json_object_object_get(rec, "outcome_withheld")),
                     "Completed");
    json_object_put(b);
    fake.overlap = 100;
    r = run_with(PIPE_OUTCOME_MOVE, 0);
    ck_assert_int_eq(r.counts.not_moved + r.counts.notes + r.counts.outcomes, 0);
    ck_assert_int_eq(fake_notes_for("2", "notmoved:"), 1);
    ck_assert_int_eq(fake_notes_for("2", "result:"), 1);
    ck_assert_str_eq(fake_position_of("2")->stage_id, "30");
}
END_TEST

START_TEST(test_expiry_outcome_move_is_withheld_after_a_recruiter_moved_it)
{
    hs_cycle_result r;
    invited(PIPE_OUTCOME_MOVE);
    fake_move("2", "100", "c2", "b@x.test", "10", "Applied", NULL);
    fake_life("p1", HS_CHANGE_EXPIRED);
    r = run_with(PIPE_OUTCOME_MOVE, 0);
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(r.counts.expired, 1);
    ck_assert_int_eq(r.counts.not_moved, 1);
    ck_assert_int_eq(r.counts.outcomes, 0);
    ck_assert_str_eq(note_of("2", "outcome:p1:expired")->outcome, "");
    ck_assert_int_eq(fake_notes_for("2", "notmoved:p1:expired"), 1);
    /* a second candidate still in the trigger stage gets the outcome */
    fake_move("3", "100", "c3", "c@x.test", "20", "Video Interview", NULL);
    run_with(PIPE_OUTCOME_MOVE, 0);
    fake_life("p2", HS_CHANGE_EXPIRED);
    r = run_with(PIPE_OUTCOME_MOVE, 0);
    ck_assert_int_eq(r.counts.outcomes, 1);
    ck_assert_int_eq(r.counts.not_moved, 0);
    ck_assert_str_eq(note_of("3", "outcome:p2:expired")->outcome, "Expired");
}
END_TEST

START_TEST(test_move_target_must_be_a_stage_of_the_job)
{
    hs_cycle_result r = run_with(LIFE_MAPPING(",\"on_completed\":\"Shortlist\""), 0);
    ck_assert_int_eq(r.status, HS_E_CONFIG);
    ck_assert_msg(strstr(r.error, "no stage matches on_completed \"Shortlist\"") != NULL,
                  "%s", r.error);
    ck_assert_ptr_null(strchr(r.error, '\n'));
}
END_TEST

START_TEST(test_an_ats_that_cannot_move_leaves_the_application)
{
    hs_cycle_result r;
    ats_table = &fake_ats_nomove_connector;
    invited(PIPE_MOVE);
    fake_complete("p1");
    r = run_with(PIPE_MOVE, 0);
    ats_table = &fake_ats_connector;
    ck_assert_int_eq(r.counts.moved, 0);
    ck_assert_int_eq(note_of("2", "result:p1:")->final, 1);
    ck_assert_str_eq(fake_position_of("2")->stage_id, "20");
}
END_TEST

/* Moves the application out of the trigger stage and back, day days after the fake's
 * time base. */
static void reenter(const char *app, const char *email, int day)
{
    fake_move(app, "100", "c2", email, "10", "Applied", NULL);
    fake_move(app, "100", "c2", email, "20", "Video Interview", NULL);
    if (day > 0)
        snprintf(fake.ats_log[fake.n_ats - 1].changed_at, sizeof fake.ats_log[0].changed_at,
                 "2100-01-%02dT00:00:00Z", 1 + day);
}

START_TEST(test_reinvite_never_notes_each_reentry_once)
{
    hs_cycle_result r;
    const fake_write *n;
    invited(PIPE_DEFAULT);
    fake.overlap = 100; /* re-reads of the first entry are no re-entry */
    r = run();
    ck_assert_int_eq(r.counts.reinvite_refused, 0);
    reenter("2", "b@x.test", 0);
    r = run();
    ck_assert_int_eq(r.counts.reinvite_refused, 1);
    ck_assert_int_eq(r.counts.invited + r.counts.reinvited, 0);
    n = note_of("2", "fail:reinvite:");
    ck_assert_ptr_nonnull(n);
    ck_assert_msg(strstr(n->body, "\"reinvite\" is \"never\"") != NULL &&
                  strstr(n->body, "\"after_expiry\"") != NULL, "%s", n->body);
    r = run();
    ck_assert_int_eq(r.counts.reinvite_refused, 0);
    ck_assert_int_eq(fake_notes_for("2", "fail:reinvite:"), 1);
    reenter("2", "b@x.test", 0);
    r = run();
    ck_assert_int_eq(r.counts.reinvite_refused, 1);
    ck_assert_int_eq(fake_notes_for("2", "fail:reinvite:"), 2);
    ck_assert_int_eq(fake.invite_calls, 1);
}
END_TEST

START_TEST(test_reinvite_after_expiry)
{
    hs_cycle_result r;
    const char *pipe = LIFE_MAPPING(",\"reinvite\":\"after_expiry\"");
    invited(pipe);
    reenter("2", "b@x.test", 0);
    r = run_with(pipe, 0);
    ck_assert_int_eq(r.counts.reinvite_refused, 1);
    ck_assert_ptr_nonnull(strstr(note_of("2", "fail:reinvite:")->body, "has not expired"));
    fake_life("p1", HS_CHANGE_EXPIRED);
    run_with(pipe, 0);
    reenter("2", "b@x.test", 0);
    r = run_with(pipe, 0);
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_int_eq(r.counts.reinvited, 1);
    ck_assert_int_eq(fake.n_invitations, 2);
    ck_assert_str_eq(fake.invitations[1].key, "iv1:2#2");
    ck_assert_str_eq(fake.invitations[1].previous, "p1");
    /* the new participant's completion is noted on the same application */
    fake_complete("p2");
    fake.overlap = 100;
    r = run_with(pipe, 0);
    ck_assert_int_eq(r.counts.reinvited, 0);
    ck_assert_int_eq(fake_notes_for("2", "result:p2:"), 1);
    ck_assert_int_eq(fake.invite_calls, 2);
}
END_TEST

START_TEST(test_reinvite_after_days)
{
    hs_cycle_result r;
    const char *pipe = LIFE_MAPPING(",\"reinvite\":{\"after_days\":2}");
    invited(pipe);
    fake_life("p1", HS_CHANGE_INVITED); /* the interview side's time of the invitation */
    run_with(pipe, 0);
    reenter("2", "b@x.test", 1);        /* a day later: too soon */
    r = run_with(pipe, 0);
    ck_assert_int_eq(r.counts.reinvite_refused, 1);
    ck_assert_msg(strstr(note_of("2", "fail:reinvite:")->body, "invited 0 day(s) before") ||
                      strstr(note_of("2", "fail:reinvite:")->body, "invited 1 day(s) before"),
                  "%s", note_of("2", "fail:reinvite:")->body);
    /* three days later: allowed, but the platform still holds the earlier invitation */
    reenter("2", "b@x.test", 3);
    r = run_with(pipe, 0);
    ck_assert_int_eq(r.counts.reinvited, 0);
    ck_assert_int_eq(r.counts.not_invited, 1);
    ck_assert_ptr_nonnull(strstr(note_of("2", "fail:reinvite-rejected:")->body,
                                 "still holds the earlier invitation p1"));
    ck_assert_int_eq(fake.n_invitations, 1);
    /* declined since: a new participant */
    fake_life("p1", HS_CHANGE_DECLINED);
    reenter("2", "b@x.test", 4);
    r = run_with(pipe, 0);
    ck_assert_int_eq(r.counts.reinvited, 1);
    ck_assert_str_eq(fake.invitations[1].previous, "p1");
}
END_TEST

START_TEST(test_note_template_and_unsafe_remote_text)
{
    const char *pipe = LIFE_MAPPING(",\"note_template\":\"{first_name} done {{ok}: {link}\\n"
                                    "{answers}\\nscore={score} p={participant}\"");
    const fake_write *n;
    fake_event *e;
    invited(pipe);
    fake_complete_with("p1", 1, "7");
    e = &fake.iv_log[fake.n_iv - 1];
    snprintf(e->first, sizeof e->first, "Ann\x1b[31m\r\n{link}");
    snprintf(e->person_id, sizeof e->person_id, "c2");
    ck_assert_int_eq(run_with(pipe, 0).status, HS_OK);
    n = note_of("2", "result:p1:");
    ck_assert_ptr_nonnull(n);
    ck_assert_str_eq(n->body, "Ann [31m  {link} done {ok}: https://interviews.example/r/p1\n"
                              "- Q1: https://interviews.example/a/p1/1 (score 3)\n"
                              "score=7 p=p1");
}
END_TEST

START_TEST(test_bad_lifecycle_keys_do_not_parse)
{
    static const char *const bad[] = {
        LIFE_MAPPING(",\"reinvite\":\"sometimes\""),
        LIFE_MAPPING(",\"reinvite\":{\"after_days\":0}"),
        LIFE_MAPPING(",\"note_template\":\"{first_name} {phone}\"")};
    static const char *const says[] = {"\"reinvite\" must be", "\"reinvite\" must be",
                                       "unknown placeholder {phone}"};
    for (size_t i = 0; i < 3; i++) {
        hs_pipeline *pl = NULL;
        char err[512];
        json_object *cfg = json_tokener_parse(bad[i]);
        ck_assert_int_eq(hs_pipeline_parse("p1", cfg, &pl, err, sizeof err), -1);
        ck_assert_msg(strstr(err, says[i]) != NULL && strchr(err, '\n') == NULL, "%s", err);
        json_object_put(cfg);
    }
}
END_TEST

START_TEST(test_answers_of_short_and_long_writers)
{
    hs_cycle_result r;
    invited(PIPE_DEFAULT);
    /* a newer minor's answers: read up to what the host knows */
    fake.answer_size = (uint32_t)sizeof(hs_answer) + FAKE_PAD;
    fake_complete_with("p1", 2, "5");
    r = run();
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_ptr_nonnull(strstr(note_of("2", "result:p1:")->body,
                                 "- Q2: https://interviews.example/a/p1/2 (score 4)"));
    /* answers smaller than 2.1 made them: refused, nothing noted, nothing committed */
    fake_move("3", "100", "c3", "c@x.test", "20", "Video Interview", NULL);
    run();
    fake.answer_size = (uint32_t)HS_END_OF(hs_answer, link);
    fake_complete_with("p2", 1, NULL);
    r = run();
    ck_assert_int_eq(r.status, HS_E_DATA);
    ck_assert_msg(strstr(r.error, "smaller than ABI 2.1") != NULL, "%s", r.error);
    ck_assert_int_eq(fake_notes_for("3", "result:"), 0);
    /* a 2.0 writer's completion has no answers: the note as before */
    fake.answer_size = 0;
    fake.change_size = (uint32_t)HS_CHANGE_SIZE_2_0;
    r = run();
    ck_assert_int_eq(r.status, HS_OK);
    ck_assert_ptr_null(strstr(note_of("3", "result:p2:")->body, "Answers:"));
}
END_TEST

START_TEST(test_dry_run_shows_moves_and_outcomes)
{
    hs_cycle_result r;
    invited(PIPE_MOVE);
    fake_complete("p1");
    r = run_with(PIPE_MOVE, 1);
    ck_assert_int_eq(r.counts.moved, 1);
    ck_assert_msg(strstr(dry_buf, "would move application 2 to Offer") != NULL &&
                  strstr(dry_buf, "outcome Completed") != NULL, "%s", dry_buf);
    ck_assert_int_eq(fake.move_calls, 0);
    ck_assert_int_eq(fake.note_calls, 0);
}
END_TEST

/* One cycle in a child killed at the named crash point, then one to its end. */
static int killed_then_rerun(const char *pipe, const char *where)
{
    int status;
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        setenv("HIRESYNC_CRASH_AT", "1", 1);
        setenv("HIRESYNC_CRASH_WHERE", where, 1);
        run_with(pipe, 0);
        _exit(0);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_int_eq(run_with(pipe, 0).status, HS_OK);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

START_TEST(test_every_new_write_happens_once_through_a_kill)
{
    static const char *const points[] = {
        "cycle: intent committed, before the write", "cycle: before write_note",
        "cycle: after write_note", "cycle: before move_record", "cycle: after move_record",
        "state: journal record written"};
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
        for (int conflict = 0; conflict < 2; conflict++) {
            char cmd[512];
            snprintf(cmd, sizeof cmd, "rm -f '%s'/p1.*", dir);
            ck_assert_int_eq(system(cmd), 0);
            fake_reset();
            invited(PIPE_MOVE);
            fake_life("p1", HS_CHANGE_STARTED);
            if (conflict)
                fake_move("2", "100", "c2", "b@x.test", "10", "Applied", NULL);
            fake_complete("p1");
            ck_assert_msg(killed_then_rerun(PIPE_MOVE, points[i]), "%s: not killed", points[i]);
            ck_assert_msg(fake_notes_for("2", "result:p1:") == 1, "%s", points[i]);
            ck_assert_msg(fake_moves_for("2") == !conflict, "%s", points[i]);
            ck_assert_msg(fake_notes_for("2", "notmoved:") == conflict, "%s", points[i]);
            ck_assert_str_eq(fake_position_of("2")->stage_id, conflict ? "10" : "30");
        }
    }
}
END_TEST

START_TEST(test_a_withheld_outcome_is_noted_once_through_a_kill)
{
    static const char *const points[] = {
        "cycle: intent committed, before the write", "cycle: before write_note",
        "cycle: after write_note", "state: journal record written"};
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
        for (int conflict = 0; conflict < 2; conflict++) {
            char cmd[512];
            const fake_write *n;
            snprintf(cmd, sizeof cmd, "rm -f '%s'/p1.*", dir);
            ck_assert_int_eq(system(cmd), 0);
            fake_reset();
            invited(PIPE_OUTCOME_MOVE);
            if (conflict)
                fake_move("2", "100", "c2", "b@x.test", "10", "Applied", NULL);
            fake_complete("p1");
            ck_assert_msg(killed_then_rerun(PIPE_OUTCOME_MOVE, points[i]), "%s: not killed",
                          points[i]);
            ck_assert_msg(fake_notes_for("2", "result:p1:") == 1, "%s", points[i]);
            n = note_of("2", "result:p1:");
            ck_assert_str_eq(n->outcome, conflict ? "" : "Completed");
            ck_assert_msg(fake_notes_for("2", "notmoved:") == conflict, "%s", points[i]);
            ck_assert_int_eq(fake.move_calls, 0);
        }
    }
}
END_TEST

START_TEST(test_a_reinvitation_happens_once_through_a_kill)
{
    static const char *const points[] = {"cycle: before write_invitation",
                                         "cycle: after write_invitation",
                                         "state: journal record written"};
    const char *pipe = LIFE_MAPPING(",\"reinvite\":\"after_expiry\"");
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "rm -f '%s'/p1.*", dir);
        ck_assert_int_eq(system(cmd), 0);
        fake_reset();
        invited(pipe);
        fake_life("p1", HS_CHANGE_EXPIRED);
        run_with(pipe, 0);
        reenter("2", "b@x.test", 0);
        ck_assert_msg(killed_then_rerun(pipe, points[i]), "%s: not killed", points[i]);
        ck_assert_msg(fake.n_invitations == 2, "%s: %d", points[i], fake.n_invitations);
        ck_assert_int_eq(fake_invites_for("b@x.test"), 2);
    }
}
END_TEST

/* The host's own parser for connector times, private to the cycle (host/cycle_core.h). */
int64_t hs_cycle_parse_time(const char *s);

/* Expected milliseconds of a time as timegm reads its fields (carrying over what overflows). */
static int64_t timegm_ms(int y, int mo, int d, int h, int mi, int sec, int ms)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    return (int64_t)timegm(&tm) * 1000 + ms;
}

/* Every record's time is read, so the form connectors write has a fast path: it must read
 * every date as the general parser (timegm) does, leap days and centuries included, and leave
 * the fields timegm carries over (day 30 of February, second 60) to the general path. */
START_TEST(test_canonical_times_read_as_the_general_parser_reads_them)
{
    static const int clock[][4] = {{0, 0, 0, 0}, {23, 59, 59, 999}, {12, 34, 56, 7}};
    char s[64];
    int checked = 0;
    for (int y = 1970; y <= 2410; y += (y < 2110 ? 1 : 97))
        for (int mo = 1; mo <= 12; mo++)
            for (int d = 1; d <= 31; d++) {
                const int *c = clock[(y + mo + d) % 3];
                snprintf(s, sizeof s, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, mo, d, c[0], c[1],
                         c[2], c[3]);
                ck_assert_msg(hs_cycle_parse_time(s) == timegm_ms(y, mo, d, c[0], c[1], c[2], c[3]),
                              "%s", s);
                checked++;
            }
    ck_assert_int_gt(checked, 50000);
    ck_assert(hs_cycle_parse_time("2100-02-29T00:00:00.000Z") == timegm_ms(2100, 3, 1, 0, 0, 0, 0));
    ck_assert(hs_cycle_parse_time("2024-02-29T00:00:00.000Z") == timegm_ms(2024, 2, 29, 0, 0, 0, 0));
    ck_assert(hs_cycle_parse_time("2026-12-31T23:59:60.000Z") == timegm_ms(2027, 1, 1, 0, 0, 0, 0));
    ck_assert(hs_cycle_parse_time("2026-12-01T10:00:00.000+") == timegm_ms(2026, 12, 1, 10, 0, 0, 0));
    ck_assert(hs_cycle_parse_time("2026-12-01T10:00:00.5+01") == timegm_ms(2026, 12, 1, 9, 0, 0, 500));
    ck_assert(hs_cycle_parse_time("1969-12-31T23:59:58.000Z") == -2000);
    ck_assert(hs_cycle_parse_time("2026-1x-01T10:00:00.000Z") == -1);
    ck_assert(hs_cycle_parse_time(NULL) == -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cycle");
    TCase *tc = tcase_create("cycle");
    TCase *ts = tcase_create("schedule");
    SRunner *sr;
    int failed;
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_baseline_then_invite_once);
    tcase_add_test(tc, test_invite_existing);
    tcase_add_test(tc, test_overlap_rereads_of_the_baseline_are_not_invited);
    tcase_add_test(tc, test_reentry_is_not_invited_again);
    tcase_add_test(tc, test_completion_note_with_link_once);
    tcase_add_test(tc, test_no_email_and_rejected_email_are_noted_once);
    tcase_add_test(tc, test_transient_write_failure_commits_nothing_after_it);
    tcase_add_test(tc, test_outbox_steps_cost_the_same_whatever_the_state_holds);
    tcase_add_test(tc, test_snapshots_do_not_follow_the_invitations);
    tcase_add_test(tc, test_done_outbox_entries_are_pruned_at_commit);
    tcase_add_test(tc, test_old_records_age_out);
    tcase_add_test(tc, test_read_failure_keeps_earlier_barriers_only);
    tcase_add_test(tc, test_a_read_without_writes_commits_every_50_barriers);
    tcase_add_test(tc, test_empty_cycle_keeps_the_cursor);
    tcase_add_test(tc, test_stage_status_and_id_triggers);
    tcase_add_test(tc, test_an_empty_cursor_is_never_committed);
    tcase_add_test(tc, test_mapping_problems_are_named);
    tcase_add_test(tc, test_dry_run_writes_and_commits_nothing);
    tcase_add_test(tc, test_mapping_added_later_gets_its_own_baseline);
    tcase_add_test(tc, test_dry_run_of_a_first_cycle_shows_who_invite_existing_would_invite);
    tcase_add_test(tc, test_adopts_existing_participant);
    tcase_add_test(tc, test_ats_without_job_discovery_matches_stage_names);
    tcase_add_test(tc, test_orphaned_intent_is_dropped_after_a_full_cycle);
    tcase_add_test(tc, test_change_smaller_than_abi_2_0_is_refused_and_nothing_committed);
    tcase_add_test(tc, test_person_smaller_than_abi_2_0_is_refused);
    tcase_add_test(tc, test_job_smaller_than_abi_2_0_fails_discovery);
    tcase_add_test(tc, test_records_of_a_newer_minor_are_read_up_to_what_the_host_knows);
    tcase_add_test(tc, test_completions_are_known_by_kind_and_unknown_kinds_skipped);
    tcase_add_test(tc, test_each_event_with_an_outcome_is_noted_once);
    tcase_add_test(tc, test_events_without_an_outcome_write_nothing);
    tcase_add_test(tc, test_completion_moves_the_application_once);
    tcase_add_test(tc, test_an_application_moved_by_a_recruiter_is_never_moved);
    tcase_add_test(tc, test_expiry_is_marked_noted_and_moved);
    tcase_add_test(tc, test_outcome_move_is_written_while_in_the_trigger_stage);
    tcase_add_test(tc, test_outcome_move_is_withheld_after_a_recruiter_moved_it);
    tcase_add_test(tc, test_expiry_outcome_move_is_withheld_after_a_recruiter_moved_it);
    tcase_add_test(tc, test_move_target_must_be_a_stage_of_the_job);
    tcase_add_test(tc, test_an_ats_that_cannot_move_leaves_the_application);
    tcase_add_test(tc, test_reinvite_never_notes_each_reentry_once);
    tcase_add_test(tc, test_reinvite_after_expiry);
    tcase_add_test(tc, test_reinvite_after_days);
    tcase_add_test(tc, test_note_template_and_unsafe_remote_text);
    tcase_add_test(tc, test_bad_lifecycle_keys_do_not_parse);
    tcase_add_test(tc, test_answers_of_short_and_long_writers);
    tcase_add_test(tc, test_dry_run_shows_moves_and_outcomes);
    tcase_add_test(tc, test_every_new_write_happens_once_through_a_kill);
    tcase_add_test(tc, test_a_withheld_outcome_is_noted_once_through_a_kill);
    tcase_add_test(tc, test_discovery_cache_refreshed_by_an_unknown_status);
    tcase_add_test(tc, test_a_long_read_logs_its_progress);
    tcase_add_test(tc, test_progress_with_a_total_says_page_of_and_time_left);
    tcase_add_test(tc, test_progress_figures_are_clamped_and_unknown_totals_say_so);
    tcase_add_test(tc, test_a_long_batch_of_invitations_logs_its_progress);
    tcase_add_test(tc, test_a_reinvitation_happens_once_through_a_kill);
    suite_add_tcase(s, tc);
    tcase_add_test(ts, test_intervals);
    tcase_add_test(ts, test_canonical_times_read_as_the_general_parser_reads_them);
    suite_add_tcase(s, ts);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
