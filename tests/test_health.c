/* `hiresync status` as a health check, and the commands that must work without secrets: the
 * real program over the sandbox. Each unhealthy condition makes status exit 1 and say why;
 * a healthy pipeline exits 0. */
#define _GNU_SOURCE

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "test_e2e_util.h"

static e2e E;
static const char *const STATUS[] = {"status", NULL};
static const char *const STATUS_JSON[] = {"status", "--json", NULL};

static void setup(void)
{
    e2e_start(&E, NULL);
}

static void teardown(void)
{
    e2e_stop(&E);
}

static void one_pipeline(void)
{
    char pipe[2048];
    e2e_pipeline(pipe, sizeof pipe, "p", "eploy", E.interview,
                 "[{\"job\": \"1001\", \"trigger_stages\": [\"Video Interview\"]}]");
    e2e_config(&E, "", pipe);
    ck_assert_msg(e2e_cycle(&E) == 0, "baseline: %s", E.out);
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Replaces the first `from` in the configuration file with `to`. */
static void edit_config(const char *from, const char *to)
{
    char buf[8192], out[8192], *at;
    FILE *f = fopen(E.config, "r");
    size_t n;
    ck_assert_ptr_nonnull(f);
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    at = strstr(buf, from);
    ck_assert_msg(at != NULL, "no %s in the configuration", from);
    snprintf(out, sizeof out, "%.*s%s%s", (int)(at - buf), buf, to, at + strlen(from));
    f = fopen(E.config, "w");
    ck_assert_ptr_nonnull(f);
    fputs(out, f);
    ck_assert_int_eq(fclose(f), 0);
}

START_TEST(test_healthy_pipeline_exits_0)
{
    one_pipeline();
    ck_assert_msg(e2e_run(&E, NULL, STATUS) == 0, "%s", E.out);
    ck_assert_msg(strstr(E.out, "problem:") == NULL, "%s", E.out);
}
END_TEST

/* status --json names every field the man page documents for a healthy pipeline, and the
 * cycle's code by name next to the number older consumers read. */
START_TEST(test_status_json_has_the_documented_fields)
{
    static const char *const top[] = {"pipeline", "enabled", "interval_s", "last", "failures",
                                      "next_due_ms", "cursor_age_s", "state_seq"};
    static const char *const last_keys[] = {"started_at", "started_ms", "duration_ms",
                                            "result", "status", "status_name", "counts",
                                            "error"};
    json_object *all, *p, *last, *v;
    one_pipeline();
    ck_assert_msg(e2e_run(&E, NULL, STATUS_JSON) == 0, "%s", E.out);
    all = json_tokener_parse(E.out);
    ck_assert_msg(all && json_object_array_length(all) == 1, "%s", E.out);
    p = json_object_array_get_idx(all, 0);
    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++)
        ck_assert_msg(json_object_object_get_ex(p, top[i], NULL), "no %s: %s", top[i], E.out);
    ck_assert(json_object_object_get_ex(p, "last", &last));
    for (size_t i = 0; i < sizeof last_keys / sizeof last_keys[0]; i++)
        ck_assert_msg(json_object_object_get_ex(last, last_keys[i], NULL), "no last.%s: %s",
                      last_keys[i], E.out);
    ck_assert(json_object_object_get_ex(last, "status_name", &v));
    ck_assert_str_eq(json_object_get_string(v), "ok");
    ck_assert(json_object_object_get_ex(last, "status", &v));
    ck_assert_int_eq(json_object_get_int(v), 0);
    ck_assert_msg(!json_object_object_get_ex(p, "problems", NULL), "%s", E.out);
    json_object_put(all);
}
END_TEST

/* The interview's life of the last cycle is a line of its own, counting the applications a
 * recruiter had moved on (left there, with a note). */
START_TEST(test_status_counts_the_interview_life)
{
    char path[400];
    json_object *rec, *last, *counts;
    one_pipeline();
    ck_assert_msg(e2e_run(&E, NULL, STATUS) == 0, "%s", E.out);
    ck_assert_msg(strstr(E.out, "interview life:") == NULL, "%s", E.out);
    snprintf(path, sizeof path, "%s/p.status", E.state_dir);
    rec = json_object_from_file(path);
    ck_assert_ptr_nonnull(rec);
    ck_assert(json_object_object_get_ex(rec, "last", &last));
    ck_assert(json_object_object_get_ex(last, "counts", &counts));
    json_object_object_add(counts, "outcomes", json_object_new_int(3));
    json_object_object_add(counts, "not_moved", json_object_new_int(1));
    ck_assert_int_eq(json_object_to_file(path, rec), 0);
    json_object_put(rec);
    ck_assert_msg(e2e_run(&E, NULL, STATUS) == 0, "%s", E.out);
    ck_assert_msg(strstr(E.out, "interview life: 3 outcomes written, 0 moved, 1 not moved (a "
                                "recruiter had moved them on)") != NULL, "%s", E.out);
}
END_TEST

