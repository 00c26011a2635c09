/* The schedule and the worker pool (see schedule.h). */
#define _DEFAULT_SOURCE

#include "schedule.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "connection.h"
#include "cycle.h"
#include "discovery.h"
#include "listener.h"
#include "lock.h"
#include "metrics.h"
#include "notify.h"
#include "pipeline.h"
#include "state.h"
#include "status.h"
#include "webhook.h"

static volatile sig_atomic_t g_stop;
static volatile sig_atomic_t g_reload;
/* The daemon's snapshot for its listener; NULL without one (and with --once). */
static hs_metrics *g_metrics;

/* A webhook's doorbell reads a pipeline's interviews at most this often. */
#define DOORBELL_MIN_GAP_MS 10000

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

/* ---- clocks ------------------------------------------------------------------------------ */

#ifdef HS_TEST_HOOKS
/* Test builds only: HIRESYNC_FAKE_NOW_FILE names a file holding "<wall s> [<monotonic s>]",
 * read again at every call so that a test can move either clock while the daemon runs;
 * HIRESYNC_FAKE_NOW holds a fixed wall clock (seconds). Returns 1 when *out was set. */
static int fake_clock(int monotonic, int64_t *out)
{
    const char *file = getenv("HIRESYNC_FAKE_NOW_FILE");
    const char *fixed = getenv("HIRESYNC_FAKE_NOW");
    if (file != NULL && *file != '\0') {
        long long wall = 0, mono = 0;
        int n = 0;
        FILE *f = fopen(file, "r");
        if (f != NULL) {
            n = fscanf(f, "%lld %lld", &wall, &mono);
            (void)fclose(f);
        }
        if (n >= 1 && !monotonic) {
            *out = (int64_t)wall * 1000;
            return 1;
        }
        if (n >= 2 && monotonic) {
            *out = (int64_t)mono * 1000;
            return 1;
        }
        return 0;
    }
    if (!monotonic && fixed != NULL && *fixed != '\0') {
        *out = (int64_t)strtoll(fixed, NULL, 10) * 1000;
        return 1;
    }
    return 0;
}
#endif

static int64_t read_clock(clockid_t id)
{
    struct timespec ts;
    int64_t v;
#ifdef HS_TEST_HOOKS
    if (fake_clock(id == CLOCK_MONOTONIC, &v))
        return v;
#endif
    if (clock_gettime(id, &ts) != 0)
        return 0;
    v = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    return v;
}

int64_t hs_schedule_now_ms(void)
{
    return read_clock(CLOCK_REALTIME);
}

int64_t hs_schedule_mono_ms(void)
{
    return read_clock(CLOCK_MONOTONIC);
}

/* Sleeps until the monotonic clock reaches `until` or a signal arrives, in steps of at most
 * a second so that the flags are seen. */
static void nap_until(int64_t until)
{
    while (!g_stop && !g_reload) {
        int64_t now = hs_schedule_mono_ms(), left = until - now;
        struct timespec ts;
        hs_notify_heartbeat();
        hs_metrics_heartbeat(g_metrics, now);
        if (left <= 0 || hs_metrics_doorbell_wake(g_metrics, DOORBELL_MIN_GAP_MS) <= now)
            return;
#ifdef HS_TEST_HOOKS
        if (getenv("HIRESYNC_FAKE_NOW_FILE") != NULL)
            left = 20; /* the test moves the clock: look again soon */
#endif
        if (left > (g_metrics != NULL ? 100 : 1000)) /* a doorbell is answered within 0.1 s */
            left = g_metrics != NULL ? 100 : 1000;
        ts.tv_sec = (time_t)(left / 1000);
        ts.tv_nsec = (long)(left % 1000) * 1000000L;
        (void)nanosleep(&ts, NULL);
    }
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
    hs_metrics_heartbeat(g_metrics, hs_schedule_mono_ms());
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
    size_t n = strlen(prefix);
    /* Cut the connector's message, never the prefix that says what failed. */
    if (n >= sizeof r->error)
        n = sizeof r->error - 1;
    memcpy(r->error, prefix, n);
    snprintf(r->error + n, sizeof r->error - n, "%.*s", (int)(sizeof r->error - n - 1), msg);
}

