/* What the connections of one configured connection share within the process (see shared.h). */
#define _POSIX_C_SOURCE 200809L
#include "shared.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

struct hs_shared {
    pthread_mutex_t lock;
    json_object *values;   /* {"<conn>": {"<name>": "<value>", ...}, ...} */
    json_object *skews;    /* {"<conn>": [skew_ms, at_ms], ...} */
    json_object *requests; /* {"<conn>": [n per class, HS_REQUEST_CLASSES of them], ...} */
};

static const char *const REQUEST_CLASSES[HS_REQUEST_CLASSES] = {"2xx", "3xx", "4xx", "5xx",
                                                                "timeout", "error"};

hs_shared *hs_shared_new(void)
{
    hs_shared *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    if (pthread_mutex_init(&s->lock, NULL) != 0) {
        free(s);
        return NULL;
    }
    s->values = json_object_new_object();
    s->skews = json_object_new_object();
    s->requests = json_object_new_object();
    if (s->values == NULL || s->skews == NULL || s->requests == NULL) {
        hs_shared_free(s);
        return NULL;
    }
    return s;
}

void hs_shared_free(hs_shared *shared)
{
    if (shared == NULL)
        return;
    json_object_put(shared->values);
    json_object_put(shared->skews);
    json_object_put(shared->requests);
    pthread_mutex_destroy(&shared->lock);
    free(shared);
}

hs_status hs_shared_get(hs_shared *shared, const char *conn, const char *name, char *buf,
                        size_t buf_size)
{
    json_object *tbl, *v;
    hs_status st = HS_E_DATA;
    if (conn == NULL || name == NULL || buf == NULL)
        return HS_E_INTERNAL;
    pthread_mutex_lock(&shared->lock);
    if (json_object_object_get_ex(shared->values, conn, &tbl) &&
        json_object_object_get_ex(tbl, name, &v)) {
        const char *s = json_object_get_string(v);
        size_t len = strlen(s);
        st = len < buf_size ? HS_OK : HS_E_INTERNAL;
        if (st == HS_OK)
            memcpy(buf, s, len + 1);
    }
    pthread_mutex_unlock(&shared->lock);
    return st;
}

/* The table of conn, created when missing; NULL when out of memory. Called locked. */
static json_object *table_of(hs_shared *shared, const char *conn)
{
    json_object *tbl;
    if (json_object_object_get_ex(shared->values, conn, &tbl))
        return tbl;
    tbl = json_object_new_object();
    if (tbl != NULL && json_object_object_add(shared->values, conn, tbl) != 0) {
        json_object_put(tbl);
        return NULL;
    }
    return tbl;
}

/* Sets (or, value NULL, deletes) name in conn's table; with compare set, only when its value is
 * expected (NULL: absent), checked under the same hold of the lock. */
static hs_status change(hs_shared *shared, const char *conn, const char *name, int compare,
                        const char *expected, const char *value)
{
    json_object *tbl, *v = NULL;
    hs_status st = HS_OK;
    const char *now;
    if (conn == NULL || name == NULL || name[0] == '\0' || strlen(name) > HS_SHARED_NAME_MAX ||
        (value != NULL && strlen(value) > HS_SHARED_VALUE_MAX))
        return HS_E_DATA;
    pthread_mutex_lock(&shared->lock);
    tbl = table_of(shared, conn);
    if (tbl == NULL) {
        st = HS_E_INTERNAL;
        goto out;
    }
    now = json_object_object_get_ex(tbl, name, &v) ? json_object_get_string(v) : NULL;
    if (compare &&
        ((now == NULL) != (expected == NULL) || (now != NULL && strcmp(now, expected) != 0))) {
        st = HS_E_DATA;
        goto out;
    }
    if (value == NULL) {
        json_object_object_del(tbl, name);
    } else if (v == NULL && json_object_object_length(tbl) >= HS_SHARED_MAX_ENTRIES) {
        st = HS_E_DATA;
    } else {
        json_object *nv = json_object_new_string(value);
        if (nv == NULL || json_object_object_add(tbl, name, nv) != 0) {
            json_object_put(nv);
            st = HS_E_INTERNAL;
        }
    }
out:
    pthread_mutex_unlock(&shared->lock);
    return st;
}

