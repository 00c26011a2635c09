/* `hiresync status`: per pipeline, enabled or not, the last cycle, the next one, the
 * checkpoints. */
#define _DEFAULT_SOURCE

#include <time.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "pipeline.h"
#include "schedule.h"
#include "state.h"
#include "status.h"

static void usage(FILE *out, const char *program)
{
    fprintf(out, "Usage: %s [global options] status [--json] [--pipeline NAME]\n"
            "Shows per pipeline: enabled, last cycle (start, duration, result, counts, error),\n"
            "next cycle and the age of each committed checkpoint.\n"
            "Exit status: 0, or 1 when the last cycle of a pipeline failed (for monitoring).\n",
            program);
}

static json_object *obj_at(json_object *o, const char *key)
{
    json_object *v = NULL;
    return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static long long num(json_object *o, const char *key)
{
    json_object *v = obj_at(o, key);
    return v ? (long long)json_object_get_int64(v) : 0;
}

static const char *str(json_object *o, const char *key)
{
    json_object *v = obj_at(o, key);
    return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static void fmt_time(int64_t ms, char *out, size_t size)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (ms <= 0 || gmtime_r(&t, &tm) == NULL) {
        snprintf(out, size, "-");
        return;
    }
    strftime(out, size, "%Y-%m-%d %H:%M", &tm);
}

/* Builds the status of one pipeline as JSON (new reference). */
static json_object *pipeline_status(hs_app *app, const char *name, json_object *cfg,
                                    int64_t now)
{
    json_object *o = json_object_new_object(), *rec, *cursors = json_object_new_object();
    hs_pipeline *p = NULL;
    hs_state *st = NULL;
    char msg[HS_STATE_ERR_MAX];
    int64_t interval = 3 * 3600, due;
    int enabled = 1;
    if (o == NULL || cursors == NULL) {
        json_object_put(o);
        json_object_put(cursors);
        return NULL;
    }
    if (hs_pipeline_parse(name, cfg, &p, msg, sizeof msg) == 0) {
        enabled = p->enabled;
        interval = p->interval_s;
    }
    rec = hs_status_read(app->config->state_dir, name);
    due = hs_status_next_due(name, rec, interval);
    json_object_object_add(o, "pipeline", json_object_new_string(name));
    json_object_object_add(o, "enabled", json_object_new_boolean(enabled));
    json_object_object_add(o, "interval_s", json_object_new_int64(interval));
    json_object_object_add(o, "last", rec ? json_object_get(obj_at(rec, "last")) : NULL);
    json_object_object_add(o, "failures", json_object_new_int64(num(rec, "failures")));
    json_object_object_add(o, "next_due_ms", json_object_new_int64(due > now ? due : now));
    if (hs_state_peek(app->config->state_dir, name, &st, msg, sizeof msg) == 0) {
        static const char *const sides[] = {"ats", "interviews"};
        for (size_t i = 0; i < 2; i++) {
            json_object *sec = obj_at(st->body, sides[i]);
            if (sec && obj_at(sec, "committed_ms"))
                json_object_object_add(cursors, sides[i], json_object_new_int64(
                    (now - num(sec, "committed_ms")) / 1000));
        }
        json_object_object_add(o, "state_seq", json_object_new_int64((int64_t)st->seq));
        hs_state_free(st);
    } else {
        json_object_object_add(o, "state_error", json_object_new_string(msg));
    }
    json_object_object_add(o, "cursor_age_s", cursors);
    json_object_put(rec);
    hs_pipeline_free(p);
    return o;
}

static void print_row(FILE *out, json_object *s, int64_t now)
{
    json_object *last = obj_at(s, "last"), *counts = obj_at(last, "counts");
    json_object *cur = obj_at(s, "cursor_age_s");
    char start[32], next[32], dur[32];
    const char *err = str(last, "error"), *serr = str(s, "state_error");
    fmt_time(last ? num(last, "started_ms") : 0, start, sizeof start);
    fmt_time(num(s, "next_due_ms"), next, sizeof next);
    if (last)
        snprintf(dur, sizeof dur, "%.1fs", (double)num(last, "duration_ms") / 1000.0);
    else
        snprintf(dur, sizeof dur, "-");
    if (num(s, "next_due_ms") <= now)
        snprintf(next, sizeof next, "now");
    fprintf(out, "%-16s %-7s %-16s %-8s %-9s %5lld %7lld %7lld %7lld %5lld %11lld %6lld  %s\n",
            str(s, "pipeline"), json_object_get_boolean(obj_at(s, "enabled")) ? "yes" : "no",
            start, dur, last ? str(last, "result") : "never", num(counts, "jobs"),
            num(counts, "changes"), num(counts, "invited"), num(counts, "adopted"),
            num(counts, "notes"), num(counts, "not_invited"), num(counts, "errors"), next);
    if (cur && json_object_object_length(cur) > 0) {
        const char *sep = "";
        fprintf(out, "  checkpoints:");
        json_object_object_foreach(cur, k, v) {
            char age[32];
            hs_status_format_age((int64_t)json_object_get_int64(v) * 1000, age, sizeof age);
            fprintf(out, "%s %s committed %s ago", sep, k, age);
            sep = ",";
        }
        fprintf(out, "\n");
    }
    if (err && *err)
        fprintf(out, "  error: %s\n", err);
    if (serr)
        fprintf(out, "  state: %s\n", serr);
}

int hs_cmd_status(hs_app *app, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"pipeline", required_argument, NULL, 'p'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *only = NULL;
    int c, json = 0, rc, failed = 0;
    int64_t now = hs_schedule_now_ms();
    json_object *all;
    hs_cli_reset_getopt();
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'j': json = 1; break;
        case 'p': only = optarg; break;
        case 'h': usage(app->out, app->program); return HS_EXIT_OK;
        default: return hs_cli_usage_error(app, "status", "unknown option");
        }
    }
    if (optind < argc)
        return hs_cli_usage_error(app, "status", "unexpected argument \"%s\"", argv[optind]);
    if ((rc = hs_app_load_config(app, 1)) != HS_EXIT_OK)
        return rc;
    if (only && !json_object_object_get_ex(app->config->pipelines, only, NULL))
        return hs_cli_usage_error(app, "status", "no pipeline named \"%s\"", only);
    all = json_object_new_array();
    if (all == NULL)
        return HS_EXIT_FAILURE;
    json_object_object_foreach(app->config->pipelines, name, cfg) {
        json_object *s;
        if (only && strcmp(only, name) != 0)
            continue;
        s = pipeline_status(app, name, cfg, now);
        if (s == NULL)
            continue;
        if (str(obj_at(s, "last"), "result") && strcmp(str(obj_at(s, "last"), "result"), "failed") == 0)
            failed = 1;
        json_object_array_add(all, s);
    }
    if (json) {
        fprintf(app->out, "%s\n", json_object_to_json_string_ext(all, JSON_C_TO_STRING_PRETTY));
    } else {
        fprintf(app->out, "%-16s %-7s %-16s %-8s %-9s %5s %7s %7s %7s %5s %11s %6s  %s\n",
                "PIPELINE", "ENABLED", "LAST CYCLE (UTC)", "DURATION", "RESULT", "JOBS",
                "CHANGES", "INVITED", "ADOPTED", "NOTES", "NOT INVITED", "ERRORS",
                "NEXT CYCLE");
        for (size_t i = 0; i < json_object_array_length(all); i++)
            print_row(app->out, json_object_array_get_idx(all, i), now);
    }
    json_object_put(all);
    return failed ? HS_EXIT_FAILURE : HS_EXIT_OK;
}
