/* sync_subscriptions: Willo's webhook subscriptions (GET/POST /webhooks/, PATCH/DELETE
 * /webhooks/{key}/) made to match what the host wants (connector.h, rule 11). A completion
 * is Willo's "new_response" trigger. Target URLs carry the host's token: they never reach a
 * log line or an error message. */
#define _DEFAULT_SOURCE

#include "willo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hs_errors.h"

#define TRIGGER "new_response"

/* One owned subscription as listed (strings borrowed from the listing). */
typedef struct owned {
    const char *key, *url, *trigger;
    int active, used;
} owned;

typedef struct listing {
    json_object *items;   /* owned: the listed subscriptions under owned_prefix */
    const char *prefix;
} listing;

static int starts_with(const char *s, const char *prefix)
{
    return s && prefix && strncmp(s, prefix, strlen(prefix)) == 0;
}

static const char *field(json_object *o, const char *name)
{
    json_object *v;
    if (!json_object_object_get_ex(o, name, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static hs_status keep_owned(void *ctx, json_object *results, int *stop, hs_error *err)
{
    listing *l = ctx;
    (void)stop;
    for (size_t i = 0; i < json_object_array_length(results); i++) {
        json_object *w = json_object_array_get_idx(results, i);
        if (!field(w, "key") || !starts_with(field(w, "target_url"), l->prefix))
            continue;
        if (json_object_array_add(l->items, json_object_get(w)) != 0) {
            json_object_put(w);
            return hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
        }
    }
    return HS_OK;
}

/* The owned subscriptions into *out (n entries, borrowed from l->items). */
static hs_status list_owned(hs_conn *c, listing *l, owned **out, size_t *n, hs_error *err)
{
    long status = 0;
    hs_status st;
    char *url = hs_willo_url(c, "/webhooks/", NULL);
    if (!url)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
    st = hs_willo_pages(c, url, "GET /webhooks/", keep_owned, l, &status, NULL, err);
    free(url);
    if (st != HS_OK)
        return st;
    if (status == 400 || status == 404)
        return hs_error_set(err, HS_E_PERMISSION, (int)status,
                            "willo: GET /webhooks/ answered %ld: this API key cannot manage "
                            "webhooks; ask Willo to enable webhooks for the integration", status);
    *n = json_object_array_length(l->items);
    *out = calloc(*n + 1, sizeof **out);
    if (!*out)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
    for (size_t i = 0; i < *n; i++) {
        json_object *w = json_object_array_get_idx(l->items, i), *v;
        (*out)[i].key = field(w, "key");
        (*out)[i].url = field(w, "target_url");
        (*out)[i].trigger = field(w, "trigger");
        (*out)[i].active = !json_object_object_get_ex(w, "is_active", &v) ||
                           json_object_get_boolean(v);
    }
    return HS_OK;
}

static int as_wanted(const owned *o, const char *url)
{
    return o->active && o->trigger && strcmp(o->trigger, TRIGGER) == 0 && strcmp(o->url, url) == 0;
}

static hs_status report(const hs_subscription_report *r, const char *key, const char *url,
                        const char *trigger, int active, uint32_t action)
{
    hs_subscription s = {sizeof s, key, url, trigger, active};
    return r->subscription(r->ctx, &s, action);
}

/* POST (key NULL), PATCH or DELETE (url NULL) of one subscription; the created key, when
 * asked, into key_out (a new string the caller frees). */
static hs_status change(hs_conn *c, const char *method, const char *key, const char *url,
                        char **key_out, hs_error *err)
{
    char path[160];
    long status = 0;
    json_object *body = NULL, *answer = NULL;
    hs_status st = HS_OK;
    snprintf(path, sizeof path, key ? "/webhooks/%s/" : "/webhooks/", key ? key : "");
    char *full = hs_willo_url(c, path, NULL);
    char what[200];
    snprintf(what, sizeof what, "%s /webhooks/%s%s", method, key ? key : "", key ? "/" : "");
    if (!full)
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
    if (url) {
        body = json_object_new_object();
        if (!body || json_object_object_add(body, "target_url", json_object_new_string(url)) ||
            json_object_object_add(body, "trigger", json_object_new_string(TRIGGER)) ||
            json_object_object_add(body, "is_active", json_object_new_boolean(1))) {
            st = hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
            goto out;
        }
    }
    st = hs_willo_request(c, method, full, what, body, key == NULL, &status, &answer, err);
    if (st != HS_OK)
        goto out;
    if (status == 404 && key && !url)
        goto out; /* already gone */
    if (status == 400 || status == 404) {
        st = hs_willo_unexpected(what, status, answer, err);
        goto out;
    }
    if (key_out) {
        const char *k = answer ? field(answer, "key") : NULL;
        *key_out = k ? strdup(k) : NULL;
        if (!*key_out)
            st = hs_error_set(err, HS_E_INTERNAL, (int)status,
                              "willo: %s answered without the new subscription's key", what);
    }
out:
    json_object_put(body);
    json_object_put(answer);
    free(full);
    return st;
}

/* One target: keep an exact one, else repair one in its slot, else create one. */
static hs_status one_target(hs_conn *c, const hs_subscription_request *req,
                            const hs_subscription_target *t, owned *o, size_t n,
                            const hs_subscription_report *r, hs_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (!o[i].used && as_wanted(&o[i], t->target_url)) {
            o[i].used = 1;
            return report(r, o[i].key, o[i].url, o[i].trigger, 1, HS_SUBSCRIPTION_KEPT);
        }
    for (size_t i = 0; i < n; i++) {
        if (o[i].used || !starts_with(o[i].url, t->slot_prefix))
            continue;
        o[i].used = 1;
        hs_status st = req->apply ? change(c, "PATCH", o[i].key, t->target_url, NULL, err) : HS_OK;
        return st != HS_OK ? st
                           : report(r, o[i].key, t->target_url, TRIGGER, 1,
                                    HS_SUBSCRIPTION_REPAIRED);
    }
    char *key = NULL;
    hs_status st = req->apply ? change(c, "POST", NULL, t->target_url, &key, err) : HS_OK;
    if (st == HS_OK)
        st = report(r, key, t->target_url, TRIGGER, 1, HS_SUBSCRIPTION_CREATED);
    free(key);
    return st;
}

static hs_status check_request(const hs_subscription_request *req,
                               const hs_subscription_report *r, hs_error *err)
{
    if (!req || !r || !r->subscription || !req->owned_prefix || !*req->owned_prefix ||
        (req->n_targets && (!req->targets || req->target_size < sizeof(uint32_t))))
        return hs_error_set(err, HS_E_INTERNAL, 0, "willo: sync_subscriptions: bad request");
    for (size_t i = 0; i < req->n_targets; i++) {
        const hs_subscription_target *t = HS_ELEMENT(hs_subscription_target, req->targets,
                                                     req->target_size, i);
        if (!HS_HAS_FIELD(hs_subscription_target, req->target_size, slot_prefix) ||
            !starts_with(t->target_url, t->slot_prefix) ||
            !starts_with(t->slot_prefix, req->owned_prefix))
            return hs_error_set(err, HS_E_INTERNAL, 0,
                                "willo: sync_subscriptions: target %zu is outside its slot or "
                                "the owned prefix", i);
    }
    return HS_OK;
}

hs_status hs_willo_sync_subscriptions(hs_conn *c, const hs_subscription_request *request,
                                      const hs_subscription_report *r, hs_error *err)
{
    listing l = {json_object_new_array(), NULL};
    owned *o = NULL;
    size_t n = 0;
    hs_status st = check_request(request, r, err);
    if (st != HS_OK)
        goto out;
    if (!l.items) {
        st = hs_error_set(err, HS_E_INTERNAL, 0, "willo: out of memory");
        goto out;
    }
    l.prefix = request->owned_prefix;
    if ((st = list_owned(c, &l, &o, &n, err)) != HS_OK)
        goto out;
    for (size_t i = 0; i < request->n_targets && st == HS_OK; i++)
        st = one_target(c, request, HS_ELEMENT(hs_subscription_target, request->targets,
                                               request->target_size, i), o, n, r, err);
    for (size_t i = 0; i < n && st == HS_OK; i++) {
        if (o[i].used)
            continue;
        if (request->apply && (st = change(c, "DELETE", o[i].key, NULL, NULL, err)) != HS_OK)
            break;
        st = report(r, o[i].key, o[i].url, o[i].trigger, o[i].active, HS_SUBSCRIPTION_DELETED);
    }
out:
    free(o);
    json_object_put(l.items);
    return st;
}
