/* The completion note's template and safe remote text (see note_template.h). */
#include "note_template.h"

#include <stdio.h>
#include <string.h>

static const char *const NAMES[] = {"first_name", "last_name", "interview", "completed_at",
                                    "link", "answers", "score", "participant"};
#define N_NAMES (sizeof NAMES / sizeof NAMES[0])

static int name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_';
}

/* Length of the name of a placeholder starting at s (just after "{"), 0 when s does not
 * start "name}". */
static size_t placeholder_len(const char *s)
{
    size_t n = 0;
    while (name_char(s[n]))
        n++;
    return n > 0 && s[n] == '}' ? n : 0;
}

/* The index in NAMES of s[0..n), or -1. */
static int known(const char *s, size_t n)
{
    for (size_t i = 0; i < N_NAMES; i++)
        if (strlen(NAMES[i]) == n && strncmp(NAMES[i], s, n) == 0)
            return (int)i;
    return -1;
}

int hs_template_check(const char *tmpl, char *why, size_t why_size)
{
    for (const char *p = tmpl; p && *p; p++) {
        size_t n;
        if (p[0] == '{' && p[1] == '{') {
            p++;
            continue;
        }
        if (*p != '{' || (n = placeholder_len(p + 1)) == 0)
            continue;
        if (known(p + 1, n) < 0) {
            snprintf(why, why_size, "unknown placeholder {%.*s}; use {first_name}, {last_name}, "
                     "{interview}, {completed_at}, {link}, {answers}, {score} or {participant} "
                     "(\"{{\" writes a \"{\")", (int)(n > 64 ? 64 : n), p + 1);
            return -1;
        }
        p += n + 1;
    }
    return 0;
}

/* The longest prefix of s no longer than n bytes that ends on a UTF-8 character boundary
 * (s[n] is the byte that follows the cut). */
static size_t utf8_cut(const char *s, size_t n)
{
    size_t k = n;
    if (((unsigned char)s[n] & 0xc0) != 0x80)
        return n;
    while (k > 0 && ((unsigned char)s[k - 1] & 0xc0) == 0x80)
        k--;
    return k > 0 ? k - 1 : 0;
}

static void put(char *out, size_t size, size_t *used, const char *s, size_t n)
{
    if (*used + 1 >= size)
        return;
    if (n > size - 1 - *used)
        n = utf8_cut(s, size - 1 - *used);
    memcpy(out + *used, s, n);
    *used += n;
    out[*used] = '\0';
}

static const char *value_of(const hs_template_values *v, int i)
{
    const char *vals[N_NAMES] = {v->first_name, v->last_name, v->interview, v->completed_at,
                                 v->link, v->answers, v->score, v->participant};
    return vals[i] ? vals[i] : "";
}

void hs_template_render(const char *tmpl, const hs_template_values *v, char *out, size_t size)
{
    size_t used = 0;
    if (size == 0)
        return;
    out[0] = '\0';
    for (const char *p = tmpl; p && *p; p++) {
        size_t n;
        int i;
        if (p[0] == '{' && p[1] == '{') {
            put(out, size, &used, "{", 1);
            p++;
            continue;
        }
        if (*p != '{' || (n = placeholder_len(p + 1)) == 0 || (i = known(p + 1, n)) < 0) {
            put(out, size, &used, p, 1);
            continue;
        }
        put(out, size, &used, value_of(v, i), strlen(value_of(v, i)));
        p += n + 1;
    }
}

void hs_text_safe(char *dst, size_t size, const char *src, size_t max, int keep_newlines)
{
    size_t n = 0;
    if (size == 0)
        return;
    if (max > size - 1)
        max = size - 1;
    for (; src && *src && n < max; src++) {
        unsigned char ch = (unsigned char)*src;
        if (ch == 0x7f)
            continue;
        if (ch < 0x20 && !(keep_newlines && ch == '\n'))
            ch = ' ';
        dst[n++] = (char)ch;
    }
    if (src && ((unsigned char)*src & 0xc0) == 0x80)
        while (n > 0 && ((unsigned char)dst[--n] & 0xc0) == 0x80)
            ; /* drop the cut character, lead byte included */
    dst[n] = '\0';
}
