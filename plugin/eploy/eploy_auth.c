/*
 * OAuth2 client credentials: POST /api/token with a JSON body. The token is cached in the
 * connection and renewed a little before it expires (a quarter of its life, at most a minute),
 * so that a read does not start with a token about to lapse.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eploy.h"
#include "hs_errors.h"
#include "hs_json.h"
#include "hs_num.h"
#include "hs_url.h"

/* The longest token life believed (a day; Eploy's is an hour). */
#define MAX_LIFETIME_S 86400

/* Shared memory entry of the token: every pipeline of this process on the same configured
 * connection reuses it, because token calls count against the tenant's daily quota. Memory
 * only: the host never persists or logs shared values. Value: "<expires host ms> <token>". */
#define SHARED_TOKEN "token"
#define CLAIM "token_claim"

static void wipe_free(char *s)
{
    if (s == NULL)
        return;
    memset(s, 0, strlen(s));
    free(s);
}

void hs_eploy_token_forget(hs_conn *conn)
{
    wipe_free(conn->token);
    conn->token = NULL;
    free(conn->token_scope);
    conn->token_scope = NULL;
    conn->token_expires_ms = 0;
}

/* The server's own words, if any, for an error message (never the request). */
static const char *server_reason(json_object *body)
{
    const char *r = hs_json_str(body, "error_message");

    if (r == NULL)
        r = hs_json_str(body, "error_description");
    if (r == NULL)
        r = hs_json_str(body, "error");
    return r != NULL ? r : "";
}

static hs_status token_failure(hs_conn *conn, const hs_http_response *resp, const char *where,
                               hs_error *err)
{
    json_object *body = resp->body != NULL
                            ? hs_json_parse(resp->body, resp->body_len, "token", NULL) : NULL;
    const char *reason = server_reason(body);
    int code = (int)resp->status;
    hs_status st;

    (void)conn;
    if (code == 400 || code == 401)
        st = hs_error_set(err, HS_E_CONFIG, code,
                          "eploy: %s refused the client ID or secret (HTTP %d%s%.120s): check "
                          "client_id and client_secret of the REST API key (Eploy: Admin > "
                          "Security Settings > API Keys)", where, code, *reason ? ": " : "",
                          reason);
    else if (code == 403)
        st = hs_error_set(err, HS_E_CONFIG, code,
                          "eploy: %s refused this client (HTTP 403%s%.120s): the API user's "
                          "Restricted IP Access probably does not include this machine's "
                          "address; add it (Eploy: Admin > Security Settings > Users > (API "
                          "user) > Restricted IP Access)", where, *reason ? ": " : "", reason);
    else if (code == 404 || (code >= 300 && code < 400))
        st = hs_error_set(err, HS_E_CONFIG, code,
                          "eploy: %s: HTTP %d: no Eploy API answers there; check subdomain "
                          "(\"acme\" for https://acme.eploy.net) or base_url", where, code);
    else
        st = hs_error_set(err, hs_http_status_class(resp->status) == HS_RETRY ? HS_RETRY
                                                                             : HS_E_INTERNAL,
                          code, "eploy: %s: unexpected HTTP %d", where, code);
    json_object_put(body);
    return st;
}

static int has_shared(const hs_conn *conn)
{
    return HS_HAS_FIELD(hs_host_api, conn->api->struct_size, shared_swap) &&
           conn->api->shared_get != NULL && conn->api->shared_put != NULL &&
           conn->api->shared_swap != NULL;
}

static void share_token(hs_conn *conn)
{
    char buf[4096];
    int n;

    if (!has_shared(conn))
        return;
    n = snprintf(buf, sizeof buf, "%lld %s", (long long)conn->token_expires_ms, conn->token);
    if (n > 0 && (size_t)n < sizeof buf)
        (void)conn->api->shared_put(conn->host, SHARED_TOKEN, buf);
    (void)conn->api->shared_put(conn->host, CLAIM, NULL);
    memset(buf, 0, sizeof buf);
}

/* Takes the token another pipeline of this process got, when it is still valid. */
static int adopt_shared(hs_conn *conn)
{
    char buf[4096], *tok;
    const char *end = NULL;
    int64_t expires;
    int ok = 0;

    if (!has_shared(conn) || conn->api->shared_get(conn->host, SHARED_TOKEN, buf,
                                                   sizeof buf) != HS_OK)
        return 0;
    if (hs_num_parse(buf, &end, &expires) == 0 && *end == ' ' && end[1] != '\0' &&
        conn->api->now_ms(conn->host) < expires &&
        (conn->token == NULL || strcmp(conn->token, end + 1) != 0) &&
        (tok = strdup(end + 1)) != NULL) {
        hs_eploy_token_forget(conn);
        conn->token = tok;
        conn->token_expires_ms = expires;
        ok = 1;
    }
    memset(buf, 0, sizeof buf);
    return ok;
}

