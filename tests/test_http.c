/*
 * hs_http against a loopback server scripted per test: Retry-After as seconds and as an HTTP
 * date (measured from the response's own Date), the response size limit with and without
 * Content-Length, a create sent once (never again after the server may have acted on it),
 * the answers retried, the minimum gap between requests, and the headers read from the final
 * response. Clocks and sleeps are the test host's fake ones: assertions are on the sleeps
 * asked for, never on wall time.
 */
#define _GNU_SOURCE

#include <check.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_http.h"
#include "hs_test_host.h"

typedef enum mode {
    M_OK,                /* 200 {"ok":true} */
    M_RA_SECONDS,        /* 503 with Retry-After: 7, then 200 */
    M_RA_DATE,           /* 429 with a Date and a Retry-After 9 s after it (2025), then 200 */
    M_BIG_LENGTH,        /* Content-Length: 5000, then 500 bytes and the connection closed */
    M_BIG_CHUNKED,       /* 5000 bytes, chunked (no Content-Length) */
    M_503,               /* 503 every time */
    M_CLOSE,             /* the connection closed without an answer, every time */
    M_429_THEN_OK,       /* 429 with Retry-After: 2, then 201 */
    M_408_THEN_OK,       /* 408, then 201 */
    M_404,               /* 404 every time */
    M_401,               /* 401 with WWW-Authenticate: Bearer realm="api", error="x" */
    M_302                /* 302 with Location */
} mode;

static struct MHD_Daemon *g_daemon;
static int g_port;
static volatile mode g_mode;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_requests;

static hs_test_host *H;
static hs_http *HTTP;
static char URL[128];

/* ---- the server ------------------------------------------------------------------------------ */

static ssize_t chunked_body(void *cls, uint64_t pos, char *buf, size_t max)
{
    size_t left;
    (void)cls;
    if (pos >= 5000)
        return MHD_CONTENT_READER_END_OF_STREAM;
    left = 5000 - (size_t)pos;
    if (left > max)
        left = max;
    if (left > 100)
        left = 100;
    memset(buf, 'x', left);
    return (ssize_t)left;
}

/* A body announced at 5000 bytes of which 500 come: only a client that believes the
 * announcement refuses it as too big; one that reads on sees a short read instead. */
static ssize_t announced_body(void *cls, uint64_t pos, char *buf, size_t max)
{
    size_t n = max < 100 ? max : 100;
    (void)cls;
    if (pos >= 500)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    memset(buf, 'x', n);
    return (ssize_t)n;
}

static enum MHD_Result queue(struct MHD_Connection *c, unsigned status, const char *body,
                             const char *name, const char *value, const char *name2,
                             const char *value2)
{
    struct MHD_Response *r;
    enum MHD_Result ret;

    r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (r == NULL)
        return MHD_NO;
    if (name != NULL)
        MHD_add_response_header(r, name, value);
    if (name2 != NULL)
        MHD_add_response_header(r, name2, value2);
    ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result answer(struct MHD_Connection *c, int n)
{
    struct MHD_Response *r;
    enum MHD_Result ret;
    int first = n == 1;

    switch (g_mode) {
    case M_RA_SECONDS:
        return first ? queue(c, 503, "{}", "Retry-After", "7", NULL, NULL)
                     : queue(c, 200, "{\"ok\":true}", NULL, NULL, NULL, NULL);
    case M_RA_DATE:
        /* The server's clock is a year and more behind this machine's: the wait is 9 s of
         * the server's time, whatever this machine's clock says. */
        return first ? queue(c, 429, "{}", "Date", "Wed, 01 Jan 2025 00:00:00 GMT",
                             "Retry-After", "Wed, 01 Jan 2025 00:00:09 GMT")
                     : queue(c, 200, "{\"ok\":true}", NULL, NULL, NULL, NULL);
    case M_BIG_LENGTH:
    case M_BIG_CHUNKED:
        r = g_mode == M_BIG_LENGTH
                ? MHD_create_response_from_callback(5000, 1024, announced_body, NULL, NULL)
                : MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, chunked_body, NULL,
                                                    NULL);
        if (r == NULL)
            return MHD_NO;
        ret = MHD_queue_response(c, 200, r);
        MHD_destroy_response(r);
        return ret;
    case M_503:
        return queue(c, 503, "{}", NULL, NULL, NULL, NULL);
    case M_CLOSE:
        return MHD_NO;
    case M_429_THEN_OK:
        return first ? queue(c, 429, "{}", "Retry-After", "2", NULL, NULL)
                     : queue(c, 201, "{\"id\":1}", NULL, NULL, NULL, NULL);
    case M_408_THEN_OK:
        return first ? queue(c, 408, "{}", NULL, NULL, NULL, NULL)
                     : queue(c, 201, "{\"id\":1}", NULL, NULL, NULL, NULL);
    case M_404:
        return queue(c, 404, "{}", NULL, NULL, NULL, NULL);
    case M_401:
        return queue(c, 401, "{}", "WWW-Authenticate", "Bearer realm=\"api\", error=\"x\"",
                     NULL, NULL);
    case M_302:
        return queue(c, 302, "{}", "Location", "https://example.com/elsewhere", NULL, NULL);
    default:
        return queue(c, 200, "{\"ok\":true}", NULL, NULL, NULL, NULL);
    }
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *data,
                               size_t *size, void **con_cls)
{
    static int marker;
    int n;
    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    (void)data;
    if (*con_cls == NULL) {
        *con_cls = &marker;
        return MHD_YES;
    }
    if (*size > 0) {
        *size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&g_lock);
    n = ++g_requests;
    pthread_mutex_unlock(&g_lock);
    return answer(c, n);
}

