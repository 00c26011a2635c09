/*
 * Every request to Willo goes through here: the Authorization scheme (fixed, or found by
 * "auto" and then kept for the connection's life), the classification of answers, and list
 * walking that follows "next" links only on the configured base's origin. HTTP itself
 * (retries, Retry-After, timeouts, size limits, the minimum gap between requests, creates
 * sent once) is hs_http's.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_errors.h"
#include "hs_json.h"
#include "hs_url.h"
#include "willo.h"

/* A list that never ends is a remote bug; stop walking it instead of looping forever. */
#define MAX_PAGES 100000

char *hs_willo_url(const hs_conn *c, const char *path, const char *query)
{
    size_t n = strlen(c->cfg.base_url) + strlen(path) + (query ? strlen(query) : 0) + 3;
    char *url = malloc(n);
    if (!url)
        return NULL;
    int w = snprintf(url, n, "%s%s%s%s", c->cfg.base_url, path, query ? "?" : "",
                     query ? query : "");
    if (w < 0 || (size_t)w >= n) {
        free(url);
        return NULL;
    }
    return url;
}

static void wipe(char *s, size_t n)
{
    volatile char *p = s;
    for (size_t i = 0; i < n; i++)
        p[i] = 0;
}

static hs_status perform(hs_conn *c, const char *method, const char *url, const char *payload,
                         int once, int scheme, hs_http_response *resp, hs_error *err)
{
    static const char *const prefixes[HS_WILLO_N_SCHEMES] = { "Bearer ", "Token ", "" };
    size_t n = strlen(c->cfg.api_key) + 32;
    char *auth = malloc(n);
    if (!auth)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
    int w = snprintf(auth, n, "Authorization: %s%s", prefixes[scheme], c->cfg.api_key);
    hs_status st;
    if (w < 0 || (size_t)w >= n) {
        st = hs_error_set(err, HS_E_INTERNAL, 0, "willo: Authorization header did not fit");
        goto out;
    }
    const char *headers[] = { auth, "Accept: application/json" };
    hs_http_request req = {
        .method = method, .url = url, .headers = headers, .n_headers = 2,
        .body = payload, .body_len = payload ? strlen(payload) : 0,
        .content_type = payload ? "application/json" : NULL, .once = once,
    };
    st = hs_http_perform(c->http, &req, resp, err);
out:
    wipe(auth, n);
    free(auth);
    return st;
}

/* The next scheme "auto" tries after a 401: the server's WWW-Authenticate hint first, then the
 * others in their usual order, each once. -1 when all were tried. */
static int next_scheme(const int tried[HS_WILLO_N_SCHEMES], const char *hint)
{
    int hinted = -1;
    if (strncmp(hint, "Bearer", 6) == 0 || strncmp(hint, "bearer", 6) == 0)
        hinted = HS_WILLO_BEARER;
    else if (strncmp(hint, "Token", 5) == 0 || strncmp(hint, "token", 5) == 0)
        hinted = HS_WILLO_TOKEN;
    if (hinted >= 0 && !tried[hinted])
        return hinted;
    for (int s = 0; s < HS_WILLO_N_SCHEMES; s++)
        if (!tried[s])
            return s;
    return -1;
}

void hs_willo_error_text(json_object *body, char *out, size_t out_size)
{
    size_t used = 0;
    out[0] = '\0';
    const char *detail = hs_json_str(body, "detail");
    if (detail) {
        snprintf(out, out_size, "%s", detail);
        return;
    }
    if (!json_object_is_type(body, json_type_object))
        return;
    json_object_object_foreach(body, key, val) {
        const char *msg = NULL;
        if (json_object_is_type(val, json_type_array) && json_object_array_length(val) > 0)
            msg = json_object_get_string(json_object_array_get_idx(val, 0));
        else if (json_object_is_type(val, json_type_string))
            msg = json_object_get_string(val);
        if (!msg || used >= out_size)
            continue;
        int w = snprintf(out + used, out_size - used, "%s%s: %s", used ? "; " : "", key, msg);
        if (w < 0)
            return;
        used += (size_t)w;
    }
}

hs_status hs_willo_unexpected(const char *what, long status, json_object *body, hs_error *err)
{
    char text[256];
    hs_willo_error_text(body, text, sizeof text);
    return hs_error_set(err, HS_E_DATA, (int)status, "willo: %s answered %ld%s%s", what, status,
                        text[0] ? ": " : "", text);
}

