/*
 * Reading a Willo participant object. Willo's field names are not settled by its documentation,
 * so the recruiter link comes from configured paths, and names tolerate a single "name" field.
 */
#define _POSIX_C_SOURCE 200809L

#include <string.h>

#include "hs_json.h"
#include "willo.h"

#define MAX_PATH_DEPTH 8

/* Resolves a dotted path in which an array step stands for its first element that has the
 * rest of the path (so "responses.media_url" is the first response's media URL). Returns a
 * non-empty string borrowed from obj, or NULL. */
static const char *lookup(json_object *obj, const char *path, int depth)
{
    if (!obj || depth > MAX_PATH_DEPTH)
        return NULL;
    if (json_object_is_type(obj, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(obj); i++) {
            const char *s = lookup(json_object_array_get_idx(obj, i), path, depth + 1);
            if (s)
                return s;
        }
        return NULL;
    }
    if (!json_object_is_type(obj, json_type_object))
        return NULL;
    const char *dot = strchr(path, '.');
    char step[128];
    size_t n = dot ? (size_t)(dot - path) : strlen(path);
    if (n == 0 || n >= sizeof step)
        return NULL;
    memcpy(step, path, n);
    step[n] = '\0';
    json_object *child = NULL;
    if (!json_object_object_get_ex(obj, step, &child) || child == NULL)
        return NULL;
    if (dot)
        return lookup(child, dot + 1, depth + 1);
    if (!json_object_is_type(child, json_type_string) || json_object_get_string_len(child) == 0)
        return NULL;
    return json_object_get_string(child);
}

const char *hs_willo_participant_link(const hs_conn *c, json_object *p)
{
    for (size_t i = 0; i < c->cfg.n_link_fields; i++) {
        const char *s = lookup(p, c->cfg.link_fields[i], 0);
        if (s)
            return s;
    }
    return NULL;
}

void hs_willo_participant_person(json_object *p, hs_person *person)
{
    memset(person, 0, sizeof *person);
    person->struct_size = sizeof *person;
    person->first_name = hs_json_str(p, "first_name");
    person->last_name = hs_json_str(p, "last_name");
    if (!person->first_name && !person->last_name)
        person->first_name = hs_json_str(p, "name");
    person->email = hs_json_str(p, "email");
    person->phone = hs_json_str(p, "phone");
}

int hs_willo_participant_in(json_object *p, const char *interview)
{
    json_object *iv = hs_json_get(p, "interview");
    const char *key = json_object_is_type(iv, json_type_object) ? hs_json_str(iv, "key")
                                                                : hs_json_str(p, "interview");
    return key == NULL || strcmp(key, interview) == 0;
}

static int blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static char lower(char ch)
{
    return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/* Trims blanks around s; returns the start and sets *len. */
static const char *trimmed(const char *s, size_t *len)
{
    while (blank(*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && blank(s[n - 1]))
        n--;
    *len = n;
    return s;
}

int hs_willo_email_equal(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    size_t na, nb;
    a = trimmed(a, &na);
    b = trimmed(b, &nb);
    if (na != nb || na == 0)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (lower(a[i]) != lower(b[i]))
            return 0;
    return 1;
}
