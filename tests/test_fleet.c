/* Many pipelines on one daemon, end to end: the test build of the real program against one
 * sandbox serving two Eploy API keys and two Willo keys (two tenants' connections). The
 * pipelines of a connection take one Eploy token between them, in the first round and in
 * the rounds after it; and a tick of the daemon reads only the status records written since
 * it last looked (its own cycles', or another runner's), never the unchanged ones. The
 * test build traces each record the schedule reads (HIRESYNC_TRACE_STATUS_READS). */
#define _GNU_SOURCE

#include <check.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "test_e2e_util.h"

#define SLOW 10   /* pipelines of interval 3h, half on each connection */

static e2e E;

static const char *const SANDBOX_ARGS[] = {
    "--eploy-key", "tenant-a:secret-a:all", "--eploy-key", "tenant-b:secret-b:all",
    "--willo-key", "willo-a", "--willo-key", "willo-b", NULL};

static void teardown(void)
{
    e2e_stop(&E);
}

/* Connections e1/w1 (tenant a) and e2/w2 (tenant b); "fast" (interval 1m) on tenant a and
 * SLOW pipelines s0.. (interval 3h) spread over both. */
static void write_config(void)
{
    FILE *f = fopen(E.config, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "{ \"state_dir\": \"%s\", \"connections\": {\n", E.state_dir);
    for (int t = 1; t <= 2; t++)
        fprintf(f, "  \"e%d\": {\"connector\": \"eploy\", \"base_url\": \"%s\", \"client_id\": "
                   "\"tenant-%c\", \"client_secret\": \"secret-%c\", \"note_action_type\": "
                   "\"1\", \"signpost_lag_s\": 0},\n"
                   "  \"w%d\": {\"connector\": \"willo\", \"base_url\": \"%s\", \"api_key\": "
                   "\"willo-%c\", \"min_gap_ms\": 0}%s\n",
                t, E.sb.eploy_url, 'a' + t - 1, 'a' + t - 1, t, E.sb.willo_url, 'a' + t - 1,
                t == 1 ? "," : "");
    fprintf(f, "  }, \"pipelines\": {\n");
    for (int p = -1; p < SLOW; p++) {
        int t = p < 0 ? 1 : 1 + p % 2;
        char name[16];
        snprintf(name, sizeof name, p < 0 ? "fast" : "s%d", p);
        fprintf(f, "    \"%s\": {\"ats\": \"e%d\", \"interviews\": \"w%d\", \"interval\": \"%s\", "
                   "\"mappings\": [{\"interview\": \"%s\", \"jobs\": [{\"job\": \"1001\", "
                   "\"trigger_stages\": [\"Video Interview\"]}]}]}%s\n",
                name, t, t, p < 0 ? "1m" : "3h", E.interview, p + 1 < SLOW ? "," : "");
    }
    fprintf(f, "  } }\n");
    ck_assert_int_eq(fclose(f), 0);
    ck_assert_int_eq(chmod(E.config, 0600), 0);
}

static long long last_start(const char *pipeline)
{
    char path[400];
    json_object *rec, *last, *v;
    long long n = -1;
    snprintf(path, sizeof path, "%s/%s.status", E.state_dir, pipeline);
    if (access(path, F_OK) != 0 || (rec = json_object_from_file(path)) == NULL)
        return -1;
    if (json_object_object_get_ex(rec, "last", &last) &&
        json_object_object_get_ex(last, "started_ms", &v))
        n = (long long)json_object_get_int64(v);
    json_object_put(rec);
    return n;
}

/* Waits (up to 30 s) until the pipeline's last start is want_s; stops the daemon and fails
 * the test otherwise. */
static void expect_start(pid_t pid, const char *pipeline, long long want_s)
{
    for (int i = 0; i < 1500; i++) {
        if (last_start(pipeline) == want_s * 1000)
            return;
        usleep(20000);
    }
    kill(pid, SIGTERM);
    e2e_wait(&E, pid);
    ck_abort_msg("%s did not start at %lld: %s", pipeline, want_s, E.out);
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

static long token_requests(void)
{
    long status = 0, n = 0;
    char *text = NULL;
    json_object *s, *v;
    ck_assert_int_eq(hs_test_admin(&E.sb, "GET", "/stats", NULL, &status, &text), 0);
    s = json_tokener_parse(text ? text : "null");
    free(text);
    if (json_object_object_get_ex(s, "eploy", &v) && json_object_object_get_ex(v, "routes", &v) &&
        json_object_object_get_ex(v, "POST /api/token", &v)) {
        json_object_object_foreach(v, code, count) {
            (void)code;
            n += json_object_get_int(count);
        }
    }
    json_object_put(s);
    return n;
}

/* The trace's size now: the start of what the next ticks add. */
static long trace_mark(const char *trace)
{
    FILE *f = fopen(trace, "r");
    long n = 0;
    if (f == NULL)
        return 0;
    if (fseek(f, 0, SEEK_END) == 0)
        n = ftell(f);
    fclose(f);
    return n;
}

/* How many reads of the pipeline's record the trace holds after mark. */
static int reads_since(const char *trace, long mark, const char *pipeline)
{
    FILE *f = fopen(trace, "r");
    char line[128];
    int n = 0;
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fseek(f, mark, SEEK_SET), 0);
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        n += strcmp(line, pipeline) == 0;
    }
    fclose(f);
    return n;
}

