/* Clock and the date formats Eploy and Willo responses use. */
#include "sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <time.h>

/* Read by every server thread (the Date header) and set by the admin one without the
 * world's lock, hence atomic. */
static _Atomic int64_t clock_offset_ms;

void hs_sb_set_clock_offset(int64_t offset_ms)
{
    clock_offset_ms = offset_ms;
}

int64_t hs_sb_clock_offset(void)
{
    return clock_offset_ms;
}

int64_t hs_sb_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + clock_offset_ms;
}

/* Run-time changes (moves, patches, invites) must sort after everything before them, even if
 * the wall clock steps back, because the date indexes are append-only; and two changes never
 * share a millisecond, so a "GreaterThan the last one seen" read never skips one.
 * Caller holds the lock. */
int64_t hs_sb_stamp_ms(void)
{
    int64_t now = hs_sb_now_ms();
    if (now <= hs_sb_w.last_stamp_ms)
        now = hs_sb_w.last_stamp_ms + 1;
    hs_sb_w.last_stamp_ms = now;
    return now;
}

char *hs_sb_format_date(int64_t ms, int style, char *buf, size_t size)
{
    int offset_s = style == HS_SB_DATE_OFFSET ? 3600 : 0;
    time_t secs = (time_t)(ms / 1000) + offset_s;
    int frac = (int)(ms % 1000);
    struct tm tm;
    char base[32];
    gmtime_r(&secs, &tm);
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    switch (style) {
    case HS_SB_DATE_NAIVE:
        snprintf(buf, size, "%s.%03d", base, frac);
        break;
    case HS_SB_DATE_OFFSET:
        snprintf(buf, size, "%s.%03d+01:00", base, frac);
        break;
    case HS_SB_DATE_SECONDS:
        snprintf(buf, size, "%sZ", base);
        break;
    default:
        snprintf(buf, size, "%s.%03dZ", base, frac);
        break;
    }
    return buf;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* days since 1970-01-01 for a civil date (proleptic Gregorian) */
static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* YYYY-MM-DD[THH:MM:SS[.fff…]][Z|±hh:mm]; no zone means UTC. */
int hs_sb_parse_date(const char *s, int64_t *ms)
{
    int y, mo, d, h = 0, mi = 0, se = 0, frac = 0, sign = 0, oh = 0, om = 0;
    if (strlen(s) < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
        s[7] != '-' || digits(s + 8, 2, &d))
        return -1;
    const char *p = s + 10;
    if (*p == 'T' || *p == ' ') {
        if (digits(p + 1, 2, &h) || p[3] != ':' || digits(p + 4, 2, &mi) || p[6] != ':' ||
            digits(p + 7, 2, &se))
            return -1;
        p += 9;
        if (*p == '.') {
            int scale = 100;
            p++;
            if (*p < '0' || *p > '9')
                return -1;
            for (; *p >= '0' && *p <= '9'; p++) {
                frac += (*p - '0') * scale;
                scale /= 10;
            }
        }
    }
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p == '+' ? 1 : -1;
        if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om))
            return -1;
        p += 6;
    }
    if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return -1;
    int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    secs -= sign * (oh * 3600 + om * 60);
    *ms = secs * 1000 + frac;
    return 0;
}