static int64_t ats_skew_cb(void *ctx)
{
    int64_t skew = 0;
    return hs_connection_clock_skew(ctx, &skew, NULL) ? skew : 0;
}

/* Adds the clock skew last measured on a connection as clock_skew[name]. */
static void put_skew(json_object *dst, const char *name, const hs_connection *conn)
{
    int64_t skew = 0, at = 0;
    json_object *o;
    if (conn == NULL || hs_connection_clock_skew(conn, &skew, &at) != 1 ||
        json_object_object_get_ex(dst, name, NULL) || (o = json_object_new_object()) == NULL)
        return;
    json_object_object_add(o, "skew_ms", json_object_new_int64(skew));
    json_object_object_add(o, "measured_ms", json_object_new_int64(at));
    json_object_object_add(dst, name, o);
}

/* One pipeline's run: what the pool hands a worker, and what the worker reports back. */
typedef struct job {
    const char *name;            /* borrowed from the config */
    json_object *cfg;            /* borrowed */
    hs_cycle_result result;
    int skipped;                 /* locked by another runner */
    int64_t wall_start;          /* both clocks at the start, so that the daemon can turn */
    int64_t mono_start;          /* next_due_ms into a monotonic time */
    int64_t next_due_ms;         /* the due time the schedule computed after the cycle */
    int doorbell;                /* an interviews-side read rung by a webhook: the status
                                    record and the plan are left to the full cycles */
} job;

/* Records the cycle's outcome and sets j->next_due_ms. */
static void record(hs_app *app, job *j, const hs_pipeline *p, const hs_connection *ats,
                   const hs_connection *iv, int write)
{
    hs_cycle_result *r = &j->result;
    hs_status_cycle sc;
    json_object *skew = json_object_new_object();
    memset(&sc, 0, sizeof sc);
    sc.result = r;
    sc.interval_s = p != NULL ? p->interval_s : 3 * 3600;
    if (skew != NULL && p != NULL) {
        put_skew(skew, p->ats, ats);
        put_skew(skew, p->interviews, iv);
    }
    sc.clock_skew = skew;
    if (r->duration_ms == 0)
        r->duration_ms = hs_schedule_now_ms() - r->started_ms;
    if (write) {
        char msg[HS_STATE_ERR_MAX];
        if (hs_status_write(app->config->state_dir, j->name, &sc, msg, sizeof msg) != 0)
            hs_log_write(app->log, HS_LOG_WARN, j->name, "cannot record the status: %s", msg);
        j->next_due_ms = sc.next_due_ms;
    } else {
        j->next_due_ms = r->started_ms + hs_status_backoff_ms(r->status, 1, sc.interval_s);
    }
    json_object_put(skew);
}

