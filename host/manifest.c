/* Reading and validating connector manifests. */
#define _POSIX_C_SOURCE 200809L
#include "manifest.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiresync/connector.h>

#include "jsonfile.h"

static const struct {
    const char *name;
    uint32_t bit;
} capability_names[] = {
    {"check", HS_CAP_CHECK},
    {"discover_jobs", HS_CAP_DISCOVER_JOBS},
    {"read_changes", HS_CAP_READ_CHANGES},
    {"write_invitation", HS_CAP_WRITE_INVITATION},
    {"write_note", HS_CAP_WRITE_NOTE},
    {"move_record", HS_CAP_MOVE_RECORD},
    {"sync_subscriptions", HS_CAP_SYNC_SUBSCRIPTIONS},
};
#define N_CAPABILITIES (sizeof(capability_names) / sizeof(capability_names[0]))

static const char *const type_names[] = {"string", "integer", "number", "boolean", "array",
                                         "object"};
#define N_TYPES (sizeof(type_names) / sizeof(type_names[0]))

int hs_capability_parse(const char *name, uint32_t *bit)
{
    for (size_t i = 0; i < N_CAPABILITIES; i++) {
        if (strcmp(name, capability_names[i].name) == 0) {
            *bit = capability_names[i].bit;
            return 0;
        }
    }
    return -1;
}

const char *hs_capability_name(uint32_t bit)
{
    for (size_t i = 0; i < N_CAPABILITIES; i++) {
        if (capability_names[i].bit == bit)
            return capability_names[i].name;
    }
    return NULL;
}

void hs_capabilities_format(uint32_t caps, char *out, size_t out_size)
{
    size_t used = 0;
    if (out_size == 0)
        return;
    out[0] = '\0';
    for (size_t i = 0; i < N_CAPABILITIES; i++) {
        if (!(caps & capability_names[i].bit))
            continue;
        int n = snprintf(out + used, out_size - used, "%s%s", used ? "," : "",
                         capability_names[i].name);
        if (n < 0 || (size_t)n >= out_size - used)
            return;
        used += (size_t)n;
    }
}

const char *hs_field_type_name(hs_field_type type)
{
    return (size_t)type < N_TYPES ? type_names[type] : "unknown";
}

static int field_type_parse(const char *name, hs_field_type *out)
{
    for (size_t i = 0; i < N_TYPES; i++) {
        if (strcmp(name, type_names[i]) == 0) {
            *out = (hs_field_type)i;
            return 0;
        }
    }
    return -1;
}

static void field_free(hs_manifest_field *field)
{
    if (field->item) {
        field_free(field->item);
        free(field->item);
    }
    free(field->key);
    json_object_put(field->default_value);
    json_object_put(field->enum_values);
    if (field->pattern)
        regfree(&field->pattern_re);
    free(field->pattern);
    free(field->description);
}

void hs_manifest_free(hs_manifest *manifest)
{
    if (!manifest)
        return;
    for (size_t i = 0; i < manifest->n_fields; i++)
        field_free(&manifest->fields[i]);
    free(manifest->fields);
    for (size_t i = 0; i < manifest->n_require_one_of; i++) {
        for (size_t j = 0; j < manifest->require_one_of[i].n_keys; j++)
            free(manifest->require_one_of[i].keys[j]);
        free(manifest->require_one_of[i].keys);
    }
    free(manifest->require_one_of);
    for (size_t i = 0; i < manifest->n_permissions; i++) {
        free(manifest->permissions[i].name);
        free(manifest->permissions[i].where);
    }
    free(manifest->permissions);
    free(manifest->path);
    free(manifest->name);
    free(manifest->version);
    free(manifest->module);
    free(manifest->description);
    free(manifest);
}

const hs_manifest_field *hs_manifest_field_find(const hs_manifest *manifest, const char *key)
{
    for (size_t i = 0; i < manifest->n_fields; i++) {
        if (strcmp(manifest->fields[i].key, key) == 0)
            return &manifest->fields[i];
    }
    return NULL;
}

/* Parsing context: the file name for messages and the error list. */
typedef struct parse_ctx {
    const char *path;
    hs_diag *diag;
    int errors;
} parse_ctx;

#define PERR(ctx, ...)                                                                     \
    do {                                                                                   \
        char msg_[1024];                                                                   \
        snprintf(msg_, sizeof(msg_), __VA_ARGS__);                                          \
        hs_diag_add((ctx)->diag, "%s: %s", (ctx)->path, msg_);                             \
        (ctx)->errors++;                                                                   \
    } while (0)

