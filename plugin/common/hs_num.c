/*
 * Checked and saturating int64 arithmetic on the compiler's overflow builtins (GCC and clang),
 * and strict decimal parsing that never relies on strtoll's errno.
 */
#include <math.h>
#include <stddef.h>

#include "hs_num.h"

int64_t hs_num_clamp(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

int64_t hs_num_add_sat(int64_t a, int64_t b)
{
    int64_t r;

    if (!__builtin_add_overflow(a, b, &r))
        return r;
    return b > 0 ? INT64_MAX : INT64_MIN;
}

int64_t hs_num_sub_sat(int64_t a, int64_t b)
{
    int64_t r;

    if (!__builtin_sub_overflow(a, b, &r))
        return r;
    return b < 0 ? INT64_MAX : INT64_MIN;
}

int64_t hs_num_mul_sat(int64_t a, int64_t b)
{
    int64_t r;

    if (!__builtin_mul_overflow(a, b, &r))
        return r;
    return (a < 0) != (b < 0) ? INT64_MIN : INT64_MAX;
}

int hs_num_mul_add(int64_t a, int64_t b, int64_t c, int64_t *out)
{
    int64_t p, r;

    if (__builtin_mul_overflow(a, b, &p) || __builtin_add_overflow(p, c, &r))
        return -1;
    *out = r;
    return 0;
}

int hs_num_parse(const char *s, const char **end, int64_t *out)
{
    const char *p = s;
    int neg = 0, over = 0;
    int64_t v = 0;

    if (s == NULL || out == NULL)
        return -1;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (*p < '0' || *p > '9')
        return -1;
    /* Accumulated negatively, so that INT64_MIN itself is reachable. */
    for (; *p >= '0' && *p <= '9'; p++) {
        if (!over && (__builtin_mul_overflow(v, 10, &v) ||
                      __builtin_sub_overflow(v, *p - '0', &v)))
            over = 1;
    }
    if (end != NULL)
        *end = p;
    else if (*p != '\0')
        return -1;
    if (!over && !neg && v == INT64_MIN)
        over = 1;
    if (over) {
        *out = neg ? INT64_MIN : INT64_MAX;
        return 1;
    }
    *out = neg ? v : -v;
    return 0;
}

int hs_num_parse_in(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    int64_t v;

    if (hs_num_parse(s, NULL, &v) != 0 || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int hs_num_from_double(double d, int64_t lo, int64_t hi, int64_t *out)
{
    /* 2^63 exactly: every finite double below it converts to int64 without overflow. */
    const double limit = 9223372036854775808.0;

    if (!isfinite(d) || d != floor(d) || d >= limit || d < -limit)
        return -1;
    if ((int64_t)d < lo || (int64_t)d > hi)
        return -1;
    *out = (int64_t)d;
    return 0;
}
