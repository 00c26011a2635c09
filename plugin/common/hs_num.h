/*
 * Arithmetic on numbers that come from outside (remote answers, headers, stored state): a
 * remote number may be anything an int64 or a double can hold, and signed overflow is
 * undefined behaviour, so such a number is parsed strictly, range-checked, and combined
 * only through these checked or saturating operations.
 *
 * Pure functions: no allocation, no state.
 */
#ifndef HS_NUM_H
#define HS_NUM_H

#include <stdint.h>

/* v limited to [lo, hi] (lo <= hi). */
int64_t hs_num_clamp(int64_t v, int64_t lo, int64_t hi);

/* a + b, a - b and a * b, saturated at INT64_MIN / INT64_MAX instead of overflowing. */
int64_t hs_num_add_sat(int64_t a, int64_t b);
int64_t hs_num_sub_sat(int64_t a, int64_t b);
int64_t hs_num_mul_sat(int64_t a, int64_t b);

/* a * b + c into *out; returns 0, or -1 (and *out untouched) when any step overflows. */
int hs_num_mul_add(int64_t a, int64_t b, int64_t c, int64_t *out);

/* A decimal integer: an optional sign and at least one digit, nothing else (no blanks).
 * With end NULL the whole string must be the number; otherwise *end is set to the first
 * character after the digits. Returns 0 with *out the value; 1 when the digits are well
 * formed but beyond int64 (*out saturated at INT64_MAX or INT64_MIN); -1 when s holds no
 * number (*out untouched). */
int hs_num_parse(const char *s, const char **end, int64_t *out);

/* The whole string s as a decimal integer within [lo, hi]: 0 and *out, or -1. */
int hs_num_parse_in(const char *s, int64_t lo, int64_t hi, int64_t *out);

/* d as an integer when it is finite, whole and within [lo, hi]: 0 and *out, or -1 (NaN,
 * infinities, fractions and 1e300 included). */
int hs_num_from_double(double d, int64_t lo, int64_t hi, int64_t *out);

#endif /* HS_NUM_H */
