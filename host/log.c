/* The host's line logger with secret masking. */
#define _POSIX_C_SOURCE 200809L
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

/* A line longer than this is cut: a log line is for a person to read. */
#define LOG_LINE_MAX 8192

struct hs_log {
    FILE *out;
    hs_log_level level;
    hs_log_format format;
    long long (*now_ms)(void *ctx);
    void *clock_ctx;
    char **secrets;
    size_t n_secrets;
    char **connections;          /* configured connection names */
    size_t n_connections;
    pthread_mutex_t lock;
};

static _Thread_local char t_run_id[64];

static const char *const level_names[] = {"error", "warn", "info", "debug"};
static const char *const level_words[] = {"ERROR", "WARN", "INFO", "DEBUG"};

hs_log *hs_log_new(FILE *out)
{
    hs_log *log = calloc(1, sizeof(*log));
    if (!log)
        return NULL;
    if (pthread_mutex_init(&log->lock, NULL) != 0) {
        free(log);
        return NULL;
    }
    log->out = out;
    log->level = HS_LOG_INFO;
    log->format = HS_LOG_FORMAT_TEXT;
    return log;
}

void hs_log_free(hs_log *log)
{
    if (!log)
        return;
    for (size_t i = 0; i < log->n_secrets; i++) {
        /* Secrets do not linger in freed memory. */
        memset(log->secrets[i], 0, strlen(log->secrets[i]));
        free(log->secrets[i]);
    }
    free(log->secrets);
    for (size_t i = 0; i < log->n_connections; i++)
        free(log->connections[i]);
    free(log->connections);
    pthread_mutex_destroy(&log->lock);
    free(log);
}

void hs_log_set_level(hs_log *log, hs_log_level level)
{
    pthread_mutex_lock(&log->lock);
    log->level = level;
    pthread_mutex_unlock(&log->lock);
}

hs_log_level hs_log_get_level(const hs_log *log)
{
    hs_log *mutable_log = (hs_log *)log;
    pthread_mutex_lock(&mutable_log->lock);
    hs_log_level level = log->level;
    pthread_mutex_unlock(&mutable_log->lock);
    return level;
}

void hs_log_set_format(hs_log *log, hs_log_format format)
{
    pthread_mutex_lock(&log->lock);
    log->format = format;
    pthread_mutex_unlock(&log->lock);
}

hs_log_format hs_log_get_format(const hs_log *log)
{
    hs_log *mutable_log = (hs_log *)log;
    pthread_mutex_lock(&mutable_log->lock);
    hs_log_format format = log->format;
    pthread_mutex_unlock(&mutable_log->lock);
    return format;
}

void hs_log_set_clock(hs_log *log, long long (*now_ms)(void *ctx), void *ctx)
{
    pthread_mutex_lock(&log->lock);
    log->now_ms = now_ms;
    log->clock_ctx = ctx;
    pthread_mutex_unlock(&log->lock);
}

int hs_log_add_secret(hs_log *log, const char *secret)
{
    if (!secret || strlen(secret) < HS_LOG_SECRET_MIN)
        return 0;
    int rc = -1;
    pthread_mutex_lock(&log->lock);
    for (size_t i = 0; i < log->n_secrets; i++) {
        if (strcmp(log->secrets[i], secret) == 0) {
            rc = 0;
            goto out;
        }
    }
    char **secrets = realloc(log->secrets, (log->n_secrets + 1) * sizeof(*secrets));
    if (!secrets)
        goto out;
    log->secrets = secrets;
    char *copy = strdup(secret);
    if (!copy)
        goto out;
    /* Longest first, so that a secret containing another is masked whole. */
    size_t at = log->n_secrets;
    while (at > 0 && strlen(log->secrets[at - 1]) < strlen(copy)) {
        log->secrets[at] = log->secrets[at - 1];
        at--;
    }
    log->secrets[at] = copy;
    log->n_secrets++;
    rc = 0;
out:
    pthread_mutex_unlock(&log->lock);
    return rc;
}

