/*
 * Host services: the logger (format, levels, secret masking), the services an open
 * connection lends its connector (clock, cancellation, sleep, user agent, store), and the
 * job collector behind `hiresync jobs`.
 */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../host/connection.h"
#include "../host/jobs.h"
#include "../host/log.h"
#include "host_testutil.h"

static long long fixed_clock(void *ctx)
{
    (void)ctx;
    return 1796329800000LL;   /* 2026-12-03T20:30:00Z */
}

/* Logs one line into a memory stream and returns it (caller frees). */
static char *log_line(hs_log *log, FILE *f, char **buf, hs_log_level level, const char *scope,
                      const char *text)
{
    hs_log_write(log, level, scope, "%s", text);
    fflush(f);
    return strdup(*buf);
}

START_TEST(log_text_and_json)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    hs_log *log = hs_log_new(f);
    hs_log_set_clock(log, fixed_clock, NULL);
    char *line = log_line(log, f, &buf, HS_LOG_INFO, "p/eploy", "hello\nworld");
    ck_assert_str_eq(line, "2026-12-03T20:30:00Z INFO [p/eploy] hello world\n");
    free(line);
    hs_log_write(log, HS_LOG_DEBUG, NULL, "hidden at info");
    fflush(f);
    ck_assert_uint_eq(hs_ht_count_lines(buf), 1);
    hs_log_set_level(log, HS_LOG_DEBUG);
    hs_log_set_format(log, HS_LOG_FORMAT_JSON);
    hs_log_write(log, HS_LOG_DEBUG, NULL, "quote \" and slash /");
    fflush(f);
    const char *last = strstr(buf, "\n") + 1;
    ck_assert_str_eq(last, "{\"ts\":\"2026-12-03T20:30:00.000Z\",\"level\":\"debug\","
                           "\"event\":\"log\",\"pipeline\":null,\"connection\":null,"
                           "\"run_id\":null,\"msg\":\"quote \\\" and slash /\"}\n");
    /* an event: its name, its numbers as fields, the thread's run id, the scope split */
    {
        const hs_log_num nums[] = {{"duration_ms", 42}, {"invited", 3}};
        const hs_log_ctx ctx = {"p", "eploy", "cycle_end", nums, 2, NULL, 0};
        hs_log_set_run_id("r1");
        hs_log_event(log, HS_LOG_INFO, &ctx, "done");
        hs_log_set_run_id(NULL);
        hs_log_write(log, HS_LOG_INFO, "p/eploy", "scoped");
        fflush(f);
        last = strstr(last, "\n") + 1;
        ck_assert_str_eq(last, "{\"ts\":\"2026-12-03T20:30:00.000Z\",\"level\":\"info\","
                               "\"event\":\"cycle_end\",\"pipeline\":\"p\",\"connection\":"
                               "\"eploy\",\"run_id\":\"r1\",\"duration_ms\":42,\"invited\":3,"
                               "\"msg\":\"done\"}\n"
                               "{\"ts\":\"2026-12-03T20:30:00.000Z\",\"level\":\"info\","
                               "\"event\":\"log\",\"pipeline\":\"p\",\"connection\":"
                               "\"eploy\",\"run_id\":null,\"msg\":\"scoped\"}\n");
    }
    hs_log_free(log);
    fclose(f);
    free(buf);
}
END_TEST

START_TEST(log_masks_secrets)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    hs_log *log = hs_log_new(f);
    hs_log_set_clock(log, fixed_clock, NULL);
    ck_assert_int_eq(hs_log_add_secret(log, "abc"), 0);   /* too short: ignored */
    ck_assert_int_eq(hs_log_add_secret(log, "tok-123"), 0);
    ck_assert_int_eq(hs_log_add_secret(log, "tok-123456"), 0);
    hs_log_write(log, HS_LOG_ERROR, "tok-123", "key tok-123456 and tok-123, abc");
    fflush(f);
    ck_assert_str_eq(buf, "2026-12-03T20:30:00Z ERROR [***] key *** and ***, abc\n");
    /* A secret straddling the length limit of a line is masked, not cut in half. */
    size_t pad = 8192 - 6;
    char *longer = malloc(pad + 16);
    ck_assert_ptr_nonnull(longer);
    memset(longer, 'x', pad);
    strcpy(longer + pad, "tok-123456");
    hs_log_write(log, HS_LOG_ERROR, NULL, "%s", longer);
    fflush(f);
    ck_assert_ptr_null(strstr(buf, "tok-"));
    ck_assert_ptr_nonnull(strstr(buf, "xxx***"));
    free(longer);
    char out[16];
    hs_log_mask(log, "x tok-123456 y", out, sizeof(out));
    ck_assert_str_eq(out, "x *** y");
    hs_log_mask(log, "0123456789abcdefghij", out, sizeof(out));
    ck_assert_str_eq(out, "0123456789abcde");
    hs_log_free(log);
    fclose(f);
    free(buf);
}
END_TEST

