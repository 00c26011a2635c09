/*
 * The Willo connection's configuration: parsed from the JSON object the host passes to open()
 * (manifests/connectors/willo.json is its schema). The host has validated it already; the
 * checks here repeat what matters so that a direct caller (a test, another host) gets the same
 * one-line errors.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "hs_errors.h"
#include "hs_json.h"
#include "hs_url.h"
#include "willo.h"

static const char *const scheme_names[HS_WILLO_N_SCHEMES] = { "bearer", "token", "raw" };

static const char *const known_keys[] = {
    "api_key", "base_url", "auth_scheme", "link_fields", "page_size", "request_timeout_s",
    "min_gap_ms", "overlap_s", "max_attempts", "retry_backoff_ms", "default_country_code",
};

const char *hs_willo_scheme_name(int scheme)
{
    if (scheme < 0 || scheme >= HS_WILLO_N_SCHEMES)
        return "auto";
    return scheme_names[scheme];
}

void hs_willo_config_clear(hs_willo_config *cfg)
{
    if (!cfg)
        return;
    if (cfg->api_key) {
        /* volatile so that the wipe of the secret is not optimised away */
        volatile char *p = cfg->api_key;
        while (*p)
            *p++ = 0;
    }
    free(cfg->api_key);
    free(cfg->base_url);
    for (size_t i = 0; i < cfg->n_link_fields; i++)
        free(cfg->link_fields[i]);
    free(cfg->link_fields);
    memset(cfg, 0, sizeof *cfg);
}

static int is_known_key(const char *key)
{
    for (size_t i = 0; i < sizeof known_keys / sizeof known_keys[0]; i++)
        if (strcmp(key, known_keys[i]) == 0)
            return 1;
    return 0;
}

/* Reads an optional integer member into *out within [min, max]. */
static hs_status get_int(json_object *root, const char *key, int64_t min, int64_t max,
                         int64_t *out, hs_error *err)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(root, key, &v) || v == NULL)
        return HS_OK;
    if (!json_object_is_type(v, json_type_int))
        return hs_error_set(err, HS_E_CONFIG, 0, "willo config: \"%s\" must be an integer", key);
    int64_t n = json_object_get_int64(v);
    if (n < min || n > max)
        return hs_error_set(err, HS_E_CONFIG, 0,
                            "willo config: \"%s\" must be between %lld and %lld", key,
                            (long long)min, (long long)max);
    *out = n;
    return HS_OK;
}

/* Reads an optional string member; *out is borrowed from root, NULL when absent. */
static hs_status get_str(json_object *root, const char *key, const char **out, hs_error *err)
{
    json_object *v = NULL;
    *out = NULL;
    if (!json_object_object_get_ex(root, key, &v) || v == NULL)
        return HS_OK;
    if (!json_object_is_type(v, json_type_string))
        return hs_error_set(err, HS_E_CONFIG, 0, "willo config: \"%s\" must be a string", key);
    *out = json_object_get_string(v);
    return HS_OK;
}

static hs_status parse_base_url(json_object *root, hs_willo_config *cfg, hs_error *err)
{
    const char *base = NULL;
    hs_status st = get_str(root, "base_url", &base, err);
    if (st != HS_OK)
        return st;
    if (base == NULL || *base == '\0' || strcmp(base, "production") == 0)
        base = HS_WILLO_PRODUCTION_URL;
    else if (strcmp(base, "staging") == 0)
        base = HS_WILLO_STAGING_URL;
    st = hs_url_check_base(base, "willo config: base_url", err);
    if (st != HS_OK)
        return st;
    cfg->base_url = strdup(base);
    if (!cfg->base_url)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo config: out of memory");
    size_t n = strlen(cfg->base_url);
    while (n > 0 && cfg->base_url[n - 1] == '/')
        cfg->base_url[--n] = '\0';
    return HS_OK;
}

static hs_status parse_scheme(json_object *root, hs_willo_config *cfg, hs_error *err)
{
    const char *s = NULL;
    hs_status st = get_str(root, "auth_scheme", &s, err);
    if (st != HS_OK)
        return st;
    cfg->scheme = HS_WILLO_BEARER;
    if (s == NULL)
        return HS_OK;
    if (strcmp(s, "auto") == 0) {
        cfg->scheme = HS_WILLO_AUTO;
        return HS_OK;
    }
    for (int i = 0; i < HS_WILLO_N_SCHEMES; i++) {
        if (strcmp(s, scheme_names[i]) == 0) {
            cfg->scheme = i;
            return HS_OK;
        }
    }
    return hs_error_set(err, HS_E_CONFIG, 0,
                        "willo config: \"auth_scheme\" must be bearer, token, raw or auto");
}

static hs_status add_link_field(hs_willo_config *cfg, const char *name, hs_error *err)
{
    char **grown = realloc(cfg->link_fields, (cfg->n_link_fields + 1) * sizeof *grown);
    if (!grown)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo config: out of memory");
    cfg->link_fields = grown;
    cfg->link_fields[cfg->n_link_fields] = strdup(name);
    if (!cfg->link_fields[cfg->n_link_fields])
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo config: out of memory");
    cfg->n_link_fields++;
    return HS_OK;
}

