/* End to end: the real hiresync program, the real connectors and the sandbox playing Eploy and
 * Willo. Each test tells one part of the story and checks the result in the sandbox. */
#define _GNU_SOURCE

#include <check.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_e2e_util.h"

#define VI "Video Interview"
#define COMPLETED_NOTE "completed the video interview"

static e2e E;

/* Reads a whole file into a new buffer the caller frees. */
static int read_whole(const char *path, char **out, size_t *len, char *err, size_t size)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    *out = NULL;
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
        fseek(f, 0, SEEK_SET) != 0 || (buf = malloc((size_t)n + 1)) == NULL) {
        snprintf(err, size, "%s: cannot read", path);
        if (f)
            fclose(f);
        return -1;
    }
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0';
    fclose(f);
    *out = buf;
    return 0;
}

static void setup(void)
{
    e2e_start(&E, NULL);
}

static void teardown(void)
{
    e2e_stop(&E);
}

/* Configures pipeline "p" on job 1001 with the given trigger stages and sets the baseline. */
static void one_pipeline(const char *jobs_json)
{
    char pipe[2048];
    e2e_pipeline(pipe, sizeof pipe, "p", "eploy", E.interview, jobs_json);
    e2e_config(&E, "", pipe);
    ck_assert_msg(e2e_cycle(&E) == 0, "baseline: %s", E.out);
}

static const char *const JOB_VI = "[{\"job\": \"1001\", \"trigger_stages\": [\"Video Interview\"]}]";

static json_object *status_json(void)
{
    static const char *const args[] = {"status", "--json", NULL};
    json_object *all;
    e2e_run(&E, NULL, args);
    all = json_tokener_parse(E.out);
    ck_assert_msg(all != NULL && json_object_is_type(all, json_type_array), "%s", E.out);
    return all;
}

static long last_count(json_object *all, const char *name)
{
    json_object *p = json_object_array_get_idx(all, 0), *last, *counts;
    ck_assert(json_object_object_get_ex(p, "last", &last));
    ck_assert(json_object_object_get_ex(last, "counts", &counts));
    return (long)json_object_get_int64(json_object_object_get(counts, name));
}

static void assert_no_secret(void)
{
    ck_assert_msg(strstr(E.out, "sandbox-secret") == NULL, "client secret in output: %s", E.out);
    ck_assert_msg(strstr(E.out, "sandbox-willo-key") == NULL, "api key in output: %s", E.out);
}

START_TEST(test_story_three_invited_two_notes_then_nothing)
{
    static const char *const debug_cycle[] = {"--log-level", "debug", "run", "--once", "--force",
                                              NULL};
    long ids[4];
    char keys[8][64];
    json_object *st;
    one_pipeline(JOB_VI);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 4), 4);
    for (int i = 0; i < 3; i++)
        e2e_move(&E.sb, ids[i], VI, NULL);
    e2e_move(&E.sb, ids[3], "Interview", NULL);
    ck_assert_msg(e2e_run(&E, NULL, debug_cycle) == 0, "%s", E.out);
    assert_no_secret();
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 3);
    st = status_json();
    ck_assert_int_eq(last_count(st, "invited"), 3);
    json_object_put(st);
    ck_assert_int_eq(e2e_participant_keys(&E.sb, E.interview, keys, 8), 3);
    e2e_complete(&E.sb, keys[0]);
    e2e_complete(&E.sb, keys[1]);
    ck_assert_msg(e2e_run(&E, NULL, debug_cycle) == 0, "%s", E.out);
    assert_no_secret();
    ck_assert_int_eq(e2e_actions(&E.sb, 0, COMPLETED_NOTE), 2);
    ck_assert_int_eq(e2e_actions(&E.sb, 0, keys[0]), 1); /* the link names the participant */
    ck_assert_int_eq(e2e_actions(&E.sb, 0, keys[1]), 1);
    ck_assert_int_eq(e2e_actions(&E.sb, ids[3], NULL), 0);
    st = status_json();
    ck_assert_int_eq(last_count(st, "notes"), 2);
    json_object_put(st);
    ck_assert_msg(e2e_run(&E, NULL, debug_cycle) == 0, "%s", E.out);
    assert_no_secret();
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 3);
    ck_assert_int_eq(e2e_actions(&E.sb, 0, COMPLETED_NOTE), 2);
    st = status_json();
    ck_assert_int_eq(last_count(st, "invited"), 0);
    ck_assert_int_eq(last_count(st, "notes"), 0);
    json_object_put(st);
    assert_no_secret();
    {
        static const char *const show[] = {"state", "show", "p", NULL};
        ck_assert_int_eq(e2e_run(&E, NULL, show), 0);
        ck_assert_msg(strstr(E.out, "invitations") != NULL, "%s", E.out);
        assert_no_secret();
    }
}
END_TEST

