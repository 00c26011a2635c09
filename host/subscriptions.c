/* Webhook subscriptions managed by hiresync (see subscriptions.h). */
#define _DEFAULT_SOURCE

#include "subscriptions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connection.h"
#include "public_url.h"
#include "records.h"
#include "webhook.h"

#define URL_MAX 1024

/* One pipeline that wants a subscription. */
typedef struct wanted {
    const char *name, *connection, *public_url;   /* borrowed from the configuration */
    char url[URL_MAX], slot[URL_MAX];
    int done;
} wanted;

typedef struct report_ctx {
    hs_subscriptions_fn fn;
    void *ctx;
    const wanted *w;
    size_t n;
} report_ctx;

void hs_subscriptions_mask(const char *url, char *out, size_t size)
{
    const char *at = strstr(url, HS_WEBHOOK_PATH_PREFIX), *slash;
    if (!at || !(slash = strchr(at + strlen(HS_WEBHOOK_PATH_PREFIX), '/')) || !slash[1]) {
        snprintf(out, size, "%s", url);
        return;
    }
    snprintf(out, size, "%.*s/…", (int)(slash - url), url);
}

const char *hs_subscriptions_verb(uint32_t action, int applied)
{
    static const char *const done[] = {"kept", "created", "repaired", "deleted"};
    static const char *const state[] = {"ok", "missing", "differs", "stale"};
    if (action > HS_SUBSCRIPTION_DELETED)
        return "?";
    return applied ? done[action] : state[action];
}

static hs_status on_subscription(void *ctx, const hs_subscription *s, uint32_t action)
{
    report_ctx *r = ctx;
    const char *pipeline = NULL;
    for (size_t i = 0; i < r->n && s->target_url; i++)
        if (strncmp(s->target_url, r->w[i].slot, strlen(r->w[i].slot)) == 0)
            pipeline = r->w[i].name;
    r->fn(r->ctx, pipeline, s, action);
    return HS_OK;
}

/* The pipelines with a public URL (only `only` when given) into *out. */
static int collect(hs_app *app, const char *only, int apply, wanted **out, size_t *n,
                   char *why, size_t why_size)
{
    size_t cap = (size_t)json_object_object_length(app->config->pipelines);
    *n = 0;
    *out = calloc(cap + 1, sizeof **out);
    if (!*out) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    json_object_object_foreach(app->config->pipelines, name, p) {
        json_object *v;
        const char *pu = hs_public_url_of(p, app->config->public_url);
        if ((only && strcmp(only, name) != 0) || !pu ||
            !json_object_object_get_ex(p, "interviews", &v))
            continue;
        wanted *w = &(*out)[(*n)++];
        char token[HS_WEBHOOK_TOKEN_LEN + 1] = "", suffix[URL_MAX];
        w->name = name;
        w->connection = json_object_get_string(v);
        w->public_url = pu;
        int rc = hs_webhook_token(app->config->state_dir, name, apply, token, why, why_size);
        if (rc < 0)
            return -1;
        snprintf(suffix, sizeof suffix, HS_WEBHOOK_PATH_PREFIX "%s/", name);
        if (hs_public_url_join(pu, suffix, w->slot, sizeof w->slot) != 0 ||
            snprintf(w->url, sizeof w->url, "%s%s", w->slot, token) >= (int)sizeof w->url) {
            hs_webhook_wipe(token, sizeof token);
            snprintf(why, why_size, "pipeline %s: public_url is too long", name);
            return -1;
        }
        hs_webhook_wipe(token, sizeof token);
    }
    return 0;
}

