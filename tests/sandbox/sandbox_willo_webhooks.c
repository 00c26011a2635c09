/* Willo webhook subscriptions: list, create, replace, update, delete (no detail route). */
#include "sandbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const triggers[] = { "new_response", "stage_change", "new_comment",
                                        "new_score" };

static json_object *webhook_json(const hs_sb_webhook *w)
{
    char date[48];
    json_object *o = json_object_new_object();
    if (!o)
        return NULL;
    json_object_object_add(o, "key", json_object_new_string(w->key));
    json_object_object_add(o, "target_url", json_object_new_string(w->target_url));
    json_object_object_add(o, "trigger", json_object_new_string(w->trigger));
    json_object_object_add(o, "is_active", json_object_new_boolean(w->is_active));
    json_object_object_add(o, "created", json_object_new_string(
        hs_sb_format_date(w->created_ms, HS_SB_DATE_UTC, date, sizeof date)));
    return o;
}

static json_object *webhook_item(const void *rec)
{
    return webhook_json(rec);
}

static int valid_trigger(const char *t)
{
    for (size_t i = 0; i < sizeof triggers / sizeof triggers[0]; i++)
        if (strcmp(t, triggers[i]) == 0)
            return 1;
    return 0;
}

/* Validates and applies a body; partial: only the fields present (PATCH). */
static int apply(hs_sb_webhook *w, json_object *in, int partial, hs_sb_resp *resp)
{
    json_object *v;
    const char *url = NULL, *trigger = NULL;
    if (json_object_object_get_ex(in, "target_url", &v))
        url = json_object_get_string(v);
    if (json_object_object_get_ex(in, "trigger", &v))
        trigger = json_object_get_string(v);
    if (!partial && !url) {
        hs_sb_reply_error(resp, 400, "target_url", "This field is required.");
        return -1;
    }
    if (!partial && !trigger) {
        hs_sb_reply_error(resp, 400, "trigger", "This field is required.");
        return -1;
    }
    if (url && strncmp(url, "http://", 7) && strncmp(url, "https://", 8)) {
        hs_sb_reply_error(resp, 400, "target_url", "Enter a valid URL.");
        return -1;
    }
    if (trigger && !valid_trigger(trigger)) {
        char msg[128];
        snprintf(msg, sizeof msg, "\"%.60s\" is not a valid choice.", trigger);
        hs_sb_reply_error(resp, 400, "trigger", msg);
        return -1;
    }
    char *nu = url ? strdup(url) : NULL, *nt = trigger ? strdup(trigger) : NULL;
    if ((url && !nu) || (trigger && !nt)) {
        free(nu);
        free(nt);
        hs_sb_reply_error(resp, 500, "detail", "out of memory");
        return -1;
    }
    if (nu) {
        free(w->target_url);
        w->target_url = nu;
    }
    if (nt) {
        free(w->trigger);
        w->trigger = nt;
    }
    if (json_object_object_get_ex(in, "is_active", &v))
        w->is_active = json_object_get_boolean(v);
    else if (!partial)
        w->is_active = 1;
    return 0;
}

static hs_sb_webhook *find(const char *key)
{
    for (size_t i = 0; i < hs_sb_w.n_wh; i++)
        if (!hs_sb_w.wh[i].deleted && strcmp(hs_sb_w.wh[i].key, key) == 0)
            return &hs_sb_w.wh[i];
    return NULL;
}

static void create(json_object *in, hs_sb_resp *resp)
{
    if (hs_sb_w.n_wh == hs_sb_w.cap_wh) {
        size_t cap = hs_sb_w.cap_wh ? hs_sb_w.cap_wh * 2 : 8;
        hs_sb_webhook *n = realloc(hs_sb_w.wh, cap * sizeof *n);
        if (!n) {
            hs_sb_reply_error(resp, 500, "detail", "out of memory");
            return;
        }
        hs_sb_w.wh = n;
        hs_sb_w.cap_wh = cap;
    }
    hs_sb_webhook *w = &hs_sb_w.wh[hs_sb_w.n_wh];
    memset(w, 0, sizeof *w);
    if (apply(w, in, 0, resp)) {
        hs_sb_webhook_free(w);
        return;
    }
    hs_sb_hex_key(&hs_sb_w.rng, w->key);
    w->created_ms = hs_sb_stamp_ms();
    hs_sb_w.n_wh++;
    hs_sb_reply_json(resp, 201, webhook_json(w));
}

void hs_sb_willo_webhooks(const hs_sb_req *r, hs_sb_resp *resp, const char *key)
{
    char msg[64];
    snprintf(msg, sizeof msg, "Method \"%s\" not allowed.", r->method);
    int get = strcmp(r->method, "GET") == 0, post = strcmp(r->method, "POST") == 0;
    int del = strcmp(r->method, "DELETE") == 0;
    int put = strcmp(r->method, "PUT") == 0, patch = strcmp(r->method, "PATCH") == 0;
    if (key && !find(key)) {
        hs_sb_reply_error(resp, 404, "detail", "Not found.");
        return;
    }
    if ((!key && !get && !post) || (key && !del && !put && !patch)) {
        hs_sb_reply_error(resp, 405, "detail", msg);
        return;
    }
    if (get) {
        const hs_sb_webhook **sel = calloc(hs_sb_w.n_wh + 1, sizeof *sel);
        size_t n = 0;
        if (!sel) {
            hs_sb_reply_error(resp, 500, "detail", "out of memory");
            return;
        }
        for (size_t i = 0; i < hs_sb_w.n_wh; i++)
            if (!hs_sb_w.wh[i].deleted)
                sel[n++] = &hs_sb_w.wh[i];
        hs_sb_willo_page(r, resp, n, (const void *const *)sel, webhook_item);
        free(sel);
        return;
    }
    if (del) {
        find(key)->deleted = 1;
        resp->status = 204;
        return;
    }
    json_object *in = json_tokener_parse(r->body);
    if (!in || !json_object_is_type(in, json_type_object)) {
        hs_sb_reply_error(resp, 400, "detail", "JSON parse error - the body is not a JSON object.");
    } else if (post) {
        create(in, resp);
    } else {
        hs_sb_webhook *w = find(key);
        if (apply(w, in, patch, resp) == 0)
            hs_sb_reply_json(resp, 200, webhook_json(w));
    }
    json_object_put(in);
}
