/*
 * The Willo connection's configuration, read from the JSON object the host passes to open().
 * The host has checked it against manifests/connectors/willo.json and filled its defaults;
 * what is left here is what the values mean: the named bases, the scheme names, the calling
 * code's form.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>

#include "hs_errors.h"
#include "hs_json.h"
#include "hs_url.h"
#include "willo.h"

#define WHO "willo config"

static const char *const scheme_names[HS_WILLO_N_SCHEMES] = { "bearer", "token", "raw" };

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
    free(cfg->started_field);
    free(cfg->expired_field);
    free(cfg->declined_field);
    free(cfg->updated_field);
    memset(cfg, 0, sizeof *cfg);
}

static hs_status parse_base_url(json_object *root, hs_willo_config *cfg, hs_error *err)
{
    const char *base = NULL;
    hs_status st = hs_json_cfg_str(root, "base_url", 1, &base, WHO, err);
    if (st != HS_OK)
        return st;
    if (strcmp(base, "production") == 0)
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
    hs_status st = hs_json_cfg_str(root, "auth_scheme", 1, &s, WHO, err);
    if (st != HS_OK)
        return st;
    cfg->scheme = HS_WILLO_AUTO;
    for (int i = 0; i < HS_WILLO_N_SCHEMES; i++) {
        if (strcmp(s, scheme_names[i]) == 0)
            cfg->scheme = i;
    }
    if (cfg->scheme == HS_WILLO_AUTO && strcmp(s, "auto") != 0)
        return hs_error_set(err, HS_E_CONFIG, 0,
                            "willo config: \"auth_scheme\" must be bearer, token, raw or auto");
    return HS_OK;
}

/* The manifest's pattern admits "+44" and "44"; requests carry the digits alone. */
static hs_status parse_country_code(json_object *root, hs_willo_config *cfg, hs_error *err)
{
    const char *cc = NULL;
    hs_status st = hs_json_cfg_str(root, "default_country_code", 0, &cc, WHO, err);
    if (st != HS_OK || cc == NULL)
        return st;
    if (*cc == '+')
        cc++;
    size_t n = strlen(cc);
    if (n == 0 || n >= sizeof cfg->default_country_code)
        return hs_error_set(err, HS_E_CONFIG, 0,
                            "willo config: \"default_country_code\" must be a calling code "
                            "of 1 to 3 digits, such as \"44\"");
    memcpy(cfg->default_country_code, cc, n + 1);
    return HS_OK;
}

static hs_status parse_numbers(json_object *root, hs_willo_config *cfg, hs_error *err)
{
    int64_t page_size, timeout_s, gap, overlap_s, attempts, backoff;
    hs_status st = hs_json_cfg_int(root, "page_size", &page_size, WHO, err);
    if (st == HS_OK)
        st = hs_json_cfg_int(root, "request_timeout_s", &timeout_s, WHO, err);
    if (st == HS_OK)
        st = hs_json_cfg_int(root, "min_gap_ms", &gap, WHO, err);
    if (st == HS_OK)
        st = hs_json_cfg_int(root, "overlap_s", &overlap_s, WHO, err);
    if (st == HS_OK)
        st = hs_json_cfg_int(root, "max_attempts", &attempts, WHO, err);
    if (st == HS_OK)
        st = hs_json_cfg_int(root, "retry_backoff_ms", &backoff, WHO, err);
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

/* A lifecycle time's field name; the manifest gives the default and the pattern. */
static hs_status parse_field(json_object *root, const char *key, char **out, hs_error *err)
{
    const char *s = NULL;
    hs_status st = hs_json_cfg_str(root, key, 1, &s, WHO, err);
    if (st != HS_OK)
        return st;
    *out = strdup(s);
    return *out ? HS_OK : hs_error_set(err, HS_E_INTERNAL, 0, "willo config: out of memory");
}

static hs_status parse_fields(json_object *root, hs_willo_config *cfg, hs_error *err)
{
    hs_status st = parse_field(root, "started_field", &cfg->started_field, err);
    if (st == HS_OK)
        st = parse_field(root, "expired_field", &cfg->expired_field, err);
    if (st == HS_OK)
        st = parse_field(root, "declined_field", &cfg->declined_field, err);
    if (st == HS_OK)
        st = parse_field(root, "updated_field", &cfg->updated_field, err);
    return st;
}

static hs_status parse_root(json_object *root, hs_willo_config *cfg, hs_error *err)
{
    if (!json_object_is_type(root, json_type_object))
        return hs_error_set(err, HS_E_CONFIG, 0, "willo config: must be a JSON object");
    const char *key = NULL;
    hs_status st = hs_json_cfg_str(root, "api_key", 1, &key, WHO, err);
    if (st != HS_OK)
        return st;
    cfg->api_key = strdup(key);
    if (!cfg->api_key)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo config: out of memory");
    st = parse_base_url(root, cfg, err);
    if (st == HS_OK)
        st = parse_scheme(root, cfg, err);
    if (st == HS_OK)
        st = hs_json_cfg_strv(root, "link_fields", &cfg->link_fields, &cfg->n_link_fields, WHO,
                              err);
    if (st == HS_OK)
        st = parse_country_code(root, cfg, err);
    if (st == HS_OK)
        st = parse_numbers(root, cfg, err);
    if (st == HS_OK)
        st = parse_fields(root, cfg, err);
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
