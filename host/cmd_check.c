/* `hiresync check [CONNECTION]`: opens connections and prints their check reports. */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "call_cost.h"
#include "commands.h"
#include "connection.h"
#include "pipeline.h"
#include "status.h"
#include "subscriptions.h"

static void usage(const hs_app *app)
{
    fprintf(stdout,
            "Usage: %s check [--json] [CONNECTION]\n"
            "Opens each configured connection (or only CONNECTION) and prints its check report\n"
            "item by item: credentials, and every permission the configured operations need,\n"
            "with OK, WARN or FAIL and what to do, the clock skew against each system, and\n"
            "what the intervals cost an ATS connection a day against its daily_call_budget.\n"
            "Then every pipeline's mappings (of the pipelines using CONNECTION) against the\n"
            "jobs and interviews discovered: each mapped job exists and is open, each trigger\n"
            "stage (and status) exists, each interview is visible. Nothing is changed on the\n"
            "remote systems.\n"
            "\n"
            "  --json    the reports as one JSON document\n"
            "  --help    show this help\n"
            "\n"
            "Exit status: 0 nothing failed, 1 an item failed or a connection could not be\n"
            "checked, 2 a usage or configuration error.\n",
            app->program);
}

typedef struct check_tally {
    hs_app *app;
    size_t ok, warn, fail;
    json_object *doc;       /* --json: array of connection reports; NULL for text */
    json_object *items;     /* --json: items of the connection being checked */
} check_tally;

static const char *const result_words[] = {"OK", "WARN", "FAIL"};
static const char *const result_names[] = {"ok", "warn", "fail"};

static void add_json_item(check_tally *t, const char *name, hs_check_result result,
                          const char *message)
{
    json_object *item = json_object_new_object();
    if (!item || !t->items)
        return;
    json_object_object_add(item, "name", json_object_new_string(name));
    json_object_object_add(item, "result", json_object_new_string(result_names[result]));
    json_object_object_add(item, "message", json_object_new_string(message));
    json_object_array_add(t->items, item);
}

static hs_status report_item(void *ctx, const char *name, hs_check_result result,
                             const char *message)
{
    check_tally *t = ctx;
    if (result < HS_CHECK_OK || result > HS_CHECK_FAIL)
        result = HS_CHECK_FAIL;
    char name_m[256], msg_m[1024];
    /* What a connector reports is printed masked, like its log lines. */
    hs_log_mask(t->app->log, name ? name : "(unnamed)", name_m, sizeof(name_m));
    hs_log_mask(t->app->log, message ? message : "", msg_m, sizeof(msg_m));
    if (t->doc)
        add_json_item(t, name_m, result, msg_m);
    else
        fprintf(t->app->out, "  %-5s %s%s%s\n", result_words[result], name_m,
                msg_m[0] ? ": " : "", msg_m);
    if (result == HS_CHECK_OK)
        t->ok++;
    else if (result == HS_CHECK_WARN)
        t->warn++;
    else
        t->fail++;
    return HS_OK;
}

static void add_unique(json_object *list, json_object *v)
{
    if (!json_object_is_type(v, json_type_string))
        return;
    for (size_t i = 0; i < json_object_array_length(list); i++) {
        if (json_object_equal(json_object_array_get_idx(list, i), v))
            return;
    }
    json_object_array_add(list, json_object_get(v));
}

static int side_is(json_object *pipeline, const char *side, const char *name)
{
    json_object *v;
    return json_object_object_get_ex(pipeline, side, &v)
           && strcmp(json_object_get_string(v), name) == 0;
}

/* The job ids (ATS side) or interview keys (interviews side) the pipelines map. */
static json_object *mapped_ids(const hs_config *config, const char *name)
{
    json_object *ids = json_object_new_array();
    if (!ids)
        return NULL;
    json_object_object_foreach(config->pipelines, pname, p) {
        (void)pname;
        int ats = side_is(p, "ats", name), interviews = side_is(p, "interviews", name);
        json_object *mappings;
        if ((!ats && !interviews) || !json_object_object_get_ex(p, "mappings", &mappings))
            continue;
        for (size_t i = 0; i < json_object_array_length(mappings); i++) {
            json_object *m = json_object_array_get_idx(mappings, i), *v, *jobs;
            if (interviews && json_object_object_get_ex(m, "interview", &v))
                add_unique(ids, v);
            if (!ats || !json_object_object_get_ex(m, "jobs", &jobs))
                continue;
            for (size_t j = 0; j < json_object_array_length(jobs); j++) {
                if (json_object_object_get_ex(json_object_array_get_idx(jobs, j), "job", &v))
                    add_unique(ids, v);
            }
        }
    }
    return ids;
}

