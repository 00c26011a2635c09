/* The schedule and the worker pool (see schedule.h). */
#define _DEFAULT_SOURCE

#include "schedule.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "connection.h"
#include "cycle.h"
#include "lock.h"
#include "notify.h"
#include "pipeline.h"
#include "state.h"
#include "status.h"

static volatile sig_atomic_t g_stop;
static volatile sig_atomic_t g_reload;

static void on_stop(int sig)
{
    (void)sig;
    g_stop = 1;
    hs_notify_stop_requested();
}

static void on_reload(int sig)
{
    (void)sig;
    g_reload = 1;
}

int64_t hs_schedule_now_ms(void)
{
    const char *fake = getenv("HIRESYNC_FAKE_NOW");
    struct timespec ts;
    if (fake != NULL && *fake != '\0')
        return (int64_t)strtoll(fake, NULL, 10) * 1000;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t clock_cb(void *ctx)
{
    (void)ctx;
    return hs_schedule_now_ms();
}

/* Connectors poll this between HTTP requests, which makes it the crash point "between
 * requests" of the crash test. */
static int cancelled_cb(void *ctx)
{
    (void)ctx;
    hs_crash_point("connector: between requests");
    hs_notify_heartbeat();
    return g_stop != 0;
}

/* ---- one pipeline -------------------------------------------------------------------------- */

typedef struct stores {
    hs_connection *ats;
    hs_connection *interviews;
} stores;

static void put_store(json_object *dst, const char *key, hs_connection *conn)
{
    char *text;
    json_object *o;
    if (conn == NULL || (text = hs_connection_store_json(conn)) == NULL)
        return;
    o = json_tokener_parse(text);
    free(text);
    if (o != NULL)
        json_object_object_add(dst, key, o);
}

static void before_commit(void *ctx, json_object *body)
{
    stores *s = ctx;
    json_object *st = json_object_new_object();
    if (st == NULL)
        return;
    put_store(st, "ats", s->ats);
    put_store(st, "interviews", s->interviews);
    json_object_object_add(body, "stores", st);
}

static const char *stored(json_object *body, const char *key)
{
    json_object *st, *v;
    if (!json_object_object_get_ex(body, "stores", &st) ||
        !json_object_object_get_ex(st, key, &v))
        return NULL;
    return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
}

static hs_status open_side(hs_app *app, const char *pipeline, const char *conn_name,
                           const char *store, hs_connection **out, hs_error *err)
{
    hs_connection_options o;
    char scope[256];
    snprintf(scope, sizeof scope, "%s/%s", pipeline, conn_name);
    memset(&o, 0, sizeof o);
    o.scope = scope;
    o.store_json = store;
    o.cancelled = cancelled_cb;
    o.now_ms = clock_cb;
    return hs_connection_open(app, conn_name, &o, out, err);
}

static void fail(hs_cycle_result *r, hs_status st, const char *prefix, const char *msg)
{
    r->status = st;
    r->result = "failed";
    snprintf(r->error, sizeof r->error, "%s%s", prefix, msg);
}

static int64_t ats_skew_cb(void *ctx)
{
    int64_t skew = 0;
    return hs_connection_clock_skew(ctx, &skew, NULL) ? skew : 0;
}

/* Runs one cycle of one pipeline; fills r. Returns 0 ran, 1 skipped (locked). */
static int run_pipeline(hs_app *app, const char *name, json_object *cfg,
                        const hs_run_options *opt, hs_cycle_result *r)
{
    const char *dir = app->config->state_dir;
    hs_pipeline *p = NULL;
    hs_state *state = NULL;
    hs_connection *ats = NULL, *iv = NULL;
    stores st = {0};
    hs_cycle_params cp;
    hs_error err;
    char msg[HS_STATE_ERR_MAX];
    int busy = 0, lock = -1, skipped = 0, ran = 0;
    hs_status ost;
    memset(r, 0, sizeof *r);
    r->started_ms = hs_schedule_now_ms();
    hs_connection_error_init(&err);
    if (hs_pipeline_parse(name, cfg, &p, msg, sizeof msg) != 0) {
        fail(r, HS_E_CONFIG, "", msg);
        goto out;
    }
    if (hs_state_dir_prepare(dir, msg, sizeof msg) != 0) {
        fail(r, HS_E_CONFIG, "", msg);
        goto out;
    }
    lock = hs_lock_acquire(dir, name, &busy, msg, sizeof msg);
    if (lock < 0) {
        hs_log_write(app->log, busy ? HS_LOG_WARN : HS_LOG_ERROR, name, "%s", msg);
        if (busy) {
            skipped = 1;
            goto out;
        }
        fail(r, HS_E_INTERNAL, "", msg);
        goto out;
    }
    if (hs_lock_note_start(lock, r->started_ms) != 0)
        hs_log_write(app->log, HS_LOG_WARN, name, "cannot note the cycle's start in its lock "
                     "file (%s/%s.lock): %s", dir, name, strerror(errno));
    if (hs_state_load(dir, name, &state, msg, sizeof msg) != 0) {
        fail(r, HS_E_CONFIG, "", msg);
        goto out;
    }
    ost = open_side(app, name, p->ats, stored(state->body, "ats"), &ats, &err);
    if (ost == HS_OK)
        ost = open_side(app, name, p->interviews, stored(state->body, "interviews"), &iv, &err);
    if (ost != HS_OK) {
        fail(r, ost, "cannot open a connection: ", err.message);
        goto out;
    }
    st.ats = ats;
    st.interviews = iv;
    memset(&cp, 0, sizeof cp);
    cp.pipeline = p;
    cp.ats.name = p->ats;
    cp.ats.table = hs_connection_table(ats);
    cp.ats.conn = hs_connection_conn(ats);
    cp.interviews.name = p->interviews;
    cp.interviews.table = hs_connection_table(iv);
    cp.interviews.conn = hs_connection_conn(iv);
    cp.state = state;
    cp.log = app->log;
    cp.dry_run = opt->dry_run;
    cp.dry_out = app->out;
    cp.now_ms = clock_cb;
    cp.cancelled = cancelled_cb;
    cp.before_commit = before_commit;
    cp.commit_ctx = &st;
    cp.ats_skew_ms = ats_skew_cb;
    cp.skew_ctx = ats;
    (void)hs_cycle_run(&cp, r);
    ran = 1;
    if (opt->dry_run)
        fprintf(app->out, "%s: dry run, nothing written: %ld would be invited, %ld result "
                "note(s) would be written, %ld cannot be invited\n", name,
                r->counts.invited, r->counts.notes, r->counts.not_invited);
out:
    if (r->result == NULL)
        r->result = r->status == HS_OK ? "ok" : "failed";
    if (!ran && !skipped && r->status != HS_OK) /* a cycle logs its own summary */
        hs_log_write(app->log, HS_LOG_ERROR, name, "cycle failed: %s", r->error);
    if (!skipped && !opt->dry_run && lock >= 0) {
        if (r->duration_ms == 0)
            r->duration_ms = hs_schedule_now_ms() - r->started_ms;
        if (hs_status_write(dir, name, r, msg, sizeof msg) != 0)
            hs_log_write(app->log, HS_LOG_WARN, name, "cannot record the status: %s", msg);
    }
    hs_connection_close(ats);
    hs_connection_close(iv);
    hs_state_free(state);
    hs_lock_release(lock);
    hs_pipeline_free(p);
    return skipped;
}

/* ---- the pool ------------------------------------------------------------------------------ */

typedef struct job {
    const char *name;            /* borrowed from the config */
    json_object *cfg;            /* borrowed */
    hs_cycle_result result;
    int skipped;
} job;

typedef struct pool {
    hs_app *app;
    const hs_run_options *opt;
    job *jobs;
    size_t n;
    size_t next;
    pthread_mutex_t mu;
} pool;

static void *worker(void *arg)
{
    pool *pl = arg;
    for (;;) {
        size_t i;
        pthread_mutex_lock(&pl->mu);
        i = pl->next < pl->n && !g_stop ? pl->next++ : pl->n;
        pthread_mutex_unlock(&pl->mu);
        if (i >= pl->n)
            return NULL;
        pl->jobs[i].skipped = run_pipeline(pl->app, pl->jobs[i].name, pl->jobs[i].cfg, pl->opt,
                                           &pl->jobs[i].result);
    }
}

static void run_pool(hs_app *app, const hs_run_options *opt, job *jobs, size_t n)
{
    pool pl = {app, opt, jobs, n, 0, PTHREAD_MUTEX_INITIALIZER};
    pthread_t threads[64];
    size_t nt = (size_t)(app->config->workers > 0 ? app->config->workers : 4), started = 0;
    if (nt > n)
        nt = n;
    if (nt > 64)
        nt = 64;
    for (size_t i = 0; i < nt; i++)
        if (pthread_create(&threads[i], NULL, worker, &pl) == 0)
            started++;
    if (started == 0)
        (void)worker(&pl);
    for (size_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    pthread_mutex_destroy(&pl.mu);
}

/* ---- due pipelines ------------------------------------------------------------------------- */

static int pipeline_flags(json_object *cfg, int *enabled, int64_t *interval_s)
{
    hs_pipeline *p = NULL;
    char msg[256];
    if (hs_pipeline_parse("x", cfg, &p, msg, sizeof msg) != 0)
        return -1;
    *enabled = p->enabled;
    *interval_s = p->interval_s;
    hs_pipeline_free(p);
    return 0;
}

/* Collects the pipelines to run now; *next_wake gets the earliest later due time. */
static size_t collect(hs_app *app, const hs_run_options *opt, job *jobs, size_t max,
                      int64_t *next_wake)
{
    size_t n = 0;
    int64_t now = hs_schedule_now_ms();
    *next_wake = INT64_MAX;
    json_object_object_foreach(app->config->pipelines, name, cfg) {
        int enabled = 1;
        int64_t interval = 0, due;
        json_object *rec;
        if (opt->pipeline != NULL && strcmp(opt->pipeline, name) != 0)
            continue;
        if (pipeline_flags(cfg, &enabled, &interval) != 0)
            interval = 0; /* due at once, so that running it reports what is wrong */
        if (!enabled && opt->pipeline == NULL)
            continue;
        rec = hs_status_read(app->config->state_dir, name);
        due = hs_status_next_due(name, rec, interval);
        json_object_put(rec);
        if (!opt->force && due > now) {
            if (due < *next_wake)
                *next_wake = due;
            if (opt->once && !opt->quiet)
                hs_log_write(app->log, HS_LOG_INFO, name, "not due yet; skipped (use --force "
                             "to run it now)");
            continue;
        }
        if (now < *next_wake)
            *next_wake = now;
        if (jobs != NULL && n < max) {
            memset(&jobs[n], 0, sizeof jobs[n]);
            jobs[n].name = name;
            jobs[n].cfg = cfg;
            n++;
        }
    }
    return n;
}

static int round_exit(const job *jobs, size_t n)
{
    int rc = HS_EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        hs_status st = jobs[i].result.status;
        if (jobs[i].skipped || st == HS_OK || st == HS_E_CANCELLED)
            continue;
        rc = HS_EXIT_FAILURE;
    }
    return rc;
}

static void reload(hs_app *app)
{
    hs_config *old = app->config;
    app->config = NULL;
    hs_log_write(app->log, HS_LOG_INFO, NULL, "SIGHUP: reloading %s", app->config_path);
    if (hs_app_load_config(app, 1) != HS_EXIT_OK || app->config == NULL) {
        hs_log_write(app->log, HS_LOG_ERROR, NULL, "the new configuration has errors; "
                     "keeping the running one");
        if (app->config != NULL)
            hs_config_free(app->config);
        app->config = old;
        return;
    }
    hs_config_free(old);
    (void)hs_app_load_modules(app);
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_reload;
    sigaction(SIGHUP, &sa, NULL);
}

int hs_schedule_run(hs_app *app, const hs_run_options *opt)
{
    size_t max = (size_t)json_object_object_length(app->config->pipelines) + 1;
    job *jobs = calloc(max, sizeof *jobs);
    int rc = HS_EXIT_OK;
    if (jobs == NULL)
        return HS_EXIT_FAILURE;
    if (opt->pipeline != NULL &&
        !json_object_object_get_ex(app->config->pipelines, opt->pipeline, NULL)) {
        fprintf(stderr, "%s run: no pipeline named \"%s\" in %s\n", app->program, opt->pipeline,
                app->config_path);
        free(jobs);
        return HS_EXIT_USAGE;
    }
    g_stop = 0;
    g_reload = 0;
    install_signals();
    if (!opt->once)
        hs_notify_start();
    if (json_object_object_length(app->config->pipelines) == 0)
        hs_log_write(app->log, HS_LOG_WARN, NULL, "%s has no pipelines; nothing to run",
                     app->config_path);
    for (;;) {
        int64_t wake;
        size_t n = collect(app, opt, jobs, max, &wake);
        run_pool(app, opt, jobs, n);
        if (n > 0 && !opt->once) {
            /* the due times of what just ran follow from their new status records */
            hs_run_options peek = *opt;
            peek.once = 1;
            peek.force = 0;
            peek.quiet = 1;
            (void)collect(app, &peek, NULL, 0, &wake);
            /* one that is still due was skipped (locked by another runner): try again in a
             * minute, the shortest interval, rather than at once */
            if (wake < hs_schedule_now_ms() + 60000)
                wake = hs_schedule_now_ms() + 60000;
        }
        if (round_exit(jobs, n) != HS_EXIT_OK)
            rc = HS_EXIT_FAILURE;
        if (opt->once || g_stop)
            break;
        if (rc != HS_EXIT_OK) {
            for (size_t i = 0; i < n; i++) {
                hs_status st = jobs[i].result.status;
                if (st == HS_E_CONFIG || st == HS_E_PERMISSION) {
                    hs_log_write(app->log, HS_LOG_ERROR, jobs[i].name, "stopping: fix the "
                                 "configuration or the permission, then start hiresync again");
                    goto out;
                }
            }
            rc = HS_EXIT_OK; /* transient failures retry at the next due time */
        }
        hs_notify_status("waiting for the next due pipeline");
        while (!g_stop && !g_reload && hs_schedule_now_ms() < wake) {
            hs_notify_heartbeat();
            sleep(1);
        }
        if (g_reload) {
            g_reload = 0;
            reload(app);
            free(jobs);
            max = (size_t)json_object_object_length(app->config->pipelines) + 1;
            jobs = calloc(max, sizeof *jobs);
            if (jobs == NULL)
                return HS_EXIT_FAILURE;
        }
        if (g_stop)
            break;
    }
    if (g_stop)
        hs_log_write(app->log, HS_LOG_INFO, NULL, "stopped by a signal; every committed "
                     "checkpoint is in place");
out:
    hs_notify_finish();
    free(jobs);
    return rc;
}
