/* Loading and validating the configuration file. */
#define _POSIX_C_SOURCE 200809L
#include "configuration.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <hiresync/connector.h>

#include "jsonfile.h"
#include "listen_addr.h"
#include "public_url.h"
#include "note_template.h"
#include "secret.h"
#include "shard.h"

#ifndef HS_LOCALSTATEDIR
#define HS_LOCALSTATEDIR "/var"
#endif

#define PATH_BUF 512

/* Validation context: where messages go and what has been built so far. */
typedef struct vctx {
    const char *file;
    hs_diag *diag;
    int errors;
    const hs_manifest_set *manifests;
    hs_config *cfg;
    char base_dir[PATH_MAX];
    int have_mode;
    struct stat st;     /* of the configuration file, when have_mode */
    size_t secrets_cap;
    int unresolved;       /* HS_CONFIG_UNRESOLVED_SECRETS: validate the form of secret
                             references only */
} vctx;

static void verr(vctx *c, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void verr(vctx *c, const char *path, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    hs_diag_add(c->diag, "%s: %s: %s", c->file, path, msg);
    c->errors++;
}

/* JSON paths are for people: one too long for the buffer ends in "..." rather than failing. */
static void mark_cut(char *out, int n)
{
    if (n < 0 || n >= PATH_BUF)
        memcpy(out + PATH_BUF - 4, "...", 4);
}

static void join(char *out, const char *parent, const char *key)
{
    mark_cut(out, snprintf(out, PATH_BUF, "%s.%s", parent, key));
}

static void join_idx(char *out, const char *parent, size_t i)
{
    mark_cut(out, snprintf(out, PATH_BUF, "%s[%zu]", parent, i));
}

/* ---- "did you mean" ------------------------------------------------------------------- */

static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return SIZE_MAX;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The closest candidate when it is plausibly a typo, else NULL. */
static const char *closest(const char *word, const char *const *cands, size_t n)
{
    const char *best = NULL;
    size_t best_d = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        size_t d = strcasecmp(word, cands[i]) == 0 ? 0 : edit_distance(word, cands[i]);
        if (d < best_d) {
            best_d = d;
            best = cands[i];
        }
    }
    size_t len = strlen(word);
    size_t limit = len <= 4 ? 1 : (len <= 8 ? 2 : 3);
    return best_d <= limit ? best : NULL;
}

static void list_words(char *out, size_t size, const char *const *words, size_t n)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int w = snprintf(out + used, size - used, "%s%s", i ? ", " : "", words[i]);
        if (w < 0 || (size_t)w >= size - used)
            return;
        used += (size_t)w;
    }
}

static void unknown_key(vctx *c, const char *path, const char *key, const char *const *known,
                        size_t n)
{
    const char *guess = closest(key, known, n);
    if (guess) {
        verr(c, path, "unknown key; did you mean \"%s\"?", guess);
        return;
    }
    char list[600];
    list_words(list, sizeof(list), known, n);
    verr(c, path, "unknown key \"%s\"; remove it or use one of: %s", key,
         n ? list : "(none)");
}

/* ---- names and plain values ------------------------------------------------------------ */

/* Connection and pipeline names end up in log scopes and state file names. */
static int name_ok(const char *s)
{
    size_t len = strlen(s);
    if (len == 0 || len > 100 || s[0] == '.')
        return 0;
    for (const char *p = s; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
              || *p == '.' || *p == '_' || *p == '-'))
            return 0;
    }
    return 1;
}

static const char *type_fix(hs_field_type t)
{
    switch (t) {
    case HS_FIELD_STRING: return "write it in double quotes";
    case HS_FIELD_INTEGER: return "write a whole number without quotes";
    case HS_FIELD_NUMBER: return "write a number without quotes";
    case HS_FIELD_BOOLEAN: return "write true or false";
    case HS_FIELD_ARRAY: return "write a JSON array [ ... ]";
    case HS_FIELD_OBJECT: return "write a JSON object { ... }";
    }
    return "correct the value";
}

static const char *type_phrase(hs_field_type t)
{
    switch (t) {
    case HS_FIELD_STRING: return "a string";
    case HS_FIELD_INTEGER: return "an integer";
    case HS_FIELD_NUMBER: return "a number";
    case HS_FIELD_BOOLEAN: return "a boolean";
    case HS_FIELD_ARRAY: return "an array";
    case HS_FIELD_OBJECT: return "an object";
    }
    return "a value";
}

static int has_type(json_object *v, hs_field_type t)
{
    switch (t) {
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

/* Returns the string when v is a non-empty string, else reports and returns NULL. */
static const char *want_string(vctx *c, const char *path, json_object *v, const char *fix)
{
    if (!json_object_is_type(v, json_type_string)) {
        verr(c, path, "must be a string, not %s; %s", hs_json_type_phrase(v), fix);
        return NULL;
    }
    if (json_object_get_string_len(v) == 0) {
        verr(c, path, "must not be empty; %s", fix);
        return NULL;
    }
    return json_object_get_string(v);
}

static int want_bool(vctx *c, const char *path, json_object *v)
{
    if (json_object_is_type(v, json_type_boolean))
        return 0;
    verr(c, path, "must be true or false, not %s; write true or false without quotes",
         hs_json_type_phrase(v));
    return -1;
}

/* ---- connection values ------------------------------------------------------------------ */

static int add_secret(vctx *c, const char *value)
{
    hs_config *cfg = c->cfg;
    if (cfg->n_secrets == c->secrets_cap) {
        size_t cap = c->secrets_cap ? c->secrets_cap * 2 : 8;
        char **s = realloc(cfg->secrets, cap * sizeof(*s));
        if (!s)
            return -1;
        cfg->secrets = s;
        c->secrets_cap = cap;
    }
    cfg->secrets[cfg->n_secrets] = strdup(value);
    if (!cfg->secrets[cfg->n_secrets])
        return -1;
    cfg->n_secrets++;
    return 0;
}

static void check_limits(vctx *c, const char *path, const hs_manifest_field *f, json_object *v)
{
    double x = json_object_get_double(v);
    char range[128];
    if (f->has_minimum && f->has_maximum)
        snprintf(range, sizeof(range), "use a value from %g to %g", f->minimum, f->maximum);
    else if (f->has_minimum)
        snprintf(range, sizeof(range), "use %g or more", f->minimum);
    else
        snprintf(range, sizeof(range), "use %g or less", f->maximum);
    if (f->has_minimum && x < f->minimum)
        verr(c, path, "%g is below the minimum %g; %s", x, f->minimum, range);
    else if (f->has_maximum && x > f->maximum)
        verr(c, path, "%g is above the maximum %g; %s", x, f->maximum, range);
}

static void check_enum(vctx *c, const char *path, const hs_manifest_field *f, json_object *v)
{
    size_t n = json_object_array_length(f->enum_values);
    char list[600];
    size_t used = 0;
    list[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(f->enum_values, i);
        if (json_object_equal(e, v))
            return;
        int w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
                         json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN));
        if (w > 0 && (size_t)w < sizeof(list) - used)
            used += (size_t)w;
    }
    if (f->secret)
        verr(c, path, "the secret is not one of the allowed values; use one of: %s", list);
    else
        verr(c, path, "%s is not allowed; use one of: %s",
             json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), list);
}