static int requests(void)
{
    int n;
    pthread_mutex_lock(&g_lock);
    n = g_requests;
    pthread_mutex_unlock(&g_lock);
    return n;
}

/* ---- fixture --------------------------------------------------------------------------------- */

static void open_http(size_t max_body, int64_t min_gap_ms)
{
    hs_http_config hc;
    memset(&hc, 0, sizeof hc);
    hc.api = hs_test_host_api();
    hc.host = hs_test_host_handle(H);
    hc.log_name = "test";
    hc.timeout_ms = 20000;
    hc.max_attempts = 3;
    hc.backoff_base_ms = 100;
    hc.max_body = max_body;
    hc.min_gap_ms = min_gap_ms;
    hs_http_free(HTTP);
    HTTP = hs_http_new(&hc);
    ck_assert_ptr_nonnull(HTTP);
}

static void setup(void)
{
    const union MHD_DaemonInfo *info;
    g_daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
                                MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG,
                                0, NULL, NULL, handler, NULL, MHD_OPTION_END);
    ck_assert_ptr_nonnull(g_daemon);
    info = MHD_get_daemon_info(g_daemon, MHD_DAEMON_INFO_BIND_PORT);
    ck_assert_ptr_nonnull(info);
    g_port = info->port;
    snprintf(URL, sizeof URL, "http://127.0.0.1:%d/api/things", g_port);
    g_requests = 0;
    g_mode = M_OK;
    H = hs_test_host_new();
    HTTP = NULL;
    open_http(0, 0);
}

static void teardown(void)
{
    hs_http_free(HTTP);
    HTTP = NULL;
    hs_test_host_free(H);
    MHD_stop_daemon(g_daemon);
}

static hs_status perform(const char *method, int once, hs_http_response *resp, hs_error *err)
{
    hs_http_request req;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.url = URL;
    if (strcmp(method, "GET") != 0) {
        req.body = "{\"name\":\"Ann\"}";
        req.body_len = strlen(req.body);
        req.content_type = "application/json";
    }
    req.once = once;
    return hs_http_perform(HTTP, &req, resp, err);
}

/* ---- Retry-After ----------------------------------------------------------------------------- */

START_TEST(test_retry_after_seconds_is_honoured)
{
    hs_http_response resp;
    HS_TEST_ERROR(err);
    g_mode = M_RA_SECONDS;
    ck_assert_int_eq(perform("GET", 0, &resp, &err), HS_OK);
    ck_assert_int_eq(resp.status, 200);
    ck_assert_int_eq(requests(), 2);
    ck_assert_uint_eq(hs_test_host_sleep_count(H), 1);
    ck_assert_int_eq(hs_test_host_longest_sleep_ms(H), 7000);
    hs_http_response_clear(&resp);
}
END_TEST

