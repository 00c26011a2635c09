/* End to end: a first cycle (the baseline) reads only what it needs. With invite_existing
 * false it looks up no candidate at all; with true, only those of applications in a trigger
 * stage; where Eploy filters applications by stage it asks only for those, and a tenant that
 * refuses the filter (HTTP 400) is read whole instead, with the same invitations. */
#define _GNU_SOURCE

#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_e2e_util.h"

#define VI "Video Interview"
#define APPS "POST /api/applications/search"
#define CANDS "POST /api/candidates/search"
#define REFUSED "refused the \"Application.Stage\" filter"

static e2e E;

static void admin_ok(const char *method, const char *path, const char *body)
{
    long st = 0;

    ck_assert_int_eq(hs_test_admin(&E.sb, method, path, body, &st, NULL), 0);
    ck_assert_msg(st >= 200 && st < 300, "admin %s %s: %ld", method, path, st);
}

/* Requests to route the sandbox counted with HTTP status code (NULL: any). */
static long asked(const char *route, const char *code)
{
    char *out = NULL;
    long st = 0, n = 0;
    json_object *s, *r;

    ck_assert_int_eq(hs_test_admin(&E.sb, "GET", "/stats", NULL, &st, &out), 0);
    s = json_tokener_parse(out);
    free(out);
    if (json_object_object_get_ex(s, "eploy", &r) && json_object_object_get_ex(r, "routes", &r) &&
        json_object_object_get_ex(r, route, &r)) {
        json_object_object_foreach(r, c, v) {
            if (code == NULL || strcmp(c, code) == 0)
                n += json_object_get_int(v);
        }
    }
    json_object_put(s);
    return n;
}

/* A fresh state, the sandbox's data as generated with two more applications of job 1001 in
 * the trigger stage, and one first cycle; returns the invitations it made. */
static int baseline(int invite_existing, int stage_filter)
{
    char pipe[2048], jobs[256];
    long ids[2];
    char cmd[400];

    admin_ok("POST", "/reset", NULL);
    if (!stage_filter)
        admin_ok("POST", "/eploy/settings", "{\"stage_filter\":false}");
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", E.state_dir);
    ck_assert_int_eq(system(cmd), 0);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 2), 2);
    e2e_move(&E.sb, ids[0], VI, NULL);
    e2e_move(&E.sb, ids[1], VI, NULL);
    /* the mapping's members after "jobs" */
    snprintf(jobs, sizeof jobs, "[{\"job\": \"1001\", \"trigger_stages\": [\"Video Interview\"]}],"
             " \"invite_existing\": %s", invite_existing ? "true" : "false");
    e2e_pipeline(pipe, sizeof pipe, "p", "eploy", E.interview, jobs);
    e2e_config(&E, "", pipe);
    admin_ok("DELETE", "/stats", NULL);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    return e2e_participants(&E.sb, E.interview, NULL);
}

static void setup(void)
{
    static const char *const args[] = {"--applications", "600", NULL};
    e2e_start(&E, args);
}

static void teardown(void)
{
    e2e_stop(&E);
}

START_TEST(test_without_invite_existing_no_candidate_is_looked_up)
{
    ck_assert_int_eq(baseline(0, 1), 0);
    ck_assert_int_eq(asked(CANDS, NULL), 0);
    ck_assert_int_eq(asked(APPS, "400"), 0);
    ck_assert_int_eq(baseline(0, 0), 0);
    ck_assert_int_eq(asked(CANDS, NULL), 0);
}
END_TEST

START_TEST(test_invite_existing_reads_the_trigger_stage_only_and_falls_back)
{
    long filtered_pages, whole_pages;
    int invited = baseline(1, 1);

    /* the two moved there at least, each looked up with the others of its page */
    ck_assert_int_ge(invited, 2);
    ck_assert_int_eq(asked(APPS, "400"), 0);
    ck_assert_int_ge(asked(CANDS, NULL), 1);
    ck_assert_int_le(asked(CANDS, NULL), (invited + 99) / 100);
    filtered_pages = asked(APPS, NULL);
    ck_assert_msg(strstr(E.out, REFUSED) == NULL, "%s", E.out);

    ck_assert_int_eq(baseline(1, 0), invited);
    ck_assert_int_eq(asked(APPS, "400"), 1);
    ck_assert_msg(strstr(E.out, REFUSED) != NULL, "the fallback is not said: %s", E.out);
    whole_pages = asked(APPS, "200");
    ck_assert_msg(whole_pages > filtered_pages, "%ld pages unfiltered, %ld filtered",
                  whole_pages, filtered_pages);
    /* people looked up only for the trigger stage's applications, whatever the pages */
    ck_assert_int_le(asked(CANDS, NULL), whole_pages);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("e2e_baseline");
    TCase *tc = tcase_create("e2e_baseline");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_without_invite_existing_no_candidate_is_looked_up);
    tcase_add_test(tc, test_invite_existing_reads_the_trigger_stage_only_and_falls_back);
    suite_add_tcase(s, tc);
    return e2e_run_suite(s);
}