static void check_pattern(vctx *c, const char *path, const hs_manifest_field *f,
                          const char *s)
{
    if (regexec(&f->pattern_re, s, 0, NULL, 0) == 0)
        return;
    const char *what = f->description ? f->description : "see the connector's manifest";
    if (f->secret)
        verr(c, path, "the secret does not have the expected form (%s); %s", f->pattern, what);
    else
        verr(c, path, "\"%s\" does not have the expected form (%s); %s", s, f->pattern, what);
}

static int is_secret_ref(json_object *v)
{
    return json_object_is_type(v, json_type_object) && json_object_object_length(v) == 1
           && (json_object_object_get_ex(v, "env", NULL)
               || json_object_object_get_ex(v, "file", NULL));
}

/* An inline secret needs a configuration file that only hiresync can read: the rule of a
 * secret file (see secret.h). 1 when refused (and reported). */
static int inline_refused(vctx *c, const char *path)
{
    hs_secret_identity id;
    (void)hs_secret_identity_self(&id);
    hs_secret_access access = hs_secret_access_of(&c->st, &id);
    unsigned mode = (unsigned)(c->st.st_mode & 07777);
    if (access == HS_SECRET_PRIVATE || access == HS_SECRET_OWN_GROUP)
        return 0;
    if (access == HS_SECRET_OPEN) {
        verr(c, path, "secret written inline in a configuration file that group or others can "
             "read (mode %04o); run: chmod 600 %s (or use {\"env\": \"NAME\"} or "
             "{\"file\": \"PATH\"})", mode, c->file);
        return 1;
    }
    char fix[512];
    hs_secret_access_fix(access, &c->st, &id, c->file, fix, sizeof(fix));
    verr(c, path, "secret written inline in a configuration file that cannot be trusted (mode "
         "%04o): %s (or use {\"env\": \"NAME\"} or {\"file\": \"PATH\"})", mode, fix);
    return 1;
}

/* A secret: resolved into a new string object (*out), or reported. */
static void secret_value(vctx *c, const char *path, const hs_manifest_field *f, json_object *v,
                         json_object **out)
{
    char *value = NULL;
    hs_secret_source source;
    const char *sub;
    char err[768];
    if (c->unresolved) {
        /* A command that opens no connection must not need the secrets (a `status` in a shell
         * without EPLOY_CLIENT_SECRET): keep the reference's shape checked, not its value. */
        if (!is_secret_ref(v) && !json_object_is_type(v, json_type_string))
            verr(c, path, "must be a string, {\"env\": \"NAME\"} or {\"file\": \"PATH\"}");
        else if (!(*out = json_object_new_string("")))
            verr(c, path, "out of memory");
        return;
    }
    if (hs_secret_resolve(v, c->base_dir, &value, &source, &sub, err, sizeof(err)) != 0) {
        char sub_path[PATH_BUF];
        snprintf(sub_path, sizeof(sub_path), "%s%s", path, sub);
        verr(c, sub_path, "%s", err);
        return;
    }
    if (source == HS_SECRET_INLINE && c->have_mode && inline_refused(c, path)) {
        hs_secret_free(value);
        return;
    }
    if (f->pattern)
        check_pattern(c, path, f, value);
    if (f->enum_values) {
        json_object *tmp = json_object_new_string(value);
        check_enum(c, path, f, tmp);
        json_object_put(tmp);
    }
    if (add_secret(c, value) != 0 || !(*out = json_object_new_string(value)))
        verr(c, path, "out of memory");
    hs_secret_free(value);
}

static void check_count(vctx *c, const char *path, const hs_manifest_field *f, json_object *v)
{
    size_t n = json_object_array_length(v);
    if (f->has_min_items && n < f->min_items)
        verr(c, path, "has %zu element%s, fewer than the %zu needed; add %s", n,
             n == 1 ? "" : "s", f->min_items, f->description ? f->description : "more");
    else if (f->has_max_items && n > f->max_items)
        verr(c, path, "has %zu elements, more than the %zu allowed; remove some", n,
             f->max_items);
}

/* Everything the manifest says about a value that is not a secret: its type, its elements,
 * their number, enum, pattern, minimum and maximum. Each problem is one line. */
static void check_value(vctx *c, const char *path, const hs_manifest_field *f, json_object *v)
{
    if (!has_type(v, f->type)) {
        verr(c, path, "must be %s, not %s; %s", type_phrase(f->type), hs_json_type_phrase(v),
             type_fix(f->type));
        return;
    }
    if (f->type == HS_FIELD_ARRAY) {
        check_count(c, path, f, v);
        for (size_t i = 0; f->item && i < json_object_array_length(v); i++) {
            char ipath[PATH_BUF];
            join_idx(ipath, path, i);
            check_value(c, ipath, f->item, json_object_array_get_idx(v, i));
        }
    }
    if (f->enum_values)
        check_enum(c, path, f, v);
    if (f->type == HS_FIELD_STRING && f->pattern)
        check_pattern(c, path, f, json_object_get_string(v));
    if ((f->type == HS_FIELD_INTEGER || f->type == HS_FIELD_NUMBER)
        && (f->has_minimum || f->has_maximum))
        check_limits(c, path, f, v);
}