START_TEST(log_parsers)
{
    hs_log_level level;
    hs_log_format format;
    ck_assert_int_eq(hs_log_level_parse("warn", &level), 0);
    ck_assert_int_eq(level, HS_LOG_WARN);
    ck_assert_int_eq(hs_log_level_parse("WARN", &level), -1);
    ck_assert_int_eq(hs_log_format_parse("json", &format), 0);
    ck_assert_int_eq(format, HS_LOG_FORMAT_JSON);
    ck_assert_int_eq(hs_log_format_parse("xml", &format), -1);
    ck_assert_str_eq(hs_log_level_name(HS_LOG_DEBUG), "debug");
}
END_TEST

/* ---- connections -------------------------------------------------------------------------- */

static hs_app app;
static char *dir;
static char *lifecycle_file;

/* The lines the test module's module_init and module_exit appended (hst_module.c). */
static const char *lifecycle(void)
{
    static char text[256];
    FILE *f = fopen(lifecycle_file, "r");
    size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
    text[n] = '\0';
    if (f)
        fclose(f);
    return text;
}

static void app_setup(void)
{
    dir = hs_ht_tmpdir();
    char manifests[4096];
    snprintf(manifests, sizeof(manifests), "%s/tests/data/manifests", hs_ht_env("HIRESYNC_SRCDIR"));
    setenv("HIRESYNC_MANIFEST_DIR", manifests, 1);
    setenv("HIRESYNC_CONNECTOR_DIR", hs_ht_env("HIRESYNC_TEST_MODULE_DIR"), 1);
    lifecycle_file = hs_ht_join(dir, "lifecycle");
    setenv("HST_LIFECYCLE_FILE", lifecycle_file, 1);
    ck_assert_int_eq(hs_app_init(&app, "test_host"), 0);
    free(app.config_path);
    app.config_path = hs_ht_write(dir, "hiresync.json",
                                "{\"connections\":{\"ats\":{\"connector\":\"testats\","
                                "\"subdomain\":\"acme\",\"client_id\":\"c\","
                                "\"token\":\"secret-one\"},"
                                "\"ats_large\":{\"connector\":\"testats\",\"subdomain\":\"acme\","
                                "\"client_id\":\"c\",\"token\":\"secret-one\","
                                "\"record_size\":\"large\"},"
                                "\"ats_small\":{\"connector\":\"testats\",\"subdomain\":\"acme\","
                                "\"client_id\":\"c\",\"token\":\"secret-one\","
                                "\"record_size\":\"small\"}}}", 0600);
    app.config_path_given = 1;
    hs_log_set_level(app.log, HS_LOG_ERROR);   /* the module logs on open */
    app.log_level_given = 1;
    ck_assert_int_eq(hs_app_load_config(&app, 1), HS_EXIT_OK);
    ck_assert_uint_eq(hs_app_load_modules(&app), 0);
}

static void app_teardown(void)
{
    hs_app_cleanup(&app);
    unsetenv("HST_LIFECYCLE_FILE");
    free(lifecycle_file);
    hs_ht_rmtree(dir);
    free(dir);
}

static int cancel_flag;

static int cancelled(void *ctx)
{
    return *(int *)ctx;
}

static int64_t clock_ms(void *ctx)
{
    (void)ctx;
    return 42000;
}

