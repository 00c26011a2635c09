/* Crash safety: the story (baseline, three candidates moved to the trigger stage, two
 * interviews completed) is played again and again, each time with the hiresync process killed
 * by SIGKILL at its Nth crash point (HIRESYNC_CRASH_AT=N: between remote calls, between
 * records, inside state writes) in every cycle, and resumed right after each kill. In the
 * end the sandbox must hold every expected invitation and note exactly once. The same again
 * with the kills placed inside the state journal's writes by name. */
#define _GNU_SOURCE

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_e2e_util.h"

#define VI "Video Interview"
#define COMPLETED_NOTE "completed the video interview"
#define MAX_POINT 110 /* more than the crash points of any cycle of the story (99 at most) */

static e2e E;
static int kills;
static int torn_dropped;
static const char *crash_where; /* NULL: count every crash point */

/* One cycle killed at crash point n, then resumed until it completes. */
static void cycle_killed_at(int n)
{
    static const char *const args[] = {"run", "--once", "--force", NULL};
    char env[40];
    int rc;
    snprintf(env, sizeof env, "HIRESYNC_CRASH_AT=%d", n);
    if (crash_where != NULL) {
        char env2[200];
        snprintf(env2, sizeof env2, "%s\nHIRESYNC_CRASH_WHERE=%s", env, crash_where);
        rc = e2e_run(&E, env2, args);
    } else {
        rc = e2e_run(&E, env, args);
    }
    if (rc == -SIGKILL) {
        kills++;
        rc = e2e_run(&E, NULL, args);
        if (strstr(E.out, "dropped a torn last record") != NULL)
            torn_dropped++;
    }
    ck_assert_msg(rc == 0, "crash point %d: resumed run exits %d: %s", n, rc, E.out);
}

static void play_story(int n)
{
    char cmd[400], keys[8][64];
    long ids[4], st = 0;
    ck_assert_int_eq(hs_test_admin(&E.sb, "POST", "/reset", NULL, &st, NULL), 0);
    ck_assert_int_eq(st, 200);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", E.state_dir);
    ck_assert_int_eq(system(cmd), 0);
    cycle_killed_at(n);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 4), 4);
    for (int i = 0; i < 3; i++)
        e2e_move(&E.sb, ids[i], VI, NULL);
    e2e_move(&E.sb, ids[3], "Interview", NULL);
    cycle_killed_at(n);
    ck_assert_int_eq(e2e_participant_keys(&E.sb, E.interview, keys, 8), 3);
    e2e_complete(&E.sb, keys[0]);
    e2e_complete(&E.sb, keys[1]);
    cycle_killed_at(n);
    ck_assert_int_eq(e2e_cycle(&E), 0);
    /* exactly once, none missing */
    ck_assert_msg(e2e_participants(&E.sb, E.interview, NULL) == 3, "point %d: %d invitations",
                  n, e2e_participants(&E.sb, E.interview, NULL));
    ck_assert_msg(e2e_actions(&E.sb, 0, COMPLETED_NOTE) == 2, "point %d: %d notes", n,
                  e2e_actions(&E.sb, 0, COMPLETED_NOTE));
    ck_assert_int_eq(e2e_actions(&E.sb, 0, keys[0]), 1);
    ck_assert_int_eq(e2e_actions(&E.sb, 0, keys[1]), 1);
    ck_assert_int_eq(e2e_actions(&E.sb, 0, keys[2]), 0);
    ck_assert_int_eq(e2e_actions(&E.sb, ids[3], NULL), 0);
}

static void setup(void)
{
    e2e_start(&E, NULL);
}

static void teardown(void)
{
    e2e_stop(&E);
}

START_TEST(test_killed_anywhere_everything_happens_exactly_once)
{
    char pipe[2048];
    e2e_pipeline(pipe, sizeof pipe, "p", "eploy", E.interview,
                 "[{\"job\": \"1001\", \"trigger_stages\": [\"Video Interview\"]}]");
    e2e_config(&E, "", pipe);
    kills = 0;
    for (int n = 1; n <= MAX_POINT; n++)
        play_story(n);
    fprintf(stderr, "crash test: %d kills at %d crash point numbers, no duplicate, none lost\n",
            kills, MAX_POINT);
    ck_assert_int_ge(kills, 50);
}
END_TEST

/* Kills inside the journal's own steps, by name: a record half written (the torn last line a
 * power cut leaves), written but not synced, synced; a snapshot written before its journal
 * is emptied, and after. */
START_TEST(test_killed_inside_journal_writes)
{
    static const char *const where[] = {"state: journal record half written",
                                        "state: journal record written",
                                        "state: journal record synced",
                                        "state: snapshot written, journal not yet emptied",
                                        "state: previous journal kept",
                                        "state: journal emptied"};
    char pipe[2048];
    e2e_pipeline(pipe, sizeof pipe, "p", "eploy", E.interview,
                 "[{\"job\": \"1001\", \"trigger_stages\": [\"Video Interview\"]}]");
    e2e_config(&E, "", pipe);
    kills = 0;
    torn_dropped = 0;
    for (size_t w = 0; w < sizeof where / sizeof where[0]; w++) {
        crash_where = where[w];
        for (int n = 1; n <= 5; n++)
            play_story(n);
    }
    crash_where = NULL;
    fprintf(stderr, "crash test: %d kills inside journal writes, %d torn last records dropped, "
            "no duplicate, none lost\n", kills, torn_dropped);
    ck_assert_int_ge(kills, 40);
    ck_assert_int_ge(torn_dropped, 5);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("crash");
    TCase *tc = tcase_create("crash");
    tcase_set_timeout(tc, 300);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_killed_anywhere_everything_happens_exactly_once);
    tcase_add_test(tc, test_killed_inside_journal_writes);
    suite_add_tcase(s, tc);
    return e2e_run_suite(s);
}
