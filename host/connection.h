/*
 * An open connection: a configured connection (hs_config_connection) whose connector module is
 * loaded and whose open() succeeded, with the hs_host handle the host lends it.
 *
 * The hs_host behind every connection provides: log (through the app's logger, scope as given,
 * secrets masked), cancelled (the caller's callback), now_ms (injectable clock), sleep_ms
 * (wakes early on cancel), user_agent ("hiresync/<version> (+<connector>)"), and store_get /
 * store_put (a small key/value store; the runner persists it with hs_connection_store_json()
 * and restores it with hs_connection_store_load() or hs_connection_options.store_json),
 * remote_time (the skew, kept per configured connection in app->shared, see
 * hs_connection_clock_skew), request_done (counted per configured connection in app->shared,
 * see hs_connection_requests) and shared_get / shared_put (memory shared by the connections of
 * one configured connection in this process, app->shared).
 *
 * Ownership: hs_connection_open() allocates; hs_connection_close() calls the connector's
 * close() and frees everything (NULL is a no-op). The table, conn and host pointers returned
 * by the getters live until close. The app and its registry must outlive every connection.
 *
 * Threading: open on any thread once the module is loaded (hs_app_load_modules on the main
 * thread); if it is not loaded yet, open loads it, which is only allowed on the main thread.
 * One connection is used by one thread at a time (the ABI's rule); the store has its own lock
 * so the runner may snapshot it from another thread.
 */
#ifndef HS_HOST_CONNECTION_H
#define HS_HOST_CONNECTION_H

#include <stddef.h>
#include <stdint.h>

#include <hiresync/connector.h>

#include "app.h"
#include "records.h"
#include "shared.h"

typedef struct hs_connection hs_connection;

typedef struct hs_connection_options {
    const char *scope;              /* log prefix, e.g. "acme-video/eploy"; NULL: the
                                       connection's name. Copied. */
    const char *store_json;         /* initial store (a JSON object of strings, as returned
                                       by hs_connection_store_json); NULL: empty. Borrowed. */
    int (*cancelled)(void *ctx);    /* non-zero when the work must stop; NULL: never */
    void *cancel_ctx;
    int64_t (*now_ms)(void *ctx);   /* clock in ms since the epoch; NULL: real clock */
    /* sleeps up to ms, returns non-zero when cancelled; NULL: real sleep in short slices
       that poll cancelled */
    int (*sleep_ms)(void *ctx, int64_t ms);
    void *clock_ctx;                /* for now_ms and sleep_ms */
} hs_connection_options;

#define HS_STORE_NAME_MAX 64
#define HS_STORE_VALUE_MAX 4096

/* Opens the configured connection named name. options may be NULL. Returns HS_OK and *out,
 * or an error status with err filled (one line, no secret; for an unknown connection or a
 * refused module HS_E_CONFIG). err is an initialised hs_error (hs_host_error_init). */
hs_status hs_connection_open(hs_app *app, const char *name,
                             const hs_connection_options *options, hs_connection **out,
                             hs_error *err);
void hs_connection_close(hs_connection *connection);

const char *hs_connection_name(const hs_connection *connection);
const hs_config_connection *hs_connection_config(const hs_connection *connection);
const hs_connector *hs_connection_table(const hs_connection *connection);
hs_conn *hs_connection_conn(const hs_connection *connection);
hs_host *hs_connection_host(const hs_connection *connection);
const hs_host_api *hs_connection_api(const hs_connection *connection);

/* The store as a compact JSON object of strings ({"name":"value",...}); malloc'd, the caller
 * frees. NULL when out of memory. */
char *hs_connection_store_json(hs_connection *connection);
/* Replaces the store with the JSON object json. Returns 0, or -1 (store unchanged, error
 * holds why) when json is not an object of strings within the size limits. */
int hs_connection_store_load(hs_connection *connection, const char *json, char *error,
                             size_t error_size);

/* The clock skew last measured on this connection's configured connection in this process
 * (host clock minus the remote system's, from the time its responses carry; any pipeline's
 * connection counts): 1 with *skew_ms and the host time *at_ms of the measurement (either may
 * be NULL), 0 when none was measured. */
int hs_connection_clock_skew(const hs_connection *connection, int64_t *skew_ms, int64_t *at_ms);

/* The HTTP exchanges the connectors of this connection's configured connection reported
 * (request_done) in this process, by class (hs_request_class_name); zeros when none. */
void hs_connection_requests(const hs_connection *connection,
                            uint64_t counts[HS_REQUEST_CLASSES]);


#endif /* HS_HOST_CONNECTION_H */