static void field_value(vctx *c, const char *path, const hs_manifest_field *f, json_object *v,
                        json_object **out)
{
    *out = NULL;
    if (f->secret) {
        secret_value(c, path, f, v, out);
        return;
    }
    if (is_secret_ref(v) && f->type != HS_FIELD_OBJECT) {
        verr(c, path, "only secret keys can be read from the environment or a file; give the "
             "value itself");
        return;
    }
    int bad = c->errors;
    check_value(c, path, f, v);
    if (c->errors == bad && json_object_deep_copy(v, out, NULL) != 0)
        verr(c, path, "out of memory");
}

static void connector_names(const hs_manifest_set *set, const char **names, size_t max,
                            size_t *n)
{
    *n = 0;
    for (size_t i = 0; set && i < set->n && *n < max; i++)
        names[(*n)++] = set->items[i]->name;
}

static const hs_manifest *connection_manifest(vctx *c, const char *path, json_object *obj)
{
    char cpath[PATH_BUF];
    const char *names[64] = {NULL};
    size_t n;
    char list[600];
    connector_names(c->manifests, names, 64, &n);
    list_words(list, sizeof(list), names, n);
    join(cpath, path, "connector");
    json_object *v;
    if (!json_object_object_get_ex(obj, "connector", &v)) {
        verr(c, cpath, "missing; add \"connector\": one of %s", n ? list : "(none installed)");
        return NULL;
    }
    const char *name = want_string(c, cpath, v, "name an installed connector");
    if (!name)
        return NULL;
    const hs_manifest *m = hs_manifest_set_find(c->manifests, name);
    if (m)
        return m;
    const char *guess = closest(name, names, n);
    if (guess)
        verr(c, cpath, "unknown connector \"%s\"; did you mean \"%s\"?", name, guess);
    else
        verr(c, cpath, "unknown connector \"%s\"; use one of: %s (see `hiresync connectors`)",
             name, n ? list : "(none installed)");
    return NULL;
}

/* Fills defaults and reports what is missing; keys given but invalid were reported already
 * and count as given. */
static void connection_missing(vctx *c, const char *path, const hs_manifest *m,
                               json_object *given, json_object *result)
{
    for (size_t i = 0; i < m->n_fields; i++) {
        const hs_manifest_field *f = &m->fields[i];
        if (json_object_object_get_ex(given, f->key, NULL))
            continue;
        char fpath[PATH_BUF];
        join(fpath, path, f->key);
        if (f->default_value) {
            /* The connector trusts what it receives: a default that breaks its own rules is
             * the manifest's mistake, reported as such rather than passed on. */
            char dpath[PATH_BUF + 64];
            snprintf(dpath, sizeof(dpath), "%s (the default in %s)", fpath, m->path);
            json_object *copy = NULL;
            field_value(c, dpath, f, f->default_value, &copy);
            if (copy && json_object_object_add(result, f->key, copy) != 0) {
                json_object_put(copy);
                verr(c, fpath, "out of memory");
            }
        } else if (f->required) {
            verr(c, fpath, "missing required key; add it (%s)",
                 f->description ? f->description : type_phrase(f->type));
        }
    }
    for (size_t g = 0; g < m->n_require_one_of; g++) {
        const hs_manifest_group *group = &m->require_one_of[g];
        int found = 0;
        for (size_t k = 0; k < group->n_keys; k++)
            found |= json_object_object_get_ex(given, group->keys[k], NULL)
                     || json_object_object_get_ex(result, group->keys[k], NULL);
        if (found || group->n_keys == 0)
            continue;
        char list[600];
        list_words(list, sizeof(list), (const char *const *)group->keys, group->n_keys);
        verr(c, path, "needs one of the keys %s; add one of them", list);
    }
}

static void connection_settings(vctx *c, const char *path, const hs_manifest *m,
                                json_object *obj, char **out);

static void connection_load(vctx *c, const char *name, json_object *obj,
                            hs_config_connection *out)
{
    char path[PATH_BUF];
    join(path, "$.connections", name);
    if (!name_ok(name)) {
        verr(c, path, "bad connection name; use 1 to 100 letters, digits, '.', '_' or '-', not "
             "starting with '.'");
        return;
    }
    /* Named even when invalid, so pipelines naming it do not also report it unknown. */
    out->name = strdup(name);
    if (!out->name) {
        verr(c, path, "out of memory");
        return;
    }
    if (!json_object_is_type(obj, json_type_object)) {
        verr(c, path, "must be an object, not %s; write { \"connector\": \"...\", ... }",
             hs_json_type_phrase(obj));
        return;
    }
    const hs_manifest *m = connection_manifest(c, path, obj);
    if (!m)
        return;
    out->connector = strdup(m->name);
    out->manifest = m;
    if (!out->connector)
        verr(c, path, "out of memory");
    connection_settings(c, path, m, obj, &out->config_json);
}

/* The connection's keys (obj; "connector" is skipped) checked against m and completed with
 * m's defaults, into *out: the JSON text open() receives. */
static void connection_settings(vctx *c, const char *path, const hs_manifest *m,
                                json_object *obj, char **out)
{
    json_object *result = json_object_new_object();
    if (!result) {
        verr(c, path, "out of memory");
        return;
    }
    const char *known[128] = {NULL};
    size_t n_known = 0;
    for (size_t i = 0; i < m->n_fields && n_known < 127; i++)
        known[n_known++] = m->fields[i].key;
    known[n_known++] = "connector";
    json_object_object_foreach(obj, key, v) {
        if (strcmp(key, "connector") == 0)
            continue;
        char fpath[PATH_BUF];
        join(fpath, path, key);
        const hs_manifest_field *f = hs_manifest_field_find(m, key);
        if (!f) {
            unknown_key(c, fpath, key, known, n_known);
            continue;
        }
        json_object *value = NULL;
        field_value(c, fpath, f, v, &value);
        if (value)
            json_object_object_add(result, key, value);
    }
    connection_missing(c, path, m, obj, result);
    *out = strdup(json_object_to_json_string_ext(result, JSON_C_TO_STRING_PLAIN));
    if (!*out)
        verr(c, path, "out of memory");
    json_object_put(result);
}

static int connection_cmp(const void *a, const void *b)
{
    const hs_config_connection *x = a, *y = b;
    return strcmp(x->name ? x->name : "", y->name ? y->name : "");
}

