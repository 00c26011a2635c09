/*
 * Test host for connector tests (see hs_test_host.h).
 */
#define _POSIX_C_SOURCE 200809L

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <ltdl.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#else
#define ASAN_POISON_MEMORY_REGION(a, n) ((void)(a), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(a, n) ((void)(a), (void)(n))
#endif

#include "hs_test_host.h"

typedef struct store_entry {
    char *name;
    char *value;
} store_entry;

struct hs_test_host {
    int64_t now_ms;
    int real_clock;
    int64_t clock_offset_ms;
    int real_sleep;
    int cancelled;
    size_t cancel_at_sleep;
    size_t sleeps;
    int64_t slept_ms;
    int64_t longest_sleep_ms;
    char **log;
    size_t n_log, cap_log;
    store_entry *store;
    size_t n_store;
    int64_t remote_ms;            /* last remote_time reported, 0 none */
    int verbose;
};

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- services ----------------------------------------------------------------------------- */

static void t_log(hs_host *host, hs_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void t_log(hs_host *host, hs_log_level level, const char *fmt, ...)
{
    hs_test_host *h = (hs_test_host *)host;
    static const char *const names[] = {"ERROR", "WARN", "INFO", "DEBUG"};
    char msg[2048];
    char line[2100];
    va_list ap;

    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    (void)snprintf(line, sizeof line, "%s %s",
                   (unsigned)level < 4 ? names[level] : "?", msg);
    if (h->verbose)
        fprintf(stderr, "[test-host] %s\n", line);
    if (h->n_log == h->cap_log) {
        size_t cap = h->cap_log ? h->cap_log * 2 : 64;
        char **p = realloc(h->log, cap * sizeof *p);
        if (p == NULL)
            return;
        h->log = p;
        h->cap_log = cap;
    }
    h->log[h->n_log] = strdup(line);
    if (h->log[h->n_log] != NULL)
        h->n_log++;
}

static int t_cancelled(hs_host *host)
{
    return ((hs_test_host *)host)->cancelled;
}

static int64_t t_now_ms(hs_host *host)
{
    hs_test_host *h = (hs_test_host *)host;
    return h->real_clock ? wall_ms() + h->clock_offset_ms : h->now_ms;
}

static int t_sleep_ms(hs_host *host, int64_t ms)
{
    hs_test_host *h = (hs_test_host *)host;

    if (ms < 0)
        ms = 0;
    h->sleeps++;
    h->slept_ms += ms;
    if (ms > h->longest_sleep_ms)
        h->longest_sleep_ms = ms;
    if (h->cancel_at_sleep != 0 && h->sleeps >= h->cancel_at_sleep)
        h->cancelled = 1;
    if (h->cancelled)
        return 1;
    if (h->real_sleep) {
        /* Slices, so that a cancellation set elsewhere is noticed. */
        while (ms > 0 && !h->cancelled) {
            int64_t slice = ms < 50 ? ms : 50;
            struct timespec ts = {(time_t)(slice / 1000), (long)(slice % 1000) * 1000000L};
            nanosleep(&ts, NULL);
            ms -= slice;
        }
    }
    if (!h->real_clock)
        h->now_ms += ms;
    return h->cancelled;
}

static const char *t_user_agent(hs_host *host)
{
    (void)host;
    return "hiresync-test/0.1.0";
}

static store_entry *store_find(const hs_test_host *h, const char *name)
{
    for (size_t i = 0; i < h->n_store; i++) {
        if (strcmp(h->store[i].name, name) == 0)
            return &h->store[i];
    }
    return NULL;
}

static hs_status t_store_get(hs_host *host, const char *name, char *buf, size_t buf_size)
{
    const store_entry *e = store_find((hs_test_host *)host, name);
    size_t n;

    if (e == NULL)
        return HS_E_DATA;
    n = strlen(e->value);
    if (buf == NULL || n >= buf_size)
        return HS_E_INTERNAL;
    memcpy(buf, e->value, n + 1);
    return HS_OK;
}

static hs_status t_store_put(hs_host *host, const char *name, const char *value)
{
    if (name == NULL || strlen(name) > 64 || (value != NULL && strlen(value) > 4096))
        return HS_E_DATA;
    return hs_test_host_store_set((hs_test_host *)host, name, value) == 0 ? HS_OK
                                                                          : HS_E_INTERNAL;
}

static void t_remote_time(hs_host *host, int64_t remote_ms)
{
    ((hs_test_host *)host)->remote_ms = remote_ms;
}

/* Shared memory lives in the same list as the store, under "shared/<name>" (store names of
 * connectors hold no slash), so that every connection opened on one test host shares it as
 * the pipelines of one configured connection do. */
static hs_status t_shared_get(hs_host *host, const char *name, char *buf, size_t buf_size)
{
    char full[80];

    if (name == NULL || strlen(name) > 64)
        return HS_E_DATA;
    (void)snprintf(full, sizeof full, "shared/%s", name);
    return t_store_get(host, full, buf, buf_size);
}

static hs_status t_shared_put(hs_host *host, const char *name, const char *value)
{
    char full[80];

    if (name == NULL || strlen(name) > 64 || (value != NULL && strlen(value) > 4096))
        return HS_E_DATA;
    (void)snprintf(full, sizeof full, "shared/%s", name);
    return hs_test_host_store_set((hs_test_host *)host, full, value) == 0 ? HS_OK
                                                                          : HS_E_INTERNAL;
}

/* One test thread per host (see the header): compare, then set, is atomic enough here. */
static hs_status t_shared_swap(hs_host *host, const char *name, const char *expected,
                               const char *value)
{
    char now[4097];
    hs_status got = t_shared_get(host, name, now, sizeof now);

    if (got != HS_OK && got != HS_E_DATA)
        return got;
    if ((got == HS_E_DATA) != (expected == NULL) ||
        (got == HS_OK && strcmp(now, expected) != 0))
        return HS_E_DATA;
    return t_shared_put(host, name, value);
}

static const hs_host_api test_api = {
    sizeof(hs_host_api), HS_ABI_VERSION, t_log, t_cancelled, t_now_ms, t_sleep_ms,
    t_user_agent, t_store_get, t_store_put, t_remote_time, t_shared_get, t_shared_put,
    t_shared_swap, NULL,
};

int64_t hs_test_host_remote_time(const hs_test_host *h)
{
    return h->remote_ms;
}

/* ---- host --------------------------------------------------------------------------------- */

hs_test_host *hs_test_host_new(void)
{
    static int curl_ready;
    hs_test_host *h;

    if (!curl_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return NULL;
        curl_ready = 1;
    }
    h = calloc(1, sizeof *h);
    if (h == NULL)
        return NULL;
    h->now_ms = HS_TEST_EPOCH_MS;
    h->verbose = getenv("HS_TEST_VERBOSE") != NULL;
    return h;
}

void hs_test_host_free(hs_test_host *h)
{
    if (h == NULL)
        return;
    hs_test_host_log_clear(h);
    free(h->log);
    for (size_t i = 0; i < h->n_store; i++) {
        free(h->store[i].name);
        free(h->store[i].value);
    }
    free(h->store);
    free(h);
}

const hs_host_api *hs_test_host_api(void)
{
    return &test_api;
}

hs_host *hs_test_host_handle(hs_test_host *h)
{
    return (hs_host *)h;
}

void hs_test_host_set_now(hs_test_host *h, int64_t ms) { h->now_ms = ms; }
void hs_test_host_advance(hs_test_host *h, int64_t ms) { h->now_ms += ms; }
void hs_test_host_use_real_clock(hs_test_host *h, int real) { h->real_clock = real; }
void hs_test_host_set_clock_offset(hs_test_host *h, int64_t ms) { h->clock_offset_ms = ms; }
int64_t hs_test_host_now(hs_test_host *h) { return t_now_ms((hs_host *)h); }
void hs_test_host_use_real_sleep(hs_test_host *h, int real) { h->real_sleep = real; }
size_t hs_test_host_sleep_count(const hs_test_host *h) { return h->sleeps; }
int64_t hs_test_host_slept_ms(const hs_test_host *h) { return h->slept_ms; }
int64_t hs_test_host_longest_sleep_ms(const hs_test_host *h) { return h->longest_sleep_ms; }
void hs_test_host_cancel(hs_test_host *h, int on) { h->cancelled = on; }
void hs_test_host_cancel_at_sleep(hs_test_host *h, size_t n) { h->cancel_at_sleep = n; }
size_t hs_test_host_log_count(const hs_test_host *h) { return h->n_log; }

const char *hs_test_host_log_line(const hs_test_host *h, size_t i)
{
    return i < h->n_log ? h->log[i] : NULL;
}

int hs_test_host_log_contains(const hs_test_host *h, const char *needle)
{
    for (size_t i = 0; i < h->n_log; i++) {
        if (strstr(h->log[i], needle) != NULL)
            return 1;
    }
    return 0;
}

void hs_test_host_log_clear(hs_test_host *h)
{
    for (size_t i = 0; i < h->n_log; i++)
        free(h->log[i]);
    h->n_log = 0;
}

const char *hs_test_host_store_value(const hs_test_host *h, const char *name)
{
    const store_entry *e = store_find(h, name);
    return e != NULL ? e->value : NULL;
}

int hs_test_host_store_set(hs_test_host *h, const char *name, const char *value)
{
    store_entry *e = store_find(h, name);
    char *v;

    if (value == NULL) {
        if (e != NULL) {
            free(e->name);
            free(e->value);
            *e = h->store[--h->n_store];
        }
        return 0;
    }
    if ((v = strdup(value)) == NULL)
        return -1;
    if (e != NULL) {
        free(e->value);
        e->value = v;
        return 0;
    }
    e = realloc(h->store, (h->n_store + 1) * sizeof *e);
    if (e == NULL) {
        free(v);
        return -1;
    }
    h->store = e;
    e = &h->store[h->n_store];
    if ((e->name = strdup(name)) == NULL) {
        free(v);
        return -1;
    }
    e->value = v;
    h->n_store++;
    return 0;
}

/* ---- modules ------------------------------------------------------------------------------ */

struct hs_test_module {
    lt_dlhandle handle;
    const hs_connector *connector;
};

hs_test_module *hs_test_module_load(const char *name)
{
    const char *dir = getenv("HIRESYNC_CONNECTOR_DIR");
    char path[4096];
    hs_test_module *m;
    hs_connector_entry_fn entry;

    if (dir == NULL || *dir == '\0')
        dir = "plugin/.libs";
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
        return NULL;
    m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    if (lt_dlinit() != 0) {
        free(m);
        return NULL;
    }
    m->handle = lt_dlopenext(path);
    if (m->handle == NULL) {
        fprintf(stderr, "hs_test_module_load: %s: %s\n", path, lt_dlerror());
        goto fail;
    }
    /* lt_dlsym tries "<module>_LTX_hs_connector_entry" first. */
    *(void **)&entry = lt_dlsym(m->handle, HS_CONNECTOR_ENTRY_SYMBOL);
    if (entry == NULL) {
        fprintf(stderr, "hs_test_module_load: %s: no entry symbol\n", path);
        goto fail;
    }
    m->connector = entry(HS_ABI_VERSION);
    if (m->connector == NULL) {
        fprintf(stderr, "hs_test_module_load: %s: entry refused ABI %u\n", path,
                (unsigned)HS_ABI_VERSION);
        goto fail;
    }
    return m;
fail:
    hs_test_module_unload(m);
    return NULL;
}

const hs_connector *hs_test_module_connector(const hs_test_module *m)
{
    return m != NULL ? m->connector : NULL;
}

void hs_test_module_unload(hs_test_module *m)
{
    if (m == NULL)
        return;
    if (m->handle != NULL)
        lt_dlclose(m->handle);
    lt_dlexit();
    free(m);
}

/* ---- the caller's buffers ------------------------------------------------------------------ */

hs_error *hs_test_error_init(hs_error *e, char *buf, size_t size)
{
    memset(e, 0, sizeof *e);
    e->struct_size = sizeof *e;
    e->message = buf;
    e->message_size = size;
    if (buf != NULL && size > 0)
        buf[0] = '\0';
    return e;
}

hs_error *hs_test_error_clear(hs_error *e)
{
    return hs_test_error_init(e, e->message, e->message_size);
}

hs_write_result *hs_test_result_init(hs_write_result *r, char *buf, size_t size)
{
    memset(r, 0, sizeof *r);
    r->struct_size = sizeof *r;
    r->remote_id = buf;
    r->remote_id_size = size;
    if (buf != NULL && size > 0)
        buf[0] = '\0';
    return r;
}

hs_write_result *hs_test_result_clear(hs_write_result *r)
{
    return hs_test_result_init(r, r->remote_id, r->remote_id_size);
}

#define GUARD_SIZE 64
#define GUARD_BYTE 0x5a

char *hs_test_guarded_new(size_t size)
{
    char *b = malloc(size + GUARD_SIZE);

    if (b == NULL)
        return NULL;
    memset(b, 'x', size);
    memset(b + size, GUARD_BYTE, GUARD_SIZE);
    ASAN_POISON_MEMORY_REGION(b + size, GUARD_SIZE);
    return b;
}

int hs_test_guarded_ok(const char *buf, size_t size)
{
    int ok = memchr(buf, '\0', size) != NULL;

    ASAN_UNPOISON_MEMORY_REGION(buf + size, GUARD_SIZE);
    for (size_t i = 0; i < GUARD_SIZE; i++)
        ok = ok && (unsigned char)buf[size + i] == GUARD_BYTE;
    ASAN_POISON_MEMORY_REGION(buf + size, GUARD_SIZE);
    return ok;
}

void hs_test_guarded_free(char *buf, size_t size)
{
    if (buf == NULL)
        return;
    ASAN_UNPOISON_MEMORY_REGION(buf + size, GUARD_SIZE);
    free(buf);
}

/* ---- collectors --------------------------------------------------------------------------- */

typedef struct collector_state {
    size_t total_changes;       /* also counted when count_only */
    size_t since_barrier;
} collector_state;

/* The state lives right after the public struct in the same allocation. */
typedef struct collector_box {
    hs_test_collector pub;
    collector_state st;
    size_t cap_changes, cap_jobs, cap_checkpoints, cap_progress;
} collector_box;

static int grow(void **p, size_t *cap, size_t n, size_t elem)
{
    void *q;
    size_t c;

    if (n < *cap)
        return 0;
    c = *cap ? *cap * 2 : 16;
    q = realloc(*p, c * elem);
    if (q == NULL)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

/* Keeps the first shape problem; always returns HS_E_INTERNAL. */
static hs_status malformed(hs_test_collector *c, const char *what)
{
    if (c->malformed == NULL)
        c->malformed = strdup(what);
    if (getenv("HS_TEST_VERBOSE") != NULL)
        fprintf(stderr, "malformed record: %s\n", what);
    return HS_E_INTERNAL;
}

#define SIZED(p, type) ((p) == NULL || (p)->struct_size >= sizeof(type))

/* A record written against 2.0 ends before the answers; 2.1's members are read only when
 * struct_size covers them. */
#define CHANGE_SIZE_2_0 offsetof(hs_stage_change, answers)
#define CHANGE_HAS_2_1(ch) ((ch)->struct_size >= sizeof(hs_stage_change))

static const char *answers_shape(const hs_stage_change *ch)
{
    if (!CHANGE_HAS_2_1(ch) || ch->n_answers == 0)
        return NULL;
    if (ch->kind != HS_CHANGE_COMPLETED)
        return "answers on a change other than HS_CHANGE_COMPLETED";
    if (ch->answers == NULL || ch->answer_size < sizeof(hs_answer))
        return "answers without their answer_size or array";
    for (size_t i = 0; i < ch->n_answers; i++) {
        const hs_answer *a = HS_ELEMENT(hs_answer, ch->answers, ch->answer_size, i);
        if (a->struct_size < sizeof *a)
            return "an hs_answer without its struct_size";
        if (a->question == NULL)
            return "an hs_answer without a question";
    }
    return NULL;
}

static const char *change_shape(const hs_stage_change *ch)
{
    int interview_kind = ch->kind >= HS_CHANGE_COMPLETED && ch->kind <= HS_CHANGE_DECLINED;

    if (ch->struct_size < CHANGE_SIZE_2_0)
        return "hs_stage_change without its struct_size";
    if (ch->kind != HS_CHANGE_STAGE && !interview_kind)
        return "hs_stage_change of an unknown kind";
    if (ch->key == NULL || *ch->key == '\0' || ch->record_id == NULL || *ch->record_id == '\0')
        return "hs_stage_change without a key or a record_id";
    if (ch->kind == HS_CHANGE_STAGE && ch->stage == NULL)
        return "HS_CHANGE_STAGE without a stage";
    if (interview_kind && (ch->stage != NULL || ch->status != NULL))
        return "an interview's change (completed, invited, started, expired, declined) with a "
               "stage or status";
    if (!SIZED(ch->stage, hs_ref) || !SIZED(ch->status, hs_ref))
        return "a stage or status hs_ref without its struct_size";
    if (!SIZED(ch->person, hs_person))
        return "an hs_person without its struct_size";
    return answers_shape(ch);
}

/* The answers and the overall score into t; -1 when out of memory. */
static int copy_answers(hs_test_change *t, const hs_stage_change *ch)
{
    if (!CHANGE_HAS_2_1(ch))
        return 0;
    if (ch->score != NULL && (t->score = strdup(ch->score)) == NULL)
        return -1;
    if (ch->n_answers == 0)
        return 0;
    t->answers = calloc(ch->n_answers, sizeof *t->answers);
    if (t->answers == NULL)
        return -1;
    for (size_t i = 0; i < ch->n_answers; i++) {
        const hs_answer *a = HS_ELEMENT(hs_answer, ch->answers, ch->answer_size, i);
        hs_test_answer *d = &t->answers[t->n_answers++];
        d->question = dup_or_null(a->question);
        d->link = dup_or_null(a->link);
        d->score = dup_or_null(a->score);
        if (d->question == NULL || (a->link && !d->link) || (a->score && !d->score))
            return -1;
    }
    return 0;
}

static const char *job_shape(const hs_job *job)
{
    if (job->struct_size < sizeof *job)
        return "hs_job without its struct_size";
    if (job->stage_size < sizeof(hs_stage) || (job->n_stages > 0 && job->stages == NULL))
        return "hs_job without its stage_size or stages";
    for (size_t i = 0; i < job->n_stages; i++) {
        const hs_stage *st = HS_ELEMENT(hs_stage, job->stages, job->stage_size, i);
        if (st->struct_size < sizeof *st)
            return "hs_stage without its struct_size";
        if (st->status_size < sizeof(hs_ref) || (st->n_statuses > 0 && st->statuses == NULL))
            return "hs_stage without its status_size or statuses";
        for (size_t j = 0; j < st->n_statuses; j++) {
            if (HS_ELEMENT(hs_ref, st->statuses, st->status_size, j)->struct_size <
                sizeof(hs_ref))
                return "a status hs_ref without its struct_size";
        }
    }
    return NULL;
}

static hs_status c_change(void *ctx, const hs_stage_change *ch)
{
    collector_box *b = ctx;
    hs_test_collector *c = &b->pub;
    hs_test_change *t;
    const char *bad = change_shape(ch);

    if (bad != NULL)
        return malformed(c, bad);
    b->st.total_changes++;
    b->st.since_barrier++;
    if (b->st.since_barrier > c->max_changes_between_barriers)
        c->max_changes_between_barriers = b->st.since_barrier;
    if (c->stop_after_changes != 0 && b->st.total_changes >= c->stop_after_changes)
        return c->stop_status != HS_OK ? c->stop_status : HS_E_CANCELLED;
    if (c->count_only) {
        c->n_changes++;
        return HS_OK;
    }
    if (grow((void **)&c->changes, &b->cap_changes, c->n_changes, sizeof *c->changes) != 0)
        return HS_E_INTERNAL;
    t = &c->changes[c->n_changes++];
    memset(t, 0, sizeof *t);
    t->kind = ch->kind;
    t->key = dup_or_null(ch->key);
    t->record_id = dup_or_null(ch->record_id);
    t->job_id = dup_or_null(ch->job_id);
    if (ch->stage != NULL) {
        t->stage_id = dup_or_null(ch->stage->id);
        t->stage_name = dup_or_null(ch->stage->name);
    }
    if (ch->status != NULL) {
        t->status_id = dup_or_null(ch->status->id);
        t->status_name = dup_or_null(ch->status->name);
    }
    t->changed_at = dup_or_null(ch->changed_at);
    if (ch->person != NULL) {
        t->person_id = dup_or_null(ch->person->id);
        t->first_name = dup_or_null(ch->person->first_name);
        t->last_name = dup_or_null(ch->person->last_name);
        t->email = dup_or_null(ch->person->email);
        t->phone = dup_or_null(ch->person->phone);
    }
    t->link = dup_or_null(ch->link);
    t->snapshot = ch->snapshot;
    t->barrier = c->n_checkpoints;
    return copy_answers(t, ch) == 0 ? HS_OK : HS_E_INTERNAL;
}

static hs_status c_job(void *ctx, const hs_job *job)
{
    collector_box *b = ctx;
    hs_test_collector *c = &b->pub;
    hs_test_job *t;
    const char *bad = job_shape(job);

    if (bad != NULL)
        return malformed(c, bad);
    if (grow((void **)&c->jobs, &b->cap_jobs, c->n_jobs, sizeof *c->jobs) != 0)
        return HS_E_INTERNAL;
    t = &c->jobs[c->n_jobs++];
    memset(t, 0, sizeof *t);
    t->id = dup_or_null(job->id);
    t->title = dup_or_null(job->title);
    t->status = dup_or_null(job->status);
    t->department = dup_or_null(job->department);
    t->created_at = dup_or_null(job->created_at);
    t->updated_at = dup_or_null(job->updated_at);
    t->url = dup_or_null(job->url);
    t->stage_names = calloc(job->n_stages + 1, sizeof *t->stage_names);
    t->stage_ids = calloc(job->n_stages + 1, sizeof *t->stage_ids);
    if (t->stage_names == NULL || t->stage_ids == NULL)
        return HS_E_INTERNAL;
    t->n_stages = job->n_stages;
    for (size_t i = 0; i < job->n_stages; i++) {
        const hs_stage *st = HS_ELEMENT(hs_stage, job->stages, job->stage_size, i);
        t->stage_names[i] = dup_or_null(st->name);
        t->stage_ids[i] = dup_or_null(st->id);
        t->n_statuses += st->n_statuses;
    }
    return HS_OK;
}

static hs_status c_checkpoint(void *ctx, const char *cursor_json)
{
    collector_box *b = ctx;
    hs_test_collector *c = &b->pub;
    char *s;

    if (cursor_json == NULL || *cursor_json == '\0')
        return HS_E_INTERNAL;    /* the ABI forbids empty cursors */
    if (c->on_barrier != NULL)
        c->on_barrier(c->on_barrier_ctx, cursor_json);
    if (grow((void **)&c->checkpoints, &b->cap_checkpoints, c->n_checkpoints,
             sizeof *c->checkpoints) != 0 || (s = strdup(cursor_json)) == NULL)
        return HS_E_INTERNAL;
    c->checkpoints[c->n_checkpoints++] = s;
    b->st.since_barrier = 0;
    return HS_OK;
}

static hs_status c_progress(void *ctx, const hs_progress *p)
{
    collector_box *b = ctx;
    hs_test_collector *c = &b->pub;
    hs_progress *t;

    if (p == NULL || !HS_HAS_FIELD(hs_progress, p->struct_size, pages_total))
        return malformed(c, "progress report without pages_total");
    if (grow((void **)&c->progress, &b->cap_progress, c->n_progress, sizeof *c->progress) != 0)
        return HS_E_INTERNAL;
    t = &c->progress[c->n_progress++];
    memset(t, 0, sizeof *t);
    memcpy(t, p, p->struct_size < sizeof *t ? p->struct_size : sizeof *t);
    return HS_OK;
}

hs_test_collector *hs_test_collector_new(void)
{
    /* pub is the first member, so the box and its public part share one address. */
    return (hs_test_collector *)calloc(1, sizeof(collector_box));
}

static void free_change(hs_test_change *t)
{
    char *fields[] = {t->key, t->record_id, t->job_id, t->stage_id, t->stage_name,
                      t->status_id, t->status_name, t->changed_at, t->person_id,
                      t->first_name, t->last_name, t->email, t->phone, t->link};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        free(fields[i]);
    for (size_t i = 0; i < t->n_answers; i++) {
        free(t->answers[i].question);
        free(t->answers[i].link);
        free(t->answers[i].score);
    }
    free(t->answers);
    free(t->score);
}

static void free_job(hs_test_job *t)
{
    free(t->id);
    free(t->title);
    free(t->status);
    free(t->department);
    free(t->created_at);
    free(t->updated_at);
    free(t->url);
    for (size_t i = 0; i < t->n_stages; i++) {
        if (t->stage_names != NULL)
            free(t->stage_names[i]);
        if (t->stage_ids != NULL)
            free(t->stage_ids[i]);
    }
    free(t->stage_names);
    free(t->stage_ids);
}

void hs_test_collector_clear(hs_test_collector *c)
{
    collector_box *b = (collector_box *)c;

    if (c == NULL)
        return;
    for (size_t i = 0; c->changes != NULL && i < c->n_changes; i++)
        free_change(&c->changes[i]);
    for (size_t i = 0; i < c->n_jobs; i++)
        free_job(&c->jobs[i]);
    for (size_t i = 0; i < c->n_checkpoints; i++)
        free(c->checkpoints[i]);
    c->n_changes = c->n_jobs = c->n_checkpoints = c->n_progress = 0;
    c->max_changes_between_barriers = 0;
    free(c->malformed);
    c->malformed = NULL;
    memset(&b->st, 0, sizeof b->st);
}

void hs_test_collector_free(hs_test_collector *c)
{
    if (c == NULL)
        return;
    hs_test_collector_clear(c);
    free(c->changes);
    free(c->jobs);
    free(c->checkpoints);
    free(c->progress);
    free((collector_box *)c);
}

hs_emitter hs_test_collector_emitter(hs_test_collector *c)
{
    hs_emitter e = {sizeof(hs_emitter), c, c_job, c_change, c_checkpoint, c_progress};
    return e;
}

const char *hs_test_collector_last_cursor(const hs_test_collector *c)
{
    return c->n_checkpoints > 0 ? c->checkpoints[c->n_checkpoints - 1] : "";
}

static int eq_or_any(const char *want, const char *have)
{
    return want == NULL || (have != NULL && strcmp(want, have) == 0);
}

const hs_test_change *hs_test_collector_find(const hs_test_collector *c, const char *record_id,
                                             const char *stage_name)
{
    for (size_t i = 0; c->changes != NULL && i < c->n_changes; i++) {
        if (eq_or_any(record_id, c->changes[i].record_id) &&
            eq_or_any(stage_name, c->changes[i].stage_name))
            return &c->changes[i];
    }
    return NULL;
}

/* ---- check reports ------------------------------------------------------------------------ */

typedef struct report_box {
    hs_test_report pub;
    size_t cap;
} report_box;

static hs_status r_item(void *ctx, const char *name, hs_check_result result,
                        const char *message)
{
    report_box *b = ctx;
    hs_test_check_item *it;

    if (grow((void **)&b->pub.items, &b->cap, b->pub.n_items, sizeof *b->pub.items) != 0)
        return HS_E_INTERNAL;
    it = &b->pub.items[b->pub.n_items++];
    it->name = dup_or_null(name);
    it->result = result;
    it->message = dup_or_null(message);
    return HS_OK;
}

hs_test_report *hs_test_report_new(void)
{
    return (hs_test_report *)calloc(1, sizeof(report_box));
}

void hs_test_report_free(hs_test_report *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n_items; i++) {
        free(r->items[i].name);
        free(r->items[i].message);
    }
    free(r->items);
    free((report_box *)r);
}

hs_check_report hs_test_report_sink(hs_test_report *r, const char *const *job_ids,
                                    size_t n_job_ids)
{
    hs_check_report rep = {sizeof(hs_check_report), r, r_item, job_ids, n_job_ids};
    return rep;
}

const hs_test_check_item *hs_test_report_find(const hs_test_report *r, const char *name)
{
    for (size_t i = 0; i < r->n_items; i++) {
        if (r->items[i].name != NULL && strcmp(r->items[i].name, name) == 0)
            return &r->items[i];
    }
    return NULL;
}
