/*
 * Eploy's daily API quota is shared by every key of a tenant, so hiresync keeps to a budget of
 * its own. Calls (every attempt, token requests included) are counted per UTC day of Eploy's
 * clock (its last Date; this machine's clock only before the first response), because Eploy
 * resets its package at its own midnight, whatever the skew. The count
 * lives in the host's store ("calls" = "YYYY-MM-DD N") and travels in the cursor too, so that a
 * lost store does not reset it; the larger count of the same day wins.
 *
 * Eploy's own daily quota (its "API Package") is another matter: once a 429 says it is used up
 * (a Retry-After beyond an hour, or a body saying the call limit is exceeded) no call of this
 * connection is made until the stated time, capped at the next UTC midnight by the server's
 * Date plus a margin. The stop ("quota_stop" = "<until host ms> <set host ms> <until server
 * ms>") is kept in shared memory, so the other pipelines of the process on this connection
 * stop without calling, and in the durable store, so the next process does not call either.
 * The host's clock measures the wait (both ends are on it); the server's gives the time shown.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eploy.h"
#include "hs_errors.h"
#include "hs_num.h"
#include "hs_time.h"

#define STORE_NAME "calls"
#define DAY_MS 86400000LL
/* The largest daily count believed from the store or a cursor: far above any API package,
 * and far from overflow when counted on or compared with the budget. */
#define USED_MAX 1000000000000LL

static void day_of(int64_t ms, char day[11])
{
    char buf[HS_TIME_BUF];

    if (hs_time_format(ms, buf, sizeof buf) != 0)
        buf[0] = '\0';
    memcpy(day, buf, 10);
    day[10] = '\0';
}

static int64_t server_now(hs_conn *conn)
{
    return hs_http_server_now(conn->http, conn->api->now_ms(conn->host));
}

static void load(hs_conn *conn)
{
    char buf[64], day[11];
    int64_t used = 0;

    conn->quota_loaded = 1;
    if (conn->api->store_get(conn->host, STORE_NAME, buf, sizeof buf) != HS_OK)
        return;
    /* "YYYY-MM-DD N" */
    if (strlen(buf) < 12 || buf[10] != ' ' || hs_num_parse(buf + 11, NULL, &used) < 0)
        return;
    memcpy(day, buf, 10);
    day[10] = '\0';
    hs_eploy_quota_merge(conn, day, used);
}

static void save(hs_conn *conn)
{
    char buf[64];

    (void)snprintf(buf, sizeof buf, "%s %" PRId64, conn->quota_day, conn->quota_used);
    /* Bookkeeping only: a failed put costs accuracy, not correctness. */
    (void)conn->api->store_put(conn->host, STORE_NAME, buf);
}

void hs_eploy_quota_merge(hs_conn *conn, const char *day, int64_t used)
{
    if (day == NULL || strlen(day) != 10 || used < 0)
        return;
    used = hs_num_clamp(used, 0, USED_MAX);
    if (strcmp(day, conn->quota_day) > 0) {
        memcpy(conn->quota_day, day, 11);
        conn->quota_used = used;
    } else if (strcmp(day, conn->quota_day) == 0 && used > conn->quota_used) {
        conn->quota_used = used;
    }
}

int64_t hs_eploy_quota_today(hs_conn *conn, char day[11])
{
    if (!conn->quota_loaded)
        load(conn);
    /* Before this process has seen Eploy's clock, the day counted last (by Eploy's clock, in
     * the store) stands: the host's own day may be another one, and would reset the count. */
    if (hs_http_server_time(conn->http, NULL) <= 0 && conn->quota_day[0] != '\0') {
        memcpy(day, conn->quota_day, 11);
        return conn->quota_used;
    }
    day_of(server_now(conn), day);
    if (strcmp(day, conn->quota_day) != 0) {
        memcpy(conn->quota_day, day, 11);
        conn->quota_used = 0;
    }
    return conn->quota_used;
}

static hs_status stop_check(hs_conn *conn, hs_error *err);

hs_status hs_eploy_quota_on_attempt(void *ctx, hs_error *err)
{
    hs_conn *conn = ctx;
    char day[11];
    int64_t used;

    if (stop_check(conn, err) != HS_OK)
        return HS_RETRY;
    used = hs_eploy_quota_today(conn, day);

    if (conn->cfg.daily_call_budget > 0 && used >= conn->cfg.daily_call_budget) {
        int64_t now = server_now(conn);
        hs_error_set(err, HS_RETRY, 0,
                     "eploy: the daily call budget (daily_call_budget = %" PRId64 ") is spent "
                     "for %s; calls resume after 00:00 UTC", conn->cfg.daily_call_budget, day);
        if (err != NULL)
            err->retry_after_s = (int32_t)((DAY_MS - now % DAY_MS) / 1000 + 1);
        return HS_RETRY;
    }
    conn->quota_used = hs_num_clamp(used + 1, 0, USED_MAX);
    save(conn);
    return HS_OK;
}

