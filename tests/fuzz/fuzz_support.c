/* Fuzz target support: host, sinks and the scripted transport (see fuzz_support.h). */
#define _GNU_SOURCE

#include "fuzz_support.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hs_errors.h"
#include "hs_http.h"

/* ---- the scripted transport ------------------------------------------------------------------ */

struct hs_http {
    hs_http_config cfg;
    uint64_t requests;
    int64_t date_ms;             /* "Date: <seconds since the epoch>" of the last answer */
    int quota_said;
};

static struct {
    const uint8_t *data;
    size_t size, pos, requests;
} script;

void fuzz_script_set(const uint8_t *data, size_t size)
{
    script.data = data;
    script.size = size;
    script.pos = 0;
    script.requests = 0;
}

size_t fuzz_script_requests(void)
{
    return script.requests;
}

/* The next answer's bytes: up to a line "@@" or the end. */
static int next_answer(const char **start, size_t *len)
{
    const char *p, *sep;
    size_t left;
    if (script.data == NULL || script.pos >= script.size)
        return -1;
    p = (const char *)script.data + script.pos;
    left = script.size - script.pos;
    sep = memmem(p, left, "\n@@\n", 4);
    *start = p;
    *len = sep ? (size_t)(sep - p) : left;
    script.pos += *len + (sep ? 4 : 0);
    if (sep == NULL)
        script.pos = script.size;
    return 0;
}

/* A number at the start of n bytes (not NUL-terminated). */
static long long number(const char *p, size_t n)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%.*s", (int)(n < sizeof buf - 1 ? n : sizeof buf - 1), p);
    return strtoll(buf, NULL, 10);
}

static int64_t script_date_ms;

static void header(const char *line, size_t n, hs_http_response *r)
{
    if (n > 9 && strncasecmp(line, "Location:", 9) == 0)
        snprintf(r->location, sizeof r->location, "%.*s", (int)(n - 9), line + 9);
    else if (n > 12 && strncasecmp(line, "Retry-After:", 12) == 0)
        r->retry_after_s = number(line + 12, n - 12);
    else if (n > 5 && strncasecmp(line, "Date:", 5) == 0) {
        /* The scripted transport takes seconds since the epoch (the real one parses an HTTP
         * date into the same range, years 1970-9999). */
        long long secs = number(line + 5, n - 5);
        script_date_ms = secs > 0 && secs < 253402300800LL ? secs * 1000 : 0;
    }
    else if (n > 17 && strncasecmp(line, "WWW-Authenticate:", 17) == 0)
        snprintf(r->www_authenticate, sizeof r->www_authenticate, "%.*s", (int)(n - 17),
                 line + 17);
}

/* "HTTP <status>\n<headers>\n\n<body>" or just a body (status 200). */
static void parse_answer(const char *a, size_t n, hs_http_response *r, const char **body,
                         size_t *body_len)
{
    const char *end = a + n, *p;
    r->status = 200;
    *body = a;
    *body_len = n;
    if (n < 5 || memcmp(a, "HTTP ", 5) != 0)
        return;
    r->status = (long)(number(a + 5, n - 5) % 1000);
    p = memchr(a, '\n', n);
    while (p != NULL && p + 1 < end && p[1] != '\n') {
        const char *line = p + 1, *eol = memchr(line, '\n', (size_t)(end - line));
        header(line, (size_t)((eol ? eol : end) - line), r);
        p = eol;
    }
    if (p == NULL || p + 1 >= end) {
        *body = end;
        *body_len = 0;
        return;
    }
    *body = p + 2;
    *body_len = (size_t)(end - *body);
}

hs_http *hs_http_new(const hs_http_config *config)
{
    hs_http *h = calloc(1, sizeof *h);
    if (h == NULL)
        return NULL;
    h->cfg = *config;
    if (h->cfg.max_body == 0)
        h->cfg.max_body = 16u << 20;
    return h;
}

void hs_http_free(hs_http *http)
{
    free(http);
}

