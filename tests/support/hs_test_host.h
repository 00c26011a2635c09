/*
 * A host for connector tests: an hs_host_api with captured log lines, a settable clock,
 * instant or real sleep, a cancellation flag and an in-memory store; a loader for connector
 * modules; collectors for what connectors emit and report.
 *
 * Typical use:
 *     hs_test_host *h = hs_test_host_new();            // fake clock at 2026-01-01, instant sleep
 *     hs_test_module *m = hs_test_module_load("eploy"); // from $HIRESYNC_CONNECTOR_DIR
 *     const hs_connector *c = hs_test_module_connector(m);
 *     hs_conn *conn = NULL; HS_TEST_ERROR(err);          // hs_error with a 1024-byte buffer
 *     c->open(hs_test_host_api(h), hs_test_host_handle(h), config_json, &conn, &err);
 *     hs_test_error_clear(&err);                        // before the next call
 *     hs_test_collector *col = hs_test_collector_new();
 *     hs_emitter em = hs_test_collector_emitter(col);
 *     c->read_changes(conn, &req, &em, &err);
 *     ... col->changes[i].key, col->checkpoints[j] ...   // records checked for their shape
 *     HS_TEST_RESULT(res);                              // hs_write_result, 256-byte buffer
 *     c->write_note(conn, &note, &res, &err); ... res.remote_id ...
 *     ck_assert(!hs_test_host_log_contains(h, "the-secret"));
 *     c->close(conn); hs_test_collector_free(col); hs_test_module_unload(m); hs_test_host_free(h);
 *
 * Ownership: every *_new has its *_free; strings returned by accessors belong to the object
 * and live until it is freed (or cleared). Single-threaded: one test thread per host.
 */
#ifndef HS_TEST_HOST_H
#define HS_TEST_HOST_H

#include <stddef.h>
#include <stdint.h>

#include <hiresync/connector.h>

/* ---- the caller's buffers (hs_error.message, hs_write_result.remote_id) ------------------ */

/* What the host gives: 1024 bytes of message, 256 of remote id. */
#define HS_TEST_MESSAGE_SIZE 1024
#define HS_TEST_REMOTE_ID_SIZE 256

/* Declare `hs_error name` (`hs_write_result name`) ready for a call, with a buffer of its own
 * in the same scope (name_msg, name_id). */
