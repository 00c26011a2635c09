/* Opening configured connections and the services the host lends them. */
#define _POSIX_C_SOURCE 200809L
#include "connection.h"

#include "shared.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

/* Most entries a connection may keep in its store: it is for bookkeeping only. */
#define STORE_MAX_ENTRIES 256
/* Slice in which the default sleep polls cancellation. */
#define SLEEP_SLICE_MS 100

struct hs_host {
    hs_connection *connection;
};

struct hs_connection {
    hs_host host;
    hs_app *app;
    const hs_config_connection *config;
    const hs_module *module;
    hs_conn *conn;
    char *scope;
    const char *user_agent;
    hs_host_api api;
    hs_connection_options options;
    pthread_mutex_t store_lock;
    json_object *store;
};

/* ---- host services ------------------------------------------------------------------------ */

static void host_log(hs_host *host, hs_log_level level, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void host_log(hs_host *host, hs_log_level level, const char *fmt, ...)
{
    hs_connection *c = host->connection;
    if (level < HS_LOG_ERROR)
        level = HS_LOG_ERROR;
    if (level > HS_LOG_DEBUG)
        level = HS_LOG_DEBUG;
    va_list ap;
    va_start(ap, fmt);
    hs_log_vwrite(c->app->log, level, c->scope, fmt, ap);
    va_end(ap);
}

static int host_cancelled(hs_host *host)
{
    hs_connection *c = host->connection;
    return c->options.cancelled ? c->options.cancelled(c->options.cancel_ctx) : 0;
}

static int64_t real_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t host_now_ms(hs_host *host)
{
    hs_connection *c = host->connection;
    return c->options.now_ms ? c->options.now_ms(c->options.clock_ctx) : real_now_ms();
}

static int host_sleep_ms(hs_host *host, int64_t ms)
{
    hs_connection *c = host->connection;
    if (c->options.sleep_ms)
        return c->options.sleep_ms(c->options.clock_ctx, ms);
    while (ms > 0) {
        if (host_cancelled(host))
            return 1;
        int64_t slice = ms < SLEEP_SLICE_MS ? ms : SLEEP_SLICE_MS;
        struct timespec ts = {(time_t)(slice / 1000), (long)(slice % 1000) * 1000000L};
        nanosleep(&ts, NULL);
        ms -= slice;
    }
    return host_cancelled(host);
}

static const char *host_user_agent(hs_host *host)
{
    return host->connection->user_agent;
}

static hs_status host_store_get(hs_host *host, const char *name, char *buf, size_t buf_size)
{
    hs_connection *c = host->connection;
    hs_status st = HS_E_DATA;
    json_object *v;
    if (!name || !buf)
        return HS_E_INTERNAL;
    pthread_mutex_lock(&c->store_lock);
    if (json_object_object_get_ex(c->store, name, &v)) {
        const char *s = json_object_get_string(v);
        size_t len = strlen(s);
        st = len < buf_size ? HS_OK : HS_E_INTERNAL;
        if (st == HS_OK)
            memcpy(buf, s, len + 1);
    }
    pthread_mutex_unlock(&c->store_lock);
    return st;
}

static hs_status host_store_put(hs_host *host, const char *name, const char *value)
{
    hs_connection *c = host->connection;
    if (!name || !name[0] || strlen(name) > HS_STORE_NAME_MAX
        || (value && strlen(value) > HS_STORE_VALUE_MAX))
        return HS_E_DATA;
    hs_status st = HS_OK;
    pthread_mutex_lock(&c->store_lock);
    if (!value) {
        json_object_object_del(c->store, name);
    } else if (!json_object_object_get_ex(c->store, name, NULL)
               && json_object_object_length(c->store) >= STORE_MAX_ENTRIES) {
        st = HS_E_DATA;
    } else {
        json_object *v = json_object_new_string(value);
        if (!v || json_object_object_add(c->store, name, v) != 0) {
            json_object_put(v);
            st = HS_E_INTERNAL;
        }
    }
    pthread_mutex_unlock(&c->store_lock);
    return st;
}

static void host_remote_time(hs_host *host, int64_t remote_ms)
{
    hs_connection *c = host->connection;
    int64_t now = host_now_ms(host);
    if (remote_ms <= 0 || c->app->shared == NULL)
        return;
    hs_shared_set_skew(c->app->shared, c->config->name, now - remote_ms, now);
}

static void host_request_done(hs_host *host, int32_t http_status)
{
    hs_connection *c = host->connection;
    hs_shared_count_request(c->app->shared, c->config->name, http_status);
}

static hs_status host_shared_get(hs_host *host, const char *name, char *buf, size_t buf_size)
{
    hs_connection *c = host->connection;
    if (c->app->shared == NULL)
        return HS_E_DATA;
    return hs_shared_get(c->app->shared, c->config->name, name, buf, buf_size);
}

static hs_status host_shared_put(hs_host *host, const char *name, const char *value)
{
    hs_connection *c = host->connection;
    if (c->app->shared == NULL)
        return HS_E_INTERNAL;
    return hs_shared_put(c->app->shared, c->config->name, name, value);
}

static hs_status host_shared_swap(hs_host *host, const char *name, const char *expected,
                                  const char *value)
{
    hs_connection *c = host->connection;
    if (c->app->shared == NULL)
        return HS_E_INTERNAL;
    return hs_shared_swap(c->app->shared, c->config->name, name, expected, value);
}

/* ---- the store as JSON ------------------------------------------------------------------ */

static int store_parse(const char *json, json_object **out, char *error, size_t error_size)
{
    json_object *obj = json_tokener_parse(json);
    if (!obj || !json_object_is_type(obj, json_type_object)) {
        snprintf(error, error_size, "connection store is not a JSON object");
        json_object_put(obj);
        return -1;
    }
    if (json_object_object_length(obj) > STORE_MAX_ENTRIES) {
        snprintf(error, error_size, "connection store has more than %d entries",
                 STORE_MAX_ENTRIES);
        json_object_put(obj);
        return -1;
    }
    json_object_object_foreach(obj, key, v) {
        if (strlen(key) == 0 || strlen(key) > HS_STORE_NAME_MAX
            || !json_object_is_type(v, json_type_string)
            || strlen(json_object_get_string(v)) > HS_STORE_VALUE_MAX) {
            snprintf(error, error_size, "connection store entry is not a name of at most %d "
                     "bytes with a string of at most %d bytes", HS_STORE_NAME_MAX,
                     HS_STORE_VALUE_MAX);
            json_object_put(obj);
            return -1;
        }
    }
    *out = obj;
    return 0;
}

char *hs_connection_store_json(hs_connection *connection)
{
    pthread_mutex_lock(&connection->store_lock);
    const char *s = json_object_to_json_string_ext(connection->store, JSON_C_TO_STRING_PLAIN);
    char *copy = s ? strdup(s) : NULL;
    pthread_mutex_unlock(&connection->store_lock);
    return copy;
}

int hs_connection_store_load(hs_connection *connection, const char *json, char *error,
                             size_t error_size)
{
    json_object *obj;
    if (store_parse(json ? json : "", &obj, error, error_size) != 0)
        return -1;
    pthread_mutex_lock(&connection->store_lock);
    json_object_put(connection->store);
    connection->store = obj;
    pthread_mutex_unlock(&connection->store_lock);
    return 0;
}

/* ---- open and close ----------------------------------------------------------------------- */

static void set_err(hs_error *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void set_err(hs_error *err, const char *fmt, ...)
{
    if (!err || !err->message || err->message_size == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, err->message_size, fmt, ap);
    va_end(ap);
}

static hs_connection *connection_new(hs_app *app, const hs_config_connection *config,
                                     const hs_module *module,
                                     const hs_connection_options *options)
{
    hs_connection *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    if (pthread_mutex_init(&c->store_lock, NULL) != 0) {
        free(c);
        return NULL;
    }
    c->host.connection = c;
    c->app = app;
    c->config = config;
    c->module = module;
    if (options)
        c->options = *options;
    c->options.scope = NULL;
    c->options.store_json = NULL;
    c->scope = strdup(options && options->scope ? options->scope : config->name);
    c->store = json_object_new_object();
    c->user_agent = hs_app_user_agent(app, config->connector);
    c->api.struct_size = sizeof(c->api);
    c->api.abi_version = HS_ABI_VERSION;
    c->api.log = host_log;
    c->api.cancelled = host_cancelled;
    c->api.now_ms = host_now_ms;
    c->api.sleep_ms = host_sleep_ms;
    c->api.user_agent = host_user_agent;
    c->api.store_get = host_store_get;
    c->api.store_put = host_store_put;
    c->api.remote_time = host_remote_time;
    c->api.shared_get = host_shared_get;
    c->api.shared_put = host_shared_put;
    c->api.shared_swap = host_shared_swap;
    c->api.request_done = host_request_done;
    if (!c->scope || !c->store) {
        hs_connection_close(c);
        return NULL;
    }
    return c;
}

hs_status hs_connection_open(hs_app *app, const char *name,
                             const hs_connection_options *options, hs_connection **out,
                             hs_error *err)
{
    *out = NULL;
    const hs_config_connection *config = app->config
                                             ? hs_config_find_connection(app->config, name)
                                             : NULL;
    if (!config) {
        set_err(err, "unknown connection \"%s\"; name one from \"connections\" in %s", name,
                app->config_path);
        return HS_E_CONFIG;
    }
    if (app->config->secrets_unresolved) {
        set_err(err, "connection \"%s\": the configuration was loaded without its secrets",
                name);
        return HS_E_INTERNAL;
    }
    char error[512];
    const hs_module *module = app->registry ? hs_registry_get(app->registry, config->connector,
                                                              error, sizeof(error))
                                            : NULL;
    if (!module) {
        set_err(err, "%s", app->registry ? error : "connector registry not loaded");
        return HS_E_CONFIG;
    }
    hs_connection *c = connection_new(app, config, module, options);
    if (!c) {
        set_err(err, "out of memory opening connection \"%s\"", name);
        return HS_E_INTERNAL;
    }
    if (options && options->store_json
        && hs_connection_store_load(c, options->store_json, error, sizeof(error)) != 0) {
        set_err(err, "%s: %s", name, error);
        hs_connection_close(c);
        return HS_E_INTERNAL;
    }
    hs_host_error local;
    hs_status st = module->table.open(&c->api, &c->host, config->config_json, &c->conn,
                                      hs_host_error_init(&local));
    if (st == HS_OK && !c->conn) {
        st = HS_E_INTERNAL;
        hs_host_error_set(&local.e, "open() succeeded without a connection");
    }
    if (st != HS_OK) {
        c->conn = NULL;   /* a failed open leaves nothing to close */
        if (err) {
            err->http_status = local.e.http_status;
            err->retry_after_s = local.e.retry_after_s;
            if (err->message && err->message_size > 0)
                hs_log_mask(app->log, local.message, err->message, err->message_size);
        }
        hs_connection_close(c);
        return st;
    }
    *out = c;
    return HS_OK;
}

void hs_connection_close(hs_connection *connection)
{
    if (!connection)
        return;
    if (connection->conn)
        connection->module->table.close(connection->conn);
    json_object_put(connection->store);
    pthread_mutex_destroy(&connection->store_lock);
    free(connection->scope);
    free(connection);
}

const char *hs_connection_name(const hs_connection *connection)
{
    return connection->config->name;
}

const hs_config_connection *hs_connection_config(const hs_connection *connection)
{
    return connection->config;
}

const hs_connector *hs_connection_table(const hs_connection *connection)
{
    return &connection->module->table;
}

hs_conn *hs_connection_conn(const hs_connection *connection)
{
    return connection->conn;
}

hs_host *hs_connection_host(const hs_connection *connection)
{
    return (hs_host *)&connection->host;
}

const hs_host_api *hs_connection_api(const hs_connection *connection)
{
    return &connection->api;
}

int hs_connection_clock_skew(const hs_connection *connection, int64_t *skew_ms, int64_t *at_ms)
{
    if (connection->app->shared == NULL)
        return 0;
    return hs_shared_skew(connection->app->shared, connection->config->name, skew_ms, at_ms);
}

void hs_connection_requests(const hs_connection *connection,
                            uint64_t counts[HS_REQUEST_CLASSES])
{
    hs_shared_requests(connection->app->shared, connection->config->name, counts);
}
