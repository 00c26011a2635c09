/* The small core the parts of a cycle share: logging, time, errors, the state body (see
 * cycle_core.h). */
#define _DEFAULT_SOURCE

#include "cycle_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <time.h>

void hs_cycle_logf(const cycle *c, hs_log_level level, const char *fmt, ...)
{
    va_list ap;
    if (c->p->log == NULL)
        return;
    va_start(ap, fmt);
    hs_log_vwrite(c->p->log, level, c->p->pipeline->name, fmt, ap);
    va_end(ap);
}

void hs_cycle_event(const cycle *c, hs_log_level level, const char *event,
                    const hs_log_num *nums, size_t n_nums, const char *fmt, ...)
{
    va_list ap;
    hs_log_ctx ctx = {c->p->pipeline->name, NULL, event, nums, n_nums, NULL, 0};
    if (c->p->log == NULL)
        return;
    va_start(ap, fmt);
    hs_log_vevent(c->p->log, level, &ctx, fmt, ap);
    va_end(ap);
}

/* n digits at s as a number; -1 when one is not a digit. */
static int fixed_digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int month_days(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 ? 28 + ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) : dm[m - 1];
}

/* The form every connector writes ("YYYY-MM-DDTHH:MM:SS.fffZ", hs_time_format's), read
 * without sscanf and timegm, which cost more than the rest of a record's handling; -2 when s
 * is not in that form exactly (the general parser then reads it). */
static int64_t parse_canonical(const char *s)
{
    int y = fixed_digits(s, 4), mo, d, h, mi, sec, ms;
    int64_t yy, era, yoe, doy, days;
    if (y < 1970 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
        s[19] != '.' || s[23] != 'Z' || s[24] != '\0')
        return -2;
    mo = fixed_digits(s + 5, 2);
    d = fixed_digits(s + 8, 2);
    h = fixed_digits(s + 11, 2);
    mi = fixed_digits(s + 14, 2);
    sec = fixed_digits(s + 17, 2);
    ms = fixed_digits(s + 20, 3);
    /* Fields timegm would carry over (day 31 of a short month, second 60), and years before
     * 1970 (where timegm's -1 is also an error), take the general path, so both read every
     * string alike. */
    if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 ||
        sec < 0 || sec > 59 || ms < 0)
        return -2;
    /* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
    yy = y - (mo <= 2);
    era = yy / 400;
    yoe = yy - era * 400;
    doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
    return ((days * 86400 + h * 3600 + mi * 60 + sec) * 1000) + ms;
}

/* Parses "YYYY-MM-DDTHH:MM:SS[.fff][Z|+hh:mm]" into ms; -1 when it cannot. */
int64_t hs_cycle_parse_time(const char *s)
{
    struct tm tm;
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    int64_t ms = 0;
    time_t t;
    if (s != NULL && strlen(s) == 24 && (ms = parse_canonical(s)) != -2)
        return ms;
    ms = 0;
    if (s == NULL || sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
        return -1;
    s += n;
    if (*s == 'T' || *s == ' ') {
        if (sscanf(s + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &n) != 3)
            return -1;
        s += 1 + n;
        if (*s == '.') {
            int digits = 0;
            for (s++; *s >= '0' && *s <= '9'; s++, digits++)
                if (digits < 3)
                    ms = ms * 10 + (*s - '0');
            for (; digits < 3; digits++)
                ms *= 10;
        }
    }
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    t = timegm(&tm);
    if (t == (time_t)-1)
        return -1;
    ms += (int64_t)t * 1000;
    if ((*s == '+' || *s == '-') && strlen(s) >= 3) {
        int oh = 0, om = 0;
        if (sscanf(s + 1, "%2d:%2d", &oh, &om) < 1 && sscanf(s + 1, "%2d%2d", &oh, &om) < 1)
            return ms;
        ms -= (*s == '+' ? 1 : -1) * ((int64_t)oh * 3600 + om * 60) * 1000;
    }
    return ms;
}

void hs_cycle_format_time(int64_t ms, char *out, size_t size)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A new state record stamped with the time it was made ("at"), which retention goes by. */
json_object *hs_cycle_new_record(const cycle *c)
{
    char when[40];
    json_object *e = json_object_new_object();
    if (e == NULL)
        return NULL;
    hs_cycle_format_time(now_ms(c->p), when, sizeof when);
    put_str(e, "at", when);
    return e;
}

void hs_cycle_bounded(char *dst, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, size, fmt, ap);
    va_end(ap);
}

void hs_cycle_set_error(cycle *c, hs_status status, const char *side, const char *msg)
{
    size_t n = strlen(side);
    if (c->r->status != HS_OK)
        return; /* the first error is the one to fix */
    c->r->status = status;
    if (status != HS_E_CANCELLED)
        c->r->counts.errors++;
    msg = s_or(msg, "failed");
    if (strncmp(msg, side, n) == 0 && msg[n] == ':')
        /* already names the connection */
        hs_cycle_bounded(c->r->error, sizeof c->r->error, "%s", msg);
    else
        hs_cycle_bounded(c->r->error, sizeof c->r->error, "%s: %s", side, msg);
}

/* set_error from a connector's error, keeping the delay the remote system asked for. */
void hs_cycle_set_error_from(cycle *c, hs_status status, const char *side, const hs_error *e)
{
    if (c->r->status == HS_OK)
        c->r->retry_after_s = e->retry_after_s > 0 ? e->retry_after_s : 0;
    hs_cycle_set_error(c, status, side, e->message);
}

/* Notes that body[name][key] changed outside the journal: hs_cycle_finish() makes it durable with
 * the end of the cycle (a journal record, or the snapshot). */
void hs_cycle_touch(cycle *c, const char *name, const char *key)
{
    json_object *pair = json_object_new_array();
    if (pair != NULL && (json_object_array_add(pair, json_object_new_string(name)) ||
                         json_object_array_add(pair, json_object_new_string(key)) ||
                         json_object_array_add(c->dirty, pair)))
        json_object_put(pair);
}

/* Removes body[name][key], durably with the end of the cycle. */
void hs_cycle_forget(cycle *c, const char *name, const char *key)
{
    json_object *sec;
    if (!json_object_object_get_ex(c->body, name, &sec) ||
        !json_object_is_type(sec, json_type_object))
        return;
    hs_cycle_touch(c, name, key); /* copies key, which may live in the entry removed below */
    json_object_object_del(sec, key);
}

hs_status hs_cycle_write_note(cycle *c, const hs_note *note, hs_host_result *res)
{
    hs_status st;
    hs_host_error_init(&c->err);
    hs_host_result_init(res);
    hs_crash_point("cycle: before write_note");
    st = c->p->ats.table->write_note(c->p->ats.conn, note, &res->r, &c->err.e);
    hs_crash_point("cycle: after write_note");
    c->err_side = c->p->ats.name;
    return st;
}