#define HS_TEST_ERROR(name) \
    char name##_msg[HS_TEST_MESSAGE_SIZE] = ""; \
    hs_error name = {sizeof(hs_error), 0, 0, name##_msg, sizeof name##_msg}
#define HS_TEST_RESULT(name) \
    char name##_id[HS_TEST_REMOTE_ID_SIZE] = ""; \
    hs_write_result name = {sizeof(hs_write_result), 0, name##_id, sizeof name##_id, 0}

/* Points e (r) at buf of size bytes holding "", every other field zero; returns it. For
 * structs that live in fixtures, with the buffer beside them. */
hs_error *hs_test_error_init(hs_error *e, char *buf, size_t size);
hs_write_result *hs_test_result_init(hs_write_result *r, char *buf, size_t size);
/* Empties e (r) for the next call, keeping its buffer; returns it. */
hs_error *hs_test_error_clear(hs_error *e);
hs_write_result *hs_test_result_clear(hs_write_result *r);

/* A buffer of exactly size bytes (filled with 'x', so that a missing terminator shows),
 * followed by guard bytes a writer must not touch (poisoned under AddressSanitizer, which then
 * reports the overrun itself). hs_test_guarded_ok: the guard is intact and a NUL lies within
 * the size. Free with hs_test_guarded_free. */
char *hs_test_guarded_new(size_t size);
int hs_test_guarded_ok(const char *buf, size_t size);
void hs_test_guarded_free(char *buf, size_t size);

/* 2026-01-01T00:00:00Z, where a new host's fake clock starts. */
#define HS_TEST_EPOCH_MS 1767225600000LL

typedef struct hs_test_host hs_test_host;

/* A host with a fake clock at HS_TEST_EPOCH_MS and instant sleep (a sleep advances the fake
 * clock by the requested time and returns at once). Also calls curl_global_init once. */
hs_test_host *hs_test_host_new(void);
void hs_test_host_free(hs_test_host *h);

/* The services table (static) and the handle to pass with it to open(). */
const hs_host_api *hs_test_host_api(void);
hs_host *hs_test_host_handle(hs_test_host *h);

/* Clock: a fixed time (fake clock) or, with real = 1, the system's wall clock. */
void hs_test_host_set_now(hs_test_host *h, int64_t ms);
void hs_test_host_advance(hs_test_host *h, int64_t ms);
void hs_test_host_use_real_clock(hs_test_host *h, int real);
/* With the real clock: read it this many ms ahead (or behind, when negative), e.g. so that a
 * signpost of "now minus a lag" lies after changes a test has just made. */
void hs_test_host_set_clock_offset(hs_test_host *h, int64_t ms);
int64_t hs_test_host_now(hs_test_host *h);

/* Sleep: instant (default) or real (nanosleep in slices, waking when cancelled). */
void hs_test_host_use_real_sleep(hs_test_host *h, int real);
/* Sleeps requested so far: how many, their total, and the longest. */
size_t hs_test_host_sleep_count(const hs_test_host *h);
int64_t hs_test_host_slept_ms(const hs_test_host *h);
int64_t hs_test_host_longest_sleep_ms(const hs_test_host *h);

/* Cancellation: set the flag now, or have it set by the n-th sleep (n >= 1; 0 disables). */
void hs_test_host_cancel(hs_test_host *h, int on);
void hs_test_host_cancel_at_sleep(hs_test_host *h, size_t n);

/* Captured log lines ("LEVEL message"), in order. Also echoed to stderr when the
 * environment has HS_TEST_VERBOSE set. */
size_t hs_test_host_log_count(const hs_test_host *h);
const char *hs_test_host_log_line(const hs_test_host *h, size_t i);
/* 1 when any captured line contains needle. */
int hs_test_host_log_contains(const hs_test_host *h, const char *needle);
void hs_test_host_log_clear(hs_test_host *h);

/* The in-memory store the connector sees through store_get/store_put. get returns NULL when
 * unset; the pointer lives until the next put of that name. put with NULL deletes. */
const char *hs_test_host_store_value(const hs_test_host *h, const char *name);
/* shared_get/shared_put use the same list under "shared/<name>" (never persisted by a real
 * host; here, for inspection, hs_test_host_store_value(h, "shared/token")). The last time a
 * connector reported with remote_time, 0 when none: */
int64_t hs_test_host_remote_time(const hs_test_host *h);
int hs_test_host_store_set(hs_test_host *h, const char *name, const char *value);

/* ---- modules ------------------------------------------------------------------------------ */

typedef struct hs_test_module hs_test_module;

/* Loads <dir>/<name> with libltdl (dir = $HIRESYNC_CONNECTOR_DIR, or "plugin/.libs" when
 * unset) and calls its entry with HS_ABI_VERSION. NULL on failure, with the reason on
 * stderr. */
hs_test_module *hs_test_module_load(const char *name);
const hs_connector *hs_test_module_connector(const hs_test_module *m);
void hs_test_module_unload(hs_test_module *m);

/* ---- collectors ---------------------------------------------------------------------------- */

/* An owned copy of one hs_answer of a completion (link and score NULL where the connector
 * gave NULL). */
typedef struct hs_test_answer {
    char *question, *link, *score;
} hs_test_answer;

/* Owned copies of an emitted hs_stage_change (every string NULL where the connector gave
 * NULL; stage_*, status_* and the person's fields NULL also when that record was NULL). The
 * 2.1 members (answers, score) are copied when the record's struct_size covers them. */
typedef struct hs_test_change {
    uint32_t kind;        /* hs_change_kind */
    char *key, *record_id, *job_id, *stage_id, *stage_name, *status_id, *status_name;
    char *changed_at, *person_id, *first_name, *last_name, *email, *phone, *link;
    int snapshot;
    size_t barrier;       /* number of barriers emitted before this change */
    hs_test_answer *answers;  /* n_answers of them, NULL when none */
    size_t n_answers;
    char *score;          /* the overall score, NULL when none */
} hs_test_change;

typedef struct hs_test_job {
    char *id, *title, *status, *department, *created_at, *updated_at, *url;
    size_t n_stages;
    char **stage_names;   /* n_stages names */
    char **stage_ids;
    size_t n_statuses;    /* statuses over all stages */
} hs_test_job;

/* The collector checks the shape of every record it receives: struct_size set on the record
 * (at least 2.0's size) and on each nested hs_ref / hs_person / hs_stage / hs_answer, element
 * sizes set, a known kind (2.0's and 2.1's lifecycle kinds), a stage for HS_CHANGE_STAGE and
 * none for the interview kinds, answers (read with HS_ELEMENT, each with a question) only on
 * HS_CHANGE_COMPLETED, a key and a record id. A record that
 * fails is refused with HS_E_INTERNAL (so the connector's call fails) and the first such
 * problem is kept in `malformed` (NULL while every record was well formed). */
typedef struct hs_test_collector {
    char *malformed;
    hs_test_change *changes;
    size_t n_changes;
    hs_test_job *jobs;
    size_t n_jobs;
    char **checkpoints;
    size_t n_checkpoints;
    size_t max_changes_between_barriers;
    /* Settable: stop after this many changes by returning stop_status (0 = never). */
    size_t stop_after_changes;
    hs_status stop_status;
    /* Settable: keep only counts, not copies, of changes (for reads of many records). */
    int count_only;
    /* Settable: called on every barrier, e.g. to sample memory use. */
    void (*on_barrier)(void *ctx, const char *cursor_json);
    void *on_barrier_ctx;
    /* The connector's progress reports (hs_emitter.progress), in order; a report whose
     * struct_size is too short to hold pages_total makes the collector malformed. */
    hs_progress *progress;
    size_t n_progress;
} hs_test_collector;

hs_test_collector *hs_test_collector_new(void);
/* Forgets everything collected (keeps the settings). */
void hs_test_collector_clear(hs_test_collector *c);
void hs_test_collector_free(hs_test_collector *c);
/* An emitter writing into c; valid while c lives. */
hs_emitter hs_test_collector_emitter(hs_test_collector *c);
/* The last checkpoint's cursor, or "" when none. */
const char *hs_test_collector_last_cursor(const hs_test_collector *c);
/* The first change with this record_id and stage_name (NULL matches any), or NULL. */
const hs_test_change *hs_test_collector_find(const hs_test_collector *c, const char *record_id,
                                             const char *stage_name);

typedef struct hs_test_check_item {
    char *name;
    hs_check_result result;
    char *message;
} hs_test_check_item;

typedef struct hs_test_report {
    hs_test_check_item *items;
    size_t n_items;
} hs_test_report;

hs_test_report *hs_test_report_new(void);
void hs_test_report_free(hs_test_report *r);
/* A check report writing into r, with the given job ids (borrowed; may be NULL). */
hs_check_report hs_test_report_sink(hs_test_report *r, const char *const *job_ids,
                                    size_t n_job_ids);
/* The item with this name, or NULL. */
const hs_test_check_item *hs_test_report_find(const hs_test_report *r, const char *name);

#endif /* HS_TEST_HOST_H */