START_TEST(test_two_jobs_one_interview)
{
    long a[1], b[1];
    one_pipeline("[{\"job\": \"1001\", \"trigger_stages\": [\"Video Interview\"]},"
                 " {\"job\": \"1002\", \"trigger_stages\": [\"Video Interview\"]}]");
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, a, 1), 1);
    ck_assert_int_eq(e2e_apps(&E.sb, "1002", VI, b, 1), 1);
    e2e_move(&E.sb, a[0], VI, NULL);
    e2e_move(&E.sb, b[0], VI, NULL);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 2);
}
END_TEST

START_TEST(test_one_job_two_trigger_stages)
{
    long ids[2];
    one_pipeline("[{\"job\": \"1001\", \"trigger_stages\": [\"Video Interview\", \"Interview\"]}]");
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 2), 2);
    e2e_move(&E.sb, ids[0], VI, NULL);
    e2e_move(&E.sb, ids[1], "Interview", NULL);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 2);
    /* from one trigger stage into the other: still one invitation */
    e2e_move(&E.sb, ids[0], "Interview", NULL);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 2);
}
END_TEST

START_TEST(test_out_and_back_is_invited_once)
{
    long ids[1];
    one_pipeline(JOB_VI);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 1), 1);
    e2e_move(&E.sb, ids[0], VI, NULL);
    ck_assert_int_eq(e2e_cycle(&E), 0);
    e2e_move(&E.sb, ids[0], "Screening", NULL);
    ck_assert_int_eq(e2e_cycle(&E), 0);
    e2e_move(&E.sb, ids[0], VI, NULL);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 1);
}
END_TEST

START_TEST(test_passing_through_between_cycles_is_still_invited)
{
    long ids[1];
    one_pipeline(JOB_VI);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 1), 1);
    e2e_move(&E.sb, ids[0], VI, NULL);
    e2e_move(&E.sb, ids[0], "Interview", NULL);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 1);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 1);
}
END_TEST

START_TEST(test_candidate_without_email_gets_a_note_not_an_invitation)
{
    long ids[1];
    char path[64];
    long st = 0;
    json_object *all;
    one_pipeline(JOB_VI);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 1), 1);
    snprintf(path, sizeof path, "/eploy/candidates/%ld", e2e_candidate_of(&E.sb, ids[0]));
    ck_assert_int_eq(hs_test_admin(&E.sb, "PATCH", path, "{\"Email\":null}", &st, NULL), 0);
    ck_assert_int_eq(st, 200);
    e2e_move(&E.sb, ids[0], VI, NULL);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 0);
    ck_assert_int_eq(e2e_actions(&E.sb, ids[0], "no email address"), 1);
    all = status_json();
    ck_assert_int_eq(last_count(all, "not_invited"), 1);
    json_object_put(all);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(e2e_actions(&E.sb, ids[0], NULL), 1);
}
END_TEST

