/*
 * Whether stage entries are read from Eploy's status history or, while Eploy refuses it, from
 * applications modified since the last read (each at its current stage, so a candidate who
 * passes through a stage between two reads is missed).
 *
 * Eploy refuses the history in two ways: the key may not read it (HTTP 403), or the tenant's
 * Eploy version does not offer applications/statushistory/search at all (404, 405 or 501:
 * the endpoint's existence on every version is not documented). Either way the product goes
 * on with the fallback rather than failing every cycle, and says what it costs once per
 * process (the shared memory keeps sibling pipelines on the same connection quiet).
 *
 * The refusal is kept in the host's durable store ("history_off" = "<status> <server ms>
 * <host ms>"), so that the next process does not ask again at once; the endpoint is asked
 * again once a day has passed, measured on the server's clock (its Date header, plus the
 * host's time since that response) when both ends have one, else on the host's. A clock that went back probes at once: a probe costs one
 * call, and its answer records a new time. When the history answers, the record goes.
 */
#include <stdio.h>
#include <string.h>

#include "eploy.h"
#include "hs_errors.h"
#include "hs_time.h"

#define STORE_NAME "history_off"
#define SAID_NAME "history_said"
#define PROBE_AFTER_MS 86400000LL

static int refusal_status(long status)
{
    return status == 403 || status == 404 || status == 405 || status == 501;
}

static void load(hs_conn *conn)
{
    char buf[96];
    long status;
    long long server, host;

    if (conn->history_loaded)
        return;
    conn->history_loaded = 1;
    if (conn->api->store_get(conn->host, STORE_NAME, buf, sizeof buf) != HS_OK)
        return;
    if (sscanf(buf, "%ld %lld %lld", &status, &server, &host) != 3 || !refusal_status(status) ||
        server < 0 || host <= 0)
        return;     /* unreadable: the history is simply asked again */
    conn->history_off = status;
    conn->history_off_server_ms = server;
    conn->history_off_host_ms = host;
}

static int shared_ok(const hs_conn *conn)
{
    return HS_HAS_FIELD(hs_host_api, conn->api->struct_size, shared_put) &&
           conn->api->shared_get != NULL && conn->api->shared_put != NULL;
}

/* When the endpoint is asked again, by the server's clock when the refusal had one. */
static void next_try(const hs_conn *conn, char *buf, size_t size)
{
    int by_server = conn->history_off_server_ms > 0;
    int64_t at = (by_server ? conn->history_off_server_ms : conn->history_off_host_ms) +
                 PROBE_AFTER_MS;

    if (hs_time_format(at, buf, size) != 0)
        (void)snprintf(buf, size, "(unknown)");
}

void hs_eploy_history_describe(long http_status, char *buf, size_t size)
{
    if (http_status == 403)
        (void)snprintf(buf, size, "the API key may not read " HS_EPLOY_HISTORY_PATH " (HTTP "
                       "403); reading modified applications instead: a candidate who passes "
                       "through a trigger stage between two cycles is missed; grant \"%s\" "
                       "with status history (%s); the status history is tried again once a day",
                       HS_EPLOY_PERM_APPLICATIONS, HS_EPLOY_WHERE);
    else
        (void)snprintf(buf, size, "the Eploy tenant does not offer " HS_EPLOY_HISTORY_PATH
                       " (HTTP %ld); reading modified applications instead: a candidate who "
                       "passes through a trigger stage between two cycles is missed; the status "
                       "history is tried again once a day", http_status);
}

/* The server's present: its last Date plus the host's time since that response (a short
 * interval, so a wrong host clock hardly matters); 0 when no response had a Date. */
static int64_t server_now(const hs_conn *conn)
{
    int64_t at = 0, now = conn->api->now_ms(conn->host);
    int64_t server = hs_http_server_time(conn->http, &at);

    if (server <= 0)
        return 0;
    return now > at && now - at < PROBE_AFTER_MS ? server + (now - at) : server;
}