/* Runs one cycle of one pipeline; fills j. */
static void run_pipeline(hs_app *app, job *j, const hs_run_options *opt)
{
    const char *dir = app->config->state_dir, *name = j->name;
    hs_cycle_result *r = &j->result;
    hs_pipeline *p = NULL;
    hs_state *state = NULL;
    hs_connection *ats = NULL, *iv = NULL;
    stores st = {0};
    hs_cycle_params cp;
    hs_host_error err;
    char msg[HS_STATE_ERR_MAX];
    int busy = 0, lock = -1, ran = 0;
    hs_status ost;
    memset(r, 0, sizeof *r);
    j->skipped = 0;
    if (!j->doorbell) /* running: not overdue while it runs, however long */
        hs_metrics_set_due(g_metrics, name, 0);
    j->mono_start = hs_schedule_mono_ms();
    j->wall_start = r->started_ms = hs_schedule_now_ms();
    hs_host_error_init(&err);
    if (hs_pipeline_parse(name, j->cfg, &p, msg, sizeof msg) != 0) {
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
            j->skipped = 1;
            goto out;
        }
        fail(r, HS_E_INTERNAL, "", msg);
        goto out;
    }
    /* a dry run leaves no trace, not even a start that never gets its outcome recorded */
    if (!opt->dry_run && !j->doorbell && hs_lock_note_start(lock, r->started_ms) != 0)
        hs_log_write(app->log, HS_LOG_WARN, name, "cannot note the cycle's start in its lock "
                     "file (%s/%s.lock): %s", dir, name, strerror(errno));
    if (hs_state_load(dir, name, &state, msg, sizeof msg) != 0) {
        fail(r, HS_E_CONFIG, "", msg);
        goto out;
    }
    ost = open_side(app, name, p->ats, stored(state->body, "ats"), &ats, &err.e);
    if (ost == HS_OK)
        ost = open_side(app, name, p->interviews, stored(state->body, "interviews"), &iv, &err.e);
    if (ost != HS_OK) {
        fail(r, ost, "cannot open a connection: ", err.message);
        r->retry_after_s = err.e.retry_after_s > 0 ? err.e.retry_after_s : 0;
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
    cp.interviews_only = j->doorbell;
    cp.discovery = hs_discovery_process();
    cp.discovery_ttl_ms = app->config->discovery_ttl_s * 1000;
    if (j->doorbell)
        hs_log_write(app->log, HS_LOG_INFO, name, "a webhook rang: reading the interviews now");
    (void)hs_cycle_run(&cp, r);
    ran = 1;
    if (opt->dry_run)
        fprintf(app->out, "%s: dry run, nothing written: %ld would be invited, %ld result "
                "note(s) would be written, %ld cannot be invited\n", name,
                r->counts.invited, r->counts.notes, r->counts.not_invited);
out:
    if (r->result == NULL)
        r->result = r->status == HS_OK ? "ok" : "failed";
    if (!ran && !j->skipped && r->status != HS_OK) /* a cycle logs its own summary */
        hs_log_write(app->log, HS_LOG_ERROR, name, "cycle failed: %s", r->error);
    if (!j->skipped)
        record(app, j, p, ats, iv, !opt->dry_run && lock >= 0 && !j->doorbell);
    if (!j->skipped && !opt->dry_run) {
        /* the connections first: a reader that sees the cycle counted sees its requests */
        hs_metrics_observe_connection(g_metrics, ats);
        hs_metrics_observe_connection(g_metrics, iv);
        hs_metrics_cycle_done(g_metrics, name, r, j->doorbell, state ? state->body : NULL);
    }
    hs_connection_close(ats);
    hs_connection_close(iv);
    hs_state_free(state);
    hs_lock_release(lock);
    hs_pipeline_free(p);
}

/* ---- the pool ------------------------------------------------------------------------------ */

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
        run_pipeline(pl->app, &pl->jobs[i], pl->opt);
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

static void pipeline_flags(json_object *cfg, int *enabled, int64_t *interval_s)
{
    hs_pipeline *p = NULL;
    char msg[256];
    *enabled = 1;
    *interval_s = 3 * 3600;
    if (hs_pipeline_parse("x", cfg, &p, msg, sizeof msg) != 0)
        return; /* due as usual: running it reports what is wrong */
    *enabled = p->enabled;
    *interval_s = p->interval_s;
    hs_pipeline_free(p);
}

/* The daemon's plan for one pipeline: its due time on the monotonic clock, so that a wall
 * clock that jumps (NTP, a VM resumed, an operator) neither fires every pipeline nor stalls
 * them. It is derived from the status record once (at start, or when another runner wrote
 * the record) and from then on from the cycles this process runs. */
typedef struct plan {
    char *name;
    int64_t due_mono;
    int64_t seen_start;          /* the record's last start and next due it was derived */
    int64_t seen_due;            /* from, or saw after our own cycle */
    /* The status file as it was when last read (stat before the read, so that a write in
     * between is seen as a change next time): a tick whose file is unchanged reads nothing. */
    int file_known;
    dev_t file_dev;
    ino_t file_ino;
    off_t file_size;
    struct timespec file_mtime;
    /* The configuration's enabled and interval, parsed once per configuration loaded. */
    int flags_known;
    int enabled;
    int64_t interval_s;
} plan;