hs_status hs_willo_no_list(long status, json_object *body, hs_error *err)
{
    char text[256];
    hs_willo_error_text(body, text, sizeof text);
    return hs_error_set(err, HS_E_CONFIG, (int)status,
                        "willo: GET /interviews/ answered %ld%s%s: check base_url (\"production\", "
                        "\"staging\", or a URL ending in /api/integrations/v2)", status,
                        text[0] ? ": " : "", text);
}

static hs_status classify(hs_conn *c, const char *what, const hs_http_response *resp,
                          json_object *body, hs_error *err)
{
    char text[256];
    long code = resp->status;
    hs_willo_error_text(body, text, sizeof text);
    if (code == 401)
        return hs_error_set(err, HS_E_CONFIG, 401,
                            "willo: the API key was rejected (401 to %s, Authorization scheme "
                            "%s): check api_key (Willo: Integrations > API; a cycled key stops "
                            "working)%s", what, hs_willo_scheme_name(c->scheme),
                            c->cfg.scheme == HS_WILLO_AUTO ? "" : " or set auth_scheme to auto");
    if (code == 403)
        return hs_error_set(err, HS_E_PERMISSION, 403,
                            "willo: %s was refused (403%s%s): the API key's user lacks this "
                            "permission; use the key of an Admin or Owner user (Willo: "
                            "Integrations > API)", what, text[0] ? ": " : "", text);
    if (code >= 300 && code < 400)
        return hs_error_set(err, HS_E_CONFIG, (int)code,
                            "willo: %s answered a redirect (%ld), not followed: check base_url "
                            "(it ends in /api/integrations/v2)", what, code);
    hs_status st = hs_http_status_class(code);
    if (st == HS_OK || st == HS_E_DATA)
        st = HS_E_INTERNAL;
    return hs_error_set(err, st, (int)code, "willo: %s answered %ld%s%s", what, code,
                        text[0] ? ": " : "", text);
}

static hs_status authenticated(hs_conn *c, const char *method, const char *url,
                               const char *payload, int once, hs_http_response *resp,
                               hs_error *err)
{
    int tried[HS_WILLO_N_SCHEMES] = { 0 };
    int scheme = c->scheme;
    for (;;) {
        tried[scheme] = 1;
        hs_status st = perform(c, method, url, payload, once, scheme, resp, err);
        if (st != HS_OK)
            return st;
        if (resp->status != 401 || c->scheme_known || c->cfg.scheme != HS_WILLO_AUTO)
            break;
        int next = next_scheme(tried, resp->www_authenticate);
        hs_http_response_clear(resp);
        if (next < 0)
            return hs_error_set(err, HS_E_CONFIG, 401,
                                "willo: the API key was rejected with every Authorization "
                                "scheme (bearer, token, raw): check api_key (Willo: "
                                "Integrations > API; a cycled key stops working)");
        c->api->log(c->host, HS_LOG_DEBUG, "willo: scheme %s got 401, trying %s",
                    hs_willo_scheme_name(scheme), hs_willo_scheme_name(next));
        scheme = next;
    }
    long code = resp->status;
    int auth_passed = (code >= 200 && code < 300) || code == 400 || code == 403 || code == 404;
    if (!c->scheme_known && auth_passed) {
        if (c->cfg.scheme == HS_WILLO_AUTO)
            c->api->log(c->host, HS_LOG_INFO,
                        "willo: Authorization scheme %s accepted; kept for this connection",
                        hs_willo_scheme_name(scheme));
        c->scheme = scheme;
        c->scheme_known = 1;
    }
    return HS_OK;
}

