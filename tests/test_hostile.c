/*
 * Hostile answers: the connectors against a server that lies, floods or points elsewhere. A
 * body over the size limit, JSON nested thousands deep, multi-megabyte strings, invalid UTF-8,
 * negative or enormous TotalPages, a `next` link or a redirect to another host, a Retry-After
 * of a year (or of forty digits, or a date in 9999), a token answer without access_token or
 * with an expires_in of any size (INT64_MAX, negative, 1e300, NaN), and wild numbers in what
 * a connection keeps (call counts, shared token times). Each is refused or bounded with a clear
 * error, nothing crashes, and no credential reaches the other host: a second loopback
 * listener plays that host and records everything it is sent.
 *
 * Both servers are libmicrohttpd daemons inside the test (started in each test's own process,
 * since a forked test would not inherit their threads); the connectors are the real modules,
 * driven through the test host (tests/support/hs_test_host.h).
 */
#define _GNU_SOURCE

#include <check.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hs_test_config.h"
#include "hs_test_host.h"

#define EPLOY_SECRET "hostile-secret-5c1f"
#define WILLO_KEY "hostile-willo-key-9d2e"
#define TOKEN "hostile-token-77ab"
#define INTERVIEW "8dc6e16e756b910dd02287e097a35bc1"

typedef enum mode {
    M_NORMAL,
    M_BIG_BODY,          /* a search answer of 17 MiB */
    M_DEEP,              /* Records nested 100,000 deep */
    M_BIG_STRINGS,       /* 4 MB strings in records */
    M_BAD_UTF8,          /* invalid UTF-8 in names and stages */
    M_PAGES_NEGATIVE,    /* TotalPages -5 */
    M_PAGES_HUGE,        /* TotalPages 9223372036854775807, later pages empty */
    M_FOREIGN_NEXT,      /* Willo: next link on the other host */
    M_REDIRECT,          /* 307 (Eploy) / 302 (Willo) to the other host */
    M_RETRY_YEAR,        /* 429 with Retry-After: a year */
    M_RETRY_HUGE,        /* 429 with Retry-After beyond 32 bits */
    M_RETRY_DIGITS,      /* 429 with Retry-After of forty digits */
    M_RETRY_DATE_FAR,    /* 429 with Retry-After an HTTP date in the year 9999 */
    M_NO_ACCESS_TOKEN,   /* token answer without access_token */
    M_TOKEN_EXPIRES      /* token answer with expires_in g_expires_in, as written */
} mode;

/* What a server saw; guarded by lock (the daemons answer on their own threads). */
typedef struct seen {
    pthread_mutex_t lock;
    int requests;
    int search_requests;        /* Eploy application searches / Willo interview lists */
    int token_requests;         /* Eploy token requests */
    char leak[512];             /* the first credential the other host received, "" if none */
} seen;

static struct MHD_Daemon *g_main, *g_other;
static int g_main_port, g_other_port;
static volatile mode g_mode;
static seen g_main_seen = {PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, ""};
static seen g_other_seen = {PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, ""};
static const char *volatile g_expires_in = "3599";

/* ---- answers --------------------------------------------------------------------------------- */

#define APP \
    "{\"ApplicationId\":200001,\"Candidate\":{\"Id\":3000001},\"Vacancy\":{\"Id\":1001}," \
    "\"Workflow\":{\"Stage\":{\"Id\":\"103\",\"Description\":\"%s\"},\"Status\":{\"Id\":\"1031\"," \
    "\"Description\":\"Invited\"}},\"ModificationDate\":\"2026-05-01T10:00:00.000Z\"}"
#define CANDIDATE \
    "{\"CandidateId\":3000001,\"FirstName\":\"%s\",\"Surname\":\"Lee\"," \
    "\"Email\":\"ann.lee@example.com\",\"Mobile\":\"+447700900123\"}"