/* One connection and public URL: every pipeline of the group in one request. */
static int sync_group(hs_app *app, wanted *w, size_t n, size_t first, const char *only,
                      int apply, report_ctx *r, char *why, size_t why_size)
{
    hs_subscription_target *targets = calloc(n, sizeof *targets);
    size_t nt = 0;
    char base[URL_MAX];
    hs_connection *conn = NULL;
    hs_host_error err;
    int rc = -1;
    hs_host_error_init(&err);
    if (!targets ||
        hs_public_url_join(w[first].public_url, HS_WEBHOOK_PATH_PREFIX, base, sizeof base) != 0) {
        free(targets);
        snprintf(why, why_size, "pipeline %s: out of memory", w[first].name);
        return -1;
    }
    for (size_t i = first; i < n; i++) {
        if (w[i].done || strcmp(w[i].connection, w[first].connection) != 0 ||
            strcmp(w[i].public_url, w[first].public_url) != 0)
            continue;
        w[i].done = 1;
        targets[nt++] = (hs_subscription_target){sizeof targets[0], w[i].url, w[i].slot};
    }
    hs_subscription_request req = {sizeof req, only ? w[first].slot : base, targets, nt,
                                   sizeof targets[0], apply};
    hs_subscription_report rep = {sizeof rep, r, on_subscription};
    if (hs_connection_open(app, w[first].connection, NULL, &conn, &err.e) != HS_OK) {
        snprintf(why, why_size, "connection %s: %s", w[first].connection, err.message);
        goto out;
    }
    const hs_connector *t = hs_connection_table(conn);
    if (!(t->capabilities & HS_CAP_SYNC_SUBSCRIPTIONS)) {
        snprintf(why, why_size, "connection %s: connector %s cannot manage webhook "
                 "subscriptions; remove public_url from its pipelines", w[first].connection,
                 t->name);
        goto out;
    }
    if (t->sync_subscriptions(hs_connection_conn(conn), &req, &rep, &err.e) != HS_OK) {
        snprintf(why, why_size, "connection %s: %s", w[first].connection, err.message);
        goto out;
    }
    rc = (int)nt;
out:
    hs_connection_close(conn);
    free(targets);
    return rc;
}

int hs_subscriptions_sync(hs_app *app, const char *pipeline, int apply, hs_subscriptions_fn fn,
                          void *ctx, char *why, size_t why_size)
{
    wanted *w = NULL;
    size_t n = 0, used = 0;
    int total = 0, failed = 0;
    why[0] = '\0';
    if (collect(app, pipeline, apply, &w, &n, why, why_size) != 0) {
        free(w);
        return -1;
    }
    report_ctx r = {fn, ctx, w, n};
    for (size_t i = 0; i < n; i++) {
        if (w[i].done)
            continue;
        int rc = sync_group(app, w, n, i, pipeline, apply, &r, why + used, why_size - used);
        if (rc < 0) {
            failed = 1;
            used = strlen(why);
            if (used + 1 < why_size) {
                why[used++] = '\n';
                why[used] = '\0';
            }
        } else {
            total += rc;
        }
    }
    if (used > 0 && why[used - 1] == '\n')
        why[used - 1] = '\0';
    free(w);
    return failed ? -1 : total;
}

typedef struct tally {
    size_t counts[HS_SUBSCRIPTION_DELETED + 1];
} tally;

static void count_one(void *ctx, const char *pipeline, const hs_subscription *s, uint32_t action)
{
    tally *t = ctx;
    (void)pipeline;
    (void)s;
    if (action <= HS_SUBSCRIPTION_DELETED)
        t->counts[action]++;
}

int hs_subscriptions_state(hs_app *app, const char *pipeline, char *msg, size_t size)
{
    tally t;
    char why[1024];
    json_object *cfg;
    memset(&t, 0, sizeof t);
    if (!json_object_object_get_ex(app->config->pipelines, pipeline, &cfg) ||
        !hs_public_url_of(cfg, app->config->public_url))
        return -1;
    if (hs_subscriptions_sync(app, pipeline, 0, count_one, &t, why, sizeof why) < 0) {
        snprintf(msg, size, "cannot read the webhook subscriptions: %s", why);
        return HS_CHECK_FAIL;
    }
    if (t.counts[HS_SUBSCRIPTION_KEPT] == 1 && t.counts[HS_SUBSCRIPTION_CREATED] == 0 &&
        t.counts[HS_SUBSCRIPTION_REPAIRED] == 0 && t.counts[HS_SUBSCRIPTION_DELETED] == 0) {
        snprintf(msg, size, "one active subscription points at this pipeline's webhook");
        return HS_CHECK_OK;
    }
    snprintf(msg, size, "%s%s%s; run `hiresync webhooks sync %s`",
             t.counts[HS_SUBSCRIPTION_CREATED] ? "no subscription points at this pipeline's "
                                                  "webhook" : "",
             t.counts[HS_SUBSCRIPTION_REPAIRED] ? "its subscription points elsewhere or is "
                                                   "switched off" : "",
             t.counts[HS_SUBSCRIPTION_DELETED] ? (t.counts[HS_SUBSCRIPTION_CREATED] ||
                                                   t.counts[HS_SUBSCRIPTION_REPAIRED]
                                                       ? ", and it has extra ones"
                                                       : "it has more than one subscription")
                                                : "",
             pipeline);
    return HS_CHECK_WARN;
}
