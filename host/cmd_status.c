/* `hiresync status`: per pipeline, enabled or not, the last cycle, the next one, the
 * checkpoints. */
#define _DEFAULT_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "lock.h"
#include "pipeline.h"
#include "schedule.h"
#include "state.h"
#include "status.h"

static void usage(FILE *out, const char *program)
{
    fprintf(out, "Usage: %s [global options] status [--json] [--pipeline NAME] "
            "[--max-age DURATION]\n"
            "Shows per pipeline: enabled, last cycle (start, duration, result, counts, error),\n"
            "a cycle in progress, the next cycle, the age of each committed checkpoint, the\n"
            "clock skew against each system and a stop the remote system asked for (a used-up\n"
            "daily quota). Reads no secret.\n"
            "\n"
            "  --json               the status as JSON\n"
            "  --pipeline NAME      only this pipeline\n"
            "  --max-age DURATION   an enabled pipeline whose last cycle started longer ago\n"
            "                       is overdue (default: twice its interval plus its grace\n"
            "                       window); units s, m, h, d\n"
            "\n"
            "Exit status (for health checks): 0 healthy; 1 when a pipeline's last cycle\n"
            "failed, the outcome of a cycle could not be recorded, a pipeline is overdue, or\n"
            "the state directory is not writable; 2 for a usage or configuration error.\n",
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

/* The problem of a failed last cycle; the text output shows its error line instead. */
#define FAILED "the last cycle failed: "

/* Problems that make the status unhealthy, collected as "problems": [..] in the JSON. */
static void problem(json_object *o, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void problem(json_object *o, const char *fmt, ...)
{
    json_object *list = obj_at(o, "problems");
    char line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (list == NULL) {
        list = json_object_new_array();
        if (list == NULL || json_object_object_add(o, "problems", list) != 0) {
            json_object_put(list);
            return;
        }
    }
    json_object_array_add(list, json_object_new_string(line));
}

/* A cycle in progress (the lock is held) and a cycle that started after the last recorded
 * one and left no record (killed, or its status could not be written: a full disk). */
static void lock_status(hs_app *app, json_object *o, const char *name, json_object *rec)
{
    int held = 0;
    int64_t started = -1, recorded = hs_status_last_start(rec);
    if (hs_lock_peek(app->config->state_dir, name, &held, &started) != 0 || started < 0)
        return;
    if (held) {
        json_object_object_add(o, "running_since_ms", json_object_new_int64(started));
        return;
    }
    if (started > recorded) {
        char when[32];
        fmt_time(started, when, sizeof when);
        json_object_object_add(o, "unrecorded_start_ms", json_object_new_int64(started));
        problem(o, "the cycle started at %s UTC left no record (killed, or its status could "
                "not be written: is %s full or read-only?)", when, app->config->state_dir);
    }
}

/* Twice the interval plus the grace window a scheduler's tick may come late by: one whole
 * missed cycle is tolerated. */
static int64_t default_max_age_ms(int64_t interval_s)
{
    return 2 * interval_s * 1000 + hs_status_grace_ms(interval_s);
}

static void overdue(json_object *o, json_object *last, int64_t now, int64_t max_age_ms)
{
    int64_t started = last ? num(last, "started_ms") : 0;
    char age[32];
    if (started <= 0 || now - started <= max_age_ms)
        return;
    hs_status_format_age(now - started, age, sizeof age);
    json_object_object_add(o, "overdue", json_object_new_boolean(1));
    problem(o, "overdue: the last cycle started %s ago; is a runner (hiresync run, the timer "
            "or the CronJob) running?", age);
}

static void cursor_ages(json_object *o, json_object *cursors, hs_app *app, const char *name,
                        int64_t now)
{
    static const char *const sides[] = {"ats", "interviews"};
    hs_state *st = NULL;
    char msg[HS_STATE_ERR_MAX];
    if (hs_state_peek(app->config->state_dir, name, &st, msg, sizeof msg) != 0) {
        json_object_object_add(o, "state_error", json_object_new_string(msg));
        problem(o, "%s", msg);
        return;
    }
    for (size_t i = 0; i < 2; i++) {
        json_object *sec = obj_at(st->body, sides[i]);
        if (sec && obj_at(sec, "committed_ms"))
            json_object_object_add(cursors, sides[i], json_object_new_int64(
                (now - num(sec, "committed_ms")) / 1000));
    }
    json_object_object_add(o, "state_seq", json_object_new_int64((int64_t)st->seq));
    hs_state_free(st);
}

/* Builds the status of one pipeline as JSON (new reference). max_age_ms <= 0: the default. */
static json_object *pipeline_status(hs_app *app, const char *name, json_object *cfg,
                                    int64_t now, int64_t max_age_ms)
{
    json_object *o = json_object_new_object(), *rec, *last, *cursors = json_object_new_object();
    hs_pipeline *p = NULL;
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
    last = obj_at(rec, "last");
    due = hs_status_next_due(name, rec, interval);
    /* the code by name; "status" keeps the number for consumers written before */
    if (last != NULL && obj_at(last, "status") != NULL)
        json_object_object_add(last, "status_name",
                               json_object_new_string(hs_status_code_name(num(last, "status"))));
    json_object_object_add(o, "pipeline", json_object_new_string(name));
    json_object_object_add(o, "enabled", json_object_new_boolean(enabled));
    json_object_object_add(o, "interval_s", json_object_new_int64(interval));
    json_object_object_add(o, "last", last ? json_object_get(last) : NULL);
    json_object_object_add(o, "failures", json_object_new_int64(num(rec, "failures")));
    json_object_object_add(o, "next_due_ms", json_object_new_int64(due > now ? due : now));
    if (obj_at(rec, "clock_skew") != NULL)
        json_object_object_add(o, "clock_skew", json_object_get(obj_at(rec, "clock_skew")));
    if (last != NULL && num(last, "retry_at_ms") > now)
        json_object_object_add(o, "retry_at_ms", json_object_new_int64(num(last, "retry_at_ms")));
    if (str(last, "result") && strcmp(str(last, "result"), "failed") == 0)
        problem(o, FAILED "%s", str(last, "error") ? str(last, "error") : "?");
    lock_status(app, o, name, rec);
    if (enabled)
        overdue(o, last, now, max_age_ms > 0 ? max_age_ms : default_max_age_ms(interval));
    cursor_ages(o, cursors, app, name, now);
    json_object_object_add(o, "cursor_age_s", cursors);
    json_object_put(rec);
    hs_pipeline_free(p);
    return o;
}

static void print_skews(FILE *out, json_object *skews)
{
    const char *sep = "  clock skew (host minus server):";
    if (skews == NULL || json_object_object_length(skews) == 0)
        return;
    json_object_object_foreach(skews, conn, v) {
        int64_t ms = num(v, "skew_ms");
        char age[32];
        hs_status_format_age(ms < 0 ? -ms : ms, age, sizeof age);
        fprintf(out, "%s %s %s%s%s", sep, conn, ms < 0 ? "-" : "+", ms / 1000 == 0 ? "0s" : age,
                ms > HS_SKEW_WARN_MS || ms < -HS_SKEW_WARN_MS ? " (WARNING: fix the host's "
                "time synchronisation)" : "");
        sep = ",";
    }
    fprintf(out, "\n");
}

/* The lines under a pipeline's row: progress, stops, skews and what makes it unhealthy. */
static void print_extras(FILE *out, json_object *s)
{
    json_object *problems = obj_at(s, "problems");
    char when[32];
    if (num(s, "running_since_ms") > 0) {
        fmt_time(num(s, "running_since_ms"), when, sizeof when);
        fprintf(out, "  running: a cycle is in progress since %s UTC\n", when);
    }
    if (num(s, "retry_at_ms") > 0) {
        fmt_time(num(s, "retry_at_ms"), when, sizeof when);
        fprintf(out, "  waiting: the remote system asked hiresync to wait until %s UTC\n", when);
    }
    print_skews(out, obj_at(s, "clock_skew"));
    for (size_t i = 0; problems != NULL && i < json_object_array_length(problems); i++) {
        const char *line = json_object_get_string(json_object_array_get_idx(problems, i));
        if (strncmp(line, FAILED, strlen(FAILED)) != 0)
            fprintf(out, "  problem: %s\n", line);
    }
}

/* The interview's life in the last cycle, when anything happened there. */
static void print_life(FILE *out, json_object *counts)
{
    static const char *const keys[] = {"outcomes", "moved", "not_moved", "expired",
                                       "reinvited", "reinvite_refused"};
    static const char *const words[] = {"outcomes written", "moved",
                                        "not moved (a recruiter had moved them on)",
                                        "expired", "re-invited", "re-invitations refused"};
    long long any = 0;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        any += num(counts, keys[i]);
    if (any == 0)
        return;
    fprintf(out, "  interview life:");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        fprintf(out, "%s %lld %s", i ? "," : "", num(counts, keys[i]), words[i]);
    fprintf(out, "\n");
}

static void print_row(FILE *out, json_object *s, int64_t now)
{
    json_object *last = obj_at(s, "last"), *counts = obj_at(last, "counts");
    json_object *cur = obj_at(s, "cursor_age_s");
    char start[32], next[32], dur[32];
    const char *err = str(last, "error");
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
    print_life(out, counts);
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
    print_extras(out, s);
}

/* 1 when the state directory takes a new file: a read-only or broken directory makes every
 * cycle fail to commit. A missing directory is fine (the first cycle creates it). */
static int state_dir_writable(const char *dir, char *why, size_t size)
{
    char probe[4200];
    int fd;
    snprintf(probe, sizeof probe, "%s/.status-probe-%ld", dir, (long)getpid());
    fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == ENOENT)
            return 1;
        snprintf(why, size, "the state directory %s does not take new files (%s): no cycle "
                 "can commit; make it writable for hiresync's user", dir, strerror(errno));
        return 0;
    }
    (void)close(fd);
    (void)unlink(probe);
    return 1;
}

static int parse_options(hs_app *app, int argc, char **argv, int *json, const char **only,
                         int64_t *max_age_ms)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"pipeline", required_argument, NULL, 'p'},
                                         {"max-age", required_argument, NULL, 'a'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    int c;
    int64_t secs;
    hs_cli_reset_getopt();
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        switch (c) {
        case 'j': *json = 1; break;
        case 'p': *only = optarg; break;
        case 'a':
            if (hs_config_interval_parse(optarg, &secs) != 0)
                return hs_cli_usage_error(app, "status", "--max-age \"%s\": give a duration "
                                          "of at least 1m such as 90m, 7h or 2d", optarg);
            *max_age_ms = secs * 1000;
            break;
        case 'h': usage(app->out, app->program); return -1;
        default: return hs_cli_usage_error(app, "status", "unknown option");
        }
    }
    if (optind < argc)
        return hs_cli_usage_error(app, "status", "unexpected argument \"%s\"", argv[optind]);
    return HS_EXIT_OK;
}

int hs_cmd_status(hs_app *app, int argc, char **argv)
{
    const char *only = NULL;
    int json = 0, rc, unhealthy = 0;
    int64_t now = hs_schedule_now_ms(), max_age_ms = 0;
    char why[600];
    json_object *all;
    rc = parse_options(app, argc, argv, &json, &only, &max_age_ms);
    if (rc != HS_EXIT_OK)
        return rc < 0 ? HS_EXIT_OK : rc;
    app->no_secrets = 1;   /* a health check must not need the secrets */
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
        s = pipeline_status(app, name, cfg, now, max_age_ms);
        if (s == NULL)
            continue;
        if (obj_at(s, "problems") != NULL)
            unhealthy = 1;
        json_object_array_add(all, s);
    }
    if (!state_dir_writable(app->config->state_dir, why, sizeof why)) {
        unhealthy = 1;
        fprintf(stderr, "%s status: %s\n", app->program, why);
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
    return unhealthy ? HS_EXIT_FAILURE : HS_EXIT_OK;
}
