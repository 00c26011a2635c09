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
    hs_loader_set_log(NULL);   /* module_exit has run: nothing logs through it any more */
    hs_log_free(app->log);
    app->log = NULL;
    hs_shared_free(app->shared);
    app->shared = NULL;
    free(app->config_path);
    app->config_path = NULL;
}

/* Appends dir unless the path has it already (a second scan would only shadow itself). */
static int path_add(hs_search_path *path, const char *dir, const char *manifest_dir,
                    const char *origin, int required)
{
    for (size_t i = 0; i < path->n; i++) {
        const hs_search_dir *d = &path->dirs[i];
        if (strcmp(d->dir, dir) == 0 && !d->manifest_dir == !manifest_dir
            && (!manifest_dir || strcmp(d->manifest_dir, manifest_dir) == 0))
            return 0;
    }
    return hs_search_path_add(path, dir, manifest_dir, origin, required);
}

/* HIRESYNC_CONNECTOR_PATH: colon-separated like PATH, empty entries ignored; relative ones
 * are left out, because they would depend on the directory hiresync starts in. */
static int env_path_add(hs_search_path *path, hs_diag *diag)
{
    const char *env = env_dir("HIRESYNC_CONNECTOR_PATH");
    char *copy = env ? strdup(env) : NULL;
    if (env && !copy)
        return -1;
    int rc = 0;
    char *save = NULL;
    for (char *dir = copy ? strtok_r(copy, ":", &save) : NULL; dir && rc == 0;
         dir = strtok_r(NULL, ":", &save)) {
        if (dir[0] != '/')
            hs_diag_add(diag, "HIRESYNC_CONNECTOR_PATH: \"%s\" is not an absolute path, left "
                        "out; write the whole directory path, starting with /", dir);
        else
            rc = path_add(path, dir, NULL, "HIRESYNC_CONNECTOR_PATH", 0);
    }
    free(copy);
    return rc;
}

int hs_app_search_path(const hs_config_dirs *config, hs_search_path *path, hs_diag *diag)
{
    memset(path, 0, sizeof(*path));
    int rc = env_path_add(path, diag);
    for (size_t i = 0; rc == 0 && config && i < config->n_connector_path; i++)
        rc = path_add(path, config->connector_path[i], NULL, "connector_path", 0);
    /* The built-in directory, which the old single-directory settings still replace. */
    const char *dir = env_dir("HIRESYNC_CONNECTOR_DIR");
    const char *origin = "HIRESYNC_CONNECTOR_DIR";
    if (!dir && config && config->connector_dir) {
        dir = config->connector_dir;
        origin = "connector_dir";
    }
    if (!dir) {
        dir = HS_CONNECTOR_DIR;
        origin = "built-in";
    }
    if (rc == 0)
        rc = path_add(path, dir, env_dir("HIRESYNC_MANIFEST_DIR"), origin, 1);
    if (rc != 0) {
        hs_search_path_clear(path);
        hs_diag_add(diag, "out of memory");
    }
    return rc;
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

/* Finds the connectors along the search path the environment and config_dirs give. */
static int make_registry(hs_app *app, const hs_config_dirs *config_dirs)
{
    hs_search_path path;
    app->registry = NULL;
    hs_loader_set_log(app->log);
    if (hs_app_search_path(config_dirs, &path, &app->manifest_diag) == 0)
        app->registry = hs_registry_discover(&path, &app->manifest_diag);
    hs_search_path_clear(&path);
    if (!app->registry) {
        hs_diag_print(&app->manifest_diag, stderr);
        return HS_EXIT_FAILURE;
    }
    app->agents = agents_new(hs_registry_manifests(app->registry));
    if (!app->agents) {
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
    return make_registry(app, NULL);
}

/* So that the logger reports a line scoped by a connection's name as that connection's. */
static void log_connections(hs_app *app)
{
    size_t n = app->config->n_connections;
    const char **names = n ? calloc(n, sizeof *names) : NULL;
    if (n && names == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        names[i] = app->config->connections[i].name;
    if (hs_log_set_connections(app->log, names, n) != 0)
        hs_log_write(app->log, HS_LOG_WARN, NULL, "out of memory registering connection names");
    free(names);
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
    log_connections(app);
}

/* The configuration's errors: as they are in text, one config_error object each in JSON
 * (--log-format json; the file's own log_format is not known when it has errors). */
static void print_config_errors(hs_app *app, const hs_diag *diag)
{
    static const hs_log_ctx ctx = {NULL, NULL, "config_error", NULL, 0, NULL, 0};
    if (hs_log_get_format(app->log) != HS_LOG_FORMAT_JSON) {
        hs_diag_print(diag, stderr);
        return;
    }
    for (size_t i = 0; i < diag->n; i++)
        hs_log_event(app->log, HS_LOG_ERROR, &ctx, "%s", diag->lines[i]);
    if (diag->lost)
        hs_log_event(app->log, HS_LOG_ERROR, &ctx, "%d more errors lost: out of memory",
                     diag->lost);
}

void hs_app_log_startup(hs_app *app, const char *listen)
{
    char abi[32];
    long long pipelines = app->config ? json_object_object_length(app->config->pipelines) : 0;
    snprintf(abi, sizeof abi, "%u.%u", HS_ABI_MAJOR, HS_ABI_MINOR);
    const hs_log_num nums[] = {{"pipelines", pipelines}};
    const hs_log_str strs[] = {{"version", PACKAGE_VERSION}, {"abi", abi}, {"listen", listen}};
    const hs_log_ctx ctx = {NULL, NULL, "startup", nums, 1, strs, 3};
    hs_log_event(app->log, HS_LOG_INFO, &ctx, "hiresync %s (connector ABI %s) starting: %lld "
                 "pipeline(s), %s%s", PACKAGE_VERSION, abi, pipelines,
                 listen ? "listening on " : "no listener", listen ? listen : "");
}

void hs_app_log_reload(hs_app *app, int ok)
{
    const hs_log_num nums[] = {{"ok", ok}};
    const hs_log_ctx ctx = {NULL, NULL, "reload", nums, 1, NULL, 0};
    if (ok)
        hs_log_event(app->log, HS_LOG_INFO, &ctx, "reloaded %s: %lld pipeline(s)",
                     app->config_path,
                     (long long)json_object_object_length(app->config->pipelines));
    else
        hs_log_event(app->log, HS_LOG_ERROR, &ctx, "the new configuration of %s has errors; "
                     "keeping the running one", app->config_path);
}

int hs_app_load_config(hs_app *app, int required)
{
    if (app->config)
        return HS_EXIT_OK;
    struct stat st;
    if (!required && !app->config_path_given && stat(app->config_path, &st) != 0
        && errno == ENOENT)
        return hs_app_load_registry(app);
    int rc = HS_EXIT_OK;
    if (!app->registry) {
        /* The connectors (whose manifests validate the file) are found first, along the
         * directories the file itself adds; it is validated whole below. */
        hs_config_dirs dirs;
        hs_config_read_connector_dirs(app->config_path, &dirs);
        rc = make_registry(app, &dirs);
        hs_config_dirs_clear(&dirs);
        if (rc != HS_EXIT_OK)
            return rc;
    }
    hs_diag diag;
    hs_diag_init(&diag);
    if (hs_config_load_flags(app->config_path, hs_registry_manifests(app->registry),
                             app->no_secrets ? HS_CONFIG_UNRESOLVED_SECRETS : 0, &app->config,
                             &diag) != 0) {
        print_config_errors(app, &diag);
        rc = HS_EXIT_USAGE;
    }
    hs_diag_clear(&diag);
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
