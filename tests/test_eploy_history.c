/*
 * The Eploy connector when Eploy refuses applications/statushistory/search, against the
 * sandbox's Eploy server: with a fault rule answering 403, 404, 405 or 501 there, cycles go on
 * with modified applications and still find the candidates moved; the log says it once per
 * process and check WARNs naming the endpoint, the status and the cost; the refusal is kept
 * in the store for the next process; a day later by the server's clock (not the host's alone)
 * the endpoint is asked again and, answering, used again, from where the fallback began.
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

#define CLIENT "history-test-client"
#define SECRET "history-test-secret-3c1d"
#define ROUTE "POST /api/applications/statushistory/search"
#define DAY_MS 86400000LL
#define HOST_LEAD_MS 10000LL

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
} fx;

static fx F;

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

/* Requests the sandbox counted for route with this status ("" = any status). */
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

static void open_conn(void)
{
    char cfg[1024];

    /* No signpost lag: the sandbox stamps a move with its clock, and a read right after it
     * must take it (the overlap re-reads the second of the Date). */
    snprintf(cfg, sizeof cfg,
             "{\"base_url\":\"%s\",\"client_id\":\"%s\",\"client_secret\":\"%s\","
             "\"note_action_type\":\"7\",\"signpost_lag_s\":0,\"overlap_s\":60}",
             F.sb.eploy_url, CLIENT, SECRET);
    hs_test_error_init(&F.err, F.err_msg, sizeof F.err_msg);
    ck_assert_msg(hs_test_module_open(F.m, F.h, cfg, &F.conn,
                            &F.err) == HS_OK, "open: %s", F.err.message);
}

static void fx_start(void)
{
    const char *args[] = {"--eploy-key", CLIENT ":" SECRET, "--vacancies", "3",
                          "--applications", "40", NULL};

    memset(&F, 0, sizeof F);
    ck_assert_msg(hs_test_sandbox_start(&F.sb, args) == 0, "the sandbox did not start");
    F.h = hs_test_host_new();
    ck_assert_ptr_nonnull(F.h);
    /* Real clock (the sandbox stamps with it), instant sleeps. */
    hs_test_host_use_real_clock(F.h, 1);
    hs_test_host_set_clock_offset(F.h, HOST_LEAD_MS);
    F.m = hs_test_module_load("eploy");
    ck_assert_msg(F.m != NULL, "cannot load the eploy module");
    F.c = hs_test_module_connector(F.m);
    F.col = hs_test_collector_new();
    F.em = hs_test_collector_emitter(F.col);
    open_conn();
}

static void fx_stop(void)
{
    for (size_t i = 0; F.h != NULL && i < hs_test_host_log_count(F.h); i++)
        ck_assert_msg(strstr(hs_test_host_log_line(F.h, i), SECRET) == NULL, "secret in log");
    if (F.c != NULL)
        F.c->close(F.conn);
    hs_test_collector_free(F.col);
    hs_test_module_unload(F.m);
    hs_test_host_free(F.h);
    if (F.sb.pid != 0)
        hs_test_sandbox_stop(&F.sb);
    memset(&F, 0, sizeof F);
}

/* What a cycle asks of the connector: jobs (which also gives the server's time), then the
 * changes since cursor. Returns a copy of the final cursor. */
static char *cycle(const char *cursor)
{
    hs_read_request req = {sizeof req, cursor, NULL, 0, 0, 0, NULL, 0, 0, NULL, 0, 0};
    hs_status st;

    hs_test_collector_clear(F.col);
    hs_test_error_init(&F.err, F.err_msg, sizeof F.err_msg);
    st = F.c->discover_jobs(F.conn, &F.em, &F.err);
    ck_assert_msg(st == HS_OK, "discover_jobs: %d %s", st, F.err.message);
    hs_test_collector_clear(F.col);
    hs_test_error_init(&F.err, F.err_msg, sizeof F.err_msg);
    st = F.c->read_changes(F.conn, &req, &F.em, &F.err);
    ck_assert_msg(st == HS_OK, "read_changes: %d %s", st, F.err.message);
    ck_assert_uint_ge(F.col->n_checkpoints, 1);
    return strdup(hs_test_collector_last_cursor(F.col));
}