static char *printf_alloc(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *printf_alloc(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    return s;
}

/* n bytes of 'x', NUL-terminated. */
static char *filler(size_t n)
{
    char *s = malloc(n + 1);
    if (s != NULL) {
        memset(s, 'x', n);
        s[n] = '\0';
    }
    return s;
}

static char *deep_json(size_t depth)
{
    const char *head = "{\"CurrentPage\":1,\"TotalPages\":1,\"Records\":";
    size_t hl = strlen(head), n = hl + 2 * depth + 2;
    char *s = malloc(n);
    if (s == NULL)
        return NULL;
    memcpy(s, head, hl);
    memset(s + hl, '[', depth);
    memset(s + hl + depth, ']', depth);
    s[hl + 2 * depth] = '}';
    s[hl + 2 * depth + 1] = '\0';
    return s;
}

/* A search envelope holding, on page 1, one application (or candidate) with text in it. */
static char *envelope(int candidate, const char *text, long page, const char *total)
{
    char *rec = page != 1 ? strdup("")
                : candidate ? printf_alloc(CANDIDATE, text) : printf_alloc(APP, text);
    char *s = rec ? printf_alloc("{\"CurrentPage\":%ld,\"TotalPages\":%s,\"Records\":[%s]}", page,
                                 total, rec)
                  : NULL;
    free(rec);
    return s;
}

static long page_of(const char *body)
{
    const char *p = body ? strstr(body, "\"RequestedPage\":") : NULL;
    return p ? strtol(p + 16, NULL, 10) : 1;
}

/* The Eploy answer to a POST; *status gets the HTTP status. */
static char *eploy_answer(const char *url, const char *body, unsigned *status, char *location,
                          size_t loc_size, char *retry_after, size_t ra_size)
{
    mode m = g_mode;
    long page = page_of(body);
    *status = 200;
    if (strcmp(url, "/api/token") == 0) {
        pthread_mutex_lock(&g_main_seen.lock);
        g_main_seen.token_requests++;
        pthread_mutex_unlock(&g_main_seen.lock);
        if (m == M_TOKEN_EXPIRES)
            return printf_alloc("{\"access_token\":\"" TOKEN "\",\"token_type\":\"Bearer\","
                                "\"expires_in\":%s}", g_expires_in);
        return strdup(m == M_NO_ACCESS_TOKEN
                          ? "{\"token_type\":\"Bearer\",\"expires_in\":3599,\"scope\":\"all\"}"
                          : "{\"access_token\":\"" TOKEN "\",\"token_type\":\"Bearer\","
                            "\"expires_in\":3599}");
    }
    if (strcmp(url, "/api/candidates/search") == 0) {
        if (m == M_BIG_STRINGS) {
            char *big = filler(4u << 20), *s = big ? envelope(1, big, page, "1") : NULL;
            free(big);
            return s;
        }
        return envelope(1, m == M_BAD_UTF8 ? "Ann\xff\xfe\xc0\xaf" : "Ann", page, "1");
    }
    if (strcmp(url, "/api/applications/search") != 0) {
        *status = 404;
        return strdup("{\"error_message\":\"No record could be found for the requested URI\"}");
    }
    pthread_mutex_lock(&g_main_seen.lock);
    g_main_seen.search_requests++;
    pthread_mutex_unlock(&g_main_seen.lock);
    switch (m) {
    case M_BIG_BODY: {
        char *big = filler(17u << 20), *s = big ? envelope(0, big, 1, "1") : NULL;
        free(big);
        return s;
    }
    case M_DEEP:
        return deep_json(100000);
    case M_BIG_STRINGS: {
        char *big = filler(4u << 20), *s = big ? envelope(0, big, page, "1") : NULL;
        free(big);
        return s;
    }
    case M_BAD_UTF8:
        return envelope(0, "Video\xff Interview\xed\xa0\x80", page, "1");
    case M_PAGES_NEGATIVE:
        return envelope(0, "Video Interview", page, "-5");
    case M_PAGES_HUGE:
        return envelope(0, "Video Interview", page, "9223372036854775807");
    case M_REDIRECT:
        *status = 307;
        snprintf(location, loc_size, "http://127.0.0.1:%d/api/applications/search",
                 g_other_port);
        return strdup("{}");
    case M_RETRY_YEAR:
    case M_RETRY_HUGE:
    case M_RETRY_DIGITS:
    case M_RETRY_DATE_FAR:
        *status = 429;
        snprintf(retry_after, ra_size, "%s",
                 m == M_RETRY_YEAR     ? "31536000"
                 : m == M_RETRY_HUGE   ? "2147483648"
                 : m == M_RETRY_DIGITS ? "9999999999999999999999999999999999999999"
                                       : "Fri, 31 Dec 9999 23:59:59 GMT");
        return strdup("{\"error_message\":\"API call limit exceeded\"}");
    default:
        return envelope(0, "Video Interview", page, "1");
    }
}

static char *willo_answer(const char *url, unsigned *status, char *location, size_t loc_size)
{
    mode m = g_mode;
    *status = 200;
    if (strncmp(url, "/api/integrations/v2/interviews/", 32) != 0) {
        *status = 404;
        return strdup("{\"detail\":\"Not found.\"}");
    }
    pthread_mutex_lock(&g_main_seen.lock);
    g_main_seen.search_requests++;
    pthread_mutex_unlock(&g_main_seen.lock);
    switch (m) {
    case M_FOREIGN_NEXT:
        return printf_alloc("{\"count\":60,\"next\":\"http://127.0.0.1:%d/api/integrations/v2/"
                            "interviews/?page=2&page_size=30\",\"previous\":null,\"results\":"
                            "[{\"key\":\"" INTERVIEW "\",\"title\":\"Care\"}]}", g_other_port);
    case M_REDIRECT:
        *status = 302;
        snprintf(location, loc_size, "http://127.0.0.1:%d/api/integrations/v2/interviews/",
                 g_other_port);
        return strdup("{}");
    case M_BIG_BODY: {
        char *big = filler(17u << 20);
        char *s = big ? printf_alloc("{\"count\":1,\"next\":null,\"previous\":null,\"results\":"
                                     "[{\"key\":\"" INTERVIEW "\",\"title\":\"%s\"}]}", big)
                      : NULL;
        free(big);
        return s;
    }
    case M_DEEP: {
        char *d = deep_json(100000);
        return d;
    }
    default:
        return strdup("{\"count\":1,\"next\":null,\"previous\":null,\"results\":"
                      "[{\"key\":\"" INTERVIEW "\",\"title\":\"Care\"}]}");
    }
}

/* ---- the daemons ----------------------------------------------------------------------------- */

typedef struct upload {
    char *data;
    size_t len;
} upload;

static enum MHD_Result record_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    seen *s = cls;
    (void)kind;
    if (s->leak[0] == '\0' &&
        (strcasecmp(key, "Authorization") == 0 || strstr(value, EPLOY_SECRET) ||
         strstr(value, WILLO_KEY) || strstr(value, TOKEN)))
        snprintf(s->leak, sizeof s->leak, "%s: %s", key, value);
    return MHD_YES;
}

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, char *body,
                               const char *location, const char *retry_after)
{
    struct MHD_Response *r;
    enum MHD_Result ret;
    if (body == NULL)
        return MHD_NO;
    r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
    if (r == NULL) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "application/json");
    if (location && *location)
        MHD_add_response_header(r, "Location", location);
    if (retry_after && *retry_after)
        MHD_add_response_header(r, "Retry-After", retry_after);
    ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Collects the request body; returns 1 once it is complete. */
