/* Clock skew end to end: the real hiresync program against a sandbox whose clock runs ahead of
 * or behind this machine's (--clock-offset-ms, POST /clock), and a host clock that jumps
 * (HIRESYNC_FAKE_NOW). Whatever the skew, every candidate moved into the trigger stage before
 * or after any cycle is invited exactly once and every completion gets exactly one note. */
#define _GNU_SOURCE

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test_e2e_util.h"

#define VI "Video Interview"
#define COMPLETED_NOTE "completed the video interview"
#define DAY_MS (86400LL * 1000)
#define MIN_MS (60LL * 1000)
#define ROUNDS 3

static e2e E;

static const char *const JOB_VI = "[{\"job\": \"1001\", \"trigger_stages\": [\"Video Interview\"]}]";

/* What one round does to the clocks before its cycle. */
typedef struct round_clock {
    int set_offset;              /* set the sandbox's offset to offset_ms first */
    long long offset_ms;
    long long host_ahead_ms;     /* run this cycle with the host's clock so far ahead (0: real) */
} round_clock;

static void start(long long offset_ms)
{
    char arg[32];
    const char *args[] = {"--clock-offset-ms", arg, NULL};
    char pipe[2048];

    snprintf(arg, sizeof arg, "%lld", offset_ms);
    e2e_start(&E, args);
    e2e_pipeline(pipe, sizeof pipe, "p", "eploy", E.interview, JOB_VI);
    e2e_config(&E, "", pipe);
}

static void set_offset(long long offset_ms)
{
    char body[64];
    long status = 0;
    char *text = NULL;

    snprintf(body, sizeof body, "{\"offset_ms\": %lld}", offset_ms);
    ck_assert_int_eq(hs_test_admin(&E.sb, "POST", "/clock", body, &status, &text), 0);
    ck_assert_msg(status == 200, "POST /clock: %ld %s", status, text ? text : "");
    free(text);
}

static void cycle(long long host_ahead_ms, const char *when)
{
    static const char *const once[] = {"run", "--once", "--force", NULL};
    char env[64];

    if (host_ahead_ms != 0)
        snprintf(env, sizeof env, "HIRESYNC_FAKE_NOW=%lld",
                 ((long long)time(NULL) * 1000 + host_ahead_ms) / 1000);
    ck_assert_msg(e2e_run(&E, host_ahead_ms != 0 ? env : NULL, once) == 0, "%s: %s", when,
                  E.out);
}

/* Baseline, then ROUNDS rounds: move a candidate, complete the previous round's interview,
 * change the clocks as told, run a cycle. A last cycle with real clocks collects the rest. */
/* Completes the interviews of participants not completed yet. */
static void complete_new(char done[][64], int *n_done)
{
    char keys[64][64];
    int n = e2e_participant_keys(&E.sb, E.interview, keys, 64);

    for (int i = 0; i < n; i++) {
        int seen = 0;
        for (int j = 0; j < *n_done && !seen; j++)
            seen = strcmp(done[j], keys[i]) == 0;
        if (seen || *n_done >= 64)
            continue;
        e2e_complete(&E.sb, keys[i]);
        memcpy(done[*n_done], keys[i], sizeof keys[i]);
        done[(*n_done)++][63] = '\0';
    }
}

static void story(long long start_offset_ms, const round_clock *rounds)
{
    long ids[ROUNDS + 1];
    char keys[64][64], done[64][64];
    int n, n_done = 0;

    start(start_offset_ms);
    cycle(0, "baseline");
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, ROUNDS + 1), ROUNDS + 1);
    /* one candidate moved just after the baseline cycle */
    e2e_move(&E.sb, ids[0], VI, NULL);
    for (int r = 0; r < ROUNDS; r++) {
        char when[32];
        snprintf(when, sizeof when, "round %d", r + 1);
        if (rounds[r].set_offset)
            set_offset(rounds[r].offset_ms);
        e2e_move(&E.sb, ids[r + 1], VI, NULL);
        complete_new(done, &n_done);
        cycle(rounds[r].host_ahead_ms, when);
    }
    /* Dates have whole seconds: let the server's clock pass the last stamp, then settle. */
    sleep(2);
    cycle(0, "last");
    complete_new(done, &n_done);
    sleep(2);
    cycle(0, "notes");
    cycle(0, "nothing left");

    for (int i = 0; i <= ROUNDS; i++) {
        char needle[32];
        snprintf(needle, sizeof needle, ".%ld@", e2e_candidate_of(&E.sb, ids[i]));
        ck_assert_msg(e2e_participants(&E.sb, E.interview, needle) == 1,
                      "application %ld (moved %s round %d) invited %d times", ids[i],
                      i == 0 ? "after the baseline, before" : "before", i,
                      e2e_participants(&E.sb, E.interview, needle));
    }
    n = e2e_participant_keys(&E.sb, E.interview, keys, 64);
    ck_assert_int_eq(n, ROUNDS + 1);
    ck_assert_int_eq(e2e_actions(&E.sb, 0, COMPLETED_NOTE), ROUNDS + 1);
    for (int i = 0; i < n; i++)
        ck_assert_msg(e2e_actions(&E.sb, 0, keys[i]) == 1, "participant %s: %d notes", keys[i],
                      e2e_actions(&E.sb, 0, keys[i]));
}

static void steady(long long host_ahead_of_server_ms)
{
    static const round_clock same[ROUNDS] = {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}};
    story(-host_ahead_of_server_ms, same);
}

static void teardown(void)
{
    e2e_stop(&E);
}

START_TEST(test_host_two_days_ahead)
{
    steady(2 * DAY_MS);
}
END_TEST

START_TEST(test_host_two_days_behind)
{
    steady(-2 * DAY_MS);
}
END_TEST

START_TEST(test_host_ten_minutes_ahead)
{
    steady(10 * MIN_MS);
}
END_TEST

START_TEST(test_host_ten_minutes_behind)
{
    steady(-10 * MIN_MS);
}
END_TEST

/* The host's clock two days ahead of the server's for two cycles, then back to normal (the
 * server's clock jumps forward relative to it), and a cycle two days behind after that. */
START_TEST(test_host_clock_jumps_back_mid_run)
{
    static const round_clock rounds[ROUNDS] = {
        {0, 0, 0}, {1, 0, 0}, {1, 2 * DAY_MS, 0}};
    story(-2 * DAY_MS, rounds);
}
END_TEST

/* Server steady; the host's own clock jumps two days ahead for one cycle, then back. */
START_TEST(test_host_clock_jumps_ahead_and_back_mid_run)
{
    static const round_clock rounds[ROUNDS] = {
        {0, 0, 0}, {0, 0, 2 * DAY_MS}, {0, 0, 0}};
    story(0, rounds);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("skew");
    TCase *tc = tcase_create("skew");

    tcase_set_timeout(tc, 90);
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, test_host_two_days_ahead);
    tcase_add_test(tc, test_host_two_days_behind);
    tcase_add_test(tc, test_host_ten_minutes_ahead);
    tcase_add_test(tc, test_host_ten_minutes_behind);
    tcase_add_test(tc, test_host_clock_jumps_back_mid_run);
    tcase_add_test(tc, test_host_clock_jumps_ahead_and_back_mid_run);
    suite_add_tcase(s, tc);
    return e2e_run_suite(s);
}
