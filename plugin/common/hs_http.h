/*
 * HTTP for connectors: one libcurl easy handle per connection (keep-alive), timeouts,
 * retries with exponential back-off and jitter, Retry-After, a response size limit, a
 * minimum gap between requests, and classified errors.
 *
 * Ownership: hs_http_new() allocates; hs_http_free() frees (NULL is fine). An hs_http is used
 * by one thread at a time (it belongs to one hs_conn). hs_http_response bodies are allocated by
 * hs_http_perform() and freed by hs_http_response_clear().
 *
 * The process calls curl_global_init() once, on its main thread, before any hs_http exists:
 * the hiresync program does so in main() before it loads a module or starts a worker, and
 * the test host (tests/support) before its first connection. libcurl's implicit global
 * set-up is not thread-safe, so a connector must not rely on it (nor call
 * curl_global_cleanup()).
 *
 * Secrets: request headers and bodies may carry credentials; they are never logged and never
 * copied into an hs_error. Redirects are never followed (a 3xx is returned to the caller).
 */
#ifndef HS_HTTP_H
#define HS_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <hiresync/connector.h>

typedef struct hs_http hs_http;

/* Called before every attempt (first tries and retries). Returning anything but HS_OK stops
 * the request with that status; hs_error is then filled by the callback. Used for the Eploy
 * daily call budget. */
typedef hs_status (*hs_http_attempt_fn)(void *ctx, hs_error *err);

typedef struct hs_http_config {
    const hs_host_api *api;       /* borrowed; must outlive the hs_http */
    hs_host *host;                /* borrowed; must outlive the hs_http */
    const char *log_name;         /* e.g. "eploy"; copied */
    long connect_timeout_ms;      /* default 10000 when 0 */
    long timeout_ms;              /* whole request; default 30000 when 0 */
    int max_attempts;             /* total attempts for retryable failures; default 4 when 0 */
    int64_t backoff_base_ms;      /* first back-off; doubles each attempt; default 500 when 0 */
    int64_t backoff_max_ms;       /* cap of one back-off; default 30000 when 0 */
    int64_t retry_after_max_s;    /* cap on a Retry-After we honour inside one call; a larger
                                     value ends the call with HS_RETRY carrying retry_after_s;
                                     default 120 when 0 */
    size_t max_body;              /* response size limit in bytes; default 16 MiB when 0 */
    int64_t min_gap_ms;           /* minimum gap between the starts of two requests (every
                                     attempt), on the host's clock; 0 none. The only pacer:
                                     a connector does not pace on its own */
    const char *quota_marker;     /* optional, static: a 429 whose body holds this text (any
                                     case) says a quota is used up; it ends the call at once
                                     with HS_RETRY (see hs_http_quota_exceeded) */
    hs_http_attempt_fn on_attempt;/* optional */
    void *on_attempt_ctx;
} hs_http_config;

typedef struct hs_http_request {
    const char *method;           /* "GET", "POST", ... */
    const char *url;              /* absolute; http:// only to loopback (hs_url_check_base) */
    const char *const *headers;   /* "Name: value" lines, may hold secrets; NULL-terminated or
                                     n_headers long */
    size_t n_headers;
    const char *body;             /* NULL for none */
    size_t body_len;
    const char *content_type;     /* for the body, e.g. "application/json" */
    int once;                     /* a create without an idempotency key: sent again only
                                     when the server certainly did not act on it (no
                                     connection was made, or it answered 408 or 429). Any
                                     other failure (timeout, reset, short read, 5xx) returns
                                     HS_RETRY at once, err->http_status set for an answer, so
                                     that the caller can look before it writes again. It goes
                                     on a new connection, which libcurl does not re-send on. */
} hs_http_request;

typedef struct hs_http_response {
    long status;                  /* final HTTP status */
    char *body;                   /* NUL-terminated, owned; NULL when empty */
    size_t body_len;
    int64_t retry_after_s;        /* Retry-After of the final response as libcurl reads it
                                     (seconds, or an HTTP date measured from the response's
                                     own Date), at most a day; 0 if none */
    char www_authenticate[64];    /* first token of WWW-Authenticate, "" if none */
    char location[512];           /* Location header of a 3xx, "" if none */
    int attempts;                 /* attempts made */
} hs_http_response;

hs_http *hs_http_new(const hs_http_config *config);
void hs_http_free(hs_http *http);

/*
 * Performs the request. Connection failures, timeouts, resets, short reads, 408, 429 and 5xx
 * answers are retried up to
 * max_attempts with back-off (Retry-After honoured, capped), stopping early when cancelled
 * (request.once narrows this). A request on a reused connection that the server had closed is
 * re-sent by libcurl itself and does not count as an attempt.
 * Returns:
 *   HS_OK           a response arrived with any status that is not retried (2xx, 3xx, 4xx
 *                   other than 408/429); the caller classifies it (see hs_http_status_class)
 *   HS_RETRY        retries exhausted or Retry-After beyond the cap; err has http_status and
 *                   retry_after_s
 *   HS_E_CANCELLED  the host asked to stop
 *   HS_E_CONFIG     the host name does not resolve, or its TLS certificate is not trusted
 *                   (not retried: a person must fix the address)
 *   HS_E_INTERNAL   body over max_body (announced by Content-Length, or counted as it
 *                   arrives), or a local failure (allocation, curl setup)
 *   (any status)    whatever on_attempt returned
 * err's message names the method, scheme, host and path, never the query string.
 * On every non-OK return the response holds nothing to free. A truncated body (the server
 * closed early) counts as a transport failure and is retried.
 */
hs_status hs_http_perform(hs_http *http, const hs_http_request *request,
                          hs_http_response *response, hs_error *err);

void hs_http_response_clear(hs_http_response *response);

/* Requests started on this handle since hs_http_new (every attempt counts). */
uint64_t hs_http_request_count(const hs_http *http);

/* The server's own time (its Date header, ms since the epoch) of the last response on this
 * handle, whatever its status; 0 when no response carried a readable Date. *host_ms (when not
 * NULL) gets the host's clock at that response. Every such Date is
 * also reported to the host through remote_time (ABI 1.1). */
int64_t hs_http_server_time(const hs_http *http, int64_t *host_ms);

/* The server's time now, in ms since the epoch: its last Date plus the host's clock elapsed
 * since that response (never less than the Date, should the host's clock go back); host_now_ms
 * itself before any response carried a Date. */
int64_t hs_http_server_now(const hs_http *http, int64_t host_now_ms);

/* 1 when the last hs_http_perform ended on a 429 whose body held cfg.quota_marker. */
int hs_http_quota_exceeded(const hs_http *http);

/* Maps a final non-2xx status to a status code: 401 -> HS_E_CONFIG, 403 -> HS_E_PERMISSION,
 * 400/404/409/422 -> HS_E_DATA, 408/429/5xx -> HS_RETRY, others -> HS_E_INTERNAL. */
hs_status hs_http_status_class(long status);

#endif /* HS_HTTP_H */