static int collect(void **con_cls, const char *data, size_t *size, upload **out)
{
    upload *u = *con_cls;
    if (u == NULL) {
        u = calloc(1, sizeof *u);
        *con_cls = u;
        return 0;
    }
    if (*size > 0) {
        char *n = realloc(u->data, u->len + *size + 1);
        if (n != NULL) {
            memcpy(n + u->len, data, *size);
            u->len += *size;
            n[u->len] = '\0';
            u->data = n;
        }
        *size = 0;
        return 0;
    }
    *out = u;
    return 1;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    upload *u = *con_cls;
    (void)cls;
    (void)c;
    (void)toe;
    if (u != NULL) {
        free(u->data);
        free(u);
        *con_cls = NULL;
    }
}

static enum MHD_Result main_handler(void *cls, struct MHD_Connection *c, const char *url,
                                    const char *method, const char *version,
                                    const char *data, size_t *size, void **con_cls)
{
    upload *u = NULL;
    unsigned status = 200;
    char location[256] = "", retry_after[64] = "";
    char *body;
    (void)cls;
    (void)version;
    if (!collect(con_cls, data, size, &u))
        return MHD_YES;
    pthread_mutex_lock(&g_main_seen.lock);
    g_main_seen.requests++;
    pthread_mutex_unlock(&g_main_seen.lock);
    if (strncmp(url, "/api/integrations/", 18) == 0)
        body = willo_answer(url, &status, location, sizeof location);
    else if (strcmp(method, "POST") == 0)
        body = eploy_answer(url, u->data, &status, location, sizeof location, retry_after,
                            sizeof retry_after);
    else
        body = (status = 404, strdup("{\"error_message\":\"No record\"}"));
    return respond(c, status, body, location, retry_after);
}

