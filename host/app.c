/* The application context: options, logger, registry and configuration. */
#define _POSIX_C_SOURCE 200809L
#include <config.h>   /* autoconf: PACKAGE_VERSION */

#include "app.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef HS_SYSCONFDIR
#define HS_SYSCONFDIR "/etc"
#endif
#ifndef HS_MANIFEST_DIR
#define HS_MANIFEST_DIR "/usr/share/hiresync/connectors"
#endif
#ifndef HS_CONNECTOR_DIR
#define HS_CONNECTOR_DIR "/usr/lib/hiresync"
#endif

struct hs_app_agents {
    size_t n;
    char **names;
    char **agents;
};

static const char *env_dir(const char *name)
{
    const char *v = getenv(name);
    return v && v[0] ? v : NULL;
}

int hs_app_init(hs_app *app, const char *program)
{
    memset(app, 0, sizeof(*app));
    app->program = program;
    app->out = stdout;
    hs_diag_init(&app->manifest_diag);
    app->config_path = strdup(HS_SYSCONFDIR "/hiresync/hiresync.json");
    app->log = hs_log_new(stderr);
    app->shared = hs_shared_new();
    if (!app->config_path || !app->log || !app->shared) {
        hs_app_cleanup(app);
        return -1;
    }
    return 0;
}

static void agents_free(struct hs_app_agents *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++) {
        free(a->names[i]);
        free(a->agents[i]);
    }
    free(a->names);
    free(a->agents);
    free(a);
}

void hs_app_cleanup(hs_app *app)
{
    /* The configuration borrows the registry's manifests: free it first. */
    hs_config_free(app->config);
    app->config = NULL;
    hs_registry_free(app->registry);
    app->registry = NULL;
    agents_free(app->agents);
    app->agents = NULL;
    hs_diag_clear(&app->manifest_diag);
    hs_log_free(app->log);
    app->log = NULL;
    hs_shared_free(app->shared);
    app->shared = NULL;
    free(app->config_path);
    app->config_path = NULL;
}

const char *hs_app_manifest_dir(void)
{
    const char *dir = env_dir("HIRESYNC_MANIFEST_DIR");
    return dir ? dir : HS_MANIFEST_DIR;
}

const char *hs_app_connector_dir(const hs_app *app)
{
    if (app->registry)
        return hs_registry_connector_dir(app->registry);
    const char *dir = env_dir("HIRESYNC_CONNECTOR_DIR");
    if (dir)
        return dir;
    if (app->config && app->config->connector_dir)
        return app->config->connector_dir;
    return HS_CONNECTOR_DIR;
}

static struct hs_app_agents *agents_new(const hs_manifest_set *set)
{
    struct hs_app_agents *a = calloc(1, sizeof(*a));
    if (!a)
        return NULL;
    a->names = calloc(set->n ? set->n : 1, sizeof(char *));
    a->agents = calloc(set->n ? set->n : 1, sizeof(char *));
    if (!a->names || !a->agents) {
        agents_free(a);
        return NULL;
    }
    for (size_t i = 0; i < set->n; i++) {
        char buf[256];
        snprintf(buf, sizeof(buf), "hiresync/%s (+%s)", PACKAGE_VERSION, set->items[i]->name);
        a->names[i] = strdup(set->items[i]->name);
        a->agents[i] = strdup(buf);
        a->n++;
        if (!a->names[i] || !a->agents[i]) {
            agents_free(a);
            return NULL;
        }
    }
    return a;
}

const char *hs_app_user_agent(hs_app *app, const char *connector)
{
    for (size_t i = 0; app->agents && i < app->agents->n; i++) {
        if (strcmp(app->agents->names[i], connector) == 0)
            return app->agents->agents[i];
    }
    return "hiresync/" PACKAGE_VERSION;
}

/* Loads the manifest set into *out, reporting unreadable manifests as warnings. */
static int load_manifests(hs_app *app, hs_manifest_set **out)
{
    const char *dir = hs_app_manifest_dir();
    if (hs_manifest_set_load(dir, out, &app->manifest_diag) != 0) {
        hs_diag_print(&app->manifest_diag, stderr);
        return HS_EXIT_FAILURE;
    }
    return HS_EXIT_OK;
}

static int make_registry(hs_app *app, hs_manifest_set *set)
{
    const char *dir = hs_app_connector_dir(app);
    app->agents = agents_new(set);
    app->registry = hs_registry_new(set, dir);
    if (!app->registry || !app->agents) {
        fprintf(stderr, "%s: cannot initialise the module loader (out of memory)\n",
                app->program);
        return HS_EXIT_FAILURE;
    }
    return HS_EXIT_OK;
}

int hs_app_load_registry(hs_app *app)
{
    if (app->registry)
        return HS_EXIT_OK;
    hs_manifest_set *set = NULL;
    int rc = load_manifests(app, &set);
    if (rc != HS_EXIT_OK)
        return rc;
    return make_registry(app, set);
}

static void apply_config(hs_app *app)
{
    if (!app->log_level_given)
        hs_log_set_level(app->log, app->config->log_level);
    if (!app->log_format_given)
        hs_log_set_format(app->log, app->config->log_format);
    for (size_t i = 0; i < app->config->n_secrets; i++) {
        if (hs_log_add_secret(app->log, app->config->secrets[i]) != 0)
            hs_log_write(app->log, HS_LOG_WARN, NULL, "out of memory registering a secret");
    }
    for (size_t i = 0; i < app->manifest_diag.n; i++)
        hs_log_write(app->log, HS_LOG_WARN, NULL, "%s", app->manifest_diag.lines[i]);
}

int hs_app_load_config(hs_app *app, int required)
{
    if (app->config)
        return HS_EXIT_OK;
    struct stat st;
    if (!required && !app->config_path_given && stat(app->config_path, &st) != 0
        && errno == ENOENT)
        return hs_app_load_registry(app);
    hs_manifest_set *set = NULL;
    const hs_manifest_set *manifests;
    if (app->registry) {
        manifests = hs_registry_manifests(app->registry);
    } else {
        int rc = load_manifests(app, &set);
        if (rc != HS_EXIT_OK)
            return rc;
        manifests = set;
    }
    hs_diag diag;
    hs_diag_init(&diag);
    int rc = HS_EXIT_OK;
    if (hs_config_load_flags(app->config_path, manifests,
                             app->no_secrets ? HS_CONFIG_UNRESOLVED_SECRETS : 0, &app->config,
                             &diag) != 0) {
        hs_diag_print(&diag, stderr);
        rc = HS_EXIT_USAGE;
    }
    hs_diag_clear(&diag);
    /* The registry takes the set either way, so it is freed once. */
    if (set && make_registry(app, set) != HS_EXIT_OK)
        return HS_EXIT_FAILURE;
    if (rc == HS_EXIT_OK)
        apply_config(app);
    return rc;
}

size_t hs_app_load_modules(hs_app *app)
{
    if (!app->registry || !app->config)
        return 0;
    size_t n = app->config->n_connections;
    const char **names = calloc(n + 1, sizeof(*names));
    if (!names)
        return n;
    for (size_t i = 0; i < n; i++)
        names[i] = app->config->connections[i].connector;
    size_t refused = hs_registry_load_all(app->registry, names);
    free(names);
    for (size_t i = 0; refused && i < hs_registry_count(app->registry); i++) {
        const hs_module *m = hs_registry_at(app->registry, i);
        if (m->loaded == -1)
            hs_log_write(app->log, HS_LOG_ERROR, NULL, "%s", m->error);
    }
    return refused;
}
