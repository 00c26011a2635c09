/* Shards: the split of pipelines over runners is stable (pinned, so that an upgrade never
 * moves a pipeline to another runner), total and disjoint; bad shard specifications are
 * refused with a line that says what to write; and end to end, `run --once --shard I/N` runs
 * exactly its shard's pipelines, from the command line or the configuration. */
#define _GNU_SOURCE

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shard.h"
#include "test_e2e_util.h"

static e2e E;
static char pipes[8192];

START_TEST(test_parse_accepts_index_below_count)
{
    hs_shard s;
    char why[256];
    ck_assert_int_eq(hs_shard_parse("0/1", &s, why, sizeof why), 0);
    ck_assert_uint_eq(s.index, 0);
    ck_assert_uint_eq(s.count, 1);
    ck_assert_int_eq(hs_shard_parse("3/4", &s, why, sizeof why), 0);
    ck_assert_uint_eq(s.index, 3);
    ck_assert_uint_eq(s.count, 4);
}
END_TEST

START_TEST(test_parse_refuses_what_is_not_a_shard)
{
    static const char *const bad[] = {"", "4", "4/4", "5/4", "-1/4", "0/0", "a/4", "1/b",
                                      "1/4x", " 1/4", "1//4", "0/4097", "1/99999999999"};
    hs_shard s;
    char why[256];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why[0] = 0;
        ck_assert_msg(hs_shard_parse(bad[i], &s, why, sizeof why) == -1, "accepted \"%s\"",
                      bad[i]);
        ck_assert_msg(strstr(why, "write") != NULL, "\"%s\": no fix in: %s", bad[i], why);
        ck_assert_uint_eq(s.count, 0);
    }
}
END_TEST

/* Changing the hash would move pipelines between runners at an upgrade: these are fixed. */
START_TEST(test_assignment_is_pinned)
{
    ck_assert_uint_eq(hs_shard_of("acme-sales", 4), 2);
    ck_assert_uint_eq(hs_shard_of("acme-support", 4), 1);
    ck_assert_uint_eq(hs_shard_of("initech", 3), 0);
    ck_assert_uint_eq(hs_shard_of("p2", 3), 1);
    ck_assert_uint_eq(hs_shard_of("p4", 3), 2);
}
END_TEST

/* Every pipeline is in exactly one shard, whatever N, and the shards share the work. */
START_TEST(test_every_pipeline_in_one_shard)
{
    char name[32];
    for (uint32_t n = 1; n <= 9; n++) {
        size_t per[9] = {0};
        for (int i = 0; i < 900; i++) {
            int owners = 0;
            snprintf(name, sizeof name, "tenant-%d", i);
            for (uint32_t k = 0; k < n; k++) {
                hs_shard s = {k, n};
                if (hs_shard_has(&s, name)) {
                    owners++;
                    per[k]++;
                }
            }
            ck_assert_int_eq(owners, 1);
        }
        for (uint32_t k = 0; k < n; k++)
            ck_assert_msg(per[k] > 900 / n / 2, "shard %u/%u holds only %zu of 900", k, n,
                          per[k]);
    }
    ck_assert(hs_shard_has(NULL, "x"));
}
END_TEST

static void setup(void)
{
    char one[1024];
    static const char *const JOB = "[{\"job\": \"1001\", \"trigger_stages\": "
                                   "[\"Video Interview\"]}]";
    e2e_start(&E, NULL);
    pipes[0] = 0;
    for (int i = 0; i < 6; i++) {
        char name[16];
        snprintf(name, sizeof name, "p%d", i);
        e2e_pipeline(one, sizeof one, name, "eploy", E.interview, JOB);
        if (i > 0)
            strcat(pipes, ",");
        strcat(pipes, one);
    }
}

static void teardown(void)
{
    e2e_stop(&E);
}

static int ran(const char *pipeline)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s.status", E.state_dir, pipeline);
    return access(path, F_OK) == 0;
}