/* status, state show and connectors open no connection: a shell without the secret's
 * variable (an operator's, a health probe's) must not stop them. check needs it and says so. */
START_TEST(test_read_only_commands_need_no_secret)
{
    static const char *const show[] = {"state", "show", "p", "--json", NULL};
    static const char *const connectors[] = {"connectors", NULL};
    static const char *const check[] = {"check", NULL};
    json_object *doc;
    one_pipeline();
    unsetenv("HS_TEST_WILLO_KEY");
    edit_config("\"sandbox-willo-key\"", "{\"env\": \"HS_TEST_WILLO_KEY\"}");
    ck_assert_msg(e2e_run(&E, NULL, STATUS) == 0, "status: %s", E.out);
    ck_assert_msg(e2e_run(&E, NULL, connectors) == 0, "connectors: %s", E.out);
    ck_assert_msg(e2e_run(&E, NULL, show) == 0, "state show: %s", E.out);
    doc = json_tokener_parse(E.out);   /* --json prints the JSON only */
    ck_assert_msg(doc != NULL && json_object_is_type(doc, json_type_object), "%s", E.out);
    ck_assert(json_object_object_get_ex(doc, "ats", NULL));
    json_object_put(doc);
    ck_assert_int_eq(e2e_run(&E, NULL, check), 2);
    ck_assert_msg(strstr(E.out, "HS_TEST_WILLO_KEY") != NULL, "%s", E.out);
}
END_TEST

START_TEST(test_state_commands_reject_unknown_pipelines)
{
    static const char *const show[] = {"state", "show", "nope", NULL};
    static const char *const reset[] = {"state", "reset", "nope", NULL};
    static const char *const help[] = {"state", "show", "--help", NULL};
    one_pipeline();
    ck_assert_int_eq(e2e_run(&E, NULL, show), 2);
    ck_assert_msg(strstr(E.out, "no pipeline named \"nope\"") != NULL, "%s", E.out);
    ck_assert_int_eq(e2e_run(&E, NULL, reset), 2);
    ck_assert_int_eq(e2e_run(&E, NULL, help), 0);
    ck_assert_msg(strstr(E.out, "Usage:") != NULL && strstr(E.out, "Exit status") != NULL,
                  "%s", E.out);
}
END_TEST

/* Another process holds the pipeline's lock and noted its start: a cycle in progress. */
START_TEST(test_cycle_in_progress_is_shown)
{
    char path[512], line[64];
    int fd;
    json_object *all, *p, *v;
    int64_t since = wall_ms() - 5000;
    one_pipeline();
    snprintf(path, sizeof path, "%s/p.lock", E.state_dir);
    fd = open(path, O_RDWR);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
    snprintf(line, sizeof line, "%ld %lld\n", (long)getpid(), (long long)since);
    ck_assert_int_eq(ftruncate(fd, 0), 0);
    ck_assert_int_eq(pwrite(fd, line, strlen(line), 0), (ssize_t)strlen(line));
    ck_assert_msg(e2e_run(&E, NULL, STATUS) == 0, "running is healthy: %s", E.out);
    ck_assert_msg(strstr(E.out, "running: a cycle is in progress since ") != NULL, "%s", E.out);
    ck_assert_int_eq(e2e_run(&E, NULL, STATUS_JSON), 0);
    all = json_tokener_parse(E.out);
    ck_assert_ptr_nonnull(all);
    p = json_object_array_get_idx(all, 0);
    ck_assert(json_object_object_get_ex(p, "running_since_ms", &v));
    ck_assert_int_eq(json_object_get_int64(v), since);
    json_object_put(all);
    close(fd);
}
END_TEST

/* A cycle killed before it could record its outcome (as a full disk would leave it). */
START_TEST(test_unrecorded_cycle_is_unhealthy)
{
    static const char *const once[] = {"run", "--once", "--force", NULL};
    one_pipeline();
    ck_assert_int_eq(e2e_run(&E, "HIRESYNC_CRASH_AT=1", once), -9);
    ck_assert_int_eq(e2e_run(&E, NULL, STATUS), 1);
    ck_assert_msg(strstr(E.out, "left no record") != NULL, "%s", E.out);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_msg(e2e_run(&E, NULL, STATUS) == 0, "recorded again: %s", E.out);
}
END_TEST

START_TEST(test_overdue_pipeline_is_unhealthy)
{
    static const char *const tight[] = {"status", "--max-age", "1m", NULL};
    static const char *const bad[] = {"status", "--max-age", "soon", NULL};
    char env[64];
    one_pipeline();
    /* two days later, nothing has run since */
    snprintf(env, sizeof env, "HIRESYNC_FAKE_NOW=%lld",
             (long long)(wall_ms() / 1000 + 2 * 86400 + 60));
    ck_assert_int_eq(e2e_run(&E, env, STATUS), 1);
    ck_assert_msg(strstr(E.out, "overdue: the last cycle started 2d") != NULL, "%s", E.out);
    /* the default allows one missed 3-hour cycle */
    snprintf(env, sizeof env, "HIRESYNC_FAKE_NOW=%lld", (long long)(wall_ms() / 1000 + 5 * 3600));
    ck_assert_msg(e2e_run(&E, env, STATUS) == 0, "%s", E.out);
    snprintf(env, sizeof env, "HIRESYNC_FAKE_NOW=%lld", (long long)(wall_ms() / 1000 + 120));
    ck_assert_int_eq(e2e_run(&E, env, tight), 1);
    ck_assert_int_eq(e2e_run(&E, NULL, bad), 2);
}
END_TEST