START_TEST(test_deleted_interview_is_noted_on_the_application)
{
    static const char *const status_args[] = {"status", NULL};
    long ids[1], st = 0;
    char path[160];
    json_object *all;
    one_pipeline(JOB_VI);
    snprintf(path, sizeof path, "/willo/interviews/%s", E.interview);
    ck_assert_int_eq(hs_test_admin(&E.sb, "DELETE", path, NULL, &st, NULL), 0);
    ck_assert_int_eq(st, 200);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 1), 1);
    e2e_move(&E.sb, ids[0], VI, NULL);
    /* nobody can ever be invited through the mapping: the run fails, loudly */
    ck_assert_msg(e2e_cycle(&E) == 1, "a dead mapping fails the run: %s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, NULL, NULL), 0);
    ck_assert_int_eq(e2e_actions(&E.sb, ids[0], "no longer exists"), 1);
    all = status_json();
    ck_assert_int_eq(last_count(all, "not_invited"), 1);
    json_object_put(all);
    ck_assert_int_eq(e2e_run(&E, NULL, status_args), 1);
    ck_assert_msg(strstr(E.out, "failed") != NULL && strstr(E.out, E.interview) != NULL,
                  "status names the interview: %s", E.out);
    ck_assert_msg(e2e_cycle(&E) == 1, "%s", E.out);
    ck_assert_int_eq(e2e_actions(&E.sb, ids[0], NULL), 1);
}
END_TEST

START_TEST(test_rejected_email_is_noted_on_the_application)
{
    long ids[1], st = 0;
    char path[64];
    one_pipeline(JOB_VI);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 1), 1);
    snprintf(path, sizeof path, "/eploy/candidates/%ld", e2e_candidate_of(&E.sb, ids[0]));
    ck_assert_int_eq(hs_test_admin(&E.sb, "PATCH", path, "{\"Email\":\"not an address\"}", &st,
                                   NULL), 0);
    ck_assert_int_eq(st, 200);
    e2e_move(&E.sb, ids[0], VI, NULL);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 0);
    ck_assert_msg(e2e_actions(&E.sb, ids[0], "rejected the candidate's email") == 1, "%s", E.out);
}
END_TEST

START_TEST(test_two_tenants_in_parallel)
{
    char p1[2048], p2[2048], both[4200], ivs[2][64];
    long a[1], b[1];
    e2e_start_second(&E);
    {
        long status = 0;
        char *body = NULL;
        json_object *arr;
        ck_assert_int_eq(hs_test_admin(&E.sb, "GET", "/willo/interviews", NULL, &status, &body), 0);
        arr = json_tokener_parse(body);
        free(body);
        ck_assert_int_ge((int)json_object_array_length(arr), 2);
        for (int i = 0; i < 2; i++)
            snprintf(ivs[i], sizeof ivs[i], "%s", json_object_get_string(json_object_object_get(
                                                       json_object_array_get_idx(arr, i), "key")));
        json_object_put(arr);
    }
    e2e_pipeline(p1, sizeof p1, "tenant-a", "eploy", ivs[0], JOB_VI);
    e2e_pipeline(p2, sizeof p2, "tenant-b", "eploy2", ivs[1], JOB_VI);
    snprintf(both, sizeof both, "%s, %s", p1, p2);
    e2e_config(&E, "\"workers\": 2,", both);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, a, 1), 1);
    ck_assert_int_eq(e2e_apps(&E.sb2, "1001", VI, b, 1), 1);
    e2e_move(&E.sb, a[0], VI, NULL);
    e2e_move(&E.sb2, b[0], VI, NULL);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, ivs[0], NULL), 1);
    ck_assert_int_eq(e2e_participants(&E.sb, ivs[1], NULL), 1);
}
END_TEST

