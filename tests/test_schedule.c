/* The schedule's due times (host/status.h): an external scheduler firing every interval with
 * start delays runs every interval, the daemon's spread stays small and never accumulates,
 * failures back off, a remote system's retry time is kept, and a clock that went back does
 * not stall a pipeline. Driven with a test clock: no waiting. */
#define _DEFAULT_SOURCE

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../host/status.h"

#define H (3600 * 1000LL)
#define MIN (60 * 1000LL)

static char dir[256];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/hs-test-schedule-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Records a cycle of pipeline "p" that started at `start` with the given outcome; returns the
 * next due time it computed. */
static int64_t cycle_at(int64_t start, hs_status st, int32_t retry_after_s, int64_t interval_s)
{
    hs_cycle_result r;
    hs_status_cycle sc;
    char err[256];
    memset(&r, 0, sizeof r);
    memset(&sc, 0, sizeof sc);
    r.started_ms = start;
    r.duration_ms = 2000;
    r.status = st;
    r.result = st == HS_OK ? "ok" : st == HS_E_CANCELLED ? "cancelled" : "failed";
    r.retry_after_s = retry_after_s;
    sc.result = &r;
    sc.interval_s = interval_s;
    ck_assert_msg(hs_status_write(dir, "p", &sc, err, sizeof err) == 0, "%s", err);
    return sc.next_due_ms;
}

/* `run --once` at now: runs the cycle when due; returns 1 when it ran. */
static int once_at(int64_t now, int64_t interval_s)
{
    json_object *rec = hs_status_read(dir, "p");
    int due = hs_status_due_within_grace("p", rec, now, interval_s);
    json_object_put(rec);
    if (due)
        (void)cycle_at(now, HS_OK, 0, interval_s);
    return due;
}

/* The shipped CronJob (every 3 hours, on the hour) over 24 hours, each start delayed by -2..+2 minutes:
 * 8 cycles, for many random delay sequences. */
START_TEST(test_cron_every_3h_with_delays_runs_every_tick)
{
    const int64_t base = 1800000000000LL - 1800000000000LL % (3 * H);
    srand(20260101u);
    for (int trial = 0; trial < 300; trial++) {
        int ran = 0;
        char path[300];
        snprintf(path, sizeof path, "%s/p.status", dir);
        (void)unlink(path);
        for (int tick = 0; tick < 8; tick++) {
            int64_t delay = (int64_t)(rand() % 240001) - 120000;
            ran += once_at(base + tick * 3 * H + delay, 3 * 3600);
        }
        ck_assert_msg(ran == 8, "trial %d: %d cycles in 24 hours, not 8", trial, ran);
    }
}
END_TEST

/* Right after a cycle, another --once is not due: the grace is not a way to run twice. */
START_TEST(test_not_due_right_after_a_cycle)
{
    const int64_t t = 1800000000000LL;
    ck_assert_int_eq(once_at(t, 3 * 3600), 1);
    ck_assert_int_eq(once_at(t + 1000, 3 * 3600), 0);
    ck_assert_int_eq(once_at(t + 2 * H, 3 * 3600), 0);
    /* the grace: 10% of 3 hours (18 minutes) */
    ck_assert_int_eq(hs_status_grace_ms(3 * 3600), 18 * MIN);
    ck_assert_int_eq(once_at(t + 3 * H - 19 * MIN, 3 * 3600), 0);
    ck_assert_int_eq(once_at(t + 3 * H - 17 * MIN, 3 * 3600), 1);
    /* at least 5 minutes, at most half the interval */
    ck_assert_int_eq(hs_status_grace_ms(3600), 6 * MIN);
    ck_assert_int_eq(hs_status_grace_ms(20 * 60), 5 * MIN);
    ck_assert_int_eq(hs_status_grace_ms(60), 30000);
}
END_TEST

/* The daemon runs at due + spread; the spread is small, stable, and does not accumulate:
 * the due times stay on the slots of the first start. */
START_TEST(test_spread_is_small_and_never_accumulates)
{
    const int64_t t = 1800000000000LL;
    int64_t due, smin = INT64_MAX, smax = 0;
    for (int i = 0; i < 50; i++) {
        char name[32];
        int64_t s;
        snprintf(name, sizeof name, "tenant-%d", i);
        s = hs_status_spread_ms(name, 3 * 3600);
        ck_assert(s >= 0 && s < 5 * MIN);
        ck_assert(s == hs_status_spread_ms(name, 3 * 3600));
        smin = s < smin ? s : smin;
        smax = s > smax ? s : smax;
        ck_assert(hs_status_spread_ms(name, 60) < 6000);
    }
    ck_assert_msg(smax - smin > MIN, "tenants spread out");
    due = cycle_at(t, HS_OK, 0, 3 * 3600);
    ck_assert(due == t + 3 * H);
    for (int k = 1; k <= 16; k++) {
        int64_t start = due + hs_status_spread_ms("p", 3 * 3600) + 1500; /* the wake is late */
        due = cycle_at(start, HS_OK, 0, 3 * 3600);
        ck_assert_msg(due == t + (k + 1) * 3 * H, "cycle %d: due %lld, slot %lld", k,
                      (long long)due, (long long)(t + (k + 1) * 3 * H));
    }
    /* a start far from its slot (the host was down) starts a new schedule from there */
    due = cycle_at(due + 10 * H, HS_OK, 0, 3 * 3600);
    ck_assert(due == t + 17 * 3 * H + 10 * H + 3 * H);
}
END_TEST