START_TEST(connection_services)
{
    hs_connection_options opts = {0};
    opts.scope = "pipe/ats";
    opts.store_json = "{\"day\":\"2026-11-26\",\"calls\":\"7\"}";
    opts.cancelled = cancelled;
    opts.cancel_ctx = &cancel_flag;
    opts.now_ms = clock_ms;
    cancel_flag = 0;
    hs_connection *conn = NULL;
    hs_host_error err;
    hs_host_error_init(&err);
    ck_assert_int_eq(hs_connection_open(&app, "ats", &opts, &conn, &err.e), HS_OK);
    ck_assert_str_eq(hs_connection_name(conn), "ats");
    ck_assert_str_eq(hs_connection_table(conn)->name, "testats");
    ck_assert_ptr_nonnull(hs_connection_conn(conn));
    const hs_host_api *api = hs_connection_api(conn);
    hs_host *host = hs_connection_host(conn);
    ck_assert_uint_eq(api->struct_size, sizeof(hs_host_api));
    ck_assert_uint_eq(api->abi_version, HS_ABI_VERSION);
    ck_assert_int_eq(api->now_ms(host), 42000);
    ck_assert_int_eq(api->cancelled(host), 0);
    ck_assert_int_eq(api->sleep_ms(host, 1), 0);
    cancel_flag = 1;
    ck_assert_int_eq(api->cancelled(host), 1);
    ck_assert_int_eq(api->sleep_ms(host, 60000), 1);   /* returns at once when cancelled */
    const char *ua = api->user_agent(host);
    ck_assert_int_eq(strncmp(ua, "hiresync/", 9), 0);
    ck_assert_ptr_nonnull(strstr(ua, " (+testats)"));
    char buf[16];
    ck_assert_int_eq(api->store_get(host, "calls", buf, sizeof(buf)), HS_OK);
    ck_assert_str_eq(buf, "7");
    ck_assert_int_eq(api->store_get(host, "day", buf, 5), HS_E_INTERNAL);
    ck_assert_int_eq(api->store_get(host, "nope", buf, sizeof(buf)), HS_E_DATA);
    ck_assert_int_eq(api->store_put(host, "calls", "8"), HS_OK);
    ck_assert_int_eq(api->store_put(host, "day", NULL), HS_OK);
    char long_name[HS_STORE_NAME_MAX + 2];
    memset(long_name, 'n', sizeof(long_name) - 1);
    long_name[sizeof(long_name) - 1] = '\0';
    ck_assert_int_eq(api->store_put(host, long_name, "x"), HS_E_DATA);
    char *json = hs_connection_store_json(conn);
    ck_assert_str_eq(json, "{\"calls\":\"8\"}");
    free(json);
    char error[256];
    ck_assert_int_eq(hs_connection_store_load(conn, "[1]", error, sizeof(error)), -1);
    ck_assert_str_eq(error, "connection store is not a JSON object");
    ck_assert_int_eq(hs_connection_store_load(conn, "{\"a\":1}", error, sizeof(error)), -1);
    ck_assert_int_eq(hs_connection_store_load(conn, "{\"a\":\"b\"}", error, sizeof(error)), 0);
    ck_assert_int_eq(api->store_get(host, "a", buf, sizeof(buf)), HS_OK);
    ck_assert_str_eq(buf, "b");
    hs_connection_close(conn);
}
END_TEST

/* Two connections of one configured connection (two pipelines on one tenant) share memory
 * and the measured clock skew; the durable store stays each one's own. */
