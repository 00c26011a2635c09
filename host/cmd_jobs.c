/* `hiresync jobs CONNECTION`: the jobs a connection offers, with their stages. */
#define _POSIX_C_SOURCE 200809L
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "commands.h"
#include "connection.h"
#include "jobs.h"

static void usage(const hs_app *app)
{
    fprintf(stdout,
            "Usage: %s jobs [--json] CONNECTION\n"
            "Opens CONNECTION and lists its jobs (ATS vacancies, or interviews) with the\n"
            "stages a candidate can be moved to, most recently updated first: the names to\n"
            "use for \"job\" and \"trigger_stages\" in a pipeline's mappings.\n"
            "\n"
            "  --json    the jobs as a JSON array\n"
            "  --help    show this help\n"
            "\n"
            "Exit status: 0 listed, 1 the connection failed, 2 a usage or configuration error.\n",
            app->program);
}

/* A string member made safe for a terminal (remote text may hold control characters), in a
 * buffer that lives until the next call with the same slot; NULL when missing. */
#define N_SLOTS 4
static const char *member_slot(const hs_app *app, json_object *obj, const char *key, int slot)
{
    static char bufs[N_SLOTS][1024];
    json_object *v;
    if (!json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
        return NULL;
    hs_log_mask(app->log, json_object_get_string(v), bufs[slot], sizeof(bufs[slot]));
    return bufs[slot];
}

static void print_stage(const hs_app *app, json_object *stage, int first)
{
    json_object *statuses;
    const char *name = member_slot(app, stage, "name", 0);
    fprintf(app->out, "%s\"%s\"", first ? "" : ", ", name ? name : "?");
    if (!json_object_object_get_ex(stage, "statuses", &statuses)
        || json_object_array_length(statuses) == 0)
        return;
    fprintf(app->out, " (");
    for (size_t i = 0; i < json_object_array_length(statuses); i++) {
        const char *status = member_slot(app, json_object_array_get_idx(statuses, i), "name", 1);
        fprintf(app->out, "%s%s", i ? ", " : "", status ? status : "?");
    }
    fprintf(app->out, ")");
}

static void print_job(const hs_app *app, json_object *job)
{
    FILE *out = app->out;
    json_object *stages;
    const char *id = member_slot(app, job, "id", 0);
    const char *title = member_slot(app, job, "title", 1);
    fprintf(out, "%s  %s\n", id ? id : "?", title ? title : "(untitled)");
    const char *status = member_slot(app, job, "status", 0);
    const char *updated = member_slot(app, job, "updated_at", 1);
    const char *url = member_slot(app, job, "url", 2);
    fprintf(out, "    status: %s   updated: %s%s%s\n", status ? status : "-",
            updated ? updated : "-", url ? "   url: " : "", url ? url : "");
    fprintf(out, "    stages: ");
    if (json_object_object_get_ex(job, "stages", &stages)
        && json_object_array_length(stages) > 0) {
        for (size_t s = 0; s < json_object_array_length(stages); s++)
            print_stage(app, json_object_array_get_idx(stages, s), s == 0);
    } else {
        fprintf(out, "-");
    }
    fprintf(out, "\n");
}

static void print_text(const hs_app *app, json_object *jobs)
{
    size_t n = json_object_array_length(jobs);
    for (size_t i = 0; i < n; i++)
        print_job(app, json_object_array_get_idx(jobs, i));
    fprintf(app->out, "%zu job%s\n", n, n == 1 ? "" : "s");
}

static int list_jobs(hs_app *app, const char *name, int json)
{
    hs_connection *conn = NULL;
    hs_host_error err;
    hs_host_error_init(&err);
    hs_status st = hs_connection_open(app, name, NULL, &conn, &err.e);
    if (st != HS_OK) {
        hs_log_write(app->log, HS_LOG_ERROR, name, "cannot open: %s", err.message);
        return st == HS_E_CONFIG ? HS_EXIT_USAGE : HS_EXIT_FAILURE;
    }
    int rc = HS_EXIT_FAILURE;
    hs_job_collector collector;
    const hs_connector *table = hs_connection_table(conn);
    if (!(table->capabilities & HS_CAP_DISCOVER_JOBS)) {
        hs_log_write(app->log, HS_LOG_ERROR, name, "connector %s cannot list jobs",
                     hs_connection_config(conn)->connector);
        hs_connection_close(conn);
        return HS_EXIT_FAILURE;
    }
    if (hs_job_collector_init(&collector) != 0) {
        hs_log_write(app->log, HS_LOG_ERROR, name, "out of memory");
        hs_connection_close(conn);
        return HS_EXIT_FAILURE;
    }
    st = table->discover_jobs(hs_connection_conn(conn), &collector.emitter, &err.e);
    if (st != HS_OK) {
        char msg[HS_HOST_MESSAGE_SIZE];
        hs_log_mask(app->log, collector.error[0] ? collector.error : err.message, msg,
                    sizeof(msg));
        hs_log_write(app->log, HS_LOG_ERROR, name, "listing jobs failed: %s%s%s%s", msg,
                     collector.error[0] ? " (connector " : "",
                     collector.error[0] ? hs_connection_config(conn)->connector : "",
                     collector.error[0] ? ")" : "");
        goto out;
    }
    hs_job_collector_sort(&collector);
    if (json)
        fprintf(app->out, "%s\n", json_object_to_json_string_ext(
                                      collector.jobs, JSON_C_TO_STRING_PRETTY
                                                          | JSON_C_TO_STRING_NOSLASHESCAPE));
    else
        print_text(app, collector.jobs);
    rc = HS_EXIT_OK;
out:
    hs_job_collector_free(&collector);
    hs_connection_close(conn);
    return rc;
}

int hs_cmd_jobs(hs_app *app, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int json = 0, c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'h') {
            usage(app);
            return HS_EXIT_OK;
        }
        if (c != 'j')
            return hs_cli_usage_error(app, "jobs", "unknown option");
        json = 1;
    }
    if (argc - optind != 1)
        return hs_cli_usage_error(app, "jobs", "name one CONNECTION");
    const char *name = argv[optind];
    int rc = hs_app_load_config(app, 1);
    if (rc != HS_EXIT_OK)
        return rc;
    if (!hs_config_find_connection(app->config, name))
        return hs_cli_usage_error(app, "jobs", "no connection \"%s\" in %s", name,
                                  app->config_path);
    hs_app_load_modules(app);
    return list_jobs(app, name, json);
}
