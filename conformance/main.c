/* hiresync-conformance: the command line, loading the connector the way hiresync does, and
 * the order of the tests. */
#define _XOPEN_SOURCE 700
#include <config.h>   /* PACKAGE_VERSION */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "app.h"
#include "kit.h"
#include "loader.h"

static const char usage_text[] =
    "Usage: hiresync-conformance [OPTION]... CONNECTOR -c CONFIG\n"
    "Tests a hiresync connector module against the connector contract (ABI %u.%u) and\n"
    "prints one line per test: PASS, FAIL or SKIP, and why.\n"
    "\n"
    "CONNECTOR is a connector's name, found along the search path as hiresync finds it\n"
    "(HIRESYNC_CONNECTOR_PATH, the configuration's connector_path, the built-in directory),\n"
    "or the path of a module NAME.so with its manifest NAME.json beside it.\n"
    "\n"
    "  -c, --config FILE     hiresync configuration holding a connection of that connector\n"
    "                        (validated against the manifest as hiresync does)\n"
    "      --connection NAME the connection to test (default: the only one using CONNECTOR)\n"
    "      --jobs ID,...     jobs (interviews) to confirm in check, read and invite to\n"
    "      --cursor JSON     start the reads from this cursor instead of \"\" (a first run)\n"
    "      --write           also test idempotent writes: this creates an invitation or a\n"
    "                        note in the remote system, so use a test account\n"
    "      --outcome OUTCOME with --write, also write a final note with this outcome\n"
    "                        (an id or a name the remote system knows), and notes\n"
    "                        with it guarded by outcome_from\n"
    "      --move-to STAGE[/STATUS]\n"
    "                        with --write, test move_record: move a record there...\n"
    "      --move-from STAGE[/STATUS],...\n"
    "                        ...only from one of these (the record must be in one)\n"
    "      --move-record ID  the record to move (default: the first one a read emitted)\n"
    "      --json            print one JSON document instead of lines\n"
    "  -v, --verbose         also print every log line the connector writes\n"
    "  -h, --help            print this help and exit\n"
    "      --version         print the version and exit\n"
    "\n"
    "Exit status: 0 every test passed or was skipped, 1 a violation, 2 a usage or\n"
    "configuration error. See hiresync-conformance(1) and hiresync-connector(7).\n";

enum {
    OPT_CONNECTION = 256, OPT_JOBS, OPT_CURSOR, OPT_WRITE, OPT_JSON, OPT_VERSION, OPT_OUTCOME,
    OPT_MOVE_TO, OPT_MOVE_FROM, OPT_MOVE_RECORD
};

static int usage_error(const char *what)
{
    fprintf(stderr, "hiresync-conformance: %s; see hiresync-conformance --help\n", what);
    return KIT_EXIT_USAGE;
}

static int split_jobs(kit *k, const char *list)
{
    char *copy = strdup(list), *save = NULL;
    if (!copy)
        return -1;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
        kit_strings_add(&k->job_ids, "%s", t);
    free(copy);
    return 0;
}