/* An identifier usable as a connector or module name (and a libltdl symbol prefix). */
static int ident_ok(const char *s)
{
    if (!s[0] || strlen(s) > 64)
        return 0;
    for (const char *p = s; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
              || *p == '_'))
            return 0;
    }
    return 1;
}

static char *take_string(parse_ctx *ctx, json_object *top, const char *key, int required,
                         int identifier)
{
    json_object *v;
    if (!json_object_object_get_ex(top, key, &v)) {
        if (required)
            PERR(ctx, "$.%s: missing; add it", key);
        return NULL;
    }
    if (!json_object_is_type(v, json_type_string) || json_object_get_string_len(v) == 0) {
        PERR(ctx, "$.%s: must be a non-empty string", key);
        return NULL;
    }
    const char *s = json_object_get_string(v);
    if (identifier && !ident_ok(s)) {
        PERR(ctx, "$.%s: \"%s\" must be letters, digits and _ only", key, s);
        return NULL;
    }
    char *copy = strdup(s);
    if (!copy)
        PERR(ctx, "out of memory");
    return copy;
}

static int caps_parse(parse_ctx *ctx, json_object *arr, const char *where, uint32_t *out)
{
    *out = 0;
    if (!json_object_is_type(arr, json_type_array)) {
        PERR(ctx, "%s: must be an array of operation names", where);
        return -1;
    }
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        json_object *v = json_object_array_get_idx(arr, i);
        uint32_t bit;
        if (!json_object_is_type(v, json_type_string)
            || hs_capability_parse(json_object_get_string(v), &bit) != 0) {
            PERR(ctx, "%s[%zu]: unknown operation; use check, discover_jobs, read_changes, "
                 "write_invitation, write_note, move_record or sync_subscriptions", where, i);
            return -1;
        }
        *out |= bit;
    }
    return 0;
}

static int value_has_type(json_object *v, hs_field_type type)
{
    switch (type) {
    case HS_FIELD_STRING: return json_object_is_type(v, json_type_string);
    case HS_FIELD_INTEGER: return json_object_is_type(v, json_type_int);
    case HS_FIELD_NUMBER:
        return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
    case HS_FIELD_BOOLEAN: return json_object_is_type(v, json_type_boolean);
    case HS_FIELD_ARRAY: return json_object_is_type(v, json_type_array);
    case HS_FIELD_OBJECT: return json_object_is_type(v, json_type_object);
    }
    return 0;
}

static const char *const field_keys[] = {"type", "enum", "minimum", "maximum", "pattern",
                                         "description", "items", "min_items", "max_items",
                                         "required", "default", "secret"};
/* An array's element ("items" as an object) has the first six only: it is a value, not a
 * key of the configuration. */
#define N_ELEMENT_KEYS 6
#define N_FIELD_KEYS (sizeof(field_keys) / sizeof(field_keys[0]))

static int key_known(const char *key, const char *const *known, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(key, known[i]) == 0)
            return 1;
    }
    return 0;
}

/* Unknown keys are refused: a misspelt "maximun" would otherwise check nothing, silently. */
static int unknown_keys(parse_ctx *ctx, json_object *obj, const char *at,
                        const char *const *known, size_t n)
{
    int bad = 0;
    json_object_object_foreach(obj, k, unused) {
        (void)unused;
        if (key_known(k, known, n))
            continue;
        char list[512];
        size_t used = 0;
        list[0] = '\0';
        for (size_t i = 0; i < n; i++) {
            int w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", known[i]);
            if (w > 0 && (size_t)w < sizeof(list) - used)
                used += (size_t)w;
        }
        PERR(ctx, "%s.%s: unknown key; use only %s", at, k, list);
        bad = 1;
    }
    return bad ? -1 : 0;
}

static int number_get(json_object *v, double *out)
{
    if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
        return -1;
    *out = json_object_get_double(v);
    return 0;
}

static int bool_get(parse_ctx *ctx, json_object *spec, const char *key, const char *at,
                    int *out)
{
    json_object *v;
    *out = 0;
    if (!json_object_object_get_ex(spec, key, &v))
        return 0;
    if (!json_object_is_type(v, json_type_boolean)) {
        PERR(ctx, "%s.%s: must be true or false", at, key);
        return -1;
    }
    *out = json_object_get_boolean(v);
    return 0;
}