static void connections_load(vctx *c, json_object *conns)
{
    if (!json_object_is_type(conns, json_type_object)) {
        verr(c, "$.connections", "must be an object, not %s; write { \"<name>\": { "
             "\"connector\": ... } }", hs_json_type_phrase(conns));
        return;
    }
    size_t n = (size_t)json_object_object_length(conns);
    c->cfg->connections = calloc(n ? n : 1, sizeof(*c->cfg->connections));
    if (!c->cfg->connections) {
        verr(c, "$.connections", "out of memory");
        return;
    }
    json_object_object_foreach(conns, name, obj) {
        connection_load(c, name, obj, &c->cfg->connections[c->cfg->n_connections++]);
    }
    qsort(c->cfg->connections, c->cfg->n_connections, sizeof(*c->cfg->connections),
          connection_cmp);
}

/* ---- pipelines --------------------------------------------------------------------------- */

int hs_config_interval_parse(const char *text, int64_t *seconds)
{
    if (!text || text[0] < '0' || text[0] > '9')
        return -1;
    int64_t n = 0;
    const char *p = text;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (n > 100000000)
            return -1;
        n = n * 10 + (*p - '0');
    }
    int64_t unit;
    switch (*p) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default: return -1;
    }
    if (p[1] != '\0' || n == 0 || n * unit < HS_CONFIG_MIN_INTERVAL_S)
        return -1;
    *seconds = n * unit;
    return 0;
}

static int add_default(vctx *c, const char *path, json_object *obj, const char *key,
                       json_object *value)
{
    if (json_object_object_get_ex(obj, key, NULL)) {
        json_object_put(value);
        return 0;
    }
    if (!value || json_object_object_add(obj, key, value) != 0) {
        json_object_put(value);
        verr(c, path, "out of memory");
        return -1;
    }
    return 0;
}

static void check_unknown(vctx *c, const char *path, json_object *obj,
                          const char *const *known, size_t n)
{
    json_object_object_foreach(obj, key, unused) {
        (void)unused;
        int found = 0;
        for (size_t i = 0; i < n && !found; i++)
            found = strcmp(key, known[i]) == 0;
        if (!found) {
            char kpath[PATH_BUF];
            join(kpath, path, key);
            unknown_key(c, kpath, key, known, n);
        }
    }
}

static json_object *need_key(vctx *c, const char *path, json_object *obj, const char *key,
                             const char *fix)
{
    json_object *v;
    if (json_object_object_get_ex(obj, key, &v))
        return v;
    char kpath[PATH_BUF];
    join(kpath, path, key);
    verr(c, kpath, "missing required key; %s", fix);
    return NULL;
}

static void job_check(vctx *c, const char *path, json_object *job)
{
    static const char *const known[] = {"job", "trigger_stages"};
    if (!json_object_is_type(job, json_type_object)) {
        verr(c, path, "must be an object, not %s; write { \"job\": \"<id>\", "
             "\"trigger_stages\": [\"<stage>\"] }", hs_json_type_phrase(job));
        return;
    }
    check_unknown(c, path, job, known, 2);
    char kpath[PATH_BUF];
    json_object *v = need_key(c, path, job, "job", "add \"job\": the ATS job id, as a string "
                              "(see `hiresync jobs <ats connection>`)");
    join(kpath, path, "job");
    if (v)
        want_string(c, kpath, v, "write the job id in double quotes, e.g. \"1234\"");
    v = need_key(c, path, job, "trigger_stages",
                 "add \"trigger_stages\": [\"<stage name>\"]");
    join(kpath, path, "trigger_stages");
    if (!v)
        return;
    if (!json_object_is_type(v, json_type_array)) {
        verr(c, kpath, "must be an array of stage names, not %s; write [\"<stage name>\"]",
             hs_json_type_phrase(v));
        return;
    }
    if (json_object_array_length(v) == 0) {
        verr(c, kpath, "is empty, so nobody would ever be invited; list at least one stage "
             "name");
        return;
    }
    for (size_t i = 0; i < json_object_array_length(v); i++) {
        char ipath[PATH_BUF];
        join_idx(ipath, kpath, i);
        want_string(c, ipath, json_object_array_get_idx(v, i),
                    "write the stage name as the ATS shows it, e.g. \"Video Interview\"");
    }
}

static void jobs_check(vctx *c, const char *path, json_object *jobs)
{
    if (!json_object_is_type(jobs, json_type_array)) {
        verr(c, path, "must be an array, not %s; write [ { \"job\": ..., \"trigger_stages\": "
             "[...] } ]", hs_json_type_phrase(jobs));
        return;
    }
    if (json_object_array_length(jobs) == 0) {
        verr(c, path, "is empty; map at least one job");
        return;
    }
    for (size_t i = 0; i < json_object_array_length(jobs); i++) {
        char jpath[PATH_BUF];
        join_idx(jpath, path, i);
        json_object *job = json_object_array_get_idx(jobs, i);
        job_check(c, jpath, job);
        json_object *id, *other_id;
        if (!json_object_object_get_ex(job, "job", &id) || !json_object_is_type(id, json_type_string))
            continue;
        for (size_t j = 0; j < i; j++) {
            json_object *other = json_object_array_get_idx(jobs, j);
            if (json_object_is_type(other, json_type_object)
                && json_object_object_get_ex(other, "job", &other_id)
                && json_object_equal(id, other_id)) {
                char kpath[PATH_BUF];
                join(kpath, jpath, "job");
                verr(c, kpath, "job \"%s\" is already mapped at %s[%zu]; list each job once "
                     "and put all its trigger stages together", json_object_get_string(id),
                     path, j);
                break;
            }
        }
    }
}

/* The ATS connection of a pipeline, for what its mappings ask of it (NULL when unknown). */
typedef struct ats_side {
    const char *name;
    const hs_config_connection *conn;
} ats_side;

static void outcomes_check(vctx *c, const char *path, json_object *v)
{
    static const char *const known[] = {"invited", "started", "completed", "expired",
                                        "declined"};
    if (!json_object_is_type(v, json_type_object)) {
        verr(c, path, "must be an object, not %s; write { \"completed\": \"Completed\" } "
             "naming the ATS's action outcomes", hs_json_type_phrase(v));
        return;
    }
    check_unknown(c, path, v, known, 5);
    json_object_object_foreach(v, key, val) {
        char kpath[PATH_BUF];
        join(kpath, path, key);
        want_string(c, kpath, val, "write the outcome's name or id as the ATS shows it, e.g. "
                    "\"Completed\", or remove the key for no outcome");
    }
}

