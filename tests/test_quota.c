/* Eploy's daily quota and its token end to end: the real hiresync program against the sandbox,
 * two pipelines on one Eploy connection. A 429 asking to wait past an hour stops every call of
 * the connection (the other pipeline of the process, and the next process, through the state
 * it saved) until the stated time, with one line saying so; and the pipelines of one process
 * take a single token between them. The sandbox counts the calls it was sent. */
#define _GNU_SOURCE

#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "test_e2e_util.h"

#define QUOTA_LINE "Eploy's daily API quota is used up (HTTP 429); next try at "
#define RETRY_AFTER_S 38189LL

static e2e E;

static const char *const JOB_VI = "[{\"job\": \"1001\", \"trigger_stages\": [\"Video Interview\"]}]";

/* Two pipelines, "a" and "b", on the connection "eploy"; extra as for e2e_config. */
static void two_pipelines(const char *extra)
{
    char a[1024], b[1024], both[2100];

    e2e_pipeline(a, sizeof a, "a", "eploy", E.interview, JOB_VI);
    e2e_pipeline(b, sizeof b, "b", "eploy", E.interview, JOB_VI);
    snprintf(both, sizeof both, "%s, %s", a, b);
    e2e_config(&E, extra, both);
}

static json_object *admin(const char *method, const char *path, const char *body)
{
    long status = 0;
    char *text = NULL;
    json_object *j;

    ck_assert_int_eq(hs_test_admin(&E.sb, method, path, body, &status, &text), 0);
    ck_assert_msg(status >= 200 && status < 300, "%s %s: %ld %s", method, path, status,
                  text ? text : "");
    j = text != NULL && *text ? json_tokener_parse(text) : NULL;
    free(text);
    return j;
}

/* Requests the sandbox's Eploy server was sent, on one route ("METHOD path") or on all (NULL),
 * whatever their status. */
static long eploy_calls(const char *route)
{
    json_object *s = admin("GET", "/stats", NULL), *e, *v;
    long n = 0;

    ck_assert(json_object_object_get_ex(s, "eploy", &e));
    if (route == NULL) {
        if (json_object_object_get_ex(e, "requests", &v))
            n = json_object_get_int(v);
    } else if (json_object_object_get_ex(e, "routes", &v) &&
               json_object_object_get_ex(v, route, &v)) {
        json_object_object_foreach(v, code, count) {
            (void)code;
            n += json_object_get_int(count);
        }
    }
    json_object_put(s);
    return n;
}

static int run_at(long long host_s)
{
    static const char *const once[] = {"run", "--once", "--force", NULL};
    char env[64];

    snprintf(env, sizeof env, "HIRESYNC_FAKE_NOW=%lld", host_s);
    return e2e_run(&E, host_s > 0 ? env : NULL, once);
}

/* The time the quota line of the last run's output states, in seconds since the epoch. */
static long long stated_time(void)
{
    const char *p = strstr(E.out, QUOTA_LINE);
    struct tm tm;

    ck_assert_msg(p != NULL, "no quota line: %s", E.out);
    memset(&tm, 0, sizeof tm);
    p += strlen(QUOTA_LINE);
    ck_assert_msg(strptime(p, "%Y-%m-%dT%H:%M:%SZ", &tm) != NULL, "no time: %s", p);
    return (long long)timegm(&tm);
}