START_TEST(test_failures_back_off)
{
    const int64_t t = 1800000000000LL;
    /* transient: 1 minute doubling up to the interval */
    ck_assert_int_eq(hs_status_backoff_ms(HS_RETRY, 1, 3 * 3600), MIN);
    ck_assert_int_eq(hs_status_backoff_ms(HS_RETRY, 2, 3 * 3600), 2 * MIN);
    ck_assert_int_eq(hs_status_backoff_ms(HS_RETRY, 5, 3 * 3600), 16 * MIN);
    ck_assert_int_eq(hs_status_backoff_ms(HS_RETRY, 40, 3 * 3600), 3 * H);
    /* a person must fix it: faster to the interval */
    ck_assert_int_eq(hs_status_backoff_ms(HS_E_CONFIG, 1, 3 * 3600), MIN);
    ck_assert_int_eq(hs_status_backoff_ms(HS_E_CONFIG, 3, 3 * 3600), 16 * MIN);
    ck_assert_int_eq(hs_status_backoff_ms(HS_E_PERMISSION, 6, 3 * 3600), 3 * H);
    /* recorded: failures in a row count */
    ck_assert(cycle_at(t, HS_E_CONFIG, 0, 3 * 3600) == t + 2000 + MIN);
    ck_assert(cycle_at(t + 2 * MIN, HS_E_CONFIG, 0, 3 * 3600) == t + 2 * MIN + 2000 + 4 * MIN);
    ck_assert(cycle_at(t + 10 * MIN, HS_OK, 0, 3 * 3600) == t + 10 * MIN + 3 * H);
    ck_assert(cycle_at(t + 4 * H, HS_RETRY, 0, 3 * 3600) == t + 4 * H + 2000 + MIN);
}
END_TEST

/* A remote system's "not before" (a daily quota) holds for --once too, grace or not. */
START_TEST(test_retry_after_is_kept)
{
    const int64_t t = 1800000000000LL;
    json_object *rec, *last, *v;
    int64_t due = cycle_at(t, HS_RETRY, 10 * 3600, 3 * 3600);
    ck_assert(due == t + 2000 + 10 * H);
    rec = hs_status_read(dir, "p");
    ck_assert(json_object_object_get_ex(rec, "last", &last));
    ck_assert(json_object_object_get_ex(last, "retry_at_ms", &v));
    ck_assert(json_object_get_int64(v) == t + 2000 + 10 * H);
    ck_assert(json_object_object_get_ex(rec, "next_due_ms", &v));
    ck_assert(json_object_get_int64(v) == due);
    ck_assert(hs_status_retry_at(rec) == due);
    ck_assert(!hs_status_due_within_grace("p", rec, t + 5 * MIN, 3 * 3600));
    ck_assert(!hs_status_due_within_grace("p", rec, t + 3 * H + 1, 3 * 3600));
    ck_assert(!hs_status_due_within_grace("p", rec, due - 1000, 3 * 3600));
    ck_assert(hs_status_due_within_grace("p", rec, due, 3 * 3600));
    json_object_put(rec);
}
END_TEST

/* A cancelled cycle is due at once and does not count as a failure. */
START_TEST(test_cancelled_cycle_is_due_at_once)
{
    const int64_t t = 1800000000000LL;
    json_object *rec, *last, *v;
    (void)cycle_at(t, HS_OK, 0, 3 * 3600);
    ck_assert(cycle_at(t + 3 * H, HS_E_CANCELLED, 0, 3 * 3600) == t + 3 * H);
    rec = hs_status_read(dir, "p");
    ck_assert(json_object_object_get_ex(rec, "last", &last));
    ck_assert(json_object_object_get_ex(last, "cancelled", &v) && json_object_get_boolean(v));
    ck_assert(json_object_object_get_ex(rec, "failures", &v) && json_object_get_int(v) == 0);
    ck_assert(hs_status_due_within_grace("p", rec, t + 3 * H + 1000, 3 * 3600));
    json_object_put(rec);
}
END_TEST

/* A record written before the clock went back (its due time is more than an interval away)
 * does not stall the pipeline. */
START_TEST(test_clock_gone_back_does_not_stall)
{
    const int64_t t = 1800000000000LL;
    json_object *rec;
    (void)cycle_at(t, HS_OK, 0, 3 * 3600);
    rec = hs_status_read(dir, "p");
    ck_assert(hs_status_due_within_grace("p", rec, t - 2 * 24 * H, 3 * 3600));
    ck_assert(!hs_status_due_within_grace("p", rec, t + 1000, 3 * 3600));
    json_object_put(rec);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("schedule");
    TCase *tc = tcase_create("due");
    SRunner *sr;
    int failed;
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_cron_every_3h_with_delays_runs_every_tick);
    tcase_add_test(tc, test_not_due_right_after_a_cycle);
    tcase_add_test(tc, test_spread_is_small_and_never_accumulates);
    tcase_add_test(tc, test_failures_back_off);
    tcase_add_test(tc, test_retry_after_is_kept);
    tcase_add_test(tc, test_cancelled_cycle_is_due_at_once);
    tcase_add_test(tc, test_clock_gone_back_does_not_stall);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