/* The state directory on a read-only file system: every cycle would fail to commit. */
START_TEST(test_read_only_state_dir_is_unhealthy)
{
    char mnt[300];
    one_pipeline();
    snprintf(mnt, sizeof mnt, "%s", E.state_dir);
    /* the type is ignored for a bind mount; "none" rather than NULL keeps valgrind quiet */
    if (geteuid() != 0 || mount(mnt, mnt, "none", MS_BIND, NULL) != 0) {
        fprintf(stderr, "test_read_only_state_dir_is_unhealthy: cannot bind-mount (%s); "
                "skipped\n", strerror(errno));
        return;
    }
    if (mount("none", mnt, "none", MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) != 0) {
        (void)umount(mnt);
        ck_abort_msg("cannot remount read-only: %s", strerror(errno));
    }
    ck_assert_int_eq(e2e_run(&E, NULL, STATUS), 1);
    ck_assert_msg(strstr(E.out, "does not take new files") != NULL, "%s", E.out);
    ck_assert_int_eq(umount(mnt), 0);
    ck_assert_msg(e2e_run(&E, NULL, STATUS) == 0, "%s", E.out);
}
END_TEST

/* Eploy and Willo's clock 10 minutes behind the host's: the cycle loses nothing (cursors use
 * the servers' time) and succeeds, status and check show the skew with a warning. */
START_TEST(test_clock_skew_is_shown_with_a_warning)
{
    static const char *const check[] = {"check", NULL};
    long st = 0;
    json_object *all, *skew, *eploy, *v;
    one_pipeline();
    ck_assert_int_eq(hs_test_admin(&E.sb, "POST", "/clock", "{\"offset_ms\": -600000}", &st,
                                   NULL), 0);
    ck_assert_int_eq(st, 200);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_msg(e2e_run(&E, NULL, STATUS) == 0, "a skew alone is healthy: %s", E.out);
    ck_assert_msg(strstr(E.out, "clock skew (host minus server): ") != NULL &&
                      strstr(E.out, "eploy +10m (WARNING: fix the host's time synchronisation)")
                          != NULL, "%s", E.out);
    ck_assert_int_eq(e2e_run(&E, NULL, STATUS_JSON), 0);
    all = json_tokener_parse(E.out);
    ck_assert_ptr_nonnull(all);
    ck_assert(json_object_object_get_ex(json_object_array_get_idx(all, 0), "clock_skew", &skew));
    ck_assert(json_object_object_get_ex(skew, "eploy", &eploy));
    ck_assert(json_object_object_get_ex(eploy, "skew_ms", &v));
    ck_assert_msg(json_object_get_int64(v) > 595000 && json_object_get_int64(v) < 605000,
                  "skew %lld", (long long)json_object_get_int64(v));
    ck_assert(json_object_object_get_ex(skew, "willo", NULL));
    json_object_put(all);
    ck_assert_msg(e2e_run(&E, NULL, check) == 0, "a skew alone is no failure: %s", E.out);
    ck_assert_msg(strstr(E.out, "WARN  clock: the host's clock is 10m ahead of eploy's") != NULL,
                  "%s", E.out);
    /* back in step: no warning */
    ck_assert_int_eq(hs_test_admin(&E.sb, "POST", "/clock", "{\"offset_ms\": 0}", &st, NULL), 0);
    ck_assert_msg(e2e_run(&E, NULL, check) == 0, "%s", E.out);
    ck_assert_msg(strstr(E.out, "OK    clock: the host's clock is within ") != NULL &&
                      strstr(E.out, "WARN  clock") == NULL, "%s", E.out);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("health");
    TCase *tc = tcase_create("status");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_healthy_pipeline_exits_0);
    tcase_add_test(tc, test_status_json_has_the_documented_fields);
    tcase_add_test(tc, test_status_counts_the_interview_life);
    tcase_add_test(tc, test_read_only_commands_need_no_secret);
    tcase_add_test(tc, test_state_commands_reject_unknown_pipelines);
    tcase_add_test(tc, test_cycle_in_progress_is_shown);
    tcase_add_test(tc, test_unrecorded_cycle_is_unhealthy);
    tcase_add_test(tc, test_overdue_pipeline_is_unhealthy);
    tcase_add_test(tc, test_read_only_state_dir_is_unhealthy);
    tcase_add_test(tc, test_clock_skew_is_shown_with_a_warning);
    suite_add_tcase(s, tc);
    return e2e_run_suite(s);
}
