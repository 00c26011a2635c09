/*
 * The host's logger: one line per event on a stream (stderr by default), as text
 *     2026-11-26T21:30:00Z INFO [pipeline/connection] message
 * or as JSON
 *     {"time":"2026-11-26T21:30:00Z","level":"info","scope":"pipeline/connection","message":"..."}
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
