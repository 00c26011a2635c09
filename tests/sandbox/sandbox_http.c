/* The HTTP layer shared by the three servers: request bodies, latency, fault injection,
 * statistics, and turning an hs_sb_resp into a libmicrohttpd response. */
#include "sandbox.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct conn_ctx {
    char *body;
    size_t len, cap;
    int too_large;
} conn_ctx;

void hs_sb_log(const char *fmt, ...)
{
    if (!hs_sb_w.cfg.verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("hiresync-sandbox: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

const char *hs_sb_query(const hs_sb_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *hs_sb_header(const hs_sb_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void hs_sb_reply_text(hs_sb_resp *resp, int status, const char *json_text)
{
    free(resp->body);
    resp->status = status;
    resp->body = strdup(json_text ? json_text : "");
    resp->len = resp->body ? strlen(resp->body) : 0;
    if (!resp->body)
        resp->status = 500;
}

void hs_sb_reply_json(hs_sb_resp *resp, int status, json_object *obj)
{
    if (!obj) {
        hs_sb_reply_text(resp, 500, "{\"error_message\":\"out of memory\"}");
        return;
    }
    hs_sb_reply_text(resp, status,
                     json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
                                                             JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(obj);
}

/* field "detail" with a list-valued message gives DRF's field-error shape when list != 0 */
void hs_sb_reply_error(hs_sb_resp *resp, int status, const char *field, const char *msg)
{
    json_object *o = json_object_new_object();
    if (o) {
        int drf_field = strcmp(field, "detail") && strcmp(field, "error_message") &&
                        strcmp(field, "error");
        json_object *v = json_object_new_string(msg);
        if (drf_field && v) {
            json_object *arr = json_object_new_array();
            if (arr)
                json_object_array_add(arr, v);
            else
                json_object_put(v);
            v = arr;
        }
        json_object_object_add(o, field, v);
    }
    hs_sb_reply_json(resp, status, o);
}

/* ---- query strings for Willo's absolute next/previous links ---- */

typedef struct qbuf {
    char *buf;
    size_t size, used;
    int overflow;
} qbuf;

static void q_put(qbuf *q, const char *s, int encode)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        char tmp[4];
        size_t n = 1;
        if (!encode || isalnum(ch) || strchr("-._~,", ch)) {
            tmp[0] = (char)ch;
        } else {
            tmp[0] = '%';
            tmp[1] = hex[ch >> 4];
            tmp[2] = hex[ch & 15];
            n = 3;
        }
        if (q->used + n + 1 > q->size) {
            q->overflow = 1;
            return;
        }
        memcpy(q->buf + q->used, tmp, n);
        q->used += n;
        q->buf[q->used] = '\0';
    }
}

static enum MHD_Result q_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                             const char *value)
{
    qbuf *q = cls;
    (void)kind;
    if (strcmp(key, "page") == 0)
        return MHD_YES;
    q_put(q, q->used ? "&" : "?", 0);
    q_put(q, key, 1);
    if (value) {
        q_put(q, "=", 0);
        q_put(q, value, 1);
    }
    return MHD_YES;
}

int hs_sb_query_with_page(const hs_sb_req *r, long page, char *buf, size_t size)
{
    qbuf q = { buf, size, 0, 0 };
    buf[0] = '\0';
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, q_arg, &q);
    if (page > 0) {
        char tmp[32];
        snprintf(tmp, sizeof tmp, "%spage=%ld", q.used ? "&" : "?", page);
        q_put(&q, tmp, 0);
    }
    return q.overflow ? -1 : 0;
}

/* ---- statistics route names: numeric ids become {id}, 32-hex keys {key} ---- */

static int is_key(const char *s, size_t n)
{
    if (n != 32)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

static int is_number(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

static void route_template(int server, const char *method, const char *path, char *out,
                           size_t size)
{
    size_t base = strlen(HS_SB_WILLO_BASE);
    if (server == HS_SB_WILLO && strncmp(path, HS_SB_WILLO_BASE, base) == 0 &&
        (path[base] == '/' || path[base] == '\0'))
        path += base;
    int n = snprintf(out, size, "%s ", method);
    size_t used = n > 0 && (size_t)n < size ? (size_t)n : 0;
    const char *p = path;
    while (*p && used + 1 < size) {
        if (*p == '/') {
            out[used++] = '/';
            p++;
            continue;
        }
        size_t len = strcspn(p, "/");
        const char *rep = is_number(p, len) ? "{id}" : is_key(p, len) ? "{key}" : NULL;
        const char *src = rep ? rep : p;
        size_t srclen = rep ? strlen(rep) : len;
        if (used + srclen + 1 > size)
            srclen = size - used - 1;
        memcpy(out + used, src, srclen);
        used += srclen;
        p += len;
    }
    out[used] = '\0';
}

/* ---- responses ---- */

typedef struct trunc_body {
    char *body;
    size_t len;
} trunc_body;

static ssize_t trunc_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    trunc_body *t = cls;
    if (pos >= t->len)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    size_t n = t->len - (size_t)pos;
    if (n > max)
        n = max;
    memcpy(buf, t->body + pos, n);
    return (ssize_t)n;
}

static void trunc_free(void *cls)
{
    trunc_body *t = cls;
    free(t->body);
    free(t);
}

static enum MHD_Result send_resp(struct MHD_Connection *c, hs_sb_resp *resp, int truncate)
{
    struct MHD_Response *r = NULL;
    if (truncate) {
        trunc_body *t = malloc(sizeof *t);
        if (t) {
            t->body = resp->body;
            t->len = resp->len;
            /* Declares more than it sends, so the client sees a short body. */
            r = MHD_create_response_from_callback(resp->len + 64, 4096, trunc_reader, t,
                                                  trunc_free);
            if (r)
                resp->body = NULL;
            else
                free(t);
        }
    } else if (resp->body) {
        r = MHD_create_response_from_buffer(resp->len, resp->body, MHD_RESPMEM_MUST_FREE);
        if (r)
            resp->body = NULL;
    } else {
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (!r)
        return MHD_NO;
    if (resp->len)
        MHD_add_response_header(r, "Content-Type", "application/json");
    if (resp->retry_after >= 0) {
        char tmp[24];
        snprintf(tmp, sizeof tmp, "%d", resp->retry_after);
        MHD_add_response_header(r, "Retry-After", tmp);
    }
    {
        /* The sandbox's own clock (libmicrohttpd's Date is suppressed at start), so that a
         * clock offset shows in the header as in the records. */
        char date[64];
        time_t secs = (time_t)(hs_sb_now_ms() / 1000);
        struct tm tm;
        if (gmtime_r(&secs, &tm) != NULL &&
            strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm) > 0)
            MHD_add_response_header(r, "Date", date);
    }
    if (resp->www_auth[0])
        MHD_add_response_header(r, "WWW-Authenticate", resp->www_auth);
    if (resp->location[0])
        MHD_add_response_header(r, "Location", resp->location);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    return ret;
}

static atomic_int stopping;

/* In slices, so that a stop does not wait for a long injected delay. */
static void sleep_ms(int ms)
{
    while (ms > 0 && !atomic_load(&stopping)) {
        int slice = ms < 50 ? ms : 50;
        struct timespec ts = { 0, (long)slice * 1000000L };
        nanosleep(&ts, NULL);
        ms -= slice;
    }
}

static void fault_reply(int server, const hs_sb_fault *f, hs_sb_resp *resp)
{
    const char *msg = "Injected fault";
    /* An injected 429 is a short throttle; only the quota (--quota-per-day) says that the
     * daily call limit is exceeded, which a connector takes for a stop until the next day. */
    if (f->status == 429)
        msg = server == HS_SB_EPLOY ? "Too many requests"
                                    : "Request was throttled. Expected available in 1 seconds.";
    if (f->status == 429 && server == HS_SB_WILLO && f->retry_after >= 0) {
        char tmp[96];
        snprintf(tmp, sizeof tmp, "Request was throttled. Expected available in %d seconds.",
                 f->retry_after);
        hs_sb_reply_error(resp, f->status, "detail", tmp);
    } else {
        hs_sb_reply_error(resp, f->status, server == HS_SB_EPLOY ? "error_message" : "detail",
                          msg);
    }
    resp->retry_after = f->retry_after;
}

static void make_malformed(hs_sb_resp *resp)
{
    /* Half a document is never valid JSON for our bodies (objects and arrays). */
    size_t keep = resp->len / 2;
    if (!resp->body || keep < 2) {
        hs_sb_reply_text(resp, 200, "{\"Records\":[{");
        return;
    }
    resp->body[keep] = '\0';
    resp->len = keep;
    resp->status = 200;
}

static enum MHD_Result handle(int server, struct MHD_Connection *c, const char *url,
                              const char *method, conn_ctx *ctx)
{
    hs_sb_req req = { server, c, method, url, ctx->body ? ctx->body : "", ctx->len };
    hs_sb_resp resp = { .status = 500, .retry_after = -1 };
    hs_sb_fault f = { .kind = -1 };
    char route[200], code[16];
    enum MHD_Result ret;
    int has_fault = 0;

    route_template(server, method, url, route, sizeof route);
    if (server != HS_SB_ADMIN) {
        pthread_mutex_lock(&hs_sb_w.lock);
        int latency = hs_sb_w.latency_ms;
        has_fault = hs_sb_fault_take(server, method, url, &f) == 0;
        pthread_mutex_unlock(&hs_sb_w.lock);
        sleep_ms(latency);
        if (has_fault)
            sleep_ms(f.delay_ms);
    }
    if (has_fault && f.kind == HS_SB_FAULT_RESET) {
        hs_sb_stats_record(server, route, "reset");
        return MHD_NO;
    }
    if (has_fault && f.kind == HS_SB_FAULT_STATUS && f.status > 0) {
        fault_reply(server, &f, &resp);
    } else if (ctx->too_large) {
        hs_sb_reply_error(&resp, 413, server == HS_SB_WILLO ? "detail" : "error_message",
                          "Request body too large");
    } else {
        pthread_mutex_lock(&hs_sb_w.lock);
        if (server == HS_SB_EPLOY)
            hs_sb_eploy_handle(&req, &resp);
        else if (server == HS_SB_WILLO)
            hs_sb_willo_handle(&req, &resp);
        else
            hs_sb_admin_handle(&req, &resp);
        pthread_mutex_unlock(&hs_sb_w.lock);
        if (has_fault && f.kind == HS_SB_FAULT_MALFORMED)
            make_malformed(&resp);
    }
    int truncate = has_fault && f.kind == HS_SB_FAULT_TRUNCATE;
    snprintf(code, sizeof code, "%d", resp.status);
    hs_sb_stats_record(server, route, code);
    hs_sb_log("%s %s -> %d%s", method, url, resp.status, truncate ? " (truncated)" : "");
    ret = send_resp(c, &resp, truncate);
    free(resp.body);
    return ret;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_data_size,
                                 void **con_cls)
{
    (void)version;
    conn_ctx *ctx = *con_cls;
    if (!ctx) {
        ctx = calloc(1, sizeof *ctx);
        if (!ctx)
            return MHD_NO;
        *con_cls = ctx;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (ctx->too_large || ctx->len + n > HS_SB_MAX_BODY) {
            ctx->too_large = 1;
            return MHD_YES;
        }
        if (ctx->len + n + 1 > ctx->cap) {
            size_t cap = ctx->cap ? ctx->cap : 1024;
            while (cap < ctx->len + n + 1)
                cap *= 2;
            char *nb = realloc(ctx->body, cap);
            if (!nb)
                return MHD_NO;
            ctx->body = nb;
            ctx->cap = cap;
        }
        memcpy(ctx->body + ctx->len, upload_data, n);
        ctx->len += n;
        ctx->body[ctx->len] = '\0';
        return MHD_YES;
    }
    return handle((int)(intptr_t)cls, c, url, method, ctx);
}

static void completed_cb(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    conn_ctx *ctx = *con_cls;
    if (ctx) {
        free(ctx->body);
        free(ctx);
        *con_cls = NULL;
    }
}

int hs_sb_start_servers(void *daemons[HS_SB_NSERVERS], int ports[HS_SB_NSERVERS])
{
    for (int s = 0; s < HS_SB_NSERVERS; s++) {
        struct sockaddr_in addr;
        memset(&addr, 0, sizeof addr);
        addr.sin_family = AF_INET;
        addr.sin_port = htons((uint16_t)ports[s]);
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        unsigned flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD |
                         MHD_USE_THREAD_PER_CONNECTION | MHD_USE_SUPPRESS_DATE_NO_CLOCK;
        if (hs_sb_w.cfg.verbose)
            flags |= MHD_USE_ERROR_LOG;
        struct MHD_Daemon *d = MHD_start_daemon(
            flags, (uint16_t)ports[s], NULL, NULL, access_cb, (void *)(intptr_t)s,
            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED,
            completed_cb, NULL, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
            /* Benchmarks open many keep-alive connections; the default stops near 1020. */
            MHD_OPTION_CONNECTION_LIMIT, (unsigned)10000,
            MHD_OPTION_THREAD_STACK_SIZE, (size_t)(512 * 1024), MHD_OPTION_END);
        if (!d) {
            fprintf(stderr, "hiresync-sandbox: cannot listen on 127.0.0.1:%d (%s server)\n",
                    ports[s], s == HS_SB_EPLOY ? "eploy" : s == HS_SB_WILLO ? "willo" : "admin");
            hs_sb_stop_servers(daemons);
            return -1;
        }
        daemons[s] = d;
        const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
        if (info)
            ports[s] = info->port;
    }
    return 0;
}

void hs_sb_stop_servers(void *daemons[HS_SB_NSERVERS])
{
    atomic_store(&stopping, 1);
    for (int s = 0; s < HS_SB_NSERVERS; s++) {
        if (daemons[s])
            MHD_stop_daemon(daemons[s]);
        daemons[s] = NULL;
    }
}