START_TEST(connection_shared_between_pipelines)
{
    hs_connection_options a = {0}, b = {0};
    hs_connection *one = NULL, *two = NULL;
    hs_host_error err;
    char buf[64];
    int64_t skew = 0, at = 0;
    a.scope = "first/ats";
    a.now_ms = clock_ms;
    b.scope = "second/ats";
    b.now_ms = clock_ms;
    hs_host_error_init(&err);
    ck_assert_int_eq(hs_connection_open(&app, "ats", &a, &one, &err.e), HS_OK);
    ck_assert_int_eq(hs_connection_open(&app, "ats", &b, &two, &err.e), HS_OK);
    const hs_host_api *api = hs_connection_api(one);
    ck_assert(HS_HAS_FIELD(hs_host_api, api->struct_size, shared_put));
    ck_assert_int_eq(hs_connection_clock_skew(two, &skew, &at), 0);
    ck_assert_int_eq(api->shared_get(hs_connection_host(two), "token", buf, sizeof buf),
                     HS_E_DATA);
    ck_assert_int_eq(api->shared_put(hs_connection_host(one), "token", "t-1"), HS_OK);
    ck_assert_int_eq(api->shared_get(hs_connection_host(two), "token", buf, sizeof buf), HS_OK);
    ck_assert_str_eq(buf, "t-1");
    ck_assert_int_eq(api->shared_get(hs_connection_host(two), "token", buf, 3), HS_E_INTERNAL);
    ck_assert_int_eq(api->store_put(hs_connection_host(one), "calls", "1"), HS_OK);
    ck_assert_int_eq(api->store_get(hs_connection_host(two), "calls", buf, sizeof buf),
                     HS_E_DATA);
    /* the remote clock is 9 s behind the host's */
    api->remote_time(hs_connection_host(one), 42000 - 9000);
    ck_assert_int_eq(hs_connection_clock_skew(two, &skew, &at), 1);
    ck_assert_int_eq(skew, 9000);
    ck_assert_int_eq(at, 42000);
    api->remote_time(hs_connection_host(two), 0);   /* no time: ignored */
    ck_assert_int_eq(hs_connection_clock_skew(one, &skew, NULL), 1);
    ck_assert_int_eq(skew, 9000);
    /* compare-and-set: only the pipeline that finds what it expects sets the value */
    ck_assert_int_eq(api->shared_swap(hs_connection_host(one), "claim", NULL, "one"), HS_OK);
    ck_assert_int_eq(api->shared_swap(hs_connection_host(two), "claim", NULL, "two"), HS_E_DATA);
    ck_assert_int_eq(api->shared_swap(hs_connection_host(two), "claim", "two", "x"), HS_E_DATA);
    ck_assert_int_eq(api->shared_get(hs_connection_host(two), "claim", buf, sizeof buf), HS_OK);
    ck_assert_str_eq(buf, "one");
    ck_assert_int_eq(api->shared_swap(hs_connection_host(two), "claim", "one", "two"), HS_OK);
    ck_assert_int_eq(api->shared_swap(hs_connection_host(one), "claim", "two", NULL), HS_OK);
    ck_assert_int_eq(api->shared_get(hs_connection_host(one), "claim", buf, sizeof buf),
                     HS_E_DATA);
    ck_assert_int_eq(api->shared_put(hs_connection_host(two), "token", NULL), HS_OK);
    ck_assert_int_eq(api->shared_get(hs_connection_host(one), "token", buf, sizeof buf),
                     HS_E_DATA);
    hs_connection_close(one);
    hs_connection_close(two);
}
END_TEST

#define REQUESTS_PER_THREAD 2000

static void *report_requests(void *arg)
{
    hs_connection *c = arg;
    const hs_host_api *api = hs_connection_api(c);
    static const int32_t statuses[] = {200, 201, 304, 404, 429, 503, HS_REQUEST_TIMEOUT,
                                       HS_REQUEST_FAILED, 99, 600};
    for (int i = 0; i < REQUESTS_PER_THREAD; i++)
        api->request_done(hs_connection_host(c), statuses[i % 10]);
    return NULL;
}

/* request_done counts per configured connection, by class, from pipelines on several
 * threads at once: none is lost. */
START_TEST(connection_requests_counted_by_class)
{
    hs_connection_options a = {0}, b = {0};
    hs_connection *one = NULL, *two = NULL;
    hs_host_error err;
    pthread_t t[4];
    uint64_t n[HS_REQUEST_CLASSES];
    /* per class of the ten statuses above: 2xx, 3xx, 4xx, 5xx, timeout, error */
    static const uint64_t per_ten[HS_REQUEST_CLASSES] = {2, 1, 2, 1, 1, 3};
    a.scope = "first/ats";
    b.scope = "second/ats";
    hs_host_error_init(&err);
    ck_assert_int_eq(hs_connection_open(&app, "ats", &a, &one, &err.e), HS_OK);
    ck_assert_int_eq(hs_connection_open(&app, "ats", &b, &two, &err.e), HS_OK);
    ck_assert(HS_HAS_FIELD(hs_host_api, hs_connection_api(one)->struct_size, request_done));
    hs_connection_requests(one, n);
    for (size_t k = 0; k < HS_REQUEST_CLASSES; k++)
        ck_assert_uint_eq(n[k], 0);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, report_requests, i % 2 ? two : one), 0);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_join(t[i], NULL), 0);
    hs_connection_requests(two, n);
    for (size_t k = 0; k < HS_REQUEST_CLASSES; k++)
        ck_assert_msg(n[k] == per_ten[k] * 4 * REQUESTS_PER_THREAD / 10, "%s: %llu",
                      hs_request_class_name(k), (unsigned long long)n[k]);
    ck_assert_ptr_null(hs_request_class_name(HS_REQUEST_CLASSES));
    hs_connection_close(one);
    hs_connection_close(two);
}
END_TEST

