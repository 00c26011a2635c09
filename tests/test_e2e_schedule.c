/* The schedule end to end: the real program (its test build where a test clock or a crash
 * hook is needed) against the sandbox. An external scheduler every 3 hours runs every time;
 * the daemon waits on the monotonic clock through wall-clock jumps; one pipeline's failure
 * stays in it while the daemon goes on; a cancelled or killed cycle is due again at once; a
 * remote system's retry time holds; the installed program ignores the test hooks. */
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

#define VI "Video Interview"
#define H 3600LL
#define DAY (24 * H)

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

/* The status record of a pipeline (a new reference), NULL when there is none. */
static json_object *record(const char *pipeline)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s.status", E.state_dir, pipeline);
    if (access(path, F_OK) != 0)
        return NULL;
    return json_object_from_file(path);
}

static long long rec_num(const char *pipeline, const char *key, const char *last_key)
{
    json_object *rec = record(pipeline), *o = rec, *v;
    long long n = -1;
    if (rec != NULL && last_key != NULL && !json_object_object_get_ex(rec, "last", &o))
        o = NULL;
    if (o != NULL && json_object_object_get_ex(o, last_key ? last_key : key, &v))
        n = (long long)json_object_get_int64(v);
    json_object_put(rec);
    return n;
}

static long long last_start(const char *pipeline)
{
    return rec_num(pipeline, NULL, "started_ms");
}

static void one_pipeline(void)
{
    char pipe[2048];
    e2e_pipeline(pipe, sizeof pipe, "p", "eploy", E.interview, JOB_VI);
    e2e_config(&E, "", pipe);
    ck_assert_msg(e2e_cycle(&E) == 0, "baseline: %s", E.out);
}

/* Replaces the clock file atomically: the daemon reads it at any moment. */
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

/* Waits (up to 20 s) until the pipeline's last start is `want` ms. */
static int wait_start(const char *pipeline, long long want)
{
    for (int i = 0; i < 1000; i++) {
        if (last_start(pipeline) == want)
            return 1;
        usleep(20000);
    }
    return 0;
}

/* wait_start for a daemon: on failure, stops it and shows what it said. */
static void expect_start(pid_t pid, const char *pipeline, long long want, const char *what)
{
    if (wait_start(pipeline, want))
        return;
    kill(pid, SIGTERM);
    e2e_wait(&E, pid);
    ck_abort_msg("%s: %s", what, E.out);
}

static int count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* The shipped CronJob runs `run --once` every 3 hours; each start is up to 2 minutes early
 * or late. Over 24 hours that is 8 cycles, not 4. */
START_TEST(test_external_scheduler_every_3h_runs_8_cycles_a_day)
{
    static const char *const once[] = {"run", "--once", NULL};
    static const long long delay_s[8] = {95, -120, 120, -61, -119, 33, 114, -100};
    long long base = (long long)time(NULL) - 26 * H, ran = 0;
    char pipe[2048], env[64];
    base -= base % (3 * H);
    e2e_pipeline(pipe, sizeof pipe, "p", "eploy", E.interview, JOB_VI);
    e2e_config(&E, "", pipe);
    for (int tick = 0; tick < 8; tick++) {
        long long at = base + tick * 3 * H + delay_s[tick];
        snprintf(env, sizeof env, "HIRESYNC_FAKE_NOW=%lld", at);
        e2e_run(&E, env, once);
        if (last_start("p") == at * 1000)
            ran++;
        else
            ck_assert_msg(strstr(E.out, "not due yet") != NULL, "%s", E.out);
    }
    ck_assert_msg(ran == 8, "%lld cycles in 24 hours, not 8: %s", ran, E.out);
}
END_TEST

/* The daemon measures its waits on the monotonic clock: a wall clock jumping 2 days forward
 * fires nothing, jumping 2 days back stalls nothing. */
