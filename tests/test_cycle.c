/* The pipeline cycle against in-process fake connectors: baselines, invitations exactly once,
 * failures noted on the application, result notes with links, commit protocol, dry run,
 * mapping checks. */
#define _DEFAULT_SOURCE

#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../host/cycle.h"
#include "../host/pipeline.h"
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
    suite_add_tcase(s, tc);
    tcase_add_test(ts, test_intervals);
    suite_add_tcase(s, ts);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