/* on_completed / on_expired: { "outcome": ... }, the outcome the tenant's workflow ties to
 * the move (written with the note, no move_record needed), or a stage like a trigger, moved
 * directly (an ATS that can move records). */
static void move_check(vctx *c, const char *path, json_object *v, const ats_side *ats,
                       const char *key)
{
    const char *s;
    if (json_object_is_type(v, json_type_object)) {
        char kpath[PATH_BUF];
        json_object *o = need_key(c, path, v, "outcome", "write { \"outcome\": \"<name or id>\" }"
                                  ", the Eploy action outcome the tenant's workflow moves the "
                                  "application on");
        check_unknown(c, path, v, (const char *const[]){"outcome"}, 1);
        join(kpath, path, "outcome");
        if (o != NULL)
            want_string(c, kpath, o, "write the outcome's name or id as the ATS shows it, e.g. "
                        "\"Completed\"");
        return;
    }
    s = want_string(c, path, v, "write the stage as in trigger_stages, e.g. \"Shortlist\" or "
                    "\"Shortlist / To review\", or { \"outcome\": \"Completed\" } when the "
                    "tenant's workflow moves it on that outcome");
    if (s == NULL)
        return;
    if (ats->conn == NULL || ats->conn->manifest == NULL ||
        (ats->conn->manifest->capabilities & HS_CAP_MOVE_RECORD))
        return;
    verr(c, path, "connection \"%s\" (connector %s) cannot move applications (it lacks "
         "move_record); remove %s or use a connector that offers it", ats->name,
         ats->conn->connector, key);
}

static void reinvite_check(vctx *c, const char *path, json_object *v)
{
    json_object *days;
    if (json_object_is_type(v, json_type_string)) {
        const char *s = json_object_get_string(v);
        if (strcmp(s, "never") != 0 && strcmp(s, "after_expiry") != 0)
            verr(c, path, "\"%s\" is not a policy; write \"never\", \"after_expiry\" or "
                 "{ \"after_days\": N }", s);
        return;
    }
    if (!json_object_is_type(v, json_type_object)) {
        verr(c, path, "must be \"never\", \"after_expiry\" or { \"after_days\": N }, not %s",
             hs_json_type_phrase(v));
        return;
    }
    check_unknown(c, path, v, (const char *const[]){"after_days"}, 1);
    if (!json_object_object_get_ex(v, "after_days", &days) ||
        !json_object_is_type(days, json_type_int) || json_object_get_int64(days) < 1 ||
        json_object_get_int64(days) > 3650) {
        char kpath[PATH_BUF];
        join(kpath, path, "after_days");
        verr(c, kpath, "must be a whole number of days from 1 to 3650, e.g. { \"after_days\": "
             "30 }");
    }
}

/* One note carries one outcome: outcomes.<event> and on_<event>'s outcome must agree. */
static void move_outcome_agrees(vctx *c, const char *path, json_object *m, const char *key,
                                const char *event)
{
    json_object *mv, *o, *outs, *e;
    char kpath[PATH_BUF];
    if (!json_object_object_get_ex(m, key, &mv) || !json_object_is_type(mv, json_type_object) ||
        !json_object_object_get_ex(mv, "outcome", &o) || !json_object_is_type(o, json_type_string) ||
        !json_object_object_get_ex(m, "outcomes", &outs) ||
        !json_object_is_type(outs, json_type_object) ||
        !json_object_object_get_ex(outs, event, &e) || !json_object_is_type(e, json_type_string) ||
        strcmp(json_object_get_string(o), json_object_get_string(e)) == 0)
        return;
    join(kpath, path, key);
    verr(c, kpath, "outcome \"%s\" differs from outcomes.%s \"%s\", and the %s note carries "
         "one outcome; remove outcomes.%s or give both the same", json_object_get_string(o),
         event, json_object_get_string(e), event, event);
}

static void lifecycle_check(vctx *c, const char *path, json_object *m, const ats_side *ats)
{
    static const char *const moves[] = {"on_completed", "on_expired"};
    static const char *const events[] = {"completed", "expired"};
    char kpath[PATH_BUF];
    json_object *v;
    join(kpath, path, "outcomes");
    if (json_object_object_get_ex(m, "outcomes", &v))
        outcomes_check(c, kpath, v);
    for (size_t i = 0; i < 2; i++) {
        join(kpath, path, moves[i]);
        if (json_object_object_get_ex(m, moves[i], &v))
            move_check(c, kpath, v, ats, moves[i]);
        move_outcome_agrees(c, path, m, moves[i], events[i]);
    }
    join(kpath, path, "reinvite");
    if (json_object_object_get_ex(m, "reinvite", &v))
        reinvite_check(c, kpath, v);
    else
        add_default(c, kpath, m, "reinvite", json_object_new_string("never"));
    join(kpath, path, "note_template");
    if (json_object_object_get_ex(m, "note_template", &v)) {
        char why[400];
        const char *s = want_string(c, kpath, v, "write the note's text with placeholders "
                                    "such as {first_name} and {link}");
        if (s != NULL && hs_template_check(s, why, sizeof why) != 0)
            verr(c, kpath, "%s", why);
    }
}

static void mapping_check(vctx *c, const char *path, json_object *m, const ats_side *ats)
{
    static const char *const known[] = {"interview", "invite_existing", "jobs", "outcomes",
                                        "on_completed", "on_expired", "reinvite",
                                        "note_template"};
    if (!json_object_is_type(m, json_type_object)) {
        verr(c, path, "must be an object, not %s; write { \"interview\": \"<key>\", \"jobs\": "
             "[...] }", hs_json_type_phrase(m));
        return;
    }
    check_unknown(c, path, m, known, 8);
    lifecycle_check(c, path, m, ats);
    char kpath[PATH_BUF];
    json_object *v = need_key(c, path, m, "interview",
                              "add \"interview\": the interview's key on the interview "
                              "platform");
    join(kpath, path, "interview");
    if (v)
        want_string(c, kpath, v, "write the interview key in double quotes");
    join(kpath, path, "invite_existing");
    if (json_object_object_get_ex(m, "invite_existing", &v))
        want_bool(c, kpath, v);
    else
        add_default(c, kpath, m, "invite_existing", json_object_new_boolean(0));
    join(kpath, path, "jobs");
    v = need_key(c, path, m, "jobs", "add \"jobs\": [ { \"job\": \"<id>\", "
                 "\"trigger_stages\": [\"<stage>\"] } ]");
    if (v)
        jobs_check(c, kpath, v);
}