START_TEST(connection_unknown)
{
    hs_connection *conn = (hs_connection *)&app;
    hs_host_error err;
    hs_host_error_init(&err);
    ck_assert_int_eq(hs_connection_open(&app, "nope", NULL, &conn, &err.e), HS_E_CONFIG);
    ck_assert_ptr_null(conn);
    char expected[8192];
    snprintf(expected, sizeof(expected), "unknown connection \"nope\"; name one from "
             "\"connections\" in %s", app.config_path);
    ck_assert_str_eq(err.message, expected);
    hs_connection_close(NULL);
}
END_TEST

/* Loaded once for three connections (main thread, before any open), the module is
 * initialised once; opening and closing connections does not touch it; unloading it, when
 * the app is cleaned up after the last close, calls its exit once. */
START_TEST(module_init_once_exit_at_cleanup)
{
    hs_connection *one = NULL, *two = NULL;
    hs_host_error err;
    ck_assert_str_eq(lifecycle(), "init\n");
    hs_host_error_init(&err);
    ck_assert_int_eq(hs_connection_open(&app, "ats", NULL, &one, &err.e), HS_OK);
    ck_assert_int_eq(hs_connection_open(&app, "ats_large", NULL, &two, &err.e), HS_OK);
    hs_connection_close(one);
    hs_connection_close(two);
    ck_assert_str_eq(lifecycle(), "init\n");
    hs_app_cleanup(&app);
    ck_assert_str_eq(lifecycle(), "init\nexit\n");
}
END_TEST

/* Lists the jobs of a configured connection into c; returns the connector's status. */
static hs_status list_jobs(const char *name, hs_job_collector *c)
{
    hs_connection *conn = NULL;
    hs_host_error err;
    hs_host_error_init(&err);
    ck_assert_int_eq(hs_connection_open(&app, name, NULL, &conn, &err.e), HS_OK);
    ck_assert_int_eq(hs_job_collector_init(c), 0);
    hs_status st = hs_connection_table(conn)->discover_jobs(hs_connection_conn(conn),
                                                            &c->emitter, &err.e);
    hs_connection_close(conn);
    return st;
}

/* A newer minor's writer: stages and statuses longer than 2.0's, with junk in the extra
 * bytes and element sizes to match. They read exactly as 2.0's own. */
START_TEST(jobs_of_a_newer_minor_read_as_2_0)
{
    hs_job_collector natural, large;
    ck_assert_int_eq(list_jobs("ats", &natural), HS_OK);
    ck_assert_int_eq(list_jobs("ats_large", &large), HS_OK);
    ck_assert_uint_eq(json_object_array_length(large.jobs), 3);
    const char *want = json_object_to_json_string_ext(natural.jobs, JSON_C_TO_STRING_PLAIN);
    ck_assert_ptr_nonnull(strstr(want, "{\"id\":\"10\",\"name\":\"Applied\",\"statuses\":"
                                       "[{\"id\":\"1\",\"name\":\"New\"},{\"id\":\"2\","
                                       "\"name\":\"Reviewed\"}]},{\"id\":\"20\""));
    ck_assert_str_eq(json_object_to_json_string_ext(large.jobs, JSON_C_TO_STRING_PLAIN), want);
    hs_job_collector_free(&natural);
    hs_job_collector_free(&large);
}
END_TEST

/* An older writer's stage, shorter than 2.0's: refused with what is wrong and what to do. */
START_TEST(jobs_smaller_than_2_0_refused)
{
    hs_job_collector small;
    char expected[256];
    ck_assert_int_eq(list_jobs("ats_small", &small), HS_E_DATA);
    snprintf(expected, sizeof(expected), "stage record of %zu bytes, smaller than ABI 2.0's "
             "%zu; rebuild the connector against this hiresync's connector.h",
             offsetof(hs_stage, statuses), offsetof(hs_stage, status_size) + sizeof(size_t));
    ck_assert_str_eq(small.error, expected);
    ck_assert_uint_eq(json_object_array_length(small.jobs), 0);
    hs_job_collector_free(&small);
}
END_TEST