START_TEST(test_429_storm_then_recovery)
{
    long ids[3], st = 0;
    one_pipeline(JOB_VI);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 3), 3);
    for (int i = 0; i < 3; i++)
        e2e_move(&E.sb, ids[i], VI, NULL);
    ck_assert_int_eq(hs_test_admin(&E.sb, "POST", "/faults",
                                   "{\"server\":\"willo\",\"route\":\"/participants/\","
                                   "\"status\":429,\"retry_after\":0,\"count\":40}",
                                   &st, NULL), 0);
    ck_assert_int_eq(st, 201);
    ck_assert_msg(e2e_cycle(&E) == 1, "a cycle that met only 429s fails: %s", E.out);
    ck_assert_int_eq(hs_test_admin(&E.sb, "DELETE", "/faults", NULL, &st, NULL), 0);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 3);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 3);
}
END_TEST

START_TEST(test_missing_permission_is_reported_and_recovers)
{
    static const char *const status_args[] = {"status", NULL};
    long ids[1], st = 0;
    char keys[2][64];
    one_pipeline(JOB_VI);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 1), 1);
    e2e_move(&E.sb, ids[0], VI, NULL);
    ck_assert_int_eq(e2e_cycle(&E), 0);
    ck_assert_int_eq(e2e_participant_keys(&E.sb, E.interview, keys, 2), 1);
    e2e_complete(&E.sb, keys[0]);
    ck_assert_int_eq(hs_test_admin(&E.sb, "POST", "/eploy/keys/sandbox-client",
                                   "{\"scopes\":[\"actions.read\",\"applications.read\","
                                   "\"candidates.read\",\"vacancies.read\",\"workflows.read\"]}",
                                   &st, NULL), 0);
    ck_assert_int_eq(hs_test_admin(&E.sb, "POST", "/eploy/tokens/expire", NULL, &st, NULL), 0);
    ck_assert_msg(e2e_cycle(&E) == 1, "a permission failure makes run fail: %s", E.out);
    ck_assert_int_eq(e2e_run(&E, NULL, status_args), 1);
    ck_assert_msg(strstr(E.out, "error:") != NULL && strstr(E.out, "nsert") != NULL,
                  "status names the missing permission: %s", E.out);
    ck_assert_int_eq(e2e_actions(&E.sb, 0, COMPLETED_NOTE), 0);
    ck_assert_int_eq(hs_test_admin(&E.sb, "POST", "/eploy/keys/sandbox-client",
                                   "{\"scopes\":[\"actions.read\",\"actions.insert\","
                                   "\"applications.read\",\"candidates.read\",\"vacancies.read\","
                                   "\"workflows.read\"]}", &st, NULL), 0);
    ck_assert_int_eq(hs_test_admin(&E.sb, "POST", "/eploy/tokens/expire", NULL, &st, NULL), 0);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(e2e_actions(&E.sb, 0, COMPLETED_NOTE), 1);
}
END_TEST

START_TEST(test_second_runner_skips_a_locked_pipeline)
{
    char lock[400];
    long ids[1];
    int fd;
    one_pipeline(JOB_VI);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 1), 1);
    e2e_move(&E.sb, ids[0], VI, NULL);
    snprintf(lock, sizeof lock, "%s/p.lock", E.state_dir);
    fd = open(lock, O_RDWR | O_CREAT, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(flock(fd, LOCK_EX | LOCK_NB), 0);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_msg(strstr(E.out, "skipped") != NULL, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 0);
    close(fd);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 1);
}
END_TEST