typedef struct plans {
    plan *v;
    size_t n, cap;
    size_t hint;                 /* where plan_of looks first */
} plans;

/* After a reload: the flags come from the new configuration. */
static void plans_forget_flags(plans *ps)
{
    for (size_t i = 0; i < ps->n; i++)
        ps->v[i].flags_known = 0;
}

static void plans_free(plans *ps)
{
    for (size_t i = 0; i < ps->n; i++)
        free(ps->v[i].name);
    free(ps->v);
    memset(ps, 0, sizeof *ps);
}

/* The plan of a pipeline, a new one (seen_start = -2: not derived yet) when absent; NULL when
 * out of memory. */
static plan *plan_of(plans *ps, const char *name)
{
    plan *pl;
    /* The pipelines come in the configuration's order, so the one after the last found is
     * nearly always the next asked for: a tick over a thousand pipelines stays linear. */
    for (size_t k = 0; k < 2; k++)
        if (ps->hint + k < ps->n && strcmp(ps->v[ps->hint + k].name, name) == 0) {
            ps->hint += k;
            return &ps->v[ps->hint];
        }
    for (size_t i = 0; i < ps->n; i++)
        if (strcmp(ps->v[i].name, name) == 0) {
            ps->hint = i;
            return &ps->v[i];
        }
    if (ps->n == ps->cap) {
        size_t cap = ps->cap ? ps->cap * 2 : 16;
        plan *v = realloc(ps->v, cap * sizeof *v);
        if (v == NULL)
            return NULL;
        ps->v = v;
        ps->cap = cap;
    }
    pl = &ps->v[ps->n];
    memset(pl, 0, sizeof *pl);
    if ((pl->name = strdup(name)) == NULL)
        return NULL;
    pl->seen_start = -2;
    ps->hint = ps->n++;
    return pl;
}

/* ---- the status records as the daemon sees them ------------------------------------------- */

/* Test builds only: HIRESYNC_TRACE_STATUS_READS names a file to which every status record the
 * daemon's schedule reads appends its pipeline's name, so that a test can tell that a tick
 * leaves unchanged records unread. */
static json_object *read_record(const char *dir, const char *name)
{
#ifdef HS_TEST_HOOKS
    const char *trace = getenv("HIRESYNC_TRACE_STATUS_READS");
    FILE *f;
    if (trace != NULL && *trace != '\0' && (f = fopen(trace, "a")) != NULL) {
        fprintf(f, "%s\n", name);
        (void)fclose(f);
    }
#endif
    return hs_status_read(dir, name);
}

/* Notes the identity of a pipeline's status file (absent: all zero). Returns 1 when it is
 * the one the plan last read, 0 when it changed (and the plan now holds the new identity). */
static int record_unchanged(plan *pl, const char *dir, const char *name)
{
    char path[4096];
    struct stat st;
    int same;
    memset(&st, 0, sizeof st);
    if (snprintf(path, sizeof path, "%s/%s.status", dir, name) >= (int)sizeof path ||
        stat(path, &st) != 0)
        memset(&st, 0, sizeof st);
    same = pl->file_known && pl->file_dev == st.st_dev && pl->file_ino == st.st_ino &&
           pl->file_size == st.st_size && pl->file_mtime.tv_sec == st.st_mtim.tv_sec &&
           pl->file_mtime.tv_nsec == st.st_mtim.tv_nsec;
    pl->file_known = 1;
    pl->file_dev = st.st_dev;
    pl->file_ino = st.st_ino;
    pl->file_size = st.st_size;
    pl->file_mtime = st.st_mtim;
    return same;
}

static int last_ok(json_object *rec)
{
    json_object *last, *v;
    return json_object_object_get_ex(rec, "last", &last) &&
           json_object_object_get_ex(last, "status", &v) && json_object_get_int(v) == HS_OK;
}

