/*
 * The connection's configuration. The host has checked it against
 * manifests/connectors/eploy.json and filled its defaults; what is left here is what the
 * values mean: the API address made of the subdomain or base_url, checked for safety.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eploy.h"
#include "hs_errors.h"
#include "hs_json.h"
#include "hs_url.h"

#define WHO "eploy"

static hs_status parse_address(json_object *cfg, hs_eploy_config *c, hs_error *err)
{
    const char *base = NULL, *sub = NULL;
    char url[512];
    size_t n;
    hs_status st = hs_json_cfg_str(cfg, "base_url", 0, &base, WHO, err);

    if (st != HS_OK || (st = hs_json_cfg_str(cfg, "subdomain", 0, &sub, WHO, err)) != HS_OK)
        return st;
    if (base != NULL) {
        if (hs_url_check_base(base, "eploy: base_url", err) != HS_OK)
            return HS_E_CONFIG;
        if (snprintf(url, sizeof url, "%s", base) >= (int)sizeof url)
            return hs_error_set(err, HS_E_CONFIG, 0, "eploy: base_url is too long");
    } else if (sub != NULL) {
        if (snprintf(url, sizeof url, "https://%s.eploy.net/api", sub) >= (int)sizeof url)
            return hs_error_set(err, HS_E_CONFIG, 0, "eploy: subdomain is too long");
    } else {
        return hs_error_set(err, HS_E_CONFIG, 0,
                            "eploy: set subdomain (\"acme\" for https://acme.eploy.net) or "
                            "base_url");
    }
    n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        url[--n] = '\0';
    c->base_url = strdup(url);
    return c->base_url != NULL ? HS_OK : hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
}

static hs_status read_int(json_object *cfg, const char *key, int64_t scale, int64_t *out,
                          hs_error *err)
{
    int64_t v;
    hs_status st = hs_json_cfg_int(cfg, key, &v, WHO, err);

    if (st == HS_OK)
        *out = v * scale;
    return st;
}

static hs_status parse_numbers(json_object *cfg, hs_eploy_config *c, hs_error *err)
{
    int64_t page_size, list, offset, timeout_ms, attempts;
    hs_status st = read_int(cfg, "page_size", 1, &page_size, err);

    if (st == HS_OK)
        st = read_int(cfg, "vacancy_status_list", 1, &list, err);
    if (st == HS_OK)
        st = read_int(cfg, "timezone_offset_min", 1, &offset, err);
    if (st == HS_OK)
        st = read_int(cfg, "request_timeout_s", 1000, &timeout_ms, err);
    if (st == HS_OK)
        st = read_int(cfg, "max_attempts", 1, &attempts, err);
    if (st == HS_OK)
        st = read_int(cfg, "daily_call_budget", 1, &c->daily_call_budget, err);
    if (st == HS_OK)
        st = read_int(cfg, "overlap_s", 1000, &c->overlap_ms, err);
    if (st == HS_OK)
        st = read_int(cfg, "signpost_lag_s", 1000, &c->signpost_lag_ms, err);
    if (st == HS_OK)
        st = read_int(cfg, "min_gap_ms", 1, &c->min_gap_ms, err);
    if (st != HS_OK)
        return st;
    c->page_size = (int)page_size;
    c->vacancy_status_list = (int)list;
    c->timezone_offset_min = (int)offset;
    c->request_timeout_ms = (long)timeout_ms;
    c->max_attempts = (int)attempts;
    return HS_OK;
}

/* A copy of the string at key into *out; NULL when optional and absent. */
static hs_status dup_str(json_object *cfg, const char *key, int required, char **out,
                         hs_error *err)
{
    const char *v = NULL;
    hs_status st = hs_json_cfg_str(cfg, key, required, &v, WHO, err);

    *out = NULL;
    if (st != HS_OK || v == NULL)
        return st;
    *out = strdup(v);
    return *out != NULL ? HS_OK : hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
}

static hs_status parse_strings(json_object *cfg, hs_eploy_config *c, hs_error *err)
{
    static const struct {
        const char *key;
        int required;
        size_t offset;
    } strings[] = {
        {"client_id", 1, offsetof(hs_eploy_config, client_id)},
        {"client_secret", 1, offsetof(hs_eploy_config, client_secret)},
        {"history_date_route", 1, offsetof(hs_eploy_config, history_date_route)},
        {"modified_date_route", 1, offsetof(hs_eploy_config, modified_date_route)},
        {"note_text_field", 1, offsetof(hs_eploy_config, note_text_field)},
        {"note_action_type", 0, offsetof(hs_eploy_config, note_action_type)},
        {"note_action_outcome", 0, offsetof(hs_eploy_config, note_action_outcome)},
        {"export_package", 0, offsetof(hs_eploy_config, export_package)},
    };
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        char **field = (char **)(void *)((char *)c + strings[i].offset);
        hs_status st = dup_str(cfg, strings[i].key, strings[i].required, field, err);
        if (st != HS_OK)
            return st;
    }
    return HS_OK;
}

hs_status hs_eploy_config_parse(const char *json, hs_eploy_config *c, hs_error *err)
{
    json_object *cfg;
    hs_status st;

    memset(c, 0, sizeof *c);
    cfg = hs_json_parse(json, json != NULL ? strlen(json) : 0, "eploy: configuration", err);
    if (cfg == NULL)
        return HS_E_CONFIG;
    if (!json_object_is_type(cfg, json_type_object)) {
        st = hs_error_set(err, HS_E_CONFIG, 0, "eploy: the configuration must be a JSON object");
        goto out;
    }
    if ((st = parse_address(cfg, c, err)) != HS_OK || (st = parse_strings(cfg, c, err)) != HS_OK
        || (st = parse_numbers(cfg, c, err)) != HS_OK)
        goto out;
    if ((st = hs_json_cfg_strv(cfg, "open_statuses", &c->open_statuses, &c->n_open_statuses, WHO,
                               err)) != HS_OK)
        goto out;
    st = hs_json_cfg_bool(cfg, "status_history", &c->status_history, WHO, err);
out:
    json_object_put(cfg);
    return st;
}

void hs_eploy_config_free(hs_eploy_config *c)
{
    free(c->base_url);
    free(c->client_id);
    if (c->client_secret != NULL) {
        /* Not left lying in freed memory. */
        memset(c->client_secret, 0, strlen(c->client_secret));
        free(c->client_secret);
    }
    hs_eploy_strv_free(c->open_statuses, c->n_open_statuses);
    free(c->history_date_route);
    free(c->modified_date_route);
    free(c->note_action_type);
    free(c->note_action_outcome);
    free(c->note_text_field);
    free(c->export_package);
    memset(c, 0, sizeof *c);
}
