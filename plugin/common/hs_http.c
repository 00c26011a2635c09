/*
 * HTTP with retries for connectors (libcurl easy interface).
 *
 * The easy handle is reset (not recreated) before each request: curl_easy_reset keeps the
 * connection cache, so consecutive requests to one API reuse the TCP/TLS connection.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "hs_errors.h"
#include "hs_http.h"
#include "hs_num.h"
#include "hs_url.h"

struct hs_http {
    hs_http_config cfg;
    char log_name[32];
    CURL *curl;
    uint64_t requests;
    int64_t last_start_ms;       /* host clock at the previous attempt, 0 before the first */
    int64_t date_ms;             /* the server's Date of the last response, 0 before any */
    int64_t date_host_ms;        /* the host's clock when that response arrived */
    int quota_said;              /* the last 429's body carried cfg.quota_marker */
    size_t last_len;             /* the previous body's length: the next one's first size */
    uint64_t rng;                /* jitter state; per handle, so no global is shared */
};

/* The body of one attempt; reset before each attempt. */
typedef struct attempt {
    char *body;
    size_t len, cap, max;
    size_t hint;                 /* first capacity: pages of one walk are alike in size */
    int too_big;
} attempt;

/* What the final response of one attempt says in its status line and headers. */
typedef struct answer {
    long status;
    int64_t retry_after_s;
    int64_t date_ms;             /* the Date header, 0 if none or unreadable */
    char www_authenticate[64];   /* its first token (the scheme) */
    char location[512];
} answer;

/* One hs_http_perform: what every step of it needs. */
typedef struct call {
    hs_http *http;
    const hs_http_request *req;
    hs_error *err;
    struct curl_slist *headers;
    char where[300];             /* method-free "scheme://host/path" for messages */
    int n;                       /* attempt number, from 1 */
    CURLcode rc;
    attempt a;
    answer ans;
} call;

static uint64_t next_random(hs_http *http)
{
    /* xorshift64*: jitter needs spread, not cryptographic strength. */
    uint64_t x = http->rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    http->rng = x;
    return x * 2685821657736338717ULL;
}

hs_http *hs_http_new(const hs_http_config *config)
{
    hs_http *http;

    if (config == NULL || config->api == NULL)
        return NULL;
    http = calloc(1, sizeof *http);
    if (http == NULL)
        return NULL;
    http->cfg = *config;
    (void)snprintf(http->log_name, sizeof http->log_name, "%s",
                   config->log_name != NULL ? config->log_name : "http");
    http->cfg.log_name = http->log_name;
    if (http->cfg.connect_timeout_ms <= 0)
        http->cfg.connect_timeout_ms = 10000;
    if (http->cfg.timeout_ms <= 0)
        http->cfg.timeout_ms = 30000;
    if (http->cfg.max_attempts <= 0)
        http->cfg.max_attempts = 4;
    if (http->cfg.backoff_base_ms <= 0)
        http->cfg.backoff_base_ms = 500;
    if (http->cfg.backoff_max_ms <= 0)
        http->cfg.backoff_max_ms = 30000;
    if (http->cfg.retry_after_max_s <= 0)
        http->cfg.retry_after_max_s = 120;
    if (http->cfg.max_body == 0)
        http->cfg.max_body = 16u * 1024u * 1024u;
    http->curl = curl_easy_init();
    if (http->curl == NULL) {
        free(http);
        return NULL;
    }
    http->rng = ((uint64_t)(uintptr_t)http ^ (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL) | 1u;
    return http;
}

void hs_http_free(hs_http *http)
{
    if (http == NULL)
        return;
    curl_easy_cleanup(http->curl);
    free(http);
}

uint64_t hs_http_request_count(const hs_http *http)
{
    return http != NULL ? http->requests : 0;
}

void hs_http_response_clear(hs_http_response *response)
{
    if (response == NULL)
        return;
    free(response->body);
    memset(response, 0, sizeof *response);
}

/* Collects the body. CURLOPT_MAXFILESIZE_LARGE refuses a response whose Content-Length is
 * over the limit before any of it is read, but it only knows the size announced ahead: a
 * chunked body (or one that grows when decoded) has none, so the limit is also kept here as
 * the bytes arrive. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    attempt *a = userdata;
    size_t n = size * nmemb;

    if (n > a->max - a->len) {
        a->too_big = 1;
        return 0;     /* makes curl stop with CURLE_WRITE_ERROR */
    }
    if (a->len + n + 1 > a->cap) {
        size_t cap = a->cap ? a->cap : a->hint > 4096 && a->hint < a->max ? a->hint : 4096;
        char *p;
        while (cap < a->len + n + 1)
            cap *= 2;
        p = realloc(a->body, cap);
        if (p == NULL)
            return 0;
        a->body = p;
        a->cap = cap;
    }
    memcpy(a->body + a->len, data, n);
    a->len += n;
    a->body[a->len] = '\0';
    return n;
}

