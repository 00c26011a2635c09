/*
 * Bounded, tolerant JSON over json-c.
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "hs_errors.h"
#include "hs_json.h"
#include "hs_num.h"

json_object *hs_json_parse(const char *text, size_t len, const char *what, hs_error *err)
{
    json_tokener *tok = NULL;
    json_object *obj = NULL;
    enum json_tokener_error jerr;
    size_t end;

    if (text == NULL || len == 0) {
        hs_error_set(err, HS_E_INTERNAL, 0, "%s: empty response where JSON was expected", what);
        return NULL;
    }
    if (len > INT_MAX) {
        hs_error_set(err, HS_E_INTERNAL, 0, "%s: JSON document too large", what);
        return NULL;
    }
    tok = json_tokener_new_ex(HS_JSON_MAX_DEPTH);
    if (tok == NULL) {
        hs_error_set(err, HS_E_INTERNAL, 0, "%s: out of memory", what);
        return NULL;
    }
    /* Strict mode would reject what real servers send (e.g. control characters in strings);
     * depth and length bound the cost instead. */
    obj = json_tokener_parse_ex(tok, text, (int)len);
    jerr = json_tokener_get_error(tok);
    if (obj == NULL || jerr != json_tokener_success) {
        hs_error_set(err, HS_E_INTERNAL, 0, "%s: malformed JSON (%s)", what,
                     jerr == json_tokener_continue ? "document ends early"
                                                   : json_tokener_error_desc(jerr));
        json_object_put(obj);
        obj = NULL;
        goto out;
    }
    /* One document only: anything but whitespace after it is an error. */
    for (end = json_tokener_get_parse_end(tok); end < len; end++) {
        if (!isspace((unsigned char)text[end])) {
            hs_error_set(err, HS_E_INTERNAL, 0, "%s: malformed JSON (data after the document)",
                         what);
            json_object_put(obj);
            obj = NULL;
            goto out;
        }
    }
out:
    json_tokener_free(tok);
    return obj;
}

json_object *hs_json_get(json_object *obj, const char *path)
{
    const char *p = path;

    if (obj == NULL || path == NULL)
        return NULL;
    while (*p != '\0') {
        char key[128];
        const char *dot = strchr(p, '.');
        size_t n = dot != NULL ? (size_t)(dot - p) : strlen(p);
        json_object *next = NULL;

        if (n == 0 || n >= sizeof key || !json_object_is_type(obj, json_type_object))
            return NULL;
        memcpy(key, p, n);
        key[n] = '\0';
        if (!json_object_object_get_ex(obj, key, &next) || next == NULL)
            return NULL;
        obj = next;
        p += n;
        if (*p == '.')
            p++;
    }
    return obj;
}

const char *hs_json_str(json_object *obj, const char *path)
{
    json_object *v = hs_json_get(obj, path);

    if (v == NULL)
        return NULL;
    switch (json_object_get_type(v)) {
    case json_type_string:
    case json_type_int:
    case json_type_double:
        return json_object_get_string(v);
    default:
        return NULL;
    }
}

int hs_json_int(json_object *obj, const char *path, int64_t *out)
{
    json_object *v = hs_json_get(obj, path);

    if (v == NULL || out == NULL)
        return -1;
    switch (json_object_get_type(v)) {
    case json_type_int:
        /* json-c saturates integers beyond int64 (and gives uint64 ones as INT64_MAX). */
        *out = json_object_get_int64(v);
        return 0;
    case json_type_double:
        return hs_num_from_double(json_object_get_double(v), INT64_MIN, INT64_MAX, out);
    case json_type_string: {
        const char *s = json_object_get_string(v), *end = NULL;
        int64_t n;

        while (isspace((unsigned char)*s))
            s++;
        if (hs_num_parse(s, &end, &n) != 0)
            return -1;
        while (isspace((unsigned char)*end))
            end++;
        if (*end != '\0')
            return -1;
        *out = n;
        return 0;
    }
    default:
        return -1;
    }
}

int hs_json_int_in(json_object *obj, const char *path, int64_t lo, int64_t hi, int64_t *out)
{
    int64_t v;

    if (hs_json_int(obj, path, &v) != 0 || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

char *hs_json_dup_string(json_object *obj)
{
    const char *s = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
                                                            JSON_C_TO_STRING_NOSLASHESCAPE);
    return s != NULL ? strdup(s) : NULL;
}

/* ---- configuration, validated by the host ------------------------------------------------- */

static hs_status cfg_member(json_object *cfg, const char *key, json_type type, int required,
                            json_object **out, const char *who, hs_error *err)
{
    static const char fix[] = "configurations are checked against the connector's manifest "
                              "by the host";
    *out = NULL;
    if (!json_object_object_get_ex(cfg, key, out) || *out == NULL) {
        *out = NULL;
        return required ? hs_error_set(err, HS_E_CONFIG, 0, "%s: \"%s\" is missing; %s", who,
                                       key, fix)
                        : HS_OK;
    }
    if (!json_object_is_type(*out, type))
        return hs_error_set(err, HS_E_CONFIG, 0, "%s: \"%s\" must be %s; %s", who, key,
                            json_type_to_name(type), fix);
    return HS_OK;
}

hs_status hs_json_cfg_str(json_object *cfg, const char *key, int required, const char **out,
                          const char *who, hs_error *err)
{
    json_object *v;
    hs_status st = cfg_member(cfg, key, json_type_string, required, &v, who, err);
    *out = st == HS_OK && v != NULL ? json_object_get_string(v) : NULL;
    return st;
}

hs_status hs_json_cfg_int(json_object *cfg, const char *key, int64_t *out, const char *who,
                          hs_error *err)
{
    json_object *v;
    hs_status st = cfg_member(cfg, key, json_type_int, 1, &v, who, err);
    if (st == HS_OK)
        *out = json_object_get_int64(v);
    return st;
}

hs_status hs_json_cfg_bool(json_object *cfg, const char *key, int *out, const char *who,
                           hs_error *err)
{
    json_object *v;
    hs_status st = cfg_member(cfg, key, json_type_boolean, 1, &v, who, err);
    if (st == HS_OK)
        *out = json_object_get_boolean(v);
    return st;
}

hs_status hs_json_cfg_strv(json_object *cfg, const char *key, char ***out, size_t *n,
                           const char *who, hs_error *err)
{
    json_object *v;
    *out = NULL;
    *n = 0;
    hs_status st = cfg_member(cfg, key, json_type_array, 1, &v, who, err);
    if (st != HS_OK)
        return st;
    size_t len = json_object_array_length(v);
    *out = calloc(len ? len : 1, sizeof(**out));
    if (*out == NULL)
        return hs_error_set(err, HS_E_INTERNAL, 0, "%s: out of memory", who);
    for (size_t i = 0; i < len; i++) {
        json_object *e = json_object_array_get_idx(v, i);
        if (!json_object_is_type(e, json_type_string))
            return hs_error_set(err, HS_E_CONFIG, 0, "%s: \"%s\" must hold strings only", who,
                                key);
        if (((*out)[i] = strdup(json_object_get_string(e))) == NULL)
            return hs_error_set(err, HS_E_INTERNAL, 0, "%s: out of memory", who);
        *n = i + 1;
    }
    return HS_OK;
}