START_TEST(test_corrupt_state_stops_the_pipeline_until_reset)
{
    static const char *const reset[] = {"state", "reset", "p", NULL};
    char path[400];
    FILE *f;
    one_pipeline(JOB_VI);
    snprintf(path, sizeof path, "%s/p.state", E.state_dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("{\"format\":1,", f);
    fclose(f);
    ck_assert_int_eq(e2e_cycle(&E), 1);
    ck_assert_msg(strstr(E.out, path) != NULL && strstr(E.out, "hiresync state reset p") != NULL,
                  "%s", E.out);
    ck_assert_msg(e2e_run(&E, NULL, reset) == 0, "%s", E.out);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
}
END_TEST

/* Killed with the record of a finished invitation half written: the torn last line is
 * dropped (and said), the invitation is found again by the connector's lookup, never sent
 * twice. */
START_TEST(test_torn_journal_record_is_dropped_without_a_duplicate)
{
    static const char *const args[] = {"run", "--once", "--force", NULL};
    char path[400], err[256], *text = NULL;
    size_t len = 0;
    long ids[1];
    one_pipeline(JOB_VI);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 1), 1);
    e2e_move(&E.sb, ids[0], VI, NULL);
    /* the 1st record is the invitation's intent, the 2nd its done */
    ck_assert_int_eq(e2e_run(&E, "HIRESYNC_CRASH_AT=2\nHIRESYNC_CRASH_WHERE=state: journal "
                             "record half written", args), -SIGKILL);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 1);
    snprintf(path, sizeof path, "%s/p.journal", E.state_dir);
    ck_assert_int_eq(read_whole(path, &text, &len, err, sizeof err), 0);
    ck_assert_msg(len > 0 && text[len - 1] != '\n', "the journal ends with a torn line: %s", text);
    free(text);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_msg(strstr(E.out, "dropped a torn last record") != NULL &&
                  strstr(E.out, path) != NULL, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 1);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 1);
}
END_TEST

/* A bad line before the last one is not a torn write: the pipeline stops, naming the file and
 * the way out, and nothing is invited meanwhile. */
START_TEST(test_corrupt_journal_line_stops_the_pipeline_until_reset)
{
    static const char *const args[] = {"run", "--once", "--force", NULL};
    static const char *const reset[] = {"state", "reset", "p", NULL};
    char path[400], err[256], *text = NULL, *p;
    size_t len = 0;
    long ids[2];
    FILE *f;
    one_pipeline(JOB_VI);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 2), 2);
    e2e_move(&E.sb, ids[0], VI, NULL);
    /* stopped with the invitation's intent and done in the journal */
    ck_assert_int_eq(e2e_run(&E, "HIRESYNC_CRASH_AT=2\nHIRESYNC_CRASH_WHERE=state: journal "
                             "record synced", args), -SIGKILL);
    snprintf(path, sizeof path, "%s/p.journal", E.state_dir);
    ck_assert_int_eq(read_whole(path, &text, &len, err, sizeof err), 0);
    p = strstr(text, "intent");
    ck_assert_msg(p != NULL && strchr(p, '\n') != NULL && strchr(p, '\n') + 1 < text + len,
                  "%s", text);
    p[0] = 'I';
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    fclose(f);
    free(text);
    e2e_move(&E.sb, ids[1], VI, NULL);
    ck_assert_int_eq(e2e_cycle(&E), 1);
    ck_assert_msg(strstr(E.out, path) != NULL && strstr(E.out, "corrupt") != NULL &&
                  strstr(E.out, "hiresync state reset p") != NULL, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 1);
    ck_assert_msg(e2e_run(&E, NULL, reset) == 0, "%s", E.out);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
}
END_TEST

START_TEST(test_dry_run_writes_nothing)
{
    static const char *const dry[] = {"run", "--dry-run", "--force", NULL};
    static const char *const show[] = {"state", "show", "p", NULL};
    char before[65536];
    long ids[1];
    one_pipeline(JOB_VI);
    ck_assert_int_eq(e2e_run(&E, NULL, show), 0);
    snprintf(before, sizeof before, "%s", E.out);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 1), 1);
    e2e_move(&E.sb, ids[0], VI, NULL);
    ck_assert_msg(e2e_run(&E, NULL, dry) == 0, "%s", E.out);
    ck_assert_msg(strstr(E.out, "would invite") != NULL, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 0);
    ck_assert_int_eq(e2e_run(&E, NULL, show), 0);
    ck_assert_str_eq(E.out, before);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 1);
}
END_TEST

/* A trigger stage with a typo, or a status the stage does not have: nobody would ever be
 * invited, so the run, status and check all fail and say what exists. */