#define STOP_NAME "quota_stop"
#define STOP_MARGIN_MS (5LL * 60 * 1000)
#define LONG_WAIT_S 3600

static int stop_get(hs_conn *conn, const char *from_shared, int64_t v[3])
{
    char buf[128];
    const char *p = buf;
    int64_t a, b, c;
    hs_status st = from_shared != NULL
                       ? (HS_HAS_FIELD(hs_host_api, conn->api->struct_size, shared_get) &&
                                  conn->api->shared_get != NULL
                              ? conn->api->shared_get(conn->host, STOP_NAME, buf, sizeof buf)
                              : HS_E_DATA)
                       : conn->api->store_get(conn->host, STOP_NAME, buf, sizeof buf);

    /* "<until host ms> <set host ms> <until server ms>", each positive */
    if (st != HS_OK || hs_num_parse(p, &p, &a) != 0 || *p++ != ' ' ||
        hs_num_parse(p, &p, &b) != 0 || *p++ != ' ' || hs_num_parse(p, NULL, &c) != 0 ||
        a <= 0 || b <= 0 || c <= 0 || a < b || a - b > 2 * DAY_MS)
        return -1;
    v[0] = a;
    v[1] = b;
    v[2] = c;
    return 0;
}

static void stop_put(hs_conn *conn, const char *value)
{
    if (HS_HAS_FIELD(hs_host_api, conn->api->struct_size, shared_put) &&
        conn->api->shared_put != NULL)
        (void)conn->api->shared_put(conn->host, STOP_NAME, value);
    (void)conn->api->store_put(conn->host, STOP_NAME, value);
}

static void iso_seconds(int64_t ms, char *out, size_t size)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;

    if (gmtime_r(&secs, &tm) == NULL || strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        (void)snprintf(out, size, "(unknown)");
}

static hs_status stopped(hs_error *err, int64_t left_ms, int64_t until_server_ms)
{
    char when[32];

    iso_seconds(until_server_ms, when, sizeof when);
    hs_error_set(err, HS_RETRY, 429,
                 "Eploy's daily API quota is used up (HTTP 429); next try at %s", when);
    if (err != NULL)
        err->retry_after_s = (int32_t)((left_ms + 999) / 1000);
    return HS_RETRY;
}

/* HS_RETRY while a quota stop holds; HS_OK otherwise (an expired stop is removed). */
static hs_status stop_check(hs_conn *conn, hs_error *err)
{
    int64_t v[3], now = conn->api->now_ms(conn->host), left;
    char value[96];

    if (stop_get(conn, "shared", v) != 0 && stop_get(conn, NULL, v) != 0)
        return HS_OK;
    /* Wherever it was said (another pipeline of this process, or this pipeline's previous
     * process), both keep it: this pipeline's store for its next process, the shared memory
     * for the other pipelines of this one. */
    (void)snprintf(value, sizeof value, "%lld %lld %lld", (long long)v[0], (long long)v[1],
                   (long long)v[2]);
    left = v[0] - now;
    if (now < v[1])
        left = v[0] - v[1];   /* the clock went back: never wait longer than was asked */
    if (left <= 0) {
        stop_put(conn, NULL);
        return HS_OK;
    }
    stop_put(conn, value);
    return stopped(err, left, v[2]);
}

hs_status hs_eploy_quota_refused(hs_conn *conn, hs_status st, hs_error *err)
{
    int64_t now = conn->api->now_ms(conn->host);
    int64_t server = hs_http_server_time(conn->http, NULL);
    int64_t ra = err != NULL ? err->retry_after_s : 0, until, cap, v[3];
    char value[96], when[32];

    if (st != HS_RETRY || err == NULL || err->http_status != 429 ||
        (ra <= LONG_WAIT_S && !hs_http_quota_exceeded(conn->http)) ||
        stop_get(conn, "shared", v) == 0)
        return st;     /* not the quota, or the stop already said so */
    if (server <= 0)
        server = now;    /* no Date: the cap is this machine's idea of midnight */
    cap = (server / DAY_MS + 1) * DAY_MS + STOP_MARGIN_MS;
    if (ra <= 0 || hs_num_mul_add(ra, 1000, server, &until) != 0 || until > cap)
        until = cap;
    (void)snprintf(value, sizeof value, "%lld %lld %lld", (long long)(now + (until - server)),
                   (long long)now, (long long)until);
    stop_put(conn, value);
    iso_seconds(until, when, sizeof when);
    conn->api->log(conn->host, HS_LOG_WARN,
                   "eploy: Eploy's daily API quota is used up (HTTP 429): no call on this "
                   "connection until %s", when);
    return stopped(err, until - server, until);
}