START_TEST(test_daemon_survives_wall_clock_jumps)
{
    static const char *const run[] = {"run", NULL};
    char clock[400], env[512];
    long long w = (long long)time(NULL), m = 100000, back = w - 2 * DAY;
    pid_t pid;
    one_pipeline();
    snprintf(clock, sizeof clock, "%s/clock", E.dir);
    snprintf(env, sizeof env, "HIRESYNC_FAKE_NOW_FILE=%s", clock);
    set_clock(clock, w + 3 * H + 600, m); /* overdue: runs at once */
    pid = e2e_spawn(&E, env, run);
    ck_assert_msg(wait_start("p", (w + 3 * H + 600) * 1000), "the due cycle did not run");
    set_clock(clock, w + 3 * H + 600 + 2 * DAY, m + 60); /* forward 2 days, a minute passed */
    usleep(600000);
    ck_assert_msg(last_start("p") == (w + 3 * H + 600) * 1000, "a jump forward fired a cycle");
    set_clock(clock, back, m + 120); /* back 2 days */
    usleep(600000);
    ck_assert(last_start("p") == (w + 3 * H + 600) * 1000);
    /* 3 hours (and the longest spread) later on the monotonic clock: due, whatever the wall */
    set_clock(clock, back + 3 * H, m + 3 * H + 301);
    ck_assert_msg(wait_start("p", (back + 3 * H) * 1000), "a jump back stalled the pipeline");
    ck_assert_int_eq(kill(pid, SIGTERM), 0);
    ck_assert_msg(e2e_wait(&E, pid) == 0, "%s", E.out);
    ck_assert_msg(count(E.out, "cycle ok") + count(E.out, "cycle failed") == 2, "%s", E.out);
}
END_TEST

/* Two pipelines in one daemon; `bad` fails (how: set up by the caller). The daemon does not
 * exit, `good` keeps running its cycles, `bad` is retried with back-off. */
static void failing_pipeline_stays_alone(const char *fix)
{
    static const char *const run[] = {"run", NULL};
    char clock[400], env[512];
    long long w = (long long)time(NULL) + 4 * H, m = 100000, good_first;
    pid_t pid;
    snprintf(clock, sizeof clock, "%s/clock", E.dir);
    snprintf(env, sizeof env, "HIRESYNC_FAKE_NOW_FILE=%s", clock);
    set_clock(clock, w, m);
    pid = e2e_spawn(&E, env, run);
    ck_assert_msg(wait_start("good", w * 1000) && wait_start("bad", w * 1000), "first round");
    good_first = last_start("good");
    ck_assert_int_eq(rec_num("bad", "failures", NULL), 1);
    ck_assert_msg(kill(pid, 0) == 0, "the daemon exited");
    /* bad again after its back-off (a minute), good not yet */
    set_clock(clock, w + 70, m + 70);
    expect_start(pid, "bad", (w + 70) * 1000, "the failed pipeline was not retried");
    ck_assert_int_eq(rec_num("bad", "failures", NULL), 2);
    ck_assert(last_start("good") == good_first);
    /* good's next cycle comes at its interval */
    set_clock(clock, w + 3 * H + 400, m + 3 * H + 400);
    expect_start(pid, "good", (w + 3 * H + 400) * 1000, "good stopped");
    ck_assert_int_eq(rec_num("good", "failures", NULL), 0);
    ck_assert_msg(kill(pid, 0) == 0, "the daemon exited");
    ck_assert_int_eq(kill(pid, SIGTERM), 0);
    ck_assert_msg(e2e_wait(&E, pid) == 0, "%s", E.out);
    ck_assert_msg(strstr(E.out, fix) != NULL, "the failure names its fix (%s): %s", fix, E.out);
    ck_assert_msg(strstr(E.out, "the other pipelines go on") != NULL, "%s", E.out);
    ck_assert_msg(strstr(E.out, "stopping") == NULL, "%s", E.out);
}

static void two_pipelines(const char *bad_ats)
{
    char pipes[4200], p2[2048];
    e2e_pipeline(pipes, sizeof pipes, "good", "eploy", E.interview, JOB_VI);
    e2e_pipeline(p2, sizeof p2, "bad", bad_ats, E.interview, JOB_VI);
    strcat(strcat(pipes, ", "), p2);
    e2e_config(&E, "", pipes);
}