/* Turns a recorded wall-clock due time into a monotonic one. A due time further away than
 * the pipeline can ever wait was computed by a clock that has gone back since: due at once. */
static void derive(plan *pl, const char *dir, const char *name, json_object *rec,
                   int64_t interval_s)
{
    int64_t wall = hs_schedule_now_ms(), mono = hs_schedule_mono_ms(), due, left, limit;
    pl->seen_start = hs_status_last_start(rec);
    pl->seen_due = hs_status_next_due(name, rec, interval_s);
    pl->due_mono = mono;
    if (rec == NULL || hs_status_interrupted(dir, name, rec))
        return;
    due = pl->seen_due;
    limit = interval_s * 1000;
    if (hs_status_retry_at(rec) >= due && limit < HS_STATUS_RETRY_MAX_MS)
        limit = HS_STATUS_RETRY_MAX_MS;
    left = due - wall;
    if (left <= 0 || left > limit)
        return;
    pl->due_mono = mono + left + (last_ok(rec) ? hs_status_spread_ms(name, interval_s) : 0);
}

/* Updates a plan from a cycle this process ran. */
static void plan_after(plan *pl, const job *j, const char *dir, int64_t interval_s)
{
    json_object *rec;
    (void)record_unchanged(pl, dir, j->name);
    rec = read_record(dir, j->name);
    pl->seen_start = hs_status_last_start(rec);
    pl->seen_due = hs_status_next_due(j->name, rec, interval_s);
    json_object_put(rec);
    if (j->skipped) { /* another runner has it: look again in a minute */
        pl->due_mono = hs_schedule_mono_ms() + 60000;
        return;
    }
    pl->due_mono = j->mono_start + (j->next_due_ms - j->wall_start);
    if (j->result.status == HS_OK)
        pl->due_mono += hs_status_spread_ms(j->name, interval_s);
}

/* Whether a pipeline runs now; *wake gets its next monotonic due time when not. */
static int is_due(hs_app *app, const hs_run_options *opt, plans *ps, const char *name,
                  int64_t interval_s, int64_t *wake)
{
    const char *dir = app->config->state_dir;
    json_object *rec;
    plan *pl;
    if (opt->once) {
        int due;
        rec = hs_status_read(dir, name);
        due = opt->force || hs_status_interrupted(dir, name, rec) ||
              hs_status_due_within_grace(name, rec, hs_schedule_now_ms(), interval_s);
        json_object_put(rec);
        return due;
    }
    pl = plan_of(ps, name);
    if (pl == NULL)
        return 1;
    /* Only a record written since the last look (by another runner: this one's own cycles
     * update the plan in plan_after) can change the plan. */
    if (!record_unchanged(pl, dir, name)) {
        rec = read_record(dir, name);
        if (pl->seen_start != hs_status_last_start(rec) ||
            pl->seen_due != hs_status_next_due(name, rec, interval_s))
            derive(pl, dir, name, rec, interval_s);
        json_object_put(rec);
    }
    hs_metrics_set_due(g_metrics, name, pl->due_mono);
    if (opt->force || hs_schedule_mono_ms() >= pl->due_mono)
        return 1;
    *wake = pl->due_mono;
    return 0;
}

/* The shard this runner takes: --shard, else the configuration's (read again after a
 * reload), else all. The configuration's was checked when it was loaded. */
static hs_shard effective_shard(const hs_app *app, const hs_run_options *opt)
{
    hs_shard shard = opt->shard;
    char why[256];
    if (shard.count == 0 && app->config->shard != NULL &&
        hs_shard_parse(app->config->shard, &shard, why, sizeof why) != 0)
        memset(&shard, 0, sizeof shard);
    return shard;
}

/* Says which pipelines this runner's shard holds, so that an operator of many pods can tell
 * from any one log which tenants it serves. Returns 0, or -1 when --pipeline names a pipeline
 * of another shard. */
