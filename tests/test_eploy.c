/*
 * The Eploy connector against the sandbox's Eploy server, over loopback: every operation,
 * stage entries between two reads, paging, token expiry in the middle of a read, each fault
 * kind, permissions, idempotent notes, the daily call budget, page-at-a-time memory, and the
 * client secret and bearer token kept out of every log line and error.
 */
#define _POSIX_C_SOURCE 200809L

#include <check.h>
#include <malloc.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "hs_test_config.h"
#include "hs_test_host.h"
#include "hs_test_sandbox.h"

#define CLIENT "eploy-test-client"
#define SECRET "eploy-test-secret-5f2c9a"
#define KEY_ALL CLIENT ":" SECRET
#define READ_SCOPES "vacancies.read,applications.read,candidates.read,workflows.read,actions.read"
#define KEY_NOINSERT "noinsert-client:noinsert-secret-77:" READ_SCOPES
#define KEY_DENYIP "denied-client:denied-secret-88:" READ_SCOPES ",actions.insert:deny-ip"

/* ---- fixture ------------------------------------------------------------------------------ */

typedef struct fx {
    hs_test_sandbox sb;
    hs_test_host *h;
    hs_test_module *m;
    const hs_connector *c;
    hs_conn *conn;
    hs_error err;
    char err_msg[HS_TEST_MESSAGE_SIZE];
    hs_test_collector *col;
    hs_emitter em;
    int64_t server_offset_ms;    /* the sandbox's clock offset (see server_time_passes) */
} fx;

static fx F;

static void sb_start(const char *const *extra)
{
    const char *args[32] = {"--eploy-key", KEY_ALL, "--eploy-key", KEY_NOINSERT,
                            "--eploy-key", KEY_DENYIP, "--vacancies", "4",
                            "--applications", "60"};
    size_t n = 10;

    for (size_t i = 0; extra != NULL && extra[i] != NULL && n + 1 < 32; i++)
        args[n++] = extra[i];
    args[n] = NULL;
    ck_assert_msg(hs_test_sandbox_start(&F.sb, args) == 0, "the sandbox did not start");
}

static json_object *admin(const char *method, const char *path, const char *body, long want)
{
    char *out = NULL;
    long status = 0;
    json_object *j;

    ck_assert_msg(hs_test_admin(&F.sb, method, path, body, &status, &out) == 0,
                  "admin %s %s: no answer", method, path);
    ck_assert_msg(status == want, "admin %s %s: %ld (want %ld): %s", method, path, status, want,
                  out != NULL ? out : "");
    j = out != NULL && *out ? json_tokener_parse(out) : NULL;
    free(out);
    return j;
}

static void fault(const char *rule_json)
{
    json_object_put(admin("POST", "/faults", rule_json, 201));
}

/* Requests the sandbox counted for "METHOD route" with this status ("" = any status). */
static long stat_count(const char *route, const char *status)
{
    json_object *s = admin("GET", "/stats", NULL, 200), *routes, *r;
    long n = 0;

    ck_assert_ptr_nonnull(s);
    if (json_object_object_get_ex(s, "eploy", &routes) &&
        json_object_object_get_ex(routes, "routes", &routes) &&
        json_object_object_get_ex(routes, route, &r)) {
        json_object_object_foreach(r, code, v) {
            if (*status == '\0' || strcmp(code, status) == 0)
                n += json_object_get_int(v);
        }
    }
    json_object_put(s);
    return n;
}

static hs_status open_with(const char *client, const char *secret, const char *extra_json)
{
    char cfg[2048];

    snprintf(cfg, sizeof cfg,
             "{\"base_url\":\"%s\",\"client_id\":\"%s\",\"client_secret\":\"%s\","
             "\"note_action_type\":\"7\",\"signpost_lag_s\":5,\"overlap_s\":60%s%s}",
             F.sb.eploy_url, client, secret, extra_json != NULL ? "," : "",
             extra_json != NULL ? extra_json : "");
    hs_test_error_init(&F.err, F.err_msg, sizeof F.err_msg);
    return hs_test_module_open(F.m, F.h, cfg, &F.conn, &F.err);
}

static void open_conn(const char *extra_json)
{
    hs_status st = open_with(CLIENT, SECRET, extra_json);
    ck_assert_msg(st == HS_OK, "open: %s", F.err.message);
}

static void fx_start(const char *const *sandbox_args, const char *extra_json)
{
    memset(&F, 0, sizeof F);
    sb_start(sandbox_args);
    F.h = hs_test_host_new();
    ck_assert_ptr_nonnull(F.h);
    /* The host's clock is the real one, as the sandbox's (which stamps changes and states
     * its time in Date); the signpost comes from the latter (see server_time_passes). Sleeps
     * stay instant (they are recorded, not waited). */
    hs_test_host_use_real_clock(F.h, 1);
    F.m = hs_test_module_load("eploy");
    ck_assert_msg(F.m != NULL, "cannot load the eploy module");
    F.c = hs_test_module_connector(F.m);
    F.col = hs_test_collector_new();
    F.em = hs_test_collector_emitter(F.col);
    open_conn(extra_json);
}

static void no_secrets_leaked(void)
{
    for (size_t i = 0; i < hs_test_host_log_count(F.h); i++) {
        const char *line = hs_test_host_log_line(F.h, i);
        ck_assert_msg(strstr(line, SECRET) == NULL, "secret in log: %s", line);
        ck_assert_msg(strstr(line, "noinsert-secret") == NULL, "secret in log: %s", line);
        ck_assert_msg(strstr(line, "Bearer") == NULL, "token in log: %s", line);
        ck_assert_msg(strstr(line, "access_token") == NULL, "token in log: %s", line);
    }
    ck_assert_msg(strstr(F.err.message, SECRET) == NULL, "secret in error: %s", F.err.message);
    ck_assert_msg(strstr(F.err.message, "Bearer") == NULL, "token in error: %s", F.err.message);
}

static void fx_stop(void)
{
    if (F.h != NULL)
        no_secrets_leaked();
    if (F.c != NULL)
        F.c->close(F.conn);
    hs_test_collector_free(F.col);
    hs_test_module_unload(F.m);
    hs_test_host_free(F.h);
    if (F.sb.pid != 0)
        hs_test_sandbox_stop(&F.sb);
    memset(&F, 0, sizeof F);
}

/* The connector's signpost is Eploy's own time (its Date header) less signpost_lag_s (5 s):
 * changes a test has just made are read once the server's clock is past them by that much.
 * Rather than wait, each read first moves the sandbox's clock on by 10 s, as if that long had
 * passed since the test's last change (stamps stay in order, see hs_sb_stamp_ms). */
static void server_time_passes(void)
{
    char body[64];

    F.server_offset_ms += 10000;
    snprintf(body, sizeof body, "{\"offset_ms\":%lld}", (long long)F.server_offset_ms);
    json_object_put(admin("POST", "/clock", body, 200));
}

static hs_status read_changes(const char *cursor, const char *const *jobs, size_t n_jobs,
                              int snapshot)
{
    hs_read_request req = {sizeof req, cursor, jobs, n_jobs, snapshot, 0, NULL, 0, 0, NULL, 0, 0};
    server_time_passes();
    hs_test_error_init(&F.err, F.err_msg, sizeof F.err_msg);
    return F.c->read_changes(F.conn, &req, &F.em, &F.err);
}

