/* End to end, the interview's whole life in Eploy: invited, started, completed (note with the
 * answers, outcome, the application moved on), a candidate moved on by a recruiter (never moved
 * back), an expiry (outcome, moved to the configured stage), the re-invitation policy, and the
 * outcome form of the move (the tenant's outcome rule moves the application; the outcome is
 * withheld from one a recruiter moved on, which is noted and counted in status). The
 * real hiresync program and connectors against the sandbox; everything is checked in the
 * sandbox, and a last cycle must change nothing. */
#define _GNU_SOURCE

#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_e2e_util.h"

#define VI "Video Interview"
#define DAY_MS (24LL * 3600 * 1000)

static e2e E;

static void setup(void)
{
    static const char *const args[] = {"--willo-deadline-days", "7", NULL};
    e2e_start(&E, args);
}

static void teardown(void)
{
    e2e_stop(&E);
}

/* The shared helpers, on this test's sandbox. */
static json_object *admin(const char *method, const char *path, const char *body)
{
    return e2e_admin(&E.sb, method, path, body);
}

static const char *stage_of(long app)
{
    return e2e_stage_of(&E.sb, app);
}

static int outcomes(long app, const char *outcome)
{
    return e2e_outcomes(&E.sb, app, outcome);
}

static void participant_of(long app, char *key, size_t size)
{
    e2e_participant_of(&E.sb, E.interview, app, key, size);
}

static void participant_event(const char *key, const char *event, const char *body)
{
    e2e_participant_event(&E.sb, key, event, body);
}

static void clock_ahead(long long ms)
{
    e2e_clock(&E.sb, ms);
}

static void config(const char *reinvite)
{
    char pipe[2048];
    snprintf(pipe, sizeof pipe,
             "\"p\": {\"ats\": \"eploy\", \"interviews\": \"willo\", \"interval\": \"3h\", "
             "\"mappings\": [{\"interview\": \"%s\", "
             "\"jobs\": [{\"job\": \"1001\", \"trigger_stages\": [\"Video Interview\"]}], "
             "\"outcomes\": {\"invited\": \"Invited\", \"started\": \"Started\", "
             "\"completed\": \"Completed\", \"expired\": \"Expired\"}, "
             "\"on_completed\": \"Interview\", \"on_expired\": \"Rejected\", "
             "\"reinvite\": %s}]}",
             E.interview, reinvite);
    e2e_config(&E, "", pipe);
}

static void cycle_ok(const char *what)
{
    ck_assert_msg(e2e_cycle(&E) == 0, "%s: %s", what, E.out);
}

START_TEST(test_whole_life_each_step_once)
{
    long ids[4];
    char k[3][64];
    int total;
    config("\"never\"");
    cycle_ok("baseline");
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 3), 3);
    for (int i = 0; i < 3; i++)
        e2e_move(&E.sb, ids[i], VI, NULL);
    cycle_ok("invitations");
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 3);
    cycle_ok("invited events read");
    for (int i = 0; i < 3; i++) {
        ck_assert_msg(outcomes(ids[i], "Invited") == 1, "application %ld: %d Invited", ids[i],
                      outcomes(ids[i], "Invited"));
        participant_of(ids[i], k[i], sizeof k[i]);
    }

    /* the first starts, then answers, and moves on to Interview */
    participant_event(k[0], "start", NULL);
    cycle_ok("started");
    ck_assert_int_eq(outcomes(ids[0], "Started"), 1);
    participant_event(k[0], "complete", "{\"score\":\"8.5\",\"scores\":[\"4\",\"5\",null]}");
    cycle_ok("completed");
    ck_assert_int_eq(outcomes(ids[0], "Completed"), 1);
    {
        char link[96];
        snprintf(link, sizeof link, "share\\/%s", k[0]); /* as JSON text */
        ck_assert_int_eq(e2e_actions(&E.sb, ids[0], link), 1);  /* the link, once */
    }
    ck_assert_int_ge(e2e_actions(&E.sb, ids[0], "8.5"), 1);      /* the score */
    ck_assert_str_eq(stage_of(ids[0]), "Interview");

    /* the second is moved on by a recruiter before answering: never moved back */
    e2e_move(&E.sb, ids[1], "Offers & Placements", NULL);
    participant_event(k[1], "complete", NULL);
    cycle_ok("completed after a recruiter's move");
    ck_assert_int_eq(outcomes(ids[1], "Completed"), 1);
    ck_assert_str_eq(stage_of(ids[1]), "Offers & Placements");
    ck_assert_int_eq(e2e_actions(&E.sb, ids[1], "not moved"), 1);

    /* the third lets the deadline pass */
    clock_ahead(8 * DAY_MS);
    cycle_ok("expired");
    ck_assert_int_eq(outcomes(ids[2], "Expired"), 1);
    ck_assert_str_eq(stage_of(ids[2]), "Rejected");

    /* nothing new: nothing written */
    total = e2e_actions(&E.sb, 0, NULL);
    cycle_ok("quiet");
    cycle_ok("quiet again");
    ck_assert_int_eq(e2e_actions(&E.sb, 0, NULL), total);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 3);

    /* policy never: back in the trigger stage, one note saying why, no invitation */
    e2e_move(&E.sb, ids[2], VI, NULL);
    cycle_ok("re-entry refused");
    cycle_ok("re-entry refused, again");
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 3);
    ck_assert_int_eq(e2e_actions(&E.sb, 0, NULL), total + 1);
    ck_assert_int_eq(e2e_actions(&E.sb, ids[2], "reinvite"), 1);
    (void)ids[3];
}
END_TEST