/* The connection a pipeline side names, checked for the operations that side needs. */
static void side_check(vctx *c, const char *path, json_object *v, const char *role,
                       uint32_t needs)
{
    char fix[128];
    snprintf(fix, sizeof(fix), "name the %s connection from $.connections", role);
    const char *name = want_string(c, path, v, fix);
    if (!name)
        return;
    const hs_config_connection *conn = hs_config_find_connection(c->cfg, name);
    if (!conn) {
        const char *names[128] = {NULL};
        size_t n = 0;
        for (size_t i = 0; i < c->cfg->n_connections && n < 128; i++) {
            if (c->cfg->connections[i].name)
                names[n++] = c->cfg->connections[i].name;
        }
        const char *guess = closest(name, names, n);
        if (guess) {
            verr(c, path, "unknown connection \"%s\"; did you mean \"%s\"?", name, guess);
        } else {
            char list[600];
            list_words(list, sizeof(list), names, n);
            verr(c, path, "unknown connection \"%s\"; %s (%s)", name, fix,
                 n ? list : "none configured");
        }
        return;
    }
    if (!conn->manifest)
        return;   /* its connector is unknown; reported under $.connections */
    uint32_t missing = needs & ~conn->manifest->capabilities;
    if (!missing)
        return;
    char caps[128];
    hs_capabilities_format(missing, caps, sizeof(caps));
    verr(c, path, "connection \"%s\" (connector %s) cannot serve as the %s side: it lacks %s; "
         "name a connection whose connector offers it", name, conn->connector, role, caps);
}