/* Reads from cursor and returns a copy of the final cursor (the caller frees). */
static char *read_ok(const char *cursor, int snapshot)
{
    hs_status st = read_changes(cursor, NULL, 0, snapshot);
    ck_assert_msg(st == HS_OK, "read_changes: %d %s", st, F.err.message);
    ck_assert_uint_ge(F.col->n_checkpoints, 1);
    return strdup(hs_test_collector_last_cursor(F.col));
}

static hs_status discover(void)
{
    hs_test_error_init(&F.err, F.err_msg, sizeof F.err_msg);
    return F.c->discover_jobs(F.conn, &F.em, &F.err);
}

/* The first application the sandbox lists (optionally of a vacancy). */
static void first_application(char *app, size_t app_size, char *vacancy, size_t vac_size)
{
    json_object *list = admin("GET", "/eploy/applications?limit=1", NULL, 200);
    json_object *a = json_object_array_get_idx(list, 0);
    json_object *v;

    ck_assert_ptr_nonnull(a);
    ck_assert(json_object_object_get_ex(a, "ApplicationId", &v));
    snprintf(app, app_size, "%s", json_object_get_string(v));
    ck_assert(json_object_object_get_ex(a, "VacancyId", &v));
    snprintf(vacancy, vac_size, "%s", json_object_get_string(v));
    json_object_put(list);
}

static void move(const char *app, const char *stage)
{
    char path[128], body[256];
    snprintf(path, sizeof path, "/eploy/applications/%s/move", app);
    snprintf(body, sizeof body, "{\"stage\":\"%s\"}", stage);
    json_object_put(admin("POST", path, body, 200));
}

/* ---- jobs --------------------------------------------------------------------------------- */

START_TEST(discover_open_vacancies_with_stages)
{
    const char *args[] = {"--vacancies", "30", NULL};
    size_t open_count = 0;

    fx_start(args, "\"page_size\":5");
    ck_assert_int_eq(discover(), HS_OK);
    ck_assert_uint_gt(F.col->n_jobs, 0);
    for (size_t i = 0; i < F.col->n_jobs; i++) {
        const hs_test_job *j = &F.col->jobs[i];
        int video = 0;
        ck_assert_ptr_nonnull(j->id);
        ck_assert_ptr_nonnull(j->title);
        ck_assert_str_eq(j->status, "Open");
        ck_assert_uint_gt(j->n_stages, 1);
        ck_assert_uint_ge(j->n_statuses, j->n_stages);
        for (size_t s = 0; s < j->n_stages; s++)
            video |= strcmp(j->stage_names[s], "Video Interview") == 0;
        ck_assert_msg(video, "job %s has no Video Interview stage", j->id);
        ck_assert_ptr_nonnull(j->updated_at);
        ck_assert(j->updated_at[strlen(j->updated_at) - 1] == 'Z');
        open_count++;
    }
    /* Not every vacancy is open: the others were filtered out by status, not by accident. */
    {
        hs_test_response r;
        char token[256], url[512];
        const char *hdr[2] = {NULL, NULL};
        char auth[300];
        const char *body = "{\"Paging\":{\"RecordsPerPage\":100,\"RequestedPage\":1},"
                           "\"Filters\":[{\"Route\":\"Vacancy.VacancyStatus\",\"Operation\":"
                           "\"Equals\",\"Value\":\"1\"}],\"ResponseBlocks\":[\"VacancyId\"]}";
        json_object *o, *recs;
        ck_assert_int_eq(hs_test_eploy_token(&F.sb, CLIENT, SECRET, token, sizeof token), 0);
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        hdr[0] = auth;
        snprintf(url, sizeof url, "%s/vacancies/search", F.sb.eploy_url);
        ck_assert_int_eq(hs_test_request("POST", url, hdr, body, &r), 0);
        o = json_tokener_parse(r.body);
        ck_assert(json_object_object_get_ex(o, "Records", &recs));
        ck_assert_uint_eq(json_object_array_length(recs), open_count);
        ck_assert_uint_lt(open_count, 30);
        json_object_put(o);
        hs_test_response_clear(&r);
    }
    fx_stop();
}
END_TEST

START_TEST(open_statuses_unknown_is_config_error)
{
    fx_start(NULL, "\"open_statuses\":[\"Nonexistent\"]");
    ck_assert_int_eq(discover(), HS_E_CONFIG);
    ck_assert_msg(strstr(F.err.message, "open_statuses") != NULL, "%s", F.err.message);
    fx_stop();
}
END_TEST

/* ---- changes ------------------------------------------------------------------------------ */

START_TEST(first_read_sets_baseline_only)
{
    fx_start(NULL, NULL);
    char *cursor = read_ok("", 0);
    ck_assert_uint_eq(F.col->n_changes, 0);
    ck_assert_uint_eq(F.col->n_checkpoints, 1);
    ck_assert_msg(strstr(cursor, "\"since\"") != NULL, "%s", cursor);
    /* The baseline costs no API call. */
    ck_assert_int_eq(stat_count("POST /api/applications/statushistory/search", ""), 0);
    free(cursor);
    fx_stop();
}
END_TEST

START_TEST(moved_in_and_out_between_reads_is_reported)
{
    char app[32], vac[32];
    char *c1, *c2, *c3;
    const hs_test_change *in, *out;

    fx_start(NULL, NULL);
    first_application(app, sizeof app, vac, sizeof vac);
    c1 = read_ok("", 0);
    move(app, "Video Interview");
    move(app, "Offers & Placements");
    hs_test_collector_clear(F.col);
    c2 = read_ok(c1, 0);
    in = hs_test_collector_find(F.col, app, "Video Interview");
    out = hs_test_collector_find(F.col, app, "Offers & Placements");
    ck_assert_msg(in != NULL, "the entry into Video Interview was missed (%zu changes)",
                  F.col->n_changes);
    ck_assert_ptr_nonnull(out);
    ck_assert_uint_eq(in->kind, HS_CHANGE_STAGE);
    ck_assert_str_eq(in->job_id, vac);
    ck_assert_int_eq(in->snapshot, 0);
    ck_assert_ptr_nonnull(in->person_id);
    ck_assert_ptr_nonnull(in->first_name);
    ck_assert_ptr_nonnull(in->last_name);
    ck_assert_ptr_nonnull(in->changed_at);
    ck_assert_msg(strncmp(in->key, "eploy:app:", 10) == 0, "%s", in->key);
    ck_assert_str_ne(in->key, out->key);
    ck_assert_uint_eq(F.col->n_changes, 2);
    /* The people came in batches: one candidates search for the page, not one per change. */
    ck_assert_int_le(stat_count("POST /api/candidates/search", ""), 1);

    /* Read again from the new cursor: the overlap window re-reads both rows, the cursor's
     * seen list keeps them from being emitted twice. */
    hs_test_collector_clear(F.col);
    c3 = read_ok(c2, 0);
    ck_assert_uint_eq(F.col->n_changes, 0);
    free(c1);
    free(c2);
    free(c3);
    fx_stop();
}
END_TEST