static hs_status request_token(hs_conn *conn, hs_error *err)
{
    char url[600], where[600];
    const char *body;
    json_object *req = json_object_new_object();
    json_object *resp_json = NULL;
    hs_http_response resp;
    hs_http_request hr;
    const char *headers[] = {"Accept: application/json", NULL};
    const char *token;
    int64_t expires_in = 0, margin;
    hs_status st;

    memset(&resp, 0, sizeof resp);
    (void)snprintf(url, sizeof url, "%s/token", conn->cfg.base_url);
    (void)hs_url_describe(url, where, sizeof where);
    if (req == NULL ||
        json_object_object_add(req, "grant_type", json_object_new_string("client_credentials")) ||
        json_object_object_add(req, "client_id", json_object_new_string(conn->cfg.client_id)) ||
        json_object_object_add(req, "client_secret",
                               json_object_new_string(conn->cfg.client_secret)) ||
        (body = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN)) == NULL) {
        st = hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
        goto out;
    }
    memset(&hr, 0, sizeof hr);
    hr.method = "POST";
    hr.url = url;
    hr.headers = headers;
    hr.body = body;
    hr.body_len = strlen(body);
    hr.content_type = "application/json";
    if ((st = hs_http_perform(conn->http, &hr, &resp, err)) != HS_OK) {
        st = hs_eploy_quota_refused(conn, st, err);
        goto out;
    }
    if (resp.status != 200 && resp.status != 201) {
        st = token_failure(conn, &resp, where, err);
        goto out;
    }
    resp_json = hs_json_parse(resp.body, resp.body_len, "eploy: token response", err);
    if (resp_json == NULL) {
        st = HS_E_INTERNAL;
        goto out;
    }
    token = hs_json_str(resp_json, "access_token");
    if (token == NULL || *token == '\0') {
        st = hs_error_set(err, HS_E_INTERNAL, (int)resp.status,
                          "eploy: %s: the answer holds no access_token", where);
        goto out;
    }
    if (hs_json_int(resp_json, "expires_in", &expires_in) != 0 || expires_in <= 0)
        expires_in = 600;   /* the shortest lifetime Eploy has used */
    expires_in = hs_num_clamp(expires_in, 1, MAX_LIFETIME_S);   /* before any arithmetic */
    hs_eploy_token_forget(conn);
    conn->token = strdup(token);
    if (hs_json_str(resp_json, "scope") != NULL)
        conn->token_scope = strdup(hs_json_str(resp_json, "scope"));
    if (conn->token == NULL) {
        st = hs_error_set(err, HS_E_INTERNAL, 0, "eploy: out of memory");
        goto out;
    }
    margin = expires_in * 1000 / 4;
    if (margin > 60000)
        margin = 60000;
    /* On the host's clock at both ends (now and when it is checked): skew does not matter. */
    conn->token_expires_ms = hs_num_add_sat(conn->api->now_ms(conn->host),
                                            expires_in * 1000 - margin);
    conn->api->log(conn->host, HS_LOG_DEBUG, "eploy: new API token, valid for %lld s",
                   (long long)expires_in);
    share_token(conn);
    st = HS_OK;
out:
    json_object_put(req);
    json_object_put(resp_json);
    hs_http_response_clear(&resp);
    return st;
}

/* Pipelines start together, so two may want the first token at once. The claim decides who
 * asks for it: the pipeline whose compare-and-set (shared_swap) puts it in place requests the
 * token at once, without any wait; the others wait for that token. A claim older than
 * CLAIM_WAIT_MS (its pipeline failed, or a clock jumped) is taken over the same way.
 * Returns 1 when another pipeline holds the claim. */
#define CLAIM_WAIT_MS 15000

/* 1 when the claim seen is stale, or does not read as one. */
static int claim_stale(const char *seen, int64_t now)
{
    const char *sp = strchr(seen, ' ');
    int64_t at = 0;

    if (sp == NULL || hs_num_parse(sp + 1, NULL, &at) != 0)
        return 1;
    return hs_num_sub_sat(now, at) > CLAIM_WAIT_MS || at > now;
}

/* 0 when this pipeline owns the claim, 1 when another one does. */
static int claim(hs_conn *conn)
{
    char mine[40], seen[40];
    int64_t start = conn->api->now_ms(conn->host);

    (void)snprintf(mine, sizeof mine, "%p %lld", (void *)conn, (long long)start);
    if (conn->api->shared_swap(conn->host, CLAIM, NULL, mine) == HS_OK)
        return 0;
    if (conn->api->shared_get(conn->host, CLAIM, seen, sizeof seen) != HS_OK)
        /* released meanwhile: try once more */
        return conn->api->shared_swap(conn->host, CLAIM, NULL, mine) == HS_OK ? 0 : 1;
    if (!claim_stale(seen, start))
        return 1;
    return conn->api->shared_swap(conn->host, CLAIM, seen, mine) == HS_OK ? 0 : 1;
}

static int wait_for_other(hs_conn *conn)
{
    int64_t waited = 0;

    if (claim(conn) == 0)
        return 0;
    while (waited < CLAIM_WAIT_MS) {
        char probe[16];
        if (conn->api->sleep_ms(conn->host, 50) != 0)
            return 0;
        waited += 50;
        if (conn->api->shared_get(conn->host, SHARED_TOKEN, probe, sizeof probe) !=
                HS_E_DATA ||
            conn->api->shared_get(conn->host, CLAIM, probe, sizeof probe) == HS_E_DATA)
            return 1;
    }
    return 0;
}

hs_status hs_eploy_token(hs_conn *conn, int force, hs_error *err)
{
    hs_status st;

    if (!force && conn->token != NULL &&
        conn->api->now_ms(conn->host) < conn->token_expires_ms)
        return HS_OK;
    /* Another pipeline's token, unless it is the one just refused (force). */
    if (adopt_shared(conn))
        return HS_OK;
    if (force && has_shared(conn))
        (void)conn->api->shared_put(conn->host, SHARED_TOKEN, NULL);
    if (!force && has_shared(conn) && wait_for_other(conn) && adopt_shared(conn))
        return HS_OK;
    st = request_token(conn, err);
    if (st != HS_OK && has_shared(conn))
        (void)conn->api->shared_put(conn->host, CLAIM, NULL);   /* let the others try */
    return st;
}
