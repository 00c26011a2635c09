/*
 * The connection's configuration. The host has validated it against
 * manifests/connectors/eploy.json and filled defaults; the checks here repeat what matters
 * for safety (the address) and give each key a usable value when run without a host.
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eploy.h"
#include "hs_errors.h"
#include "hs_json.h"
#include "hs_url.h"

static char *dup_str(json_object *cfg, const char *key, const char *fallback)
{
    const char *v = hs_json_str(cfg, key);

    if (v == NULL || *v == '\0')
        v = fallback;
    return v != NULL ? strdup(v) : NULL;
}

/* Integer setting within [lo, hi]; missing means fallback. -1 when present but out of range. */
static int get_int(json_object *cfg, const char *key, int64_t lo, int64_t hi, int64_t fallback,
                   int64_t *out, hs_error *err)
{
    int64_t v;

    if (hs_json_get(cfg, key) == NULL) {
        *out = fallback;
        return 0;
    }
    if (hs_json_int(cfg, key, &v) != 0 || v < lo || v > hi) {
        hs_error_set(err, HS_E_CONFIG, 0, "eploy: %s must be an integer from %lld to %lld", key,
                     (long long)lo, (long long)hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int valid_subdomain(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)s[i]) && s[i] != '-')
            return 0;
    }
    return 1;
}

static hs_status parse_address(json_object *cfg, hs_eploy_config *c, hs_error *err)
{
    const char *base = hs_json_str(cfg, "base_url");
    const char *sub = hs_json_str(cfg, "subdomain");
    char url[512];
    size_t n;

    if (base != NULL && *base != '\0') {
        if (hs_url_check_base(base, "eploy: base_url", err) != HS_OK)
            return HS_E_CONFIG;
        if (snprintf(url, sizeof url, "%s", base) >= (int)sizeof url)
            return hs_error_set(err, HS_E_CONFIG, 0, "eploy: base_url is too long");
    } else if (sub != NULL && *sub != '\0') {
        if (!valid_subdomain(sub))
            return hs_error_set(err, HS_E_CONFIG, 0,
                                "eploy: subdomain may hold only letters, digits and hyphens "
                                "(\"acme\" for https://acme.eploy.net)");
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

static hs_status parse_open_statuses(json_object *cfg, hs_eploy_config *c, hs_error *err)
{
    json_object *arr = hs_json_get(cfg, "open_statuses");
    size_t n;

    if (arr == NULL) {
        c->open_statuses = calloc(1, sizeof *c->open_statuses);
        if (c->open_statuses == NULL || (c->open_statuses[0] = strdup("Open")) == NULL)
            return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
        c->n_open_statuses = 1;
        return HS_OK;
    }
    if (!json_object_is_type(arr, json_type_array) || (n = json_object_array_length(arr)) == 0)
        return hs_error_set(err, HS_E_CONFIG, 0,
                            "eploy: open_statuses must be a non-empty array of status names");
    c->open_statuses = calloc(n, sizeof *c->open_statuses);
    if (c->open_statuses == NULL)
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(arr, i);
        const char *s = json_object_is_type(e, json_type_string) ? json_object_get_string(e)
                                                                  : NULL;
        if (s == NULL || *s == '\0')
            return hs_error_set(err, HS_E_CONFIG, 0,
                                "eploy: open_statuses[%zu] must be a status name or id", i);
        if ((c->open_statuses[i] = strdup(s)) == NULL)
            return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
        c->n_open_statuses = i + 1;
    }
    return HS_OK;
}

static hs_status parse_numbers(json_object *cfg, hs_eploy_config *c, hs_error *err)
{
    int64_t v;

    if (get_int(cfg, "page_size", 1, 100, 100, &v, err) != 0)
        return HS_E_CONFIG;
    c->page_size = (int)v;
    if (get_int(cfg, "vacancy_status_list", 1, 100000, 50, &v, err) != 0)
        return HS_E_CONFIG;
    c->vacancy_status_list = (int)v;
    if (get_int(cfg, "timezone_offset_min", -840, 840, 0, &v, err) != 0)
        return HS_E_CONFIG;
    c->timezone_offset_min = (int)v;
    if (get_int(cfg, "request_timeout_s", 1, 600, 30, &v, err) != 0)
        return HS_E_CONFIG;
    c->request_timeout_ms = (long)v * 1000;
    if (get_int(cfg, "max_attempts", 1, 10, 4, &v, err) != 0)
        return HS_E_CONFIG;
    c->max_attempts = (int)v;
    if (get_int(cfg, "daily_call_budget", 0, 100000000, 0, &v, err) != 0)
        return HS_E_CONFIG;
    c->daily_call_budget = v;
    if (get_int(cfg, "overlap_s", 0, 86400, 300, &v, err) != 0)
        return HS_E_CONFIG;
    c->overlap_ms = v * 1000;
    if (get_int(cfg, "signpost_lag_s", 0, 3600, 5, &v, err) != 0)
        return HS_E_CONFIG;
    c->signpost_lag_ms = v * 1000;
    if (get_int(cfg, "min_gap_ms", 0, 60000, 0, &v, err) != 0)
        return HS_E_CONFIG;
    c->min_gap_ms = v;
    return HS_OK;
}

hs_status hs_eploy_config_parse(const char *json, hs_eploy_config *c, hs_error *err)
{
    json_object *cfg;
    json_object *sh;
    hs_status st;

    memset(c, 0, sizeof *c);
    cfg = hs_json_parse(json, json != NULL ? strlen(json) : 0, "eploy: configuration", err);
    if (cfg == NULL)
        return HS_E_CONFIG;
    if (!json_object_is_type(cfg, json_type_object)) {
        st = hs_error_set(err, HS_E_CONFIG, 0, "eploy: the configuration must be a JSON object");
        goto out;
    }
    if ((st = parse_address(cfg, c, err)) != HS_OK)
        goto out;
    c->client_id = dup_str(cfg, "client_id", NULL);
    c->client_secret = dup_str(cfg, "client_secret", NULL);
    if (c->client_id == NULL || c->client_secret == NULL) {
        st = hs_error_set(err, HS_E_CONFIG, 0,
                          "eploy: set client_id and client_secret (the REST API key's Client ID "
                          "and Client Secret)");
        goto out;
    }
    if ((st = parse_open_statuses(cfg, c, err)) != HS_OK || (st = parse_numbers(cfg, c, err)) != HS_OK)
        goto out;
    c->history_date_route = dup_str(cfg, "history_date_route", "StatusHistory.StatusDate");
    c->modified_date_route = dup_str(cfg, "modified_date_route", "Application.ModificationDate");
    c->note_text_field = dup_str(cfg, "note_text_field", "Description");
    c->note_action_type = dup_str(cfg, "note_action_type", NULL);
    c->note_action_outcome = dup_str(cfg, "note_action_outcome", NULL);
    sh = hs_json_get(cfg, "status_history");
    c->status_history = sh == NULL || json_object_get_boolean(sh);
    if (c->history_date_route == NULL || c->modified_date_route == NULL ||
        c->note_text_field == NULL) {
        st = hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
        goto out;
    }
    st = HS_OK;
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
    memset(c, 0, sizeof *c);
}
