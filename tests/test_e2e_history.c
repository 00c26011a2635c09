/* End to end: the real hiresync program against a sandbox whose Eploy does not offer
 * applications/statushistory/search (404). Cycles go on and invite the candidates moved,
 * each process says it once, `check` WARNs, the next process remembers it without asking,
 * and a day later by Eploy's clock the endpoint is asked again and, answering, used: the
 * candidate who passed through the trigger stage during the fallback is invited then. */
#define _GNU_SOURCE

#include <check.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_e2e_util.h"

#define VI "Video Interview"
#define ROUTE "POST /api/applications/statushistory/search"
#define SAID "the Eploy tenant does not offer applications/statushistory/search (HTTP 404)"

static e2e E;

static void admin_ok(const char *method, const char *path, const char *body)
{
    long st = 0;

    ck_assert_int_eq(hs_test_admin(&E.sb, method, path, body, &st, NULL), 0);
    ck_assert_msg(st >= 200 && st < 300, "admin %s %s: %ld", method, path, st);
}

/* Requests to route the sandbox counted, whatever their status. */
static long asked(const char *route)
{
    char *out = NULL;
    long st = 0, n = 0;
    json_object *s, *r;

    ck_assert_int_eq(hs_test_admin(&E.sb, "GET", "/stats", NULL, &st, &out), 0);
    s = json_tokener_parse(out);
    free(out);
    if (json_object_object_get_ex(s, "eploy", &r) && json_object_object_get_ex(r, "routes", &r) &&
        json_object_object_get_ex(r, route, &r)) {
        json_object_object_foreach(r, code, v) {
            (void)code;
            n += json_object_get_int(v);
        }
    }
    json_object_put(s);
    return n;
}

static size_t occurrences(const char *text, const char *needle)
{
    size_t n = 0;

    for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void setup(void)
{
    e2e_start(&E, NULL);
}

static void teardown(void)
{
    e2e_stop(&E);
}

START_TEST(test_status_history_404_falls_back_then_comes_back)
{
    static const char *const check_args[] = {"check", NULL};
    char pipe[2048];
    long ids[3], before;

    e2e_pipeline(pipe, sizeof pipe, "p", "eploy", E.interview,
                 "[{\"job\": \"1001\", \"trigger_stages\": [\"Video Interview\"]}]");
    e2e_config(&E, "", pipe);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 3), 3);
    admin_ok("POST", "/faults", "{\"server\":\"eploy\",\"route\":"
             "\"/api/applications/statushistory\",\"status\":404,\"count\":-1}");
    ck_assert_msg(e2e_cycle(&E) == 0, "baseline: %s", E.out);

    /* The cycle goes on with modified applications, invites, and says why once. */
    e2e_move(&E.sb, ids[0], VI, NULL);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 1);
    ck_assert_msg(occurrences(E.out, SAID) == 1, "%s", E.out);

    /* The next process remembers it (no request to the endpoint) and says it once again. A
     * candidate who passes through the trigger stage now is missed: the fallback's cost. */
    before = asked(ROUTE);
    e2e_move(&E.sb, ids[1], VI, NULL);
    e2e_move(&E.sb, ids[1], "Offers & Placements", NULL);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(asked(ROUTE), before);
    ck_assert_msg(occurrences(E.out, SAID) == 1, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 1);

    /* check: a WARN naming the endpoint, the status and the cost; not a failure. */
    ck_assert_msg(e2e_run(&E, NULL, check_args) == 0, "%s", E.out);
    ck_assert_msg(strstr(E.out, SAID) != NULL && strstr(E.out, "WARN") != NULL, "%s", E.out);

    /* A day (and two hours) later by Eploy's clock the endpoint answers again: it is asked,
     * used, and the entry the fallback missed is read from it, so that candidate is invited
     * too; the one invited before is not invited twice. */
    admin_ok("POST", "/clock", "{\"offset_ms\":93600000}");
    admin_ok("DELETE", "/faults", NULL);
    e2e_move(&E.sb, ids[2], VI, NULL);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_gt(asked(ROUTE), before);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 3);
    ck_assert_msg(occurrences(E.out, SAID) == 0, "%s", E.out);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 3);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("e2e_history");
    TCase *tc = tcase_create("e2e_history");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_status_history_404_falls_back_then_comes_back);
    suite_add_tcase(s, tc);
    return e2e_run_suite(s);
}