START_TEST(people_fields_and_phone_preference)
{
    char app[32], vac[32], path[96];
    char *c1;
    const hs_test_change *ch;
    json_object *a;

    fx_start(NULL, NULL);
    first_application(app, sizeof app, vac, sizeof vac);
    /* The sandbox's candidate id for an application is listed with it. */
    a = admin("GET", "/eploy/applications?limit=1", NULL, 200);
    {
        json_object *cand;
        ck_assert(json_object_object_get_ex(json_object_array_get_idx(a, 0), "CandidateId",
                                            &cand));
        snprintf(path, sizeof path, "/eploy/candidates/%s", json_object_get_string(cand));
    }
    json_object_put(a);
    json_object_put(admin("PATCH", path, "{\"Email\":\"ann.example@example.org\","
                                         "\"Mobile\":\"+447700900123\","
                                         "\"Telephone\":\"+441130000000\","
                                         "\"FirstName\":\"Ann\",\"Surname\":\"Example\"}", 200));
    c1 = read_ok("", 0);
    move(app, "Video Interview");
    hs_test_collector_clear(F.col);
    free(read_ok(c1, 0));
    ch = hs_test_collector_find(F.col, app, "Video Interview");
    ck_assert_ptr_nonnull(ch);
    ck_assert_str_eq(ch->first_name, "Ann");
    ck_assert_str_eq(ch->last_name, "Example");
    ck_assert_str_eq(ch->email, "ann.example@example.org");
    ck_assert_str_eq(ch->phone, "+447700900123");
    free(c1);
    fx_stop();
}
END_TEST

/* Reads changes from cursor with the people fields set as a host would (size: the request's
 * struct_size; stages: people_stages, NULL for an empty list). */
static void read_people(const char *cursor, uint32_t size, int in_changes,
                        const char *const *stages, size_t n_stages)
{
    hs_read_request req;
    hs_status st;

    memset(&req, 0, sizeof req);
    req.struct_size = size;
    req.cursor_json = cursor;
    req.people_only_stages = 1;
    req.people_stages = stages;
    req.n_people_stages = n_stages;
    req.people_in_changes = in_changes;
    server_time_passes();
    hs_test_collector_clear(F.col);
    json_object_put(admin("DELETE", "/stats", NULL, 200));
    hs_test_error_init(&F.err, F.err_msg, sizeof F.err_msg);
    st = F.c->read_changes(F.conn, &req, &F.em, &F.err);
    ck_assert_msg(st == HS_OK, "read_changes: %d %s", st, F.err.message);
}

/* A change read leaves people out only when the host says it applies to changes
 * (people_in_changes): a 2.1 host that sent people_only_stages on change reads before that
 * field existed still gets every person. */
START_TEST(changes_leave_people_out_only_when_asked)
{
    static const char *const vi[] = {"Video Interview"};
    json_object *list;
    char in[32], out[32], *c1;
    const hs_test_change *a, *b;

    fx_start(NULL, NULL);
    list = admin("GET", "/eploy/applications?limit=2", NULL, 200);
    snprintf(in, sizeof in, "%s", json_object_get_string(json_object_object_get(
                                      json_object_array_get_idx(list, 0), "ApplicationId")));
    snprintf(out, sizeof out, "%s", json_object_get_string(json_object_object_get(
                                        json_object_array_get_idx(list, 1), "ApplicationId")));
    json_object_put(list);
    c1 = read_ok("", 0);
    move(in, "Video Interview");
    move(out, "Offers & Placements");

    /* a request too short for people_in_changes, then one with it 0: every person */
    for (int i = 0; i < 2; i++) {
        read_people(c1, i ? sizeof(hs_read_request)
                          : (uint32_t)offsetof(hs_read_request, people_in_changes), 0, NULL, 0);
        a = hs_test_collector_find(F.col, in, "Video Interview");
        b = hs_test_collector_find(F.col, out, "Offers & Placements");
        ck_assert_ptr_nonnull(a);
        ck_assert_ptr_nonnull(b);
        ck_assert_ptr_nonnull(a->person_id);
        ck_assert_msg(b->person_id != NULL, "request %d: a change without its person", i);
        ck_assert_int_eq(stat_count("POST /api/candidates/search", ""), 1);
    }

    /* people_in_changes: the person of the change into the stage named, not the other's */
    read_people(c1, sizeof(hs_read_request), 1, vi, 1);
    a = hs_test_collector_find(F.col, in, "Video Interview");
    b = hs_test_collector_find(F.col, out, "Offers & Placements");
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_nonnull(a->person_id);
    ck_assert_ptr_nonnull(a->email);
    ck_assert_ptr_null(b->person_id);
    ck_assert_int_eq(stat_count("POST /api/candidates/search", ""), 1);

    /* nobody in the stages named: no lookup at all, the changes all the same */
    read_people(c1, sizeof(hs_read_request), 1, NULL, 0);
    ck_assert_ptr_nonnull(hs_test_collector_find(F.col, in, "Video Interview"));
    ck_assert_ptr_nonnull(hs_test_collector_find(F.col, out, "Offers & Placements"));
    ck_assert_int_eq(stat_count("POST /api/candidates/search", ""), 0);
    ck_assert_int_eq(stat_count("POST /api/applications/search", ""), 0);
    ck_assert_int_ge(stat_count("POST /api/applications/statushistory/search", ""), 1);
    free(c1);
    fx_stop();
}
END_TEST

START_TEST(job_filter_limits_changes)
{
    char app[32], vac[32], other[32] = "999999";
    const char *jobs[1] = {other};
    char *c1;

    fx_start(NULL, NULL);
    first_application(app, sizeof app, vac, sizeof vac);
    c1 = read_ok("", 0);
    move(app, "Video Interview");
    hs_test_collector_clear(F.col);
    ck_assert_int_eq(read_changes(c1, jobs, 1, 0), HS_OK);
    ck_assert_uint_eq(F.col->n_changes, 0);
    jobs[0] = vac;
    hs_test_collector_clear(F.col);
    ck_assert_int_eq(read_changes(c1, jobs, 1, 0), HS_OK);
    ck_assert_ptr_nonnull(hs_test_collector_find(F.col, app, "Video Interview"));
    free(c1);
    fx_stop();
}
END_TEST

START_TEST(snapshot_reports_current_positions)
{
    char app[32], vac[32], path[96];
    const char *jobs[1] = {vac};
    json_object *list;
    size_t expected;

    fx_start(NULL, "\"page_size\":3");
    first_application(app, sizeof app, vac, sizeof vac);
    snprintf(path, sizeof path, "/eploy/applications?vacancy=%s", vac);
    list = admin("GET", path, NULL, 200);
    expected = json_object_array_length(list);
    json_object_put(list);
    ck_assert_int_eq(read_changes("", jobs, 1, 1), HS_OK);
    ck_assert_uint_eq(F.col->n_changes, expected);
    for (size_t i = 0; i < F.col->n_changes; i++) {
        ck_assert_int_eq(F.col->changes[i].snapshot, 1);
        ck_assert_str_eq(F.col->changes[i].job_id, vac);
    }
    /* A barrier per page of 3, and one at the end. */
    ck_assert_uint_eq(F.col->n_checkpoints, (expected + 2) / 3 + 1);
    ck_assert_uint_le(F.col->max_changes_between_barriers, 3);
    fx_stop();
}
END_TEST

/* The pages of the vacancy's listing at page_size records a page (admin listing). */
static int64_t pages_of(const char *vacancy, int64_t page_size)
{
    char path[160];
    json_object *list;
    int64_t n;

    snprintf(path, sizeof path, "/eploy/applications?vacancy=%s", vacancy);
    list = admin("GET", path, NULL, 200);
    n = (int64_t)json_object_array_length(list);
    json_object_put(list);
    return (n + page_size - 1) / page_size;
}

/* A snapshot of several jobs reads their listings in turn and learns each one's size at its
 * first page: it reports the jobs done of how many all along, no total before the last job's
 * first page, and from then on the pages of all of them, which is what it read in the end. */
