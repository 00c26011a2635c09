/* Crash safety of the interview's whole life: the lifecycle story (invited, started,
 * completed with the move on, a recruiter's move before the completion, an expiry with its
 * move, then two re-entries: one the "after_expiry" policy invites again, one it refuses) is
 * played again and again, each time with hiresync killed by SIGKILL at its Nth crash point
 * (HIRESYNC_CRASH_AT=N) in every cycle and resumed right after each kill. In the end the
 * sandbox must hold each outcome, note, move and invitation exactly once, and the
 * application a recruiter moved on must never have been moved by hiresync.
 *
 * The kill points are split over two programs (CRASH_PART 1: odd N, 2: even N) so that
 * `make -j2 check` runs them side by side. */
#define _GNU_SOURCE

#include <check.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_e2e_util.h"

#ifndef CRASH_PART
#define CRASH_PART 1
#endif

#define VI "Video Interview"
#define MOVED_ON "Offers & Placements"
#define DAY_MS (24LL * 3600 * 1000)
#define MAX_POINT 160 /* more than the crash points of any cycle of the story (143 at most,
                       * measured; the test fails if its last numbers kill a cycle) */
#define N_CYCLES 6
#define PATCH_ROUTE "PATCH /api/applications/{id}"

static e2e E;
static int kills;
static long long clock_ms; /* the sandbox clock's offset: only ever forward (see play_story) */
static int max_killed[N_CYCLES]; /* per cycle of the story: the largest N that killed it */

/* Cycle `which` of the story killed at crash point n, then resumed until it completes. */
static void cycle_killed_at(int which, int n)
{
    static const char *const args[] = {"run", "--once", "--force", NULL};
    char env[40];
    int rc;
    snprintf(env, sizeof env, "HIRESYNC_CRASH_AT=%d", n);
    rc = e2e_run(&E, env, args);
    if (rc == -SIGKILL) {
        kills++;
        if (n > max_killed[which])
            max_killed[which] = n;
        rc = e2e_run(&E, NULL, args);
    }
    ck_assert_msg(rc == 0, "cycle %d, crash point %d: resumed run exits %d: %s", which, n, rc,
                  E.out);
}

static void config(void)
{
    char pipe[2048];
    snprintf(pipe, sizeof pipe,
             "\"p\": {\"ats\": \"eploy\", \"interviews\": \"willo\", \"interval\": \"3h\", "
             "\"mappings\": [{\"interview\": \"%s\", "
             "\"jobs\": [{\"job\": \"1001\", \"trigger_stages\": [\"" VI "\"]}], "
             "\"outcomes\": {\"invited\": \"Invited\", \"started\": \"Started\", "
             "\"completed\": \"Completed\", \"expired\": \"Expired\"}, "
             "\"on_completed\": \"Interview\", \"on_expired\": \"Rejected\", "
             "\"reinvite\": \"after_expiry\"}]}",
             E.interview);
    e2e_config(&E, "", pipe);
}

/* Outcome actions of application app named `outcome`: exactly want. */
static void outcome_once(int n, long app, const char *outcome, int want)
{
    int got = e2e_outcomes(&E.sb, app, outcome);
    ck_assert_msg(got == want, "point %d: application %ld has %d \"%s\" outcome(s), want %d", n,
                  app, got, outcome, want);
}

static void count_is(int n, const char *what, int got, int want)
{
    ck_assert_msg(got == want, "point %d: %d %s, want %d; last output: %s", n, got, what, want,
                  E.out);
}

/* A (ids[0]) starts and completes: moved on to Interview. B (ids[1]) is moved on by a
 * recruiter, then completes: never moved, one note saying so. C (ids[2]) starts and lets the
 * deadline pass: moved to Rejected, then back in the trigger stage it is invited again
 * (after_expiry); A back in the trigger stage is refused with one note. */