/* Returns -1 to go on, else the exit status. */
static int parse_args(kit *k, int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"connection", required_argument, NULL, OPT_CONNECTION},
        {"jobs", required_argument, NULL, OPT_JOBS},
        {"cursor", required_argument, NULL, OPT_CURSOR},
        {"write", no_argument, NULL, OPT_WRITE},
        {"outcome", required_argument, NULL, OPT_OUTCOME},
        {"move-to", required_argument, NULL, OPT_MOVE_TO},
        {"move-from", required_argument, NULL, OPT_MOVE_FROM},
        {"move-record", required_argument, NULL, OPT_MOVE_RECORD},
        {"json", no_argument, NULL, OPT_JSON},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
        switch (c) {
        case 'c': k->config_path = optarg; break;
        case OPT_CONNECTION: k->connection = optarg; break;
        case OPT_JOBS: split_jobs(k, optarg); break;
        case OPT_CURSOR: k->start_cursor = optarg; break;
        case OPT_WRITE: k->write = 1; break;
        case OPT_OUTCOME: k->outcome = optarg; break;
        case OPT_MOVE_TO: k->move_to = optarg; break;
        case OPT_MOVE_FROM: k->move_from = optarg; break;
        case OPT_MOVE_RECORD: k->move_record = optarg; break;
        case OPT_JSON: k->json = 1; break;
        case 'v': k->verbose = 1; break;
        case 'h':
            printf(usage_text, (unsigned)HS_ABI_MAJOR, (unsigned)HS_ABI_MINOR);
            return KIT_EXIT_PASS;
        case OPT_VERSION:
            printf("hiresync-conformance %s (connector ABI %u.%u)\n", PACKAGE_VERSION,
                   (unsigned)HS_ABI_MAJOR, (unsigned)HS_ABI_MINOR);
            return KIT_EXIT_PASS;
        default:
            return KIT_EXIT_USAGE;
        }
    }
    if (optind != argc - 1)
        return usage_error(optind < argc ? "give exactly one CONNECTOR"
                                               : "no CONNECTOR given");
    k->target = argv[optind];
    if (!k->config_path)
        return usage_error("no configuration given (-c CONFIG)");
    if (!k->move_to != !k->move_from)
        return usage_error("--move-to and --move-from go together");
    if (!kit_move_options_valid(k))
        return usage_error("--move-to takes STAGE or STAGE/STATUS, --move-from up to 8 of "
                           "them separated by commas");
    return -1;
}

/* A module path: its directory goes first on HIRESYNC_CONNECTOR_PATH, and its manifest
 * beside it names the connector. */
static int target_path(const char *target, char *name, size_t name_size, char *dir,
                       size_t dir_size)
{
    char real[PATH_MAX], tmp[PATH_MAX], manifest[PATH_MAX + 8];
    if (!realpath(target, real)) {
        fprintf(stderr, "hiresync-conformance: %s: %s; give a module NAME.so or a connector "
                "name\n", target, strerror(errno));
        return -1;
    }
    snprintf(tmp, sizeof tmp, "%s", target);
    snprintf(dir, dir_size, "%s", dirname(tmp));
    char *abs = realpath(dir, NULL);
    if (abs) {
        snprintf(dir, dir_size, "%s", abs);
        free(abs);
    }
    snprintf(tmp, sizeof tmp, "%s", target);
    char *base = basename(tmp), *dot = strrchr(base, '.');
    if (dot)
        *dot = '\0';
    snprintf(manifest, sizeof manifest, "%s/%s.json", dir, base);
    hs_manifest *m = NULL;
    hs_diag diag;
    hs_diag_init(&diag);
    if (hs_manifest_load(manifest, &m, &diag) != 0) {
        hs_diag_print(&diag, stderr);
        hs_diag_clear(&diag);
        return -1;
    }
    hs_diag_clear(&diag);
    snprintf(name, name_size, "%s", m->name);
    hs_manifest_free(m);
    const char *old = getenv("HIRESYNC_CONNECTOR_PATH");
    size_t len = strlen(dir) + (old ? strlen(old) + 1 : 0) + 1;
    char *path = malloc(len);
    if (!path)
        return -1;
    snprintf(path, len, "%s%s%s", dir, old && old[0] ? ":" : "", old ? old : "");
    int rc = setenv("HIRESYNC_CONNECTOR_PATH", path, 1);
    free(path);
    return rc;
}

static const hs_config_connection *pick_connection(const kit *k, const hs_config *cfg,
                                                   const char *name)
{
    const hs_config_connection *found = NULL;
    if (k->connection) {
        found = hs_config_find_connection(cfg, k->connection);
        if (!found)
            fprintf(stderr, "hiresync-conformance: %s: no connection \"%s\"; name one under "
                    "\"connections\"\n", cfg->path, k->connection);
        else if (strcmp(found->connector, name) != 0) {
            fprintf(stderr, "hiresync-conformance: %s: connection \"%s\" uses connector \"%s\", "
                    "not \"%s\"\n", cfg->path, k->connection, found->connector, name);
            found = NULL;
        }
        return found;
    }
    for (size_t i = 0; i < cfg->n_connections; i++) {
        if (strcmp(cfg->connections[i].connector, name) != 0)
            continue;
        if (found) {
            fprintf(stderr, "hiresync-conformance: %s: several connections use \"%s\"; choose "
                    "one with --connection\n", cfg->path, name);
            return NULL;
        }
        found = &cfg->connections[i];
    }
    if (!found)
        fprintf(stderr, "hiresync-conformance: %s: no connection uses connector \"%s\"; add "
                "one under \"connections\"\n", cfg->path, name);
    return found;
}

