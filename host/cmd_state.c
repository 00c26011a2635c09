/* `hiresync state show|reset PIPELINE [STREAM]`. */
#define _DEFAULT_SOURCE

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "lock.h"
#include "schedule.h"
#include "state.h"

static void usage(FILE *out, const char *program)
{
    fprintf(out,
            "Usage: %s [global options] state show PIPELINE [--json]\n"
            "       %s [global options] state reset PIPELINE [ats|interviews]\n"
            "show prints the committed state (cursors, invitations, notes, writes in flight):\n"
            "the last snapshot with the journal records written since; with --json, only the\n"
            "state as one JSON object.\n"
            "reset starts the pipeline over: its next cycle sets a new baseline. With a stream,\n"
            "only that stream's cursor is forgotten; the record of invitations and notes stays,\n"
            "so nobody is invited or noted twice.\n"
            "Neither reads a secret. Exit status: 0; 1 when the state cannot be read or\n"
            "written (or the pipeline is running); 2 for a usage error or a pipeline the\n"
            "configuration does not name.\n",
            program, program);
}

static int show(hs_app *app, const char *pipeline, int json)
{
    hs_state *st = NULL;
    char msg[HS_STATE_ERR_MAX];
    const int flags = JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE;
    if (hs_state_peek(app->config->state_dir, pipeline, &st, msg, sizeof msg) != 0) {
        fprintf(stderr, "%s state: %s\n", app->program, msg);
        return HS_EXIT_FAILURE;
    }
    if (json)
        fprintf(app->out, "%s\n", st->existed ? json_object_to_json_string_ext(st->body, flags)
                                              : "{}");
    else if (!st->existed)
        fprintf(app->out, "pipeline %s has no committed state yet (it has not run)\n",
                pipeline);
    else
        fprintf(app->out, "pipeline %s, generation %llu (%s) and %llu journal record(s) since "
                "(%s)\n%s\n", pipeline, (unsigned long long)st->seq, st->path,
                (unsigned long long)(st->journal_seq - st->journal_mark), st->journal_path,
                json_object_to_json_string_ext(st->body, flags));
    hs_state_free(st);
    return HS_EXIT_OK;
}

static int reset_stream(hs_app *app, const char *pipeline, const char *stream)
{
    hs_state *st = NULL;
    char msg[HS_STATE_ERR_MAX];
    json_object *sec;
    int rc = HS_EXIT_FAILURE;
    if (hs_state_load(app->config->state_dir, pipeline, &st, msg, sizeof msg) != 0) {
        fprintf(stderr, "%s state: %s\n", app->program, msg);
        return HS_EXIT_FAILURE;
    }
    if (json_object_object_get_ex(st->body, stream, &sec))
        json_object_object_del(st->body, stream);
    if (strcmp(stream, "ats") == 0)
        json_object_object_del(st->body, "baselines");
    if (hs_state_commit(st, hs_schedule_now_ms(), msg, sizeof msg) != 0) {
        fprintf(stderr, "%s state: %s\n", app->program, msg);
        goto out;
    }
    fprintf(app->out, "pipeline %s: the %s cursor is reset; the next cycle reads it from the "
            "start%s\n", pipeline, stream,
            strcmp(stream, "ats") == 0 ? " and sets a new baseline" : "");
    rc = HS_EXIT_OK;
out:
    hs_state_free(st);
    return rc;
}

static int reset(hs_app *app, const char *pipeline, const char *stream)
{
    char msg[HS_STATE_ERR_MAX];
    int busy = 0, rc;
    int lock = hs_lock_acquire(app->config->state_dir, pipeline, &busy, msg, sizeof msg);
    if (lock < 0) {
        fprintf(stderr, "%s state: %s\n", app->program, msg);
        return HS_EXIT_FAILURE;
    }
    if (stream != NULL) {
        rc = reset_stream(app, pipeline, stream);
    } else if (hs_state_reset(app->config->state_dir, pipeline, msg, sizeof msg) != 0) {
        fprintf(stderr, "%s state: %s\n", app->program, msg);
        rc = HS_EXIT_FAILURE;
    } else {
        fprintf(app->out, "pipeline %s: state reset (the old files are kept beside them as "
                "%s.state.reset-* and %s.journal.reset-*); the next cycle sets a new baseline\n",
                pipeline, pipeline, pipeline);
        rc = HS_EXIT_OK;
    }
    hs_lock_release(lock);
    return rc;
}

int hs_cmd_state(hs_app *app, int argc, char **argv)
{
    static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
                                         {"json", no_argument, NULL, 'j'},
                                         {NULL, 0, NULL, 0}};
    const char *verb, *pipeline, *stream = NULL;
    int c, rc, json = 0;
    hs_cli_reset_getopt();
    /* options anywhere: `state show NAME --json`, `state reset --help` */
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'h') {
            usage(app->out, app->program);
            return HS_EXIT_OK;
        }
        if (c == 'j') {
            json = 1;
            continue;
        }
        return hs_cli_usage_error(app, "state", "unknown option");
    }
    if (argc - optind < 2)
        return hs_cli_usage_error(app, "state", "expected show|reset and a pipeline name");
    verb = argv[optind];
    pipeline = argv[optind + 1];
    if (strcmp(verb, "show") != 0 && strcmp(verb, "reset") != 0)
        return hs_cli_usage_error(app, "state", "unknown action \"%s\" (show or reset)", verb);
    if (argc - optind > 2)
        stream = argv[optind + 2];
    if (argc - optind > 3 || (stream && strcmp(verb, "reset") != 0))
        return hs_cli_usage_error(app, "state", "too many arguments");
    if (json && strcmp(verb, "show") != 0)
        return hs_cli_usage_error(app, "state", "--json goes with show");
    if (stream && strcmp(stream, "ats") != 0 && strcmp(stream, "interviews") != 0)
        return hs_cli_usage_error(app, "state", "stream \"%s\" is neither ats nor interviews",
                                  stream);
    app->no_secrets = 1;
    if ((rc = hs_app_load_config(app, 1)) != HS_EXIT_OK)
        return rc;
    if (!json_object_object_get_ex(app->config->pipelines, pipeline, NULL))
        return hs_cli_usage_error(app, "state", "no pipeline named \"%s\" in %s", pipeline,
                                  app->config_path);
    if (strcmp(verb, "show") == 0)
        return show(app, pipeline, json);
    return reset(app, pipeline, stream);
}
