/*
 * One call of the Eploy API: bearer token, JSON in and out, a renewed token on a 401, and
 * errors an operator can act on. Error messages name the method and the URL without its query
 * and never carry the token or the request body.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eploy.h"
#include "hs_errors.h"
#include "hs_json.h"
#include "hs_num.h"
#include "hs_url.h"

static hs_status classify(hs_conn *conn, const char *method, const char *where,
                          const hs_http_response *resp, const char *permission, hs_error *err)
{
    json_object *body = resp->body != NULL
                            ? hs_json_parse(resp->body, resp->body_len, "error", NULL) : NULL;
    const char *reason = hs_json_str(body, "error_message");
    int code = (int)resp->status;
    hs_status st;

    (void)conn;
    if (reason == NULL)
        reason = "";
    switch (hs_http_status_class(resp->status)) {
    case HS_E_CONFIG:
        st = hs_error_set(err, HS_E_CONFIG, code,
                          "eploy: %s %s: HTTP %d although a new token was issued: check the API "
                          "key and its user (Eploy: Admin > Security Settings > API Keys)",
                          method, where, code);
        break;
    case HS_E_PERMISSION:
        if (permission != NULL)
            st = hs_error_set(err, HS_E_PERMISSION, code,
                              "eploy: %s %s: HTTP 403: the API key lacks the permission "
                              "\"%s\"; add it (%s)", method, where, permission, HS_EPLOY_WHERE);
        else
            st = hs_error_set(err, HS_E_PERMISSION, code, "eploy: %s %s: HTTP 403%s%.160s",
                              method, where, *reason ? ": " : "", reason);
        break;
    case HS_E_DATA:
        st = hs_error_set(err, HS_E_DATA, code, "eploy: %s %s: HTTP %d%s%.160s", method, where,
                          code, *reason ? ": " : "", reason);
        break;
    default:
        if (code >= 300 && code < 400)
            st = hs_error_set(err, HS_E_CONFIG, code,
                              "eploy: %s %s: redirected (HTTP %d), which hiresync does not "
                              "follow: check subdomain or base_url", method, where, code);
        else
            st = hs_error_set(err, HS_E_INTERNAL, code, "eploy: %s %s: unexpected HTTP %d",
                              method, where, code);
        break;
    }
    json_object_put(body);
    return st;
}

hs_status hs_eploy_call(hs_conn *conn, const char *method, const char *path,
                        json_object *body, const char *permission, json_object **out,
                        long *http_status, hs_error *err)
{
    char url[1024], where[1024];
    char *auth = NULL;
    const char *text = NULL;
    hs_http_response resp;
    hs_http_request hr;
    hs_status st = HS_E_INTERNAL;

    memset(&resp, 0, sizeof resp);
    if (out != NULL)
        *out = NULL;
    if (http_status != NULL)
        *http_status = 0;
    if (snprintf(url, sizeof url, "%s/%s", conn->cfg.base_url, path) >= (int)sizeof url)
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: URL too long for %s", path);
    (void)hs_url_describe(url, where, sizeof where);
    if (body != NULL && (text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN)) ==
                            NULL)
        return hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");

    /* A 401 with a cached token usually means it lapsed early: renew once and repeat. */
    for (int renewals = 0;; renewals++) {
        const char *headers[3];
        size_t n;

        if ((st = hs_eploy_token(conn, renewals > 0, err)) != HS_OK)
            goto out;
        n = strlen(conn->token) + sizeof "Authorization: Bearer ";
        free(auth);
        if ((auth = malloc(n)) == NULL) {
            st = hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
            goto out;
        }
        (void)snprintf(auth, n, "Authorization: Bearer %s", conn->token);
        headers[0] = auth;
        headers[1] = "Accept: application/json";
        headers[2] = NULL;
        memset(&hr, 0, sizeof hr);
        hr.method = method;
        hr.url = url;
        hr.headers = headers;
        hr.body = text;
        hr.body_len = text != NULL ? strlen(text) : 0;
        hr.content_type = text != NULL ? "application/json" : NULL;
        /* Searches and the token are safe to repeat; a create is not (write_note looks for
         * its key before it creates again), nor is a move: each one lands in the application's
         * history and may send the tenant's e-mails (move_record reads the position before it
         * sends one again). */
        hr.once = (strcmp(method, "POST") == 0 && strstr(path, "search") == NULL) ||
                  strcmp(method, "PATCH") == 0;
        hs_http_response_clear(&resp);
        if ((st = hs_http_perform(conn->http, &hr, &resp, err)) != HS_OK) {
            st = hs_eploy_quota_refused(conn, st, err);
            goto out;
        }
        if (resp.status != 401 || renewals > 0)
            break;
        conn->api->log(conn->host, HS_LOG_INFO, "eploy: %s %s: token refused (HTTP 401), "
                       "requesting a new one", method, where);
        /* The refused token stays until hs_eploy_token replaces it: it tells that one apart
         * from a newer token another pipeline may have shared meanwhile. */
    }
    if (http_status != NULL)
        *http_status = resp.status;
    if (resp.status < 200 || resp.status >= 300) {
        st = classify(conn, method, where, &resp, permission, err);
        goto out;
    }
    if (out != NULL && resp.body != NULL && resp.body_len > 0) {
        char what[1100];
        (void)snprintf(what, sizeof what, "eploy: %s %s", method, where);
        if ((*out = hs_json_parse(resp.body, resp.body_len, what, err)) == NULL) {
            if (err != NULL)
                err->http_status = (int)resp.status;
            st = HS_E_INTERNAL;
            goto out;
        }
    }
    st = HS_OK;
out:
    if (auth != NULL) {
        memset(auth, 0, strlen(auth));
        free(auth);
    }
    hs_http_response_clear(&resp);
    return st;
}

json_object *hs_eploy_ref(const char *id)
{
    json_object *o = json_object_new_object();
    int64_t v;

    if (o == NULL)
        return NULL;
    /* Digits beyond int64 stay a string rather than becoming another record's id. */
    if (hs_num_parse(id, NULL, &v) == 0)
        json_object_object_add(o, "Id", json_object_new_int64(v));
    else
        json_object_object_add(o, "Id", json_object_new_string(id));
    return o;
}