START_TEST(snapshot_reports_its_total_pages_job_by_job)
{
    char app[32], vac[3][32];
    const char *jobs[3] = {vac[0], vac[1], vac[2]};
    json_object *list;
    int64_t pages[3], before_last = 0, total = 0, done = 0;
    size_t n_vac = 0;

    fx_start(NULL, "\"page_size\":3");
    first_application(app, sizeof app, vac[0], sizeof vac[0]);
    list = admin("GET", "/eploy/applications", NULL, 200);
    for (size_t i = 0; i < json_object_array_length(list) && n_vac < 3; i++) {
        json_object *v;
        const char *id;
        int seen = 0;
        ck_assert(json_object_object_get_ex(json_object_array_get_idx(list, i), "VacancyId", &v));
        id = json_object_get_string(v);
        for (size_t k = 0; k < n_vac; k++)
            seen |= strcmp(vac[k], id) == 0;
        if (!seen)
            snprintf(vac[n_vac++], sizeof vac[0], "%s", id);
    }
    json_object_put(list);
    ck_assert_uint_eq(n_vac, 3);
    for (size_t k = 0; k < 3; k++) {
        pages[k] = pages_of(vac[k], 3);
        ck_assert_int_gt(pages[k], 0);
        total += pages[k];
        before_last += k < 2 ? pages[k] : 0;
    }
    ck_assert_int_eq(read_changes("", jobs, 3, 1), HS_OK);
    ck_assert_uint_gt(F.col->n_progress, 0);
    for (size_t i = 0; i < F.col->n_progress; i++) {
        const hs_progress *p = &F.col->progress[i];
        ck_assert_int_eq(p->parts_total, 3);
        ck_assert_int_ge(p->pages_done, done);
        done = p->pages_done;
        if (p->pages_done <= before_last && p->parts_done < 3)
            ck_assert_msg(p->pages_total == -1, "report %zu: total %lld before the last job",
                          i, (long long)p->pages_total);
        else
            ck_assert_int_eq(p->pages_total, total);
    }
    ck_assert_int_eq(F.col->progress[F.col->n_progress - 1].pages_done, total);
    ck_assert_int_eq(F.col->progress[F.col->n_progress - 1].parts_done, 3);
    /* a page's barrier each, and one at the end */
    ck_assert_uint_eq(F.col->n_checkpoints, (size_t)total + 1);
    /* an older host's emitter ends before progress: the read goes on without reports */
    hs_test_collector_clear(F.col);
    F.em.struct_size = (uint32_t)offsetof(hs_emitter, progress);
    ck_assert_int_eq(read_changes("", jobs, 3, 1), HS_OK);
    ck_assert_uint_eq(F.col->n_progress, 0);
    ck_assert_uint_eq(F.col->n_checkpoints, (size_t)total + 1);
    fx_stop();
}
END_TEST

START_TEST(paging_over_many_pages)
{
    const char *args[] = {"--applications", "1500", NULL};
    char *c1;

    fx_start(args, "\"page_size\":50");
    /* A cursor far back reads the whole status history. */
    c1 = strdup("{\"v\":1,\"since\":\"2000-01-01T00:00:00Z\"}");
    ck_assert_int_eq(read_changes(c1, NULL, 0, 0), HS_OK);
    ck_assert_uint_ge(F.col->n_changes, 1500);
    ck_assert_uint_ge(F.col->n_checkpoints, F.col->n_changes / 50);
    ck_assert_uint_le(F.col->max_changes_between_barriers, 50);
    /* The history's TotalPages is reported from its first page: the pages it read. */
    ck_assert_uint_eq(F.col->n_progress, F.col->n_checkpoints - 1);
    for (size_t i = 0; i < F.col->n_progress; i++) {
        ck_assert_int_eq(F.col->progress[i].pages_done, (int64_t)i + 1);
        ck_assert_int_eq(F.col->progress[i].pages_total, (int64_t)F.col->n_progress);
        ck_assert_int_eq(F.col->progress[i].parts_total, 0);
    }
    /* Every change distinct. */
    for (size_t i = 1; i < F.col->n_changes && i < 400; i++)
        ck_assert_str_ne(F.col->changes[i].key, F.col->changes[i - 1].key);
    free(c1);
    fx_stop();
}
END_TEST

static void expire_tokens_once(void *ctx, const char *cursor)
{
    int *done = ctx;
    (void)cursor;
    if (!*done) {
        json_object_put(admin("POST", "/eploy/tokens/expire", NULL, 200));
        *done = 1;
    }
}

START_TEST(token_expiry_in_the_middle_of_a_read)
{
    int expired = 0;

    fx_start(NULL, "\"page_size\":10");
    F.col->on_barrier = expire_tokens_once;
    F.col->on_barrier_ctx = &expired;
    ck_assert_msg(read_changes("{\"since\":\"2000-01-01T00:00:00Z\"}", NULL, 0, 0) == HS_OK,
                  "%s", F.err.message);
    ck_assert_int_eq(expired, 1);
    ck_assert_uint_gt(F.col->n_checkpoints, 2);
    ck_assert_int_eq(stat_count("POST /api/token", "200"), 2);
    ck_assert_int_ge(stat_count("POST /api/applications/statushistory/search", "401") +
                     stat_count("POST /api/candidates/search", "401") +
                     stat_count("POST /api/applications/search", "401"), 1);
    fx_stop();
}
END_TEST

START_TEST(cursor_formats_and_dates_tolerated)
{
    static const char *const styles[] = {"naive", "offset", "seconds"};
    for (size_t s = 0; s < 3; s++) {
        const char *args[] = {"--eploy-date-style", styles[s], NULL};
        fx_start(args, NULL);
        ck_assert_int_eq(read_changes("{\"since\":\"2000-01-01\"}", NULL, 0, 0), HS_OK);
        ck_assert_uint_gt(F.col->n_changes, 0);
        for (size_t i = 0; i < F.col->n_changes; i++) {
            const char *at = F.col->changes[i].changed_at;
            ck_assert_msg(at != NULL && at[strlen(at) - 1] == 'Z', "%s: %s", styles[s], at);
        }
        fx_stop();
    }
    /* A cursor that is not JSON is refused without a barrier. */
    fx_start(NULL, NULL);
    ck_assert_int_eq(read_changes("not json", NULL, 0, 0), HS_E_INTERNAL);
    ck_assert_uint_eq(F.col->n_checkpoints, 0);
    fx_stop();
}
END_TEST

START_TEST(history_forbidden_falls_back_to_modified)
{
    char app[32], vac[32];
    char *c1;
    hs_test_report *rep = hs_test_report_new();
    hs_check_report sink = hs_test_report_sink(rep, NULL, 0);
    const hs_test_check_item *it;

    fx_start(NULL, NULL);
    fault("{\"server\":\"eploy\",\"route\":\"/api/applications/statushistory\","
          "\"status\":403,\"count\":-1}");
    first_application(app, sizeof app, vac, sizeof vac);
    c1 = read_ok("", 0);
    move(app, "Video Interview");
    hs_test_collector_clear(F.col);
    free(read_ok(c1, 0));
    ck_assert_ptr_nonnull(hs_test_collector_find(F.col, app, "Video Interview"));
    ck_assert_msg(strstr(hs_test_collector_last_cursor(F.col), "\"modified\"") != NULL, "%s",
                  hs_test_collector_last_cursor(F.col));
    ck_assert(hs_test_host_log_contains(F.h, "status history"));
    ck_assert_int_eq(F.c->check(F.conn, &sink, &F.err), HS_OK);
    it = hs_test_report_find(rep, "Applications: View (status history)");
    ck_assert_ptr_nonnull(it);
    ck_assert_int_eq(it->result, HS_CHECK_WARN);
    free(c1);
    hs_test_report_free(rep);
    fx_stop();
}
END_TEST

