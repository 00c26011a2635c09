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
#define KEY_MAX 128

/* One pipeline that wants a subscription. */
typedef struct wanted {
    const char *name, *connection;   /* borrowed from the configuration */
    char url[URL_MAX], slot[URL_MAX];
    char base[URL_MAX];              /* PUBLIC_URL/hooks/willo/: what its group owns */
    size_t group;                    /* the first pipeline of its connection and base */
    char probe[KEY_MAX];             /* the group being synced saw this subscription of it */
    int extra;                       /* in that group's request too: their account is one */
} wanted;

/* One `webhooks sync` or `webhooks list`. */
typedef struct plan {
    hs_app *app;
    const char *only;
    int apply;
    wanted *w;
    size_t n;
    hs_subscriptions_fn fn;
    void *ctx;
    json_object *seen;      /* keys reported already: two groups on one account see the
                               same subscriptions, and each is reported once */
    signed char *shares;    /* n x n, by group: 1 one account, -1 two, 0 not known yet */
} plan;

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

/* The pipeline whose slot holds url; n when none. */
static size_t owner_of(const plan *p, const char *url)
{
    size_t found = p->n;
    for (size_t i = 0; i < p->n && url; i++)
        if (strncmp(url, p->w[i].slot, strlen(p->w[i].slot)) == 0)
            found = i;
    return found;
}

static hs_status on_subscription(void *ctx, const hs_subscription *s, uint32_t action)
{
    plan *p = ctx;
    size_t i = owner_of(p, s->target_url);
    if (s->id && json_object_object_get_ex(p->seen, s->id, NULL))
        return HS_OK;
    if (s->id)
        json_object_object_add(p->seen, s->id, NULL); /* out of memory: a line twice */
    p->fn(p->ctx, i < p->n ? p->w[i].name : NULL, s, action);
    return HS_OK;
}

/* The pipelines with a public URL (only p->only when given) into p->w. */
static int collect(plan *p, char *why, size_t why_size)
{
    size_t cap = (size_t)json_object_object_length(p->app->config->pipelines);
    p->n = 0;
    p->w = calloc(cap + 1, sizeof *p->w);
    if (!p->w) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    json_object_object_foreach(p->app->config->pipelines, name, cfg) {
        json_object *v;
        const char *pu = hs_public_url_of(cfg, p->app->config->public_url);
        if ((p->only && strcmp(p->only, name) != 0) || !pu ||
            !json_object_object_get_ex(cfg, "interviews", &v))
            continue;
        wanted *w = &p->w[p->n++];
        char token[HS_WEBHOOK_TOKEN_LEN + 1] = "", suffix[URL_MAX];
        w->name = name;
        w->connection = json_object_get_string(v);
        if (hs_webhook_token(p->app->config->state_dir, name, p->apply, token, why,
                             why_size) < 0)
            return -1;
        snprintf(suffix, sizeof suffix, HS_WEBHOOK_PATH_PREFIX "%s/", name);
        if (hs_public_url_join(pu, HS_WEBHOOK_PATH_PREFIX, w->base, sizeof w->base) != 0 ||
            hs_public_url_join(pu, suffix, w->slot, sizeof w->slot) != 0 ||
            snprintf(w->url, sizeof w->url, "%s%s", w->slot, token) >= (int)sizeof w->url) {
            hs_webhook_wipe(token, sizeof token);
            snprintf(why, why_size, "pipeline %s: public_url is too long", name);
            return -1;
        }
        hs_webhook_wipe(token, sizeof token);
    }
    return 0;
}

/* Groups by connection and owned prefix: "https://h" and "https://h/" own the same. */
static int group(plan *p, char *why, size_t why_size)
{
    for (size_t i = 0; i < p->n; i++) {
        p->w[i].group = i;
        for (size_t j = 0; j < i && p->w[i].group == i; j++)
            if (strcmp(p->w[j].connection, p->w[i].connection) == 0 &&
                strcmp(p->w[j].base, p->w[i].base) == 0)
                p->w[i].group = j;
    }
    p->shares = calloc(p->n * p->n + 1, 1);
    p->seen = json_object_new_object();
    if (!p->shares || !p->seen) {
        snprintf(why, why_size, "out of memory");
        return -1;
    }
    return 0;
}

/* Opens the group's connection; NULL with why when it fails or cannot manage subscriptions. */
static hs_connection *open_group(const plan *p, size_t g, char *why, size_t why_size)
{
    hs_connection *conn = NULL;
    hs_host_error err;
    const char *name = p->w[g].connection;
    hs_host_error_init(&err);
    if (hs_connection_open(p->app, name, NULL, &conn, &err.e) != HS_OK) {
        snprintf(why, why_size, "connection %s: %s", name, err.message);
        return NULL;
    }
    const hs_connector *t = hs_connection_table(conn);
    if (!(t->capabilities & HS_CAP_SYNC_SUBSCRIPTIONS)) {
        snprintf(why, why_size, "connection %s: connector %s cannot manage webhook "
                 "subscriptions; remove public_url from its pipelines", name, t->name);
        hs_connection_close(conn);
        return NULL;
    }
    return conn;
}

