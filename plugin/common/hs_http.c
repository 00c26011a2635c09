/*
 * HTTP with retries for connectors (libcurl easy interface).
 *
 * The easy handle is reset (not recreated) before each request: curl_easy_reset keeps the
 * connection cache, so consecutive requests to one API reuse the TCP/TLS connection.
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
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
    uint64_t rng;                /* jitter state; per handle, so no global is shared */
};

/* What one attempt collects; reset before each attempt. */
typedef struct attempt {
    char *body;
    size_t len, cap, max;
    int too_big;
    int64_t retry_after_s;
    char retry_after[64];        /* raw, parsed once the Date is known */
    int64_t date_ms;             /* the Date header, 0 if none or unreadable */
    char www_authenticate[64];
    char location[512];
} attempt;

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

hs_status hs_http_status_class(long status)
{
    if (status >= 200 && status < 300)
        return HS_OK;
    if (status == 401)
        return HS_E_CONFIG;
    if (status == 403)
        return HS_E_PERMISSION;
    if (status == 400 || status == 404 || status == 409 || status == 422)
        return HS_E_DATA;
    if (status == 408 || status == 429 || (status >= 500 && status < 600))
        return HS_RETRY;
    return HS_E_INTERNAL;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    attempt *a = userdata;
    size_t n = size * nmemb;

    if (n > a->max - a->len) {
        a->too_big = 1;
        return 0;     /* makes curl stop with CURLE_WRITE_ERROR */
    }
    if (a->len + n + 1 > a->cap) {
        size_t cap = a->cap ? a->cap : 4096;
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

/* Copies a header value (without the name, trimmed) into out. */
static void header_value(const char *line, size_t len, size_t name_len, char *out,
                         size_t out_size)
{
    const char *v = line + name_len;
    const char *end = line + len;
    size_t n;

    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && isspace((unsigned char)end[-1]))
        end--;
    n = (size_t)(end - v);
    if (n >= out_size)
        n = out_size - 1;
    memcpy(out, v, n);
    out[n] = '\0';
}

/* The longest Retry-After believed: a server asking for more (a year, or a number that does
 * not fit 32 bits) is told to wait a day, so one odd header neither parks a pipeline for
 * good nor overflows hs_error.retry_after_s. */
#define RETRY_AFTER_LIMIT_S 86400

static int64_t parse_retry_after(const char *v, int64_t date_ms)
{
    int64_t secs;
    time_t when;

    if (*v >= '0' && *v <= '9') {
        /* Digits beyond int64 saturate, and then are capped like any long wait. */
        if (hs_num_parse(v, NULL, &secs) < 0)
            return 0;
        return hs_num_clamp(secs, 0, RETRY_AFTER_LIMIT_S);
    }
    /* An HTTP date is the server's wall clock: it is compared with the server's Date of the
     * same response, and only without one with this machine's clock. */
    when = curl_getdate(v, NULL);
    if (when == (time_t)-1 || when < 0)
        return 0;
    secs = hs_num_sub_sat((int64_t)when, date_ms > 0 ? date_ms / 1000 : (int64_t)time(NULL));
    return hs_num_clamp(secs, 0, RETRY_AFTER_LIMIT_S);
}

static int header_is(const char *line, size_t len, const char *name)
{
    size_t n = strlen(name);
    return len > n && strncasecmp(line, name, n) == 0;
}

static size_t on_header(char *line, size_t size, size_t nitems, void *userdata)
{
    attempt *a = userdata;
    size_t len = size * nitems;
    char value[512];

    /* A new status line (after a 1xx, say) starts a new set of headers. */
    if (header_is(line, len, "HTTP/")) {
        a->retry_after_s = 0;
        a->retry_after[0] = '\0';
        a->date_ms = 0;
        a->www_authenticate[0] = '\0';
        a->location[0] = '\0';
    } else if (header_is(line, len, "Retry-After:")) {
        header_value(line, len, strlen("Retry-After:"), a->retry_after,
                     sizeof a->retry_after);
    } else if (header_is(line, len, "Date:")) {
        time_t when;
        header_value(line, len, strlen("Date:"), value, sizeof value);
        when = curl_getdate(value, NULL);
        /* Years 1970-9999 only: anything else is no time at all. */
        a->date_ms = when > 0 && (int64_t)when < 253402300800LL ? (int64_t)when * 1000 : 0;
    } else if (header_is(line, len, "WWW-Authenticate:")) {
        /* Only the scheme: parameters (realm, error_description) are not needed. */
        header_value(line, len, strlen("WWW-Authenticate:"), value, sizeof value);
        value[strcspn(value, " \t,")] = '\0';
        value[sizeof a->www_authenticate - 1] = '\0';
        memcpy(a->www_authenticate, value, strlen(value) + 1);
    } else if (header_is(line, len, "Location:")) {
        header_value(line, len, strlen("Location:"), a->location, sizeof a->location);
    }
    return len;
}

static void attempt_reset(attempt *a, size_t max)
{
    free(a->body);
    memset(a, 0, sizeof *a);
    a->max = max;
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
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, a);
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

static int status_retryable(long status)
{
    return status == 408 || status == 429 || (status >= 500 && status < 600);
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

/* Waits until min_gap_ms has passed since the previous start. Non-zero when cancelled. */
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

/* What every response tells, whatever its status: the server's time (kept, and reported to
 * the host, which measures the skew from it) and how long it asks us to wait. */
static void note_response(hs_http *http, attempt *a)
{
    const hs_host_api *api = http->cfg.api;

    a->retry_after_s = a->retry_after[0] ? parse_retry_after(a->retry_after, a->date_ms) : 0;
    if (a->date_ms <= 0)
        return;
    http->date_ms = a->date_ms;
    http->date_host_ms = api->now_ms(http->cfg.host);
    if (HS_HAS_FIELD(hs_host_api, api->struct_size, remote_time) && api->remote_time != NULL)
        api->remote_time(http->cfg.host, a->date_ms);
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

hs_status hs_http_perform(hs_http *http, const hs_http_request *request,
                          hs_http_response *response, hs_error *err)
{
    const hs_host_api *api;
    struct curl_slist *headers = NULL;
    attempt a;
    char where[300];
    hs_status st = HS_E_INTERNAL;
    int failed = 0;

    memset(&a, 0, sizeof a);
    if (response != NULL)
        memset(response, 0, sizeof *response);
    if (http == NULL || request == NULL || response == NULL || request->url == NULL ||
        request->method == NULL)
        return hs_error_set(err, HS_E_INTERNAL, 0, "http: invalid request");
    api = http->cfg.api;
    http->quota_said = 0;
    (void)hs_url_describe(request->url, where, sizeof where);
    headers = build_headers(request, &failed);
    if (failed)
        return hs_error_set(err, HS_E_INTERNAL, 0, "%s: %s %s: out of memory", http->log_name,
                            request->method, where);

    for (int n = 1;; n++) {
        CURLcode rc;
        long status = 0;
        int64_t delay;
        char why[96];

        if (api->cancelled != NULL && api->cancelled(http->cfg.host)) {
            st = hs_error_set(err, HS_E_CANCELLED, 0, "%s: %s %s: cancelled", http->log_name,
                              request->method, where);
            goto out;
        }
        if (http->cfg.on_attempt != NULL &&
            (st = http->cfg.on_attempt(http->cfg.on_attempt_ctx, err)) != HS_OK)
            goto out;
        if (pace(http) != 0) {
            st = hs_error_set(err, HS_E_CANCELLED, 0, "%s: %s %s: cancelled", http->log_name,
                              request->method, where);
            goto out;
        }
        attempt_reset(&a, http->cfg.max_body);
        if (setup(http, request, headers, &a) != CURLE_OK) {
            st = hs_error_set(err, HS_E_INTERNAL, 0, "%s: %s %s: cannot set up the request",
                              http->log_name, request->method, where);
            goto out;
        }
        http->requests++;
        rc = curl_easy_perform(http->curl);
        if (rc == CURLE_OK) {
            (void)curl_easy_getinfo(http->curl, CURLINFO_RESPONSE_CODE, &status);
            note_response(http, &a);
        }

        if (a.too_big) {
            st = hs_error_set(err, HS_E_INTERNAL, 0,
                              "%s: %s %s: response larger than %zu bytes", http->log_name,
                              request->method, where, http->cfg.max_body);
            goto out;
        }
        if (rc == CURLE_COULDNT_RESOLVE_HOST) {
            st = hs_error_set(err, HS_E_CONFIG, 0,
                              "%s: %s %s: cannot resolve the host name: check the address "
                              "(subdomain or base URL) and DNS", http->log_name,
                              request->method, where);
            goto out;
        }
        if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) {
            st = hs_error_set(err, HS_E_CONFIG, 0,
                              "%s: %s %s: the server's TLS certificate is not trusted (%s)",
                              http->log_name, request->method, where, curl_easy_strerror(rc));
            goto out;
        }
        if (rc != CURLE_OK && !transport_retryable(rc)) {
            st = hs_error_set(err, HS_E_INTERNAL, 0, "%s: %s %s: %s", http->log_name,
                              request->method, where, curl_easy_strerror(rc));
            goto out;
        }
        if (rc == CURLE_OK && !status_retryable(status)) {
            api->log(http->cfg.host, HS_LOG_DEBUG, "%s: %s %s: HTTP %ld (%zu bytes, attempt %d)",
                     http->log_name, request->method, where, status, a.len, n);
            response->status = status;
            response->body = a.body;
            response->body_len = a.len;
            response->retry_after_s = a.retry_after_s;
            memcpy(response->www_authenticate, a.www_authenticate, sizeof a.www_authenticate);
            memcpy(response->location, a.location, sizeof a.location);
            response->attempts = n;
            a.body = NULL;
            st = HS_OK;
            goto out;
        }

        /* Retryable: a transport failure or 408/429/5xx. */
        if (rc != CURLE_OK)
            (void)snprintf(why, sizeof why, "%s", curl_easy_strerror(rc));
        else
            (void)snprintf(why, sizeof why, "HTTP %ld", status);
        if (rc != CURLE_OK && rc != CURLE_COULDNT_CONNECT && request->once) {
            st = hs_error_set(err, HS_RETRY, 0,
                              "%s: %s %s: %s; not repeated now because the server may have "
                              "acted on it", http->log_name, request->method, where, why);
            goto out;
        }
        if (rc == CURLE_OK && status == 429 && quota_body(http, &a)) {
            http->quota_said = 1;
            st = hs_error_set(err, HS_RETRY, (int)status,
                              "%s: %s %s: HTTP 429, the call limit is exceeded", http->log_name,
                              request->method, where);
            if (err != NULL)
                err->retry_after_s = (int32_t)a.retry_after_s;
            goto out;
        }
        if (a.retry_after_s > http->cfg.retry_after_max_s) {
            st = hs_error_set(err, HS_RETRY, (int)status,
                              "%s: %s %s: %s, server asks to wait %lld s", http->log_name,
                              request->method, where, why, (long long)a.retry_after_s);
            if (err != NULL)
                err->retry_after_s = (int32_t)a.retry_after_s;
            goto out;
        }
        if (n >= http->cfg.max_attempts) {
            st = hs_error_set(err, HS_RETRY, (int)status, "%s: %s %s: %s after %d attempts",
                              http->log_name, request->method, where, why, n);
            if (err != NULL)
                err->retry_after_s = (int32_t)a.retry_after_s;
            goto out;
        }
        delay = a.retry_after_s > 0 ? a.retry_after_s * 1000 : backoff_ms(http, n);
        api->log(http->cfg.host, HS_LOG_WARN, "%s: %s %s: %s (attempt %d of %d), retrying in %lld ms",
                 http->log_name, request->method, where, why, n, http->cfg.max_attempts,
                 (long long)delay);
        if (api->sleep_ms(http->cfg.host, delay) != 0) {
            st = hs_error_set(err, HS_E_CANCELLED, 0, "%s: %s %s: cancelled", http->log_name,
                              request->method, where);
            goto out;
        }
    }
out:
    free(a.body);
    curl_slist_free_all(headers);
    return st;
}