START_TEST(in_operation_refused_falls_back_to_equals)
{
    char app[32], vac[32];
    char *c1;
    const hs_test_change *ch;

    fx_start(NULL, NULL);
    first_application(app, sizeof app, vac, sizeof vac);
    c1 = read_ok("", 0);
    move(app, "Video Interview");
    fault("{\"server\":\"eploy\",\"route\":\"/api/applications/search\",\"status\":400,"
          "\"count\":1}");
    hs_test_collector_clear(F.col);
    free(read_ok(c1, 0));
    ch = hs_test_collector_find(F.col, app, "Video Interview");
    ck_assert_ptr_nonnull(ch);
    ck_assert_ptr_nonnull(ch->person_id);
    ck_assert_ptr_nonnull(ch->last_name);
    ck_assert(hs_test_host_log_contains(F.h, "\"In\""));
    free(c1);
    fx_stop();
}
END_TEST

/* ---- faults ------------------------------------------------------------------------------- */

START_TEST(fault_429_retry_after_honoured)
{
    fx_start(NULL, NULL);
    fault("{\"server\":\"eploy\",\"route\":\"/api/vacancies/search\",\"status\":429,"
          "\"retry_after\":7,\"count\":1}");
    ck_assert_int_eq(discover(), HS_OK);
    ck_assert_uint_gt(F.col->n_jobs, 0);
    ck_assert_int_eq(stat_count("POST /api/vacancies/search", "429"), 1);
    ck_assert_int_eq(hs_test_host_longest_sleep_ms(F.h), 7000);
    fx_stop();
}
END_TEST

START_TEST(fault_429_retry_after_beyond_cap_is_retry)
{
    fx_start(NULL, NULL);
    fault("{\"server\":\"eploy\",\"route\":\"/api/vacancies/search\",\"status\":429,"
          "\"retry_after\":3600,\"count\":1}");
    ck_assert_int_eq(discover(), HS_RETRY);
    ck_assert_int_eq(F.err.retry_after_s, 3600);
    ck_assert_int_eq(F.err.http_status, 429);
    fx_stop();
}
END_TEST

START_TEST(fault_5xx_retried_then_succeeds)
{
    fx_start(NULL, NULL);
    fault("{\"server\":\"eploy\",\"route\":\"/api/workflows/search\",\"status\":503,\"count\":2}");
    ck_assert_int_eq(discover(), HS_OK);
    ck_assert_uint_gt(F.col->n_jobs, 0);
    ck_assert_int_eq(stat_count("POST /api/workflows/search", "503"), 2);
    ck_assert_uint_eq(hs_test_host_sleep_count(F.h), 2);
    fx_stop();
}
END_TEST

START_TEST(fault_5xx_exhausts_retries)
{
    fx_start(NULL, "\"max_attempts\":3");
    fault("{\"server\":\"eploy\",\"route\":\"/api/applications/statushistory\",\"status\":500,"
          "\"count\":-1}");
    ck_assert_int_eq(read_changes("{\"since\":\"2000-01-01T00:00:00Z\"}", NULL, 0, 0), HS_RETRY);
    ck_assert_int_eq(F.err.http_status, 500);
    ck_assert_uint_eq(F.col->n_checkpoints, 0);
    ck_assert_int_eq(stat_count("POST /api/applications/statushistory/search", "500"), 3);
    ck_assert_msg(strstr(F.err.message, "/api/applications/statushistory/search") != NULL, "%s",
                  F.err.message);
    fx_stop();
}
END_TEST

START_TEST(fault_malformed_json)
{
    fx_start(NULL, NULL);
    fault("{\"server\":\"eploy\",\"route\":\"/api/applications/statushistory\","
          "\"kind\":\"malformed\",\"count\":1}");
    ck_assert_int_eq(read_changes("{\"since\":\"2000-01-01T00:00:00Z\"}", NULL, 0, 0),
                     HS_E_INTERNAL);
    ck_assert_msg(strstr(F.err.message, "malformed JSON") != NULL, "%s", F.err.message);
    ck_assert_uint_eq(F.col->n_checkpoints, 0);
    fx_stop();
}
END_TEST

/* However small the caller's message buffer, a message is cut inside it and terminated:
 * a remote failure (malformed JSON) and a configuration refused by open(). */
START_TEST(errors_fit_a_small_message_buffer)
{
    char *small = hs_test_guarded_new(16);
    hs_conn *conn = NULL;
    hs_read_request req = {sizeof req, "{\"since\":\"2000-01-01T00:00:00Z\"}", NULL, 0, 0, 0, NULL,
                           0, 0, NULL, 0, 0};

    ck_assert_ptr_nonnull(small);
    fx_start(NULL, NULL);
    fault("{\"server\":\"eploy\",\"route\":\"/api/applications/statushistory\","
          "\"kind\":\"malformed\",\"count\":1}");
    server_time_passes();
    hs_test_error_init(&F.err, small, 16);
    ck_assert_int_eq(F.c->read_changes(F.conn, &req, &F.em, &F.err), HS_E_INTERNAL);
    ck_assert_msg(hs_test_guarded_ok(small, 16), "wrote past message_size");
    ck_assert_uint_eq(strlen(small), 15);
    ck_assert_int_eq(strncmp(small, "eploy: ", 7), 0);
    hs_test_error_init(&F.err, small, 16);
    ck_assert_int_eq(F.c->open(hs_test_host_api(), hs_test_host_handle(F.h),
                               "{\"subdomain\":\"acme\",\"client_id\":\"a\"}", &conn, &F.err),
                     HS_E_CONFIG);
    ck_assert_ptr_null(conn);
    ck_assert(hs_test_guarded_ok(small, 16));
    ck_assert_uint_eq(strlen(small), 15);
    ck_assert_int_eq(strncmp(small, "eploy: ", 7), 0);
    hs_test_error_init(&F.err, F.err_msg, sizeof F.err_msg);
    hs_test_guarded_free(small, 16);
    fx_stop();
}
END_TEST

START_TEST(fault_reset_and_truncated_are_retried)
{
    fx_start(NULL, NULL);
    /* Two resets: libcurl itself repeats a request once when a reused connection dies before
     * answering, so the second reset is the one hiresync sees and retries. */
    fault("{\"server\":\"eploy\",\"route\":\"/api/vacancies/search\",\"kind\":\"reset\","
          "\"count\":2}");
    fault("{\"server\":\"eploy\",\"route\":\"/api/workflows/search\",\"kind\":\"truncate\","
          "\"count\":1}");
    ck_assert_int_eq(discover(), HS_OK);
    ck_assert_uint_gt(F.col->n_jobs, 0);
    ck_assert_int_eq(stat_count("POST /api/vacancies/search", "reset"), 2);
    ck_assert(hs_test_host_log_contains(F.h, "partial file"));
    ck_assert_uint_eq(hs_test_host_sleep_count(F.h), 2);
    fx_stop();
}
END_TEST

START_TEST(cancelled_during_backoff)
{
    fx_start(NULL, NULL);
    fault("{\"server\":\"eploy\",\"route\":\"/api/vacancies/search\",\"status\":503,"
          "\"count\":-1}");
    hs_test_host_cancel_at_sleep(F.h, 1);
    ck_assert_int_eq(discover(), HS_E_CANCELLED);
    ck_assert_int_eq(stat_count("POST /api/vacancies/search", "503"), 1);
    fx_stop();
}
END_TEST

