/* Structured logs end to end: with log_format json every line the real program writes (a
 * cycle that invites and notes, the daemon's start-up and reload, configuration errors) is
 * one JSON object that json-c parses, with the same keys on every line. */
#define _GNU_SOURCE

#include <check.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_e2e_util.h"

#define VI "Video Interview"

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

/* 1 when ts is "YYYY-MM-DDTHH:MM:SS.mmmZ". */
static int ts_with_ms(const char *ts)
{
    int y, mo, d, h, mi, s, ms;
    char z = 0;
    return ts != NULL && strlen(ts) == 24 &&
           sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d.%3d%c", &y, &mo, &d, &h, &mi, &s, &ms, &z) == 8 &&
           z == 'Z';
}

typedef struct seen {
    int lines;
    char events[64][32];
    int n_events;
    json_object *cycle_end;      /* the last one, owned */
} seen;

static int has_event(const seen *s, const char *event)
{
    for (int i = 0; i < s->n_events; i++)
        if (strcmp(s->events[i], event) == 0)
            return 1;
    return 0;
}

/* Parses every line of E.out; each must be an object with the common keys. */
static void parse_all(seen *s)
{
    static const char *const keys[] = {"ts", "level", "event", "pipeline", "connection",
                                       "run_id", "msg"};
    char *copy = strdup(E.out), *line, *save = NULL;
    ck_assert_ptr_nonnull(copy);
    memset(s, 0, sizeof *s);
    for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        enum json_tokener_error jerr;
        json_object *o = json_tokener_parse_verbose(line, &jerr), *v;
        ck_assert_msg(o != NULL && json_object_is_type(o, json_type_object),
                      "not a JSON object (%s): %s", json_tokener_error_desc(jerr), line);
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            ck_assert_msg(json_object_object_get_ex(o, keys[k], NULL), "no \"%s\": %s",
                          keys[k], line);
        json_object_object_get_ex(o, "ts", &v);
        ck_assert_msg(ts_with_ms(json_object_get_string(v)), "ts: %s", line);
        json_object_object_get_ex(o, "event", &v);
        if (s->n_events < 64 && !has_event(s, json_object_get_string(v)))
            snprintf(s->events[s->n_events++], 32, "%s", json_object_get_string(v));
        if (strcmp(json_object_get_string(v), "cycle_end") == 0) {
            json_object_put(s->cycle_end);
            s->cycle_end = json_object_get(o);
        }
        s->lines++;
        json_object_put(o);
    }
    free(copy);
}

static long long num(json_object *o, const char *key)
{
    json_object *v;
    ck_assert_msg(json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_int),
                  "%s is not a number: %s", key, json_object_to_json_string(o));
    return (long long)json_object_get_int64(v);
}

START_TEST(test_every_line_of_a_cycle_is_a_json_object)
{
    char pipe[2048], key[1][64];
    long ids[1];
    json_object *v;
    seen s;
    e2e_pipeline(pipe, sizeof pipe, "p", "eploy", E.interview, JOB_VI);
    e2e_config(&E, "\"log_format\": \"json\", \"log_level\": \"debug\",", pipe);
    ck_assert_msg(e2e_cycle(&E) == 0, "baseline: %s", E.out);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 1), 1);
    e2e_move(&E.sb, ids[0], VI, NULL);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    parse_all(&s);
    ck_assert_msg(has_event(&s, "invited") && has_event(&s, "cycle_start") &&
                  has_event(&s, "cycle_end"), "%s", E.out);
    ck_assert_ptr_nonnull(s.cycle_end);
    ck_assert_int_eq(num(s.cycle_end, "invited"), 1);
    ck_assert_int_ge(num(s.cycle_end, "duration_ms"), 0);
    ck_assert_int_ge(num(s.cycle_end, "changes"), 1);
    ck_assert(json_object_object_get_ex(s.cycle_end, "run_id", &v) &&
              json_object_get_string_len(v) > 0);
    ck_assert(json_object_object_get_ex(s.cycle_end, "pipeline", &v) &&
              strcmp(json_object_get_string(v), "p") == 0);
    json_object_put(s.cycle_end);
    /* the completion becomes a note */
    ck_assert_int_eq(e2e_participant_keys(&E.sb, E.interview, key, 1), 1);
    e2e_complete(&E.sb, key[0]);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    parse_all(&s);
    ck_assert_msg(has_event(&s, "note_written"), "%s", E.out);
    ck_assert_int_eq(num(s.cycle_end, "notes"), 1);
    json_object_put(s.cycle_end);
}
END_TEST

START_TEST(test_daemon_startup_reload_and_config_errors_are_json)
{
    static const char *const run[] = {"--log-format", "json", "run", NULL};
    char pipe[2048];
    seen s;
    pid_t pid;
    FILE *f;
    e2e_pipeline(pipe, sizeof pipe, "p", "eploy", E.interview, JOB_VI);
    e2e_config(&E, "", pipe);
    pid = e2e_spawn(&E, NULL, run);
    usleep(700000);
    ck_assert_int_eq(kill(pid, SIGHUP), 0);
    usleep(700000);
    ck_assert_int_eq(kill(pid, SIGTERM), 0);
    ck_assert_msg(e2e_wait(&E, pid) == 0, "%s", E.out);
    parse_all(&s);
    ck_assert_msg(has_event(&s, "startup") && has_event(&s, "reload"), "%s", E.out);
    ck_assert_msg(strstr(E.out, "\"version\":\"") != NULL && strstr(E.out, "\"abi\":\"") != NULL
                  && strstr(E.out, "\"pipelines\":1") != NULL, "%s", E.out);
    json_object_put(s.cycle_end);
    /* a configuration with errors: each error one config_error object */
    f = fopen(E.config, "w");
    ck_assert_ptr_nonnull(f);
    fputs("{ \"workers\": 0, \"bogus\": 1, \"connections\": {}, \"pipelines\": {} }\n", f);
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(e2e_run(&E, NULL, run), 2);
    parse_all(&s);
    ck_assert_msg(s.lines >= 2 && has_event(&s, "config_error"), "%s", E.out);
    ck_assert_msg(strstr(E.out, "$.workers") != NULL, "%s", E.out);
    json_object_put(s.cycle_end);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("e2e_logs");
    TCase *tc = tcase_create("logs");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_every_line_of_a_cycle_is_a_json_object);
    tcase_add_test(tc, test_daemon_startup_reload_and_config_errors_are_json);
    suite_add_tcase(s, tc);
    return e2e_run_suite(s);
}
