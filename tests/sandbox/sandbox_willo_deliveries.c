/* Willo webhook deliveries: when a participant completes (new_response) or changes stage
 * (stage_change), every active subscription for that trigger gets a POST of
 * {"trigger","created","participant":{"key","interview"}} from a thread of its own, so a slow
 * receiver never holds up the API. The payload is a sandbox choice; the real one is unknown.
 * Results are kept for GET /willo/deliveries on the admin interface. The settings
 * delivery_delay_ms, delivery_drop, delivery_retries and delivery_retry_ms (POST
 * /willo/settings) delay, lose and retry deliveries; Willo's own behaviour is unknown. */
#include "sandbox.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct job {
    char *url, *body;
    size_t index;
    unsigned generation;
    int64_t delay_ms, retry_ms;
    int retries;
} job;

static void pause_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (ms > 0 && nanosleep(&ts, &ts) != 0)
        ;
}

static size_t discard(char *data, size_t size, size_t n, void *cls)
{
    (void)data;
    (void)cls;
    return size * n;
}

/* One POST; its status into *status. */
static CURLcode attempt(const job *j, long *status)
{
    CURLcode cc = CURLE_FAILED_INIT;
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    if (c && h) {
        curl_easy_setopt(c, CURLOPT_URL, j->url);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, j->body);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
        curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
        cc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return cc;
}

/* Records an attempt; final: no more will follow. */
static void note(const job *j, CURLcode cc, long status, int final)
{
    pthread_mutex_lock(&hs_sb_w.lock);
    /* A reset in the meantime dropped the record this result belongs to. */
    if (j->generation == hs_sb_w.generation && j->index < hs_sb_w.n_dl) {
        hs_sb_delivery *d = &hs_sb_w.dl[j->index];
        d->attempts++;
        d->state = !final ? 0 : cc == CURLE_OK ? 1 : 2;
        d->status = status;
        snprintf(d->error, sizeof d->error, "%s", cc == CURLE_OK ? "" : curl_easy_strerror(cc));
    }
    pthread_mutex_unlock(&hs_sb_w.lock);
}

static void *deliver(void *arg)
{
    job *j = arg;
    pause_ms(j->delay_ms);
    for (int n = 0;; n++) {
        long status = 0;
        CURLcode cc = attempt(j, &status);
        int ok = cc == CURLE_OK && status >= 200 && status < 300;
        note(j, cc, status, ok || n >= j->retries);
        if (ok || n >= j->retries)
            break;
        pause_ms(j->retry_ms);
    }
    free(j->url);
    free(j->body);
    free(j);
    return NULL;
}

static int start(const char *url, const char *body, size_t index)
{
    job *j = calloc(1, sizeof *j);
    pthread_t t;
    pthread_attr_t attr;
    if (!j)
        return -1;
    j->url = strdup(url);
    j->body = strdup(body);
    j->index = index;
    j->generation = hs_sb_w.generation;
    j->delay_ms = hs_sb_w.dl_delay_ms;
    j->retry_ms = hs_sb_w.dl_retry_ms;
    j->retries = hs_sb_w.dl_retries;
    if (!j->url || !j->body || pthread_attr_init(&attr) != 0)
        goto fail;
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&t, &attr, deliver, j);
    pthread_attr_destroy(&attr);
    if (rc == 0)
        return 0;
fail:
    free(j->url);
    free(j->body);
    free(j);
    return -1;
}

static int record(const hs_sb_webhook *w, const char *trigger, const hs_sb_participant *p)
{
    if (hs_sb_w.n_dl == hs_sb_w.cap_dl) {
        size_t cap = hs_sb_w.cap_dl ? hs_sb_w.cap_dl * 2 : 16;
        hs_sb_delivery *n = realloc(hs_sb_w.dl, cap * sizeof *n);
        if (!n)
            return -1;
        hs_sb_w.dl = n;
        hs_sb_w.cap_dl = cap;
    }
    hs_sb_delivery *d = &hs_sb_w.dl[hs_sb_w.n_dl];
    memset(d, 0, sizeof *d);
    snprintf(d->webhook, sizeof d->webhook, "%s", w->key);
    snprintf(d->participant, sizeof d->participant, "%s", p->key);
    snprintf(d->trigger, sizeof d->trigger, "%s", trigger);
    d->target_url = strdup(w->target_url);
    if (!d->target_url)
        return -1;
    d->created_ms = hs_sb_stamp_ms();
    hs_sb_w.n_dl++;
    return 0;
}

void hs_sb_webhooks_fire(const char *trigger, const hs_sb_participant *p)
{
    char created[48];
    for (size_t i = 0; i < hs_sb_w.n_wh; i++) {
        const hs_sb_webhook *w = &hs_sb_w.wh[i];
        if (w->deleted || !w->is_active || strcmp(w->trigger, trigger) != 0)
            continue;
        if (record(w, trigger, p))
            return;
        hs_sb_delivery *d = &hs_sb_w.dl[hs_sb_w.n_dl - 1];
        if (hs_sb_w.dl_drop > 0) {
            hs_sb_w.dl_drop--;
            d->state = 2;
            snprintf(d->error, sizeof d->error, "lost (delivery_drop)");
            continue;
        }
        json_object *o = json_object_new_object(), *pt = json_object_new_object();
        if (!o || !pt) {
            json_object_put(o);
            json_object_put(pt);
            d->state = 2;
            snprintf(d->error, sizeof d->error, "out of memory");
            continue;
        }
        json_object_object_add(o, "trigger", json_object_new_string(trigger));
        json_object_object_add(o, "created", json_object_new_string(
            hs_sb_format_date(d->created_ms, HS_SB_DATE_UTC, created, sizeof created)));
        json_object_object_add(pt, "key", json_object_new_string(p->key));
        json_object_object_add(pt, "interview", json_object_new_string(p->interview));
        json_object_object_add(o, "participant", pt);
        if (start(w->target_url, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                                       JSON_C_TO_STRING_NOSLASHESCAPE),
                  hs_sb_w.n_dl - 1)) {
            d->state = 2;
            snprintf(d->error, sizeof d->error, "could not start the delivery");
        }
        json_object_put(o);
    }
}

json_object *hs_sb_deliveries_json(void)
{
    static const char *const states[] = { "pending", "delivered", "failed" };
    json_object *arr = json_object_new_array();
    for (size_t i = 0; arr && i < hs_sb_w.n_dl; i++) {
        const hs_sb_delivery *d = &hs_sb_w.dl[i];
        json_object *o = json_object_new_object();
        if (!o)
            break;
        json_object_object_add(o, "webhook", json_object_new_string(d->webhook));
        json_object_object_add(o, "target_url", json_object_new_string(d->target_url));
        json_object_object_add(o, "trigger", json_object_new_string(d->trigger));
        json_object_object_add(o, "participant", json_object_new_string(d->participant));
        json_object_object_add(o, "state", json_object_new_string(states[d->state]));
        json_object_object_add(o, "status", json_object_new_int((int)d->status));
        json_object_object_add(o, "attempts", json_object_new_int(d->attempts));
        json_object_object_add(o, "error", json_object_new_string(d->error));
        json_object_array_add(arr, o);
    }
    return arr;
}

void hs_sb_deliveries_free(void)
{
    for (size_t i = 0; i < hs_sb_w.n_dl; i++)
        free(hs_sb_w.dl[i].target_url);
    free(hs_sb_w.dl);
    hs_sb_w.dl = NULL;
    hs_sb_w.n_dl = hs_sb_w.cap_dl = 0;
    hs_sb_w.generation++;
}