hs_status hs_willo_request(hs_conn *c, const char *method, const char *url, const char *what,
                           json_object *body, int once, long *status, json_object **json,
                           hs_error *err)
{
    hs_http_response resp;
    memset(&resp, 0, sizeof resp);
    *status = 0;
    *json = NULL;
    if (!hs_url_same_origin(c->cfg.base_url, url))
        return hs_error_set(err, HS_E_INTERNAL, 0,
                            "willo: %s: refusing a URL outside the configured base_url", what);
    char *payload = NULL;
    if (body) {
        payload = hs_json_dup_string(body);
        if (!payload)
            return hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
    }
    hs_status st = authenticated(c, method, url, payload, once, &resp, err);
    free(payload);
    if (st != HS_OK)
        return st;
    long code = resp.status;
    json_object *parsed = NULL;
    if (resp.body && resp.body_len > 0) {
        hs_error perr;
        memset(&perr, 0, sizeof perr);
        perr.struct_size = sizeof perr;
        parsed = hs_json_parse(resp.body, resp.body_len, what, &perr);
    }
    *status = code;
    if (code == 204 && !parsed) {
        /* DELETE answers "no content" */
    } else if (code >= 200 && code < 300) {
        if (!json_object_is_type(parsed, json_type_object) &&
            !json_object_is_type(parsed, json_type_array)) {
            st = hs_error_set(err, HS_E_INTERNAL, (int)code,
                              "willo: %s answered %ld with a body that is not a JSON object "
                              "(malformed response)", what, code);
            goto out;
        }
        *json = parsed;
        parsed = NULL;
    } else if (code == 400 || code == 404) {
        *json = parsed;
        parsed = NULL;
    } else {
        st = classify(c, what, &resp, parsed, err);
    }
out:
    json_object_put(parsed);
    hs_http_response_clear(&resp);
    return st;
}

/* Moves *cur to next when next may be followed: on the base's origin (anything else would
 * carry the API key away) and not the page just read. */
static hs_status follow(const hs_conn *c, const char *next, char **cur, const char *what,
                        hs_error *err)
{
    if (!hs_url_same_origin(c->cfg.base_url, next)) {
        char origin[256];
        if (hs_url_origin(next, origin, sizeof origin) != 0)
            snprintf(origin, sizeof origin, "an unparsable URL");
        return hs_error_set(err, HS_E_INTERNAL, 0,
                            "willo: %s: the next-page link points to another origin (%s), not "
                            "the configured base_url; not followed, so the API key is not sent "
                            "there", what, origin);
    }
    if (strcmp(next, *cur) == 0)
        return hs_error_set(err, HS_E_INTERNAL, 0,
                            "willo: %s: the next-page link repeats the current page", what);
    char *copy = strdup(next);
    if (!copy)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
    free(*cur);
    *cur = copy;
    return HS_OK;
}

static hs_status walk(hs_conn *c, char **cur, const char *what, hs_willo_page_fn fn, void *ctx,
                      long *status, json_object **err_body, hs_error *err)
{
    for (int page = 0; page < MAX_PAGES; page++) {
        long code = 0;
        json_object *json = NULL;
        hs_status st = hs_willo_request(c, "GET", *cur, what, NULL, 0, &code, &json, err);
        if (st != HS_OK)
            return st;
        if (code == 400 || code == 404) {
            if (page > 0 && code == 404) {
                /* the list shrank while it was walked: what was there has been seen */
                json_object_put(json);
                return HS_OK;
            }
            if (page > 0) {
                st = hs_willo_unexpected(what, code, json, err);
                json_object_put(json);
                return st;
            }
            *status = code;
            if (err_body)
                *err_body = json;
            else
                json_object_put(json);
            return HS_OK;
        }
        json_object *results = json_object_is_type(json, json_type_array)
                                   ? json : hs_json_get(json, "results");
        if (!json_object_is_type(results, json_type_array)) {
            json_object_put(json);
            return hs_error_set(err, HS_E_INTERNAL, (int)code,
                                "willo: %s answered without a \"results\" list (malformed "
                                "response)", what);
        }
        int stop = 0;
        st = fn(ctx, results, &stop, err);
        const char *next = json_object_is_type(json, json_type_object)
                               ? hs_json_str(json, "next") : NULL;
        if (st != HS_OK || stop || next == NULL || *next == '\0') {
            json_object_put(json);
            return st;
        }
        st = follow(c, next, cur, what, err);
        json_object_put(json);
        if (st != HS_OK)
            return st;
    }
    return hs_error_set(err, HS_E_INTERNAL, 0, "willo: %s: more than %d pages", what, MAX_PAGES);
}

hs_status hs_willo_pages(hs_conn *c, const char *url, const char *what, hs_willo_page_fn fn,
                         void *ctx, long *status, json_object **err_body, hs_error *err)
{
    *status = 200;
    if (err_body)
        *err_body = NULL;
    char *cur = strdup(url);
    if (!cur)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
    hs_status st = walk(c, &cur, what, fn, ctx, status, err_body, err);
    free(cur);
    return st;
}
