/* The host services the kit lends a connector: each one records what the connector did. */
#define _POSIX_C_SOURCE 200809L
#include <config.h>   /* PACKAGE_VERSION */

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kit.h"

int kit_strings_add(kit_strings *s, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 8;
        char **v = realloc(s->v, cap * sizeof(*v));
        if (!v)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    if (!(s->v[s->n] = strdup(line)))
        return -1;
    s->n++;
    return 0;
}

int kit_strings_has(const kit_strings *s, const char *value)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->v[i], value) == 0)
            return 1;
    }
    return 0;
}

void kit_strings_clear(kit_strings *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof(*s));
}

void kit_emitted_clear(kit_emitted *e)
{
    for (size_t i = 0; i < e->n_units; i++) {
        kit_strings_clear(&e->units[i].keys);
        free(e->units[i].cursor);
    }
    free(e->units);
    kit_strings_clear(&e->pending);
    kit_strings_clear(&e->jobs);
    kit_strings_clear(&e->problems);
    kit_strings_clear(&e->old_kinds);
    kit_strings_clear(&e->life_keys);
    kit_strings_clear(&e->life_problems);
    free(e->record_id);
    free(e->job_id);
    free(e->person_id);
    free(e->stage_id);
    free(e->stage_name);
    free(e->status_id);
    free(e->status_name);
    kit_strings_clear(&e->stages);
    kit_strings_clear(&e->progress_problems);
    memset(e, 0, sizeof(*e));
}

const char *kit_emitted_cursor(const kit_emitted *e)
{
    return e->n_units ? e->units[e->n_units - 1].cursor : NULL;
}

/* name=value lists: the store and the shared memory. */
static char *kv_find(const kit_strings *s, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < s->n; i++) {
        if (strncmp(s->v[i], name, len) == 0 && s->v[i][len] == '=')
            return s->v[i] + len + 1;
    }
    return NULL;
}

static void kv_delete(kit_strings *s, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < s->n; i++) {
        if (strncmp(s->v[i], name, len) == 0 && s->v[i][len] == '=') {
            free(s->v[i]);
            s->v[i] = s->v[--s->n];
            return;
        }
    }
}

static hs_status kv_get(const kit_strings *s, const char *name, char *buf, size_t size)
{
    const char *v = name ? kv_find(s, name) : NULL;
    if (!v)
        return HS_E_DATA;
    if (!buf || strlen(v) >= size)
        return HS_E_INTERNAL;
    memcpy(buf, v, strlen(v) + 1);
    return HS_OK;
}

static hs_status kv_put(kit_strings *s, const char *name, const char *value)
{
    if (!name || !name[0] || strlen(name) > 64 || strchr(name, '=')
        || (value && strlen(value) > 4096))
        return HS_E_INTERNAL;
    kv_delete(s, name);
    if (!value)
        return HS_OK;
    if (s->n >= 64 && s->v != NULL)
        return HS_E_INTERNAL;
    return kit_strings_add(s, "%s=%s", name, value) == 0 ? HS_OK : HS_E_INTERNAL;
}

/* Something the connector did that counts as work, for the cancellation test. */
static void work(kit *k)
{
    if (k->cancel_seen)
        k->work_after_cancel++;
}

static const char *level_label(hs_log_level level)
{
    static const char *names[] = {"error", "warn", "info", "debug"};
    return (unsigned)level < 4 ? names[level] : "?";
}

static void svc_log(hs_host *host, hs_log_level level, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    kit *k = host->kit;
    k->log_lines++;
    kit_scan(k, "a log line", line);
    /* Printed once the call is over: fds 1 and 2 are the connector's to keep empty now. */
    if (k->verbose)
        kit_strings_add(&k->verbose_lines, "    log %s: %s", level_label(level), line);
}

static int svc_cancelled(hs_host *host)
{
    kit *k = host->kit;
    k->polls++;
    if (k->cancel_at <= 0 || k->polls < k->cancel_at)
        return 0;
    if (!k->cancel_seen)
        k->cancel_seen = k->polls;
    return 1;
}

static int64_t svc_now_ms(hs_host *host)
{
    (void)host;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Real sleep in short slices, waking at once when the kit cancels. */
static int svc_sleep_ms(hs_host *host, int64_t ms)
{
    kit *k = host->kit;
    work(k);
    while (ms > 0) {
        if (k->cancel_at > 0 && k->polls + 1 >= k->cancel_at) {
            if (!k->cancel_seen)
                k->cancel_seen = k->polls + 1;
            return 1;
        }
        int64_t slice = ms < 20 ? ms : 20;
        struct timespec ts = {(time_t)(slice / 1000), (long)(slice % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        ms -= slice;
    }
    return 0;
}

static const char *svc_user_agent(hs_host *host)
{
    (void)host;
    return "hiresync-conformance/" PACKAGE_VERSION;
}

static hs_status svc_store_get(hs_host *host, const char *name, char *buf, size_t size)
{
    return kv_get(&host->store, name, buf, size);
}

static hs_status svc_store_put(hs_host *host, const char *name, const char *value)
{
    if (value)
        kit_scan(host->kit, "the durable store", value);
    return kv_put(&host->store, name, value);
}

static void svc_remote_time(hs_host *host, int64_t remote_ms)
{
    (void)remote_ms;
    host->kit->responses++;
    work(host->kit);
}

static hs_status svc_shared_get(hs_host *host, const char *name, char *buf, size_t size)
{
    return kv_get(&host->shared, name, buf, size);
}

/* Shared memory may hold a token, never logged: no scan. */
static hs_status svc_shared_put(hs_host *host, const char *name, const char *value)
{
    return kv_put(&host->shared, name, value);
}

static hs_status svc_shared_swap(hs_host *host, const char *name, const char *expected,
                                 const char *value)
{
    const char *cur = name ? kv_find(&host->shared, name) : NULL;
    if (!cur != !expected || (cur && strcmp(cur, expected) != 0))
        return HS_E_DATA;
    return kv_put(&host->shared, name, value);
}

void kit_api_init(kit *k)
{
    memset(&k->api, 0, sizeof(k->api));
    k->api.struct_size = sizeof(k->api);
    k->api.abi_version = HS_ABI_VERSION;
    k->api.log = svc_log;
    k->api.cancelled = svc_cancelled;
    k->api.now_ms = svc_now_ms;
    k->api.sleep_ms = svc_sleep_ms;
    k->api.user_agent = svc_user_agent;
    k->api.store_get = svc_store_get;
    k->api.store_put = svc_store_put;
    k->api.remote_time = svc_remote_time;
    k->api.shared_get = svc_shared_get;
    k->api.shared_put = svc_shared_put;
    k->api.shared_swap = svc_shared_swap;
    /* A 2.0 host's table has the same fields: only the version it claims differs. */
    k->api_2_0 = k->api;
    k->api_2_0.abi_version = KIT_HOST_ABI_2_0;
}

void kit_host_init(hs_host *host, kit *k)
{
    memset(host, 0, sizeof(*host));
    host->kit = k;
}

void kit_host_clear(hs_host *host)
{
    kit_strings_clear(&host->store);
    kit_strings_clear(&host->shared);
}

void kit_call_reset(kit *k, long cancel_at)
{
    k->polls = 0;
    k->cancel_at = cancel_at;
    k->cancel_seen = 0;
    k->work_after_cancel = 0;
    k->barriers_after_cancel = 0;
    k->responses = 0;
}