/* The other host: records what it is sent and answers like the real thing would. */
static enum MHD_Result other_handler(void *cls, struct MHD_Connection *c, const char *url,
                                     const char *method, const char *version,
                                     const char *data, size_t *size, void **con_cls)
{
    upload *u = NULL;
    (void)cls;
    (void)url;
    (void)method;
    (void)version;
    if (!collect(con_cls, data, size, &u))
        return MHD_YES;
    pthread_mutex_lock(&g_other_seen.lock);
    g_other_seen.requests++;
    MHD_get_connection_values(c, MHD_HEADER_KIND, record_header, &g_other_seen);
    if (g_other_seen.leak[0] == '\0' && u->data &&
        (strstr(u->data, EPLOY_SECRET) || strstr(u->data, WILLO_KEY)))
        snprintf(g_other_seen.leak, sizeof g_other_seen.leak, "body: %.200s", u->data);
    pthread_mutex_unlock(&g_other_seen.lock);
    return respond(c, 200, strdup("{\"count\":0,\"next\":null,\"previous\":null,\"results\":[],"
                                  "\"CurrentPage\":1,\"TotalPages\":1,\"Records\":[]}"),
                   NULL, NULL);
}

static struct MHD_Daemon *daemon_start(MHD_AccessHandlerCallback handler, int *port)
{
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG,
        0, NULL, NULL, handler, NULL, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
        MHD_OPTION_SOCK_ADDR, NULL, MHD_OPTION_END);
    const union MHD_DaemonInfo *info;
    ck_assert_ptr_nonnull(d);
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    ck_assert_ptr_nonnull(info);
    *port = info->port;
    return d;
}

/* ---- connectors ------------------------------------------------------------------------------ */

typedef struct fixture {
    hs_test_host *host;
    hs_test_module *module;
    const hs_connector *c;
    hs_conn *conn;
    hs_test_collector *col;
} fixture;

static fixture F;

static void servers_up(void)
{
    g_main = daemon_start(main_handler, &g_main_port);
    g_other = daemon_start(other_handler, &g_other_port);
}

static void servers_down(void)
{
    MHD_stop_daemon(g_main);
    MHD_stop_daemon(g_other);
}

static void reset_seen(mode m)
{
    g_mode = m;
    pthread_mutex_lock(&g_main_seen.lock);
    g_main_seen.requests = g_main_seen.search_requests = g_main_seen.token_requests = 0;
    pthread_mutex_unlock(&g_main_seen.lock);
    pthread_mutex_lock(&g_other_seen.lock);
    g_other_seen.requests = 0;
    g_other_seen.leak[0] = '\0';
    pthread_mutex_unlock(&g_other_seen.lock);
}

static void open_connector(const char *name, mode m)
{
    char config[512];
    HS_TEST_ERROR(err);
    reset_seen(m);
    memset(&F, 0, sizeof F);
    F.host = hs_test_host_new();
    F.module = hs_test_module_load(name);
    ck_assert_ptr_nonnull(F.module);
    F.c = hs_test_module_connector(F.module);
    if (strcmp(name, "eploy") == 0)
        snprintf(config, sizeof config,
                 "{\"base_url\": \"http://127.0.0.1:%d/api\", \"client_id\": \"hostile\", "
                 "\"client_secret\": \"" EPLOY_SECRET "\", \"note_action_type\": \"1\", "
                 "\"signpost_lag_s\": 0, \"max_attempts\": 2, \"request_timeout_s\": 20}",
                 g_main_port);
    else
        snprintf(config, sizeof config,
                 "{\"base_url\": \"http://127.0.0.1:%d/api/integrations/v2\", \"api_key\": \""
                 WILLO_KEY "\", \"auth_scheme\": \"bearer\", \"min_gap_ms\": 0, "
                 "\"retry_backoff_ms\": 1, \"max_attempts\": 2, \"request_timeout_s\": 20}",
                 g_main_port);
    ck_assert_int_eq(hs_test_module_open(F.module, F.host, config, &F.conn, &err), HS_OK);
    F.col = hs_test_collector_new();
}

