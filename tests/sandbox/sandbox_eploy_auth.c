/* Eploy authentication: client-credential tokens with a lifetime, per-key scopes, a per-key
 * IP rule, and the daily call quota shared by every key. */
#include "sandbox.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const scopes[] = {
    "actions.insert", "actions.read", "actions.update", "applications.read",
    "applications.update",
    "candidates.read", "candidates.update", "candidates.insert", "companies.read",
    "contacts.read", "export.insert", "export.read", "files.read", "payrates.read",
    "paysalaries.read", "placements.read", "users.read", "vacancies.read",
    "vacancytemplates.read", "workflows.read",
};
#define N_SCOPES (int)(sizeof scopes / sizeof scopes[0])

int hs_sb_scope_bit(const char *name)
{
    for (int i = 0; i < N_SCOPES; i++)
        if (strcmp(scopes[i], name) == 0)
            return i;
    return -1;
}

uint32_t hs_sb_scope_all(void)
{
    return (1u << N_SCOPES) - 1;
}

char *hs_sb_scope_list(uint32_t mask, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < N_SCOPES; i++) {
        if (!(mask & (1u << i)))
            continue;
        int n = snprintf(buf + used, size - used, "%s%s", used ? "," : "", scopes[i]);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
    return buf;
}

static void eploy_error(hs_sb_resp *resp, int status, const char *msg)
{
    hs_sb_reply_error(resp, status, "error_message", msg);
}

int hs_sb_eploy_quota(hs_sb_resp *resp)
{
    int64_t now = hs_sb_now_ms();
    int64_t day = now / 86400000;
    if (day != hs_sb_w.quota_day) {
        hs_sb_w.quota_day = day;
        hs_sb_w.quota_used = 0;
    }
    hs_sb_w.quota_used++;
    if (hs_sb_w.quota_per_day <= 0 || hs_sb_w.quota_used <= hs_sb_w.quota_per_day)
        return 0;
    eploy_error(resp, 429, "API call limit exceeded");
    resp->retry_after = (int)(((day + 1) * 86400000 - now + 999) / 1000);
    return -1;
}

