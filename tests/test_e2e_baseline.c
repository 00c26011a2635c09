/* End to end: hiresync looks up only the people it needs. A first cycle (the baseline) with
 * invite_existing false looks up no candidate at all; with true, only those of applications
 * in a trigger stage; where Eploy filters applications by stage it asks only for those, and a
 * tenant that refuses the filter (HTTP 400) is read whole instead, with the same invitations.
 * An incremental cycle looks up the people of the changes into a trigger stage only: none
 * for a page without one, and every one of them invited with its own email. */
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
#define HISTORY "POST /api/applications/statushistory/search"
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

/* Gives the candidate of application app an email of its own; returns it in out. */
static void own_email(long app, char *out, size_t size)
{
    char path[96], body[400];

    snprintf(out, size, "people-only-%ld@example.org", app);
    snprintf(path, sizeof path, "/eploy/candidates/%ld", e2e_candidate_of(&E.sb, app));
    snprintf(body, sizeof body, "{\"Email\":\"%s\"}", out);
    admin_ok("PATCH", path, body);
}

START_TEST(test_changes_look_up_the_people_of_trigger_entries_only)
{
    char pipe[2048], email[3][96];
    long ids[13];

    e2e_pipeline(pipe, sizeof pipe, "p", "eploy", E.interview,
                 "[{\"job\": \"1001\", \"trigger_stages\": [\"Video Interview\"]}]");
    e2e_config(&E, "", pipe);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 13), 13);
    for (int i = 0; i < 3; i++)
        own_email(ids[i], email[i], sizeof email[i]);
    ck_assert_msg(e2e_cycle(&E) == 0, "baseline: %s", E.out);

    /* A page of changes none of which enters the trigger stage: no person looked up. */
    for (int i = 8; i < 13; i++)
        e2e_move(&E.sb, ids[i], "Screening", NULL);
    admin_ok("DELETE", "/stats", NULL);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_msg(strstr(E.out, "eploy: 5 stage changes") != NULL, "%s", E.out);
    ck_assert_int_ge(asked(HISTORY, NULL), 1);
    ck_assert_int_eq(asked(CANDS, NULL), 0);
    ck_assert_int_eq(asked(APPS, NULL), 0);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 0);

    /* One page mixing entries into the trigger stage with moves elsewhere: one lookup of
     * people for the page, and every candidate who entered it invited with their email. */
    for (int i = 0; i < 3; i++) {
        e2e_move(&E.sb, ids[3 + i], "Offers & Placements", NULL);
        e2e_move(&E.sb, ids[i], VI, NULL);
    }
    e2e_move(&E.sb, ids[6], "Offers & Placements", NULL);
    e2e_move(&E.sb, ids[7], "Offers & Placements", NULL);
    admin_ok("DELETE", "/stats", NULL);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_msg(strstr(E.out, "eploy: 8 stage changes") != NULL, "%s", E.out);
    ck_assert_int_eq(asked(CANDS, NULL), 1);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 3);
    for (int i = 0; i < 3; i++)
        ck_assert_msg(e2e_participants(&E.sb, E.interview, email[i]) == 1,
                      "%s was not invited: %s", email[i], E.out);
    ck_assert_int_eq(e2e_actions(&E.sb, 0, "not sent"), 0);
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
    tcase_add_test(tc, test_changes_look_up_the_people_of_trigger_entries_only);
    suite_add_tcase(s, tc);
    return e2e_run_suite(s);
}