/* Reads every byte the connector hands over, so that bad pointers show. */
static size_t touch_request(const hs_http_request *rq)
{
    size_t sum = strlen(rq->method) + strlen(rq->url);
    for (size_t i = 0; rq->headers && (rq->n_headers ? i < rq->n_headers : rq->headers[i] != NULL);
         i++)
        sum += strlen(rq->headers[i]);
    for (size_t i = 0; rq->body && i < rq->body_len; i++)
        sum += (unsigned char)rq->body[i];
    if (rq->content_type)
        sum += strlen(rq->content_type);
    return sum;
}

hs_status hs_http_perform(hs_http *http, const hs_http_request *request,
                          hs_http_response *response, hs_error *err)
{
    const char *answer, *body;
    size_t len, body_len;
    volatile size_t sink;
    memset(response, 0, sizeof *response);
    sink = touch_request(request);
    (void)sink;
    if (getenv("FUZZ_TRACE"))
        fprintf(stderr, "fuzz: %s %s%s%.*s\n", request->method, request->url,
                request->body ? " " : "", request->body ? (int)request->body_len : 0,
                request->body ? request->body : "");
    http->requests++;
    if (http->cfg.on_attempt) {
        hs_status st = http->cfg.on_attempt(http->cfg.on_attempt_ctx, err);
        if (st != HS_OK)
            return st;
    }
    if (script.requests >= FUZZ_MAX_REQUESTS || next_answer(&answer, &len) != 0)
        return hs_error_set(err, HS_RETRY, 0, "fuzz: connection reset");
    script.requests++;
    script_date_ms = 0;
    http->quota_said = 0;
    parse_answer(answer, len, response, &body, &body_len);
    if (script_date_ms > 0) {
        http->date_ms = script_date_ms;
        if (http->cfg.api->remote_time != NULL)
            http->cfg.api->remote_time(http->cfg.host, script_date_ms);
    }
    response->attempts = 1;
    if (body_len > http->cfg.max_body) {
        memset(response, 0, sizeof *response);
        return hs_error_set(err, HS_E_INTERNAL, 0, "fuzz: body over the limit");
    }
    if (hs_http_status_class(response->status) == HS_RETRY) {
        long status = response->status;
        int64_t ra = response->retry_after_s;
        http->quota_said = status == 429 && http->cfg.quota_marker != NULL &&
                           memmem(body, body_len, http->cfg.quota_marker,
                                  strlen(http->cfg.quota_marker)) != NULL;
        memset(response, 0, sizeof *response);
        if (err) {
            hs_error_set(err, HS_RETRY, (int)status, "fuzz: HTTP %ld", status);
            err->retry_after_s = ra > 0 && ra < 86400 ? (int32_t)ra : 0;
        }
        return HS_RETRY;
    }
    if (body_len > 0) {
        response->body = malloc(body_len + 1);
        if (response->body == NULL)
            return hs_error_set(err, HS_E_INTERNAL, 0, "fuzz: out of memory");
        memcpy(response->body, body, body_len);
        response->body[body_len] = '\0';
        response->body_len = body_len;
    }
    return HS_OK;
}

void hs_http_response_clear(hs_http_response *response)
{
    free(response->body);
    memset(response, 0, sizeof *response);
}

int64_t hs_http_server_time(const hs_http *http, int64_t *host_ms)
{
    if (host_ms != NULL)
        *host_ms = http->date_ms > 0 ? http->cfg.api->now_ms(http->cfg.host) : 0;
    return http->date_ms;
}

/* The fuzzer's server answers at once: its time is that of its last Date. */
int64_t hs_http_server_now(const hs_http *http, int64_t host_now_ms)
{
    return http->date_ms > 0 ? http->date_ms : host_now_ms;
}

int hs_http_quota_exceeded(const hs_http *http)
{
    return http->quota_said;
}

uint64_t hs_http_request_count(const hs_http *http)
{
    return http->requests;
}

/* ---- the host -------------------------------------------------------------------------------- */

#define STORE_MAX 16

static struct {
    char names[STORE_MAX][65];
    char values[STORE_MAX][4097];
    int used[STORE_MAX];
} store;