START_TEST(min_gap_paces_requests)
{
    long total;

    fx_start(NULL, "\"min_gap_ms\":5000");
    ck_assert_int_eq(discover(), HS_OK);
    /* Every request after the first waited for the gap (sleeps are instant here). */
    total = stat_count("POST /api/token", "") + stat_count("GET /api/options/dropdown/{id}", "") +
            stat_count("POST /api/workflows/search", "") +
            stat_count("POST /api/vacancies/search", "");
    ck_assert_int_ge(total, 4);
    ck_assert_uint_eq(hs_test_host_sleep_count(F.h), (size_t)total - 1);
    ck_assert_int_le(hs_test_host_longest_sleep_ms(F.h), 5000);
    ck_assert_int_gt(hs_test_host_longest_sleep_ms(F.h), 4000);
    fx_stop();
}
END_TEST

/* ---- check and credentials ---------------------------------------------------------------- */

START_TEST(check_reports_every_permission)
{
    const char *jobs[] = {"999999"};
    hs_test_report *rep = hs_test_report_new();
    hs_check_report sink = hs_test_report_sink(rep, jobs, 1);
    static const char *const perms[] = {"Credentials", "Vacancies: View", "Applications: View",
                                        "Candidates: View", "Workflows: View", "Actions: View",
                                        "Actions: Insert",
                                        "Applications: View (status history)"};

    fx_start(NULL, NULL);
    ck_assert_int_eq(F.c->check(F.conn, &sink, &F.err), HS_OK);
    for (size_t i = 0; i < sizeof perms / sizeof perms[0]; i++) {
        const hs_test_check_item *it = hs_test_report_find(rep, perms[i]);
        ck_assert_msg(it != NULL, "no item %s", perms[i]);
        ck_assert_msg(it->result == HS_CHECK_OK, "%s: %s", perms[i], it->message);
    }
    ck_assert_int_eq(hs_test_report_find(rep, "Vacancy 999999")->result, HS_CHECK_FAIL);
    ck_assert_ptr_nonnull(hs_test_report_find(rep, "Daily API calls"));
    hs_test_report_free(rep);
    fx_stop();
}
END_TEST

START_TEST(key_without_actions_insert)
{
    hs_test_report *rep = hs_test_report_new();
    hs_check_report sink = hs_test_report_sink(rep, NULL, 0);
    const hs_test_check_item *it;
    hs_note note = {sizeof note, "k-1", NULL, NULL, NULL, "Interview done", "Body", NULL, NULL, 0, NULL, 0, 0};
    HS_TEST_RESULT(res);
    char app[32], vac[32];

    fx_start(NULL, NULL);
    F.c->close(F.conn);
    F.conn = NULL;
    ck_assert_int_eq(open_with("noinsert-client", "noinsert-secret-77", NULL), HS_OK);
    ck_assert_int_eq(F.c->check(F.conn, &sink, &F.err), HS_OK);
    it = hs_test_report_find(rep, "Actions: Insert");
    ck_assert_ptr_nonnull(it);
    ck_assert_int_eq(it->result, HS_CHECK_FAIL);
    ck_assert_msg(strstr(it->message, "API Permissions") != NULL, "%s", it->message);
    ck_assert_int_eq(hs_test_report_find(rep, "Actions: View")->result, HS_CHECK_OK);

    first_application(app, sizeof app, vac, sizeof vac);
    note.record_id = app;
    hs_test_error_init(&F.err, F.err_msg, sizeof F.err_msg);
    ck_assert_int_eq(F.c->write_note(F.conn, &note, &res, &F.err), HS_E_PERMISSION);
    ck_assert_msg(strstr(F.err.message, "Actions: Insert") != NULL, "%s", F.err.message);
    ck_assert_int_eq(F.err.http_status, 403);
    hs_test_report_free(rep);
    fx_stop();
}
END_TEST

START_TEST(bad_credentials_and_denied_ip)
{
    hs_test_report *rep = hs_test_report_new();
    hs_check_report sink = hs_test_report_sink(rep, NULL, 0);
    const hs_test_check_item *it;

    fx_start(NULL, NULL);
    F.c->close(F.conn);
    F.conn = NULL;
    ck_assert_int_eq(open_with(CLIENT, "wrong-secret-123", NULL), HS_OK);
    ck_assert_int_eq(F.c->check(F.conn, &sink, &F.err), HS_OK);
    it = hs_test_report_find(rep, "Credentials");
    ck_assert_int_eq(it->result, HS_CHECK_FAIL);
    ck_assert_msg(strstr(it->message, "client_secret") != NULL, "%s", it->message);
    ck_assert_msg(strstr(it->message, "wrong-secret-123") == NULL, "%s", it->message);
    ck_assert_int_eq(discover(), HS_E_CONFIG);
    ck_assert_msg(strstr(F.err.message, "wrong-secret-123") == NULL, "%s", F.err.message);
    F.c->close(F.conn);
    F.conn = NULL;
    hs_test_report_free(rep);

    rep = hs_test_report_new();
    sink = hs_test_report_sink(rep, NULL, 0);
    ck_assert_int_eq(open_with("denied-client", "denied-secret-88", NULL), HS_OK);
    ck_assert_int_eq(F.c->check(F.conn, &sink, &F.err), HS_OK);
    it = hs_test_report_find(rep, "Credentials");
    ck_assert_int_eq(it->result, HS_CHECK_FAIL);
    ck_assert_msg(strstr(it->message, "IP") != NULL, "%s", it->message);
    hs_test_report_free(rep);
    fx_stop();
}
END_TEST

START_TEST(open_refuses_bad_addresses)
{
    hs_conn *conn = NULL;
    HS_TEST_ERROR(err);
    hs_test_host *h = hs_test_host_new();
    hs_test_module *m = hs_test_module_load("eploy");
    const hs_connector *c = hs_test_module_connector(m);
    static const char *const bad[] = {
        "{\"base_url\":\"http://example.com/api\",\"client_id\":\"a\",\"client_secret\":\"b\"}",
        "{\"subdomain\":\"bad_name!\",\"client_id\":\"a\",\"client_secret\":\"b\"}",
        "{\"client_id\":\"a\",\"client_secret\":\"b\"}",
        "{\"subdomain\":\"acme\",\"client_id\":\"a\"}",
        "{\"subdomain\":\"acme\",\"client_id\":\"a\",\"client_secret\":\"b\",\"page_size\":500}",
    };

    ck_assert_ptr_nonnull(c);
    ck_assert_str_eq(c->name, "eploy");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        hs_test_error_clear(&err);
        ck_assert_msg(hs_test_module_open(m, h, bad[i], &conn, &err) ==
                          HS_E_CONFIG, "accepted %s", bad[i]);
        ck_assert_ptr_null(conn);
        ck_assert_msg(strncmp(err.message, "eploy: ", 7) == 0, "%s", err.message);
    }
    ck_assert_int_eq(hs_test_module_open(m, h,
                             "{\"subdomain\":\"acme-1\",\"client_id\":\"a\","
                             "\"client_secret\":\"b\"}", &conn, &err), HS_OK);
    c->close(conn);
    c->close(NULL);
    hs_test_module_unload(m);
    hs_test_host_free(h);
}
END_TEST

/* ---- notes -------------------------------------------------------------------------------- */