/* The first n applications the sandbox lists. */
static void applications(char ids[][32], size_t n)
{
    char path[64];
    json_object *list, *v;

    snprintf(path, sizeof path, "/eploy/applications?limit=%zu", n);
    list = admin("GET", path, NULL, 200);
    for (size_t i = 0; i < n; i++) {
        json_object *a = json_object_array_get_idx(list, i);
        ck_assert_ptr_nonnull(a);
        ck_assert(json_object_object_get_ex(a, "ApplicationId", &v));
        snprintf(ids[i], 32, "%s", json_object_get_string(v));
    }
    json_object_put(list);
}

static void move(const char *app, const char *stage)
{
    char path[128], body[256];

    snprintf(path, sizeof path, "/eploy/applications/%s/move", app);
    snprintf(body, sizeof body, "{\"stage\":\"%s\"}", stage);
    json_object_put(admin("POST", path, body, 200));
}

/* Log lines at WARN that contain needle. */
static size_t warnings(const char *needle)
{
    size_t n = 0;

    for (size_t i = 0; i < hs_test_host_log_count(F.h); i++) {
        const char *line = hs_test_host_log_line(F.h, i);
        n += strncmp(line, "WARN", 4) == 0 && strstr(line, needle) != NULL;
    }
    return n;
}

static void check_warns(long code)
{
    hs_test_report *rep = hs_test_report_new();
    hs_check_report sink = hs_test_report_sink(rep, NULL, 0);
    const hs_test_check_item *it;
    char status[32];

    ck_assert_int_eq(F.c->check(F.conn, &sink, &F.err), HS_OK);
    it = hs_test_report_find(rep, "Applications: View (status history)");
    ck_assert_ptr_nonnull(it);
    ck_assert_msg(it->result == HS_CHECK_WARN, "%s", it->message);
    snprintf(status, sizeof status, "(HTTP %ld)", code);
    ck_assert_msg(strstr(it->message, "applications/statushistory/search") != NULL &&
                  strstr(it->message, status) != NULL &&
                  strstr(it->message, "between two cycles is missed") != NULL, "%s",
                  it->message);
    hs_test_report_free(rep);
}

static const long refusals[] = {403, 404, 405, 501};