static void host_log(hs_host *host, hs_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void host_log(hs_host *host, hs_log_level level, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    (void)host;
    (void)level;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
}

static int host_cancelled(hs_host *host)
{
    (void)host;
    return 0;
}

static int64_t host_now(hs_host *host)
{
    (void)host;
    return 1798761600000LL; /* 2027-01-01T00:00:00Z, after the seeds' dates */
}

static int host_sleep(hs_host *host, int64_t ms)
{
    (void)host;
    (void)ms;
    return 0;
}

static const char *host_user_agent(hs_host *host)
{
    (void)host;
    return "hiresync/fuzz";
}

static hs_status store_get(hs_host *host, const char *name, char *buf, size_t size)
{
    (void)host;
    for (int i = 0; i < STORE_MAX; i++) {
        if (store.used[i] && strcmp(store.names[i], name) == 0) {
            size_t n = strlen(store.values[i]);
            if (n >= size)
                return HS_E_INTERNAL;
            memcpy(buf, store.values[i], n + 1);
            return HS_OK;
        }
    }
    return HS_E_DATA;
}

static hs_status store_put(hs_host *host, const char *name, const char *value)
{
    int free_slot = -1;
    (void)host;
    if (strlen(name) > 64 || (value && strlen(value) > 4096))
        return HS_E_DATA;
    for (int i = 0; i < STORE_MAX; i++) {
        if (store.used[i] && strcmp(store.names[i], name) == 0) {
            free_slot = i;
            break;
        }
        if (!store.used[i] && free_slot < 0)
            free_slot = i;
    }
    if (free_slot < 0)
        return HS_E_INTERNAL;
    store.used[free_slot] = value != NULL;
    snprintf(store.names[free_slot], sizeof store.names[0], "%s", name);
    snprintf(store.values[free_slot], sizeof store.values[0], "%s", value ? value : "");
    return HS_OK;
}

static void remote_time(hs_host *host, int64_t remote_ms)
{
    (void)host;
    (void)remote_ms;
}

/* Shared memory in the same table, under "shared/<name>" (store names hold no slash). */
static hs_status shared_get(hs_host *host, const char *name, char *buf, size_t size)
{
    char full[80];
    if (strlen(name) > 64)
        return HS_E_DATA;
    snprintf(full, sizeof full, "shared/%s", name);
    return store_get(host, full, buf, size);
}

static hs_status shared_put(hs_host *host, const char *name, const char *value)
{
    char full[80];
    if (strlen(name) > 64)
        return HS_E_DATA;
    snprintf(full, sizeof full, "shared/%s", name);
    return store_put(host, full, value);
}

/* One fuzzing thread: compare, then set. */
static hs_status shared_swap(hs_host *host, const char *name, const char *expected,
                             const char *value)
{
    char now[4097];
    hs_status got = shared_get(host, name, now, sizeof now);
    if (got != HS_OK && got != HS_E_DATA)
        return got;
    if ((got == HS_E_DATA) != (expected == NULL) ||
        (got == HS_OK && strcmp(now, expected) != 0))
        return HS_E_DATA;
    return shared_put(host, name, value);
}

static const hs_host_api API = {
    sizeof(hs_host_api), HS_ABI_VERSION, host_log, host_cancelled, host_now, host_sleep,
    host_user_agent, store_get, store_put, remote_time, shared_get, shared_put, shared_swap,
    NULL,
};

const hs_host_api *fuzz_host_api(void)
{
    return &API;
}

hs_host *fuzz_host(void)
{
    return (hs_host *)&store;
}

void fuzz_host_reset(void)
{
    memset(&store, 0, sizeof store);
}

/* ---- sinks ----------------------------------------------------------------------------------- */

static char last_cursor[8192];
static volatile size_t sink_sum;

static void touch(const char *s)
{
    if (s)
        sink_sum += strlen(s);
}

/* A record without its struct_size (or a nested one without its own) breaks the ABI. */
#define SIZED(p, type) ((p) == NULL || (p)->struct_size >= sizeof(type))

static hs_status on_job(void *ctx, const hs_job *job)
{
    (void)ctx;
    if (job->struct_size < sizeof(hs_job) || job->stage_size < sizeof(hs_stage))
        abort();
    touch(job->id);
    touch(job->title);
    touch(job->status);
    touch(job->department);
    touch(job->created_at);
    touch(job->updated_at);
    touch(job->url);
    for (size_t i = 0; i < job->n_stages; i++) {
        const hs_stage *st = HS_ELEMENT(hs_stage, job->stages, job->stage_size, i);
        if (st->struct_size < sizeof(hs_stage) || st->status_size < sizeof(hs_ref))
            abort();
        touch(st->id);
        touch(st->name);
        for (size_t k = 0; k < st->n_statuses; k++) {
            const hs_ref *r = HS_ELEMENT(hs_ref, st->statuses, st->status_size, k);
            if (r->struct_size < sizeof(hs_ref))
                abort();
            touch(r->id);
            touch(r->name);
        }
    }
    return HS_OK;
}

static void touch_ref(const hs_ref *r)
{
    if (r == NULL)
        return;
    touch(r->id);
    touch(r->name);
}

static hs_status on_change(void *ctx, const hs_stage_change *ch)
{
    (void)ctx;
    if (ch->struct_size < sizeof(hs_stage_change) || !SIZED(ch->stage, hs_ref) || !SIZED(ch->status, hs_ref) ||
        !SIZED(ch->person, hs_person))
        abort();
    if (ch->kind > HS_CHANGE_DECLINED)
        abort();
    if ((ch->kind != HS_CHANGE_STAGE) != (ch->stage == NULL))
        abort(); /* a stage change names its stage, an interview's event none */
    if (ch->n_answers > 0 && (ch->answers == NULL || ch->answer_size < sizeof(hs_answer)))
        abort();
    touch(ch->key);
    touch(ch->record_id);
    touch(ch->job_id);
    touch_ref(ch->stage);
    touch_ref(ch->status);
    touch(ch->changed_at);
    if (ch->person != NULL) {
        touch(ch->person->id);
        touch(ch->person->first_name);
        touch(ch->person->last_name);
        touch(ch->person->email);
        touch(ch->person->phone);
    }
    touch(ch->link);
    touch(ch->score);
    for (size_t i = 0; i < ch->n_answers; i++) {
        const hs_answer *a = HS_ELEMENT(hs_answer, ch->answers, ch->answer_size, i);
        if (a->struct_size < sizeof(hs_answer) || a->question == NULL)
            abort();
        touch(a->question);
        touch(a->link);
        touch(a->score);
    }
    return HS_OK;
}

static hs_status on_checkpoint(void *ctx, const char *cursor)
{
    (void)ctx;
    snprintf(last_cursor, sizeof last_cursor, "%s", cursor ? cursor : "");
    return HS_OK;
}

hs_emitter fuzz_emitter(void)
{
    hs_emitter em = {sizeof(hs_emitter), NULL, on_job, on_change, on_checkpoint, NULL};
    last_cursor[0] = '\0';
    return em;
}

const char *fuzz_last_cursor(void)
{
    return last_cursor;
}

static hs_status on_item(void *ctx, const char *name, hs_check_result result,
                         const char *message)
{
    (void)ctx;
    (void)result;
    touch(name);
    touch(message);
    return HS_OK;
}

hs_check_report fuzz_report(void)
{
    hs_check_report r = {sizeof(hs_check_report), NULL, on_item, NULL, 0};
    return r;
}

char *fuzz_strndup(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (s == NULL)
        return NULL;
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* ---- one connector operation ----------------------------------------------------------------- */

static void check_error(const hs_error *err, const char *secret)
{
    if (memchr(err->message, '\0', err->message_size) == NULL)
        abort(); /* an unterminated error message */
    if (strchr(err->message, '\n') != NULL) {
        fprintf(stderr, "fuzz: error message of more than one line: %s\n", err->message);
        abort();
    }
    /* (an input may carry the secret itself, found by the fuzzer, and have it echoed) */
    if (secret != NULL && strstr(err->message, secret) != NULL) {
        fprintf(stderr, "fuzz: the secret in an error message: %s\n", err->message);
        abort();
    }
}

static void write_ops(const hs_connector *c, hs_conn *conn, const char *const *job_ids,
                      size_t n_jobs, int note, hs_error *err)
{
    /* the smallest buffer a host may give */
    char id[HS_REMOTE_ID_MIN] = "";
    hs_write_result res = {sizeof(hs_write_result), 0, id, sizeof id, 0};
    if (note && c->write_note) {
        hs_note n = {sizeof(hs_note), "result:p1:2026-01-01T00:00:00Z", "200001",
                     n_jobs ? job_ids[0] : "1001", "3000001", "Video interview completed",
                     "Ann Lee completed the video interview.", "https://example.com/r/1", NULL, 0, NULL, 0, 0};
        c->write_note(conn, &n, &res, err);
    } else if (!note && c->write_invitation) {
        hs_person p = {sizeof(hs_person), "3000001", "Ann", "Lee", "ann.lee@example.com",
                       "+447700900123"};
        hs_invitation inv = {sizeof(hs_invitation), "k:200001",
                             n_jobs ? job_ids[0] : "00000000000000000000000000000001", &p,
                             "200001", NULL};
        c->write_invitation(conn, &inv, &res, err);
    }
    if (memchr(id, '\0', sizeof id) == NULL)
        abort();
}

void fuzz_connector_run(const hs_connector *c, const char *config_json,
                        const char *const *job_ids, size_t n_jobs, const char *secret,
                        const uint8_t *data, size_t size)
{
    char msg[HS_ERROR_MESSAGE_MIN] = "";
    hs_error err = {sizeof(hs_error), 0, 0, msg, sizeof msg};
    hs_conn *conn = NULL;
    hs_emitter em = fuzz_emitter();
    hs_check_report rep = fuzz_report();
    hs_read_request rq = {sizeof(hs_read_request), "", job_ids, n_jobs, 0, 0, NULL, 0, 0, NULL, 0, 0};
    char *cursor = NULL;
    int op;

    if (size < 1)
        return;
    op = data[0] % 7;
    fuzz_host_reset();
    fuzz_script_set(data + 1, size - 1);
    if (c->open(fuzz_host_api(), fuzz_host(), config_json, &conn, &err) != HS_OK)
        abort(); /* the fixed configuration is valid */
    switch (op) {
    case 0:
        c->discover_jobs(conn, &em, &err);
        break;
    case 1:
    case 2:
        rq.snapshot = op == 2;
        if (c->read_changes(conn, &rq, &em, &err) == HS_OK && op == 1 && fuzz_last_cursor()[0]) {
            /* and again from the cursor it ended with */
            cursor = strdup(fuzz_last_cursor());
            rq.cursor_json = cursor ? cursor : "";
            c->read_changes(conn, &rq, &em, &err);
        }
        break;
    case 3: {
        const char *a = (const char *)data + 1, *sep = memmem(a, size - 1, "\n@@\n", 4);
        size_t n = sep ? (size_t)(sep - a) : size - 1;
        cursor = fuzz_strndup(data + 1, n);
        fuzz_script_set(data + 1 + n + (sep ? 4 : 0), size - 1 - n - (sep ? 4 : 0));
        rq.cursor_json = cursor ? cursor : "";
        c->read_changes(conn, &rq, &em, &err);
        break;
    }
    case 4:
    case 5:
        write_ops(c, conn, job_ids, n_jobs, op == 5, &err);
        break;
    default:
        c->check(conn, &rep, &err);
        break;
    }
    check_error(&err, memmem(data, size, secret, strlen(secret)) ? NULL : secret);
    c->close(conn);
    free(cursor);
}

/* ---- files for the loaders ------------------------------------------------------------------- */

static char dir_path[64];

static void dir_remove(void)
{
    char cmd[128];
    if (dir_path[0] == '\0')
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir_path);
    if (system(cmd) != 0)
        dir_path[0] = '\0';
}

const char *fuzz_dir(void)
{
    if (dir_path[0])
        return dir_path;
    snprintf(dir_path, sizeof dir_path, "/tmp/hs-fuzz-XXXXXX");
    if (mkdtemp(dir_path) == NULL) {
        dir_path[0] = '\0';
        return NULL;
    }
    atexit(dir_remove);
    return dir_path;
}

const char *fuzz_file(const char *name, const uint8_t *data, size_t size)
{
    static char path[256];
    const char *dir = fuzz_dir();
    FILE *f;
    int ok;
    if (dir == NULL)
        return NULL;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "w");
    if (f == NULL)
        return NULL;
    ok = fwrite(data, 1, size, f) == size;
    if (fclose(f) != 0 || !ok || chmod(path, 0600) != 0)
        return NULL;
    return path;
}
