/* Request counts per server, route and status, for assertions in tests and benchmarks. */
#include "sandbox.h"

static pthread_mutex_t stats_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *const server_names[] = { "eploy", "willo", "admin" };

static json_object *child(json_object *parent, const char *name)
{
    json_object *v;
    if (json_object_object_get_ex(parent, name, &v))
        return v;
    v = json_object_new_object();
    if (v && json_object_object_add(parent, name, v)) {
        json_object_put(v);
        return NULL;
    }
    return v;
}

static void bump(json_object *obj, const char *name)
{
    json_object *v;
    if (json_object_object_get_ex(obj, name, &v)) {
        json_object_int_inc(v, 1);
        return;
    }
    v = json_object_new_int64(1);
    if (v && json_object_object_add(obj, name, v))
        json_object_put(v);
}

static json_object *fresh(void)
{
    json_object *s = json_object_new_object();
    for (int i = 0; s && i < 2; i++) {
        json_object *srv = child(s, server_names[i]);
        if (srv) {
            json_object_object_add(srv, "requests", json_object_new_int64(0));
            child(srv, "routes");
        }
    }
    return s;
}

void hs_sb_stats_record(int server, const char *route, const char *status)
{
    if (server == HS_SB_ADMIN)
        return;
    pthread_mutex_lock(&stats_lock);
    if (!hs_sb_w.stats)
        hs_sb_w.stats = fresh();
    json_object *srv = hs_sb_w.stats ? child(hs_sb_w.stats, server_names[server]) : NULL;
    if (srv) {
        bump(srv, "requests");
        json_object *routes = child(srv, "routes");
        json_object *r = routes ? child(routes, route) : NULL;
        if (r)
            bump(r, status);
    }
    pthread_mutex_unlock(&stats_lock);
}

json_object *hs_sb_stats_get(void)
{
    json_object *copy = NULL;
    pthread_mutex_lock(&stats_lock);
    if (!hs_sb_w.stats)
        hs_sb_w.stats = fresh();
    if (hs_sb_w.stats && json_object_deep_copy(hs_sb_w.stats, &copy, NULL) != 0)
        copy = NULL;
    pthread_mutex_unlock(&stats_lock);
    return copy;
}

void hs_sb_stats_reset(void)
{
    pthread_mutex_lock(&stats_lock);
    json_object_put(hs_sb_w.stats);
    hs_sb_w.stats = NULL;
    pthread_mutex_unlock(&stats_lock);
}
