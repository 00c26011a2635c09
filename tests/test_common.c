/*
 * Unit tests of plugin/common: time parsing, JSON bounds, checked arithmetic on remote
 * numbers, URL checks, error formatting and the HTTP status classes. HTTP retries are exercised against the sandbox by the connector
 * tests.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "hs_errors.h"
#include "hs_test_host.h"
#include "hs_http.h"
#include "hs_json.h"
#include "hs_num.h"
#include "hs_time.h"
#include "hs_url.h"

/* 2024-05-01T12:34:56Z */
#define T0 1714566896000LL

START_TEST(time_variants)
{
    static const struct { const char *s; int64_t ms; } ok[] = {
        {"2024-05-01T12:34:56Z", T0},
        {"2024-05-01T12:34:56.789Z", T0 + 789},
        {"2024-05-01T12:34:56.7Z", T0 + 700},
        {"2024-05-01T12:34:56.123456Z", T0 + 123},
        {"2024-05-01T12:34:56", T0},
        {"2024-05-01 12:34:56", T0},
        {"2024-05-01T12:34", T0 - 56000},
        {"2024-05-01T13:34:56+01:00", T0},
        {"2024-05-01T13:34:56+0100", T0},
        {"2024-05-01T11:34:56-01:00", T0},
        {"2024-05-01T13:34:56.000+01", T0},
        {"2024-05-01", T0 - (12 * 3600 + 34 * 60 + 56) * 1000LL},
        {"1970-01-01T00:00:00Z", 0},
        {"2024-02-29T00:00:00Z", 1709164800000LL},
    };
    static const char *const bad[] = {
        "", "2024", "2024-13-01", "2024-02-30T00:00:00Z", "2023-02-29", "2024-05-01T25:00:00Z",
        "2024-05-01T12:34:56X", "2024-05-01T12:34:56.Z", "2024-05-01T12:34:56+25:00",
        "yesterday", "2024-05-01T12:34:56Z trailing",
    };
    int64_t ms = 0;

    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        ck_assert_msg(hs_time_parse(ok[i].s, 0, &ms) == 0, "rejected %s", ok[i].s);
        ck_assert_msg(ms == ok[i].ms, "%s -> %lld, want %lld", ok[i].s, (long long)ms,
                      (long long)ok[i].ms);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(hs_time_parse(bad[i], 0, &ms) != 0, "accepted %s", bad[i]);
    ck_assert_int_ne(hs_time_parse(NULL, 0, &ms), 0);
}
END_TEST

START_TEST(time_default_offset)
{
    int64_t ms = 0;

    /* A zone-less time is local time at the given offset (here UTC+1, UK summer). */
    ck_assert_int_eq(hs_time_parse("2024-05-01T13:34:56", 60, &ms), 0);
    ck_assert_int_eq(ms, T0);
    /* An explicit zone wins over the default. */
    ck_assert_int_eq(hs_time_parse("2024-05-01T12:34:56Z", 60, &ms), 0);
    ck_assert_int_eq(ms, T0);
}
END_TEST