static const char *obj_string(json_object *obj, const char *key)
{
    json_object *v;
    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

/* Where a reverse proxy makes the listener reachable (webhook subscriptions point there). */
static void public_url_check(vctx *c, const char *path, json_object *v, char **keep)
{
    char why[256];
    const char *s = want_string(c, path, v, "write \"https://hiresync.example.com\"");
    if (!s)
        return;
    if (hs_public_url_check(s, why, sizeof why) != 0)
        verr(c, path, "%s", why);
    else if (keep && !(*keep = strdup(s)))
        verr(c, path, "out of memory");
}

static void pipeline_check(vctx *c, const char *name, json_object *p)
{
    static const char *const known[] = {"ats", "interviews", "enabled", "interval", "mappings",
                                        "public_url"};
    char path[PATH_BUF], kpath[PATH_BUF];
    join(path, "$.pipelines", name);
    if (!name_ok(name)) {
        verr(c, path, "bad pipeline name; use 1 to 100 letters, digits, '.', '_' or '-', not "
             "starting with '.'");
        return;
    }
    if (!json_object_is_type(p, json_type_object)) {
        verr(c, path, "must be an object, not %s; write { \"ats\": ..., \"interviews\": ..., "
             "\"mappings\": [...] }", hs_json_type_phrase(p));
        return;
    }
    check_unknown(c, path, p, known, 6);
    json_object *pu;
    join(kpath, path, "public_url");
    if (json_object_object_get_ex(p, "public_url", &pu))
        public_url_check(c, kpath, pu, NULL);
    json_object *v = need_key(c, path, p, "ats", "add \"ats\": the ATS connection's name");
    join(kpath, path, "ats");
    if (v)
        side_check(c, kpath, v, "ATS", HS_CAP_READ_CHANGES | HS_CAP_WRITE_NOTE);
    v = need_key(c, path, p, "interviews",
                 "add \"interviews\": the interview platform connection's name");
    join(kpath, path, "interviews");
    if (v)
        side_check(c, kpath, v, "interviews", HS_CAP_WRITE_INVITATION | HS_CAP_READ_CHANGES);
    join(kpath, path, "enabled");
    if (json_object_object_get_ex(p, "enabled", &v))
        want_bool(c, kpath, v);
    else
        add_default(c, kpath, p, "enabled", json_object_new_boolean(1));
    join(kpath, path, "interval");
    int64_t secs;
    if (!json_object_object_get_ex(p, "interval", &v))
        add_default(c, kpath, p, "interval", json_object_new_string("3h"));
    else if (!json_object_is_type(v, json_type_string)
             || hs_config_interval_parse(json_object_get_string(v), &secs) != 0)
        verr(c, kpath, "%s%s%s is not a valid interval; write a number and a unit s, m, h or "
             "d, at least 1m, such as \"3h\"",
             json_object_is_type(v, json_type_string) ? "\"" : "",
             json_object_is_type(v, json_type_string) ? json_object_get_string(v)
                                                      : hs_json_type_phrase(v),
             json_object_is_type(v, json_type_string) ? "\"" : "");
    join(kpath, path, "mappings");
    v = need_key(c, path, p, "mappings", "add \"mappings\": [ { \"interview\": \"<key>\", "
                 "\"jobs\": [...] } ]");
    if (!v)
        return;
    if (!json_object_is_type(v, json_type_array)) {
        verr(c, kpath, "must be an array, not %s; write [ { \"interview\": ..., \"jobs\": "
             "[...] } ]", hs_json_type_phrase(v));
        return;
    }
    if (json_object_array_length(v) == 0) {
        verr(c, kpath, "is empty; map at least one interview to its jobs");
        return;
    }
    ats_side ats = {obj_string(p, "ats"), NULL};
    if (ats.name != NULL)
        ats.conn = hs_config_find_connection(c->cfg, ats.name);
    for (size_t i = 0; i < json_object_array_length(v); i++) {
        char mpath[PATH_BUF];
        join_idx(mpath, kpath, i);
        mapping_check(c, mpath, json_object_array_get_idx(v, i), &ats);
    }
}

static void pipelines_load(vctx *c, json_object *pipelines)
{
    if (!json_object_is_type(pipelines, json_type_object)) {
        verr(c, "$.pipelines", "must be an object, not %s; write { \"<name>\": { ... } }",
             hs_json_type_phrase(pipelines));
        return;
    }
    json_object_object_foreach(pipelines, name, p) {
        pipeline_check(c, name, p);
    }
    c->cfg->pipelines = json_object_get(pipelines);
}

/* ---- top level ---------------------------------------------------------------------------- */

static void top_string(vctx *c, json_object *top, const char *key, char **out)
{
    json_object *v;
    char path[PATH_BUF];
    join(path, "$", key);
    if (!json_object_object_get_ex(top, key, &v))
        return;
    const char *s = want_string(c, path, v, "write a directory path in double quotes");
    if (s && !(*out = strdup(s)))
        verr(c, path, "out of memory");
}

/* Directories searched for connectors before the built-in one. Absolute only: a relative
 * entry would depend on the directory hiresync happens to start in. */
static void top_connector_path(vctx *c, json_object *top)
{
    json_object *v;
    hs_config *cfg = c->cfg;
    if (!json_object_object_get_ex(top, "connector_path", &v))
        return;
    if (!json_object_is_type(v, json_type_array)) {
        verr(c, "$.connector_path", "must be an array of directory paths, not %s; write "
             "[\"/opt/hiresync/connectors\"]", hs_json_type_phrase(v));
        return;
    }
    size_t n = json_object_array_length(v);
    cfg->connector_path = calloc(n ? n : 1, sizeof(char *));
    if (!cfg->connector_path) {
        verr(c, "$.connector_path", "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        char path[PATH_BUF];
        join_idx(path, "$.connector_path", i);
        const char *dir = want_string(c, path, json_object_array_get_idx(v, i),
                                      "write a directory path in double quotes");
        if (!dir)
            continue;
        if (dir[0] != '/') {
            verr(c, path, "\"%s\" is not an absolute path; write the whole directory path, "
                 "starting with /", dir);
            continue;
        }
        if (!(cfg->connector_path[cfg->n_connector_path] = strdup(dir))) {
            verr(c, path, "out of memory");
            return;
        }
        cfg->n_connector_path++;
    }
}

/* Which shard of the pipelines this runner takes: one copy of the configuration for every
 * pod of an Indexed Job usually gives it on the command line instead (--shard). */
static void top_shard(vctx *c, json_object *top)
{
    json_object *v;
    hs_shard shard;
    char why[256];
    if (!json_object_object_get_ex(top, "shard", &v))
        return;
    const char *s = want_string(c, "$.shard", v, "write \"INDEX/COUNT\" such as \"0/4\"");
    if (!s)
        return;
    if (hs_shard_parse(s, &shard, why, sizeof why) != 0) {
        verr(c, "$.shard", "%s", why);
        return;
    }
    if (!(c->cfg->shard = strdup(s)))
        verr(c, "$.shard", "out of memory");
}

/* Where `run` serves metrics, health and webhooks; absent: no listener. */
static void top_listen(vctx *c, json_object *top)
{
    json_object *v;
    hs_listen_addr addr;
    char why[256];
    if (!json_object_object_get_ex(top, "listen", &v))
        return;
    const char *s = want_string(c, "$.listen", v, "write \"127.0.0.1:9464\"");
    if (!s)
        return;
    if (hs_listen_addr_parse(s, &addr, why, sizeof why) != 0) {
        verr(c, "$.listen", "%s", why);
        return;
    }
    if (!(c->cfg->listen = strdup(s)))
        verr(c, "$.listen", "out of memory");
}

/* "discovery_ttl": an interval, or "0" to list jobs and interviews every cycle. */
static void top_discovery_ttl(vctx *c, json_object *top)
{
    json_object *v;
    const char *text;
    int64_t s;
    if (!json_object_object_get_ex(top, "discovery_ttl", &v))
        return;
    text = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
    if (text != NULL && strcmp(text, "0") == 0) {
        c->cfg->discovery_ttl_s = 0;
        return;
    }
    if (text == NULL || hs_config_interval_parse(text, &s) != 0) {
        verr(c, "$.discovery_ttl", "must be an interval of at least 60 s such as \"1h\", or "
             "\"0\" to list jobs every cycle");
        return;
    }
    c->cfg->discovery_ttl_s = s;
}

static void top_settings(vctx *c, json_object *top)
{
    json_object *v;
    hs_config *cfg = c->cfg;
    top_string(c, top, "state_dir", &cfg->state_dir);
    top_string(c, top, "connector_dir", &cfg->connector_dir);
    top_connector_path(c, top);
    top_shard(c, top);
    top_listen(c, top);
    if (json_object_object_get_ex(top, "public_url", &v))
        public_url_check(c, "$.public_url", v, &cfg->public_url);
    top_discovery_ttl(c, top);
    if (json_object_object_get_ex(top, "workers", &v)) {
        int64_t w = json_object_get_int64(v);
        if (!json_object_is_type(v, json_type_int) || w < 1 || w > 64)
            verr(c, "$.workers", "must be a whole number from 1 to 64; write e.g. 4");
        else
            cfg->workers = (int)w;
    }
    if (json_object_object_get_ex(top, "log_level", &v)
        && (!json_object_is_type(v, json_type_string)
            || hs_log_level_parse(json_object_get_string(v), &cfg->log_level) != 0))
        verr(c, "$.log_level", "unknown log level; use one of: error, warn, info, debug");
    if (json_object_object_get_ex(top, "log_format", &v)
        && (!json_object_is_type(v, json_type_string)
            || hs_log_format_parse(json_object_get_string(v), &cfg->log_format) != 0))
        verr(c, "$.log_format", "unknown log format; use text or json");
}

static void validate(vctx *c, json_object *top)
{
    static const char *const known[] = {"state_dir", "connector_dir", "connector_path",
                                        "shard", "workers", "log_format", "log_level",
                                        "listen", "public_url", "discovery_ttl", "connections",
                                        "pipelines"};
    if (!json_object_is_type(top, json_type_object)) {
        verr(c, "$", "must be a JSON object, not %s; write { \"connections\": {...}, "
             "\"pipelines\": {...} }", hs_json_type_phrase(top));
        return;
    }
    check_unknown(c, "$", top, known, sizeof(known) / sizeof(known[0]));
    top_settings(c, top);
    json_object *v;
    if (json_object_object_get_ex(top, "connections", &v))
        connections_load(c, v);
    if (json_object_object_get_ex(top, "pipelines", &v))
        pipelines_load(c, v);
}

static hs_config *config_new(const char *path)
{
    hs_config *cfg = calloc(1, sizeof(*cfg));
    if (!cfg)
        return NULL;
    cfg->workers = HS_CONFIG_DEFAULT_WORKERS;
    cfg->discovery_ttl_s = HS_CONFIG_DEFAULT_DISCOVERY_TTL_S;
    cfg->log_level = HS_LOG_INFO;
    cfg->log_format = HS_LOG_FORMAT_TEXT;
    cfg->path = strdup(path);
    if (!cfg->path) {
        free(cfg);
        return NULL;
    }
    return cfg;
}

static void base_dir_of(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, size, ".");
    else if (slash == path)
        snprintf(out, size, "/");
    else
        snprintf(out, size, "%.*s", (int)(slash - path), path);
}

static int config_finish(vctx *c)
{
    hs_config *cfg = c->cfg;
    if (!cfg->state_dir && !(cfg->state_dir = strdup(HS_LOCALSTATEDIR "/lib/hiresync")))
        return -1;
    if (!cfg->pipelines && !(cfg->pipelines = json_object_new_object()))
        return -1;
    return 0;
}

int hs_config_read_connector_dirs(const char *path, hs_config_dirs *out)
{
    memset(out, 0, sizeof(*out));
    json_object *top = NULL;
    char err[512];
    if (hs_jsonfile_read(path, &top, err, sizeof(err)) != 0)
        return -1;
    hs_diag ignored;
    hs_diag_init(&ignored);
    vctx c;
    memset(&c, 0, sizeof(c));
    c.file = path;
    c.diag = &ignored;
    c.cfg = config_new(path);
    int rc = -1;
    if (!c.cfg || !json_object_is_type(top, json_type_object))
        goto out;
    /* The same validation as the whole load, so what is used is what will be accepted. */
    top_string(&c, top, "connector_dir", &c.cfg->connector_dir);
    top_connector_path(&c, top);
    out->connector_dir = c.cfg->connector_dir;
    out->connector_path = c.cfg->connector_path;
    out->n_connector_path = c.cfg->n_connector_path;
    c.cfg->connector_dir = NULL;
    c.cfg->connector_path = NULL;
    c.cfg->n_connector_path = 0;
    rc = 0;
out:
    hs_config_free(c.cfg);
    hs_diag_clear(&ignored);
    json_object_put(top);
    return rc;
}

void hs_config_dirs_clear(hs_config_dirs *dirs)
{
    for (size_t i = 0; i < dirs->n_connector_path; i++)
        free(dirs->connector_path[i]);
    free(dirs->connector_path);
    free(dirs->connector_dir);
    memset(dirs, 0, sizeof(*dirs));
}

int hs_config_load(const char *path, const hs_manifest_set *manifests, hs_config **out,
                   hs_diag *diag)
{
    return hs_config_load_flags(path, manifests, 0, out, diag);
}

int hs_config_load_flags(const char *path, const hs_manifest_set *manifests, unsigned flags,
                         hs_config **out, hs_diag *diag)
{
    vctx c;
    memset(&c, 0, sizeof(c));
    c.unresolved = (flags & HS_CONFIG_UNRESOLVED_SECRETS) != 0;
    c.file = path;
    c.diag = diag;
    c.manifests = manifests;
    *out = NULL;
    json_object *top = NULL;
    char err[512];
    if (hs_jsonfile_read(path, &top, err, sizeof(err)) != 0) {
        hs_diag_add(diag, "%s: %s", path, err);
        return -1;
    }
    c.cfg = config_new(path);
    if (!c.cfg) {
        hs_diag_add(diag, "%s: out of memory", path);
        json_object_put(top);
        return -1;
    }
    if (stat(path, &c.st) == 0)
        c.have_mode = 1;
    base_dir_of(path, c.base_dir, sizeof(c.base_dir));
    validate(&c, top);
    json_object_put(top);
    if (c.errors == 0 && config_finish(&c) != 0)
        verr(&c, "$", "out of memory");
    if (c.errors) {
        hs_config_free(c.cfg);
        return -1;
    }
    c.cfg->secrets_unresolved = c.unresolved;
    *out = c.cfg;
    return 0;
}

int hs_config_connection_settings(const hs_manifest *manifest, const char *label,
                                  const char *settings_json, char **out, hs_diag *diag)
{
    *out = NULL;
    json_object *obj = NULL;
    if (settings_json) {
        json_tokener *tok = json_tokener_new();
        if (tok) {
            obj = json_tokener_parse_ex(tok, settings_json, (int)strlen(settings_json));
            if (json_tokener_get_error(tok) != json_tokener_success
                || tok->char_offset < (int)strlen(settings_json)) {
                json_object_put(obj);
                obj = NULL;
            }
            json_tokener_free(tok);
        }
    }
    vctx c;
    memset(&c, 0, sizeof(c));
    c.file = label;
    c.diag = diag;
    c.cfg = config_new(label);
    snprintf(c.base_dir, sizeof(c.base_dir), ".");
    if (!c.cfg)
        verr(&c, "$", "out of memory");
    else if (!obj)
        verr(&c, "$", "not valid JSON; write one JSON object { ... }");
    else if (!json_object_is_type(obj, json_type_object))
        verr(&c, "$", "must be an object, not %s; write { \"<key>\": ... }",
             hs_json_type_phrase(obj));
    else
        connection_settings(&c, "$", manifest, obj, out);
    json_object_put(obj);
    hs_config_free(c.cfg);
    if (c.errors == 0)
        return 0;
    hs_secret_free(*out);
    *out = NULL;
    return -1;
}

void hs_config_free(hs_config *config)
{
    if (!config)
        return;
    for (size_t i = 0; i < config->n_connections; i++) {
        hs_config_connection *conn = &config->connections[i];
        free(conn->name);
        free(conn->connector);
        hs_secret_free(conn->config_json);
    }
    free(config->connections);
    for (size_t i = 0; i < config->n_secrets; i++)
        hs_secret_free(config->secrets[i]);
    free(config->secrets);
    json_object_put(config->pipelines);
    free(config->path);
    free(config->state_dir);
    free(config->connector_dir);
    free(config->shard);
    free(config->listen);
    free(config->public_url);
    for (size_t i = 0; i < config->n_connector_path; i++)
        free(config->connector_path[i]);
    free(config->connector_path);
    free(config);
}

const hs_config_connection *hs_config_find_connection(const hs_config *config,
                                                      const char *name)
{
    for (size_t i = 0; config && i < config->n_connections; i++) {
        if (config->connections[i].name && strcmp(config->connections[i].name, name) == 0)
            return &config->connections[i];
    }
    return NULL;
}
