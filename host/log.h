/*
 * The host's logger: one line per event on a stream (stderr by default), as text
 *     2026-11-26T21:30:00Z INFO [pipeline/connection] message
 * or as JSON, one object a line with the same keys on every line (null when not known):
 *     {"ts":"2026-11-26T21:30:00.123Z","level":"info","event":"cycle_end","pipeline":"p",
 *      "connection":null,"run_id":"...","duration_ms":40,...,"msg":"..."}
 * "event" is a stable name ("log" for a line that has none of its own), the numbers of an
 * event are fields of their own, and "run_id" names the cycle the line belongs to (set per
 * thread with hs_log_set_run_id). The fields are documented in hiresync(1).
 *
 * Secrets: every secret the configuration resolves is registered here (hs_log_add_secret) and
 * replaced by "***" in every line, whoever wrote it (host or connector). That is a last line of
 * defence; code still never passes a secret to the logger on purpose. Control characters in
 * a message become spaces, so one call is always one line.
 *
 * Ownership: hs_log_new() allocates, hs_log_free() frees. The logger does not own the FILE.
 * Threading: every function is safe to call from any thread (one internal mutex); a line is
 * written with a single fwrite so lines from different threads never interleave.
 */
#ifndef HS_HOST_LOG_H
#define HS_HOST_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <hiresync/connector.h>   /* hs_log_level */

typedef enum hs_log_format {
    HS_LOG_FORMAT_TEXT = 0,
    HS_LOG_FORMAT_JSON = 1
} hs_log_format;

typedef struct hs_log hs_log;

/* Shortest secret that is masked: shorter values ("1", "ab") would garble every line and
 * carry no real credential. */
#define HS_LOG_SECRET_MIN 4

/* A new logger writing to out (borrowed; must outlive the logger), level INFO, text format.
 * NULL when out of memory. */
hs_log *hs_log_new(FILE *out);
void hs_log_free(hs_log *log);

void hs_log_set_level(hs_log *log, hs_log_level level);
hs_log_level hs_log_get_level(const hs_log *log);
void hs_log_set_format(hs_log *log, hs_log_format format);
hs_log_format hs_log_get_format(const hs_log *log);

/* Replaces the clock used for timestamps (tests); NULL restores the real clock.
 * The function returns milliseconds since the epoch. */
void hs_log_set_clock(hs_log *log, long long (*now_ms)(void *ctx), void *ctx);

/* Registers a secret to mask (copied). Values shorter than HS_LOG_SECRET_MIN are ignored.
 * Returns 0, or -1 when out of memory. */
int hs_log_add_secret(hs_log *log, const char *secret);

/* Writes one line when level is at or below the logger's level. scope is the
 * "pipeline/connection" prefix, or NULL for none. */
void hs_log_write(hs_log *log, hs_log_level level, const char *scope, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
void hs_log_vwrite(hs_log *log, hs_log_level level, const char *scope, const char *fmt,
                   va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 0)))
#endif
    ;

/* What a line is about, beyond its message. Every member may be NULL / 0. */
typedef struct hs_log_num {
    const char *name;            /* a JSON field name, e.g. "duration_ms" */
    long long value;
} hs_log_num;

typedef struct hs_log_str {
    const char *name;            /* a JSON field name, e.g. "version" */
    const char *value;           /* masked like the message; NULL: null */
} hs_log_str;

typedef struct hs_log_ctx {
    const char *pipeline;
    const char *connection;
    const char *event;           /* NULL: "log" */
    const hs_log_num *nums;
    size_t n_nums;
    const hs_log_str *strs;
    size_t n_strs;
} hs_log_ctx;

/* Writes one line with its context (the text format shows "[pipeline/connection]" and the
 * message; the numbers are in the message too). */
void hs_log_event(hs_log *log, hs_log_level level, const hs_log_ctx *ctx, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
void hs_log_vevent(hs_log *log, hs_log_level level, const hs_log_ctx *ctx, const char *fmt,
                   va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 0)))
#endif
    ;

/* The calling thread's run id (copied, cut to 63 bytes), which every line it writes then
 * carries; NULL clears it. A cycle sets it while it runs. */
void hs_log_set_run_id(const char *run_id);

/* The configured connection names (copied; replaces the previous set): a scope of one name
 * (no "pipeline/") is then reported as the connection when it is one, else as the pipeline.
 * Returns 0, or -1 when out of memory. */
int hs_log_set_connections(hs_log *log, const char *const *names, size_t n);

/* Copies text into out (always NUL-terminated, truncated to out_size) with every registered
 * secret replaced by "***" and control characters replaced by spaces. For anything the host
 * prints that came from a connector or a remote system (error messages in `check`, `status`,
 * state files). */
void hs_log_mask(const hs_log *log, const char *text, char *out, size_t out_size);

/* Parses "error|warn|info|debug" / "text|json". Return 0, or -1 for anything else. */
int hs_log_level_parse(const char *s, hs_log_level *out);
int hs_log_format_parse(const char *s, hs_log_format *out);
/* "error", "warn", "info", "debug". */
const char *hs_log_level_name(hs_log_level level);

#endif /* HS_HOST_LOG_H */