static void close_connector(void)
{
    if (F.c && F.conn)
        F.c->close(F.conn);
    hs_test_collector_free(F.col);
    hs_test_module_unload(F.module);
    hs_test_host_free(F.host);
    memset(&F, 0, sizeof F);
}

/* A snapshot read of job 1001 (an application search, then its candidates). */
static hs_status eploy_read(hs_error *err)
{
    static const char *const jobs[] = {"1001"};
    hs_read_request req = {sizeof req, "", jobs, 1, 1, 0, NULL, 0, 0, NULL, 0, 0};
    hs_emitter em = hs_test_collector_emitter(F.col);
    return F.c->read_changes(F.conn, &req, &em, err);
}

static hs_status willo_discover(hs_error *err)
{
    hs_emitter em = hs_test_collector_emitter(F.col);
    return F.c->discover_jobs(F.conn, &em, err);
}

/* The error is one clear line without a secret, and nothing reached the other host. */
static void assert_clean_error(const hs_error *err, const char *must_contain)
{
    ck_assert_msg(err->message[0] != '\0', "an error without a message");
    ck_assert_msg(strchr(err->message, '\n') == NULL, "a message of several lines: %s",
                  err->message);
    ck_assert_msg(strstr(err->message, EPLOY_SECRET) == NULL &&
                  strstr(err->message, WILLO_KEY) == NULL &&
                  strstr(err->message, TOKEN) == NULL, "a secret in: %s", err->message);
    if (must_contain)
        ck_assert_msg(strcasestr(err->message, must_contain) != NULL,
                      "the message does not say \"%s\": %s", must_contain, err->message);
}

static void assert_nothing_leaked(void)
{
    for (size_t i = 0; i < hs_test_host_log_count(F.host); i++) {
        const char *l = hs_test_host_log_line(F.host, i);
        ck_assert_msg(!strstr(l, EPLOY_SECRET) && !strstr(l, WILLO_KEY) && !strstr(l, TOKEN),
                      "a secret in the log: %s", l);
    }
    pthread_mutex_lock(&g_other_seen.lock);
    ck_assert_msg(g_other_seen.leak[0] == '\0', "the other host received a credential: %s",
                  g_other_seen.leak);
    pthread_mutex_unlock(&g_other_seen.lock);
}

static int other_requests(void)
{
    int n;
    pthread_mutex_lock(&g_other_seen.lock);
    n = g_other_seen.requests;
    pthread_mutex_unlock(&g_other_seen.lock);
    return n;
}

static int token_requests(void)
{
    int n;
    pthread_mutex_lock(&g_main_seen.lock);
    n = g_main_seen.token_requests;
    pthread_mutex_unlock(&g_main_seen.lock);
    return n;
}

static int search_requests(void)
{
    int n;
    pthread_mutex_lock(&g_main_seen.lock);
    n = g_main_seen.search_requests;
    pthread_mutex_unlock(&g_main_seen.lock);
    return n;
}

/* ---- tests ----------------------------------------------------------------------------------- */

START_TEST(test_eploy_body_over_the_limit_is_refused)
{
    HS_TEST_ERROR(err);
    open_connector("eploy", M_BIG_BODY);
    ck_assert_int_ne(eploy_read(&err), HS_OK);
    assert_clean_error(&err, NULL);
    ck_assert_msg(strcasestr(err.message, "limit") || strcasestr(err.message, "large") ||
                  strcasestr(err.message, "size"), "does not say the body is too big: %s",
                  err.message);
    ck_assert_uint_eq(F.col->n_changes, 0);
    ck_assert_uint_eq(F.col->n_checkpoints, 0);
    assert_nothing_leaked();
    close_connector();
}
END_TEST

START_TEST(test_willo_body_over_the_limit_is_refused)
{
    HS_TEST_ERROR(err);
    open_connector("willo", M_BIG_BODY);
    ck_assert_int_ne(willo_discover(&err), HS_OK);
    assert_clean_error(&err, NULL);
    ck_assert_uint_eq(F.col->n_jobs, 0);
    assert_nothing_leaked();
    close_connector();
}
END_TEST