hs_status hs_shared_put(hs_shared *shared, const char *conn, const char *name,
                        const char *value)
{
    return change(shared, conn, name, 0, NULL, value);
}

hs_status hs_shared_swap(hs_shared *shared, const char *conn, const char *name,
                         const char *expected, const char *value)
{
    return change(shared, conn, name, 1, expected, value);
}

void hs_shared_set_skew(hs_shared *shared, const char *conn, int64_t skew_ms, int64_t at_ms)
{
    json_object *pair = json_object_new_array_ext(2);
    if (pair == NULL)
        return;
    if (json_object_array_add(pair, json_object_new_int64(skew_ms)) != 0 ||
        json_object_array_add(pair, json_object_new_int64(at_ms)) != 0) {
        json_object_put(pair);
        return;
    }
    pthread_mutex_lock(&shared->lock);
    if (json_object_object_add(shared->skews, conn, pair) != 0)
        json_object_put(pair);
    pthread_mutex_unlock(&shared->lock);
}

int hs_shared_skew(hs_shared *shared, const char *conn, int64_t *skew_ms, int64_t *at_ms)
{
    json_object *pair;
    int found = 0;
    pthread_mutex_lock(&shared->lock);
    if (json_object_object_get_ex(shared->skews, conn, &pair) &&
        json_object_array_length(pair) == 2) {
        if (skew_ms != NULL)
            *skew_ms = json_object_get_int64(json_object_array_get_idx(pair, 0));
        if (at_ms != NULL)
            *at_ms = json_object_get_int64(json_object_array_get_idx(pair, 1));
        found = 1;
    }
    pthread_mutex_unlock(&shared->lock);
    return found;
}

const char *hs_request_class_name(size_t i)
{
    return i < HS_REQUEST_CLASSES ? REQUEST_CLASSES[i] : NULL;
}

static size_t request_class(int32_t http_status)
{
    if (http_status == HS_REQUEST_TIMEOUT)
        return 4;
    if (http_status < 200 || http_status > 599)
        return 5;
    return (size_t)(http_status / 100 - 2);
}

/* conn's counters, created when missing; NULL when out of memory. Called locked. */
static json_object *counters_of(hs_shared *shared, const char *conn)
{
    json_object *list;
    if (json_object_object_get_ex(shared->requests, conn, &list))
        return list;
    list = json_object_new_array_ext(HS_REQUEST_CLASSES);
    for (size_t i = 0; list != NULL && i < HS_REQUEST_CLASSES; i++) {
        if (json_object_array_add(list, json_object_new_int64(0)) != 0) {
            json_object_put(list);
            return NULL;
        }
    }
    if (list != NULL && json_object_object_add(shared->requests, conn, list) != 0) {
        json_object_put(list);
        return NULL;
    }
    return list;
}

void hs_shared_count_request(hs_shared *shared, const char *conn, int32_t http_status)
{
    json_object *list;
    if (shared == NULL || conn == NULL)
        return;
    pthread_mutex_lock(&shared->lock);
    list = counters_of(shared, conn);
    if (list != NULL)
        json_object_int_inc(json_object_array_get_idx(list, request_class(http_status)), 1);
    pthread_mutex_unlock(&shared->lock);
}

void hs_shared_requests(hs_shared *shared, const char *conn,
                        uint64_t counts[HS_REQUEST_CLASSES])
{
    json_object *list = NULL;
    memset(counts, 0, HS_REQUEST_CLASSES * sizeof counts[0]);
    if (shared == NULL || conn == NULL)
        return;
    pthread_mutex_lock(&shared->lock);
    if (json_object_object_get_ex(shared->requests, conn, &list) &&
        json_object_array_length(list) == HS_REQUEST_CLASSES)
        for (size_t i = 0; i < HS_REQUEST_CLASSES; i++)
            counts[i] = (uint64_t)json_object_get_int64(json_object_array_get_idx(list, i));
    pthread_mutex_unlock(&shared->lock);
}
