/*
 * The application context shared by every command: the options given on the command line,
 * the logger, the manifests and loaded connector modules (the registry), and the parsed
 * configuration.
 *
 * Life cycle (main.c): hs_app_init() with the global options, then the command runs and asks
 * for what it needs: hs_app_load_registry() (manifests, connector directory), then
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

/* Loads the manifests (HIRESYNC_MANIFEST_DIR, else the installed directory) into the
 * registry, whose connector directory is HIRESYNC_CONNECTOR_DIR, else the config's
 * "connector_dir" (when the config is already loaded), else the installed directory.
 * Idempotent. Returns an HS_EXIT_* status, having printed the reason. */
int hs_app_load_registry(hs_app *app);

/* Loads the registry (with the config's connector_dir) and the configuration
 * (app->config_path), validated against the manifests, printing every error to stderr.
 * When required is 0 and the default file (no -c) does not exist, the app goes on without a
 * configuration and returns HS_EXIT_OK with app->config still NULL. Applies the config's log
 * settings unless overridden on the command line and registers its secrets with the logger.
 * Idempotent. Returns an HS_EXIT_* status.
 * To reload (SIGHUP), set app->config aside, set it to NULL and call again: the registry
 * (manifests, connector directory, loaded modules) stays; then hs_app_load_modules() for
 * connectors the new configuration adds. */
int hs_app_load_config(hs_app *app, int required);

/* Loads the modules of every configured connection (main thread). Refusals are logged; the
 * connections using them fail when opened. Returns the number refused. */
size_t hs_app_load_modules(hs_app *app);

/* The effective directories. */
const char *hs_app_manifest_dir(void);
const char *hs_app_connector_dir(const hs_app *app);

/* The User-Agent for a connector: "hiresync/<version> (+<connector>)"; static strings, one per
 * manifest, valid until hs_app_cleanup. */
const char *hs_app_user_agent(hs_app *app, const char *connector);

#endif /* HS_HOST_APP_H */