static int announce_shard(hs_app *app, const hs_run_options *opt)
{
    hs_shard shard = effective_shard(app, opt);
    size_t mine = 0, all = 0;
    if (shard.count == 0)
        return 0;
    json_object_object_foreach(app->config->pipelines, name, cfg) {
        (void)cfg;
        all++;
        mine += (size_t)hs_shard_has(&shard, name);
    }
    if (opt->pipeline != NULL && !hs_shard_has(&shard, opt->pipeline)) {
        fprintf(stderr, "%s run: pipeline \"%s\" belongs to shard %u/%u, not to this runner's "
                "shard %u/%u; run it there or drop --shard\n", app->program, opt->pipeline,
                (unsigned)hs_shard_of(opt->pipeline, shard.count), (unsigned)shard.count,
                (unsigned)shard.index, (unsigned)shard.count);
        return -1;
    }
    hs_log_write(app->log, HS_LOG_INFO, NULL, "shard %u/%u: %zu of %zu pipelines",
                 (unsigned)shard.index, (unsigned)shard.count, mine, all);
    return 0;
}

/* pipeline_flags, parsed once per configuration in the daemon (ps not NULL). */
static void flags_of(plans *ps, const char *name, json_object *cfg, int *enabled,
                     int64_t *interval_s)
{
    plan *pl = ps != NULL ? plan_of(ps, name) : NULL;
    if (pl == NULL) {
        pipeline_flags(cfg, enabled, interval_s);
        return;
    }
    if (!pl->flags_known) {
        pipeline_flags(cfg, &pl->enabled, &pl->interval_s);
        pl->flags_known = 1;
    }
    *enabled = pl->enabled;
    *interval_s = pl->interval_s;
}

/* Collects the pipelines to run now; *wake gets the earliest monotonic due time of the rest
 * (INT64_MAX when none). */
static size_t collect(hs_app *app, const hs_run_options *opt, plans *ps, job *jobs, size_t max,
                      int64_t *wake)
{
    size_t n = 0;
    hs_shard shard = effective_shard(app, opt);
    *wake = INT64_MAX;
    json_object_object_foreach(app->config->pipelines, name, cfg) {
        int enabled = 1;
        int64_t interval = 0, when = INT64_MAX;
        if (opt->pipeline != NULL && strcmp(opt->pipeline, name) != 0)
            continue;
        if (!hs_shard_has(&shard, name))
            continue;
        flags_of(ps, name, cfg, &enabled, &interval);
        if (!enabled && opt->pipeline == NULL)
            continue;
        if (!is_due(app, opt, ps, name, interval, &when)) {
            if (when < *wake)
                *wake = when;
            if (opt->once)
                hs_log_write(app->log, HS_LOG_INFO, name, "not due yet; skipped (use --force "
                             "to run it now)");
            continue;
        }
        if (!opt->once) { /* still due (at once): look again soon */
            int64_t now = hs_schedule_mono_ms();
            if (now < *wake)
                *wake = now;
        }
        if (n < max) {
            memset(&jobs[n], 0, sizeof jobs[n]);
            jobs[n].name = name;
            jobs[n].cfg = cfg;
            n++;
        }
    }
    return n;
}

/* After a round of the daemon: the plans of what ran, and the failures said once more with
 * what happens next, since the daemon goes on. */
static void after_round(hs_app *app, plans *ps, const job *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const job *j = &jobs[i];
        int enabled;
        int64_t interval;
        plan *pl;
        if (j->doorbell)
            continue;
        flags_of(ps, j->name, j->cfg, &enabled, &interval);
        pl = plan_of(ps, j->name);
        if (pl != NULL)
            plan_after(pl, j, app->config->state_dir, interval);
        if (!j->skipped && j->result.status != HS_OK && j->result.status != HS_E_CANCELLED) {
            char in[32];
            hs_status_format_age(j->next_due_ms - j->wall_start, in, sizeof in);
            hs_log_write(app->log, HS_LOG_WARN, j->name, "the other pipelines go on; this "
                         "one is tried again in %s", in);
        }
    }
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
        hs_app_log_reload(app, 0);
        if (app->config != NULL)
            hs_config_free(app->config);
        app->config = old;
        return;
    }
    hs_config_free(old);
    hs_discovery_forget(hs_discovery_process(), NULL); /* mappings may name new jobs */
    (void)hs_app_load_modules(app);
    hs_app_log_reload(app, 1);
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