/* Copies the value of the final response's header `name` (first instance) into out, ""
 * when there is none. libcurl keeps the headers of every response of the transfer; request
 * -1 is the last one, so a 1xx or an earlier response never leaks into it. */
static void header_copy(CURL *c, const char *name, char *out, size_t out_size)
{
    struct curl_header *h = NULL;

    out[0] = '\0';
    if (curl_easy_header(c, name, 0, CURLH_HEADER, -1, &h) == CURLHE_OK && h->value != NULL)
        (void)snprintf(out, out_size, "%s", h->value);
}

/* The longest Retry-After believed: a server asking for more (a year, or a number that does
 * not fit 32 bits) is told to wait a day, so one odd header neither parks a pipeline for
 * good nor overflows hs_error.retry_after_s. */
#define RETRY_AFTER_LIMIT_S 86400

/* The Date header in ms since the epoch; 0 when absent or outside the years 1970-9999. */
static int64_t read_date(CURL *c)
{
    char value[128];
    time_t when;

    header_copy(c, "Date", value, sizeof value);
    if (value[0] == '\0')
        return 0;
    when = curl_getdate(value, NULL);
    return when > 0 && (int64_t)when < 253402300800LL ? (int64_t)when * 1000 : 0;
}

/* Retry-After in seconds, as libcurl reads it (delay-seconds, or an HTTP date less this
 * machine's time). An HTTP date is the server's wall clock, so it is measured from the
 * server's Date of the same response where there is one: the host's clock may be off. */
static int64_t read_retry_after(CURL *c, int64_t date_ms)
{
    curl_off_t secs = 0;
    char raw[64];

    if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &secs) != CURLE_OK || secs == 0)
        return 0;
    header_copy(c, "Retry-After", raw, sizeof raw);
    if (date_ms > 0 && raw[0] != '\0' && (raw[0] < '0' || raw[0] > '9'))
        secs = (curl_off_t)hs_num_add_sat((int64_t)secs,
                                          hs_num_sub_sat((int64_t)time(NULL), date_ms / 1000));
    return hs_num_clamp((int64_t)secs, 0, RETRY_AFTER_LIMIT_S);
}

/* Fills ans from the final response of a completed transfer. */
static void read_answer(CURL *c, answer *ans)
{
    char value[512];

    memset(ans, 0, sizeof *ans);
    (void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &ans->status);
    ans->date_ms = read_date(c);
    ans->retry_after_s = read_retry_after(c, ans->date_ms);
    /* Only the scheme: parameters (realm, error_description) are not needed. */
    header_copy(c, "WWW-Authenticate", value, sizeof value);
    value[strcspn(value, " \t,")] = '\0';
    value[sizeof ans->www_authenticate - 1] = '\0';
    memcpy(ans->www_authenticate, value, strlen(value) + 1);
    header_copy(c, "Location", ans->location, sizeof ans->location);
}