START_TEST(test_after_expiry_invites_again_once)
{
    long ids[2];
    char k[64];
    config("\"after_expiry\"");
    cycle_ok("baseline");
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 2), 2);
    e2e_move(&E.sb, ids[0], VI, NULL);
    e2e_move(&E.sb, ids[1], VI, NULL);
    cycle_ok("invitations");
    participant_of(ids[1], k, sizeof k);
    participant_event(k, "complete", NULL);
    clock_ahead(8 * DAY_MS);
    cycle_ok("one expired, one completed");
    ck_assert_int_eq(outcomes(ids[0], "Expired"), 1);
    /* back to the trigger stage: the expired one is invited again, once */
    e2e_move(&E.sb, ids[0], VI, NULL);
    e2e_move(&E.sb, ids[1], VI, NULL);
    cycle_ok("re-entries");
    cycle_ok("re-entries, again");
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 3);
    participant_of(ids[0], k, sizeof k);
    ck_assert_int_eq(e2e_actions(&E.sb, ids[1], "reinvite"), 1);
}
END_TEST

/* The outcome form of the move: the tenant's rule "Completed moves to Interview" does the
 * moving; hiresync writes Completed only on an application still in the trigger stage. */
START_TEST(test_the_outcome_moves_only_from_the_trigger_stage)
{
    static const char *const status_args[] = {"status", NULL};
    long ids[2];
    char k[2][64], pipe[2048];
    int total;
    snprintf(pipe, sizeof pipe,
             "\"p\": {\"ats\": \"eploy\", \"interviews\": \"willo\", \"interval\": \"3h\", "
             "\"mappings\": [{\"interview\": \"%s\", "
             "\"jobs\": [{\"job\": \"1001\", \"trigger_stages\": [\"Video Interview\"]}], "
             "\"on_completed\": {\"outcome\": \"Completed\"}}]}", E.interview);
    e2e_config(&E, "", pipe);
    json_object_put(admin("POST", "/eploy/outcome-rules",
                          "[{\"outcome\":\"Completed\",\"stage\":\"Interview\",\"status\":null}]"));
    cycle_ok("baseline");
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 2), 2);
    e2e_move(&E.sb, ids[0], VI, NULL);
    e2e_move(&E.sb, ids[1], VI, NULL);
    cycle_ok("invitations");
    participant_of(ids[0], k[0], sizeof k[0]);
    participant_of(ids[1], k[1], sizeof k[1]);

    /* a recruiter moves the second on; then both complete */
    e2e_move(&E.sb, ids[1], "Offers & Placements", NULL);
    participant_event(k[0], "complete", NULL);
    participant_event(k[1], "complete", NULL);
    cycle_ok("completed");
    /* the first: the outcome written, and the tenant's rule moved it */
    ck_assert_int_eq(outcomes(ids[0], "Completed"), 1);
    ck_assert_str_eq(stage_of(ids[0]), "Interview");
    ck_assert_int_eq(e2e_actions(&E.sb, ids[0], "not moved"), 0);
    /* the second: the result without the outcome, left where the recruiter put it, one note */
    ck_assert_int_eq(outcomes(ids[1], "Completed"), 0);
    ck_assert_int_eq(e2e_actions(&E.sb, ids[1], "completed the video interview"), 1);
    ck_assert_str_eq(stage_of(ids[1]), "Offers & Placements");
    ck_assert_int_eq(e2e_actions(&E.sb, ids[1], "not moved"), 1);
    ck_assert_int_eq(e2e_actions(&E.sb, ids[1], "left out the outcome"), 1);
    ck_assert_int_eq(e2e_run(&E, NULL, status_args), 0);
    ck_assert_msg(strstr(E.out, "1 outcomes written") != NULL &&
                  strstr(E.out, "1 not moved (a recruiter had moved them on)") != NULL,
                  "%s", E.out);

    /* nothing new: nothing written, nobody moved */
    total = e2e_actions(&E.sb, 0, NULL);
    cycle_ok("quiet");
    ck_assert_int_eq(e2e_actions(&E.sb, 0, NULL), total);
    ck_assert_str_eq(stage_of(ids[1]), "Offers & Placements");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("e2e_life");
    TCase *tc = tcase_create("life");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_whole_life_each_step_once);
    tcase_add_test(tc, test_after_expiry_invites_again_once);
    tcase_add_test(tc, test_the_outcome_moves_only_from_the_trigger_stage);
    suite_add_tcase(s, tc);
    return e2e_run_suite(s);
}