int hs_eploy_history_due(hs_conn *conn)
{
    int64_t server = server_now(conn), elapsed;
    char when[HS_TIME_BUF];

    load(conn);
    if (conn->history_off == 0)
        return 1;
    if (server > 0 && conn->history_off_server_ms > 0)
        elapsed = server - conn->history_off_server_ms;
    else
        elapsed = conn->api->now_ms(conn->host) - conn->history_off_host_ms;
    if (elapsed >= 0 && elapsed < PROBE_AFTER_MS)
        return 0;
    if (hs_time_format(conn->history_off_server_ms > 0 ? conn->history_off_server_ms
                                                       : conn->history_off_host_ms,
                       when, sizeof when) != 0)
        (void)snprintf(when, sizeof when, "(unknown)");
    conn->api->log(conn->host, HS_LOG_INFO, "eploy: asking " HS_EPLOY_HISTORY_PATH " again (it "
                   "answered HTTP %ld at %s)", conn->history_off, when);
    return 1;
}

long hs_eploy_history_refusal(hs_status st, const hs_error *err)
{
    if (err == NULL || st == HS_OK || st == HS_E_CANCELLED || !refusal_status(err->http_status))
        return 0;
    /* 403 and 404 as eploy_call classifies them, 405 as "unexpected", 501 after its
     * retries; a token failure is HS_E_CONFIG and never counts. */
    switch (err->http_status) {
    case 403:
        return st == HS_E_PERMISSION ? 403 : 0;
    case 404:
        return st == HS_E_DATA ? 404 : 0;
    case 405:
        return st == HS_E_INTERNAL ? 405 : 0;
    default:
        return st == HS_RETRY ? 501 : 0;
    }
}

void hs_eploy_history_fallback(hs_conn *conn)
{
    char said[16], buf[16], msg[HS_ERROR_LOCAL_SIZE], when[HS_TIME_BUF];

    load(conn);
    if (conn->history_off == 0 || conn->history_said == conn->history_off)
        return;
    conn->history_said = conn->history_off;
    (void)snprintf(said, sizeof said, "%ld", conn->history_off);
    if (shared_ok(conn) &&
        conn->api->shared_get(conn->host, SAID_NAME, buf, sizeof buf) == HS_OK &&
        strcmp(buf, said) == 0)
        return;     /* another pipeline of this process on this connection said it */
    if (shared_ok(conn))
        (void)conn->api->shared_put(conn->host, SAID_NAME, said);
    hs_eploy_history_describe(conn->history_off, msg, sizeof msg);
    next_try(conn, when, sizeof when);
    conn->api->log(conn->host, HS_LOG_WARN, "eploy: %s (next try after %s)", msg, when);
}

void hs_eploy_history_refused(hs_conn *conn, long http_status)
{
    char value[96];

    load(conn);
    conn->history_off = http_status;
    conn->history_off_server_ms = hs_http_server_time(conn->http, NULL);
    conn->history_off_host_ms = conn->api->now_ms(conn->host);
    if (conn->history_off_server_ms < 0)
        conn->history_off_server_ms = 0;
    (void)snprintf(value, sizeof value, "%ld %lld %lld", http_status,
                   (long long)conn->history_off_server_ms, (long long)conn->history_off_host_ms);
    /* A failed put costs a probe per process, not a read. */
    (void)conn->api->store_put(conn->host, STORE_NAME, value);
    if (conn->history_said == http_status) {
        char when[HS_TIME_BUF];
        next_try(conn, when, sizeof when);
        conn->api->log(conn->host, HS_LOG_INFO, "eploy: " HS_EPLOY_HISTORY_PATH " still "
                       "answers HTTP %ld; next try after %s", http_status, when);
        return;
    }
    hs_eploy_history_fallback(conn);
}

void hs_eploy_history_answered(hs_conn *conn)
{
    load(conn);
    if (conn->history_off == 0)
        return;
    conn->api->log(conn->host, HS_LOG_INFO, "eploy: " HS_EPLOY_HISTORY_PATH " answers again "
                   "(it answered HTTP %ld before): stage entries are read from the status "
                   "history again", conn->history_off);
    conn->history_off = 0;
    conn->history_off_server_ms = 0;
    conn->history_off_host_ms = 0;
    conn->history_said = 0;
    (void)conn->api->store_put(conn->host, STORE_NAME, NULL);
    if (shared_ok(conn))
        (void)conn->api->shared_put(conn->host, SAID_NAME, NULL);
}