static void make_canary(kit *k)
{
    unsigned char r[8] = {0};
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0 || read(fd, r, sizeof r) != (ssize_t)sizeof r) {
        int64_t t = (int64_t)time(NULL) ^ ((int64_t)getpid() << 16);
        memcpy(r, &t, sizeof t);
    }
    if (fd >= 0)
        close(fd);
    snprintf(k->canary, sizeof k->canary, "hsCanary%02x%02x%02x%02x%02x%02x%02x%02x", r[0], r[1],
             r[2], r[3], r[4], r[5], r[6], r[7]);
}

/* The tests that need the configured connection open. */
static void connection_tests(kit *k)
{
    kit_strings p = {0};
    kit_crash_guard("open");
    hs_conn *conn = kit_open(k, &k->host, k->config_json, &p);
    kit_report_problems(k, "open", &p, "the configuration opens a connection");
    kit_strings_clear(&p);
    if (!conn)
        return;
    kit_strings jobs = {0};
    kit_emitted sample = {0};
    kit_test_check(k, conn);
    kit_test_jobs(k, conn, &jobs);
    kit_test_reads(k, conn, &sample);
    kit_test_writes(k, conn, &jobs, &sample);
    kit_test_outcome(k, conn, &sample);
    kit_test_moves(k, conn, &sample);
    kit_test_outcome_from(k, conn);
    kit_test_lifecycle(k, conn);
    kit_test_progress(k, conn);
    kit_test_emitter_stop(k, conn);
    kit_test_cancel(k, conn);
    kit_test_two(k, conn);
    kit_crash_guard("close");
    kit_close(k, conn);
    kit_strings_clear(&jobs);
    kit_emitted_clear(&sample);
}

static void final_reports(kit *k)
{
    char d[200];
    snprintf(d, sizeof d, "nothing on stdout or stderr in %zu connector calls", k->calls);
    kit_report_problems(k, "stdio", &k->stdio_problems, d);
    if (k->canary[0]) {
        snprintf(d, sizeof d, "the canary secret never appeared in %zu texts (errors, logs, "
                 "check items, jobs, records, cursors)", k->texts);
        kit_report_problems(k, "canary", &k->canary_problems, d);
    }
    if (k->secrets.n) {
        snprintf(d, sizeof d, "no configured secret appeared in %zu texts", k->texts);
        kit_report_problems(k, "secrets", &k->secret_problems, d);
    } else {
        kit_report(k, "secrets", KIT_SKIP, "the configuration holds no secret");
    }
}

static void kit_free(kit *k)
{
    kit_strings_clear(&k->job_ids);
    kit_strings_clear(&k->secrets);
    kit_strings_clear(&k->stdio_problems);
    kit_strings_clear(&k->verbose_lines);
    kit_strings_clear(&k->canary_problems);
    kit_strings_clear(&k->secret_problems);
    kit_host_clear(&k->host);
    kit_host_clear(&k->canary_host);
    kit_host_clear(&k->second_host);
    kit_host_clear(&k->old_host);
    free(k->ref_cursor);
    free(k->rec_cursor);
    json_object_put(k->json_tests);
}