static void run_check(hs_connection *conn, check_tally *t, const hs_config_connection *cc)
{
    const hs_connector *table = hs_connection_table(conn);
    if (!(table->capabilities & HS_CAP_CHECK)) {
        report_item(t, "check", HS_CHECK_WARN, "this connector offers no check; nothing was "
                    "verified");
        return;
    }
    json_object *ids = mapped_ids(t->app->config, cc->name);
    size_t n = ids ? json_object_array_length(ids) : 0;
    const char **job_ids = calloc(n ? n : 1, sizeof(*job_ids));
    for (size_t i = 0; job_ids && i < n; i++)
        job_ids[i] = json_object_get_string(json_object_array_get_idx(ids, i));
    hs_check_report report = {sizeof(report), t, report_item, job_ids ? job_ids : NULL,
                              job_ids ? n : 0};
    if (!job_ids || n == 0)
        report.job_ids = NULL;
    hs_host_error err;
    hs_host_error_init(&err);
    hs_status st = table->check(hs_connection_conn(conn), &report, &err.e);
    if (st != HS_OK) {
        char msg[HS_HOST_MESSAGE_SIZE + 64];
        snprintf(msg, sizeof(msg), "could not run (%s)",
                 err.message[0] ? err.message : "no reason given");
        report_item(t, "check", HS_CHECK_FAIL, msg);
    }
    free(job_ids);
    json_object_put(ids);
}

/* The skew between the host's clock and the remote system's, measured on the check's own
 * requests. Cursors use the server's time, so a skew loses nothing; but times in logs and
 * status are the host's, and a jumping clock is worth fixing. */
static void report_skew(hs_connection *conn, check_tally *t)
{
    int64_t skew;
    char msg[256], age[32];
    if (!hs_connection_clock_skew(conn, &skew, NULL))
        return;
    hs_status_format_age(skew < 0 ? -skew : skew, age, sizeof age);
    if (skew >= -HS_SKEW_WARN_MS && skew <= HS_SKEW_WARN_MS) {
        snprintf(msg, sizeof msg, "the host's clock is within %llds of %s's",
                 (long long)((skew < 0 ? -skew : skew) / 1000), hs_connection_name(conn));
        report_item(t, "clock", HS_CHECK_OK, msg);
        return;
    }
    snprintf(msg, sizeof msg, "the host's clock is %s %s of %s's (by its Date header); "
             "hiresync reads by the server's time, but fix the host's time synchronisation "
             "(NTP) so that logs and status are right", age, skew > 0 ? "ahead" : "behind",
             hs_connection_name(conn));
    report_item(t, "clock", HS_CHECK_WARN, msg);
}

/* What the configured intervals cost this connection a day, against its budget. */
static void report_call_cost(hs_app *app, check_tally *t, const char *conn)
{
    hs_call_cost c;
    char msg[512];
    hs_check_result result = HS_CHECK_OK;
    int n;
    if (hs_call_cost_estimate(app->config, conn, &c) != 0)
        return;
    n = snprintf(msg, sizeof msg, "the configured intervals cost about %lld calls a day when "
                 "nothing changes (%lld cycles of %d pipeline(s), the jobs listed %lld times)",
                 (long long)c.calls, (long long)c.cycles, c.pipelines, (long long)c.listings);
    if (n < 0 || (size_t)n >= sizeof msg)
        return;
    if (c.budget == 0)
        snprintf(msg + n, sizeof msg - (size_t)n, "; no daily_call_budget is set");
    else
        snprintf(msg + n, sizeof msg - (size_t)n, ", %lld%% of daily_call_budget %lld%s",
                 (long long)(c.calls * 100 / c.budget), (long long)c.budget,
                 c.calls > c.budget / 2 ? ": changes and retries may exhaust it; lengthen the "
                 "intervals or raise the budget" : "");
    if (c.budget > 0 && c.calls > c.budget)
        result = HS_CHECK_FAIL;
    else if (c.budget > 0 && c.calls > c.budget / 2)
        result = HS_CHECK_WARN;
    report_item(t, "daily calls", result, msg);
}

