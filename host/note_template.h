/*
 * The completion note's text: the configurable template (a mapping's "note_template") with
 * its placeholders, and the safe form of text that came from a remote system.
 *
 * Placeholders are {first_name} {last_name} {interview} {completed_at} {link} {answers}
 * {score} {participant}; "{{" writes a literal "{". Any other "{name}" (letters, digits,
 * '_') is an error, found when the configuration is loaded. Rendering is one pass: a value
 * that contains "{link}" is written as it is, never expanded. The result is plain text.
 *
 * Ownership: every buffer is the caller's; nothing is allocated.
 */
#ifndef HS_HOST_NOTE_TEMPLATE_H
#define HS_HOST_NOTE_TEMPLATE_H

#include <stddef.h>

/* The values of the placeholders; NULL renders as "". */
typedef struct hs_template_values {
    const char *first_name;
    const char *last_name;
    const char *interview;
    const char *completed_at;
    const char *link;
    const char *answers;
    const char *score;
    const char *participant;
} hs_template_values;

/* 0 when every placeholder of tmpl is known; otherwise -1 with one line in why naming the
 * first unknown one and the known ones. */
int hs_template_check(const char *tmpl, char *why, size_t why_size);

/* Renders tmpl into out (always NUL-terminated, cut at size - 1 bytes on a character
 * boundary). Unknown placeholders (not possible after hs_template_check) are written as they
 * are. */
void hs_template_render(const char *tmpl, const hs_template_values *v, char *out, size_t size);

/* Copies remote text into dst as safe plain text: control characters (newlines too unless
 * keep_newlines) become spaces, DEL is dropped, at most max bytes (and dst's size - 1) are
 * kept, cut on a UTF-8 character boundary. NULL copies as "". */
void hs_text_safe(char *dst, size_t size, const char *src, size_t max, int keep_newlines);

#endif /* HS_HOST_NOTE_TEMPLATE_H */
