/* The daemon's snapshot of itself, and what the listener renders from it (see metrics.h). */
#define _DEFAULT_SOURCE

#include "metrics.h"

#include <dirent.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "status.h"
#include "webhook.h"

#define NAME_MAX_LEN 128
#define N_RESULTS 4
#define N_CLASSES 10             /* hs_status 0..8, and "record" */
#define CLASS_RECORD 9

static const char *const RESULTS[N_RESULTS] = {"ok", "warning", "failed", "cancelled"};
static const char *const CLASSES[N_CLASSES] = {"ok", "transient", "config", "permission", "data",
                                               "unsupported", "internal", "cancelled",
                                               "conflict", "record"};
static const char *const REJECTS[HS_REJECT_N] = {"not_found", "too_large", "method"};
/* Cycle durations (seconds): a quiet cycle takes a second, a first sync of a large tenant
 * an hour. */
static const double BUCKETS[] = {0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600};
#define N_BUCKETS (sizeof BUCKETS / sizeof BUCKETS[0])

typedef struct pipe_m {
    char name[NAME_MAX_LEN];
    int enabled;
    int64_t interval_s;
    uint64_t cycles[N_RESULTS];
    uint64_t invited, adopted, not_invited, notes, doorbell_reads;
    uint64_t errors[N_CLASSES];
    uint64_t buckets[N_BUCKETS];
    uint64_t dur_count;
    double dur_sum;
    int64_t last_success_ms;     /* wall; 0: none in this process */
    int last_failed;             /* the last full cycle failed */
    char last_error[160];
    int64_t cursor_ms[2];        /* ats, interviews: committed at (wall); 0: unknown */
    int64_t due_mono;            /* 0: not planned yet */
    char token[HS_WEBHOOK_TOKEN_LEN + 1];   /* "" when none */
    int pending;
    int64_t last_ring_read;      /* monotonic start of the last doorbell read; 0: none */
    uint64_t scheduled, coalesced;
} pipe_m;

typedef struct conn_m {
    char name[NAME_MAX_LEN];
    int have_skew;
    int64_t skew_ms;
    int have_calls;
    int64_t calls;
    int64_t budget;              /* 0: none */
    int64_t quota_until_ms;      /* wall; 0: none */
    uint64_t requests[HS_REQUEST_CLASSES];
} conn_m;

struct hs_metrics {
    pthread_mutex_t mu;
    pipe_m *pipes;
    size_t n_pipes, cap_pipes;
    conn_m *conns;
    size_t n_conns, cap_conns;
    int configured;
    int64_t heartbeat_mono;
    uint64_t rejected[HS_REJECT_N];
};

hs_metrics *hs_metrics_new(void)
{
    hs_metrics *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    if (pthread_mutex_init(&m->mu, NULL) != 0) {
        free(m);
        return NULL;
    }
    return m;
}

void hs_metrics_free(hs_metrics *m)
{
    if (m == NULL)
        return;
    pthread_mutex_destroy(&m->mu);
    hs_webhook_wipe(m->pipes, m->cap_pipes * sizeof *m->pipes);
    free(m->pipes);
    free(m->conns);
    free(m);
}

/* ---- lookups (under the mutex) --------------------------------------------------------------- */

static pipe_m *find_pipe(hs_metrics *m, const char *name)
{
    for (size_t i = 0; i < m->n_pipes; i++)
        if (strcmp(m->pipes[i].name, name) == 0)
            return &m->pipes[i];
    return NULL;
}

static pipe_m *add_pipe(hs_metrics *m, const char *name)
{
    pipe_m *p = find_pipe(m, name);
    if (p != NULL || strlen(name) >= NAME_MAX_LEN)
        return p;
    if (m->n_pipes == m->cap_pipes) {
        size_t cap = m->cap_pipes ? m->cap_pipes * 2 : 8;
        pipe_m *v = calloc(cap, sizeof *v);
        if (v == NULL)
            return NULL;
        if (m->n_pipes > 0)
            memcpy(v, m->pipes, m->n_pipes * sizeof *v);
        hs_webhook_wipe(m->pipes, m->cap_pipes * sizeof *m->pipes); /* tokens */
        free(m->pipes);
        m->pipes = v;
        m->cap_pipes = cap;
    }
    p = &m->pipes[m->n_pipes++];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->enabled = 1;
    return p;
}