static int check_one(hs_app *app, const hs_config_connection *cc, check_tally *t)
{
    const hs_module *m = NULL;
    char error[512];
    m = hs_registry_get(app->registry, cc->connector, error, sizeof(error));
    const char *version = m && m->table.version ? m->table.version : "?";
    if (t->doc) {
        json_object *report = json_object_new_object();
        t->items = json_object_new_array();
        json_object_object_add(report, "connection", json_object_new_string(cc->name));
        json_object_object_add(report, "connector", json_object_new_string(cc->connector));
        json_object_object_add(report, "version", json_object_new_string(version));
        json_object_object_add(report, "items", t->items);
        json_object_array_add(t->doc, report);
    } else {
        fprintf(app->out, "%s (connector %s %s)\n", cc->name, cc->connector, version);
    }
    hs_connection *conn = NULL;
    hs_host_error err;
    hs_host_error_init(&err);
    hs_status st = hs_connection_open(app, cc->name, NULL, &conn, &err.e);
    if (st != HS_OK) {
        report_item(t, "open", HS_CHECK_FAIL, err.message);
        return -1;
    }
    run_check(conn, t, cc);
    report_skew(conn, t);
    report_call_cost(app, t, cc->name);
    hs_connection_close(conn);
    return 0;
}

/* ---- mappings ------------------------------------------------------------------------------ */

/* The jobs of one connection, discovered once for every pipeline that uses it. */
typedef struct discovered {
    char *name;             /* connection name, an owned copy: the pipeline that first names
                               it is freed before the next pipeline looks it up */
    hs_job_list jobs;
    int ok;                 /* 1 when listed */
    char error[HS_HOST_MESSAGE_SIZE];
} discovered;

static discovered *discover_once(hs_app *app, discovered *cache, size_t *n, size_t max,
                                 const char *name)
{
    hs_connection *conn = NULL;
    hs_host_error err;
    discovered *d;
    for (size_t i = 0; i < *n; i++)
        if (strcmp(cache[i].name, name) == 0)
            return &cache[i];
    if (*n == max)
        return NULL;
    d = &cache[*n];
    memset(d, 0, sizeof *d);
    if ((d->name = strdup(name)) == NULL)
        return NULL;
    (*n)++;
    hs_host_error_init(&err);
    if (hs_connection_open(app, name, NULL, &conn, &err.e) == HS_OK) {
        const hs_connector *table = hs_connection_table(conn);
        if (table->discover_jobs == NULL || !(table->capabilities & HS_CAP_DISCOVER_JOBS))
            snprintf(err.message, sizeof err.message, "connector %s cannot list jobs",
                     table->name);
        else if (hs_job_list_discover(table, hs_connection_conn(conn), &d->jobs, &err.e) == HS_OK)
            d->ok = 1;
    }
    if (!d->ok)
        snprintf(d->error, sizeof d->error, "%s", err.message[0] ? err.message : "unknown");
    hs_connection_close(conn);
    return d;
}

static void begin_section(check_tally *t, const char *pipeline)
{
    if (t->doc) {
        json_object *report = json_object_new_object();
        t->items = json_object_new_array();
        json_object_object_add(report, "pipeline", json_object_new_string(pipeline));
        json_object_object_add(report, "items", t->items);
        json_object_array_add(t->doc, report);
    } else {
        fprintf(t->app->out, "pipeline %s (mappings)\n", pipeline);
    }
}

/* Reports every problem line of hs_pipeline_resolve as a FAIL, or one OK. */
static void report_problems(check_tally *t, hs_pipeline *p, size_t bad, char *problems)
{
    char *line = problems, *nl, prefix[300];
    if (bad == 0) {
        char msg[256];
        size_t jobs = 0;
        for (size_t i = 0; i < p->n_mappings; i++)
            jobs += p->mappings[i].n_jobs;
        snprintf(msg, sizeof msg, "%zu mapping(s), %zu job(s): every job, trigger stage and "
                 "interview found", p->n_mappings, jobs);
        report_item(t, "mappings", HS_CHECK_OK, msg);
        return;
    }
    snprintf(prefix, sizeof prefix, "pipeline %s: ", p->name);
    while ((nl = strchr(line, '\n')) != NULL) {
        *nl = '\0';
        /* the section already names the pipeline */
        report_item(t, "mapping", HS_CHECK_FAIL,
                    strncmp(line, prefix, strlen(prefix)) == 0 ? line + strlen(prefix) : line);
        line = nl + 1;
    }
}

