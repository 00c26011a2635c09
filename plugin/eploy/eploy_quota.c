/*
 * Eploy's daily API quota is shared by every key of a tenant, so hiresync keeps to a budget of
 * its own. Calls (every attempt, token requests included) are counted per UTC day. The count
 * lives in the host's store ("calls" = "YYYY-MM-DD N") and travels in the cursor too, so that a
 * lost store does not reset it; the larger count of the same day wins.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "eploy.h"
#include "hs_errors.h"
#include "hs_time.h"

#define STORE_NAME "calls"
#define DAY_MS 86400000LL

static void day_of(int64_t ms, char day[11])
{
    char buf[HS_TIME_BUF];

    if (hs_time_format(ms, buf, sizeof buf) != 0)
        buf[0] = '\0';
    memcpy(day, buf, 10);
    day[10] = '\0';
}

static void load(hs_conn *conn)
{
    char buf[64], day[11];
    long long used = 0;

    conn->quota_loaded = 1;
    if (conn->api->store_get(conn->host, STORE_NAME, buf, sizeof buf) != HS_OK)
        return;
    if (sscanf(buf, "%10s %lld", day, &used) == 2 && used >= 0)
        hs_eploy_quota_merge(conn, day, (int64_t)used);
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
    day_of(conn->api->now_ms(conn->host), day);
    if (strcmp(day, conn->quota_day) != 0) {
        memcpy(conn->quota_day, day, 11);
        conn->quota_used = 0;
    }
    return conn->quota_used;
}

hs_status hs_eploy_quota_on_attempt(void *ctx, hs_error *err)
{
    hs_conn *conn = ctx;
    char day[11];
    int64_t used = hs_eploy_quota_today(conn, day);

    if (conn->cfg.daily_call_budget > 0 && used >= conn->cfg.daily_call_budget) {
        int64_t now = conn->api->now_ms(conn->host);
        hs_error_set(err, HS_RETRY, 0,
                     "eploy: the daily call budget (daily_call_budget = %" PRId64 ") is spent "
                     "for %s; calls resume after 00:00 UTC", conn->cfg.daily_call_budget, day);
        if (err != NULL)
            err->retry_after_s = (int32_t)((DAY_MS - now % DAY_MS) / 1000 + 1);
        return HS_RETRY;
    }
    conn->quota_used = used + 1;
    save(conn);
    return HS_OK;
}