static hs_status parse_link_fields(json_object *root, hs_willo_config *cfg, hs_error *err)
{
    json_object *v = NULL;
    hs_status st;
    if (!json_object_object_get_ex(root, "link_fields", &v) || v == NULL) {
        st = add_link_field(cfg, "share_link", err);
        return st != HS_OK ? st : add_link_field(cfg, "responses.media_url", err);
    }
    if (!json_object_is_type(v, json_type_array))
        return hs_error_set(err, HS_E_CONFIG, 0,
                            "willo config: \"link_fields\" must be an array of field names");
    for (size_t i = 0; i < json_object_array_length(v); i++) {
        json_object *e = json_object_array_get_idx(v, i);
        if (!json_object_is_type(e, json_type_string) || json_object_get_string_len(e) == 0)
            return hs_error_set(err, HS_E_CONFIG, 0,
                                "willo config: \"link_fields\" must hold non-empty strings");
        st = add_link_field(cfg, json_object_get_string(e), err);
        if (st != HS_OK)
            return st;
    }
    return HS_OK;
}

static hs_status parse_country_code(json_object *root, hs_willo_config *cfg, hs_error *err)
{
    const char *cc = NULL;
    hs_status st = get_str(root, "default_country_code", &cc, err);
    if (st != HS_OK || cc == NULL)
        return st;
    if (*cc == '+')
        cc++;
    size_t n = strlen(cc);
    int digits = n >= 1 && n <= 3 && cc[0] != '0';
    for (size_t i = 0; digits && i < n; i++)
        digits = cc[i] >= '0' && cc[i] <= '9';
    if (!digits)
        return hs_error_set(err, HS_E_CONFIG, 0,
                            "willo config: \"default_country_code\" must be a calling code "
                            "of 1 to 3 digits, such as \"44\"");
    memcpy(cfg->default_country_code, cc, n + 1);
    return HS_OK;
}

static hs_status parse_numbers(json_object *root, hs_willo_config *cfg, hs_error *err)
{
    int64_t page_size = 30, timeout_s = 30, gap = 1000, overlap_s = 1800, attempts = 4,
            backoff = 500;
    hs_status st = get_int(root, "page_size", 1, 30, &page_size, err);
    if (st == HS_OK)
        st = get_int(root, "request_timeout_s", 1, 600, &timeout_s, err);
    if (st == HS_OK)
        st = get_int(root, "min_gap_ms", 0, 60000, &gap, err);
    if (st == HS_OK)
        st = get_int(root, "overlap_s", 0, 7 * 86400, &overlap_s, err);
    if (st == HS_OK)
        st = get_int(root, "max_attempts", 1, 10, &attempts, err);
    if (st == HS_OK)
        st = get_int(root, "retry_backoff_ms", 1, 60000, &backoff, err);
    if (st != HS_OK)
        return st;
    cfg->page_size = (int)page_size;
    cfg->timeout_ms = (long)timeout_s * 1000L;
    cfg->min_gap_ms = gap;
    cfg->overlap_ms = overlap_s * 1000;
    cfg->max_attempts = (int)attempts;
    cfg->backoff_ms = backoff;
    return HS_OK;
}

static hs_status parse_root(json_object *root, hs_willo_config *cfg, hs_error *err)
{
    if (!json_object_is_type(root, json_type_object))
        return hs_error_set(err, HS_E_CONFIG, 0, "willo config: must be a JSON object");
    json_object_object_foreach(root, name, val) {
        (void)val;
        if (!is_known_key(name))
            return hs_error_set(err, HS_E_CONFIG, 0,
                                "willo config: unknown key \"%s\" (see manifests/connectors/"
                                "willo.json)", name);
    }
    const char *key = NULL;
    hs_status st = get_str(root, "api_key", &key, err);
    if (st != HS_OK)
        return st;
    if (key == NULL || *key == '\0')
        return hs_error_set(err, HS_E_CONFIG, 0,
                            "willo config: \"api_key\" is required (Willo: Integrations > API)");
    if (strpbrk(key, "\r\n"))
        return hs_error_set(err, HS_E_CONFIG, 0,
                            "willo config: \"api_key\" must be one line");
    cfg->api_key = strdup(key);
    if (!cfg->api_key)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo config: out of memory");
    st = parse_base_url(root, cfg, err);
    if (st == HS_OK)
        st = parse_scheme(root, cfg, err);
    if (st == HS_OK)
        st = parse_link_fields(root, cfg, err);
    if (st == HS_OK)
        st = parse_country_code(root, cfg, err);
    if (st == HS_OK)
        st = parse_numbers(root, cfg, err);
    return st;
}

hs_status hs_willo_config_parse(const char *config_json, hs_willo_config *cfg, hs_error *err)
{
    if (!config_json)
        return hs_error_set(err, HS_E_CONFIG, 0, "willo config: missing");
    json_object *root = hs_json_parse(config_json, strlen(config_json), "willo config", err);
    if (!root) {
        if (err)
            err->http_status = 0;
        return hs_error_set(err, HS_E_CONFIG, 0, "willo config: not valid JSON");
    }
    hs_status st = parse_root(root, cfg, err);
    json_object_put(root);
    if (st != HS_OK)
        hs_willo_config_clear(cfg);
    return st;
}