/* Which of p0..p5 have run, as "p0 p3 " etc. */
static const char *ran_set(char *out, size_t size)
{
    out[0] = 0;
    for (int i = 0; i < 6; i++) {
        char name[16];
        snprintf(name, sizeof name, "p%d", i);
        if (ran(name) && strlen(out) + 4 < size)
            strcat(strcat(out, name), " ");
    }
    return out;
}

START_TEST(test_run_once_runs_its_shard_only)
{
    static const char *const want[3] = {"p0 p3 ", "p0 p2 p3 p5 ", "p0 p1 p2 p3 p4 p5 "};
    char spec[16], got[64];
    e2e_config(&E, "", pipes);
    for (int k = 0; k < 3; k++) {
        snprintf(spec, sizeof spec, "%d/3", k);
        const char *args[] = {"run", "--once", "--force", "--shard", spec, NULL};
        ck_assert_msg(e2e_run(&E, NULL, args) == 0, "shard %s: %s", spec, E.out);
        ck_assert_msg(strstr(E.out, "of 6 pipelines") != NULL, "no shard line: %s", E.out);
        ck_assert_str_eq(ran_set(got, sizeof got), want[k]);
    }
}
END_TEST

START_TEST(test_configured_shard_and_override)
{
    char got[64];
    e2e_config(&E, "\"shard\": \"2/3\",", pipes);
    const char *plain[] = {"run", "--once", "--force", NULL};
    ck_assert_msg(e2e_run(&E, NULL, plain) == 0, "%s", E.out);
    ck_assert_str_eq(ran_set(got, sizeof got), "p1 p4 ");
    const char *over[] = {"run", "--once", "--force", "--shard", "1/3", NULL};
    ck_assert_msg(e2e_run(&E, NULL, over) == 0, "%s", E.out);
    ck_assert_str_eq(ran_set(got, sizeof got), "p1 p2 p4 p5 ");
}
END_TEST

START_TEST(test_bad_shards_are_usage_errors)
{
    char got[64];
    e2e_config(&E, "", pipes);
    const char *past[] = {"run", "--once", "--shard", "3/3", NULL};
    ck_assert_int_eq(e2e_run(&E, NULL, past), 2);
    ck_assert_msg(strstr(E.out, "--shard") && strstr(E.out, "0/3 to 2/3"), "%s", E.out);
    /* p1 is shard 2's: asking shard 0 for it is a mistake, not a silent no-op */
    const char *other[] = {"run", "--once", "--force", "--shard", "0/3", "--pipeline", "p1",
                           NULL};
    ck_assert_int_eq(e2e_run(&E, NULL, other), 2);
    ck_assert_msg(strstr(E.out, "belongs to shard 2/3"), "%s", E.out);
    ck_assert_str_eq(ran_set(got, sizeof got), "");
    e2e_config(&E, "\"shard\": \"1-of-3\",", pipes);
    const char *plain[] = {"run", "--once", "--force", NULL};
    ck_assert_int_eq(e2e_run(&E, NULL, plain), 2);
    ck_assert_msg(strstr(E.out, "$.shard") != NULL, "%s", E.out);
    ck_assert_str_eq(ran_set(got, sizeof got), "");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("shard");
    TCase *unit = tcase_create("split");
    TCase *run = tcase_create("run");
    tcase_add_test(unit, test_parse_accepts_index_below_count);
    tcase_add_test(unit, test_parse_refuses_what_is_not_a_shard);
    tcase_add_test(unit, test_assignment_is_pinned);
    tcase_add_test(unit, test_every_pipeline_in_one_shard);
    suite_add_tcase(s, unit);
    tcase_add_checked_fixture(run, setup, teardown);
    tcase_add_test(run, test_run_once_runs_its_shard_only);
    tcase_add_test(run, test_configured_shard_and_override);
    tcase_add_test(run, test_bad_shards_are_usage_errors);
    suite_add_tcase(s, run);
    return e2e_run_suite(s);
}