START_TEST(write_note_twice_leaves_one_action)
{
    char app[32], vac[32], key[64];
    hs_note note = {sizeof note, key, NULL, NULL, NULL, "Video interview completed",
                    "Ann answered 5 questions.", "https://app.willotalent.com/r/abc", NULL, 0, NULL, 0, 0};
    HS_TEST_RESULT(r1);
    HS_TEST_RESULT(r2);
    json_object *actions;
    size_t mine = 0;

    fx_start(NULL, NULL);
    first_application(app, sizeof app, vac, sizeof vac);
    snprintf(key, sizeof key, "willo:participant-1:completed");
    note.record_id = app;
    ck_assert_int_eq(F.c->write_note(F.conn, &note, &r1, &F.err), HS_OK);
    ck_assert_int_eq(r1.applied, 1);
    ck_assert_str_ne(r1.remote_id, "");
    ck_assert_int_eq(F.c->write_note(F.conn, &note, &r2, &F.err), HS_OK);
    ck_assert_int_eq(r2.applied, 0);
    ck_assert_str_eq(r2.remote_id, r1.remote_id);
    actions = admin("GET", "/eploy/actions", NULL, 200);
    for (size_t i = 0; i < json_object_array_length(actions); i++) {
        const char *s = json_object_to_json_string_ext(json_object_array_get_idx(actions, i),
                                                       JSON_C_TO_STRING_NOSLASHESCAPE);
        if (strstr(s, "[hiresync:willo:participant-1:completed]") != NULL) {
            mine++;
            ck_assert_msg(strstr(s, "https://app.willotalent.com/r/abc") != NULL, "%s", s);
        }
    }
    ck_assert_uint_eq(mine, 1);
    ck_assert_int_eq(stat_count("POST /api/actions", "201") + stat_count("POST /api/actions", "200"), 1);
    json_object_put(actions);

    /* Another key on the same application is another action. */
    snprintf(key, sizeof key, "willo:participant-2:completed");
    ck_assert_int_eq(F.c->write_note(F.conn, &note, &r2, &F.err), HS_OK);
    ck_assert_int_eq(r2.applied, 1);
    ck_assert_str_ne(r2.remote_id, r1.remote_id);
    fx_stop();
}
END_TEST

/* An action id that does not fit the caller's remote_id buffer is refused whole
 * (HS_E_INTERNAL, the buffer left ""), never cut; the note stays one action, found again by
 * its key once the buffer is large enough. */
START_TEST(write_note_remote_id_never_cut)
{
    char app[32], vac[32];
    hs_note note = {sizeof note, "willo:p-small:completed", NULL, NULL, NULL, "Done", "Body",
                    NULL, NULL, 0, NULL, 0, 0};
    char *tiny = hs_test_guarded_new(2);
    hs_write_result small;
    HS_TEST_RESULT(r);

    ck_assert_ptr_nonnull(tiny);
    fx_start(NULL, NULL);
    first_application(app, sizeof app, vac, sizeof vac);
    note.record_id = app;
    hs_test_result_init(&small, tiny, 2);
    ck_assert_int_eq(F.c->write_note(F.conn, &note, &small, &F.err), HS_E_INTERNAL);
    ck_assert(hs_test_guarded_ok(tiny, 2));
    ck_assert_str_eq(tiny, "");
    ck_assert_msg(strstr(F.err.message, "does not fit") != NULL, "%s", F.err.message);
    hs_test_error_clear(&F.err);
    ck_assert_msg(F.c->write_note(F.conn, &note, &r, &F.err) == HS_OK, "%s", F.err.message);
    ck_assert_int_eq(r.applied, 0);
    ck_assert_uint_ge(strlen(r.remote_id), 2);
    ck_assert_int_eq(stat_count("POST /api/actions", "201") + stat_count("POST /api/actions", "200"), 1);
    hs_test_guarded_free(tiny, 2);
    fx_stop();
}
END_TEST

/* The note's StartDate is Eploy's time, not this machine's: with Eploy's clock two days
 * behind, it lies two days back. */
START_TEST(write_note_start_date_is_eploy_time)
{
    char app[32], vac[32], want[16];
    hs_note note = {sizeof note, "willo:p-skew:completed", NULL, NULL, NULL, "Done", "Body",
                    NULL, NULL, 0, NULL, 0, 0};
    HS_TEST_RESULT(r);
    json_object *actions, *clock, *v;
    const char *start = NULL;

    fx_start(NULL, NULL);
    first_application(app, sizeof app, vac, sizeof vac);
    note.record_id = app;
    json_object_put(admin("POST", "/clock", "{\"offset_ms\":-172800000}", 200));
    clock = admin("GET", "/clock", NULL, 200);
    ck_assert(json_object_object_get_ex(clock, "now", &v));
    snprintf(want, sizeof want, "%.10s", json_object_get_string(v));   /* Eploy's day */
    json_object_put(clock);
    ck_assert_int_eq(discover(), HS_OK);     /* a cycle reads before it writes */
    ck_assert_msg(F.c->write_note(F.conn, &note, &r, &F.err) == HS_OK, "%s", F.err.message);
    actions = admin("GET", "/eploy/actions", NULL, 200);
    for (size_t i = 0; i < json_object_array_length(actions); i++) {
        if (json_object_object_get_ex(json_object_array_get_idx(actions, i), "StartDate", &v))
            start = json_object_get_string(v);
    }
    ck_assert_ptr_nonnull(start);
    ck_assert_msg(strncmp(start, want, 10) == 0, "StartDate %s, Eploy's day %s", start, want);
    json_object_put(actions);
    fx_stop();
}
END_TEST

START_TEST(write_note_reset_after_create_is_not_repeated)
{
    char app[32], vac[32];
    hs_note note = {sizeof note, "willo:p-9:completed", NULL, NULL, NULL, "Done", "Body", NULL, NULL, 0, NULL, 0, 0};
    HS_TEST_RESULT(r);

    fx_start(NULL, NULL);
    first_application(app, sizeof app, vac, sizeof vac);
    note.record_id = app;
    /* The first rule lets the lookup (POST /api/actions/search) through untouched; then one
     * reset on the create. The create goes on a new connection: on the lookup's reused one,
     * libcurl would send it again by itself and the reset would create the action unseen. */
    fault("{\"server\":\"eploy\",\"route\":\"/api/actions/search\",\"count\":1}");
    fault("{\"server\":\"eploy\",\"route\":\"/api/actions\",\"method\":\"POST\","
          "\"kind\":\"reset\",\"count\":1}");
    ck_assert_int_eq(F.c->write_note(F.conn, &note, &r, &F.err), HS_RETRY);
    ck_assert_msg(strstr(F.err.message, "not repeated") != NULL, "%s", F.err.message);
    ck_assert_uint_eq(hs_test_host_sleep_count(F.h), 0);
    /* The caller's retry looks first, then creates exactly one action. */
    hs_test_error_init(&F.err, F.err_msg, sizeof F.err_msg);
    ck_assert_int_eq(F.c->write_note(F.conn, &note, &r, &F.err), HS_OK);
    ck_assert_int_eq(r.applied, 1);
    fx_stop();
}
END_TEST