/* ---- request bodies: JSON or application/x-www-form-urlencoded ---- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void form_value(const char *body, const char *name, char *out, size_t size)
{
    size_t nlen = strlen(name);
    out[0] = '\0';
    for (const char *p = body; p && *p; p = strchr(p, '&'), p = p ? p + 1 : NULL) {
        if (strncmp(p, name, nlen) != 0 || p[nlen] != '=')
            continue;
        size_t used = 0;
        for (const char *q = p + nlen + 1; *q && *q != '&' && used + 1 < size; q++) {
            int ch = (unsigned char)*q;
            if (ch == '+') {
                ch = ' ';
            } else if (ch == '%' && hexval(q[1]) >= 0 && hexval(q[2]) >= 0) {
                ch = hexval(q[1]) * 16 + hexval(q[2]);
                q += 2;
            }
            out[used++] = (char)ch;
        }
        out[used] = '\0';
        return;
    }
}

static void json_value(json_object *o, const char *name, char *out, size_t size)
{
    json_object *v;
    out[0] = '\0';
    if (o && json_object_object_get_ex(o, name, &v) && !json_object_is_type(v, json_type_null))
        snprintf(out, size, "%s", json_object_get_string(v));
}

static void ip_denied(hs_sb_resp *resp)
{
    eploy_error(resp, 403, "Requests from IP address 127.0.0.1 are not allowed for this API key");
}

/* The requested scope list narrows the token to what the key also has. */
static uint32_t narrow(uint32_t key_scopes, const char *requested)
{
    if (!requested[0])
        return key_scopes;
    uint32_t mask = 0;
    char tmp[1024];
    snprintf(tmp, sizeof tmp, "%s", requested);
    char *save = NULL;
    for (char *t = strtok_r(tmp, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        int bit = hs_sb_scope_bit(t);
        if (bit >= 0)
            mask |= 1u << bit;
    }
    return mask & key_scopes;
}

static hs_sb_token *token_new(void)
{
    int64_t now = hs_sb_now_ms();
    size_t kept = 0;
    for (size_t i = 0; i < hs_sb_w.n_tok; i++)
        if (hs_sb_w.tok[i].expires_ms > now - 3600000)
            hs_sb_w.tok[kept++] = hs_sb_w.tok[i];
    hs_sb_w.n_tok = kept;
    if (hs_sb_w.n_tok == hs_sb_w.cap_tok) {
        size_t cap = hs_sb_w.cap_tok ? hs_sb_w.cap_tok * 2 : 16;
        hs_sb_token *n = realloc(hs_sb_w.tok, cap * sizeof *n);
        if (!n)
            return NULL;
        hs_sb_w.tok = n;
        hs_sb_w.cap_tok = cap;
    }
    hs_sb_token *t = &hs_sb_w.tok[hs_sb_w.n_tok];
    if (hs_sb_random_token(t->value, sizeof t->value))
        return NULL;
    hs_sb_w.n_tok++;
    return t;
}

typedef struct credentials {
    char grant[64], id[128], secret[128], scope[1024];
} credentials;

/* JSON as documented, or form-encoded as production clients send it. */
static int read_credentials(const char *body, credentials *c)
{
    while (isspace((unsigned char)*body))
        body++;
    if (*body != '{') {
        form_value(body, "grant_type", c->grant, sizeof c->grant);
        form_value(body, "client_id", c->id, sizeof c->id);
        form_value(body, "client_secret", c->secret, sizeof c->secret);
        form_value(body, "scope", c->scope, sizeof c->scope);
        return 0;
    }
    json_object *o = json_tokener_parse(body);
    if (!o || !json_object_is_type(o, json_type_object)) {
        json_object_put(o);
        return -1;
    }
    json_value(o, "grant_type", c->grant, sizeof c->grant);
    json_value(o, "client_id", c->id, sizeof c->id);
    json_value(o, "client_secret", c->secret, sizeof c->secret);
    json_value(o, "scope", c->scope, sizeof c->scope);
    json_object_put(o);
    return 0;
}

static void oauth_error(hs_sb_resp *resp, const char *error, const char *msg)
{
    json_object *o = json_object_new_object();
    if (o) {
        json_object_object_add(o, "error", json_object_new_string(error));
        json_object_object_add(o, "error_message", json_object_new_string(msg));
    }
    hs_sb_reply_json(resp, 400, o);
}

static void issue(int k, const char *scope, hs_sb_resp *resp)
{
    hs_sb_token *t = token_new();
    if (!t) {
        eploy_error(resp, 500, "could not issue a token");
        return;
    }
    t->key = k;
    t->scopes = narrow(hs_sb_w.keys[k].scopes, scope);
    t->expires_ms = hs_sb_now_ms() + (int64_t)hs_sb_w.cfg.token_ttl * 1000;
    json_object *o = json_object_new_object();
    if (o) {
        char list[1024];
        json_object_object_add(o, "access_token", json_object_new_string(t->value));
        json_object_object_add(o, "token_type", json_object_new_string("Bearer"));
        json_object_object_add(o, "expires_in", json_object_new_int(hs_sb_w.cfg.token_ttl - 1));
        json_object_object_add(o, "scope",
                               json_object_new_string(hs_sb_scope_list(t->scopes, list, sizeof list)));
    }
    hs_sb_reply_json(resp, 200, o);
}

void hs_sb_eploy_token(const hs_sb_req *r, hs_sb_resp *resp)
{
    credentials c;
    memset(&c, 0, sizeof c);
    if (read_credentials(r->body, &c)) {
        eploy_error(resp, 400, "The request body is not valid JSON");
        return;
    }
    if (strcmp(c.grant, "client_credentials") != 0) {
        oauth_error(resp, "unsupported_grant_type", "grant_type must be client_credentials");
        return;
    }
    int k = -1;
    for (int i = 0; i < hs_sb_w.n_keys && k < 0; i++)
        if (strcmp(hs_sb_w.keys[i].id, c.id) == 0 && strcmp(hs_sb_w.keys[i].secret, c.secret) == 0)
            k = i;
    if (k < 0)
        oauth_error(resp, "invalid_client", "The client_id or client_secret is not valid");
    else if (hs_sb_w.keys[k].ip_denied)
        ip_denied(resp);
    else
        issue(k, c.scope, resp);
}

int hs_sb_eploy_authorize(const hs_sb_req *r, hs_sb_resp *resp, const char *scope)
{
    const char *h = hs_sb_header(r, "Authorization");
    if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
        eploy_error(resp, 401, "Authorization has been denied for this request: no bearer token");
        return -1;
    }
    const char *value = h + 7;
    while (*value == ' ')
        value++;
    hs_sb_token *t = NULL;
    for (size_t i = 0; i < hs_sb_w.n_tok && !t; i++)
        if (strcmp(hs_sb_w.tok[i].value, value) == 0)
            t = &hs_sb_w.tok[i];
    if (!t) {
        eploy_error(resp, 401, "Authorization has been denied for this request: unknown token");
        return -1;
    }
    if (t->expires_ms <= hs_sb_now_ms()) {
        eploy_error(resp, 401, "Authorization has been denied for this request: the token has expired");
        return -1;
    }
    if (t->key < hs_sb_w.n_keys && hs_sb_w.keys[t->key].ip_denied) {
        ip_denied(resp);
        return -1;
    }
    if (!scope)
        return 0;
    int bit = hs_sb_scope_bit(scope);
    if (bit >= 0 && (t->scopes & (1u << bit)))
        return 0;
    char msg[160];
    snprintf(msg, sizeof msg, "The API key does not have the permission required for this request: %s",
             scope);
    eploy_error(resp, 403, msg);
    return -1;
}

void hs_sb_tokens_expire(void)
{
    int64_t now = hs_sb_now_ms();
    for (size_t i = 0; i < hs_sb_w.n_tok; i++)
        hs_sb_w.tok[i].expires_ms = now;
}