/* Loads the configuration and the module; returns -1 to go on, else the exit status. */
static int load(kit *k, hs_app *app, const hs_module **module)
{
    char name[256], dir[PATH_MAX] = "", error[1024];
    snprintf(name, sizeof name, "%s", k->target);
    if (strchr(k->target, '/') && target_path(k->target, name, sizeof name, dir, sizeof dir))
        return KIT_EXIT_USAGE;
    if (hs_app_init(app, "hiresync-conformance") != 0)
        return KIT_EXIT_USAGE;
    free(app->config_path);
    app->config_path = strdup(k->config_path);
    app->config_path_given = 1;
    if (!app->config_path || hs_app_load_config(app, 1) != HS_EXIT_OK)
        return KIT_EXIT_USAGE;
    const hs_config_connection *conn = pick_connection(k, app->config, name);
    if (!conn)
        return KIT_EXIT_USAGE;
    k->manifest = conn->manifest;
    k->config_json = conn->config_json;
    snprintf(k->connection_name, sizeof k->connection_name, "%s", conn->name);
    snprintf(k->name, sizeof k->name, "%s", name);
    for (size_t i = 0; i < app->config->n_secrets; i++) {
        if (kit_strings_add(&k->secrets, "%s", app->config->secrets[i]) != 0)
            return KIT_EXIT_USAGE;
    }
    /* module_init runs in here: its output counts as the connector's (its log lines, which
     * the loader sends to the host's logger, are left out). */
    hs_loader_set_log(NULL);
    kit_call_begin(k, "the entry and module_init");
    *module = hs_registry_get(app->registry, name, error, sizeof error);
    kit_call_end(k);
    if (!*module) {
        kit_report(k, "handshake", KIT_FAIL, "%s", error);
        return KIT_EXIT_VIOLATION;
    }
    if (dir[0] && strncmp((*module)->path, dir, strlen(dir)) != 0) {
        fprintf(stderr, "hiresync-conformance: %s was loaded instead of %s; remove the "
                "duplicate\n", (*module)->path, k->target);
        return KIT_EXIT_USAGE;
    }
    k->table = (*module)->table;
    snprintf(k->module_path, sizeof k->module_path, "%s", (*module)->path);
    return -1;
}

/* Loads, tests, unloads; returns the exit status. */
static int run(kit *k, hs_app *app)
{
    const hs_module *module = NULL;
    int rc = load(k, app, &module);
    if (rc == KIT_EXIT_VIOLATION)
        return kit_report_finish(k);
    if (rc >= 0)
        return rc;
    if (!k->json)
        fprintf(k->out, "hiresync-conformance %s: connector %s from %s, connection \"%s\"\n",
                PACKAGE_VERSION, k->name, k->module_path, k->connection_name);
    kit_test_handshake(k, module->handle, k->manifest->module);
    kit_test_open(k);
    connection_tests(k);
    kit_test_canary(k);
    /* Unloading calls module_exit: its output counts too. Nothing of the module or the
     * configuration may be used after this. */
    kit_crash_guard("module_exit");
    kit_call_begin(k, "module_exit");
    hs_app_cleanup(app);
    kit_call_end(k);
    k->manifest = NULL;
    k->config_json = NULL;
    kit_crash_guard("final");
    final_reports(k);
    return kit_report_finish(k);
}

int main(int argc, char **argv)
{
    kit k;
    memset(&k, 0, sizeof(k));
    k.start_cursor = "";
    k.out = stdout;
    int rc = parse_args(&k, argc, argv);
    if (rc >= 0) {
        kit_free(&k);
        return rc;
    }
    k.json_tests = json_object_new_array();
    hs_app app;
    memset(&app, 0, sizeof(app));
    /* The host's promise to connectors: libcurl is set up before any entry is called. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "hiresync-conformance: libcurl cannot be initialised (out of memory?)\n");
        rc = KIT_EXIT_USAGE;
        goto out;
    }
    if (kit_capture_init() != 0) {
        fprintf(stderr, "hiresync-conformance: cannot create temporary files: %s\n",
                strerror(errno));
        rc = KIT_EXIT_USAGE;
        goto out;
    }
    make_canary(&k);
    kit_api_init(&k);
    kit_host_init(&k.host, &k);
    kit_host_init(&k.canary_host, &k);
    kit_host_init(&k.second_host, &k);
    kit_host_init(&k.old_host, &k);
    rc = run(&k, &app);
out:
    kit_capture_free();
    if (app.log)
        hs_app_cleanup(&app);
    curl_global_cleanup();
    kit_free(&k);
    return rc;
}