START_TEST(write_note_without_action_type_is_config)
{
    hs_note note = {sizeof note, "k", "1", NULL, NULL, "t", "b", NULL, NULL, 0, NULL, 0, 0};
    HS_TEST_RESULT(r);
    hs_conn *conn = NULL;
    char cfg[512];

    fx_start(NULL, NULL);
    snprintf(cfg, sizeof cfg, "{\"base_url\":\"%s\",\"client_id\":\"%s\","
             "\"client_secret\":\"%s\"}", F.sb.eploy_url, CLIENT, SECRET);
    ck_assert_int_eq(hs_test_module_open(F.m, F.h, cfg, &conn, &F.err),
                     HS_OK);
    ck_assert_int_eq(F.c->write_note(conn, &note, &r, &F.err), HS_E_CONFIG);
    ck_assert_msg(strstr(F.err.message, "note_action_type") != NULL, "%s", F.err.message);
    F.c->close(conn);
    fx_stop();
}
END_TEST

/* ---- quota -------------------------------------------------------------------------------- */

START_TEST(daily_budget_stops_with_retry)
{
    fx_start(NULL, "\"daily_call_budget\":3");
    ck_assert_int_eq(discover(), HS_RETRY);
    ck_assert_msg(strstr(F.err.message, "daily_call_budget") != NULL, "%s", F.err.message);
    ck_assert_int_gt(F.err.retry_after_s, 0);
    ck_assert_int_le(F.err.retry_after_s, 86401);
    /* Exactly the budget was spent, and the count is in the store for the next cycle. */
    ck_assert_int_eq(stat_count("POST /api/token", "") + stat_count("GET /api/options/dropdown/{id}", "") +
                     stat_count("POST /api/workflows/search", "") +
                     stat_count("POST /api/vacancies/search", ""), 3);
    ck_assert_ptr_nonnull(hs_test_host_store_value(F.h, "calls"));
    ck_assert_msg(strstr(hs_test_host_store_value(F.h, "calls"), " 3") != NULL, "%s",
                  hs_test_host_store_value(F.h, "calls"));

    /* A new connection of the same host picks the count up and stops at once. */
    F.c->close(F.conn);
    F.conn = NULL;
    open_conn("\"daily_call_budget\":3");
    ck_assert_int_eq(discover(), HS_RETRY);
    ck_assert_int_eq(stat_count("POST /api/token", ""), 1);
    fx_stop();
}
END_TEST

START_TEST(cursor_carries_the_call_count)
{
    char *c1;

    fx_start(NULL, "\"daily_call_budget\":1000");
    c1 = read_ok("{\"since\":\"2000-01-01T00:00:00Z\"}", 0);
    ck_assert_msg(strstr(c1, "\"calls\"") != NULL, "%s", c1);
    /* With the store lost, the cursor's count still counts. */
    hs_test_host_store_set(F.h, "calls", NULL);
    F.c->close(F.conn);
    F.conn = NULL;
    open_conn("\"daily_call_budget\":1");
    hs_test_collector_clear(F.col);
    ck_assert_int_eq(read_changes(c1, NULL, 0, 0), HS_RETRY);
    ck_assert_uint_eq(F.col->n_checkpoints, 0);
    free(c1);
    fx_stop();
}
END_TEST

/* ---- memory ------------------------------------------------------------------------------- */

typedef struct heap_watch {
    size_t min, max;
    size_t barriers;
} heap_watch;

static void sample_heap(void *ctx, const char *cursor)
{
    heap_watch *w = ctx;
    struct mallinfo2 mi = mallinfo2();
    (void)cursor;
    if (w->barriers == 1 || mi.uordblks < w->min)
        w->min = mi.uordblks;
    if (mi.uordblks > w->max)
        w->max = mi.uordblks;
    w->barriers++;
}

START_TEST(memory_flat_over_many_applications)
{
    const char *args[] = {"--applications", "20000", NULL};
    heap_watch w = {0, 0, 0};

    fx_start(args, NULL);
    F.col->count_only = 1;
    F.col->on_barrier = sample_heap;
    F.col->on_barrier_ctx = &w;
    ck_assert_int_eq(read_changes("", NULL, 0, 1), HS_OK);
    ck_assert_uint_eq(F.col->n_changes, 20000);
    /* Emitted page by page: never more than one page between two barriers, so the connector
     * cannot have held more than a page. */
    ck_assert_uint_le(F.col->max_changes_between_barriers, 100);
    ck_assert_uint_eq(F.col->n_checkpoints, 201);
    /* And the heap in use at the barriers does not grow with the pages read (mallinfo2 reads
     * zero under valgrind, where the page bound above still holds). */
    ck_assert_msg(w.max - w.min < 1024 * 1024, "heap grew by %zu bytes over %zu barriers",
                  w.max - w.min, w.barriers);
    fx_stop();
}
END_TEST

static Suite *eploy_suite(void)
{
    Suite *s = suite_create("eploy");
    TCase *jobs = tcase_create("jobs");
    TCase *changes = tcase_create("changes");
    TCase *faults = tcase_create("faults");
    TCase *check = tcase_create("check");
    TCase *notes = tcase_create("notes");
    TCase *quota = tcase_create("quota");
    TCase *memory = tcase_create("memory");

    tcase_add_test(jobs, discover_open_vacancies_with_stages);
    tcase_add_test(jobs, open_statuses_unknown_is_config_error);
    tcase_add_test(changes, first_read_sets_baseline_only);
    tcase_add_test(changes, moved_in_and_out_between_reads_is_reported);
    tcase_add_test(changes, people_fields_and_phone_preference);
    tcase_add_test(changes, changes_leave_people_out_only_when_asked);
    tcase_add_test(changes, job_filter_limits_changes);
    tcase_add_test(changes, snapshot_reports_current_positions);
    tcase_add_test(changes, snapshot_reports_its_total_pages_job_by_job);
    tcase_add_test(changes, paging_over_many_pages);
    tcase_add_test(changes, token_expiry_in_the_middle_of_a_read);
    tcase_add_test(changes, cursor_formats_and_dates_tolerated);
    tcase_add_test(changes, history_forbidden_falls_back_to_modified);
    tcase_add_test(changes, in_operation_refused_falls_back_to_equals);
    tcase_add_test(faults, fault_429_retry_after_honoured);
    tcase_add_test(faults, fault_429_retry_after_beyond_cap_is_retry);
    tcase_add_test(faults, fault_5xx_retried_then_succeeds);
    tcase_add_test(faults, fault_5xx_exhausts_retries);
    tcase_add_test(faults, fault_malformed_json);
    tcase_add_test(faults, errors_fit_a_small_message_buffer);
    tcase_add_test(faults, fault_reset_and_truncated_are_retried);
    tcase_add_test(faults, cancelled_during_backoff);
    tcase_add_test(faults, min_gap_paces_requests);
    tcase_add_test(check, check_reports_every_permission);
    tcase_add_test(check, key_without_actions_insert);
    tcase_add_test(check, bad_credentials_and_denied_ip);
    tcase_add_test(check, open_refuses_bad_addresses);
    tcase_add_test(notes, write_note_twice_leaves_one_action);
    tcase_add_test(notes, write_note_remote_id_never_cut);
    tcase_add_test(notes, write_note_reset_after_create_is_not_repeated);
    tcase_add_test(notes, write_note_start_date_is_eploy_time);
    tcase_add_test(notes, write_note_without_action_type_is_config);
    tcase_add_test(quota, daily_budget_stops_with_retry);
    tcase_add_test(quota, cursor_carries_the_call_count);
    tcase_add_test(memory, memory_flat_over_many_applications);
    suite_add_tcase(s, jobs);
    suite_add_tcase(s, changes);
    suite_add_tcase(s, faults);
    suite_add_tcase(s, check);
    suite_add_tcase(s, notes);
    suite_add_tcase(s, quota);
    suite_add_tcase(s, memory);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(eploy_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