START_TEST(test_corrupt_state_fails_its_pipeline_only)
{
    static const char *const base[] = {"run", "--once", "--force", NULL};
    char path[400];
    FILE *f;
    two_pipelines("eploy");
    ck_assert_msg(e2e_run(&E, NULL, base) == 0, "%s", E.out);
    snprintf(path, sizeof path, "%s/bad.state", E.state_dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("{\"format\":1,", f);
    fclose(f);
    failing_pipeline_stays_alone("hiresync state reset bad");
}
END_TEST

/* Adds a connection "eploybad" (the sandbox's Eploy with a refused secret) to the config. */
static void add_refused_connection(void)
{
    char *text, *at, conn[1024];
    json_object *cfg = json_object_from_file(E.config);
    FILE *f;
    ck_assert_ptr_nonnull(cfg);
    text = strdup(json_object_to_json_string_ext(cfg, JSON_C_TO_STRING_PLAIN));
    json_object_put(cfg);
    ck_assert_ptr_nonnull(text);
    at = strstr(text, "\"connections\":{");
    ck_assert_ptr_nonnull(at);
    at += strlen("\"connections\":{");
    snprintf(conn, sizeof conn,
             "\"eploybad\": {\"connector\": \"eploy\", \"base_url\": \"%s\", \"client_id\": "
             "\"sandbox-client\", \"client_secret\": \"not-the-secret\", \"note_action_type\": "
             "\"1\", \"signpost_lag_s\": 0},", E.sb.eploy_url);
    f = fopen(E.config, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%.*s%s%s", (int)(at - text), text, conn, at);
    ck_assert_int_eq(fclose(f), 0);
    free(text);
}

START_TEST(test_refused_credentials_fail_their_pipeline_only)
{
    two_pipelines("eploybad");
    add_refused_connection();
    failing_pipeline_stays_alone("client_secret");
}
END_TEST

/* SIGTERM during a cycle with a backlog: the next start runs the rest at once, not after an
 * interval; so after a SIGKILL (the lock file noted a start that has no outcome). */
static void interrupted_cycle_is_due_at_once(const char *hook, int exit_code)
{
    static const char *const forced[] = {"run", "--once", "--force", NULL};
    static const char *const once[] = {"run", "--once", NULL};
    long ids[3];
    one_pipeline();
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 3), 3);
    for (int i = 0; i < 3; i++)
        e2e_move(&E.sb, ids[i], VI, NULL);
    ck_assert_msg(e2e_run(&E, hook, forced) == exit_code, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 1);
    ck_assert_msg(e2e_run(&E, NULL, once) == 0, "%s", E.out);
    ck_assert_msg(strstr(E.out, "not due yet") == NULL, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 3);
    /* and then the schedule is back: not due again */
    ck_assert_msg(e2e_run(&E, NULL, once) == 0, "%s", E.out);
    ck_assert_msg(strstr(E.out, "not due yet") != NULL, "%s", E.out);
}

START_TEST(test_cancelled_cycle_is_due_at_once)
{
    interrupted_cycle_is_due_at_once("HIRESYNC_CRASH_AT=1\nHIRESYNC_CRASH_WHERE=cycle: after "
                                     "write_invitation\nHIRESYNC_CRASH_SIGNAL=TERM", 0);
}
END_TEST

START_TEST(test_killed_cycle_is_due_at_once)
{
    interrupted_cycle_is_due_at_once("HIRESYNC_CRASH_AT=1\nHIRESYNC_CRASH_WHERE=cycle: after "
                                     "write_invitation", -SIGKILL);
}
END_TEST

START_TEST(test_cancelled_cycle_is_recorded)
{
    static const char *const forced[] = {"run", "--once", "--force", NULL};
    long ids[2];
    json_object *rec, *last, *v;
    one_pipeline();
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 2), 2);
    for (int i = 0; i < 2; i++)
        e2e_move(&E.sb, ids[i], VI, NULL);
    ck_assert_int_eq(e2e_run(&E, "HIRESYNC_CRASH_AT=1\nHIRESYNC_CRASH_WHERE=cycle: after "
                             "write_invitation\nHIRESYNC_CRASH_SIGNAL=TERM", forced), 0);
    rec = record("p");
    ck_assert_ptr_nonnull(rec);
    ck_assert(json_object_object_get_ex(rec, "last", &last));
    ck_assert(json_object_object_get_ex(last, "cancelled", &v) && json_object_get_boolean(v));
    ck_assert(json_object_object_get_ex(rec, "next_due_ms", &v));
    ck_assert(json_object_get_int64(v) == last_start("p"));
    json_object_put(rec);
}
END_TEST

/* A remote system that says "not before" (Retry-After beyond what a call waits, as Eploy's
 * daily quota does) is not called before then, whatever the back-off or the grace. */