static int count_lines(const char *needle)
{
    int n = 0;

    for (const char *p = E.out; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

START_TEST(test_daily_quota_stops_the_connection_until_the_stated_time)
{
    long long before, until, cap;
    long calls;

    e2e_start(&E, NULL);
    /* One worker: pipeline b starts after a met the quota, in the same process. */
    two_pipelines("\"workers\": 1,");
    json_object_put(admin("POST", "/faults",
                          "{\"server\":\"eploy\",\"route\":\"/api/\",\"status\":429,"
                          "\"retry_after\":38189,\"count\":-1}"));
    before = (long long)time(NULL);
    ck_assert_msg(run_at(0) == 1, "a cycle stopped by the quota fails: %s", E.out);
    /* The one call that met the 429, and none after it: not b's, not a retry. */
    ck_assert_msg(eploy_calls(NULL) == 1, "%ld calls: %s", eploy_calls(NULL), E.out);
    ck_assert_msg(count_lines(QUOTA_LINE) >= 2, "both pipelines say why: %s", E.out);
    /* Eploy's time: its Date plus Retry-After, or the next UTC midnight plus 5 minutes,
     * whichever comes first (Date has whole seconds: a second of slack either way). */
    until = stated_time();
    cap = (before / 86400 + 1) * 86400 + 300;
    if (before + RETRY_AFTER_S < cap)
        ck_assert_msg(until >= before + RETRY_AFTER_S - 1 && until <= before + RETRY_AFTER_S + 2,
                      "stated %lld, asked %lld: %s", until, before + RETRY_AFTER_S, E.out);
    else
        ck_assert_msg(until >= cap - 86400 && until <= cap + 1, "stated %lld, cap %lld: %s",
                      until, cap, E.out);

    /* From now on Eploy would answer: only the stop keeps hiresync from calling. */
    json_object_put(admin("DELETE", "/faults", NULL));
    calls = eploy_calls(NULL);
    ck_assert_msg(run_at(0) == 1, "the next process stops too: %s", E.out);
    ck_assert_msg(strstr(E.out, QUOTA_LINE) != NULL, "%s", E.out);
    ck_assert_msg(eploy_calls(NULL) == calls, "%ld calls: %s", eploy_calls(NULL) - calls, E.out);
    ck_assert_msg(run_at(until - 120) == 1, "two minutes before the stated time: %s", E.out);
    ck_assert_msg(eploy_calls(NULL) == calls, "%ld calls: %s", eploy_calls(NULL) - calls, E.out);
    {
        static const char *const status[] = {"status", NULL};
        ck_assert_int_eq(e2e_run(&E, NULL, status), 1);
        ck_assert_msg(strstr(E.out, "daily API quota is used up") != NULL, "%s", E.out);
    }

    /* Past the stated time Eploy is called again and the cycles succeed. */
    ck_assert_msg(run_at(until + 60) == 0, "after the stated time: %s", E.out);
    ck_assert_int_gt(eploy_calls(NULL), calls);
    ck_assert_msg(strstr(E.out, QUOTA_LINE) == NULL, "%s", E.out);
}
END_TEST

/* The quota's own answer (the call limit exceeded) stops the connection just the same, even
 * with a Retry-After of under an hour. */
START_TEST(test_call_limit_body_stops_the_connection)
{
    long calls;

    e2e_start(&E, NULL);
    two_pipelines("\"workers\": 1,");
    json_object_put(admin("POST", "/eploy/settings", "{\"quota_per_day\":1,\"quota_used\":1}"));
    ck_assert_msg(run_at(0) == 1, "%s", E.out);
    ck_assert_msg(eploy_calls(NULL) == 1, "%ld calls: %s", eploy_calls(NULL), E.out);
    ck_assert_msg(strstr(E.out, QUOTA_LINE) != NULL, "%s", E.out);
    json_object_put(admin("POST", "/eploy/settings", "{\"quota_per_day\":0}"));
    calls = eploy_calls(NULL);
    ck_assert_msg(run_at(0) == 1, "%s", E.out);
    ck_assert_msg(eploy_calls(NULL) == calls, "%ld calls: %s", eploy_calls(NULL) - calls, E.out);
}
END_TEST

START_TEST(test_pipelines_of_a_process_share_one_token)
{
    e2e_start(&E, NULL);
    /* Two workers: both pipelines start together and want the first token at once. */
    two_pipelines("\"workers\": 2,");
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(eploy_calls("POST /api/token"), 1);
    /* both did read: each baseline reads its own applications (the job listing itself may
     * be shared through the discovery cache, or not, when both start at once) */
    ck_assert_int_ge(eploy_calls("POST /api/applications/search"), 2);
    /* A new process has no token in memory: one more, again for both. */
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(eploy_calls("POST /api/token"), 2);
}
END_TEST

static void teardown(void)
{
    e2e_stop(&E);
}

int main(void)
{
    Suite *s = suite_create("quota");
    TCase *tc = tcase_create("quota");

    tcase_set_timeout(tc, 90);
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, test_daily_quota_stops_the_connection_until_the_stated_time);
    tcase_add_test(tc, test_call_limit_body_stops_the_connection);
    tcase_add_test(tc, test_pipelines_of_a_process_share_one_token);
    suite_add_tcase(s, tc);
    return e2e_run_suite(s);
}