static void bad_mapping(const char *jobs_json, const char *expect)
{
    static const char *const status_args[] = {"status", NULL};
    static const char *const check_args[] = {"check", NULL};
    char pipe[2048];
    e2e_pipeline(pipe, sizeof pipe, "p", "eploy", E.interview, jobs_json);
    e2e_config(&E, "", pipe);
    ck_assert_msg(e2e_cycle(&E) == 1, "a dead mapping fails the run: %s", E.out);
    ck_assert_msg(e2e_run(&E, NULL, status_args) == 1, "status exits 1: %s", E.out);
    ck_assert_msg(strstr(E.out, expect) != NULL, "status says \"%s\": %s", expect, E.out);
    ck_assert_msg(e2e_run(&E, NULL, check_args) == 1, "check exits 1: %s", E.out);
    ck_assert_msg(strstr(E.out, "FAIL  mapping: ") != NULL && strstr(E.out, expect) != NULL,
                  "check says \"%s\": %s", expect, E.out);
}

START_TEST(test_bad_mapping_is_named_in_status)
{
    bad_mapping("[{\"job\": \"1001\", \"trigger_stages\": [\"Video Intervew\"]}]",
                "no stage matches trigger \"Video Intervew\"; its stages are ");
    ck_assert_msg(strstr(E.out, "\"Video Interview\"") != NULL, "%s", E.out);
}
END_TEST

START_TEST(test_bad_status_lists_the_statuses_of_the_stage)
{
    bad_mapping("[{\"job\": \"1001\", \"trigger_stages\": [\"Video Interview / Invted\"]}]",
                "stage \"Video Interview\" has no status \"Invted\"; its statuses are "
                "\"Invite Pending\", \"Invited\"");
}
END_TEST

START_TEST(test_unknown_job_fails_check_and_run)
{
    bad_mapping("[{\"job\": \"987654\", \"trigger_stages\": [\"Video Interview\"]}]",
                "job 987654 is not among the");
}
END_TEST

START_TEST(test_good_mappings_pass_check)
{
    static const char *const check_args[] = {"check", NULL};
    one_pipeline(JOB_VI);
    ck_assert_msg(e2e_run(&E, NULL, check_args) == 0, "%s", E.out);
    ck_assert_msg(strstr(E.out, "pipeline p (mappings)\n  OK    mappings: 1 mapping(s), 1 "
                            "job(s)") != NULL, "%s", E.out);
}
END_TEST

START_TEST(test_run_stays_up_and_stops_cleanly_on_sigterm)
{
    static const char *const run[] = {"run", NULL};
    static const char *const show[] = {"state", "show", "p", NULL};
    char status_file[400], second[400], pipes[4200], p2[2048];
    struct stat st;
    pid_t pid;
    one_pipeline(JOB_VI);
    snprintf(status_file, sizeof status_file, "%s/p.status", E.state_dir);
    snprintf(second, sizeof second, "%s/p2.status", E.state_dir);
    ck_assert_int_eq(unlink(status_file), 0);
    pid = e2e_spawn(&E, NULL, run);
    /* never run per the status record, so due at once */
    for (int i = 0; i < 300 && stat(status_file, &st) != 0; i++)
        usleep(20000);
    ck_assert_int_eq(stat(status_file, &st), 0);
    /* a pipeline added to the file runs after SIGHUP, without a restart */
    e2e_pipeline(pipes, sizeof pipes, "p", "eploy", E.interview, JOB_VI);
    e2e_pipeline(p2, sizeof p2, "p2", "eploy", E.interview, JOB_VI);
    strcat(strcat(pipes, ", "), p2);
    e2e_config(&E, "", pipes);
    ck_assert_int_eq(kill(pid, SIGHUP), 0);
    for (int i = 0; i < 300 && stat(second, &st) != 0; i++)
        usleep(20000);
    ck_assert_msg(stat(second, &st) == 0, "the reloaded pipeline did not run");
    ck_assert_int_eq(kill(pid, SIGTERM), 0);
    ck_assert_msg(e2e_wait(&E, pid) == 0, "%s", E.out);
    ck_assert_msg(strstr(E.out, "cycle ok") != NULL, "%s", E.out);
    ck_assert_msg(strstr(E.out, "reloading") != NULL, "%s", E.out);
    ck_assert_int_eq(e2e_run(&E, NULL, show), 0);
}
END_TEST

