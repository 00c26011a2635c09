/* What an idle daemon cycle costs, counted by the sandbox (GET /stats): with the jobs and
 * interviews kept by the discovery cache, an idle Eploy -> Willo cycle makes at most 3
 * requests; once the cache is older than discovery_ttl, or after a reload, the jobs are
 * listed again. */
#define _GNU_SOURCE

#include <check.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test_e2e_util.h"

#define H 3600LL
#define IDLE_MAX 3

static e2e E;
static const char *const JOB_VI = "[{\"job\": \"1001\", \"trigger_stages\": [\"Video Interview\"]}]";

static void setup(void)
{
    e2e_start(&E, NULL);
}

static void teardown(void)
{
    e2e_stop(&E);
}

static long long last_start(void)
{
    char path[400];
    json_object *rec, *last, *v;
    long long n = -1;
    snprintf(path, sizeof path, "%s/p.status", E.state_dir);
    if (access(path, F_OK) != 0 || (rec = json_object_from_file(path)) == NULL)
        return -1;
    if (json_object_object_get_ex(rec, "last", &last) &&
        json_object_object_get_ex(last, "started_ms", &v))
        n = (long long)json_object_get_int64(v);
    json_object_put(rec);
    return n;
}

static int wait_start(long long want_s)
{
    for (int i = 0; i < 1000; i++) {
        if (last_start() == want_s * 1000)
            return 1;
        usleep(20000);
    }
    return 0;
}

static void set_clock(const char *file, long long wall_s, long long mono_s)
{
    char tmp[420];
    FILE *f;
    snprintf(tmp, sizeof tmp, "%s.tmp", file);
    f = fopen(tmp, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%lld %lld\n", wall_s, mono_s);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(rename(tmp, file), 0);
}

/* Requests both services answered since the last reset; *routes gets the stats as text. */
static long requests(char *routes, size_t size)
{
    long status = 0, n = 0;
    char *body = NULL;
    json_object *st, *s, *v;
    const char *servers[] = {"eploy", "willo"};
    ck_assert_int_eq(hs_test_admin(&E.sb, "GET", "/stats", NULL, &status, &body), 0);
    ck_assert_int_eq(status, 200);
    st = json_tokener_parse(body);
    for (int i = 0; i < 2; i++)
        if (json_object_object_get_ex(st, servers[i], &s) &&
            json_object_object_get_ex(s, "requests", &v))
            n += (long)json_object_get_int64(v);
    snprintf(routes, size, "%s", body);
    json_object_put(st);
    free(body);
    return n;
}

static void reset_stats(void)
{
    long status = 0;
    ck_assert_int_eq(hs_test_admin(&E.sb, "DELETE", "/stats", NULL, &status, NULL), 0);
}

/* One daemon cycle at wall time at_s (monotonic mono_s): its requests. */
static long cycle_at(pid_t pid, const char *clock, long long at_s, long long mono_s,
                     char *routes, size_t size)
{
    reset_stats();
    set_clock(clock, at_s, mono_s);
    if (!wait_start(at_s)) {
        kill(pid, SIGTERM);
        e2e_wait(&E, pid);
        ck_abort_msg("the cycle at %lld did not run: %s", at_s, E.out);
    }
    return requests(routes, size);
}

/* Stops the daemon and fails with what it said. */
#define DAEMON_ASSERT(pid, cond, ...)                                                          \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            kill(pid, SIGTERM);                                                             \
            e2e_wait(&E, pid);                                                              \
            fprintf(stderr, "%s\n", E.out);                                                 \
            ck_abort_msg(__VA_ARGS__);                                                      \
        }                                                                                   \
    } while (0)