static int count_get(parse_ctx *ctx, json_object *spec, const char *key, const char *at,
                     int *has, size_t *out)
{
    json_object *v;
    if (!json_object_object_get_ex(spec, key, &v))
        return 0;
    if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0
        || json_object_get_int64(v) > 1000000) {
        PERR(ctx, "%s.%s: must be a whole number from 0 to 1000000", at, key);
        return -1;
    }
    *has = 1;
    *out = (size_t)json_object_get_int64(v);
    return 0;
}

/* Each constraint only where it means something, so that none is written and ignored. */
static int limits_apply(parse_ctx *ctx, const hs_manifest_field *f, json_object *spec,
                        const char *at)
{
    static const struct {
        const char *key;
        int numbers, strings, arrays;
        const char *what;
    } rules[] = {
        {"minimum", 1, 0, 0, "integer and number"},
        {"maximum", 1, 0, 0, "integer and number"},
        {"pattern", 0, 1, 0, "string"},
        {"min_items", 0, 0, 1, "array"},
        {"max_items", 0, 0, 1, "array"},
        {"items", 0, 0, 1, "array"},
    };
    int number = f->type == HS_FIELD_INTEGER || f->type == HS_FIELD_NUMBER;
    for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
        if (!json_object_object_get_ex(spec, rules[i].key, NULL))
            continue;
        if ((rules[i].numbers && number) || (rules[i].strings && f->type == HS_FIELD_STRING)
            || (rules[i].arrays && f->type == HS_FIELD_ARRAY))
            continue;
        PERR(ctx, "%s.%s: only for %s keys, not %s; remove it", at, rules[i].key,
             rules[i].what, type_names[f->type]);
        return -1;
    }
    return 0;
}

static int field_parse_limits(parse_ctx *ctx, hs_manifest_field *f, json_object *spec,
                              const char *at)
{
    json_object *v;
    if (limits_apply(ctx, f, spec, at) != 0
        || count_get(ctx, spec, "min_items", at, &f->has_min_items, &f->min_items) != 0
        || count_get(ctx, spec, "max_items", at, &f->has_max_items, &f->max_items) != 0)
        return -1;
    if (json_object_object_get_ex(spec, "minimum", &v)) {
        if (number_get(v, &f->minimum) != 0) {
            PERR(ctx, "%s.minimum: must be a number", at);
            return -1;
        }
        f->has_minimum = 1;
    }
    if (json_object_object_get_ex(spec, "maximum", &v)) {
        if (number_get(v, &f->maximum) != 0) {
            PERR(ctx, "%s.maximum: must be a number", at);
            return -1;
        }
        f->has_maximum = 1;
    }
    if (json_object_object_get_ex(spec, "pattern", &v)) {
        if (!json_object_is_type(v, json_type_string)) {
            PERR(ctx, "%s.pattern: must be a string (a POSIX extended regular expression)", at);
            return -1;
        }
        f->pattern = strdup(json_object_get_string(v));
        if (!f->pattern) {
            PERR(ctx, "out of memory");
            return -1;
        }
        /* The whole value must match, as in JSON Schema's intent for config keys. */
        char anchored[1024];
        int n = snprintf(anchored, sizeof(anchored), "^(%s)$", f->pattern);
        if (n < 0 || (size_t)n >= sizeof(anchored)
            || regcomp(&f->pattern_re, anchored, REG_EXTENDED | REG_NOSUB) != 0) {
            free(f->pattern);
            f->pattern = NULL;
            PERR(ctx, "%s.pattern: not a valid POSIX extended regular expression", at);
            return -1;
        }
    }
    return 0;
}

static int field_parse_values(parse_ctx *ctx, hs_manifest_field *f, json_object *spec,
                              const char *at)
{
    json_object *v;
    if (json_object_object_get_ex(spec, "enum", &v)) {
        if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0) {
            PERR(ctx, "%s.enum: must be a non-empty array", at);
            return -1;
        }
        for (size_t i = 0; i < json_object_array_length(v); i++) {
            if (!value_has_type(json_object_array_get_idx(v, i), f->type)) {
                PERR(ctx, "%s.enum[%zu]: must be of type %s", at, i, type_names[f->type]);
                return -1;
            }
        }
        f->enum_values = json_object_get(v);
    }
    if (json_object_object_get_ex(spec, "default", &v)) {
        if (!value_has_type(v, f->type)) {
            PERR(ctx, "%s.default: must be of type %s", at, type_names[f->type]);
            return -1;
        }
        f->default_value = json_object_get(v);
    }
    return 0;
}

