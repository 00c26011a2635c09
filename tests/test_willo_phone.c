/*
 * E.164 normalisation of the Willo connector (plugin/willo/willo_phone.c, compiled in).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../plugin/willo/willo.h"

static void expect(const char *in, const char *cc, const char *want)
{
    char out[24] = "unchanged";
    int rc = hs_willo_phone_e164(in, cc, out, sizeof out);
    if (want == NULL) {
        ck_assert_msg(rc == -1, "\"%s\" (cc %s) should be unusable, got %s", in, cc, out);
        return;
    }
    ck_assert_msg(rc == 0, "\"%s\" (cc %s) should normalise to %s", in, cc, want);
    ck_assert_str_eq(out, want);
}

START_TEST(international_forms)
{
    expect("+447700900123", "", "+447700900123");
    expect("+44 7700 900-123", "", "+447700900123");
    expect("+1 (202) 555-0123", "", "+12025550123");
    expect("0044 7700 900123", "", "+447700900123");
    expect("  +33.1.23.45.67.89 ", "", "+33123456789");
}
END_TEST

START_TEST(national_needs_country_code)
{
    expect("07700 900123", "44", "+447700900123");
    expect("07700 900123", "", NULL);
    expect("07700 900123", NULL, NULL);
    expect("7700900123", "44", NULL);   /* neither "+", "00" nor a trunk 0: not guessed */
}
END_TEST

START_TEST(unusable)
{
    expect("", "44", NULL);
    expect("+", "", NULL);
    expect("+44 7700 ext 12", "", NULL);
    expect("call me", "44", NULL);
    expect("+1234567", "", NULL);                 /* 7 digits: too short */
    expect("+1234567890123456", "", NULL);        /* 16 digits: too long */
    expect("+0447700900123", "", NULL);           /* country codes never start with 0 */
    expect("++447700900123", "", NULL);
    expect("00 0 123456789", "", NULL);
    char small[8];
    ck_assert_int_eq(hs_willo_phone_e164("+447700900123", "", small, sizeof small), -1);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("willo_phone");
    TCase *tc = tcase_create("e164");
    tcase_add_test(tc, international_forms);
    tcase_add_test(tc, national_needs_country_code);
    tcase_add_test(tc, unusable);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