START_TEST(test_retry_after_holds_for_run_once)
{
    static const char *const forced[] = {"run", "--once", "--force", NULL};
    static const char *const once[] = {"run", "--once", NULL};
    long long start, retry_at, due, want;
    long st = 0;
    char env[64];
    /* A quota stop ends at Eploy's next UTC midnight at the latest: the sandbox's clock at
     * noon, so that the two hours fit in its day at whatever hour the test runs. */
    e2e_clock(&E.sb, (12 * 3600LL - (long long)time(NULL) % 86400) * 1000);
    one_pipeline();
    ck_assert_int_eq(hs_test_admin(&E.sb, "POST", "/faults",
                                   "{\"server\":\"eploy\",\"route\":\"/api/\",\"status\":429,"
                                   "\"retry_after\":7200,\"count\":1000}", &st, NULL), 0);
    ck_assert_int_eq(st, 201);
    ck_assert_msg(e2e_run(&E, NULL, forced) == 1, "%s", E.out);
    ck_assert_int_eq(hs_test_admin(&E.sb, "DELETE", "/faults", NULL, &st, NULL), 0);
    start = last_start("p");
    retry_at = rec_num("p", NULL, "retry_at_ms");
    due = rec_num("p", "next_due_ms", NULL);
    /* Eploy's quota stop is capped at the *server's* next midnight (eploy_quota.c), twelve
     * hours away on the sandbox's clock: the Retry-After holds, whatever the host's hour */
    want = start + 7200 * 1000;
    ck_assert_msg(retry_at >= want - 2000 && retry_at < want + 100 * 1000,
                  "retry_at_ms %lld, start %lld, expected about %lld", retry_at, start, want);
    ck_assert(due == retry_at);
    snprintf(env, sizeof env, "HIRESYNC_FAKE_NOW=%lld", (start + (retry_at - start) / 2) / 1000);
    ck_assert_msg(e2e_run(&E, env, once) == 0, "%s", E.out);
    ck_assert_msg(strstr(E.out, "not due yet") != NULL, "called before the retry time: %s",
                  E.out);
    snprintf(env, sizeof env, "HIRESYNC_FAKE_NOW=%lld", retry_at / 1000 + 1);
    ck_assert_msg(e2e_run(&E, env, once) == 0, "%s", E.out);
    ck_assert(last_start("p") == (retry_at / 1000 + 1) * 1000);
    ck_assert(rec_num("p", NULL, "retry_at_ms") == -1);
}
END_TEST

/* The installed program reads no test hook: neither the crash points nor the fake clock. */
START_TEST(test_installed_program_ignores_test_hooks)
{
    static const char *const forced[] = {"run", "--once", "--force", NULL};
    static const char *const hooks = "HIRESYNC_CRASH_AT=1\nHIRESYNC_FAKE_NOW=1000000000";
    long ids[1];
    one_pipeline();
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 1), 1);
    e2e_move(&E.sb, ids[0], VI, NULL);
    /* the test build obeys them (so the hooks are real) ... */
    ck_assert_int_eq(e2e_run(&E, hooks, forced), -SIGKILL);
    /* ... the installed one does not */
    ck_assert_msg(e2e_wait(&E, e2e_spawn_bin(&E, getenv("HIRESYNC_BIN"), hooks, forced)) == 0,
                  "%s", E.out);
    ck_assert_msg(last_start("p") > (long long)(time(NULL) - 600) * 1000,
                  "the installed program used the fake clock: %lld", last_start("p"));
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("e2e_schedule");
    TCase *tc = tcase_create("schedule");
    tcase_set_timeout(tc, 90);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_external_scheduler_every_3h_runs_8_cycles_a_day);
    tcase_add_test(tc, test_daemon_survives_wall_clock_jumps);
    tcase_add_test(tc, test_corrupt_state_fails_its_pipeline_only);
    tcase_add_test(tc, test_refused_credentials_fail_their_pipeline_only);
    tcase_add_test(tc, test_cancelled_cycle_is_due_at_once);
    tcase_add_test(tc, test_killed_cycle_is_due_at_once);
    tcase_add_test(tc, test_cancelled_cycle_is_recorded);
    tcase_add_test(tc, test_retry_after_holds_for_run_once);
    tcase_add_test(tc, test_installed_program_ignores_test_hooks);
    suite_add_tcase(s, tc);
    return e2e_run_suite(s);
}
