/*
 * Phone numbers to E.164 for Willo, which sends invitations by SMS only to numbers with a
 * country code. ATS records hold numbers as people typed them: spaces, dashes, dots, brackets,
 * "00" for "+", national numbers with a trunk "0". Anything else (letters, extensions, too few
 * or too many digits) is not guessed at: the caller leaves the phone out.
 */
#include <stdio.h>
#include <string.h>

#include "willo.h"

#define E164_MAX_DIGITS 15
#define E164_MIN_DIGITS 8

static int separator(char ch)
{
    return ch == ' ' || ch == '-' || ch == '.' || ch == '(' || ch == ')' || ch == '/' ||
           ch == '\t';
}

/* Collects the digits of phone into digits (NUL-terminated); *plus tells whether it started
 * with "+". Returns -1 on any other character or too many digits. */
static int collect(const char *phone, char *digits, size_t size, int *plus)
{
    size_t n = 0;
    *plus = 0;
    while (*phone == ' ' || *phone == '\t')
        phone++;
    if (*phone == '+') {
        *plus = 1;
        phone++;
    }
    for (; *phone; phone++) {
        if (separator(*phone))
            continue;
        if (*phone < '0' || *phone > '9' || n + 1 >= size)
            return -1;
        digits[n++] = *phone;
    }
    digits[n] = '\0';
    return 0;
}

int hs_willo_phone_e164(const char *phone, const char *default_cc, char *out, size_t out_size)
{
    char digits[40];
    int plus = 0;
    if (!phone || collect(phone, digits, sizeof digits, &plus) != 0)
        return -1;
    const char *cc = "";
    const char *rest = digits;
    if (!plus && strncmp(digits, "00", 2) == 0) {
        rest = digits + 2;
    } else if (!plus) {
        /* national number: the trunk "0" gives way to the configured country code */
        if (!default_cc || !*default_cc || digits[0] != '0')
            return -1;
        cc = default_cc;
        rest = digits + 1;
    }
    if (rest[0] == '0')
        return -1;
    size_t total = strlen(cc) + strlen(rest);
    if (total < E164_MIN_DIGITS || total > E164_MAX_DIGITS)
        return -1;
    int w = snprintf(out, out_size, "+%s%s", cc, rest);
    return w < 0 || (size_t)w >= out_size ? -1 : 0;
}
