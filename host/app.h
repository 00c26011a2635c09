/*
 * The application context shared by every command: the options given on the command line,
 * the logger, the manifests and loaded connector modules (the registry), and the parsed
 * configuration.
 *
 * Life cycle (main.c): hs_app_init() with the global options, then the command runs and asks
 * for what it needs: hs_app_load_registry() (the connectors found along the search path), then
 * hs_app_load_config() (which loads the registry first when needed), then
 * hs_app_load_modules() (main thread, before any worker), then hs_connection_open().
 * hs_app_cleanup() releases everything.
 *
 * Ownership: the hs_app is the caller's (main's stack); everything it points to is owned by
 * it and lives until hs_app_cleanup(). Commands only read the fields. Threading: after the
 * loads, the app is read-only apart from the logger (thread-safe), so workers may share it.
 */
#ifndef HS_HOST_APP_H
#define HS_HOST_APP_H

#include <stdio.h>

#include "configuration.h"
#include "diag.h"
#include "loader.h"
#include "log.h"
#include "manifest.h"
#include "shared.h"

/* Exit statuses of the program and of every command. */
#define HS_EXIT_OK 0
#define HS_EXIT_FAILURE 1   /* a runtime failure */
#define HS_EXIT_USAGE 2     /* a usage or configuration error */

typedef struct hs_app {
    const char *program;          /* argv[0] as given; borrowed */
    char *config_path;            /* -c FILE, or the default; owned */
    int config_path_given;        /* 1 when -c was given */
    int log_level_given;          /* 1 when --log-level / -v / -q was given */
    int log_format_given;         /* 1 when --log-format was given */
    hs_log *log;                  /* always set after hs_app_init; writes to stderr */
    hs_registry *registry;        /* NULL until hs_app_load_registry */
    hs_config *config;            /* NULL until hs_app_load_config */
    FILE *out;                    /* where commands print their results (stdout) */
    hs_diag manifest_diag;        /* manifests that could not be read (shown by
                                     `connectors`, logged as warnings otherwise) */
    struct hs_app_agents *agents; /* User-Agent strings, one per manifest (private) */
    int no_secrets;               /* set by a command that opens no connection before it
                                     loads the configuration: secrets are not resolved */
    hs_shared *shared;            /* what the connections of one configured connection share
                                     in this process (tokens, quota stops, clock skew) */
} hs_app;

/* Sets up the app with defaults and a logger on stderr. Returns 0, or -1 (out of memory). */
int hs_app_init(hs_app *app, const char *program);
void hs_app_cleanup(hs_app *app);

/* Finds the connectors along the search path without a configuration (see
 * hs_app_search_path). Idempotent. Returns an HS_EXIT_* status, having printed the reason
 * when it fails; problems that only leave a connector out go to app->manifest_diag. */
int hs_app_load_registry(hs_app *app);

/* Finds the connectors (along the search path, with the configuration's connector_path and
 * connector_dir) and loads the configuration (app->config_path), validated against their
 * manifests, printing every error to stderr.
 * When required is 0 and the default file (no -c) does not exist, the app goes on without a
 * configuration and returns HS_EXIT_OK with app->config still NULL. Applies the config's log
 * settings unless overridden on the command line and registers its secrets with the logger.
 * Idempotent. Returns an HS_EXIT_* status.
 * To reload (SIGHUP), set app->config aside, set it to NULL and call again: the registry
 * (search path, connectors found, loaded modules) stays - a changed connector_path takes
 * effect at the next start; then hs_app_load_modules() for connectors the new configuration
 * adds. */
int hs_app_load_config(hs_app *app, int required);

/* The daemon's start-up line (event "startup": version, ABI, pipelines, the listener's
 * address or NULL) and a reload's outcome (event "reload"). */
void hs_app_log_startup(hs_app *app, const char *listen);
void hs_app_log_reload(hs_app *app, int ok);

/* Loads the modules of every configured connection (main thread). Refusals are logged; the
 * connections using them fail when opened. Returns the number refused. */
size_t hs_app_load_modules(hs_app *app);

/* The connector search path, first match wins: the directories of HIRESYNC_CONNECTOR_PATH
 * (colon-separated; relative entries left out with a line in diag), then config's
 * connector_path (config may be NULL), then the built-in directory: HIRESYNC_CONNECTOR_DIR,
 * else config's connector_dir, else the installed $(pkglibdir). The built-in directory's
 * manifests are in HIRESYNC_MANIFEST_DIR when that is set (a build tree), else beside its
 * modules like everywhere else. A directory given twice is searched once. Returns 0 and
 * *path (free with hs_search_path_clear), or -1 when out of memory. */
int hs_app_search_path(const hs_config_dirs *config, hs_search_path *path, hs_diag *diag);

/* The User-Agent for a connector: "hiresync/<version> (+<connector>)"; static strings, one per
 * manifest, valid until hs_app_cleanup. */
const char *hs_app_user_agent(hs_app *app, const char *connector);

#endif /* HS_HOST_APP_H */