START_TEST(time_format_roundtrip)
{
    char buf[HS_TIME_BUF];
    int64_t ms = 0;

    ck_assert_int_eq(hs_time_format(T0 + 5, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "2024-05-01T12:34:56.005Z");
    ck_assert_int_eq(hs_time_parse(buf, 0, &ms), 0);
    ck_assert_int_eq(ms, T0 + 5);
    ck_assert_int_eq(hs_time_format(0, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "1970-01-01T00:00:00.000Z");
    ck_assert_int_eq(hs_time_format(-1, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "1969-12-31T23:59:59.999Z");
    ck_assert_int_ne(hs_time_format(T0, buf, 24), 0);
    ck_assert_int_ne(hs_time_format(INT64_MAX, buf, sizeof buf), 0);
}
END_TEST

START_TEST(json_depth_limit)
{
    HS_TEST_ERROR(err);
    size_t depth = HS_JSON_MAX_DEPTH + 10;
    char *deep = malloc(2 * depth + 1);
    json_object *obj;

    ck_assert_ptr_nonnull(deep);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    deep[2 * depth] = '\0';
    obj = hs_json_parse(deep, 2 * depth, "deep", &err);
    ck_assert_ptr_null(obj);
    ck_assert_msg(strstr(err.message, "deep") != NULL, "%s", err.message);

    /* Just inside the limit parses. */
    depth = HS_JSON_MAX_DEPTH - 1;
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    obj = hs_json_parse(deep, 2 * depth, "ok", &err);
    ck_assert_ptr_nonnull(obj);
    json_object_put(obj);
    free(deep);
}
END_TEST

START_TEST(json_exact_length)
{
    HS_TEST_ERROR(err);
    const char *text = "{\"a\":1}{\"b\":2}";
    json_object *obj;

    /* Only the first len bytes count: the rest of the buffer is not read. */
    obj = hs_json_parse(text, 7, "first", &err);
    ck_assert_ptr_nonnull(obj);
    json_object_put(obj);
    /* Two documents are refused. */
    ck_assert_ptr_null(hs_json_parse(text, strlen(text), "two", &err));
    /* A document cut short is refused (as a truncated body would be). */
    ck_assert_ptr_null(hs_json_parse(text, 5, "cut", &err));
    ck_assert_msg(strstr(err.message, "cut: malformed JSON") != NULL, "%s", err.message);
    ck_assert_ptr_null(hs_json_parse("", 0, "empty", &err));
    obj = hs_json_parse("{\"a\":1}  \r\n", 11, "ws", &err);
    ck_assert_ptr_nonnull(obj);
    json_object_put(obj);
}
END_TEST

START_TEST(json_tolerant_getters)
{
    HS_TEST_ERROR(err);
    const char *text = "{\"Id\":\"42\",\"N\":7,\"D\":3.0,\"F\":2.5,\"Nul\":null,\"B\":true,"
                       "\"W\":{\"Stage\":{\"Id\":7,\"Description\":\"Video Interview\"},"
                       "\"Status\":null}}";
    json_object *o = hs_json_parse(text, strlen(text), "t", &err);
    int64_t v = 0;

    ck_assert_ptr_nonnull(o);
    ck_assert_str_eq(hs_json_str(o, "Id"), "42");
    ck_assert_str_eq(hs_json_str(o, "N"), "7");
    ck_assert_str_eq(hs_json_str(o, "W.Stage.Id"), "7");
    ck_assert_str_eq(hs_json_str(o, "W.Stage.Description"), "Video Interview");
    ck_assert_ptr_null(hs_json_str(o, "W.Status.Id"));
    ck_assert_ptr_null(hs_json_str(o, "Nul"));
    ck_assert_ptr_null(hs_json_str(o, "B"));
    ck_assert_ptr_null(hs_json_str(o, "Missing.X"));
    ck_assert_ptr_null(hs_json_get(o, "Id.X"));
    ck_assert_int_eq(hs_json_int(o, "Id", &v), 0);
    ck_assert_int_eq(v, 42);
    ck_assert_int_eq(hs_json_int(o, "N", &v), 0);
    ck_assert_int_eq(v, 7);
    ck_assert_int_eq(hs_json_int(o, "D", &v), 0);
    ck_assert_int_eq(v, 3);
    ck_assert_int_ne(hs_json_int(o, "F", &v), 0);
    ck_assert_int_ne(hs_json_int(o, "W.Stage.Description", &v), 0);
    ck_assert_int_ne(hs_json_int(o, "Nul", &v), 0);
    {
        char *s = hs_json_dup_string(hs_json_get(o, "W.Stage"));
        ck_assert_ptr_nonnull(s);
        ck_assert_str_eq(s, "{\"Id\":7,\"Description\":\"Video Interview\"}");
        free(s);
    }
    json_object_put(o);
}
END_TEST

START_TEST(time_extremes_stay_in_range)
{
    static const char *const bad[] = {
        "99999-01-01T00:00:00Z", "+99999-01-01", "-0001-01-01", "2024-05-01T12:34:56+99:99",
        "2024-05-01T12:34:56+24:00", "2024-05-01T12:34:56-23:60", "2024-05-01T12:34:61Z",
        "2024-05-01T12:34:56+0000000000000000001", "9223372036854775807-01-01",
        "2024-05-01T12:34:56.99999999999999999999999999999+99",
    };
    char buf[HS_TIME_BUF];
    int64_t ms = 0;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(hs_time_parse(bad[i], 0, &ms) != 0, "accepted %s", bad[i]);
    /* The far ends of what parses: years 0000 and 9999 pushed a day out by the offsets, and a
     * default offset beyond any zone; each is a number that formats or is refused cleanly. */
    ck_assert_int_eq(hs_time_parse("0000-01-01T00:00:00+23:59", 0, &ms), 0);
    ck_assert_int_eq(ms, -62167219200000LL - 1439LL * 60000);
    ck_assert_int_ne(hs_time_format(ms, buf, sizeof buf), 0);
    ck_assert_int_eq(hs_time_parse("9999-12-31T23:59:60.999999-23:59", 0, &ms), 0);
    ck_assert_int_eq(ms, 253402300800999LL + 1439LL * 60000);
    ck_assert_int_ne(hs_time_format(ms, buf, sizeof buf), 0);
    ck_assert_int_eq(hs_time_parse("9999-12-31T23:59:59.999", -840, &ms), 0);
    ck_assert_int_eq(hs_time_parse("2024-05-01T12:34:56.123456789012345678901234567890Z", 0, &ms),
                     0);
    ck_assert_int_eq(ms, T0 + 123);
    ck_assert_int_eq(hs_time_parse("2024-05-01T12:34:56", 2000000000, &ms), 0);
    ck_assert_int_eq(ms, T0 - 2000000000LL * 60000);
    ck_assert_int_ne(hs_time_format(INT64_MIN, buf, sizeof buf), 0);
    ck_assert_int_eq(hs_time_format(253402300799999LL, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "9999-12-31T23:59:59.999Z");
    ck_assert_int_eq(hs_time_format(-62167219200000LL, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "0000-01-01T00:00:00.000Z");
}
END_TEST

START_TEST(num_saturating_and_checked)
{
    int64_t v = 7;

    ck_assert_int_eq(hs_num_clamp(INT64_MAX, 1, 86400), 86400);
    ck_assert_int_eq(hs_num_clamp(INT64_MIN, 1, 86400), 1);
    ck_assert_int_eq(hs_num_clamp(600, 1, 86400), 600);
    ck_assert_int_eq(hs_num_add_sat(INT64_MAX, 1), INT64_MAX);
    ck_assert_int_eq(hs_num_add_sat(INT64_MIN, -1), INT64_MIN);
    ck_assert_int_eq(hs_num_add_sat(-5, 3), -2);
    ck_assert_int_eq(hs_num_sub_sat(0, INT64_MIN), INT64_MAX);
    ck_assert_int_eq(hs_num_sub_sat(-2, INT64_MAX), INT64_MIN);
    ck_assert_int_eq(hs_num_sub_sat(10, 3), 7);
    ck_assert_int_eq(hs_num_mul_sat(INT64_MAX, 1000), INT64_MAX);
    ck_assert_int_eq(hs_num_mul_sat(INT64_MAX, -1000), INT64_MIN);
    ck_assert_int_eq(hs_num_mul_sat(INT64_MIN, -1), INT64_MAX);
    ck_assert_int_eq(hs_num_mul_sat(-4, 5), -20);
    /* The expires_in of a token answer Eploy could send: INT64_MAX s * 1000 + now. */
    ck_assert_int_eq(hs_num_mul_add(INT64_MAX, 1000, 1798761600000LL, &v), -1);
    ck_assert_int_eq(v, 7);
    ck_assert_int_eq(hs_num_mul_add(INT64_MAX / 1000, 1000, INT64_MAX, &v), -1);
    ck_assert_int_eq(v, 7);
    ck_assert_int_eq(hs_num_mul_add(3599, 1000, 1798761600000LL, &v), 0);
    ck_assert_int_eq(v, 1798765199000LL);
    ck_assert_int_eq(hs_num_mul_add(-1, INT64_MAX, -1, &v), 0);
    ck_assert_int_eq(v, INT64_MIN);
}
END_TEST

START_TEST(num_parse_strict)
{
    const char *end = NULL;
    int64_t v = 7;

    ck_assert_int_eq(hs_num_parse("9223372036854775807", NULL, &v), 0);
    ck_assert_int_eq(v, INT64_MAX);
    ck_assert_int_eq(hs_num_parse("-9223372036854775808", NULL, &v), 0);
    ck_assert_int_eq(v, INT64_MIN);
    ck_assert_int_eq(hs_num_parse("9223372036854775808", NULL, &v), 1);
    ck_assert_int_eq(v, INT64_MAX);
    ck_assert_int_eq(hs_num_parse("-9223372036854775809", NULL, &v), 1);
    ck_assert_int_eq(v, INT64_MIN);
    ck_assert_int_eq(hs_num_parse("99999999999999999999999999999999999999", NULL, &v), 1);
    ck_assert_int_eq(v, INT64_MAX);
    ck_assert_int_eq(hs_num_parse("+42", NULL, &v), 0);
    ck_assert_int_eq(v, 42);
    v = 7;
    ck_assert_int_eq(hs_num_parse("", NULL, &v), -1);
    ck_assert_int_eq(hs_num_parse("-", NULL, &v), -1);
    ck_assert_int_eq(hs_num_parse(" 1", NULL, &v), -1);
    ck_assert_int_eq(hs_num_parse("1 ", NULL, &v), -1);
    ck_assert_int_eq(hs_num_parse("0x10", NULL, &v), -1);
    ck_assert_int_eq(hs_num_parse("1e3", NULL, &v), -1);
    ck_assert_int_eq(hs_num_parse(NULL, NULL, &v), -1);
    ck_assert_int_eq(v, 7);
    ck_assert_int_eq(hs_num_parse("1798761600000 tok", &end, &v), 0);
    ck_assert_int_eq(v, 1798761600000LL);
    ck_assert_str_eq(end, " tok");
    ck_assert_int_eq(hs_num_parse_in("86400", 0, 86400, &v), 0);
    ck_assert_int_eq(v, 86400);
    ck_assert_int_ne(hs_num_parse_in("86401", 0, 86400, &v), 0);
    ck_assert_int_ne(hs_num_parse_in("-1", 0, 86400, &v), 0);
    ck_assert_int_ne(hs_num_parse_in("99999999999999999999", 0, INT64_MAX, &v), 0);
    ck_assert_int_eq(v, 86400);
}
END_TEST

START_TEST(num_from_double)
{
    int64_t v = 7;

    ck_assert_int_ne(hs_num_from_double(NAN, INT64_MIN, INT64_MAX, &v), 0);
    ck_assert_int_ne(hs_num_from_double(INFINITY, INT64_MIN, INT64_MAX, &v), 0);
    ck_assert_int_ne(hs_num_from_double(-INFINITY, INT64_MIN, INT64_MAX, &v), 0);
    ck_assert_int_ne(hs_num_from_double(1e300, INT64_MIN, INT64_MAX, &v), 0);
    ck_assert_int_ne(hs_num_from_double(-1e300, INT64_MIN, INT64_MAX, &v), 0);
    ck_assert_int_ne(hs_num_from_double(9223372036854775808.0, INT64_MIN, INT64_MAX, &v), 0);
    ck_assert_int_ne(hs_num_from_double(2.5, INT64_MIN, INT64_MAX, &v), 0);
    ck_assert_int_ne(hs_num_from_double(600.0, 601, 700, &v), 0);
    ck_assert_int_eq(v, 7);
    ck_assert_int_eq(hs_num_from_double(-9223372036854775808.0, INT64_MIN, INT64_MAX, &v), 0);
    ck_assert_int_eq(v, INT64_MIN);
    ck_assert_int_eq(hs_num_from_double(9223372036854774784.0, INT64_MIN, INT64_MAX, &v), 0);
    ck_assert_int_eq(v, 9223372036854774784LL);
    ck_assert_int_eq(hs_num_from_double(3600.0, 1, 86400, &v), 0);
    ck_assert_int_eq(v, 3600);
}
END_TEST

START_TEST(json_int_hostile_numbers)
{
    HS_TEST_ERROR(err);
    /* json-c reads NaN and Infinity outside strict mode, as servers may write them. */
    const char *text = "{\"max\":9223372036854775807,\"min\":-9223372036854775808,"
                       "\"u64\":18446744073709551615,\"big\":1e300,\"nbig\":-1e300,"
                       "\"nan\":NaN,\"inf\":Infinity,\"ninf\":-Infinity,\"two63\":9.3e18,"
                       "\"s_over\":\"99999999999999999999\",\"s_under\":\"-99999999999999999999\","
                       "\"s_ok\":\" 3599 \",\"s_half\":\"3599x\",\"s_max\":\"9223372036854775807\"}";
    json_object *o = hs_json_parse(text, strlen(text), "t", &err);
    int64_t v = 7;

    ck_assert_msg(o != NULL, "%s", err.message);
    ck_assert_int_eq(hs_json_int(o, "max", &v), 0);
    ck_assert_int_eq(v, INT64_MAX);
    ck_assert_int_eq(hs_json_int(o, "min", &v), 0);
    ck_assert_int_eq(v, INT64_MIN);
    ck_assert_int_eq(hs_json_int(o, "u64", &v), 0);
    ck_assert_int_eq(v, INT64_MAX);
    ck_assert_int_eq(hs_json_int(o, "s_max", &v), 0);
    ck_assert_int_eq(v, INT64_MAX);
    ck_assert_int_eq(hs_json_int(o, "s_ok", &v), 0);
    ck_assert_int_eq(v, 3599);
    v = 7;
    ck_assert_int_ne(hs_json_int(o, "big", &v), 0);
    ck_assert_int_ne(hs_json_int(o, "nbig", &v), 0);
    ck_assert_int_ne(hs_json_int(o, "nan", &v), 0);
    ck_assert_int_ne(hs_json_int(o, "inf", &v), 0);
    ck_assert_int_ne(hs_json_int(o, "ninf", &v), 0);
    ck_assert_int_ne(hs_json_int(o, "two63", &v), 0);
    ck_assert_int_ne(hs_json_int(o, "s_over", &v), 0);
    ck_assert_int_ne(hs_json_int(o, "s_under", &v), 0);
    ck_assert_int_ne(hs_json_int(o, "s_half", &v), 0);
    ck_assert_int_eq(v, 7);
    ck_assert_int_eq(hs_json_int_in(o, "s_ok", 1, 86400, &v), 0);
    ck_assert_int_eq(v, 3599);
    ck_assert_int_ne(hs_json_int_in(o, "max", 1, 86400, &v), 0);
    ck_assert_int_ne(hs_json_int_in(o, "min", 1, 86400, &v), 0);
    ck_assert_int_ne(hs_json_int_in(o, "nan", 1, 86400, &v), 0);
    ck_assert_int_ne(hs_json_int_in(o, "missing", 1, 86400, &v), 0);
    ck_assert_int_eq(v, 3599);
    json_object_put(o);
}
END_TEST

START_TEST(url_base_checks)
{
    HS_TEST_ERROR(err);

    ck_assert_int_eq(hs_url_check_base("https://acme.eploy.net/api", "base_url", &err), HS_OK);
    ck_assert_int_eq(hs_url_check_base("http://127.0.0.1:8080/api", "base_url", &err), HS_OK);
    ck_assert_int_eq(hs_url_check_base("http://127.5.6.7/api", "base_url", &err), HS_OK);
    ck_assert_int_eq(hs_url_check_base("http://localhost:1/x", "base_url", &err), HS_OK);
    ck_assert_int_eq(hs_url_check_base("http://[::1]:9/api", "base_url", &err), HS_OK);
    ck_assert_int_eq(hs_url_check_base("http://acme.eploy.net/api", "base_url", &err),
                     HS_E_CONFIG);
    ck_assert_msg(strstr(err.message, "base_url") != NULL, "%s", err.message);
    ck_assert_int_eq(hs_url_check_base("http://128.0.0.1/api", "base_url", &err), HS_E_CONFIG);
    /* Host names that "%u" would wrap into 127.x.y.z: curl keeps them as names to resolve. */
    ck_assert_int_eq(hs_url_check_base("http://4294967423.0.0.1/api", "base_url", &err),
                     HS_E_CONFIG);
    ck_assert_int_eq(hs_url_check_base("http://127.0.0.4294967297/api", "base_url", &err),
                     HS_E_CONFIG);
    ck_assert_int_eq(hs_url_check_base("http://127.0.0.256/api", "base_url", &err),
                     HS_E_CONFIG);
    ck_assert_int_eq(hs_url_check_base("http://127.0.0.1.evil.com/", "base_url", &err),
                     HS_E_CONFIG);
    ck_assert_int_eq(hs_url_check_base("ftp://localhost/", "base_url", &err), HS_E_CONFIG);
    ck_assert_int_eq(hs_url_check_base("acme.eploy.net", "base_url", &err), HS_E_CONFIG);
    ck_assert_int_eq(hs_url_check_base("", "base_url", &err), HS_E_CONFIG);
}
END_TEST

START_TEST(url_origin)
{
    ck_assert_int_eq(hs_url_same_origin("https://a.example/x?p=1", "https://A.example:443/y"), 1);
    ck_assert_int_eq(hs_url_same_origin("http://127.0.0.1:80/", "http://127.0.0.1/z"), 1);
    ck_assert_int_eq(hs_url_same_origin("https://a.example/", "http://a.example/"), 0);
    ck_assert_int_eq(hs_url_same_origin("https://a.example/", "https://b.example/"), 0);
    ck_assert_int_eq(hs_url_same_origin("https://a.example/", "https://a.example:8443/"), 0);
    ck_assert_int_eq(hs_url_same_origin("not a url", "not a url"), 0);
}
END_TEST

START_TEST(url_escape_and_describe)
{
    char buf[64];

    ck_assert_int_eq(hs_url_escape("a b&c=d/é", buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "a%20b%26c%3Dd%2F%C3%A9");
    ck_assert_int_ne(hs_url_escape("abcdef", buf, 4), 0);
    ck_assert_int_eq(hs_url_describe("https://u:pw@h.example:8443/api/x?token=SECRET#f", buf,
                                      sizeof buf), 0);
    ck_assert_str_eq(buf, "https://h.example:8443/api/x");
    ck_assert_int_eq(hs_url_describe("http://127.0.0.1/api/token", buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "http://127.0.0.1/api/token");
}
END_TEST

START_TEST(error_formatting)
{
    HS_TEST_ERROR(err);
    char long_text[2 * HS_TEST_MESSAGE_SIZE];

    ck_assert_int_eq(hs_error_set(&err, HS_E_DATA, 400, "bad %s:\nline\ttwo", "thing"),
                     HS_E_DATA);
    ck_assert_str_eq(err.message, "bad thing: line two");
    ck_assert_int_eq(err.http_status, 400);
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    ck_assert_int_eq(hs_error_set(&err, HS_RETRY, 0, "%s", long_text), HS_RETRY);
    ck_assert_uint_eq(strlen(err.message), HS_TEST_MESSAGE_SIZE - 1);
    ck_assert_int_eq(hs_error_set(NULL, HS_E_CONFIG, 0, "ignored"), HS_E_CONFIG);
    ck_assert_str_eq(hs_status_name(HS_E_PERMISSION), "permission");
    ck_assert_str_eq(hs_status_name(HS_RETRY), "retry");
}
END_TEST

/* The message goes into the caller's buffer, whatever its size: cut, terminated, nothing
 * written past it (the guard bytes, and AddressSanitizer, see an overrun). */
START_TEST(error_within_callers_buffer)
{
    static const size_t sizes[] = {1, 2, 16, 17};
    hs_error err;

    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char *buf = hs_test_guarded_new(sizes[i]);
        ck_assert_ptr_nonnull(buf);
        hs_test_error_init(&err, buf, sizes[i]);
        ck_assert_int_eq(hs_error_set(&err, HS_E_DATA, 404, "a message of %d bytes, longer "
                                      "than the buffer", 48), HS_E_DATA);
        ck_assert_msg(hs_test_guarded_ok(buf, sizes[i]), "size %zu overrun", sizes[i]);
        ck_assert_uint_eq(strlen(buf), sizes[i] - 1);
        ck_assert_int_eq(strncmp(buf, "a message of 48 bytes, longer than the buffer", sizes[i] - 1), 0);
        ck_assert_int_eq(err.http_status, 404);
        hs_test_guarded_free(buf, sizes[i]);
    }
    /* No buffer (or a struct too short to say its size): the status fields only. */
    hs_test_error_init(&err, NULL, 0);
    ck_assert_int_eq(hs_error_set(&err, HS_RETRY, 503, "nowhere to go"), HS_RETRY);
    ck_assert_int_eq(err.http_status, 503);
    char one[8] = "unset";
    hs_test_error_init(&err, one, sizeof one);
    strcpy(one, "unset");
    err.struct_size = (uint32_t)offsetof(hs_error, message_size);
    ck_assert_int_eq(hs_error_set(&err, HS_RETRY, 0, "not here"), HS_RETRY);
    ck_assert_str_eq(one, "unset");
}
END_TEST

START_TEST(error_pass_bounded)
{
    HS_TEST_ERROR(big);
    char *small = hs_test_guarded_new(16);
    hs_error dst;

    ck_assert_ptr_nonnull(small);
    hs_test_error_init(&dst, small, 16);
    hs_error_set(&big, HS_RETRY, 429, "slow down: %s", "a long explanation from the server");
    big.retry_after_s = 30;
    ck_assert_int_eq(hs_error_pass(&dst, &big, HS_RETRY), HS_RETRY);
    ck_assert(hs_test_guarded_ok(small, 16));
    ck_assert_str_eq(small, "slow down: a lo");
    ck_assert_int_eq(dst.http_status, 429);
    ck_assert_int_eq(dst.retry_after_s, 30);
    ck_assert_int_eq(hs_error_pass(NULL, &big, HS_E_DATA), HS_E_DATA);
    hs_test_guarded_free(small, 16);
}
END_TEST

/* A remote id is copied whole or not at all: a cut id would name another object. */
START_TEST(result_id_whole_or_refused)
{
    static const char id[] = "0123456789abcdef0123456789abcdef";   /* 32 bytes */
    HS_TEST_ERROR(err);
    hs_write_result r;
    char *buf = hs_test_guarded_new(sizeof id);

    ck_assert_ptr_nonnull(buf);
    hs_test_result_init(&r, buf, sizeof id);
    ck_assert_int_eq(hs_result_set_id(&r, id, "test", &err), HS_OK);
    ck_assert_str_eq(buf, id);
    ck_assert(hs_test_guarded_ok(buf, sizeof id));

    hs_test_result_init(&r, buf, sizeof id - 1);
    ck_assert_int_eq(hs_result_set_id(&r, id, "test", &err), HS_E_INTERNAL);
    ck_assert_str_eq(buf, "");
    ck_assert_msg(strstr(err.message, "does not fit") != NULL, "%s", err.message);
    ck_assert_int_eq(strncmp(err.message, "test: ", 6), 0);

    hs_test_result_init(&r, NULL, 0);
    ck_assert(!hs_result_usable(&r));
    ck_assert_int_eq(hs_result_set_id(&r, id, "test", &err), HS_E_INTERNAL);
    hs_test_result_init(&r, buf, sizeof id);
    r.struct_size = (uint32_t)offsetof(hs_write_result, remote_id_size);
    ck_assert(!hs_result_usable(&r));
    ck_assert(!hs_result_usable(NULL));
    hs_test_guarded_free(buf, sizeof id);
}
END_TEST

/* The connector suites rely on the fake host to refuse records of the wrong shape: without
 * struct_size (on the record or a nested one), of an unknown kind, a completion with a stage,
 * a job without its element sizes. */
START_TEST(collector_refuses_malformed_records)
{
    hs_test_collector *col = hs_test_collector_new();
    hs_emitter em = hs_test_collector_emitter(col);
    hs_ref stage = {sizeof stage, "s1", "Stage"}, bare = {0, "s1", "Stage"};
    hs_person person = {sizeof person, "p1", "Ann", "Lee", "ann@example.com", NULL};
    hs_stage_change ch = {sizeof ch, HS_CHANGE_STAGE, "k1", "r1", "j1", &stage, NULL,
                          "2026-01-01T00:00:00Z", &person, NULL, 0, NULL, 0, 0, NULL};
    hs_stage st = {sizeof st, "s1", "Stage", &stage, 1, sizeof stage};
    hs_job job = {sizeof job, "j1", "Job", NULL, NULL, NULL, NULL, NULL, &st, 1, sizeof st};

    ck_assert_ptr_nonnull(col);
    ck_assert_int_eq(em.change(em.ctx, &ch), HS_OK);
    ck_assert_int_eq(em.job(em.ctx, &job), HS_OK);
    ck_assert_ptr_null(col->malformed);
    ch.struct_size = 0;
    ck_assert_int_eq(em.change(em.ctx, &ch), HS_E_INTERNAL);
    ch.struct_size = sizeof ch;
    ch.stage = &bare;
    ck_assert_int_eq(em.change(em.ctx, &ch), HS_E_INTERNAL);
    ch.stage = &stage;
    person.struct_size = 0;
    ck_assert_int_eq(em.change(em.ctx, &ch), HS_E_INTERNAL);
    person.struct_size = sizeof person;
    ch.kind = HS_CHANGE_COMPLETED;
    ck_assert_int_eq(em.change(em.ctx, &ch), HS_E_INTERNAL);
    ch.stage = NULL;
    ck_assert_int_eq(em.change(em.ctx, &ch), HS_OK);
    ch.kind = 99;
    ck_assert_int_eq(em.change(em.ctx, &ch), HS_E_INTERNAL);
    job.stage_size = 0;
    ck_assert_int_eq(em.job(em.ctx, &job), HS_E_INTERNAL);
    job.stage_size = sizeof st;
    st.status_size = 0;
    ck_assert_int_eq(em.job(em.ctx, &job), HS_E_INTERNAL);
    st.status_size = sizeof stage;
    st.statuses = &bare;
    ck_assert_int_eq(em.job(em.ctx, &job), HS_E_INTERNAL);
    ck_assert_ptr_nonnull(col->malformed);
    ck_assert_uint_eq(col->n_changes, 2);
    ck_assert_uint_eq(col->changes[1].kind, HS_CHANGE_COMPLETED);
    ck_assert_ptr_null(col->changes[1].stage_id);
    hs_test_collector_free(col);
}
END_TEST

START_TEST(http_status_classes)
{
    ck_assert_int_eq(hs_http_status_class(200), HS_OK);
    ck_assert_int_eq(hs_http_status_class(201), HS_OK);
    ck_assert_int_eq(hs_http_status_class(401), HS_E_CONFIG);
    ck_assert_int_eq(hs_http_status_class(403), HS_E_PERMISSION);
    ck_assert_int_eq(hs_http_status_class(400), HS_E_DATA);
    ck_assert_int_eq(hs_http_status_class(404), HS_E_DATA);
    ck_assert_int_eq(hs_http_status_class(422), HS_E_DATA);
    ck_assert_int_eq(hs_http_status_class(408), HS_RETRY);
    ck_assert_int_eq(hs_http_status_class(429), HS_RETRY);
    ck_assert_int_eq(hs_http_status_class(503), HS_RETRY);
    ck_assert_int_eq(hs_http_status_class(302), HS_E_INTERNAL);
}
END_TEST

static Suite *common_suite(void)
{
    Suite *s = suite_create("common");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, time_variants);
    tcase_add_test(tc, time_default_offset);
    tcase_add_test(tc, time_format_roundtrip);
    tcase_add_test(tc, time_extremes_stay_in_range);
    tcase_add_test(tc, num_saturating_and_checked);
    tcase_add_test(tc, num_parse_strict);
    tcase_add_test(tc, num_from_double);
    tcase_add_test(tc, json_int_hostile_numbers);
    tcase_add_test(tc, json_depth_limit);
    tcase_add_test(tc, json_exact_length);
    tcase_add_test(tc, json_tolerant_getters);
    tcase_add_test(tc, url_base_checks);
    tcase_add_test(tc, url_origin);
    tcase_add_test(tc, url_escape_and_describe);
    tcase_add_test(tc, error_formatting);
    tcase_add_test(tc, error_within_callers_buffer);
    tcase_add_test(tc, error_pass_bounded);
    tcase_add_test(tc, result_id_whole_or_refused);
    tcase_add_test(tc, collector_refuses_malformed_records);
    tcase_add_test(tc, http_status_classes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(common_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