static conn_m *add_conn(hs_metrics *m, const char *name)
{
    conn_m *c;
    for (size_t i = 0; i < m->n_conns; i++)
        if (strcmp(m->conns[i].name, name) == 0)
            return &m->conns[i];
    if (strlen(name) >= NAME_MAX_LEN)
        return NULL;
    if (m->n_conns == m->cap_conns) {
        size_t cap = m->cap_conns ? m->cap_conns * 2 : 8;
        conn_m *v = realloc(m->conns, cap * sizeof *v);
        if (v == NULL)
            return NULL;
        m->conns = v;
        m->cap_conns = cap;
    }
    c = &m->conns[m->n_conns++];
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "%s", name);
    return c;
}

/* ---- the scheduler's side -------------------------------------------------------------------- */

void hs_metrics_heartbeat(hs_metrics *m, int64_t mono_ms)
{
    if (m == NULL)
        return;
    pthread_mutex_lock(&m->mu);
    m->heartbeat_mono = mono_ms;
    pthread_mutex_unlock(&m->mu);
}

static void pipeline_settings(json_object *cfg, int *enabled, int64_t *interval_s)
{
    json_object *v;
    *enabled = 1;
    *interval_s = HS_CONFIG_DEFAULT_INTERVAL_S;
    if (json_object_object_get_ex(cfg, "enabled", &v))
        *enabled = json_object_get_boolean(v);
    if (json_object_object_get_ex(cfg, "interval", &v) &&
        hs_config_interval_parse(json_object_get_string(v), interval_s) != 0)
        *interval_s = HS_CONFIG_DEFAULT_INTERVAL_S;
}

void hs_metrics_configure(hs_metrics *m, const hs_config *config)
{
    size_t kept = 0;
    if (m == NULL || config == NULL)
        return;
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->n_pipes; i++) { /* drop what the configuration no longer has */
        if (!json_object_object_get_ex(config->pipelines, m->pipes[i].name, NULL)) {
            hs_webhook_wipe(m->pipes[i].token, sizeof m->pipes[i].token);
            continue;
        }
        if (kept != i)
            m->pipes[kept] = m->pipes[i];
        kept++;
    }
    hs_webhook_wipe(m->pipes + kept, (m->n_pipes - kept) * sizeof *m->pipes); /* moved copies */
    m->n_pipes = kept;
    json_object_object_foreach(config->pipelines, name, cfg) {
        pipe_m *p = add_pipe(m, name);
        if (p != NULL)
            pipeline_settings(cfg, &p->enabled, &p->interval_s);
    }
    m->configured = 1;
    pthread_mutex_unlock(&m->mu);
}

void hs_metrics_set_token(hs_metrics *m, const char *pipeline, const char *token)
{
    pipe_m *p;
    if (m == NULL)
        return;
    pthread_mutex_lock(&m->mu);
    if ((p = find_pipe(m, pipeline)) != NULL)
        snprintf(p->token, sizeof p->token, "%s", token != NULL ? token : "");
    pthread_mutex_unlock(&m->mu);
}

void hs_metrics_set_due(hs_metrics *m, const char *pipeline, int64_t due_mono_ms)
{
    pipe_m *p;
    if (m == NULL)
        return;
    pthread_mutex_lock(&m->mu);
    if ((p = find_pipe(m, pipeline)) != NULL)
        p->due_mono = due_mono_ms;
    pthread_mutex_unlock(&m->mu);
}

static int64_t committed_ms(json_object *body, const char *stream)
{
    json_object *sec, *v;
    if (body == NULL || !json_object_object_get_ex(body, stream, &sec) ||
        !json_object_object_get_ex(sec, "committed_ms", &v))
        return 0;
    return json_object_get_int64(v);
}

static void observe_duration(pipe_m *p, int64_t ms)
{
    double s = (double)ms / 1000.0;
    for (size_t i = 0; i < N_BUCKETS; i++)
        if (s <= BUCKETS[i])
            p->buckets[i]++;
    p->dur_count++;
    p->dur_sum += s;
}