START_TEST(test_json_nested_thousands_deep_is_refused)
{
    HS_TEST_ERROR(err);
    open_connector("eploy", M_DEEP);
    ck_assert_int_eq(eploy_read(&err), HS_E_INTERNAL);
    assert_clean_error(&err, NULL);
    ck_assert_uint_eq(F.col->n_checkpoints, 0);
    close_connector();
    hs_test_error_clear(&err);
    open_connector("willo", M_DEEP);
    ck_assert_int_ne(willo_discover(&err), HS_OK);
    assert_clean_error(&err, NULL);
    ck_assert_uint_eq(F.col->n_jobs, 0);
    close_connector();
}
END_TEST

START_TEST(test_multi_megabyte_strings_are_bounded)
{
    HS_TEST_ERROR(err);
    hs_status st;
    open_connector("eploy", M_BIG_STRINGS);
    st = eploy_read(&err);
    /* Either the record is refused, or it is passed on whole; never cut into a wrong value,
     * never a crash, and every message stays one bounded line. */
    if (st == HS_OK) {
        ck_assert_uint_le(F.col->n_changes, 1);
        for (size_t i = 0; i < F.col->n_changes; i++) {
            const hs_test_change *c = &F.col->changes[i];
            ck_assert(c->stage_name == NULL || strlen(c->stage_name) == (4u << 20) ||
                      strlen(c->stage_name) == 0);
        }
    } else {
        assert_clean_error(&err, NULL);
    }
    for (size_t i = 0; i < hs_test_host_log_count(F.host); i++)
        ck_assert_uint_lt(strlen(hs_test_host_log_line(F.host, i)), 8192);
    assert_nothing_leaked();
    close_connector();
}
END_TEST

START_TEST(test_invalid_utf8_does_not_break_the_read)
{
    HS_TEST_ERROR(err);
    hs_status st;
    open_connector("eploy", M_BAD_UTF8);
    st = eploy_read(&err);
    ck_assert_msg(st == HS_OK || st == HS_E_DATA || st == HS_E_INTERNAL, "status %d", st);
    if (st != HS_OK)
        assert_clean_error(&err, NULL);
    else
        ck_assert_uint_ge(F.col->n_checkpoints, 1);
    assert_nothing_leaked();
    close_connector();
}
END_TEST

START_TEST(test_negative_total_pages_ends_the_walk)
{
    HS_TEST_ERROR(err);
    hs_status st;
    open_connector("eploy", M_PAGES_NEGATIVE);
    st = eploy_read(&err);
    if (st != HS_OK)
        assert_clean_error(&err, NULL);
    ck_assert_int_le(search_requests(), 2);
    close_connector();
}
END_TEST

START_TEST(test_enormous_total_pages_ends_at_the_first_empty_page)
{
    HS_TEST_ERROR(err);
    hs_status st;
    open_connector("eploy", M_PAGES_HUGE);
    st = eploy_read(&err);
    if (st != HS_OK)
        assert_clean_error(&err, NULL);
    else
        ck_assert_uint_eq(F.col->n_changes, 1);
    ck_assert_int_le(search_requests(), 2);
    close_connector();
}
END_TEST

START_TEST(test_willo_next_link_to_another_host_is_not_followed)
{
    HS_TEST_ERROR(err);
    char port[16];
    open_connector("willo", M_FOREIGN_NEXT);
    ck_assert_int_ne(willo_discover(&err), HS_OK);
    snprintf(port, sizeof port, "%d", g_other_port);
    assert_clean_error(&err, port);
    ck_assert_int_eq(other_requests(), 0);
    assert_nothing_leaked();
    close_connector();
}
END_TEST

START_TEST(test_redirect_to_another_host_is_not_followed)
{
    HS_TEST_ERROR(err);
    open_connector("eploy", M_REDIRECT);
    ck_assert_int_ne(eploy_read(&err), HS_OK);
    assert_clean_error(&err, NULL);
    ck_assert_int_eq(other_requests(), 0);
    assert_nothing_leaked();
    close_connector();
    hs_test_error_clear(&err);
    open_connector("willo", M_REDIRECT);
    ck_assert_int_ne(willo_discover(&err), HS_OK);
    assert_clean_error(&err, NULL);
    ck_assert_int_eq(other_requests(), 0);
    assert_nothing_leaked();
    close_connector();
}
END_TEST

