/*
 * ISO-8601 parsing and formatting without the C library's local-time machinery, so that
 * neither TZ nor setlocale can change what a remote date means.
 */
#include <stdio.h>
#include <string.h>

#include "hs_time.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Reads exactly n digits; returns -1 when one is missing. */
static int digits(const char **p, int n)
{
    int v = 0;

    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    return v;
}

/* Writes v (0 <= v < 10^n) as exactly n digits. */
static void put_digits(char *out, int n, int v)
{
    for (int i = n - 1; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

static int days_in_month(int64_t y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : dm[m - 1];
}

/* Parses the zone suffix: "", "Z", "+hh:mm", "+hhmm", "+hh". */
static int parse_zone(const char *p, int default_offset_min, int *offset_min)
{
    int sign, hh, mm = 0;

    if (*p == '\0') {
        *offset_min = default_offset_min;
        return 0;
    }
    if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0') {
        *offset_min = 0;
        return 0;
    }
    if (*p != '+' && *p != '-')
        return -1;
    sign = *p == '-' ? -1 : 1;
    p++;
    if ((hh = digits(&p, 2)) < 0 || hh > 23)
        return -1;
    if (*p == ':')
        p++;
    if (*p != '\0' && ((mm = digits(&p, 2)) < 0 || mm > 59))
        return -1;
    if (*p != '\0')
        return -1;
    *offset_min = sign * (hh * 60 + mm);
    return 0;
}

int hs_time_parse(const char *s, int default_offset_min, int64_t *out_ms)
{
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0, off;

    if (s == NULL || out_ms == NULL)
        return -1;
    while (*p == ' ')
        p++;
    if ((y = digits(&p, 4)) < 0 || *p++ != '-' || (mo = digits(&p, 2)) < 1 || mo > 12 ||
        *p++ != '-' || (d = digits(&p, 2)) < 1 || d > days_in_month(y, mo))
        return -1;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if ((h = digits(&p, 2)) < 0 || h > 23 || *p++ != ':' || (mi = digits(&p, 2)) < 0 ||
            mi > 59)
            return -1;
        if (*p == ':') {
            p++;
            /* 60 admits a leap second; it lands on the next minute. */
            if ((sec = digits(&p, 2)) < 0 || sec > 60)
                return -1;
            if (*p == '.' || *p == ',') {
                int scale = 100, n = 0;
                p++;
                while (*p >= '0' && *p <= '9') {
                    ms += (*p - '0') * scale;
                    scale /= 10;
                    p++;
                    n++;
                }
                if (n == 0)
                    return -1;
            }
        }
    }
    /* Trailing blanks are tolerated only where no zone follows them. */
    {
        char zone[16];
        size_t n = strlen(p);
        while (n > 0 && p[n - 1] == ' ')
            n--;
        if (n >= sizeof zone)
            return -1;
        memcpy(zone, p, n);
        zone[n] = '\0';
        if (parse_zone(zone, default_offset_min, &off) != 0)
            return -1;
    }
    *out_ms = ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) -
               (int64_t)off * 60) * 1000 + ms;
    return 0;
}

int hs_time_format(int64_t ms, char *out, size_t out_size)
{
    int64_t secs, days, y;
    int mo, d, rem, frac;

    /* Years 0000..9999 only, so the output is always 24 characters. */
    if (out == NULL || out_size < 25 || ms < -62167219200000LL || ms > 253402300799999LL)
        return -1;
    secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    frac = (int)(ms - secs * 1000);
    days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    rem = (int)(secs - days * 86400);
    civil_from_days(days, &y, &mo, &d);
    /* Written digit by digit: every record read formats its date, and snprintf's format
     * parsing cost more than the rest of the record's own handling. */
    put_digits(out, 4, (int)y);
    out[4] = '-';
    put_digits(out + 5, 2, mo);
    out[7] = '-';
    put_digits(out + 8, 2, d);
    out[10] = 'T';
    put_digits(out + 11, 2, rem / 3600);
    out[13] = ':';
    put_digits(out + 14, 2, rem / 60 % 60);
    out[16] = ':';
    put_digits(out + 17, 2, rem % 60);
    out[19] = '.';
    put_digits(out + 20, 3, frac);
    out[23] = 'Z';
    out[24] = '\0';
    return 0;
}