static job *new_jobs(const hs_app *app, size_t *max)
{
    *max = (size_t)json_object_object_length(app->config->pipelines) + 1;
    return calloc(*max, sizeof(job));
}

/* ---- the listener and doorbells ------------------------------------------------------------ */

/* Tells the snapshot which pipelines there are and their doorbell tokens (made on first use). */
static void listener_configure(hs_app *app)
{
    char token[HS_WEBHOOK_TOKEN_LEN + 1], why[512];
    if (g_metrics == NULL)
        return;
    hs_metrics_configure(g_metrics, app->config);
    json_object_object_foreach(app->config->pipelines, name, cfg) {
        (void)cfg;
        if (hs_webhook_token(app->config->state_dir, name, 1, token, why, sizeof why) == 0)
            hs_metrics_set_token(g_metrics, name, token);
        else
            hs_log_write(app->log, HS_LOG_WARN, name, "webhooks are off for this pipeline: %s",
                         why);
        hs_webhook_wipe(token, sizeof token);
    }
}

/* Starts the listener when --listen or "listen" asks for one. Returns 0 (*out NULL when
 * none is asked for), or -1 having said why. */
static int listener_start(hs_app *app, const hs_run_options *opt, hs_listener **out)
{
    const char *address = opt->listen != NULL ? opt->listen : app->config->listen;
    hs_listener_clocks clocks = {hs_schedule_now_ms, hs_schedule_mono_ms};
    char why[512];
    *out = NULL;
    if (address == NULL)
        return 0;
    if ((g_metrics = hs_metrics_new()) == NULL) {
        hs_log_write(app->log, HS_LOG_ERROR, NULL, "out of memory");
        return -1;
    }
    hs_metrics_heartbeat(g_metrics, hs_schedule_mono_ms());
    listener_configure(app);
    if ((*out = hs_listener_start(address, g_metrics, &clocks, why, sizeof why)) == NULL) {
        hs_log_write(app->log, HS_LOG_ERROR, NULL, "%s", why);
        hs_metrics_free(g_metrics);
        g_metrics = NULL;
        return -1;
    }
    hs_log_write(app->log, HS_LOG_INFO, NULL, "listening on %s: /metrics, /healthz, /readyz, "
                 "and webhooks on " HS_WEBHOOK_PATH_PREFIX "<pipeline>/<token>", address);
    return 0;
}

static void listener_stop(hs_listener *listener)
{
    hs_listener_stop(listener);
    hs_metrics_free(g_metrics);
    g_metrics = NULL;
}

static int in_round(const job *jobs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(jobs[i].name, name) == 0)
            return 1;
    return 0;
}

/* Adds an interviews-side read for each pipeline whose doorbell rang, at most one per
 * DOORBELL_MIN_GAP_MS; a pipeline whose full cycle is in this round reads its interviews
 * anyway, which answers its doorbell. Returns the new number of jobs. */
static size_t add_doorbells(hs_app *app, const hs_run_options *opt, job *jobs, size_t n,
                            size_t max)
{
    hs_shard shard = effective_shard(app, opt);
    int64_t now = hs_schedule_mono_ms();
    if (g_metrics == NULL)
        return n;
    json_object_object_foreach(app->config->pipelines, name, cfg) {
        int enabled;
        int64_t interval;
        pipeline_flags(cfg, &enabled, &interval);
        /* a pipeline this runner never reads, or reads in this round anyway: the doorbell is
         * answered (and must not stay pending, or the daemon would wake for it forever) */
        if ((opt->pipeline != NULL && strcmp(opt->pipeline, name) != 0) ||
            !hs_shard_has(&shard, name) || !enabled || in_round(jobs, n, name) || n >= max) {
            (void)hs_metrics_doorbell_take(g_metrics, name, now, 0);
            continue;
        }
        if (!hs_metrics_doorbell_take(g_metrics, name, now, DOORBELL_MIN_GAP_MS))
            continue;
        memset(&jobs[n], 0, sizeof jobs[n]);
        jobs[n].name = name;
        jobs[n].cfg = cfg;
        jobs[n].doorbell = 1;
        n++;
    }
    return n;
}