static int field_parse(parse_ctx *ctx, const char *at, const char *key, json_object *spec,
                       hs_manifest_field *f, int element);

/* "items": a type name, short for {"type": name}, or an element description. */
static int items_parse(parse_ctx *ctx, hs_manifest_field *f, json_object *v, const char *at)
{
    char item_at[300];
    snprintf(item_at, sizeof(item_at), "%s.items", at);
    if (!(f->item = calloc(1, sizeof(*f->item)))) {
        PERR(ctx, "out of memory");
        return -1;
    }
    if (json_object_is_type(v, json_type_object))
        return field_parse(ctx, item_at, "items", v, f->item, 1);
    if (!json_object_is_type(v, json_type_string)
        || field_type_parse(json_object_get_string(v), &f->item->type) != 0
        || f->item->type == HS_FIELD_ARRAY) {
        PERR(ctx, "%s: must name the elements' type (string, integer, number, boolean or "
             "object) or describe them as an object with \"type\"", item_at);
        return -1;
    }
    if (!(f->item->key = strdup("items"))) {
        PERR(ctx, "out of memory");
        return -1;
    }
    return 0;
}

static int field_parse(parse_ctx *ctx, const char *at, const char *key, json_object *spec,
                       hs_manifest_field *f, int element)
{
    f->key = strdup(key);
    if (!f->key) {
        PERR(ctx, "out of memory");
        return -1;
    }
    if (!json_object_is_type(spec, json_type_object)) {
        PERR(ctx, "%s: must be an object describing the %s", at, element ? "elements" : "key");
        return -1;
    }
    if (unknown_keys(ctx, spec, at, field_keys, element ? N_ELEMENT_KEYS : N_FIELD_KEYS) != 0)
        return -1;
    json_object *v;
    if (!json_object_object_get_ex(spec, "type", &v) || !json_object_is_type(v, json_type_string)
        || field_type_parse(json_object_get_string(v), &f->type) != 0
        || (element && f->type == HS_FIELD_ARRAY)) {
        PERR(ctx, "%s.type: must be string, integer, number, boolean, %sobject", at,
             element ? "" : "array or ");
        return -1;
    }
    if (json_object_object_get_ex(spec, "items", &v) && f->type == HS_FIELD_ARRAY
        && items_parse(ctx, f, v, at) != 0)
        return -1;
    if (bool_get(ctx, spec, "required", at, &f->required) != 0
        || bool_get(ctx, spec, "secret", at, &f->secret) != 0)
        return -1;
    if (f->secret && f->type != HS_FIELD_STRING) {
        PERR(ctx, "%s.secret: only strings can be secrets", at);
        return -1;
    }
    if (json_object_object_get_ex(spec, "description", &v)) {
        if (!json_object_is_type(v, json_type_string)) {
            PERR(ctx, "%s.description: must be a string", at);
            return -1;
        }
        f->description = strdup(json_object_get_string(v));
        if (!f->description) {
            PERR(ctx, "out of memory");
            return -1;
        }
    }
    if (field_parse_values(ctx, f, spec, at) != 0)
        return -1;
    return field_parse_limits(ctx, f, spec, at);
}

static void manifest_parse_fields(parse_ctx *ctx, hs_manifest *m, json_object *top)
{
    json_object *config;
    if (!json_object_object_get_ex(top, "config", &config))
        return;
    if (!json_object_is_type(config, json_type_object)) {
        PERR(ctx, "$.config: must be an object of keys");
        return;
    }
    size_t n = (size_t)json_object_object_length(config);
    m->fields = calloc(n ? n : 1, sizeof(*m->fields));
    if (!m->fields) {
        PERR(ctx, "out of memory");
        return;
    }
    json_object_object_foreach(config, key, spec) {
        if (strcmp(key, "connector") == 0) {
            PERR(ctx, "$.config.connector: reserved for the connector's name; rename the key");
            continue;
        }
        char at[256];
        snprintf(at, sizeof(at), "$.config.%s", key);
        /* A field is kept even when invalid, so that it is freed with the manifest. */
        field_parse(ctx, at, key, spec, &m->fields[m->n_fields++], 0);
    }
}