/* Waits (up to 20 s) until the trace holds at least n reads of the pipeline's record after
 * mark: the daemon reads a record it wrote after the status file is in place, so a test that
 * sees the file must wait for the read too. */
static void wait_reads(pid_t pid, const char *trace, long mark, const char *pipeline, int n)
{
    for (int i = 0; i < 1000; i++) {
        if (reads_since(trace, mark, pipeline) >= n)
            return;
        usleep(20000);
    }
    kill(pid, SIGTERM);
    e2e_wait(&E, pid);
    ck_abort_msg("the daemon did not read %s's record %d times: %s", pipeline, n, E.out);
}

static int slow_reads_since(const char *trace, long mark, int except)
{
    int n = 0;
    for (int p = 0; p < SLOW; p++) {
        char name[16];
        snprintf(name, sizeof name, "s%d", p);
        if (p != except)
            n += reads_since(trace, mark, name);
    }
    return n;
}

START_TEST(test_daemon_token_per_connection_and_ticks_read_only_changed_records)
{
    static const char *const run[] = {"run", NULL};
    static const char *const other[] = {"run", "--once", "--force", "--pipeline", "s3", NULL};
    char clock[400], trace[400], env[1024], env2[64];
    long long w = (long long)time(NULL), m = 100000;
    long mark;
    pid_t pid;

    e2e_start(&E, SANDBOX_ARGS);
    write_config();
    snprintf(clock, sizeof clock, "%s/clock", E.dir);
    snprintf(trace, sizeof trace, "%s/trace", E.dir);
    snprintf(env, sizeof env, "HIRESYNC_FAKE_NOW_FILE=%s\nHIRESYNC_TRACE_STATUS_READS=%s",
             clock, trace);
    set_clock(clock, w, m);
    pid = e2e_spawn(&E, env, run);

    /* The first round: every pipeline, one token for each of the two connections. Each
     * record is read twice: at the first look, and after the cycle wrote it. */
    expect_start(pid, "fast", w);
    wait_reads(pid, trace, 0, "fast", 2);
    for (int p = 0; p < SLOW; p++) {
        char name[16];
        snprintf(name, sizeof name, "s%d", p);
        expect_start(pid, name, w);
        wait_reads(pid, trace, 0, name, 2);
    }
    ck_assert_int_eq(token_requests(), 2);

    /* A minute later only "fast" is due: its tick reads its own record, no other. */
    mark = trace_mark(trace);
    set_clock(clock, w + 70, m + 70);
    expect_start(pid, "fast", w + 70);
    wait_reads(pid, trace, mark, "fast", 1);
    usleep(300000);
    ck_assert_msg(slow_reads_since(trace, mark, -1) == 0, "a tick read %d unchanged records",
                  slow_reads_since(trace, mark, -1));
    ck_assert_int_eq(token_requests(), 2);   /* the connection's token, still valid */

    /* Another runner cycles s3 (its own process, its own token): the daemon's next tick
     * reads s3's new record, and still no other. */
    snprintf(env2, sizeof env2, "HIRESYNC_FAKE_NOW=%lld", w + 80);
    ck_assert_int_eq(e2e_run(&E, env2, other), 0);
    ck_assert_int_eq(last_start("s3"), (w + 80) * 1000);
    mark = trace_mark(trace);
    set_clock(clock, w + 140, m + 140);
    expect_start(pid, "fast", w + 140);
    wait_reads(pid, trace, mark, "fast", 1);
    usleep(300000);
    ck_assert_int_eq(reads_since(trace, mark, "s3"), 1);
    ck_assert_int_eq(slow_reads_since(trace, mark, 3), 0);
    ck_assert_int_eq(token_requests(), 3);

    ck_assert_int_eq(kill(pid, SIGTERM), 0);
    ck_assert_int_eq(e2e_wait(&E, pid), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fleet");
    TCase *tc = tcase_create("fleet");
    tcase_set_timeout(tc, 120);
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, test_daemon_token_per_connection_and_ticks_read_only_changed_records);
    suite_add_tcase(s, tc);
    return e2e_run_suite(s);
}