static size_t result_index(const char *result)
{
    for (size_t i = 0; result != NULL && i < N_RESULTS; i++)
        if (strcmp(RESULTS[i], result) == 0)
            return i;
    return 2;
}

void hs_metrics_cycle_done(hs_metrics *m, const char *pipeline, const hs_cycle_result *r,
                           int doorbell, json_object *body)
{
    int64_t ats = committed_ms(body, "ats"), iv = committed_ms(body, "interviews");
    pipe_m *p;
    if (m == NULL)
        return;
    pthread_mutex_lock(&m->mu);
    if ((p = find_pipe(m, pipeline)) == NULL)
        goto out;
    if (!doorbell)
        p->cycles[result_index(r->result)]++;
    p->invited += (uint64_t)(r->counts.invited > 0 ? r->counts.invited : 0);
    p->adopted += (uint64_t)(r->counts.adopted > 0 ? r->counts.adopted : 0);
    p->not_invited += (uint64_t)(r->counts.not_invited > 0 ? r->counts.not_invited : 0);
    p->notes += (uint64_t)(r->counts.notes > 0 ? r->counts.notes : 0);
    p->errors[CLASS_RECORD] += (uint64_t)(r->counts.errors > 0 ? r->counts.errors : 0);
    if (r->status != HS_OK && (unsigned)r->status < CLASS_RECORD)
        p->errors[r->status]++;
    if (!doorbell)
        observe_duration(p, r->duration_ms);
    if (ats > 0)
        p->cursor_ms[0] = ats;
    if (iv > 0)
        p->cursor_ms[1] = iv;
    if (doorbell) {
        p->doorbell_reads++;
        goto out;
    }
    if (r->status == HS_OK)
        p->last_success_ms = r->started_ms + r->duration_ms;
    p->last_failed = r->status != HS_OK && r->status != HS_E_CANCELLED;
    snprintf(p->last_error, sizeof p->last_error, "%.*s", (int)sizeof p->last_error - 1,
             p->last_failed ? r->error : "");
out:
    pthread_mutex_unlock(&m->mu);
}