/* The daemon: rounds until a signal. A pipeline's failure stays in that pipeline (recorded
 * with its fix, retried with back-off); only a signal ends it. */
static int daemon_loop(hs_app *app, const hs_run_options *opt)
{
    hs_run_options o = *opt;
    plans ps = {0};
    size_t max;
    job *jobs = new_jobs(app, &max);
    int rc = HS_EXIT_OK;
    hs_listener *listener = NULL;
    if (jobs == NULL)
        return HS_EXIT_FAILURE;
    if (listener_start(app, opt, &listener) != 0) {
        free(jobs);
        return HS_EXIT_USAGE;
    }
    hs_app_log_startup(app, listener ? (opt->listen ? opt->listen : app->config->listen) : NULL);
    for (;;) {
        int64_t wake;
        size_t n = collect(app, &o, &ps, jobs, max, &wake);
        n = add_doorbells(app, &o, jobs, n, max);
        o.force = 0; /* --force runs the first round only */
        run_pool(app, &o, jobs, n);
        after_round(app, &ps, jobs, n);
        if (g_stop)
            break;
        if (n > 0)
            (void)collect(app, &o, &ps, jobs, 0, &wake);
        hs_notify_status("waiting for the next due pipeline");
        hs_notify_heartbeat();
        /* one that is due again at once waits a second, so that nothing can spin */
        if (wake - hs_schedule_mono_ms() < 1000)
            (void)nanosleep(&(struct timespec){1, 0}, NULL);
        else
            nap_until(wake);
        if (g_reload) {
            g_reload = 0;
            reload(app);
            plans_forget_flags(&ps);
            listener_configure(app);
            free(jobs);
            if ((jobs = new_jobs(app, &max)) == NULL) {
                rc = HS_EXIT_FAILURE;
                break;
            }
        }
        if (g_stop)
            break;
    }
    if (g_stop)
        hs_log_write(app->log, HS_LOG_INFO, NULL, "stopped by a signal; every committed "
                     "checkpoint is in place");
    hs_notify_finish();
    listener_stop(listener);
    plans_free(&ps);
    free(jobs);
    return rc;
}

int hs_schedule_run(hs_app *app, const hs_run_options *opt)
{
    size_t max, n;
    job *jobs;
    int64_t wake;
    int rc;
    if (opt->pipeline != NULL &&
        !json_object_object_get_ex(app->config->pipelines, opt->pipeline, NULL)) {
        fprintf(stderr, "%s run: no pipeline named \"%s\" in %s\n", app->program, opt->pipeline,
                app->config_path);
        return HS_EXIT_USAGE;
    }
    if (announce_shard(app, opt) != 0)
        return HS_EXIT_USAGE;
    g_stop = 0;
    g_reload = 0;
    install_signals();
    if (!opt->once)
        hs_notify_start();
    if (json_object_object_length(app->config->pipelines) == 0)
        hs_log_write(app->log, HS_LOG_WARN, NULL, "%s has no pipelines; nothing to run",
                     app->config_path);
    if (!opt->once)
        return daemon_loop(app, opt);
    if ((jobs = new_jobs(app, &max)) == NULL)
        return HS_EXIT_FAILURE;
    n = collect(app, opt, NULL, jobs, max, &wake);
    run_pool(app, opt, jobs, n);
    rc = round_exit(jobs, n);
    if (g_stop)
        hs_log_write(app->log, HS_LOG_INFO, NULL, "stopped by a signal; every committed "
                     "checkpoint is in place");
    free(jobs);
    return rc;
}