static struct curl_slist *build_headers(const hs_http_request *req, int *failed)
{
    struct curl_slist *list = NULL, *next;
    char ct[128];

    *failed = 0;
    for (size_t i = 0; req->headers != NULL && (req->n_headers == 0 || i < req->n_headers); i++) {
        if (req->headers[i] == NULL)
            break;
        next = curl_slist_append(list, req->headers[i]);
        if (next == NULL)
            goto fail;
        list = next;
    }
    if (req->body != NULL && req->content_type != NULL) {
        (void)snprintf(ct, sizeof ct, "Content-Type: %s", req->content_type);
        if ((next = curl_slist_append(list, ct)) == NULL)
            goto fail;
        list = next;
    }
    /* No "Expect: 100-continue" round trip on POST bodies. */
    if ((next = curl_slist_append(list, "Expect:")) == NULL)
        goto fail;
    return next;
fail:
    curl_slist_free_all(list);
    *failed = 1;
    return NULL;
}

static CURLcode setup(hs_http *http, const hs_http_request *req, struct curl_slist *headers,
                      attempt *a)
{
    CURL *c = http->curl;
    const char *ua = http->cfg.api->user_agent != NULL
                         ? http->cfg.api->user_agent(http->cfg.host) : NULL;
    CURLcode rc = CURLE_OK;

    curl_easy_reset(c);
#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(c, opt, val); } while (0)
    SET(CURLOPT_URL, req->url);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
#else
    SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    SET(CURLOPT_CONNECTTIMEOUT_MS, http->cfg.connect_timeout_ms);
    SET(CURLOPT_TIMEOUT_MS, http->cfg.timeout_ms);
    SET(CURLOPT_TCP_KEEPALIVE, 1L);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    SET(CURLOPT_ACCEPT_ENCODING, "");
    SET(CURLOPT_USERAGENT, ua != NULL ? ua : "hiresync");
    SET(CURLOPT_HTTPHEADER, headers);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, a);
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)http->cfg.max_body);
    /* libcurl sends a request again by itself when its reused connection dies before any
     * answer, and cannot tell a connection the server had closed from one that died after the
     * server read the request. A request sent once therefore opens a connection of its own,
     * which libcurl never repeats on. */
    if (req->once)
        SET(CURLOPT_FRESH_CONNECT, 1L);
    if (strcmp(req->method, "GET") == 0) {
        SET(CURLOPT_HTTPGET, 1L);
    } else {
        if (strcmp(req->method, "POST") != 0)
            SET(CURLOPT_CUSTOMREQUEST, req->method);
        else
            SET(CURLOPT_POST, 1L);
        SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(req->body != NULL ? req->body_len : 0));
        SET(CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
    }
#undef SET
    return rc;
}


/* Transport failures worth another attempt. A request on a reused connection that the server
 * had closed is re-sent by libcurl itself, on a fresh connection, before it reports anything. */
static int transport_retryable(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_BAD_CONTENT_ENCODING:
        return 1;
    default:
        return 0;
    }
}

/* The answers that say "not now" rather than "not this": curl's --retry takes 408, 429 and
 * 500/502/503/504 as transient; the other 5xx are retried too, as the connectors' callers
 * expect (Eploy's history endpoint tells its absence by a 501 after the retries). */
static int status_retryable(long status)
{
    return status == 408 || status == 429 || (status >= 500 && status < 600);
}

/* For a request sent once (request.once): 1 when the server certainly did not act on the
 * attempt, so it may be sent again. No connection was made, or the server said it read
 * nothing of it (408) or refused it unread (429). Anything else (a timeout, a reset, a short
 * read, a 5xx) may come after the server acted. */
static int safe_to_resend(CURLcode rc, long status)
{
    if (rc != CURLE_OK)
        return rc == CURLE_COULDNT_CONNECT;
    return status == 408 || status == 429;
}

/* Delay before attempt n+1 after failed attempt n (n from 1): base * 2^(n-1), capped, with
 * "equal jitter" (half fixed, half random) so that clients spread out yet still back off. */