/* One sync_subscriptions call; 0, or -1 with why. */
static int call(hs_connection *conn, const char *owned, const hs_subscription_target *targets,
                size_t n, int apply, hs_status (*fn)(void *, const hs_subscription *, uint32_t),
                void *ctx, char *why, size_t why_size)
{
    hs_subscription_request req = {sizeof req, owned, targets, n, sizeof targets[0], apply};
    hs_subscription_report rep = {sizeof rep, ctx, fn};
    hs_host_error err;
    hs_host_error_init(&err);
    if (hs_connection_table(conn)->sync_subscriptions(hs_connection_conn(conn), &req, &rep,
                                                      &err.e) == HS_OK)
        return 0;
    snprintf(why, why_size, "connection %s: %s", hs_connection_name(conn), err.message);
    return -1;
}

typedef struct probing {
    plan *p;
    size_t group;
} probing;

/* Notes, per pipeline of another group, one subscription of it the group would delete. */
static hs_status note_other(void *ctx, const hs_subscription *s, uint32_t action)
{
    probing *pr = ctx;
    size_t i = owner_of(pr->p, s->target_url);
    if (action == HS_SUBSCRIPTION_DELETED && s->id && i < pr->p->n &&
        pr->p->w[i].group != pr->group && !pr->p->w[i].probe[0])
        snprintf(pr->p->w[i].probe, sizeof pr->p->w[i].probe, "%s", s->id);
    return HS_OK;
}

typedef struct finding {
    const char *key;
    int found;
} finding;

static hs_status find_key(void *ctx, const hs_subscription *s, uint32_t action)
{
    finding *f = ctx;
    (void)action;
    f->found |= s->id && strcmp(s->id, f->key) == 0;
    return HS_OK;
}

/* Whether group g's connection sees the account of pipeline j's, known by whether j's
 * connection lists the subscription g saw in j's slot (keys are the account's). When j's
 * connection cannot tell, they are taken as one: better keep a subscription than delete a
 * live one of j. */
static int one_account(plan *p, size_t g, size_t j)
{
    size_t h = p->w[j].group;
    signed char *known = &p->shares[g * p->n + h];
    if (*known == 0) {
        char why[HS_ERROR_MESSAGE_MIN];
        finding f = {p->w[j].probe, 0};
        hs_connection *conn = open_group(p, h, why, sizeof why);
        int rc = conn ? call(conn, p->w[j].slot, NULL, 0, 0, find_key, &f, why, sizeof why) : -1;
        hs_connection_close(conn);
        *known = rc != 0 || f.found ? 1 : -1;
        p->shares[h * p->n + g] = *known;
    }
    return *known > 0;
}

/* Marks extra the pipelines of other groups under g's prefix whose subscriptions g's
 * connection sees in their own account, so that g keeps them instead of deleting them as
 * stale. Only pipelines of other groups are probed: a stale one of no pipeline is still
 * deleted, and so is a pipeline's leftover in an account that is not its connection's. */
static int adopt_others(plan *p, size_t g, hs_connection *conn,
                        const hs_subscription_target *own, size_t n_own, char *why,
                        size_t why_size)
{
    int others = 0;
    for (size_t i = 0; i < p->n; i++) {
        p->w[i].extra = 0;
        p->w[i].probe[0] = '\0';
        others |= p->w[i].group != g && strcmp(p->w[i].base, p->w[g].base) == 0;
    }
    if (!others || p->only)
        return 0;
    probing pr = {p, g};
    if (call(conn, p->w[g].base, own, n_own, 0, note_other, &pr, why, why_size) != 0)
        return -1;
    for (size_t i = 0; i < p->n; i++)
        p->w[i].extra = p->w[i].probe[0] && one_account(p, g, i);
    return 0;
}

/* One connection and public URL: every pipeline of the group in one request, plus those of
 * other groups that share its account. The number of the group's pipelines, or -1. */
static int sync_group(plan *p, size_t g, char *why, size_t why_size)
{
    hs_subscription_target *targets = calloc(p->n, sizeof *targets);
    size_t nt = 0, own = 0;
    int rc = -1;
    hs_connection *conn = NULL;
    if (!targets) {
        snprintf(why, why_size, "pipeline %s: out of memory", p->w[g].name);
        return -1;
    }
    for (size_t i = 0; i < p->n; i++)
        if (p->w[i].group == g)
            targets[nt++] = (hs_subscription_target){sizeof targets[0], p->w[i].url,
                                                     p->w[i].slot};
    own = nt;
    if (!(conn = open_group(p, g, why, why_size)) ||
        adopt_others(p, g, conn, targets, own, why, why_size) != 0)
        goto out;
    for (size_t i = 0; i < p->n; i++)
        if (p->w[i].extra)
            targets[nt++] = (hs_subscription_target){sizeof targets[0], p->w[i].url,
                                                     p->w[i].slot};
    if (call(conn, p->only ? p->w[g].slot : p->w[g].base, targets, nt, p->apply,
             on_subscription, p, why, why_size) == 0)
        rc = (int)own;
out:
    hs_connection_close(conn);
    free(targets);
    return rc;
}

int hs_subscriptions_sync(hs_app *app, const char *pipeline, int apply, hs_subscriptions_fn fn,
                          void *ctx, char *why, size_t why_size)
{
    plan p = {app, pipeline, apply, NULL, 0, fn, ctx, NULL, NULL};
    size_t used = 0;
    int total = 0, failed = 0;
    why[0] = '\0';
    if (collect(&p, why, why_size) != 0 || group(&p, why, why_size) != 0) {
        failed = 1;
        goto out;
    }
    for (size_t g = 0; g < p.n; g++) {
        if (p.w[g].group != g)
            continue;
        int rc = sync_group(&p, g, why + used, why_size - used);
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
out:
    json_object_put(p.seen);
    free(p.shares);
    free(p.w);
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