/* Caller holds the lock (or the logger is not shared yet). */
static void mask_locked(const hs_log *log, const char *text, char *out, size_t out_size)
{
    size_t o = 0;
    if (out_size == 0)
        return;
    for (const char *p = text; *p && o + 1 < out_size;) {
        size_t skip = 0;
        for (size_t i = 0; i < log->n_secrets; i++) {
            size_t len = strlen(log->secrets[i]);
            if (strncmp(p, log->secrets[i], len) == 0) {
                skip = len;
                break;
            }
        }
        if (skip) {
            for (const char *m = "***"; *m && o + 1 < out_size; m++)
                out[o++] = *m;
            p += skip;
            continue;
        }
        unsigned char c = (unsigned char)*p++;
        out[o++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
    }
    out[o] = '\0';
}

void hs_log_mask(const hs_log *log, const char *text, char *out, size_t out_size)
{
    hs_log *mutable_log = (hs_log *)log;
    pthread_mutex_lock(&mutable_log->lock);
    mask_locked(log, text ? text : "", out, out_size);
    pthread_mutex_unlock(&mutable_log->lock);
}

void hs_log_set_run_id(const char *run_id)
{
    snprintf(t_run_id, sizeof t_run_id, "%s", run_id ? run_id : "");
}

int hs_log_set_connections(hs_log *log, const char *const *names, size_t n)
{
    char **copy = n ? calloc(n, sizeof *copy) : NULL;
    if (n && copy == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if ((copy[i] = strdup(names[i])) == NULL) {
            while (i > 0)
                free(copy[--i]);
            free(copy);
            return -1;
        }
    }
    pthread_mutex_lock(&log->lock);
    for (size_t i = 0; i < log->n_connections; i++)
        free(log->connections[i]);
    free(log->connections);
    log->connections = copy;
    log->n_connections = n;
    pthread_mutex_unlock(&log->lock);
    return 0;
}

/* Seconds (text) or milliseconds (JSON) of the logger's clock, UTC. */
static void format_time(const hs_log *log, int with_ms, char *out, size_t out_size)
{
    long long ms;
    time_t secs;
    struct tm tm;
    char base[32];
    if (log->now_ms) {
        ms = log->now_ms(log->clock_ctx);
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    }
    secs = (time_t)(ms / 1000);
    if (!gmtime_r(&secs, &tm) || strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
        snprintf(out, out_size, "-");
        return;
    }
    if (with_ms)
        snprintf(out, out_size, "%s.%03dZ", base, (int)(ms % 1000));
    else
        snprintf(out, out_size, "%sZ", base);
}

static json_object *string_or_null(const char *s)
{
    return s != NULL && *s ? json_object_new_string(s) : NULL;
}

/* Caller holds the lock. */
static void write_json_line(hs_log *log, const char *when, hs_log_level level,
                            const hs_log_ctx *ctx, const char *message)
{
    json_object *obj = json_object_new_object();
    if (!obj)
        return;
    json_object_object_add(obj, "ts", json_object_new_string(when));
    json_object_object_add(obj, "level", json_object_new_string(level_names[level]));
    json_object_object_add(obj, "event",
                           json_object_new_string(ctx->event ? ctx->event : "log"));
    json_object_object_add(obj, "pipeline", string_or_null(ctx->pipeline));
    json_object_object_add(obj, "connection", string_or_null(ctx->connection));
    json_object_object_add(obj, "run_id", string_or_null(t_run_id));
    for (size_t i = 0; i < ctx->n_nums; i++) {
        if (ctx->nums[i].name != NULL)
            json_object_object_add(obj, ctx->nums[i].name,
                                   json_object_new_int64(ctx->nums[i].value));
    }
    for (size_t i = 0; i < ctx->n_strs; i++) {
        char value[1024];
        if (ctx->strs[i].name == NULL)
            continue;
        mask_locked(log, ctx->strs[i].value ? ctx->strs[i].value : "", value, sizeof value);
        json_object_object_add(obj, ctx->strs[i].name,
                               ctx->strs[i].value ? json_object_new_string(value) : NULL);
    }
    json_object_object_add(obj, "msg", json_object_new_string(message));
    const char *s = json_object_to_json_string_ext(
        obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    if (s)
        fprintf(log->out, "%s\n", s);
    json_object_put(obj);
}

void hs_log_vevent(hs_log *log, hs_log_level level, const hs_log_ctx *ctx, const char *fmt,
                   va_list ap)
{
    static const hs_log_ctx none = {NULL, NULL, NULL, NULL, 0, NULL, 0};
    if (!log || level < HS_LOG_ERROR || level > HS_LOG_DEBUG || level > hs_log_get_level(log))
        return;
    if (ctx == NULL)
        ctx = &none;
    /* Formatted whole, then masked, then cut: cutting first could leave half a secret. */
    va_list copy;
    va_copy(copy, ap);
    int len = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    char *raw = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (!raw)
        return;
    vsnprintf(raw, (size_t)len + 1, fmt, ap);
    char message[LOG_LINE_MAX];
    char pipeline[256] = "", connection[256] = "";
    char when[40];
    hs_log_ctx masked = *ctx;
    pthread_mutex_lock(&log->lock);
    mask_locked(log, raw, message, sizeof(message));
    if (ctx->pipeline)
        mask_locked(log, ctx->pipeline, pipeline, sizeof(pipeline));
    if (ctx->connection)
        mask_locked(log, ctx->connection, connection, sizeof(connection));
    masked.pipeline = pipeline;
    masked.connection = connection;
    format_time(log, log->format == HS_LOG_FORMAT_JSON, when, sizeof(when));
    if (log->format == HS_LOG_FORMAT_JSON)
        write_json_line(log, when, level, &masked, message);
    else if (pipeline[0] || connection[0])
        fprintf(log->out, "%s %s [%s%s%s] %s\n", when, level_words[level], pipeline,
                pipeline[0] && connection[0] ? "/" : "", connection, message);
    else
        fprintf(log->out, "%s %s %s\n", when, level_words[level], message);
    fflush(log->out);
    pthread_mutex_unlock(&log->lock);
    free(raw);
}

void hs_log_event(hs_log *log, hs_log_level level, const hs_log_ctx *ctx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hs_log_vevent(log, level, ctx, fmt, ap);
    va_end(ap);
}

static int is_connection(hs_log *log, const char *name, size_t len)
{
    int found = 0;
    pthread_mutex_lock(&log->lock);
    for (size_t i = 0; i < log->n_connections && !found; i++)
        found = strlen(log->connections[i]) == len && strncmp(log->connections[i], name, len) == 0;
    pthread_mutex_unlock(&log->lock);
    return found;
}

/* "pipeline/connection", or one name: a connection when it is a configured one. */
void hs_log_vwrite(hs_log *log, hs_log_level level, const char *scope, const char *fmt,
                   va_list ap)
{
    hs_log_ctx ctx = {NULL, NULL, NULL, NULL, 0, NULL, 0};
    char first[256];
    const char *slash = scope ? strchr(scope, '/') : NULL;
    if (!log || level > hs_log_get_level(log))
        return;
    if (slash != NULL) {
        snprintf(first, sizeof first, "%.*s", (int)(slash - scope), scope);
        ctx.pipeline = first;
        ctx.connection = slash + 1;
    } else if (scope != NULL && is_connection(log, scope, strlen(scope))) {
        ctx.connection = scope;
    } else {
        ctx.pipeline = scope;
    }
    hs_log_vevent(log, level, &ctx, fmt, ap);
}

void hs_log_write(hs_log *log, hs_log_level level, const char *scope, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    hs_log_vwrite(log, level, scope, fmt, ap);
    va_end(ap);
}

int hs_log_level_parse(const char *s, hs_log_level *out)
{
    for (int i = 0; i <= HS_LOG_DEBUG; i++) {
        if (s && strcmp(s, level_names[i]) == 0) {
            *out = (hs_log_level)i;
            return 0;
        }
    }
    return -1;
}

int hs_log_format_parse(const char *s, hs_log_format *out)
{
    if (s && strcmp(s, "text") == 0) {
        *out = HS_LOG_FORMAT_TEXT;
        return 0;
    }
    if (s && strcmp(s, "json") == 0) {
        *out = HS_LOG_FORMAT_JSON;
        return 0;
    }
    return -1;
}

const char *hs_log_level_name(hs_log_level level)
{
    if (level < HS_LOG_ERROR || level > HS_LOG_DEBUG)
        return "unknown";
    return level_names[level];
}