START_TEST(refused_history_falls_back_and_is_asked_again_a_day_later)
{
    long code = refusals[_i];
    char rule[256], said[64], stored[16], app[3][32], clock[64];
    char *c0, *c1, *c2, *c3, *c4, *c5;
    long asked;

    fx_start();
    snprintf(rule, sizeof rule, "{\"server\":\"eploy\",\"route\":"
             "\"/api/applications/statushistory\",\"status\":%ld,\"count\":-1}", code);
    json_object_put(admin("POST", "/faults", rule, 201));
    snprintf(said, sizeof said, "applications/statushistory/search (HTTP %ld)", code);
    snprintf(stored, sizeof stored, "%ld ", code);
    applications(app, 3);
    c0 = cycle("");

    /* The refusal does not stop the cycle: the candidate moved is found from the modified
     * applications; the log says what happened and what it costs, once. */
    move(app[0], "Video Interview");
    c1 = cycle(c0);
    ck_assert_ptr_nonnull(hs_test_collector_find(F.col, app[0], "Video Interview"));
    ck_assert_msg(strstr(c1, "\"mode\":\"modified\"") != NULL && strstr(c1, "\"gap\"") != NULL,
                  "%s", c1);
    ck_assert_uint_eq(warnings(said), 1);
    ck_assert_uint_eq(warnings("a candidate who passes through a trigger stage between two "
                               "cycles is missed"), 1);
    ck_assert_ptr_nonnull(hs_test_host_store_value(F.h, "history_off"));
    ck_assert_msg(strncmp(hs_test_host_store_value(F.h, "history_off"), stored,
                          strlen(stored)) == 0, "%s",
                  hs_test_host_store_value(F.h, "history_off"));

    /* The next cycle neither asks again nor says it again. A candidate who passes through
     * the trigger stage now is seen at the stage they stopped at only: the fallback's cost. */
    asked = stat_count(ROUTE, "");
    move(app[1], "Video Interview");
    move(app[1], "Offers & Placements");
    c2 = cycle(c1);
    ck_assert_ptr_nonnull(hs_test_collector_find(F.col, app[1], "Offers & Placements"));
    ck_assert_ptr_null(hs_test_collector_find(F.col, app[1], "Video Interview"));
    ck_assert_int_eq(stat_count(ROUTE, ""), asked);
    ck_assert_uint_eq(warnings(said), 1);
    check_warns(code);

    /* A new process (a new connection on the same store, shared memory gone) remembers the
     * refusal without asking, and says it once. */
    F.c->close(F.conn);
    F.conn = NULL;
    hs_test_host_store_set(F.h, "shared/history_said", NULL);
    hs_test_host_log_clear(F.h);
    open_conn();
    asked = stat_count(ROUTE, "");
    c3 = cycle(c2);
    ck_assert_int_eq(stat_count(ROUTE, ""), asked);
    ck_assert_uint_eq(warnings(said), 1);

    /* The host's clock a day ahead is not a day passed: the server's clock says when. */
    hs_test_host_set_clock_offset(F.h, HOST_LEAD_MS + DAY_MS + 60000);
    c4 = cycle(c3);
    ck_assert_int_eq(stat_count(ROUTE, ""), asked);

    /* A day later by the server's clock (two hours more on both clocks, past the token's
     * life) the endpoint is asked again; it answers, so the
     * status history is read again, from where the fallback began: the entry into the trigger
     * stage that the fallback missed is found after all. */
    snprintf(clock, sizeof clock, "{\"offset_ms\":%lld}", DAY_MS + 2 * 3600000LL);
    json_object_put(admin("POST", "/clock", clock, 200));
    hs_test_host_set_clock_offset(F.h, HOST_LEAD_MS + DAY_MS + 2 * 3600000LL);
    json_object_put(admin("DELETE", "/faults", NULL, 200));
    move(app[2], "Video Interview");
    c5 = cycle(c4);
    ck_assert_int_ge(stat_count(ROUTE, "200"), 1);
    ck_assert_ptr_nonnull(hs_test_collector_find(F.col, app[2], "Video Interview"));
    ck_assert_ptr_nonnull(hs_test_collector_find(F.col, app[1], "Video Interview"));
    ck_assert_msg(strstr(c5, "\"mode\":\"history\"") != NULL && strstr(c5, "\"gap\"") == NULL,
                  "%s", c5);
    ck_assert_ptr_null(hs_test_host_store_value(F.h, "history_off"));
    ck_assert(hs_test_host_log_contains(F.h, "answers again"));

    /* And from there on, every entry again, a pass-through included. */
    free(c0);
    move(app[0], "Offers & Placements");
    move(app[0], "Video Interview");
    move(app[0], "Rejected");
    c0 = cycle(c5);
    ck_assert_ptr_nonnull(hs_test_collector_find(F.col, app[0], "Video Interview"));
    ck_assert_ptr_nonnull(hs_test_collector_find(F.col, app[0], "Rejected"));
    ck_assert_uint_eq(warnings(said), 1);
    free(c0);
    free(c1);
    free(c2);
    free(c3);
    free(c4);
    free(c5);
    fx_stop();
}
END_TEST

static Suite *history_suite(void)
{
    Suite *s = suite_create("eploy_history");
    TCase *tc = tcase_create("fallback");

    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, refused_history_falls_back_and_is_asked_again_a_day_later, 0,
                        (int)(sizeof refusals / sizeof refusals[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(history_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
