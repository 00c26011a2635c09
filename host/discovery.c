/* The discovery cache (see discovery.h). */
#define _POSIX_C_SOURCE 200809L
#include "discovery.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    char *conn;
    int64_t at_ms;
    hs_job_list list;
} entry;

struct hs_discovery {
    pthread_mutex_t lock;
    entry *entries;
    size_t n, cap;
};

hs_discovery *hs_discovery_new(void)
{
    hs_discovery *d = calloc(1, sizeof *d);
    if (d == NULL)
        return NULL;
    if (pthread_mutex_init(&d->lock, NULL) != 0) {
        free(d);
        return NULL;
    }
    return d;
}

static void entry_clear(entry *e)
{
    free(e->conn);
    hs_job_list_clear(&e->list);
    memset(e, 0, sizeof *e);
}

static hs_discovery *g_process;
static pthread_once_t g_process_once = PTHREAD_ONCE_INIT;

static void process_new(void)
{
    g_process = hs_discovery_new();
}

hs_discovery *hs_discovery_process(void)
{
    (void)pthread_once(&g_process_once, process_new);
    return g_process;
}

void hs_discovery_free(hs_discovery *cache)
{
    if (cache == NULL)
        return;
    for (size_t i = 0; i < cache->n; i++)
        entry_clear(&cache->entries[i]);
    free(cache->entries);
    pthread_mutex_destroy(&cache->lock);
    free(cache);
}

/* Deep copy of src into the empty dst; 0, or -1 (dst cleared). */
static int copy_list(hs_job_list *dst, const hs_job_list *src)
{
    for (size_t i = 0; i < src->n; i++) {
        if (hs_job_list_add(dst, &src->jobs[i]) != 0) {
            hs_job_list_clear(dst);
            return -1;
        }
    }
    return 0;
}

static entry *find(hs_discovery *cache, const char *conn)
{
    for (size_t i = 0; i < cache->n; i++) {
        if (strcmp(cache->entries[i].conn, conn) == 0)
            return &cache->entries[i];
    }
    return NULL;
}

int hs_discovery_get(hs_discovery *cache, const char *conn, int64_t now_ms, int64_t ttl_ms,
                     hs_job_list *list, int64_t *age_ms)
{
    entry *e;
    int found = 0;

    if (cache == NULL || conn == NULL || ttl_ms <= 0)
        return 0;
    pthread_mutex_lock(&cache->lock);
    e = find(cache, conn);
    /* A listing "from the future" (the clock was set back) is not trusted either. */
    if (e != NULL && now_ms >= e->at_ms && now_ms - e->at_ms < ttl_ms &&
        copy_list(list, &e->list) == 0) {
        found = 1;
        if (age_ms != NULL)
            *age_ms = now_ms - e->at_ms;
    }
    pthread_mutex_unlock(&cache->lock);
    return found;
}

void hs_discovery_put(hs_discovery *cache, const char *conn, int64_t now_ms,
                      const hs_job_list *list)
{
    entry fresh, *e;

    if (cache == NULL || conn == NULL)
        return;
    memset(&fresh, 0, sizeof fresh);
    fresh.at_ms = now_ms;
    /* copied outside the lock: a large listing does not hold up the other workers */
    if ((fresh.conn = strdup(conn)) == NULL || copy_list(&fresh.list, list) != 0) {
        entry_clear(&fresh);
        hs_discovery_forget(cache, conn);
        return;
    }
    pthread_mutex_lock(&cache->lock);
    e = find(cache, conn);
    if (e == NULL && cache->n == cache->cap) {
        size_t cap = cache->cap ? cache->cap * 2 : 8;
        entry *grown = realloc(cache->entries, cap * sizeof *grown);
        if (grown != NULL) {
            cache->entries = grown;
            cache->cap = cap;
        }
    }
    if (e == NULL && cache->n < cache->cap) {
        e = &cache->entries[cache->n++];
        memset(e, 0, sizeof *e);
    }
    if (e != NULL) {
        entry_clear(e);
        *e = fresh;
        memset(&fresh, 0, sizeof fresh);
    }
    pthread_mutex_unlock(&cache->lock);
    entry_clear(&fresh);
}

void hs_discovery_forget(hs_discovery *cache, const char *conn)
{
    if (cache == NULL)
        return;
    pthread_mutex_lock(&cache->lock);
    for (size_t i = 0; i < cache->n; i++) {
        if (conn != NULL && strcmp(cache->entries[i].conn, conn) != 0)
            continue;
        entry_clear(&cache->entries[i]);
        cache->entries[i--] = cache->entries[--cache->n];
    }
    pthread_mutex_unlock(&cache->lock);
}