START_TEST(test_sigterm_mid_cycle_finishes_the_write_in_hand)
{
    static const char *const once[] = {"run", "--once", "--force", NULL};
    static const char *const show[] = {"state", "show", "p", NULL};
    long ids[3];
    int n;
    one_pipeline(JOB_VI);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 3), 3);
    for (int i = 0; i < 3; i++)
        e2e_move(&E.sb, ids[i], VI, NULL);
    /* SIGTERM arrives while the first invitation is in hand (sent, not yet recorded) */
    ck_assert_msg(e2e_run(&E, "HIRESYNC_CRASH_AT=1\n"
                              "HIRESYNC_CRASH_WHERE=cycle: after write_invitation\n"
                              "HIRESYNC_CRASH_SIGNAL=TERM", once) == 0,
                  "SIGTERM ends the run with 0: %s", E.out);
    ck_assert_msg(strstr(E.out, "cycle cancelled") != NULL, "%s", E.out);
    n = e2e_participants(&E.sb, E.interview, NULL);
    ck_assert_msg(n == 1, "the write in hand is finished, no other starts: %d invitations: %s",
                  n, E.out);
    /* ... and recorded: the outbox holds no write in flight */
    ck_assert_int_eq(e2e_run(&E, NULL, show), 0);
    ck_assert_msg(strstr(E.out, "\"participant\"") != NULL && strstr(E.out, "intent") == NULL,
                  "%s", E.out);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 3);
}
END_TEST

START_TEST(test_stream_reset_sets_a_new_baseline_without_duplicates)
{
    static const char *const reset_ats[] = {"state", "reset", "p", "ats", NULL};
    static const char *const reset_bad[] = {"state", "reset", "p", "cursor", NULL};
    long ids[2];
    one_pipeline(JOB_VI);
    ck_assert_int_eq(e2e_apps(&E.sb, "1001", VI, ids, 2), 2);
    e2e_move(&E.sb, ids[0], VI, NULL);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(e2e_run(&E, NULL, reset_bad), 2);
    ck_assert_msg(e2e_run(&E, NULL, reset_ats) == 0, "%s", E.out);
    ck_assert_msg(strstr(E.out, "new baseline") != NULL, "%s", E.out);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 1);
    e2e_move(&E.sb, ids[1], VI, NULL);
    ck_assert_msg(e2e_cycle(&E) == 0, "%s", E.out);
    ck_assert_int_eq(e2e_participants(&E.sb, E.interview, NULL), 2);
}
END_TEST

static long long started_ms(const char *pipeline)
{
    json_object *all = status_json(), *last;
    long long v = -1;
    for (size_t i = 0; i < json_object_array_length(all); i++) {
        json_object *p = json_object_array_get_idx(all, i);
        if (strcmp(json_object_get_string(json_object_object_get(p, "pipeline")), pipeline) != 0)
            continue;
        if (json_object_object_get_ex(p, "last", &last) && last != NULL)
            v = (long long)json_object_get_int64(json_object_object_get(last, "started_ms"));
    }
    json_object_put(all);
    return v;
}