/* A value of the connection's store, such as "calls" = "YYYY-MM-DD N". */
static const char *store_value(json_object *store, const char *key)
{
    json_object *v;
    if (store == NULL || !json_object_object_get_ex(store, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static int64_t configured_budget(const hs_connection *connection)
{
    const hs_config_connection *cc = hs_connection_config(connection);
    json_object *cfg, *v;
    int64_t budget = 0;
    if (cc == NULL || cc->config_json == NULL || (cfg = json_tokener_parse(cc->config_json)) == NULL)
        return 0;
    if (json_object_object_get_ex(cfg, "daily_call_budget", &v) &&
        json_object_is_type(v, json_type_int))
        budget = json_object_get_int64(v);
    json_object_put(cfg);
    return budget;
}

void hs_metrics_observe_connection(hs_metrics *m, hs_connection *connection)
{
    int64_t skew = 0, budget, calls = -1, until = 0;
    uint64_t requests[HS_REQUEST_CLASSES];
    int have_skew;
    char *text;
    json_object *store = NULL;
    const char *s;
    conn_m *c;
    if (m == NULL || connection == NULL)
        return;
    have_skew = hs_connection_clock_skew(connection, &skew, NULL) == 1;
    budget = configured_budget(connection);
    hs_connection_requests(connection, requests);
    if ((text = hs_connection_store_json(connection)) != NULL) {
        store = json_tokener_parse(text);
        free(text);
    }
    if ((s = store_value(store, "calls")) != NULL && strlen(s) > 11 && s[10] == ' ')
        calls = strtoll(s + 11, NULL, 10);
    if ((s = store_value(store, "quota_stop")) != NULL)
        until = strtoll(s, NULL, 10);
    json_object_put(store);
    pthread_mutex_lock(&m->mu);
    if ((c = add_conn(m, hs_connection_name(connection))) != NULL) {
        c->have_skew = c->have_skew || have_skew;
        if (have_skew)
            c->skew_ms = skew;
        c->have_calls = calls >= 0;
        c->calls = calls;
        c->budget = budget;
        c->quota_until_ms = until;
        memcpy(c->requests, requests, sizeof c->requests);
    }
    pthread_mutex_unlock(&m->mu);
}

/* ---- doorbells ------------------------------------------------------------------------------- */

hs_doorbell_result hs_metrics_doorbell_ring(hs_metrics *m, const char *pipeline,
                                            const char *token)
{
    hs_doorbell_result res = HS_DOORBELL_REFUSED;
    pipe_m *p;
    pthread_mutex_lock(&m->mu);
    static const char dummy[HS_WEBHOOK_TOKEN_LEN + 1] =
        "0000000000000000000000000000000000000000000000000000000000000000";
    p = find_pipe(m, pipeline);
    /* Compare even when the pipeline is unknown, so that timing tells nothing about names. */
    int same = hs_webhook_token_equal(p != NULL && p->token[0] != '\0' ? p->token : dummy, token);
    if (p == NULL || p->token[0] == '\0' || !same) {
        m->rejected[HS_REJECT_NOT_FOUND]++;
    } else if (p->pending) {
        p->coalesced++;
        res = HS_DOORBELL_COALESCED;
    } else {
        p->pending = 1;
        p->scheduled++;
        res = HS_DOORBELL_SCHEDULED;
    }
    pthread_mutex_unlock(&m->mu);
    return res;
}

void hs_metrics_rejected(hs_metrics *m, hs_reject_reason reason)
{
    if (m == NULL || (unsigned)reason >= HS_REJECT_N)
        return;
    pthread_mutex_lock(&m->mu);
    m->rejected[reason]++;
    pthread_mutex_unlock(&m->mu);
}

static int64_t may_take_at(const pipe_m *p, int64_t min_gap_ms)
{
    return p->last_ring_read > 0 ? p->last_ring_read + min_gap_ms : 0;
}

int hs_metrics_doorbell_take(hs_metrics *m, const char *pipeline, int64_t now_mono_ms,
                             int64_t min_gap_ms)
{
    int taken = 0;
    pipe_m *p;
    if (m == NULL)
        return 0;
    pthread_mutex_lock(&m->mu);
    p = find_pipe(m, pipeline);
    if (p != NULL && p->pending && now_mono_ms >= may_take_at(p, min_gap_ms)) {
        p->pending = 0;
        if (min_gap_ms > 0)
            p->last_ring_read = now_mono_ms;
        taken = 1;
    }
    pthread_mutex_unlock(&m->mu);
    return taken;
}

int64_t hs_metrics_doorbell_wake(hs_metrics *m, int64_t min_gap_ms)
{
    int64_t wake = INT64_MAX;
    if (m == NULL)
        return wake;
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < m->n_pipes; i++) {
        int64_t at = may_take_at(&m->pipes[i], min_gap_ms);
        if (m->pipes[i].pending && at < wake)
            wake = at;
    }
    pthread_mutex_unlock(&m->mu);
    return wake;
}

/* ---- text -------------------------------------------------------------------------------------- */

typedef struct buf {
    char *s;
    size_t n, cap;
    int failed;
} buf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void put(buf *b, const char *fmt, ...)
{
    va_list ap;
    if (b->failed)
        return;
    for (;;) {
        size_t room = b->cap - b->n;
        int n;
        va_start(ap, fmt);
        n = vsnprintf(b->s != NULL ? b->s + b->n : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->failed = 1;
            return;
        }
        if ((size_t)n < room) {
            b->n += (size_t)n;
            return;
        }
        size_t cap = (b->cap + (size_t)n + 1) * 2;
        char *s = realloc(b->s, cap);
        if (s == NULL) {
            b->failed = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
}

static char *finish(buf *b)
{
    if (b->failed || b->s == NULL) {
        free(b->s);
        return NULL;
    }
    return b->s;
}

static void family(buf *b, const char *name, const char *type, const char *help)
{
    put(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The process's resident memory (bytes) and open descriptors, from /proc; -1 when unknown. */
static void process_figures(int64_t *rss, int64_t *fds)
{
    long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    DIR *d;
    struct dirent *e;
    *rss = -1;
    *fds = -1;
    if (f != NULL) {
        if (fscanf(f, "%ld %ld", &pages, &resident) == 2)
            *rss = (int64_t)resident * sysconf(_SC_PAGESIZE);
        (void)fclose(f);
    }
    if ((d = opendir("/proc/self/fd")) == NULL)
        return;
    *fds = 0;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            (*fds)++;
    (*fds)--; /* the directory stream's own */
    (void)closedir(d);
}

static void render_cycles(buf *b, const hs_metrics *m)
{
    family(b, "hiresync_cycles_total", "counter", "Cycles run by this process, by result.");
    for (size_t i = 0; i < m->n_pipes; i++)
        for (size_t k = 0; k < N_RESULTS; k++)
            put(b, "hiresync_cycles_total{pipeline=\"%s\",result=\"%s\"} %" PRIu64 "\n",
                m->pipes[i].name, RESULTS[k], m->pipes[i].cycles[k]);
    family(b, "hiresync_invitations_total", "counter", "Candidates handled at a trigger "
           "stage, by outcome.");
    for (size_t i = 0; i < m->n_pipes; i++) {
        const pipe_m *p = &m->pipes[i];
        put(b, "hiresync_invitations_total{pipeline=\"%s\",outcome=\"invited\"} %" PRIu64 "\n"
            "hiresync_invitations_total{pipeline=\"%s\",outcome=\"adopted\"} %" PRIu64 "\n"
            "hiresync_invitations_total{pipeline=\"%s\",outcome=\"not_invited\"} %" PRIu64 "\n",
            p->name, p->invited, p->name, p->adopted, p->name, p->not_invited);
    }
    family(b, "hiresync_notes_total", "counter", "Result notes written to the ATS.");
    for (size_t i = 0; i < m->n_pipes; i++)
        put(b, "hiresync_notes_total{pipeline=\"%s\"} %" PRIu64 "\n", m->pipes[i].name,
            m->pipes[i].notes);
    family(b, "hiresync_errors_total", "counter", "Failed cycles by class of error, and "
           "rejected records (class \"record\").");
    for (size_t i = 0; i < m->n_pipes; i++)
        for (size_t k = 1; k < N_CLASSES; k++)
            if (m->pipes[i].errors[k] > 0 || k == CLASS_RECORD)
                put(b, "hiresync_errors_total{pipeline=\"%s\",class=\"%s\"} %" PRIu64 "\n",
                    m->pipes[i].name, CLASSES[k], m->pipes[i].errors[k]);
}

static void render_times(buf *b, const hs_metrics *m, int64_t now_ms)
{
    static const char *const STREAMS[2] = {"ats", "interviews"};
    family(b, "hiresync_last_success_timestamp_seconds", "gauge", "When the last successful "
           "cycle of this process ended (Unix time).");
    for (size_t i = 0; i < m->n_pipes; i++)
        if (m->pipes[i].last_success_ms > 0)
            put(b, "hiresync_last_success_timestamp_seconds{pipeline=\"%s\"} %.3f\n",
                m->pipes[i].name, (double)m->pipes[i].last_success_ms / 1000.0);
    family(b, "hiresync_cycle_duration_seconds", "histogram", "How long cycles took.");
    for (size_t i = 0; i < m->n_pipes; i++) {
        const pipe_m *p = &m->pipes[i];
        for (size_t k = 0; k < N_BUCKETS; k++)
            put(b, "hiresync_cycle_duration_seconds_bucket{pipeline=\"%s\",le=\"%g\"} %" PRIu64
                "\n", p->name, BUCKETS[k], p->buckets[k]);
        put(b, "hiresync_cycle_duration_seconds_bucket{pipeline=\"%s\",le=\"+Inf\"} %" PRIu64
            "\nhiresync_cycle_duration_seconds_sum{pipeline=\"%s\"} %.3f\n"
            "hiresync_cycle_duration_seconds_count{pipeline=\"%s\"} %" PRIu64 "\n",
            p->name, p->dur_count, p->name, p->dur_sum, p->name, p->dur_count);
    }
    family(b, "hiresync_cursor_age_seconds", "gauge", "Time since each stream's cursor was "
           "last committed.");
    for (size_t i = 0; i < m->n_pipes; i++)
        for (size_t k = 0; k < 2; k++)
            if (m->pipes[i].cursor_ms[k] > 0)
                put(b, "hiresync_cursor_age_seconds{pipeline=\"%s\",stream=\"%s\"} %.3f\n",
                    m->pipes[i].name, STREAMS[k],
                    (double)(now_ms - m->pipes[i].cursor_ms[k]) / 1000.0);
    family(b, "hiresync_pipeline_enabled", "gauge", "1 when the pipeline is enabled.");
    for (size_t i = 0; i < m->n_pipes; i++)
        put(b, "hiresync_pipeline_enabled{pipeline=\"%s\"} %d\n", m->pipes[i].name,
            m->pipes[i].enabled);
}

static void render_connections(buf *b, const hs_metrics *m, int64_t now_ms)
{
    family(b, "hiresync_clock_skew_seconds", "gauge", "This host's clock minus the remote "
           "system's, as its responses measured it.");
    for (size_t i = 0; i < m->n_conns; i++)
        if (m->conns[i].have_skew)
            put(b, "hiresync_clock_skew_seconds{connection=\"%s\"} %.3f\n", m->conns[i].name,
                (double)m->conns[i].skew_ms / 1000.0);
    family(b, "hiresync_requests_total", "counter", "HTTP exchanges with the remote system, "
           "retries included, by result (status class, timeout, or error: no complete "
           "response).");
    for (size_t i = 0; i < m->n_conns; i++)
        for (size_t k = 0; k < HS_REQUEST_CLASSES; k++)
            put(b, "hiresync_requests_total{connection=\"%s\",result=\"%s\"} %" PRIu64 "\n",
                m->conns[i].name, hs_request_class_name(k), m->conns[i].requests[k]);
    family(b, "hiresync_daily_calls", "gauge", "API calls counted for the remote system's "
           "current day (Eploy's quota).");
    for (size_t i = 0; i < m->n_conns; i++)
        if (m->conns[i].have_calls)
            put(b, "hiresync_daily_calls{connection=\"%s\"} %" PRId64 "\n", m->conns[i].name,
                m->conns[i].calls);
    family(b, "hiresync_daily_call_budget", "gauge", "The configured daily_call_budget.");
    for (size_t i = 0; i < m->n_conns; i++)
        if (m->conns[i].budget > 0)
            put(b, "hiresync_daily_call_budget{connection=\"%s\"} %" PRId64 "\n",
                m->conns[i].name, m->conns[i].budget);
    family(b, "hiresync_quota_stopped", "gauge", "1 while a quota stops the connection's "
           "calls.");
    for (size_t i = 0; i < m->n_conns; i++)
        put(b, "hiresync_quota_stopped{connection=\"%s\"} %d\n", m->conns[i].name,
            m->conns[i].quota_until_ms > now_ms);
}

static void render_webhooks(buf *b, const hs_metrics *m)
{
    family(b, "hiresync_webhook_deliveries_total", "counter", "Doorbell deliveries accepted, "
           "by result (scheduled a read, or coalesced into a pending one).");
    for (size_t i = 0; i < m->n_pipes; i++)
        put(b, "hiresync_webhook_deliveries_total{pipeline=\"%s\",result=\"scheduled\"} %"
            PRIu64 "\nhiresync_webhook_deliveries_total{pipeline=\"%s\",result=\"coalesced\"} %"
            PRIu64 "\n", m->pipes[i].name, m->pipes[i].scheduled, m->pipes[i].name,
            m->pipes[i].coalesced);
    family(b, "hiresync_webhook_reads_total", "counter", "Interviews-side reads rung by a "
           "doorbell.");
    for (size_t i = 0; i < m->n_pipes; i++)
        put(b, "hiresync_webhook_reads_total{pipeline=\"%s\"} %" PRIu64 "\n", m->pipes[i].name,
            m->pipes[i].doorbell_reads);
    family(b, "hiresync_http_rejected_total", "counter", "Requests refused by the listener "
           "(unknown route, pipeline or token; body too large; wrong method).");
    for (size_t k = 0; k < HS_REJECT_N; k++)
        put(b, "hiresync_http_rejected_total{reason=\"%s\"} %" PRIu64 "\n", REJECTS[k],
            m->rejected[k]);
}

char *hs_metrics_render(hs_metrics *m, int64_t now_ms, int64_t now_mono_ms)
{
    buf b = {0};
    int64_t rss, fds;
    (void)now_mono_ms;
    process_figures(&rss, &fds);
    pthread_mutex_lock(&m->mu);
    render_cycles(&b, m);
    render_times(&b, m, now_ms);
    render_connections(&b, m, now_ms);
    render_webhooks(&b, m);
    pthread_mutex_unlock(&m->mu);
    if (rss >= 0) {
        family(&b, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
        put(&b, "process_resident_memory_bytes %" PRId64 "\n", rss);
    }
    if (fds >= 0) {
        family(&b, "process_open_fds", "gauge", "Number of open file descriptors.");
        put(&b, "process_open_fds %" PRId64 "\n", fds);
    }
    return finish(&b);
}

/* ---- health ------------------------------------------------------------------------------------ */

char *hs_metrics_healthz(hs_metrics *m, int64_t now_mono_ms, int *ok)
{
    json_object *o = json_object_new_object();
    char *text;
    int64_t age;
    if (o == NULL)
        return NULL;
    pthread_mutex_lock(&m->mu);
    age = m->heartbeat_mono > 0 ? now_mono_ms - m->heartbeat_mono : -1;
    pthread_mutex_unlock(&m->mu);
    *ok = age >= 0 && age <= HS_METRICS_HEARTBEAT_MAX_S * 1000LL;
    json_object_object_add(o, "ok", json_object_new_boolean(*ok));
    json_object_object_add(o, "heartbeat_age_seconds",
                           age >= 0 ? json_object_new_int64(age / 1000) : NULL);
    json_object_object_add(o, "reason", json_object_new_string(
        *ok ? "the scheduler loop is turning"
            : age < 0 ? "the scheduler loop has not started"
                      : "the scheduler loop has not turned for over 300 s"));
    text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return text;
}

static void reason(json_object *list, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void reason(json_object *list, const char *fmt, ...)
{
    char line[320];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    json_object_array_add(list, json_object_new_string(line));
}

static void ready_reasons(const hs_metrics *m, json_object *list, int64_t now_ms,
                          int64_t now_mono_ms)
{
    if (!m->configured)
        reason(list, "no configuration is loaded yet");
    for (size_t i = 0; i < m->n_pipes; i++) {
        const pipe_m *p = &m->pipes[i];
        if (!p->enabled)
            continue;
        if (p->last_failed)
            reason(list, "pipeline %s failed its last cycle: %s", p->name, p->last_error);
        if (p->due_mono > 0 && now_mono_ms > p->due_mono + hs_status_grace_ms(p->interval_s))
            reason(list, "pipeline %s is overdue by %" PRId64 " s", p->name,
                   (now_mono_ms - p->due_mono) / 1000);
    }
    for (size_t i = 0; i < m->n_conns; i++)
        if (m->conns[i].quota_until_ms > now_ms)
            reason(list, "connection %s is out of quota for %" PRId64 " s", m->conns[i].name,
                   (m->conns[i].quota_until_ms - now_ms) / 1000);
}

char *hs_metrics_readyz(hs_metrics *m, int64_t now_ms, int64_t now_mono_ms, int *ok)
{
    json_object *o = json_object_new_object(), *list = json_object_new_array();
    char *text = NULL;
    if (o == NULL || list == NULL) {
        json_object_put(o);
        json_object_put(list);
        return NULL;
    }
    pthread_mutex_lock(&m->mu);
    ready_reasons(m, list, now_ms, now_mono_ms);
    pthread_mutex_unlock(&m->mu);
    *ok = json_object_array_length(list) == 0;
    json_object_object_add(o, "ok", json_object_new_boolean(*ok));
    json_object_object_add(o, "reasons", list);
    text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return text;
}
