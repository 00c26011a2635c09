/*
 * What the fuzz targets share: a host for connectors (services that log into a buffer, a
 * fixed clock, instant sleep, a small store), sinks for what connectors emit, and a fake
 * transport that replaces plugin/common/hs_http.c so that every HTTP answer a connector
 * receives comes from the fuzz input.
 *
 * The fake transport's script: the input split on lines holding only "@@" into answers, one
 * per request, in order. An answer may start with a line "HTTP <status>" (default 200); the
 * rest is the body. When the script runs out, requests fail as a reset would (HS_RETRY), so
 * every walk ends. At most FUZZ_MAX_REQUESTS requests are answered per input.
 *
 * Ownership: everything is static and single-threaded (libFuzzer runs one input at a time);
 * fuzz_script_set borrows the input until the next call.
 */
#ifndef HS_FUZZ_SUPPORT_H
#define HS_FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include <hiresync/connector.h>

#define FUZZ_MAX_REQUESTS 64

/* The libFuzzer entry every target defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The connector's answers for the next operations. */
void fuzz_script_set(const uint8_t *data, size_t size);
/* Requests made since the last fuzz_script_set. */
size_t fuzz_script_requests(void);

const hs_host_api *fuzz_host_api(void);
hs_host *fuzz_host(void);
/* Clears the host's store (between inputs). */
void fuzz_host_reset(void);

/* An emitter and a check report that read every string they are given (so that a dangling
 * or unterminated pointer is found by the sanitizers) and keep nothing. */
hs_emitter fuzz_emitter(void);
hs_check_report fuzz_report(void);
/* The last cursor a checkpoint carried ("" when none); static storage. */
const char *fuzz_last_cursor(void);

/* Runs one connector operation on the input: the first byte chooses it (discover_jobs,
 * read_changes from the start, a snapshot, read_changes from a cursor given by the input's
 * first answer, write_invitation or write_note, check); the rest is the script. The
 * connection is opened with config_json and closed afterwards. Aborts when an error message
 * holds `secret`. */
void fuzz_connector_run(const hs_connector *c, const char *config_json,
                        const char *const *job_ids, size_t n_jobs, const char *secret,
                        const uint8_t *data, size_t size);

/* Writes data to "<private temp dir>/<name>" (mode 0600) and returns that path (static
 * storage, valid until the next call); the directory goes at exit. NULL on failure. */
const char *fuzz_file(const char *name, const uint8_t *data, size_t size);
/* The private temp dir itself, or NULL. */
const char *fuzz_dir(void);

/* A NUL-terminated copy of data (malloc'd; the caller frees), or NULL. */
char *fuzz_strndup(const uint8_t *data, size_t size);

#endif /* HS_FUZZ_SUPPORT_H */