static void manifest_parse_groups(parse_ctx *ctx, hs_manifest *m, json_object *top)
{
    json_object *groups;
    if (!json_object_object_get_ex(top, "require_one_of", &groups))
        return;
    if (!json_object_is_type(groups, json_type_array)) {
        PERR(ctx, "$.require_one_of: must be an array of arrays of config keys");
        return;
    }
    size_t n = json_object_array_length(groups);
    m->require_one_of = calloc(n ? n : 1, sizeof(*m->require_one_of));
    if (!m->require_one_of) {
        PERR(ctx, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        json_object *g = json_object_array_get_idx(groups, i);
        hs_manifest_group *group = &m->require_one_of[m->n_require_one_of++];
        if (!json_object_is_type(g, json_type_array) || json_object_array_length(g) == 0) {
            PERR(ctx, "$.require_one_of[%zu]: must be a non-empty array of config keys", i);
            continue;
        }
        group->keys = calloc(json_object_array_length(g), sizeof(char *));
        if (!group->keys) {
            PERR(ctx, "out of memory");
            continue;
        }
        for (size_t j = 0; j < json_object_array_length(g); j++) {
            json_object *k = json_object_array_get_idx(g, j);
            const char *key = json_object_get_string(k);
            if (!json_object_is_type(k, json_type_string) || !hs_manifest_field_find(m, key)) {
                PERR(ctx, "$.require_one_of[%zu][%zu]: must name a key of $.config", i, j);
                continue;
            }
            group->keys[group->n_keys] = strdup(key);
            if (group->keys[group->n_keys])
                group->n_keys++;
        }
    }
}

static char *opt_string(parse_ctx *ctx, json_object *obj, const char *key, const char *at)
{
    json_object *v;
    if (!json_object_object_get_ex(obj, key, &v))
        return NULL;
    if (!json_object_is_type(v, json_type_string)) {
        PERR(ctx, "%s.%s: must be a string", at, key);
        return NULL;
    }
    return strdup(json_object_get_string(v));
}

static void manifest_parse_permissions(parse_ctx *ctx, hs_manifest *m, json_object *top)
{
    json_object *perms;
    if (!json_object_object_get_ex(top, "permissions", &perms))
        return;
    if (!json_object_is_type(perms, json_type_array)) {
        PERR(ctx, "$.permissions: must be an array of objects");
        return;
    }
    size_t n = json_object_array_length(perms);
    m->permissions = calloc(n ? n : 1, sizeof(*m->permissions));
    if (!m->permissions) {
        PERR(ctx, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        json_object *p = json_object_array_get_idx(perms, i);
        char at[64];
        snprintf(at, sizeof(at), "$.permissions[%zu]", i);
        if (!json_object_is_type(p, json_type_object)) {
            PERR(ctx, "%s: must be an object with name and operations", at);
            continue;
        }
        static const char *const known[] = {"name", "operations", "where"};
        if (json_object_object_get_ex(p, "scope", NULL))
            PERR(ctx, "%s.scope: not part of the manifest format; remove it and name the "
                 "permission in \"name\" as the operator finds it where it is granted", at);
        else
            unknown_keys(ctx, p, at, known, 3);
        hs_manifest_permission *perm = &m->permissions[m->n_permissions++];
        perm->name = opt_string(ctx, p, "name", at);
        perm->where = opt_string(ctx, p, "where", at);
        if (!perm->name)
            PERR(ctx, "%s.name: missing; add the permission's name", at);
        json_object *ops;
        char ops_at[80];
        snprintf(ops_at, sizeof(ops_at), "%s.operations", at);
        if (json_object_object_get_ex(p, "operations", &ops))
            caps_parse(ctx, ops, ops_at, &perm->operations);
    }
}

static void manifest_parse_abi(parse_ctx *ctx, hs_manifest *m, json_object *top)
{
    json_object *v;
    unsigned major, minor;
    char tail;
    if (!json_object_object_get_ex(top, "abi", &v)) {
        PERR(ctx, "$.abi: missing; add \"abi\": \"%u.%u\"", HS_ABI_MAJOR, HS_ABI_MINOR);
        return;
    }
    if (!json_object_is_type(v, json_type_string)
        || sscanf(json_object_get_string(v), "%u.%u%c", &major, &minor, &tail) != 2
        || major > 0xffffu || minor > 0xffffu) {
        PERR(ctx, "$.abi: must be a string \"MAJOR.MINOR\" such as \"%u.%u\"", HS_ABI_MAJOR,
             HS_ABI_MINOR);
        return;
    }
    m->abi_version = (major << 16) | minor;
}

int hs_manifest_load(const char *path, hs_manifest **out, hs_diag *diag)
{
    parse_ctx ctx = {path, diag, 0};
    json_object *top = NULL;
    char err[512];
    *out = NULL;
    if (hs_jsonfile_read(path, &top, err, sizeof(err)) != 0) {
        hs_diag_add(diag, "%s: %s", path, err);
        return -1;
    }
    hs_manifest *m = calloc(1, sizeof(*m));
    if (!m || !(m->path = strdup(path))) {
        PERR(&ctx, "out of memory");
        goto out;
    }
    if (!json_object_is_type(top, json_type_object)) {
        PERR(&ctx, "$: must be a JSON object");
        goto out;
    }
    static const char *const top_keys[] = {"name", "version", "abi", "module", "description",
                                           "capabilities", "config", "require_one_of",
                                           "permissions"};
    unknown_keys(&ctx, top, "$", top_keys, sizeof(top_keys) / sizeof(top_keys[0]));
    m->name = take_string(&ctx, top, "name", 1, 1);
    m->version = take_string(&ctx, top, "version", 1, 0);
    m->module = take_string(&ctx, top, "module", 1, 1);
    m->description = take_string(&ctx, top, "description", 0, 0);
    manifest_parse_abi(&ctx, m, top);
    json_object *caps;
    if (!json_object_object_get_ex(top, "capabilities", &caps))
        PERR(&ctx, "$.capabilities: missing; list the operations the connector offers");
    else
        caps_parse(&ctx, caps, "$.capabilities", &m->capabilities);
    manifest_parse_fields(&ctx, m, top);
    manifest_parse_groups(&ctx, m, top);
    manifest_parse_permissions(&ctx, m, top);
out:
    json_object_put(top);
    if (ctx.errors || !m) {
        hs_manifest_free(m);
        return -1;
    }
    *out = m;
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int manifest_cmp(const void *a, const void *b)
{
    const hs_manifest *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

static int set_add(hs_manifest_set *set, hs_manifest *m, size_t *cap, hs_diag *diag)
{
    const hs_manifest *dup = hs_manifest_set_find(set, m->name);
    if (dup) {
        hs_diag_add(diag, "%s: $.name: \"%s\" is already the name of %s; each connector "
                    "needs its own name", m->path, m->name, dup->path);
        hs_manifest_free(m);
        return 0;
    }
    if (set->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        hs_manifest **items = realloc(set->items, ncap * sizeof(*items));
        if (!items) {
            hs_manifest_free(m);
            return -1;
        }
        set->items = items;
        *cap = ncap;
    }
    set->items[set->n++] = m;
    return 0;
}

static int json_entry(const struct dirent *e)
{
    return e->d_name[0] != '.' && ends_with(e->d_name, ".json");
}

int hs_manifest_set_load(const char *dir, hs_manifest_set **out, hs_diag *diag)
{
    *out = NULL;
    hs_manifest_set *set = calloc(1, sizeof(*set));
    if (!set || !(set->dir = strdup(dir))) {
        free(set);
        hs_diag_add(diag, "out of memory");
        return -1;
    }
    struct dirent **entries = NULL;
    /* Sorted by file name, so that which of two same-named manifests wins is stable. */
    int n_entries = scandir(dir, &entries, json_entry, alphasort);
    if (n_entries < 0) {
        hs_diag_add(diag, "%s: cannot read the manifest directory; set HIRESYNC_MANIFEST_DIR "
                    "or reinstall hiresync", dir);
        hs_manifest_set_free(set);
        return -1;
    }
    size_t cap = 0;
    int rc = 0;
    for (int i = 0; i < n_entries; i++) {
        char path[4096];
        int n = snprintf(path, sizeof(path), "%s/%s", dir, entries[i]->d_name);
        hs_manifest *m;
        if (rc == 0 && n > 0 && (size_t)n < sizeof(path) && hs_manifest_load(path, &m, diag) == 0)
            rc = set_add(set, m, &cap, diag);
        free(entries[i]);
    }
    free(entries);
    if (rc != 0) {
        hs_diag_add(diag, "out of memory");
        hs_manifest_set_free(set);
        return -1;
    }
    if (set->n > 1)
        qsort(set->items, set->n, sizeof(*set->items), manifest_cmp);
    *out = set;
    return 0;
}

void hs_manifest_set_free(hs_manifest_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        hs_manifest_free(set->items[i]);
    free(set->items);
    free(set->dir);
    free(set);
}

const hs_manifest *hs_manifest_set_find(const hs_manifest_set *set, const char *name)
{
    for (size_t i = 0; set && i < set->n; i++) {
        if (strcmp(set->items[i]->name, name) == 0)
            return set->items[i];
    }
    return NULL;
}