START_TEST(test_retry_after_date_is_honoured_on_the_servers_clock)
{
    hs_http_response resp;
    HS_TEST_ERROR(err);
    g_mode = M_RA_DATE;
    ck_assert_int_eq(perform("GET", 0, &resp, &err), HS_OK);
    ck_assert_int_eq(resp.status, 200);
    ck_assert_int_eq(requests(), 2);
    ck_assert_uint_eq(hs_test_host_sleep_count(H), 1);
    /* 9 s after the server's Date; a second either way for the clock ticking meanwhile */
    ck_assert_int_ge(hs_test_host_longest_sleep_ms(H), 8000);
    ck_assert_int_le(hs_test_host_longest_sleep_ms(H), 10000);
    hs_http_response_clear(&resp);
}
END_TEST

/* ---- size limit ------------------------------------------------------------------------------ */

static void assert_refused_as_too_big(mode m)
{
    hs_http_response resp;
    HS_TEST_ERROR(err);
    g_mode = m;
    open_http(1000, 0);
    ck_assert_int_eq(perform("GET", 0, &resp, &err), HS_E_INTERNAL);
    ck_assert_msg(strstr(err.message, "larger than the limit of 1000 bytes") != NULL, "%s",
                  err.message);
    ck_assert_msg(strstr(err.message, "GET http://127.0.0.1") != NULL, "%s", err.message);
    ck_assert_ptr_null(resp.body);
    ck_assert_int_eq(requests(), 1);     /* not retried: it would be as big again */
}

START_TEST(test_body_over_the_limit_with_content_length_is_refused)
{
    assert_refused_as_too_big(M_BIG_LENGTH);
}
END_TEST

START_TEST(test_body_over_the_limit_without_content_length_is_refused)
{
    assert_refused_as_too_big(M_BIG_CHUNKED);
}
END_TEST

START_TEST(test_body_under_the_limit_is_whole)
{
    hs_http_response resp;
    HS_TEST_ERROR(err);
    g_mode = M_BIG_CHUNKED;
    open_http(5000, 0);
    ck_assert_int_eq(perform("GET", 0, &resp, &err), HS_OK);
    ck_assert_uint_eq(resp.body_len, 5000);
    hs_http_response_clear(&resp);
}
END_TEST

/* ---- sent once ------------------------------------------------------------------------------- */

/* A 5xx, or an answer lost on the way: the server may have acted, so no second attempt. */
START_TEST(test_create_is_not_sent_again_once_it_may_have_acted)
{
    static const mode modes[] = {M_503, M_CLOSE};
    static const int statuses[] = {503, 0};
    for (size_t i = 0; i < 2; i++) {
        hs_http_response resp;
        HS_TEST_ERROR(err);
        g_mode = modes[i];
        g_requests = 0;
        ck_assert_int_eq(perform("POST", 1, &resp, &err), HS_RETRY);
        ck_assert_int_eq(err.http_status, statuses[i]);
        ck_assert_msg(strstr(err.message, "not repeated") != NULL, "%s", err.message);
        ck_assert_int_eq(requests(), 1);
    }
    ck_assert_uint_eq(hs_test_host_sleep_count(H), 0);
}
END_TEST

START_TEST(test_create_refused_unread_is_sent_again)
{
    static const mode modes[] = {M_429_THEN_OK, M_408_THEN_OK};
    for (size_t i = 0; i < 2; i++) {
        hs_http_response resp;
        HS_TEST_ERROR(err);
        g_mode = modes[i];
        g_requests = 0;
        ck_assert_int_eq(perform("POST", 1, &resp, &err), HS_OK);
        ck_assert_int_eq(resp.status, 201);
        ck_assert_int_eq(requests(), 2);
        hs_http_response_clear(&resp);
    }
    ck_assert_int_eq(hs_test_host_longest_sleep_ms(H), 2000);   /* the 429's Retry-After */
}
END_TEST

START_TEST(test_other_requests_are_retried_after_a_5xx)
{
    hs_http_response resp;
    HS_TEST_ERROR(err);
    g_mode = M_503;
    ck_assert_int_eq(perform("POST", 0, &resp, &err), HS_RETRY);
    ck_assert_int_eq(err.http_status, 503);
    ck_assert_int_eq(requests(), 3);                     /* max_attempts */
    ck_assert_uint_eq(hs_test_host_sleep_count(H), 2);
}
END_TEST

/* A 4xx other than 408 and 429 is an answer for the caller, not a reason to try again. */
START_TEST(test_a_404_is_not_retried)
{
    hs_http_response resp;
    HS_TEST_ERROR(err);
    g_mode = M_404;
    ck_assert_int_eq(perform("GET", 0, &resp, &err), HS_OK);
    ck_assert_int_eq(resp.status, 404);
    ck_assert_int_eq(requests(), 1);
    hs_http_response_clear(&resp);
}
END_TEST