static int64_t backoff_ms(hs_http *http, int n)
{
    int64_t d = http->cfg.backoff_base_ms;

    for (int i = 1; i < n && d < http->cfg.backoff_max_ms; i++)
        d *= 2;
    if (d > http->cfg.backoff_max_ms)
        d = http->cfg.backoff_max_ms;
    return d / 2 + (int64_t)(next_random(http) % (uint64_t)(d / 2 + 1));
}

/* The one pacer of a connection: waits until min_gap_ms has passed since the previous start,
 * on the host's clock (a test's fake clock advances by what it is asked to sleep). Non-zero
 * when cancelled. */
static int pace(hs_http *http)
{
    const hs_host_api *api = http->cfg.api;
    int64_t now = api->now_ms(http->cfg.host);

    if (http->cfg.min_gap_ms > 0 && http->last_start_ms > 0) {
        int64_t wait = http->last_start_ms + http->cfg.min_gap_ms - now;
        if (wait > http->cfg.min_gap_ms)
            wait = http->cfg.min_gap_ms;   /* the clock went backwards */
        if (wait > 0 && api->sleep_ms(http->cfg.host, wait) != 0)
            return 1;
        now = api->now_ms(http->cfg.host);
    }
    http->last_start_ms = now;
    return 0;
}

/* The server's time of every response, whatever its status: kept, and reported to the host,
 * which measures the skew from it. */
static void note_date(hs_http *http, int64_t date_ms)
{
    const hs_host_api *api = http->cfg.api;

    if (date_ms <= 0)
        return;
    http->date_ms = date_ms;
    http->date_host_ms = api->now_ms(http->cfg.host);
    if (HS_HAS_FIELD(hs_host_api, api->struct_size, remote_time) && api->remote_time != NULL)
        api->remote_time(http->cfg.host, date_ms);
}

/* Every attempt, answered or not, is reported to the host, which counts them per connection
 * and result. */
static void note_done(hs_http *http, CURLcode rc, long status)
{
    const hs_host_api *api = http->cfg.api;
    int32_t result = HS_REQUEST_FAILED;

    if (!HS_HAS_FIELD(hs_host_api, api->struct_size, request_done) || api->request_done == NULL)
        return;
    if (rc == CURLE_OK && status > 0 && status < 1000)
        result = (int32_t)status;
    else if (rc == CURLE_OPERATION_TIMEDOUT)
        result = HS_REQUEST_TIMEOUT;
    api->request_done(http->cfg.host, result);
}

/* 1 when a 429's body says the caller's quota is used up (cfg.quota_marker, any case). */
static int quota_body(const hs_http *http, const attempt *a)
{
    size_t m;

    if (http->cfg.quota_marker == NULL || a->body == NULL)
        return 0;
    m = strlen(http->cfg.quota_marker);
    for (size_t i = 0; m > 0 && i + m <= a->len; i++) {
        if (strncasecmp(a->body + i, http->cfg.quota_marker, m) == 0)
            return 1;
    }
    return 0;
}

int64_t hs_http_server_time(const hs_http *http, int64_t *host_ms)
{
    if (host_ms != NULL)
        *host_ms = http != NULL ? http->date_host_ms : 0;
    return http != NULL ? http->date_ms : 0;
}

int64_t hs_http_server_now(const hs_http *http, int64_t host_now_ms)
{
    int64_t elapsed;

    if (http == NULL || http->date_ms <= 0)
        return host_now_ms;
    /* Both ends on the host's clock, so the skew cancels out; a clock gone back counts as no
     * time passed, and a day at most is believed (Dates arrive with every call). */
    elapsed = host_now_ms - http->date_host_ms;
    if (elapsed < 0)
        elapsed = 0;
    if (elapsed > 86400000LL)
        elapsed = 86400000LL;
    return http->date_ms + elapsed;
}

int hs_http_quota_exceeded(const hs_http *http)
{
    return http != NULL && http->quota_said;
}