static void check_pipeline(hs_app *app, check_tally *t, const char *name, json_object *cfg,
                           discovered *cache, size_t *n, size_t max)
{
    hs_pipeline *p = NULL;
    discovered *ats, *iv;
    char problems[8192], msg[HS_HOST_MESSAGE_SIZE + 128];
    begin_section(t, name);
    if (hs_pipeline_parse(name, cfg, &p, problems, sizeof problems) != 0) {
        report_item(t, "pipeline", HS_CHECK_FAIL, problems);
        return;
    }
    ats = discover_once(app, cache, n, max, p->ats);
    iv = discover_once(app, cache, n, max, p->interviews);
    if (ats == NULL || !ats->ok) {
        snprintf(msg, sizeof msg, "cannot list the jobs of %s (%s); the mappings were not "
                 "checked", p->ats, ats ? ats->error : "out of memory or an unknown connection");
        report_item(t, "mappings", HS_CHECK_FAIL, msg);
    } else {
        size_t bad = hs_pipeline_resolve(p, &ats->jobs, iv && iv->ok ? &iv->jobs : NULL,
                                         problems, sizeof problems);
        if (iv == NULL || !iv->ok) {
            snprintf(msg, sizeof msg, "cannot list the interviews of %s (%s); they were not "
                     "checked", p->interviews, iv ? iv->error : "out of memory or an unknown connection");
            report_item(t, "interviews", HS_CHECK_FAIL, msg);
        }
        report_problems(t, p, bad, problems);
    }
    int sub = hs_subscriptions_state(app, name, msg, sizeof msg);
    if (sub >= 0)
        report_item(t, "webhook subscription", (hs_check_result)sub, msg);
    hs_pipeline_free(p);
}

static int uses(json_object *cfg, const char *connection)
{
    return side_is(cfg, "ats", connection) || side_is(cfg, "interviews", connection);
}

static void check_mappings(hs_app *app, check_tally *t, const char *only)
{
    size_t max = app->config->n_connections, n = 0;
    discovered *cache = calloc(max ? max : 1, sizeof *cache);
    if (cache == NULL) {
        report_item(t, "mappings", HS_CHECK_FAIL, "out of memory");
        return;
    }
    json_object_object_foreach(app->config->pipelines, name, cfg) {
        if (only == NULL || uses(cfg, only))
            check_pipeline(app, t, name, cfg, cache, &n, max);
    }
    for (size_t i = 0; i < n; i++) {
        hs_job_list_clear(&cache[i].jobs);
        free(cache[i].name);
    }
    free(cache);
}

int hs_cmd_check(hs_app *app, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c, json = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'h') {
            usage(app);
            return HS_EXIT_OK;
        }
        if (c != 'j')
            return hs_cli_usage_error(app, "check", "unknown option");
        json = 1;
    }
    if (argc - optind > 1)
        return hs_cli_usage_error(app, "check", "at most one CONNECTION");
    const char *only = optind < argc ? argv[optind] : NULL;
    int rc = hs_app_load_config(app, 1);
    if (rc != HS_EXIT_OK)
        return rc;
    if (only && !hs_config_find_connection(app->config, only))
        return hs_cli_usage_error(app, "check", "no connection \"%s\" in %s", only,
                                  app->config_path);
    if (app->config->n_connections == 0)
        return hs_cli_usage_error(app, "check", "%s configures no connections",
                                  app->config_path);
    hs_app_load_modules(app);
    check_tally t = {app, 0, 0, 0, NULL, NULL};
    if (json && !(t.doc = json_object_new_array()))
        return HS_EXIT_FAILURE;
    for (size_t i = 0; i < app->config->n_connections; i++) {
        const hs_config_connection *cc = &app->config->connections[i];
        if (only && strcmp(only, cc->name) != 0)
            continue;
        check_one(app, cc, &t);
    }
    check_mappings(app, &t, only);
    if (t.doc)
        fprintf(app->out, "%s\n", json_object_to_json_string_ext(
                                     t.doc, JSON_C_TO_STRING_PRETTY
                                                | JSON_C_TO_STRING_NOSLASHESCAPE));
    else
        fprintf(app->out, "%zu ok, %zu warning%s, %zu failed\n", t.ok, t.warn,
                t.warn == 1 ? "" : "s", t.fail);
    json_object_put(t.doc);
    return t.fail ? HS_EXIT_FAILURE : HS_EXIT_OK;
}