/* ---- pacing ---------------------------------------------------------------------------------- */

START_TEST(test_min_gap_paces_every_request)
{
    hs_http_response resp;
    HS_TEST_ERROR(err);
    open_http(0, 5000);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(perform("GET", 0, &resp, &err), HS_OK);
        hs_http_response_clear(&resp);
    }
    /* the fake clock stands still but for sleeps: each later request waits the whole gap */
    ck_assert_uint_eq(hs_test_host_sleep_count(H), 2);
    ck_assert_int_eq(hs_test_host_slept_ms(H), 10000);
    /* time already passed counts towards the gap */
    hs_test_host_advance(H, 3000);
    ck_assert_int_eq(perform("GET", 0, &resp, &err), HS_OK);
    hs_http_response_clear(&resp);
    ck_assert_uint_eq(hs_test_host_sleep_count(H), 3);
    ck_assert_int_eq(hs_test_host_slept_ms(H), 12000);
    /* and none once the gap has passed */
    hs_test_host_advance(H, 6000);
    ck_assert_int_eq(perform("GET", 0, &resp, &err), HS_OK);
    hs_http_response_clear(&resp);
    ck_assert_uint_eq(hs_test_host_sleep_count(H), 3);
    ck_assert_int_eq(requests(), 5);
}
END_TEST

START_TEST(test_retries_keep_the_gap)
{
    hs_http_response resp;
    HS_TEST_ERROR(err);
    open_http(0, 60000);
    g_mode = M_RA_SECONDS;
    ck_assert_int_eq(perform("GET", 0, &resp, &err), HS_OK);
    hs_http_response_clear(&resp);
    /* Retry-After 7 s, then the rest of the 60 s gap before the second attempt */
    ck_assert_uint_eq(hs_test_host_sleep_count(H), 2);
    ck_assert_int_eq(hs_test_host_slept_ms(H), 60000);
}
END_TEST

/* ---- headers --------------------------------------------------------------------------------- */

START_TEST(test_headers_of_the_final_response)
{
    hs_http_response resp;
    HS_TEST_ERROR(err);
    g_mode = M_401;
    ck_assert_int_eq(perform("GET", 0, &resp, &err), HS_OK);
    ck_assert_int_eq(resp.status, 401);
    ck_assert_str_eq(resp.www_authenticate, "Bearer");
    ck_assert_str_eq(resp.location, "");
    hs_http_response_clear(&resp);
    g_mode = M_302;
    ck_assert_int_eq(perform("GET", 0, &resp, &err), HS_OK);
    ck_assert_int_eq(resp.status, 302);
    ck_assert_str_eq(resp.location, "https://example.com/elsewhere");
    ck_assert_str_eq(resp.www_authenticate, "");
    hs_http_response_clear(&resp);
    ck_assert_int_eq(requests(), 2);     /* the redirect is not followed */
    g_mode = M_RA_DATE;
    g_requests = 0;
    ck_assert_int_eq(perform("GET", 0, &resp, &err), HS_OK);
    hs_http_response_clear(&resp);
    /* the server's time is the Date of the last response (MHD's own, now), reported too */
    ck_assert_int_gt(hs_http_server_time(HTTP, NULL), 1735689600000LL);
    ck_assert_int_eq(hs_test_host_remote_time(H), hs_http_server_time(HTTP, NULL));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("http");
    TCase *tc = tcase_create("http");
    SRunner *sr;
    int failed;
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_retry_after_seconds_is_honoured);
    tcase_add_test(tc, test_retry_after_date_is_honoured_on_the_servers_clock);
    tcase_add_test(tc, test_body_over_the_limit_with_content_length_is_refused);
    tcase_add_test(tc, test_body_over_the_limit_without_content_length_is_refused);
    tcase_add_test(tc, test_body_under_the_limit_is_whole);
    tcase_add_test(tc, test_create_is_not_sent_again_once_it_may_have_acted);
    tcase_add_test(tc, test_create_refused_unread_is_sent_again);
    tcase_add_test(tc, test_other_requests_are_retried_after_a_5xx);
    tcase_add_test(tc, test_a_404_is_not_retried);
    tcase_add_test(tc, test_min_gap_paces_every_request);
    tcase_add_test(tc, test_retries_keep_the_gap);
    tcase_add_test(tc, test_headers_of_the_final_response);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