/* ---- one call -------------------------------------------------------------------------------- */

/* Ends the call with st: err gets "<log name>: <METHOD> <where>: <what>". */
static hs_status fail(call *c, hs_status st, long status, int64_t retry_after_s,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static hs_status fail(call *c, hs_status st, long status, int64_t retry_after_s,
                      const char *fmt, ...)
{
    char what[256];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    st = hs_error_set(c->err, st, (int)status, "%s: %s %s: %s", c->http->log_name,
                      c->req->method, c->where, what);
    if (c->err != NULL)
        c->err->retry_after_s = (int32_t)retry_after_s;
    return st;
}

/* Cancellation, the caller's budget and the gap, before every attempt. */
static hs_status before_attempt(call *c)
{
    hs_http *http = c->http;
    const hs_host_api *api = http->cfg.api;
    hs_status st;

    if (api->cancelled != NULL && api->cancelled(http->cfg.host))
        return fail(c, HS_E_CANCELLED, 0, 0, "cancelled");
    if (http->cfg.on_attempt != NULL &&
        (st = http->cfg.on_attempt(http->cfg.on_attempt_ctx, c->err)) != HS_OK)
        return st;
    if (pace(http) != 0)
        return fail(c, HS_E_CANCELLED, 0, 0, "cancelled");
    return HS_OK;
}

/* One attempt: c->rc, c->a (the body) and, when an answer came, c->ans. */
static hs_status run_attempt(call *c)
{
    hs_http *http = c->http;

    free(c->a.body);
    memset(&c->a, 0, sizeof c->a);
    memset(&c->ans, 0, sizeof c->ans);
    c->a.max = http->cfg.max_body;
    /* One allocation of the right size instead of a doubling series: every large allocation
     * makes glibc's malloc sort the many small chunks a freed page tree left (consolidation) */
    c->a.hint = http->last_len + 1;
    if (setup(http, c->req, c->headers, &c->a) != CURLE_OK)
        return fail(c, HS_E_INTERNAL, 0, 0, "cannot set up the request");
    http->requests++;
    c->rc = curl_easy_perform(http->curl);
    if (c->rc == CURLE_OK) {
        read_answer(http->curl, &c->ans);
        note_date(http, c->ans.date_ms);
    }
    note_done(http, c->rc, c->ans.status);
    return HS_OK;
}

/* 1 when the attempt ends the call whatever attempts are left: *st says how. */
static int final_failure(call *c, hs_status *st)
{
    CURLcode rc = c->rc;

    if (c->a.too_big || rc == CURLE_FILESIZE_EXCEEDED)
        *st = fail(c, HS_E_INTERNAL, 0, 0, "the response is larger than the limit of %zu bytes; "
                   "refused", c->http->cfg.max_body);
    else if (rc == CURLE_COULDNT_RESOLVE_HOST)
        *st = fail(c, HS_E_CONFIG, 0, 0, "cannot resolve the host name: check the address "
                   "(subdomain or base URL) and DNS");
    else if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE)
        *st = fail(c, HS_E_CONFIG, 0, 0, "the server's TLS certificate is not trusted (%s)",
                   curl_easy_strerror(rc));
    else if (rc != CURLE_OK && !transport_retryable(rc))
        *st = fail(c, HS_E_INTERNAL, 0, 0, "%s", curl_easy_strerror(rc));
    else
        return 0;
    return 1;
}

/* Hands the answer over to the caller. */
static hs_status deliver(call *c, hs_http_response *response)
{
    hs_http *http = c->http;

    http->cfg.api->log(http->cfg.host, HS_LOG_DEBUG, "%s: %s %s: HTTP %ld (%zu bytes, attempt %d)",
                       http->log_name, c->req->method, c->where, c->ans.status, c->a.len, c->n);
    response->status = c->ans.status;
    response->body = c->a.body;
    response->body_len = c->a.len;
    response->retry_after_s = c->ans.retry_after_s;
    memcpy(response->www_authenticate, c->ans.www_authenticate,
           sizeof response->www_authenticate);
    memcpy(response->location, c->ans.location, sizeof response->location);
    response->attempts = c->n;
    http->last_len = c->a.len;
    c->a.body = NULL;
    return HS_OK;
}