static void play_story(int n)
{
    char cmd[400], a[64], b[64], c[64];
    long ids[3];
    int total;
    json_object_put(e2e_admin(&E.sb, "POST", "/reset", NULL));
    /* A clock set back stamps changes after the last stamp, in the servers' future, where the
     * connectors leave them until their time comes: each story starts where the last ended. */
    clock_ms += DAY_MS;
    e2e_clock(&E.sb, clock_ms);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", E.state_dir);
    ck_assert_int_eq(system(cmd), 0);
    cycle_killed_at(0, n);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 3), 3);
    for (int i = 0; i < 3; i++)
        e2e_move(&E.sb, ids[i], VI, NULL);
    cycle_killed_at(1, n);
    count_is(n, "invitations", e2e_participants(&E.sb, E.interview, NULL), 3);
    e2e_participant_of(&E.sb, E.interview, ids[0], a, sizeof a);
    e2e_participant_of(&E.sb, E.interview, ids[1], b, sizeof b);
    e2e_participant_of(&E.sb, E.interview, ids[2], c, sizeof c);
    e2e_participant_event(&E.sb, a, "start", NULL);
    e2e_participant_event(&E.sb, c, "start", NULL);
    cycle_killed_at(2, n);
    e2e_participant_event(&E.sb, a, "complete", "{\"score\":\"8.5\"}");
    e2e_move(&E.sb, ids[1], MOVED_ON, NULL);
    e2e_participant_event(&E.sb, b, "complete", NULL);
    cycle_killed_at(3, n);
    ck_assert_str_eq(e2e_stage_of(&E.sb, ids[0]), "Interview");
    ck_assert_str_eq(e2e_stage_of(&E.sb, ids[1]), MOVED_ON);
    clock_ms += 8 * DAY_MS;
    e2e_clock(&E.sb, clock_ms);
    cycle_killed_at(4, n);
    ck_assert_str_eq(e2e_stage_of(&E.sb, ids[2]), "Rejected");
    e2e_move(&E.sb, ids[2], VI, NULL);
    e2e_move(&E.sb, ids[0], VI, NULL);
    cycle_killed_at(5, n);
    ck_assert_msg(e2e_cycle(&E) == 0, "point %d: clean cycle: %s", n, E.out);

    /* exactly once, none missing */
    count_is(n, "invitations", e2e_participants(&E.sb, E.interview, NULL), 4);
    outcome_once(n, ids[0], "Invited", 1);
    outcome_once(n, ids[0], "Started", 1);
    outcome_once(n, ids[0], "Completed", 1);
    outcome_once(n, ids[1], "Invited", 1);
    outcome_once(n, ids[1], "Started", 1); /* a completion is a start too */
    outcome_once(n, ids[1], "Completed", 1);
    outcome_once(n, ids[2], "Invited", 2); /* the first invitation and the second */
    outcome_once(n, ids[2], "Started", 1);
    outcome_once(n, ids[2], "Expired", 1);
    outcome_once(n, ids[2], "Completed", 0);
    count_is(n, "result notes on A", e2e_actions(&E.sb, ids[0], "completed the video interview"),
             1);
    count_is(n, "result notes on B", e2e_actions(&E.sb, ids[1], "completed the video interview"),
             1);
    count_is(n, "not-moved notes on B", e2e_actions(&E.sb, ids[1], "not move"), 1);
    count_is(n, "not-moved notes on A", e2e_actions(&E.sb, ids[0], "not move"), 0);
    count_is(n, "refusal notes on A", e2e_actions(&E.sb, ids[0], "reinvite"), 1);
    count_is(n, "refusal notes on C", e2e_actions(&E.sb, ids[2], "reinvite"), 0);
    /* two moves by hiresync (A to Interview, C to Rejected): one update each, none of B */
    count_is(n, "moves", e2e_answers(&E.sb, "eploy", PATCH_ROUTE, "200"), 2);
    ck_assert_str_eq(e2e_stage_of(&E.sb, ids[1]), MOVED_ON);

    /* and one more cycle changes nothing */
    total = e2e_actions(&E.sb, 0, NULL);
    ck_assert_msg(e2e_cycle(&E) == 0, "point %d: quiet cycle: %s", n, E.out);
    count_is(n, "actions after a quiet cycle", e2e_actions(&E.sb, 0, NULL), total);
    count_is(n, "invitations after a quiet cycle", e2e_participants(&E.sb, E.interview, NULL), 4);
    count_is(n, "moves after a quiet cycle", e2e_answers(&E.sb, "eploy", PATCH_ROUTE, "200"), 2);
}

static void setup(void)
{
    static const char *const args[] = {"--willo-deadline-days", "7", NULL};
    e2e_start(&E, args);
}

static void teardown(void)
{
    e2e_stop(&E);
}

START_TEST(test_life_killed_anywhere_each_step_once)
{
    int largest = 0, last = 0;
    config();
    kills = 0;
    clock_ms = 0;
    memset(max_killed, 0, sizeof max_killed);
    for (int n = CRASH_PART; n <= MAX_POINT; n += 2) {
        play_story(n);
        last = n;
    }
    for (int i = 0; i < N_CYCLES; i++)
        if (max_killed[i] > largest)
            largest = max_killed[i];
    fprintf(stderr, "crash test (life, part %d): %d kills at crash point numbers up to %d; "
            "cycles killed up to point %d %d %d %d %d %d; no duplicate, none lost\n", CRASH_PART,
            kills, MAX_POINT, max_killed[0], max_killed[1], max_killed[2], max_killed[3],
            max_killed[4], max_killed[5]);
    /* the bound is above every cycle's crash points: the last number killed nothing */
    ck_assert_msg(largest < last, "a cycle was killed at point %d: raise MAX_POINT (%d)",
                  largest, MAX_POINT);
    ck_assert_int_ge(kills, 200);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("crash_life");
    TCase *tc = tcase_create("crash_life");
    tcase_set_timeout(tc, 600);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_life_killed_anywhere_each_step_once);
    suite_add_tcase(s, tc);
    return e2e_run_suite(s);
}