START_TEST(test_idle_daemon_cycle_costs_at_most_3_requests)
{
    static const char *const run[] = {"run", NULL};
    char pipe[2048], clock[400], env[512], routes[8192];
    long long w = (long long)time(NULL) + 4 * H, m = 100000;
    long n;
    pid_t pid;
    e2e_pipeline(pipe, sizeof pipe, "p", "eploy", E.interview, JOB_VI);
    e2e_config(&E, "\"discovery_ttl\": \"4h\",", pipe);
    ck_assert_msg(e2e_cycle(&E) == 0, "baseline: %s", E.out);
    snprintf(clock, sizeof clock, "%s/clock", E.dir);
    snprintf(env, sizeof env, "HIRESYNC_FAKE_NOW_FILE=%s", clock);
    set_clock(clock, w, m);
    pid = e2e_spawn(&E, env, run);
    /* the daemon's first cycle lists the jobs and interviews */
    n = cycle_at(pid, clock, w, m, routes, sizeof routes);
    DAEMON_ASSERT(pid, n > IDLE_MAX, "the first cycle made only %ld requests: %s", n, routes);
    /* the next ones, within the ttl, do not */
    n = cycle_at(pid, clock, w + 3 * H + 400, m + 3 * H + 400, routes, sizeof routes);
    DAEMON_ASSERT(pid, n <= IDLE_MAX, "an idle cycle made %ld requests (at most %d): %s", n,
                  IDLE_MAX, routes);
    DAEMON_ASSERT(pid, strstr(routes, "vacancies") == NULL, "%s", routes);
    /* past the ttl (4 h after the listing) they are listed again */
    n = cycle_at(pid, clock, w + 6 * H + 800, m + 6 * H + 800, routes, sizeof routes);
    DAEMON_ASSERT(pid, n > IDLE_MAX && strstr(routes, "vacancies") != NULL,
                  "an expired cache was used (%ld requests): %s", n, routes);
    /* a reload forgets the listing */
    ck_assert_int_eq(kill(pid, SIGHUP), 0);
    usleep(300000);
    n = cycle_at(pid, clock, w + 9 * H + 1200, m + 9 * H + 1200, routes, sizeof routes);
    DAEMON_ASSERT(pid, n > IDLE_MAX && strstr(routes, "vacancies") != NULL,
                  "a reload kept the listing (%ld requests): %s", n, routes);
    ck_assert_int_eq(kill(pid, SIGTERM), 0);
    ck_assert_msg(e2e_wait(&E, pid) == 0, "%s", E.out);
}
END_TEST

/* Replaces the first `from` in the configuration file with `to`. */
static void config_edit(const char *from, const char *to)
{
    char buf[8192], out[8400], *at;
    FILE *f = fopen(E.config, "r");
    size_t n;
    ck_assert_ptr_nonnull(f);
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    at = strstr(buf, from);
    ck_assert_ptr_nonnull(at);
    snprintf(out, sizeof out, "%.*s%s%s", (int)(at - buf), buf, to, at + strlen(from));
    f = fopen(E.config, "w");
    ck_assert_ptr_nonnull(f);
    fputs(out, f);
    ck_assert_int_eq(fclose(f), 0);
}

/* check: a 3-hour interval is 8 cycles a day, a 4-hour cache 6 listings of 3 calls: 26 calls,
 * set against the budget (a warning past half of it). */
START_TEST(test_check_prints_the_daily_cost_against_the_budget)
{
    static const char *const check_args[] = {"check", NULL};
    char pipe[2048];
    e2e_pipeline(pipe, sizeof pipe, "p", "eploy", E.interview, JOB_VI);
    e2e_config(&E, "\"discovery_ttl\": \"4h\",", pipe);
    ck_assert_msg(e2e_run(&E, NULL, check_args) == 0, "%s", E.out);
    ck_assert_msg(strstr(E.out, "OK    daily calls: the configured intervals cost about 26 "
                         "calls a day when nothing changes (8 cycles of 1 pipeline(s), the "
                         "jobs listed 6 times); no daily_call_budget is set") != NULL,
                  "%s", E.out);
    config_edit("\"signpost_lag_s\": 0", "\"signpost_lag_s\": 0, \"daily_call_budget\": 40");
    e2e_run(&E, NULL, check_args);
    ck_assert_msg(strstr(E.out, "WARN  daily calls: ") != NULL &&
                  strstr(E.out, "about 26 calls a day") != NULL &&
                  strstr(E.out, "65% of daily_call_budget 40") != NULL, "%s", E.out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("e2e_idle");
    TCase *tc = tcase_create("idle");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_idle_daemon_cycle_costs_at_most_3_requests);
    tcase_add_test(tc, test_check_prints_the_daily_cost_against_the_budget);
    suite_add_tcase(s, tc);
    return e2e_run_suite(s);
}