START_TEST(test_schedule_due_times_and_disabled_pipelines)
{
    static const char *const once[] = {"run", "--once", NULL};
    char both[4200], env[64];
    long long first;
    /* p runs hourly; q is switched off */
    snprintf(both, sizeof both,
             "\"p\": {\"ats\": \"eploy\", \"interviews\": \"willo\", \"interval\": \"1h\", "
             "\"mappings\": [{\"interview\": \"%s\", \"jobs\": %s}]}, "
             "\"q\": {\"ats\": \"eploy\", \"interviews\": \"willo\", \"enabled\": false, "
             "\"mappings\": [{\"interview\": \"%s\", \"jobs\": %s}]}",
             E.interview, JOB_VI, E.interview, JOB_VI);
    e2e_config(&E, "", both);
    ck_assert_msg(e2e_run(&E, NULL, once) == 0, "%s", E.out);
    first = started_ms("p");
    ck_assert_msg(first > 0, "p never ran: %s", E.out);
    ck_assert_int_eq(started_ms("q"), -1);
    ck_assert_msg(e2e_run(&E, NULL, once) == 0, "%s", E.out);
    ck_assert_msg(strstr(E.out, "not due yet") != NULL, "%s", E.out);
    ck_assert(started_ms("p") == first);
    /* an hour and 7 minutes later (beyond the longest jitter) it is due again */
    snprintf(env, sizeof env, "HIRESYNC_FAKE_NOW=%lld", first / 1000 + 3600 + 7 * 60);
    ck_assert_msg(e2e_run(&E, env, once) == 0, "%s", E.out);
    ck_assert(started_ms("p") == (first / 1000 + 3600 + 7 * 60) * 1000);
    ck_assert_int_eq(started_ms("q"), -1);
    {
        /* a switched-off pipeline runs when asked for by name; an unknown one is a usage error */
        static const char *const only_q[] = {"run", "--once", "--pipeline", "q", NULL};
        static const char *const unknown[] = {"run", "--once", "--pipeline", "nope", NULL};
        ck_assert_msg(e2e_run(&E, NULL, only_q) == 0, "%s", E.out);
        ck_assert(started_ms("q") > 0);
        ck_assert_int_eq(e2e_run(&E, NULL, unknown), 2);
        ck_assert_msg(strstr(E.out, "nope") != NULL, "%s", E.out);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("e2e");
    TCase *tc = tcase_create("story");
    tcase_set_timeout(tc, 60);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_story_three_invited_two_notes_then_nothing);
    tcase_add_test(tc, test_two_jobs_one_interview);
    tcase_add_test(tc, test_one_job_two_trigger_stages);
    tcase_add_test(tc, test_out_and_back_is_invited_once);
    tcase_add_test(tc, test_passing_through_between_cycles_is_still_invited);
    tcase_add_test(tc, test_candidate_without_email_gets_a_note_not_an_invitation);
    tcase_add_test(tc, test_deleted_interview_is_noted_on_the_application);
    tcase_add_test(tc, test_rejected_email_is_noted_on_the_application);
    tcase_add_test(tc, test_two_tenants_in_parallel);
    tcase_add_test(tc, test_429_storm_then_recovery);
    tcase_add_test(tc, test_missing_permission_is_reported_and_recovers);
    tcase_add_test(tc, test_second_runner_skips_a_locked_pipeline);
    tcase_add_test(tc, test_corrupt_state_stops_the_pipeline_until_reset);
    tcase_add_test(tc, test_torn_journal_record_is_dropped_without_a_duplicate);
    tcase_add_test(tc, test_corrupt_journal_line_stops_the_pipeline_until_reset);
    tcase_add_test(tc, test_dry_run_writes_nothing);
    tcase_add_test(tc, test_bad_mapping_is_named_in_status);
    tcase_add_test(tc, test_bad_status_lists_the_statuses_of_the_stage);
    tcase_add_test(tc, test_unknown_job_fails_check_and_run);
    tcase_add_test(tc, test_good_mappings_pass_check);
    tcase_add_test(tc, test_run_stays_up_and_stops_cleanly_on_sigterm);
    tcase_add_test(tc, test_schedule_due_times_and_disabled_pipelines);
    tcase_add_test(tc, test_sigterm_mid_cycle_finishes_the_write_in_hand);
    tcase_add_test(tc, test_stream_reset_sets_a_new_baseline_without_duplicates);
    suite_add_tcase(s, tc);
    return e2e_run_suite(s);
}