/* After a retryable failure (why): 1 when no further attempt is made, *st saying why. */
static int stop_retrying(call *c, const char *why, hs_status *st)
{
    hs_http *http = c->http;
    long status = c->rc == CURLE_OK ? c->ans.status : 0;
    int64_t ra = c->ans.retry_after_s;

    if (c->req->once && !safe_to_resend(c->rc, status))
        *st = fail(c, HS_RETRY, status, ra, "%s; not repeated now because the server may have "
                   "acted on it", why);
    else if (status == 429 && quota_body(http, &c->a)) {
        http->quota_said = 1;
        *st = fail(c, HS_RETRY, status, ra, "HTTP 429, the call limit is exceeded");
    } else if (ra > http->cfg.retry_after_max_s)
        *st = fail(c, HS_RETRY, status, ra, "%s, server asks to wait %lld s", why,
                   (long long)ra);
    else if (c->n >= http->cfg.max_attempts)
        *st = fail(c, HS_RETRY, status, ra, "%s after %d attempts", why, c->n);
    else
        return 0;
    return 1;
}

/* Waits before the next attempt: Retry-After when the server gave one, else the back-off. */
static hs_status wait_to_retry(call *c, const char *why)
{
    hs_http *http = c->http;
    int64_t delay = c->ans.retry_after_s > 0 ? c->ans.retry_after_s * 1000
                                             : backoff_ms(http, c->n);

    http->cfg.api->log(http->cfg.host, HS_LOG_WARN,
                       "%s: %s %s: %s (attempt %d of %d), retrying in %lld ms", http->log_name,
                       c->req->method, c->where, why, c->n, http->cfg.max_attempts,
                       (long long)delay);
    if (http->cfg.api->sleep_ms(http->cfg.host, delay) != 0)
        return fail(c, HS_E_CANCELLED, 0, 0, "cancelled");
    return HS_OK;
}

/* Attempts until an answer that is not retried, or a reason to stop. */
static hs_status attempts(call *c, hs_http_response *response)
{
    hs_status st;
    char why[96];

    for (c->n = 1;; c->n++) {
        if ((st = before_attempt(c)) != HS_OK || (st = run_attempt(c)) != HS_OK)
            return st;
        if (final_failure(c, &st))
            return st;
        if (c->rc == CURLE_OK && !status_retryable(c->ans.status))
            return deliver(c, response);
        if (c->rc != CURLE_OK)
            (void)snprintf(why, sizeof why, "%s", curl_easy_strerror(c->rc));
        else
            (void)snprintf(why, sizeof why, "HTTP %ld", c->ans.status);
        if (stop_retrying(c, why, &st) || (st = wait_to_retry(c, why)) != HS_OK)
            return st;
    }
}

hs_status hs_http_perform(hs_http *http, const hs_http_request *request,
                          hs_http_response *response, hs_error *err)
{
    call c;
    hs_status st;
    int failed = 0;

    if (response != NULL)
        memset(response, 0, sizeof *response);
    if (http == NULL || request == NULL || response == NULL || request->url == NULL ||
        request->method == NULL)
        return hs_error_set(err, HS_E_INTERNAL, 0, "http: invalid request");
    memset(&c, 0, sizeof c);
    c.http = http;
    c.req = request;
    c.err = err;
    http->quota_said = 0;
    (void)hs_url_describe(request->url, c.where, sizeof c.where);
    c.headers = build_headers(request, &failed);
    if (failed)
        return fail(&c, HS_E_INTERNAL, 0, 0, "out of memory");
    st = attempts(&c, response);
    free(c.a.body);
    curl_slist_free_all(c.headers);
    return st;
}