START_TEST(test_retry_after_a_year_is_capped)
{
    HS_TEST_ERROR(err);
    open_connector("eploy", M_RETRY_YEAR);
    ck_assert_int_eq(eploy_read(&err), HS_RETRY);
    assert_clean_error(&err, NULL);
    ck_assert_int_eq(err.http_status, 429);
    /* no wait of a year inside the call: one request, no sleep beyond the cap */
    ck_assert_int_eq(search_requests(), 1);
    ck_assert_int_le(hs_test_host_longest_sleep_ms(F.host), 120 * 1000);
    ck_assert_int_ge(err.retry_after_s, 0);
    ck_assert_int_le(err.retry_after_s, 366 * 86400);
    close_connector();
}
END_TEST

START_TEST(test_retry_after_beyond_32_bits_stays_positive)
{
    HS_TEST_ERROR(err);
    open_connector("eploy", M_RETRY_HUGE);
    ck_assert_int_eq(eploy_read(&err), HS_RETRY);
    assert_clean_error(&err, NULL);
    ck_assert_int_le(hs_test_host_longest_sleep_ms(F.host), 120 * 1000);
    ck_assert_msg(err.retry_after_s > 0, "Retry-After 2147483648 became %d", err.retry_after_s);
    close_connector();
}
END_TEST

START_TEST(test_token_answer_without_access_token_is_refused)
{
    HS_TEST_ERROR(err);
    hs_status st;
    open_connector("eploy", M_NO_ACCESS_TOKEN);
    st = eploy_read(&err);
    ck_assert_msg(st == HS_E_CONFIG || st == HS_E_INTERNAL, "status %d: %s", st, err.message);
    assert_clean_error(&err, "access_token");
    ck_assert_int_eq(search_requests(), 0);
    assert_nothing_leaked();
    close_connector();
}
END_TEST

/* Retry-After beyond any int64, or an HTTP date 8,000 years ahead: a bounded wait, never a
 * wrapped or negative one. */
START_TEST(test_retry_after_of_any_size_is_capped)
{
    static const mode modes[] = {M_RETRY_DIGITS, M_RETRY_DATE_FAR};
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        HS_TEST_ERROR(err);
        open_connector("eploy", modes[i]);
        ck_assert_int_eq(eploy_read(&err), HS_RETRY);
        assert_clean_error(&err, NULL);
        ck_assert_int_eq(err.http_status, 429);
        ck_assert_int_eq(search_requests(), 1);
        ck_assert_int_le(hs_test_host_longest_sleep_ms(F.host), 120 * 1000);
        /* taken as Eploy's daily quota: no call until the next UTC midnight and a margin */
        ck_assert_msg(err.retry_after_s > 0 && err.retry_after_s <= 86400 + 300 + 1,
                      "mode %d: retry_after_s %d", (int)modes[i], err.retry_after_s);
        close_connector();
    }
}
END_TEST

/* expires_in of every size a JSON number (or string) can hold: the token lives between ten
 * minutes and a day, so it is reused within five minutes and renewed after a day, and no
 * expiry wraps into the past or the far future. */
START_TEST(test_token_expiry_of_any_size_is_bounded)
{
    static const char *const values[] = {
        "9223372036854775807", "-9223372036854775808", "18446744073709551615", "1e300",
        "-1e300", "NaN", "Infinity", "-Infinity", "\"99999999999999999999\"", "0", "-5",
        "9.3e18", "86399999999999.5"};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        HS_TEST_ERROR(err);
        g_expires_in = values[i];
        open_connector("eploy", M_TOKEN_EXPIRES);
        ck_assert_msg(eploy_read(&err) == HS_OK, "expires_in %s: %s", values[i], err.message);
        hs_test_host_advance(F.host, 5 * 60 * 1000);
        ck_assert_msg(eploy_read(&err) == HS_OK, "expires_in %s: %s", values[i], err.message);
        ck_assert_msg(token_requests() == 1, "expires_in %s: %d token requests in 5 minutes",
                      values[i], token_requests());
        hs_test_host_advance(F.host, 86400 * 1000);
        ck_assert_msg(eploy_read(&err) == HS_OK, "expires_in %s: %s", values[i], err.message);
        ck_assert_msg(token_requests() == 2, "expires_in %s: %d token requests after a day",
                      values[i], token_requests());
        close_connector();
    }
    g_expires_in = "3599";
}
END_TEST