/* ---- jobs ---------------------------------------------------------------------------------- */

START_TEST(job_collector_sorts_newest_first)
{
    hs_job_collector c;
    ck_assert_int_eq(hs_job_collector_init(&c), 0);
    static const hs_ref statuses[] = {{sizeof(hs_ref), "1", "New"}};
    static const hs_stage stages[] = {
        {sizeof(hs_stage), "10", "Applied", statuses, 1, sizeof(hs_ref)}};
    hs_job a = {sizeof(hs_job), "1", "A", NULL, NULL, NULL, "2026-01-01T00:00:00Z", NULL,
                stages, 1, sizeof(hs_stage)};
    hs_job b = {sizeof(hs_job), "2", "B", NULL, NULL, NULL, NULL, NULL, NULL, 0, 0};
    hs_job d = {sizeof(hs_job), "3", "C", "Open", NULL, NULL, "2026-02-01T00:00:00Z",
                "https://x/3", NULL, 0, 0};
    ck_assert_int_eq(c.emitter.job(c.emitter.ctx, &a), HS_OK);
    ck_assert_int_eq(c.emitter.job(c.emitter.ctx, &b), HS_OK);
    ck_assert_int_eq(c.emitter.job(c.emitter.ctx, &d), HS_OK);
    hs_job noid = {sizeof(hs_job), NULL, "x", NULL, NULL, NULL, NULL, NULL, NULL, 0, 0};
    ck_assert_int_eq(c.emitter.job(c.emitter.ctx, &noid), HS_E_DATA);
    ck_assert_int_eq(c.emitter.checkpoint(c.emitter.ctx, "{}"), HS_OK);
    hs_job_collector_sort(&c);
    ck_assert_str_eq(json_object_to_json_string_ext(c.jobs, JSON_C_TO_STRING_PLAIN
                                                                | JSON_C_TO_STRING_NOSLASHESCAPE),
                     "[{\"id\":\"3\",\"title\":\"C\",\"status\":\"Open\",\"department\":null,"
                     "\"created_at\":null,\"updated_at\":\"2026-02-01T00:00:00Z\","
                     "\"url\":\"https://x/3\",\"stages\":[]},"
                     "{\"id\":\"1\",\"title\":\"A\",\"status\":null,\"department\":null,"
                     "\"created_at\":null,\"updated_at\":\"2026-01-01T00:00:00Z\",\"url\":null,"
                     "\"stages\":[{\"id\":\"10\",\"name\":\"Applied\",\"statuses\":"
                     "[{\"id\":\"1\",\"name\":\"New\"}]}]},"
                     "{\"id\":\"2\",\"title\":\"B\",\"status\":null,\"department\":null,"
                     "\"created_at\":null,\"updated_at\":null,\"url\":null,\"stages\":[]}]");
    c.max_jobs = 3;
    ck_assert_int_eq(c.emitter.job(c.emitter.ctx, &a), HS_E_DATA);
    hs_job_collector_free(&c);
}
END_TEST

static Suite *host_suite(void)
{
    Suite *s = suite_create("host");
    TCase *log = tcase_create("log");
    tcase_add_test(log, log_text_and_json);
    tcase_add_test(log, log_masks_secrets);
    tcase_add_test(log, log_parsers);
    suite_add_tcase(s, log);
    TCase *conn = tcase_create("connection");
    tcase_add_checked_fixture(conn, app_setup, app_teardown);
    tcase_add_test(conn, connection_services);
    tcase_add_test(conn, connection_shared_between_pipelines);
    tcase_add_test(conn, connection_requests_counted_by_class);
    tcase_add_test(conn, connection_unknown);
    tcase_add_test(conn, module_init_once_exit_at_cleanup);
    tcase_add_test(conn, jobs_of_a_newer_minor_read_as_2_0);
    tcase_add_test(conn, jobs_smaller_than_2_0_refused);
    suite_add_tcase(s, conn);
    TCase *jobs = tcase_create("jobs");
    tcase_add_test(jobs, job_collector_sorts_newest_first);
    suite_add_tcase(s, jobs);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(host_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