/* The daily call count comes back from the store and from cursors, which a damaged state
 * file or an old build may have filled with anything: counting on from INT64_MAX must not
 * overflow, and what is written back is bounded. */
START_TEST(test_wild_call_counts_are_bounded)
{
    static const char *const jobs[] = {"1001"};
    char cursor[256], day[16], stored[64], expect[64];
    hs_read_request req = {sizeof req, cursor, jobs, 1, 1, 0, NULL, 0, 0, NULL, 0, 0};
    HS_TEST_ERROR(err);
    hs_emitter em;
    const char *v;
    time_t now = time(NULL);
    struct tm tm;

    /* calls are counted per day of the server's clock: the answers' Date, which is today's */
    gmtime_r(&now, &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    snprintf(cursor, sizeof cursor, "{\"v\":1,\"since\":\"2025-12-31T00:00:00.000Z\","
             "\"calls\":{\"day\":\"%s\",\"used\":9223372036854775807}}", day);
    snprintf(stored, sizeof stored, "%s 9223372036854775807", day);
    snprintf(expect, sizeof expect, "%s 1000000000000", day);
    open_connector("eploy", M_NORMAL);
    hs_test_host_store_set(F.host, "calls", stored);
    ck_assert_msg(eploy_read(&err) == HS_OK, "%s", err.message);
    v = hs_test_host_store_value(F.host, "calls");
    ck_assert_msg(v != NULL && strcmp(v, expect) == 0, "calls: %s", v ? v : "(none)");
    close_connector();

    open_connector("eploy", M_NORMAL);
    em = hs_test_collector_emitter(F.col);
    ck_assert_msg(F.c->read_changes(F.conn, &req, &em, &err) == HS_OK, "%s", err.message);
    ck_assert_uint_ge(F.col->n_checkpoints, 1);
    v = hs_test_collector_last_cursor(F.col);
    ck_assert_msg(strstr(v, "\"used\":1000000000000}") != NULL, "cursor: %s", v);
    close_connector();
}
END_TEST

/* Values another pipeline left in shared memory: a claim stamped at INT64_MIN is stale, and a
 * token "valid until" a number beyond int64 is not taken as valid for ever. */
START_TEST(test_wild_shared_token_values_are_ignored)
{
    HS_TEST_ERROR(err);

    open_connector("eploy", M_NORMAL);
    hs_test_host_store_set(F.host, "shared/token_claim", "0x1 -9223372036854775808");
    ck_assert_msg(eploy_read(&err) == HS_OK, "%s", err.message);
    ck_assert_int_eq(token_requests(), 1);
    close_connector();

    open_connector("eploy", M_NORMAL);
    hs_test_host_store_set(F.host, "shared/token", "99999999999999999999 stale-token");
    ck_assert_msg(eploy_read(&err) == HS_OK, "%s", err.message);
    ck_assert_int_eq(token_requests(), 1);
    close_connector();
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hostile");
    TCase *tc = tcase_create("answers");
    SRunner *sr;
    int failed;
    tcase_add_checked_fixture(tc, servers_up, servers_down);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_eploy_body_over_the_limit_is_refused);
    tcase_add_test(tc, test_willo_body_over_the_limit_is_refused);
    tcase_add_test(tc, test_json_nested_thousands_deep_is_refused);
    tcase_add_test(tc, test_multi_megabyte_strings_are_bounded);
    tcase_add_test(tc, test_invalid_utf8_does_not_break_the_read);
    tcase_add_test(tc, test_negative_total_pages_ends_the_walk);
    tcase_add_test(tc, test_enormous_total_pages_ends_at_the_first_empty_page);
    tcase_add_test(tc, test_willo_next_link_to_another_host_is_not_followed);
    tcase_add_test(tc, test_redirect_to_another_host_is_not_followed);
    tcase_add_test(tc, test_retry_after_a_year_is_capped);
    tcase_add_test(tc, test_retry_after_beyond_32_bits_stays_positive);
    tcase_add_test(tc, test_token_answer_without_access_token_is_refused);
    tcase_add_test(tc, test_retry_after_of_any_size_is_capped);
    tcase_add_test(tc, test_token_expiry_of_any_size_is_bounded);
    tcase_add_test(tc, test_wild_call_counts_are_bounded);
    tcase_add_test(tc, test_wild_shared_token_values_are_ignored);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
